"""The TrainingArguments fields that decide a Trainer run's schedule: declared once, read and checked.

Each field is a :class:`~lrplot.params.Param` in Trainer's spelling (the CLI's
options come from these). Values arrive from JSON, YAML, a pickle, options or
the API; :func:`read_fields` turns them into checked values the way
transformers 5.24 reads them, and says where a file's text was read as a number.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from pathlib import Path

from .errors import ConfigError, ParameterError, UsageError
from .hf_args import YAML_SUFFIXES
from .limits import shown
from .params import Param, Value

SCHEDULER_TYPES = (  # transformers' SchedulerType, in its order
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt",
    "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay", "greedy",
)  # fmt: skip

FIELDS = (
    Param("learning_rate", "float", 5e-5, "the optimizer's initial lr, the schedule's peak", low=0, low_open=True),
    Param("lr_scheduler_type", "choice", "linear", "the schedule", choices=SCHEDULER_TYPES),
    Param(
        "lr_scheduler_kwargs",
        "text",
        None,
        "the schedule's own arguments: '{\"num_cycles\": 2}'",
        valid="a JSON object",
        metavar="JSON",
    ),  # fmt: skip
    Param("warmup_steps", "float", 0.0, "warmup updates: a whole number, or a ratio below 1 of the total", low=0),
    Param("warmup_ratio", "float", None, "transformers 4's warmup ratio (5 reads a ratio from warmup_steps)", low=0),
    Param("max_steps", "int", -1, "total updates, when above 0 (-1: from the epochs)"),
    Param("num_train_epochs", "float", 3.0, "epochs, a fraction allowed (when max_steps is -1)"),
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
ACCELERATE_DEFAULTS = {"even_batches": True, "split_batches": False}
TRUE_WORDS, FALSE_WORDS = ("yes", "true", "t", "y", "1"), ("no", "false", "f", "n", "0")  # HfArgumentParser's
TESTED_FOR_TRUTH = ("logging_first_step",)  # Trainer asks only `if args.logging_first_step`: any text is true
YAML_HINT = "YAML reads 2e-5, without a dot, as text: write 2.0e-5"


class Where:
    """Names a field as its reader knows it: ``FILE: field 'name'``, or the parameter itself."""

    def __init__(self, origin: Mapping[str, str]) -> None:
        self.origin = origin

    def error(self, name: str, reason: str) -> UsageError:
        if name in self.origin:
            return ConfigError(f"{self.origin[name]}: field '{name}': {reason}")
        return ParameterError(name, reason)

    def note(self, name: str, text: str) -> str:
        return f"{self.origin[name]}: {name}: {text}" if name in self.origin else f"{name}: {text}"

    def files(self, names: list[str]) -> str:
        """``FILE: `` for each file the names came from."""
        return "".join(f"{f}: " for f in dict.fromkeys(self.origin[n] for n in names if n in self.origin))

    def yaml(self, name: str) -> bool:
        return Path(self.origin.get(name, "")).suffix.lower() in YAML_SUFFIXES


def read_fields(fields: Mapping[str, object], where: Where, notes: list[str]) -> dict[str, Value]:
    """Every field of :data:`FIELDS`, checked, defaults filled in (``lr_scheduler_kwargs`` as a dict)."""
    values: dict[str, Value] = {}
    for p in FIELDS:
        raw = fields.get(p.name)
        if p.name == "lr_scheduler_kwargs":
            values[p.name] = read_kwargs(raw, where)
            continue
        if isinstance(raw, enum.Enum):  # dataclasses.asdict(TrainingArguments) keeps SchedulerType.COSINE
            raw = raw.value
        if raw is None:
            if p.default is not None and p.name in fields:  # Trainer would fail on the None
                raise where.error(p.name, f"expected {p.valid_range()}, got null")
            values[p.name] = p.default
            continue
        value = _as_trainer_reads(p, raw, where, notes)
        try:
            values[p.name] = p.check(value)
        except ParameterError as e:
            hint = f" ({YAML_HINT})" if isinstance(value, str) and where.yaml(p.name) else ""
            raise where.error(p.name, e.reason + hint) from None
    return values


def _as_trainer_reads(p: Param, value: object, where: Where, notes: list[str]) -> object:
    """A value of another type than the field's: as Trainer would use it, where it would run; else
    text read as HfArgumentParser reads a command line's, and a whole float as an int, with a note."""
    if p.kind == "bool" and not isinstance(value, bool) and p.name in TESTED_FOR_TRUTH:
        truth = bool(value)
        notes.append(where.note(p.name, f"{shown(value)} is {str(truth).lower()} to Trainer, which tests it for truth"))
        return truth
    if p.kind == "int" and isinstance(value, float) and value.is_integer() and abs(value) <= 1e15:
        notes.append(where.note(p.name, f"{value!r}, read as {int(value)} (transformers needs an int and would fail)"))
        return int(value)
    if not isinstance(value, str) or p.kind not in ("int", "float", "bool"):
        return value
    text = value.strip()
    if p.kind == "bool":
        if text.lower() not in TRUE_WORDS + FALSE_WORDS:
            return value
        number: object = text.lower() in TRUE_WORDS
    else:
        try:
            number = int(text) if p.kind == "int" else float(text)
        except ValueError:
            return value
    hint = f"; {YAML_HINT}" if where.yaml(p.name) and p.kind == "float" else ""
    notes.append(
        where.note(p.name, f"the text {shown(value)}, read as {number!r} (transformers would keep it and fail{hint})")
    )
    return number


