"""TrainingArguments read from a file: JSON, YAML, or Trainer's pickled ``training_args.bin``.

JSON is what ``TrainingArguments.to_json_string()`` and ``HfArgumentParser``
read; YAML is what TRL and LLaMA-Factory configs use (the same field names).
Every error names the file, and the line where the parser knows it.
"""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

from .errors import ConfigError

# Every field of TrainingArguments in transformers 5.24.0 (tests compare it with the pinned class).
TRAINING_ARGUMENTS_FIELDS = frozenset(
    """
    output_dir per_device_train_batch_size num_train_epochs max_steps learning_rate lr_scheduler_type
    lr_scheduler_kwargs warmup_steps optim optim_args weight_decay adam_beta1 adam_beta2 adam_epsilon
    optim_target_modules gradient_accumulation_steps average_tokens_across_devices max_grad_norm
    label_smoothing_factor bf16 fp16 bf16_full_eval fp16_full_eval tf32 activation_checkpointing
    activation_checkpointing_kwargs gradient_checkpointing gradient_checkpointing_kwargs torch_compile
    torch_compile_backend torch_compile_mode use_liger_kernel liger_kernel_config use_cache neftune_noise_alpha
    torch_empty_cache_steps auto_find_batch_size logging_strategy logging_steps logging_first_step
    log_on_each_node logging_nan_inf_filter include_num_input_tokens_seen log_level log_level_replica disable_tqdm
    report_to run_name project trackio_space_id trackio_bucket_id trackio_static_space_id eval_strategy eval_steps
    eval_delay per_device_eval_batch_size prediction_loss_only eval_on_start eval_do_concat_batches
    eval_use_gather_object eval_accumulation_steps include_for_metrics batch_eval_metrics save_only_model
    save_strategy save_steps save_on_each_node save_total_limit enable_jit_checkpoint push_to_hub hub_token
    hub_private_repo hub_model_id hub_strategy hub_always_push hub_revision load_best_model_at_end
    metric_for_best_model greater_is_better ignore_data_skip restore_callback_states_from_checkpoint
    full_determinism seed data_seed use_cpu accelerator_config parallelism_config dataloader_drop_last
    dataloader_num_workers dataloader_pin_memory dataloader_persistent_workers dataloader_prefetch_factor
    dataloader_multiprocessing_context dataloader_in_order remove_unused_columns label_names
    train_sampling_strategy length_column_name ddp_find_unused_parameters ddp_bucket_cap_mb ddp_broadcast_buffers
    ddp_static_graph ddp_backend ddp_timeout fsdp fsdp_config deepspeed debug skip_memory_metrics do_train do_eval
    do_predict resume_from_checkpoint local_rank
    """.split()
)
LEGACY_FIELDS = frozenset({"warmup_ratio"})  # transformers 4's, still read (with a note)
MAX_ARGS_BYTES = 1 << 24  # 16 MiB: an arguments file is a few KB
JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
PICKLE_SUFFIXES = (".bin", ".pkl", ".pickle")


def read_args_file(path: str | Path, trust_pickle: bool = False) -> dict[str, object]:
    """The fields in ``path``, a mapping of field name to value."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in JSON_SUFFIXES + YAML_SUFFIXES + PICKLE_SUFFIXES and _is_file(path):
        raise ConfigError(f"{path}: expected a .json, .yaml or .yml file (or Trainer's training_args.bin)")
    if suffix in PICKLE_SUFFIXES and not trust_pickle:
        raise ConfigError(f"{path}: a pickle: loading one can run any code in it; pass --trust-pickle if you trust it")
    if suffix in PICKLE_SUFFIXES:
        fields = _unpickle(path, _read(path))
    else:
        text = _text(path)
        fields = _json(path, text) if suffix in JSON_SUFFIXES else _yaml(path, text)
    if not isinstance(fields, dict):
        raise ConfigError(f"{path}: expected a mapping of TrainingArguments fields, got {type(fields).__name__}")
    bad = [key for key in fields if not isinstance(key, str)]
    if bad:
        raise ConfigError(f"{path}: field names must be text, got {bad[0]!r}")
    return fields


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError as e:  # a name too long for the system
        raise ConfigError(f"{path}: cannot read it: {e.strerror or e}") from None


def read_json_file(path: str | Path) -> object:
    """A JSON file's value (a ``trainer_state.json``), errors naming the file and line."""
    path = Path(path)
    return _json(path, _text(path))


