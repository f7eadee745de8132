"""What HF ``Trainer`` will do with its arguments: batches, updates, warmup, logging, the schedule.

This reproduces the arithmetic of transformers 5.24.0 (``Trainer.set_initial_training_values``,
``_run_epoch``, ``TrainingArguments.get_warmup_steps``, ``TrainerState.compute_steps``,
``DefaultFlowCallback``) and of accelerate's ``BatchSamplerShard``, which splits the batches
among processes, without importing either. The tests hold it to a real ``Trainer``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ConfigError, ParameterError, UsageError
from .hf_args import LEGACY_FIELDS, TRAINING_ARGUMENTS_FIELDS
from .params import Param, Value

TRANSFORMERS_VERSION = "5.24.0"
METRIC_TYPES = ("reduce_lr_on_plateau", "greedy")  # stepped with a metric, after evaluation
SCHEDULER_TYPES = (  # transformers' SchedulerType, in its order
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt",
    "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay", "greedy",
)  # fmt: skip
NO_KWARGS = ("constant", "constant_with_warmup")  # get_scheduler drops their lr_scheduler_kwargs
KWARG_PARAMS = {"num_decay_steps": "decay_steps", "num_stable_steps": "stable_steps"}  # transformers -> lrplot
WHOLE_KWARGS = ("num_decay_steps", "num_stable_steps")  # step counts: a fraction is not a ratio here

# The TrainingArguments fields that decide the schedule, in Trainer's spelling (the CLI's options).
FIELDS = (
    Param("learning_rate", "float", 5e-5, "the optimizer's initial lr, the schedule's peak", low=0),
    Param("lr_scheduler_type", "choice", "linear", "the schedule", choices=SCHEDULER_TYPES),
    Param(
        "lr_scheduler_kwargs",
        "text",
        None,
        "the schedule's own arguments: '{\"num_cycles\": 2}'",
        valid="a JSON object",
    ),
    Param("warmup_steps", "float", 0.0, "warmup updates: a whole number, or a ratio below 1 of the total", low=0),
    Param("warmup_ratio", "float", None, "transformers 4's warmup ratio (5 reads a ratio from warmup_steps)", low=0),
    Param("max_steps", "int", -1, "total updates, when above 0 (else from the epochs)"),
    Param("num_train_epochs", "float", 3.0, "epochs, a fraction allowed (when max_steps is not above 0)", low=0),
    Param("per_device_train_batch_size", "int", 8, "examples per batch on each process", low=1),
    Param("gradient_accumulation_steps", "int", 1, "batches per optimizer update", low=1),
    Param("dataloader_drop_last", "bool", False, "drop each epoch's last, incomplete batch"),
    Param("logging_steps", "float", 500.0, "log every N updates (a ratio below 1 of the total)", low=0),
    Param("logging_strategy", "choice", "steps", "when Trainer logs", choices=("steps", "epoch", "no")),
    Param("logging_first_step", "bool", False, "log update 1 too"),
)
# What Trainer learns from the data and the machine.
DATA = (
    Param("dataset_size", "int", None, "training examples, len(train_dataset)", low=1),
    Param("batches_per_epoch", "int", None, "batches each process takes an epoch, len(train_dataloader)", low=1),
    Param("world_size", "int", 1, "data-parallel processes (GPUs)", low=1),
)
# accelerate's settings (accelerator_config's), which decide how processes share the batches.
ACCELERATE = (
    Param("even_batches", "bool", None, "pad the processes' batches to one count (accelerate's default: true)"),
    Param("split_batches", "bool", None, "split each batch among the processes (default: false)"),
)
FIELD = {p.name: p for p in FIELDS}
TRUE_WORDS, FALSE_WORDS = ("yes", "true", "t", "y", "1"), ("no", "false", "f", "n", "0")  # HfArgumentParser's


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

    def epoch_at(self, update: int) -> float | None:
        """``state.epoch`` after ``update`` (1-based): whole epochs plus the batches done of this one."""
        if self.batches_per_epoch is None or self.updates_per_epoch is None:
            return None
        epoch, within = divmod(update - 1, self.updates_per_epoch)
        batches = min((within + 1) * self.accumulation, self.batches_per_epoch)
        return epoch + batches / self.batches_per_epoch  # Trainer's own float operations

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
    fields: Mapping[str, object],
    dataset_size: int | None = None,
    batches_per_epoch: int | None = None,
    world_size: int = 1,
    origin: Mapping[str, str] | None = None,
) -> TrainerPlan:
    """The plan of a Trainer run with these TrainingArguments ``fields``.

    ``origin`` names the file each field was read from, for messages; fields
    without one were given directly (options, the API).
    """
    where = _Where(origin or {})
    notes: list[str] = []
    unknown = [k for k in fields if k not in TRAINING_ARGUMENTS_FIELDS | LEGACY_FIELDS]
    if unknown:
        shown = ", ".join(unknown[:12]) + (f" and {len(unknown) - 12} more" if len(unknown) > 12 else "")
        notes.append(
            f"{where.files(unknown)}not TrainingArguments fields of transformers {TRANSFORMERS_VERSION}, "
            f"ignored: {shown}"
        )
    values: dict[str, Value] = {}
    for p in FIELDS:
        raw = fields.get(p.name)
        if p.name == "lr_scheduler_kwargs":
            continue  # read below, after the type
        if raw is None:
            values[p.name] = p.default
            continue
        value, note = _coerce(p, raw)
        if note:
            notes.append(where.field(p.name, note))
        try:
            values[p.name] = p.check(value)
        except ParameterError as e:
            raise where.error(p.name, e.reason) from None
    data = _check_data(dataset_size, batches_per_epoch, world_size, fields, where)
    values["lr_scheduler_kwargs"] = kwargs = _kwargs(fields.get("lr_scheduler_kwargs"), where)
    schedule = str(values["lr_scheduler_type"])
    if schedule in METRIC_TYPES:
        raise where.error(
            "lr_scheduler_type",
            f"{schedule} steps with a metric after each evaluation, which lrplot cannot foresee; "
            "draw it from a metrics log with 'lrplot reduce_lr_on_plateau --metrics FILE'",
        )
    _warmup_field(values, fields, where, notes)
    batches = _batches(values, data, where, notes)
    max_steps = _int(values["max_steps"])
    accumulation = _int(values["gradient_accumulation_steps"])
    updates = epochs = None
    if batches is not None:
        updates = max(batches // accumulation + int(batches % accumulation > 0), 1)
    if max_steps > 0:
        total = max_steps
        if updates is not None:
            epochs = max_steps // updates + int(max_steps % updates > 0)
            if max_steps % updates:
                notes.append(
                    f"max_steps {max_steps} is {max_steps / updates:.4g} epochs of {updates} updates: "
                    f"the last epoch stops after {max_steps % updates}"
                )
    elif updates is None:
        raise UsageError(
            "max_steps is not above 0, so Trainer counts updates from the data: "
            "give --dataset-size N (training examples) or --batches-per-epoch N"
        )
    else:
        epochs_wanted = _float(values["num_train_epochs"])
        total = math.ceil(epochs_wanted * updates)
        epochs = math.ceil(epochs_wanted)
        if total < 1:
            raise where.error("num_train_epochs", f"{epochs_wanted:g} epochs give no update: expected more than 0")
        if epochs_wanted != int(epochs_wanted):
            made = (
                f"{epochs_wanted * updates:.6g}, rounded up to {total}" if total != epochs_wanted * updates else total
            )
            notes.append(
                f"{epochs_wanted:g} epochs of {updates} updates make {made} updates: "
                f"the last epoch stops after {total - (epochs - 1) * updates} of {updates}"
            )
    warmup_field = _float(values["warmup_steps"])
    warmup = int(warmup_field) if warmup_field >= 1 else math.ceil(total * warmup_field)
    if 0 < warmup_field < 1 and warmup <= 1:
        notes.append(
            f"warmup_steps {warmup_field:g} is a ratio: {warmup_field:g} * {total} updates rounds up to {warmup}"
        )
    elif warmup_field >= 1 and warmup_field != warmup:
        notes.append(f"warmup_steps {warmup_field:g} is at least 1, so a count: Trainer takes int() of it, {warmup}")
    if warmup >= total and schedule != "constant":
        notes.append(f"warmup ({warmup} updates) reaches the total ({total}): the lr never gets past warmup")
    params = _params(schedule, kwargs, warmup, total, where, notes)
    logging_steps = _logging_steps(values, total, notes)
    return TrainerPlan(
        values, data, schedule, params, total, warmup, batches, updates, epochs, logging_steps, tuple(notes)
    )


def _int(value: Value) -> int:
    assert isinstance(value, int)  # checked by its Param
    return value


def _float(value: Value) -> float:
    assert isinstance(value, (int, float))
    return float(value)


class _Where:
    """Names a field as its reader knows it: ``FILE: field 'name'``, or the parameter itself."""

    def __init__(self, origin: Mapping[str, str]) -> None:
        self.origin = origin

    def error(self, name: str, reason: str) -> UsageError:
        if name in self.origin:
            return ConfigError(f"{self.origin[name]}: field '{name}': {reason}")
        return ParameterError(name, reason)

    def field(self, name: str, text: str) -> str:
        return f"{self.origin[name]}: {name}: {text}" if name in self.origin else f"{name}: {text}"

    def files(self, names: list[str]) -> str:
        found = dict.fromkeys(self.origin[n] for n in names if n in self.origin)
        return "".join(f"{f}: " for f in found)


def _coerce(p: Param, value: object) -> tuple[object, str | None]:
    """Text where a number or switch belongs (YAML reads ``2e-5`` as text), read as HfArgumentParser would."""
    if not isinstance(value, str) or p.kind not in ("int", "float", "bool"):
        return value, None
    text = value.strip()
    if p.kind == "bool" and text.lower() in TRUE_WORDS + FALSE_WORDS:
        return text.lower() in TRUE_WORDS, f"the text {value!r}, read as {text.lower() in TRUE_WORDS}"
    try:
        number = int(text) if p.kind == "int" else float(text)
    except ValueError:
        return value, None
    return number, f"the text {value!r} (YAML reads 2e-5 without a dot as text), read as {number!r}"


def _check_data(
    dataset_size: object, batches_per_epoch: object, world_size: object, fields: Mapping[str, object], where: _Where
) -> dict[str, Value]:
    """The data's sizes, checked, and accelerate's settings from ``accelerator_config`` (or their defaults)."""
    data: dict[str, Value] = {}
    for p, value in zip(DATA, (dataset_size, batches_per_epoch, world_size), strict=True):
        data[p.name] = p.default if value is None else p.check(value)
    if data["dataset_size"] is not None and data["batches_per_epoch"] is not None:
        raise ParameterError(
            "batches_per_epoch", "give it or dataset_size, not both: it is what dataset_size makes", ("dataset_size",)
        )
    config = fields.get("accelerator_config")
    if isinstance(config, str):
        raise where.error(
            "accelerator_config", "a file, which lrplot does not read: give even_batches and split_batches instead"
        )
    config = config if isinstance(config, Mapping) else {}
    for p, default in zip(ACCELERATE, (True, False), strict=True):
        value = config.get(p.name, default)
        try:
            data[p.name] = p.check(default if value is None else value)
        except ParameterError as e:
            raise where.error("accelerator_config", f"{p.name}: {e.reason}") from None
    return data


def _warmup_field(values: dict[str, Value], fields: Mapping[str, object], where: _Where, notes: list[str]) -> None:
    """transformers 4's ``warmup_ratio``: taken as the ratio transformers 5 reads from ``warmup_steps``."""
    ratio = values.pop("warmup_ratio")
    if ratio is None:
        return
    assert isinstance(ratio, float)
    if ratio >= 1:
        raise where.error("warmup_ratio", f"expected a ratio below 1, got {ratio:g}")
    if values["warmup_steps"] and ratio:
        raise where.error("warmup_ratio", "give warmup_steps or warmup_ratio, not both")
    if ratio:
        values["warmup_steps"] = ratio
    notes.append(where.field("warmup_ratio", f"transformers 4's field; read as warmup_steps={ratio:g}, its ratio"))


