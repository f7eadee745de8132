"""What HF ``Trainer`` will do with its arguments: batches, updates, warmup, logging, the schedule.

This reproduces the arithmetic of transformers 5.24.0 (``Trainer.set_initial_training_values``,
``_run_epoch``, ``TrainingArguments.get_warmup_steps``, ``TrainerState.compute_steps``,
``DefaultFlowCallback``) and of accelerate's ``BatchSamplerShard``, which splits the batches
among processes, without importing either. The tests hold it to a real ``Trainer``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ParameterError, UsageError
from .hf_args import LEGACY_FIELDS, TRAINING_ARGUMENTS_FIELDS
from .params import Value
from .trainer_fields import Where, accelerator_config, read_data, read_fields

TRANSFORMERS_VERSION = "5.24.0"
METRIC_TYPES = ("reduce_lr_on_plateau", "greedy")  # stepped with a metric, after evaluation
NO_KWARGS = ("constant", "constant_with_warmup")  # get_scheduler drops their lr_scheduler_kwargs
KWARG_PARAMS = {"num_decay_steps": "decay_steps", "num_stable_steps": "stable_steps"}  # transformers -> lrplot
# lrplot's names in messages about a Trainer run, as Trainer calls them.
TRAINER_NAMES = {"lr": "learning_rate", "warmup": "warmup_steps", "training_steps": "max_steps",
                 **{v: k for k, v in KWARG_PARAMS.items()}}  # fmt: skip
# Fields lrplot does not model, and what they change when set.
UNMODELLED = {
    "auto_find_batch_size": "Trainer may lower the batch size when memory runs out; drawn with the one given",
    "train_sampling_strategy": "batch_rebalance regroups the batches by length, so their count may differ",
    "parallelism_config": "tensor, context or sequence parallelism changes the batches each process takes",
    "deepspeed": "a DeepSpeed config with a 'scheduler' section replaces lr_scheduler_type",
}
UNMODELLED_DEFAULTS: dict[str, object] = {
    "auto_find_batch_size": False, "train_sampling_strategy": "random", "parallelism_config": None, "deepspeed": None,
}  # fmt: skip


@dataclass(frozen=True)
class TrainerPlan:
    """What a Trainer run will do, update by update.

    Attributes:
        fields: the checked fields (Trainer's names), defaults filled in.
        data: the data's size (``dataset_size`` or ``batches_per_epoch``),
            ``world_size``, and accelerate's ``even_batches`` and ``split_batches``.
        schedule, params: the lrplot schedule and its parameters (warmup,
            training_steps, the mapped lr_scheduler_kwargs).
        total: optimizer updates (``state.max_steps``).
        warmup: warmup updates (``get_warmup_steps(total)``).
        batches_per_epoch: batches per process an epoch (``len(train_dataloader)``), if known.
        updates_per_epoch: optimizer updates an epoch, if known.
        epochs: how many epochs the loop enters, if known.
        logging_steps: ``state.logging_steps`` (a ratio made a count).
        notes: what a reader should know (pitfalls), in lrplot's words.
    """

    fields: dict[str, Value]
    data: dict[str, Value]
    schedule: str
    params: dict[str, Value]
    total: int
    warmup: int
    batches_per_epoch: int | None
    updates_per_epoch: int | None
    epochs: int | None
    logging_steps: int
    notes: tuple[str, ...] = ()

    @property
    def learning_rate(self) -> float:
        return _float(self.fields["learning_rate"])

    @property
    def accumulation(self) -> int:
        return _int(self.fields["gradient_accumulation_steps"])

    def logged_updates(self) -> list[int]:
        """The global steps at which Trainer logs ``learning_rate`` (the lr that update used)."""
        strategy, total = self.fields["logging_strategy"], self.total
        steps: set[int] = {1} if self.fields["logging_first_step"] else set()
        if strategy == "steps":
            steps.update(range(self.logging_steps, total + 1, self.logging_steps))
        elif strategy == "epoch" and self.updates_per_epoch is not None:
            steps.update(range(self.updates_per_epoch, total, self.updates_per_epoch))
            steps.add(total)  # the last epoch's end, cut short or not
        return sorted(steps)


def batches_per_process(
    dataset_size: int,
    batch_size: int,
    world_size: int = 1,
    drop_last: bool = False,
    even_batches: bool = True,
    split_batches: bool = False,
) -> int:
    """Batches process 0 takes an epoch: torch's BatchSampler, then accelerate's BatchSamplerShard."""
    batches = dataset_size // batch_size if drop_last else -(-dataset_size // batch_size)
    if world_size == 1 or split_batches:  # split batches: every process takes a slice of every batch
        return batches
    whole, extra = divmod(batches, world_size)
    if extra == 0 or drop_last:
        return whole
    return whole + 1  # even_batches pads the short processes; without it the first ones take one more


def plan(
    fields: Mapping[str, object], data: Mapping[str, object] | None = None, origin: Mapping[str, str] | None = None
) -> TrainerPlan:
    """The plan of a Trainer run with these TrainingArguments ``fields``.

    ``data`` holds ``dataset_size`` or ``batches_per_epoch``, ``world_size``,
    and accelerate's ``even_batches`` and ``split_batches`` (which override
    ``accelerator_config``'s). ``origin`` names the file each field was read
    from, for messages; fields without one were given directly.
    """
    if not isinstance(fields, Mapping) or not all(isinstance(key, str) for key in fields):
        raise UsageError("expected the TrainingArguments as a mapping of field names to values")
    where = Where(origin or {})
    notes: list[str] = []
    _unknown_and_unmodelled(fields, where, notes)
    values = read_fields(fields, where, notes)
    checked = read_data(data or {}, fields, where)
    schedule = str(values["lr_scheduler_type"])
    if schedule in METRIC_TYPES:
        raise where.error(
            "lr_scheduler_type",
            f"{schedule} steps on a metric after each evaluation, which lrplot cannot foresee "
            "(to draw a plateau schedule from a metrics log: 'lrplot reduce_lr_on_plateau --metrics FILE')",
        )
    _warmup_ratio(values, where, notes)
    _accumulation(values, fields, where, notes)
    batches = _batches(values, checked, where, notes)
    total, updates, epochs = _updates(values, batches, where, notes)
    warmup = _warmup(values, total, schedule, notes)
    params = _params(schedule, values["lr_scheduler_kwargs"], warmup, total, where, notes)  # type: ignore[arg-type]
    if schedule in NO_KWARGS:
        values["lr_scheduler_kwargs"] = {}  # dropped, as get_scheduler drops them
    logging_steps = _logging_steps(values, total, updates, notes)
    return TrainerPlan(
        values, checked, schedule, params, total, warmup, batches, updates, epochs, logging_steps, tuple(notes)
    )


def _int(value: Value) -> int:
    assert isinstance(value, int)  # checked by its Param
    return value


def _float(value: Value) -> float:
    assert isinstance(value, (int, float))
    return float(value)


def counted(count: int, word: str) -> str:
    """``1 update``, ``2 updates``, ``2 batches``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}{'es' if word.endswith('ch') else 's'}"


