"""The torch runner: last_epoch convention, param groups, optimizers, resume, silence."""

from __future__ import annotations

import warnings

import pytest

import lrplot
from lrplot import runner
from lrplot.errors import ParameterError
from lrplot.options import OPTIMIZERS


def test_before_records_last_epoch_zero_to_n_minus_one() -> None:
    curve = lrplot.curve("linear", 5, warmup=2)
    assert curve.steps.tolist() == [0, 1, 2, 3, 4]
    assert curve.options.record == "before"


def test_after_records_last_epoch_one_to_n() -> None:
    curve = lrplot.curve("linear", 5, record="after", warmup=2)
    assert curve.steps.tolist() == [1, 2, 3, 4, 5]


def test_each_param_group_scales_the_same_multiplier() -> None:
    curve = lrplot.curve("cosine", 50, lr=[1.0, 0.1, 3.0], warmup=5)
    assert curve.lrs.shape == (3, 50)
    for g, lr in enumerate([1.0, 0.1, 3.0]):
        assert curve.lrs[g].tolist() == [lr * m for m in curve.lrs[0].tolist()]


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_gives_the_same_curve(optimizer: str) -> None:
    base = lrplot.curve("cosine", 30, warmup=3)
    assert lrplot.curve("cosine", 30, warmup=3, optimizer=optimizer).lrs.tolist() == base.lrs.tolist()


def test_unknown_optimizer_and_record_are_parameter_errors() -> None:
    with pytest.raises(ParameterError, match="optimizer: expected one of sgd, adam, adamw"):
        lrplot.curve("cosine", 3, optimizer="lion")
    with pytest.raises(ParameterError, match="record: expected one of before, after"):
        lrplot.curve("cosine", 3, record="during")


def test_torch_warnings_do_not_escape() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        lrplot.curve("cosine", 5, warmup=1)
    assert caught == []


def test_resume_continues_one_step_past_the_saved_last_epoch() -> None:
    # torch's constructor steps once, so a resumed run starts at saved + 1.
    schedule = lrplot.resolve("linear", 4, params={"warmup": 2, "training_steps": 20})
    resumed = runner.run(schedule, last_epoch=10)
    full = lrplot.curve("linear", 15, warmup=2, training_steps=20)
    assert resumed.steps.tolist() == [11, 12, 13, 14]
    assert resumed.lrs[0].tolist() == full.lrs[0][11:15].tolist()


def test_curve_records_versions_and_resolved_parameters() -> None:
    import torch

    curve = lrplot.curve("cosine", 10, warmup=0.2)
    meta = curve.metadata()
    assert meta["versions"] == {"lrplot": lrplot.__version__, "torch": torch.__version__}
    assert meta["params"] == {
        "schedule": "cosine",
        "steps": 10,
        "lr": [1.0],
        "warmup": 2,
        "training_steps": 10,
        "num_cycles": 0.5,
    }
    from lrplot.cli.commandline import command_line

    assert "command" not in meta  # the core does not speak CLI; the CLI's spelling adds it
    assert command_line(curve) == "lrplot cosine --steps 10 --lr 1.0 --warmup 2 --training-steps 10 --num-cycles 0.5"


def test_building_the_optimizer_does_not_import_the_compiler_and_leaves_torch_as_it_was() -> None:
    code = (
        "import sys, torch, lrplot\n"
        "lrplot.curve('cosine', 5, optimizer='adamw')\n"
        "plain = torch.optim.Optimizer.add_param_group.__wrapped__\n"
        "print('DYNAMO', 'torch._dynamo' in sys.modules, 'SLOT', hasattr(plain, '__dynamo_disable'))\n"
    )
    assert "DYNAMO False SLOT False" in _fresh_python(code)


def _fresh_python(code: str) -> str:
    """What ``code`` prints, run in a new interpreter (nothing imported before it)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_resume_saves_and_loads_its_checkpoint_without_importing_the_compiler() -> None:
    code = (
        "import sys, torch\n"
        "from lrplot.figures import CurveSpec, FigureSpec, render\n"
        "curve = CurveSpec('cosine', {'warmup': 2}, resume_steps=5)\n"
        "render(FigureSpec('resumed', (curve,), steps=10))\n"
        "slots = [hasattr(getattr(torch.optim.Optimizer, n).__wrapped__, '__dynamo_disable')\n"
        "         for n in ('add_param_group', 'state_dict', 'load_state_dict')]\n"
        "print('DYNAMO', 'torch._dynamo' in sys.modules, 'SLOTS', any(slots))\n"
    )
    assert "DYNAMO False SLOTS False" in _fresh_python(code)


def test_one_cycle_resumes_as_from_a_checkpoint_of_its_optimizer() -> None:
    # The oracle: torch's own resume, the first run's optimizer state loaded into a new optimizer.
    import torch

    lrs = [1.0, 0.5]
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in lrs]
    first = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=1.0)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(first, max_lr=lrs, total_steps=30)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(10):
            scheduler.step()
    again = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)], lr=1.0)
    again.load_state_dict(first.state_dict())
    expected = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resumed_torch = torch.optim.lr_scheduler.OneCycleLR(again, max_lr=lrs, total_steps=30, last_epoch=10)
        for _ in range(5):
            expected.append(resumed_torch.get_last_lr())
            resumed_torch.step()
    schedule = lrplot.resolve("one_cycle_lr", 5, lrs, {"training_steps": 30})
    resumed = runner.run(schedule, last_epoch=10)
    assert resumed.steps.tolist() == [11, 12, 13, 14, 15]
    assert resumed.lrs.T.tolist() == expected
