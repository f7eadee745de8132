"""The registry: names, aliases, parameter checks and warnings."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import lrplot
from lrplot.errors import ParameterError, UnknownScheduleError
from lrplot.registry import ScheduleSpec

TRANSFORMERS_NAMES = {
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
    "inverse_sqrt", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay",
}  # fmt: skip


def test_registry_holds_transformers_names_and_the_paper_rule() -> None:
    names = {s.name for s in lrplot.list_specs()}
    assert TRANSFORMERS_NAMES | {"transformer"} <= names


def test_every_entry_is_documented() -> None:
    for spec in lrplot.list_specs():
        assert spec.description and spec.formula and spec.source, spec.name
        for p in spec.params:
            assert p.help and p.valid_range(), (spec.name, p.name)


def test_names_match_transformers_scheduler_type() -> None:
    from transformers import SchedulerType

    for name in TRANSFORMERS_NAMES:
        assert SchedulerType(name).value == name


@pytest.mark.parametrize("spec", lrplot.list_specs(), ids=lambda s: s.name)
def test_hyphenated_aliases_resolve(spec: ScheduleSpec) -> None:
    for alias in spec.all_names:
        assert lrplot.get_spec(alias) is spec
    assert lrplot.get_spec(spec.name.replace("_", "-")) is spec


def test_unknown_name_suggests_close_matches() -> None:
    with pytest.raises(UnknownScheduleError, match="did you mean cosine"):
        lrplot.get_spec("cosin")
    with pytest.raises(UnknownScheduleError, match="valid: constant"):
        lrplot.get_spec("zzzzzz")


def test_registering_a_taken_name_fails() -> None:
    spec = lrplot.get_spec("cosine")
    with pytest.raises(ValueError, match="'cosine' is already registered in transformers"):
        lrplot.register(ScheduleSpec("cosine", "transformers", "x", "x", (), spec.build))


@pytest.mark.parametrize(
    ("name", "params", "steps", "lr", "option", "words"),
    [
        ("cosine", {}, 0, 1.0, "steps", ">= 1"),
        ("cosine", {}, 2.5, 1.0, "steps", ">= 1"),
        ("cosine", {}, 10, 0.0, "lr", "> 0"),
        ("cosine", {}, 10, math.nan, "lr", "> 0"),
        ("cosine", {}, 10, [], "lr", "at least one"),
        ("cosine", {"warmup": -1}, 10, 1.0, "warmup", "fraction"),
        ("cosine", {"warmup": 2.5}, 10, 1.0, "warmup", "whole step count"),
        ("cosine", {"warmup": math.inf}, 10, 1.0, "warmup", "got inf"),
        ("cosine", {"num_cycles": 0}, 10, 1.0, "num_cycles", "> 0"),
        ("cosine", {"num_cycles": "2"}, 10, 1.0, "num_cycles", "finite number"),
        ("cosine", {"num_cycles": True}, 10, 1.0, "num_cycles", "finite number"),
        ("cosine", {"power": 2}, 10, 1.0, "power", "no such parameter"),
        ("cosine_with_restarts", {"num_cycles": 1.5}, 10, 1.0, "num_cycles", "whole number"),
        ("linear", {"training_steps": 0}, 10, 1.0, "training_steps", ">= 1"),
        ("polynomial", {"lr_end": 1.0}, 10, 1.0, "lr_end", "below the lr"),
        ("polynomial", {"lr_end": 0.6}, 10, [0.5, 2.0], "lr_end", "below the lr"),
        ("polynomial", {"warmup": 10, "training_steps": 10}, 20, 1.0, "training_steps", "divide by zero"),
        ("cosine_with_min_lr", {}, 10, 1.0, "min_lr", "exactly one"),
        ("cosine_with_min_lr", {"min_lr": 0.1, "min_lr_rate": 0.1}, 10, 1.0, "min_lr", "exactly one"),
        ("cosine_with_min_lr", {"min_lr": 2.0}, 10, 1.0, "min_lr", "<= the lr"),
        ("cosine_warmup_with_min_lr", {"min_lr_rate": 1.5}, 10, 1.0, "min_lr_rate", "<= 1"),
        ("cosine_warmup_with_min_lr", {"min_lr_rate": 0.1, "warmup_lr_rate": -0.1}, 10, 1.0, "warmup_lr_rate", ">= 0"),
        ("warmup_stable_decay", {}, 10, 1.0, "decay_steps", "needs it"),
        ("warmup_stable_decay", {"decay_steps": 2, "decay_type": "exp"}, 10, 1.0, "decay_type", "one of linear"),
        ("transformer", {"warmup": 0}, 10, 1.0, "warmup", ">= 1"),
        ("transformer", {"d_model": 0}, 10, 1.0, "d_model", ">= 1"),
    ],
)
def test_bad_parameters_name_the_option(name, params, steps, lr, option, words) -> None:
    with pytest.raises(ParameterError) as info:
        lrplot.resolve(name, steps, lr, params)
    assert info.value.param == option
    assert str(info.value).startswith(option + ": ")
    assert info.value.message(lambda name: "--" + name.replace("_", "-")).startswith("--" + option.replace("_", "-"))
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_warmup_fraction_is_rounded_up_against_the_training_steps() -> None:
    # transformers' TrainingArguments.get_warmup_steps: ceil(T * fraction).
    assert lrplot.resolve("cosine", 3000, params={"warmup": 0.1}).warmup == 300
    assert lrplot.resolve("cosine", 1000, params={"warmup": 0.1, "training_steps": 333}).warmup == 34
    assert lrplot.resolve("constant_with_warmup", 50, params={"warmup": 0.05}).warmup == 3
    assert lrplot.resolve("wsd", 100, params={"decay_steps": 0.2}).values["decay_steps"] == 20


def test_derived_defaults_are_resolved() -> None:
    assert lrplot.resolve("linear", 77).values["training_steps"] == 77
    assert lrplot.resolve("inverse_sqrt", 10).values["timescale"] == 10_000
    assert lrplot.resolve("inverse_sqrt", 10, params={"warmup": 4}).values["timescale"] == 4
    assert lrplot.resolve("wsd", 100, params={"warmup": 10, "decay_steps": 30}).values["stable_steps"] == 60


def test_suspicious_but_legal_input_warns() -> None:
    schedule = lrplot.resolve("linear", 100, params={"warmup": 100})
    assert any("never gets past warmup" in w for w in schedule.warnings)
    assert lrplot.resolve("linear", 100, params={"warmup": 10}).warnings == ()
    wsd = lrplot.resolve("wsd", 100, params={"warmup": 10, "decay_steps": 10, "stable_steps": 10})
    assert any("not the training steps" in w for w in wsd.warnings)
    late = lrplot.resolve("wsd", 10, params={"warmup": 5, "decay_steps": 8})  # transformers' stable steps: -3
    assert late.values["stable_steps"] == -3 and "the decay starts 3 steps in" in late.warnings[0]


@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not (math.isfinite(x) and x > 0)))
def test_any_invalid_lr_is_a_clear_error(lr: float) -> None:
    with pytest.raises(ParameterError, match="^lr: "):
        lrplot.resolve("cosine", 10, lr)


@given(
    st.one_of(st.integers(max_value=0), st.floats().filter(lambda x: not (math.isfinite(x) and x >= 1 and x == int(x))))
)
def test_any_invalid_steps_is_a_clear_error(steps: float) -> None:
    with pytest.raises(ParameterError, match="^steps: "):
        lrplot.resolve("cosine", steps)


def test_every_public_torch_scheduler_class_is_registered() -> None:
    """A class added by a future torch fails here until it is registered (or listed below)."""
    import inspect

    from torch.optim import lr_scheduler

    public = {
        name
        for name in lr_scheduler.__all__
        if inspect.isclass(getattr(lr_scheduler, name))
        and issubclass(getattr(lr_scheduler, name), lr_scheduler.LRScheduler)
    }
    # LRScheduler is the base class; LambdaLR is lambda_lr (a user's own formula).
    not_registered = {"LRScheduler"}
    registered = {
        s.source.rsplit(".", 1)[-1] for s in lrplot.list_specs() if s.source.startswith("torch.optim.lr_scheduler.")
    }
    assert public - not_registered == registered
    for spec in lrplot.list_specs():
        if spec.family == "torch":  # named like the others: snake_case of the class, the class as alias
            class_name = spec.source.rsplit(".", 1)[-1]
            assert class_name in spec.aliases
            snake = "".join(f"_{c.lower()}" if c.isupper() and i and not class_name[i - 1].isupper() else c.lower()
                            for i, c in enumerate(class_name))  # fmt: skip
            assert spec.name == snake.replace("l_r", "lr").replace("_lron", "_lr_on"), (spec.name, snake)


def test_the_plateau_is_named_as_get_scheduler_names_it() -> None:
    from transformers import SchedulerType

    assert SchedulerType("reduce_lr_on_plateau").value == lrplot.get_spec("ReduceLROnPlateau").name