def _batches(values: dict[str, Value], data: dict[str, Value], where: _Where, notes: list[str]) -> int | None:
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
            f"{size} examples make no batch of {batch}{' per process' if world > 1 else ''} with dataloader_drop_last: "
            "Trainer would train nothing",
        )
    total_batches = size // batch if drop_last else -(-size // batch)
    if world > 1 and not split and not drop_last and total_batches % world:
        if even:
            short = world - total_batches % world
            notes.append(
                f"{total_batches} batches over {world} processes: {short} of them take"
                f"{'s' if short == 1 else ''} one batch from the start again (even_batches)"
            )
        else:
            notes.append(
                f"{total_batches} batches over {world} processes, without even_batches: process 0 takes {batches}, "
                f"the last {world - total_batches % world} take {batches - 1}, and each process counts its own total"
            )
    return batches


def _kwargs(raw: object, where: _Where) -> dict[str, object]:
    if raw is None:
        return {}
    if isinstance(raw, str):
        if not raw.strip().startswith("{"):
            raise where.error("lr_scheduler_kwargs", "expected a JSON object, such as '{\"num_cycles\": 2}'")
        try:
            raw = json.loads(raw)
        except ValueError as e:
            raise where.error("lr_scheduler_kwargs", f"not valid JSON: {e}") from None
    if not isinstance(raw, Mapping):
        raise where.error("lr_scheduler_kwargs", f"expected a mapping of argument names to values, got {raw!r}")
    kwargs = {}
    for key, value in raw.items():
        if isinstance(value, str):  # as TrainingArguments' _convert_str_dict reads text in it
            if value.lower() in ("true", "false"):
                value = value.lower() == "true"
            elif value.isdigit():
                value = int(value)
            elif value.replace(".", "", 1).isdigit():
                value = float(value)
        kwargs[str(key)] = value
    return kwargs