def _text(path: Path) -> str:
    try:
        return _read(path).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start + 1} is not)") from None


def _read(path: Path) -> bytes:
    try:
        if not path.is_file():
            raise ConfigError(f"{path}: {'no such file' if not path.exists() else 'not a file'}")
        with open(path, "rb") as f:
            data = f.read(MAX_ARGS_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read it: {e.strerror or e}") from None
    if len(data) > MAX_ARGS_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_ARGS_BYTES >> 20} MiB, more than such a file holds")
    return data


def _json(path: Path, text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path}: line {e.lineno}: not valid JSON: {e.msg}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deep to be an arguments file") from None
    except ValueError as e:  # an int of more than 4300 digits
        raise ConfigError(f"{path}: not readable: {_unreadable(e)}") from None


def _unreadable(e: Exception) -> str:
    return "it holds a number of more than 4300 digits" if "digits" in str(e) else f"{type(e).__name__}: {e}"


def _yaml(path: Path, text: str) -> object:
    import yaml  # PyYAML: loaded only for a YAML file

    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ConfigError(f"{path}: {where}not valid YAML: {e.problem or e.context}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deep to be an arguments file") from None
    except (ValueError, TypeError, OverflowError) as e:  # a tag's value its constructor refuses, a huge int
        raise ConfigError(f"{path}: not readable as YAML: {_unreadable(e)}") from None


# training_args.bin ---------------------------------------------------------------------


class _Stand:
    """Stands for any object of the pickle: records what rebuilt it instead of running its class."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.args = args
        self.state: object = None

    def __setstate__(self, state: object) -> None:
        self.state = state

    def plain(self) -> object:
        """A plain value: the object's fields, or an enum's value."""
        if isinstance(self.state, tuple) and len(self.state) == 2 and self.state[0] is None:
            self.state = self.state[1]  # (None, slots)
        if isinstance(self.state, dict):
            return self.state
        return self.args[0] if len(self.args) == 1 else None


class _Unpickler(pickle.Unpickler):
    """Builds stand-ins for every class, so no code of the file's runs."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) in (("copyreg", "_reconstructor"), ("copyreg", "__newobj__")):
            return lambda cls, *args: cls()
        if (module, name) == ("builtins", "set"):
            return set
        return _Stand

    def persistent_load(self, pid: object) -> object:  # a tensor's storage: not an argument
        return None


def _unpickle(path: Path, data: bytes) -> object:
    """The fields of a pickled TrainingArguments (``torch.save`` writes a zip holding ``data.pkl``)."""
    import io

    try:
        if zipfile.is_zipfile(io.BytesIO(data)):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = [n for n in archive.namelist() if n.endswith("data.pkl")]
                if not names:
                    raise ConfigError(f"{path}: a zip without data.pkl; not a training_args.bin")
                data = archive.read(names[0])
        root = _Unpickler(io.BytesIO(data)).load()
    except ConfigError:
        raise
    except Exception as e:  # noqa: BLE001 (a malformed pickle fails in many ways)
        raise ConfigError(f"{path}: not a readable pickle: {type(e).__name__}") from None
    fields = root.plain() if isinstance(root, _Stand) else root
    if isinstance(fields, dict):  # the object's fields; not what __post_init__ derived (_n_gpu, ...)
        return {
            k: v.plain() if isinstance(v, _Stand) else v
            for k, v in fields.items()
            if k in TRAINING_ARGUMENTS_FIELDS | LEGACY_FIELDS
        }
    return fields