def read_kwargs(raw: object, where: Where) -> dict[str, object]:
    """``lr_scheduler_kwargs``: a mapping, or JSON text of one (read as TrainingArguments reads it)."""
    name = "lr_scheduler_kwargs"
    if raw is None:
        return {}
    if isinstance(raw, str):
        if not raw.startswith("{"):  # TrainingArguments parses only text that starts with "{"
            raise where.error(name, "expected a JSON object, such as '{\"num_cycles\": 2}'")
        try:
            raw = json.loads(raw)
        except ValueError as e:
            raise where.error(name, f"not valid JSON: {e}") from None
        except RecursionError:
            raise where.error(name, "nested too deep") from None
        try:
            raw = _convert_text(raw)
        except ValueError as e:
            raise where.error(name, str(e)) from None
        except RecursionError:
            raise where.error(name, "nested too deep") from None
    if not isinstance(raw, Mapping):
        raise where.error(name, f"expected a mapping of argument names to values, got {type(raw).__name__}")
    bad = next((key for key in raw if not isinstance(key, str)), None)
    if bad is not None:
        raise where.error(name, f"argument names must be text, got {bad!r}")
    return dict(raw)


def _convert_text(value: object) -> object:
    """TrainingArguments' ``_convert_str_dict``: text in a JSON mapping made a switch or number, nested too."""
    if not isinstance(value, dict):
        return value
    converted: dict[object, object] = {}
    for key, item in value.items():
        if isinstance(item, dict):
            item = _convert_text(item)
        elif isinstance(item, str):
            if item.lower() in ("true", "false"):
                item = item.lower() == "true"
            elif item.isdigit() or item.replace(".", "", 1).isdigit():
                try:
                    item = int(item) if item.isdigit() else float(item)
                except ValueError:  # digits int() does not read (a superscript two), as in transformers
                    raise ValueError(f"{key}: the text {shown(item)} counts as digits but reads as no number") from None
        converted[key] = item
    return converted


def read_data(given: Mapping[str, object], fields: Mapping[str, object], where: Where) -> dict[str, Value]:
    """The data's sizes and accelerate's settings, checked; the settings from options, else ``accelerator_config``."""
    data: dict[str, Value] = {}
    for p in DATA:
        value = given.get(p.name)
        data[p.name] = p.default if value is None else p.check(value)
    if data["dataset_size"] is not None and data["batches_per_epoch"] is not None:
        raise ParameterError(
            "batches_per_epoch", "give it or dataset_size, not both: it is what dataset_size makes", ("dataset_size",)
        )
    config = accelerator_config(fields, where)
    for p in ACCELERATE:
        value = given.get(p.name)
        if value is not None:
            data[p.name] = p.check(value)
            continue
        value = config.get(p.name)
        try:
            data[p.name] = p.check(ACCELERATE_DEFAULTS[p.name] if value is None else value)
        except ParameterError as e:
            raise where.error("accelerator_config", f"{p.name}: {e.reason}") from None
    return data


def accelerator_config(fields: Mapping[str, object], where: Where) -> Mapping[str, object]:
    config = fields.get("accelerator_config")
    if config is None:
        return {}
    if isinstance(config, str):
        raise where.error(
            "accelerator_config", "a file, which lrplot does not read: give its even_batches and split_batches instead"
        )
    if not isinstance(config, Mapping):
        raise where.error("accelerator_config", f"expected a mapping, got {type(config).__name__}")
    return config