def _unknown_and_unmodelled(fields: Mapping[str, object], where: Where, notes: list[str]) -> None:
    unknown = [k for k in fields if k not in TRAINING_ARGUMENTS_FIELDS | LEGACY_FIELDS]
    if unknown:
        notes.append(
            f"{where.files(unknown)}not TrainingArguments fields of transformers {TRANSFORMERS_VERSION}, "
            f"ignored: {', '.join(unknown)}"
        )
    for name, effect in UNMODELLED.items():
        value = fields.get(name)
        if value is not None and value != UNMODELLED_DEFAULTS[name] and (name != "train_sampling_strategy"
                                                                        or value == "batch_rebalance"):  # fmt: skip
            notes.append(where.note(name, f"not modelled: {effect}"))
    optim = fields.get("optim")
    if isinstance(optim, str) and ("layerwise" in optim or "lomo" in optim):
        notes.append(where.note("optim", f"not modelled: {optim} steps a scheduler of its own per parameter"))


def _warmup_ratio(values: dict[str, Value], where: Where, notes: list[str]) -> None:
    """transformers 4's ``warmup_ratio``: taken as the ratio transformers 5 reads from ``warmup_steps``."""
    ratio = values.pop("warmup_ratio")
    if not ratio:
        return
    assert isinstance(ratio, float)
    if ratio >= 1:
        raise where.error("warmup_ratio", f"expected a ratio below 1, got {ratio:g}")
    if values["warmup_steps"]:
        raise where.error("warmup_ratio", "give warmup_steps or warmup_ratio, not both")
    values["warmup_steps"] = ratio
    notes.append(where.note("warmup_ratio", f"transformers 4's field; read as warmup_steps={ratio:g}, its ratio"))