def _params(
    schedule: str, kwargs: dict[str, object], warmup: int, total: int, where: _Where, notes: list[str]
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
            notes.append(where.field("lr_scheduler_kwargs", f"Trainer drops them for {schedule}: {', '.join(kwargs)}"))
        return params
    takes = {KWARG_PARAMS.get(k, k): k for k in kwargs_of(schedule)}
    for key, value in kwargs.items():
        name = KWARG_PARAMS.get(key, key)
        if name not in takes or key in ("warmup", "training_steps"):
            valid = ", ".join(kwargs_of(schedule)) or "none"
            raise where.error("lr_scheduler_kwargs", f"{schedule} takes no argument {key!r} (it takes: {valid})")
        if key in WHOLE_KWARGS and not (isinstance(value, int) and not isinstance(value, bool)):
            raise where.error("lr_scheduler_kwargs", f"{key}: expected a whole number of updates, got {value!r}")
        params[name] = value
    cycles = params.get("num_cycles")
    if schedule == "cosine_with_restarts" and isinstance(cycles, int) and cycles > 1:
        length = (total - warmup) / cycles
        at = ", ".join(f"{warmup + math.ceil(length * i) + 1}" for i in range(1, min(cycles, 6)))
        notes.append(f"num_cycles {cycles}: the lr jumps back to its peak {cycles - 1} times (near updates {at})")
    elif schedule in ("cosine", "cosine_with_min_lr", "cosine_warmup_with_min_lr"):
        if isinstance(cycles, (int, float)) and cycles > 0.5:
            notes.append(f"num_cycles {cycles:g}: the cosine passes its floor and rises again (0.5 is one decay)")
    return params


def kwargs_of(schedule: str) -> tuple[str, ...]:
    """The lr_scheduler_kwargs ``schedule``'s transformers function takes (its own arguments)."""
    from .schedules import REGISTRY

    inverse = {v: k for k, v in KWARG_PARAMS.items()}
    own = [p.name for p in REGISTRY.get(schedule).params if p.name not in ("warmup", "training_steps")]
    return tuple(inverse.get(name, name) for name in own)


def _logging_steps(values: dict[str, Value], total: int, notes: list[str]) -> int:
    """``state.logging_steps``: a ratio below 1 of the total, rounded up; refused where Trainer refuses it."""
    steps = _float(values["logging_steps"])
    if values["logging_strategy"] == "steps":
        if steps == 0:
            raise ParameterError("logging_steps", "logging_strategy steps needs it above 0", ("logging_strategy",))
        if steps > 1 and steps != int(steps):
            raise ParameterError("logging_steps", f"expected a whole number when above 1, got {steps:g}")
    count = math.ceil(total * steps) if steps < 1 else int(steps)
    if values["logging_strategy"] == "steps" and count > total:
        notes.append(f"logging_steps {count} > the {total} updates: Trainer logs no lr")
    return max(count, 1)