def _accumulation(values: dict[str, Value], fields: Mapping[str, object], where: Where, notes: list[str]) -> None:
    """``accelerator_config``'s ``gradient_accumulation_kwargs.num_steps``, which Trainer takes as the accumulation."""
    kwargs = accelerator_config(fields, where).get("gradient_accumulation_kwargs")
    if not isinstance(kwargs, Mapping) or kwargs.get("num_steps") is None:
        return
    steps = kwargs["num_steps"]
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise where.error(
            "accelerator_config", f"gradient_accumulation_kwargs.num_steps: expected a whole number >= 1, got {steps!r}"
        )
    if _int(values["gradient_accumulation_steps"]) > 1:
        raise where.error(
            "accelerator_config",
            "gradient_accumulation_kwargs.num_steps and gradient_accumulation_steps above 1: Trainer refuses both",
        )
    values["gradient_accumulation_steps"] = steps
    notes.append(
        where.note("accelerator_config", f"gradient_accumulation_kwargs.num_steps {steps} is the accumulation")
    )


def _batches(values: dict[str, Value], data: dict[str, Value], where: Where, notes: list[str]) -> int | None:
    """``len(train_dataloader)`` on process 0, if the data size is known."""
    world, even, split = _int(data["world_size"]), bool(data["even_batches"]), bool(data["split_batches"])
    if data["batches_per_epoch"] is not None:
        return _int(data["batches_per_epoch"])
    if data["dataset_size"] is None:
        return None
    size = _int(data["dataset_size"])
    batch = _int(values["per_device_train_batch_size"])
    drop_last = bool(values["dataloader_drop_last"])
    if split and batch % world:
        raise where.error(
            "per_device_train_batch_size",
            f"split_batches needs a batch size ({batch}) that the world size ({world}) divides",
        )
    batches = batches_per_process(size, batch, world, drop_last, even, split)
    if batches == 0:
        raise ParameterError(
            "dataset_size",
            f"{counted(size, 'example')} make no batch of {batch}{' per process' if world > 1 else ''} with "
            "dataloader_drop_last: Trainer would train nothing",
            ("dataloader_drop_last",),
        )
    all_batches = size // batch if drop_last else -(-size // batch)
    left = all_batches % world
    if world > 1 and not split and left:
        if drop_last:
            notes.append(
                f"{all_batches} batches over {world} processes, with dataloader_drop_last: the last {left} go to none"
            )
        elif even:
            notes.append(
                f"{all_batches} batches over {world} processes: {world - left} of them "
                f"take{'s' if world - left == 1 else ''} one batch from the start again (even_batches)"
            )
        else:
            notes.append(
                f"{all_batches} batches over {world} processes, without even_batches: process 0 takes {batches}, the "
                f"last {world - left} take {batches - 1}, and each process counts its own total (a distributed run "
                "may hang)"
            )
    if split and not even and not drop_last and size % batch:
        notes.append(
            "split_batches without even_batches: the last, short batch leaves some processes without a slice, so "
            "they take one batch fewer (a distributed run may hang)"
        )
    return batches


def _updates(
    values: dict[str, Value], batches: int | None, where: Where, notes: list[str]
) -> tuple[int, int | None, int | None]:
    """Total updates (``state.max_steps``), updates an epoch, and the epochs the loop enters."""
    max_steps, accumulation = _int(values["max_steps"]), _int(values["gradient_accumulation_steps"])
    updates = None if batches is None else max(batches // accumulation + int(batches % accumulation > 0), 1)
    if max_steps == 0:
        raise where.error("max_steps", "0 makes Trainer take one update and stop: give a count above 0, or -1")
    if max_steps > 0:
        if updates is None:
            return max_steps, None, None
        epochs = max_steps // updates + int(max_steps % updates > 0)
        if max_steps % updates:
            notes.append(
                f"max_steps {max_steps} is {max_steps / updates:.4g} epochs of {counted(updates, 'update')}: "
                f"the last epoch stops after {counted(max_steps % updates, 'update')}"
            )
        return max_steps, updates, epochs
    if updates is None:
        raise ParameterError(
            "dataset_size",
            "needed, since max_steps is not above 0 and Trainer counts the updates from the data "
            "(or give batches_per_epoch)",
            ("max_steps", "batches_per_epoch"),
        )
    wanted = _float(values["num_train_epochs"])
    total, epochs = math.ceil(wanted * updates), math.ceil(wanted)
    if total < 1:
        raise where.error("num_train_epochs", f"{wanted:g} epochs give no update: expected more than 0")
    if wanted != int(wanted):
        product = wanted * updates  # Trainer's float product, rounded up
        made = f"{product!r}, rounded up to {total}" if product != total else str(total)
        notes.append(
            f"{wanted:g} epochs of {counted(updates, 'update')} make {made} updates: "
            f"the last epoch stops after {total - (epochs - 1) * updates} of {updates}"
        )
    return total, updates, epochs


def _warmup(values: dict[str, Value], total: int, schedule: str, notes: list[str]) -> int:
    """``get_warmup_steps(total)``: ``int()`` of a count, or a ratio of the total rounded up."""
    field = _float(values["warmup_steps"])
    warmup = int(field) if field >= 1 else math.ceil(total * field)
    if schedule == "constant":  # get_scheduler gives it no warmup
        if warmup:
            notes.append(f"constant has no warmup: warmup_steps {field:g} is ignored (constant_with_warmup has one)")
        return warmup
    if 0 < field < 1 and warmup <= 1:
        notes.append(f"warmup_steps {field:g} is a ratio: {field:g} * {total} updates rounds up to {warmup}")
    elif field >= 1 and field != warmup:
        notes.append(f"warmup_steps {field:g} is at least 1, so a count: Trainer takes int() of it, {warmup}")
    if warmup >= total:
        notes.append(f"warmup ({counted(warmup, 'update')}) reaches the total ({total}): the lr never gets past warmup")
    return warmup


def _params(
    schedule: str, kwargs: dict[str, object], warmup: int, total: int, where: Where, notes: list[str]
) -> dict[str, Value]:
    """lrplot's parameters for get_scheduler(schedule, num_warmup_steps=warmup, num_training_steps=total, **kwargs)."""
    from .schedules import REGISTRY

    spec = REGISTRY.get(schedule)
    params: dict[str, Value] = {}
    if spec.param("warmup") is not None:
        params["warmup"] = warmup
    if spec.param("training_steps") is not None:
        params["training_steps"] = total
    if schedule in NO_KWARGS:
        if kwargs:
            notes.append(where.note("lr_scheduler_kwargs", f"Trainer drops them for {schedule}: {', '.join(kwargs)}"))
        return params
    for key, value in kwargs.items():
        p = spec.param(KWARG_PARAMS.get(key, key))
        if p is None or p.name in ("warmup", "training_steps"):
            valid = ", ".join(kwargs_of(schedule)) or "none"
            raise where.error("lr_scheduler_kwargs", f"{schedule} takes no argument {key!r} (it takes: {valid})")
        if value is None:
            if p.default is not None:  # the function would get None where it computes with a number
                raise where.error("lr_scheduler_kwargs", f"{key}: expected {p.valid_range()}, got null")
            continue
        if isinstance(value, str) and p.kind != "choice":
            hint = f" ({'YAML reads 1e-6 as text: write 1.0e-6; ' if where.yaml('lr_scheduler_kwargs') else ''}" \
                   "Trainer passes it on as text)"  # fmt: skip
            raise where.error("lr_scheduler_kwargs", f"{key}: expected {p.valid_range()}, got the text {value!r}{hint}")
        if key in KWARG_PARAMS and (isinstance(value, bool) or not isinstance(value, int)):
            raise where.error("lr_scheduler_kwargs", f"{key}: expected a whole number of updates, got {value!r}")
        params[p.name] = value
    _cycles_notes(schedule, params, warmup, total, notes)
    return params


def _cycles_notes(schedule: str, params: dict[str, Value], warmup: int, total: int, notes: list[str]) -> None:
    cycles = params.get("num_cycles")
    if schedule == "cosine_with_restarts" and isinstance(cycles, int) and cycles > 1:
        length = (total - warmup) / cycles
        starts = sorted({warmup + math.ceil(length * i) + 1 for i in range(1, cycles)})
        at = ", ".join(map(str, starts[:5])) + (", ..." if len(starts) > 5 else "")
        notes.append(
            f"num_cycles {cycles}: the lr jumps back to its peak {'once' if cycles == 2 else f'{cycles - 1} times'} "
            f"(near update{'s' if len(starts) > 1 else ''} {at})"
        )
    elif schedule in ("cosine", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay"):
        cosine = schedule != "warmup_stable_decay" or params.get("decay_type", "cosine") == "cosine"
        if cosine and isinstance(cycles, (int, float)) and cycles > 0.5:
            notes.append(f"num_cycles {cycles:g}: the cosine passes its floor and rises again (0.5 is one decay)")


def kwargs_of(schedule: str) -> tuple[str, ...]:
    """The lr_scheduler_kwargs ``schedule``'s transformers function takes (its own arguments)."""
    from .schedules import REGISTRY

    inverse = {v: k for k, v in KWARG_PARAMS.items()}
    own = [p.name for p in REGISTRY.get(schedule).params if p.name not in ("warmup", "training_steps")]
    return tuple(inverse.get(name, name) for name in own)


def _logging_steps(values: dict[str, Value], total: int, updates: int | None, notes: list[str]) -> int:
    """``state.logging_steps``: a ratio below 1 of the total, rounded up; refused where Trainer refuses it."""
    steps, strategy = _float(values["logging_steps"]), values["logging_strategy"]
    if strategy == "steps":
        if steps == 0:
            raise ParameterError("logging_steps", "logging_strategy steps needs it above 0", ("logging_strategy",))
        if steps > 1 and steps != int(steps):
            raise ParameterError("logging_steps", f"expected a whole number when above 1, got {steps:g}")
    count = math.ceil(total * steps) if steps < 1 else int(steps)
    first = bool(values["logging_first_step"])
    if strategy == "steps" and count > total:
        logs = "the lr of update 1 only" if first else "no lr"
        notes.append(f"logging_steps {count} > the {counted(total, 'update')}: Trainer logs {logs}")
    elif strategy == "epoch" and updates is None:
        notes.append("logging_strategy epoch: which updates end an epoch is unknown without the data size")
    return max(count, 1)
