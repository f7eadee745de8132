"""The real `transformers.Trainer` on CPU, as an oracle for the schedules and step counts lrplot predicts."""

from __future__ import annotations

import copy
import gc
import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import transformers
from accelerate.data_loader import BatchSamplerShard
from torch.utils.data import BatchSampler, Dataset, SequentialSampler
from transformers import PrinterCallback, Trainer, TrainerCallback, TrainingArguments


@dataclass(frozen=True)
class RealRun:
    """What a real Trainer run did, one entry per optimizer update unless said otherwise."""

    lrs: list[float]  # lr of param group 0 each update used (read before optimizer.step)
    last_epochs: list[int]  # lr_scheduler.last_epoch at that same moment
    epochs: list[float]  # state.epoch after each update
    logged: dict[int, float]  # log_history: step -> learning_rate
    max_steps: int  # trainer.state.max_steps
    state_file: Path  # trainer_state.json written by save_state()


class _Data(Dataset[dict[str, torch.Tensor]]):
    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        x = torch.tensor([i / max(self.size, 1)])  # in [0, 1): keeps the loss small and finite at any lr
        return {"x": x, "labels": 2 * x}


class _Model(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(1, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": torch.nn.functional.mse_loss(self.linear(x), labels)}


class _Recorder(TrainerCallback):
    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.lrs: list[float] = []
        self.last_epochs: list[int] = []
        self.epochs: list[float] = []

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        # Here neither optimizer.step nor lr_scheduler.step has run: this is the lr the update uses.
        optimizer, scheduler = self.trainer.optimizer, self.trainer.lr_scheduler
        assert optimizer is not None and scheduler is not None
        self.lrs.append(float(optimizer.param_groups[0]["lr"]))
        self.last_epochs.append(int(scheduler.last_epoch))

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.epochs.append(float(state.epoch))


# Speed, quiet and determinism only; none of these changes the schedule or the step counts.
_DEFAULTS: dict[str, object] = {
    "report_to": "none",
    "save_strategy": "no",
    "eval_strategy": "no",
    "disable_tqdm": True,
    "use_cpu": True,
    "dataloader_num_workers": 0,
    "dataloader_pin_memory": False,  # pinning needs an accelerator and warns without one
    "remove_unused_columns": False,  # keep "x": the model takes it, no column inference needed
    "seed": 0,
    "push_to_hub": False,
    "skip_memory_metrics": True,
}


def real_trainer(fields: Mapping[str, object], dataset_size: int, output_dir: Path) -> RealRun:
    """Train a tiny model on `dataset_size` synthetic examples with TrainingArguments(**fields) on CPU."""
    verbosity = transformers.logging.get_verbosity()
    transformers.logging.set_verbosity(logging.ERROR)
    # train() starts with accelerate's free_memory(), a full gc.collect(): ~0.2 s over a heap of torch and
    # transformers objects. Frozen objects are skipped, so the collection only walks what this run made.
    gc.freeze()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # A copy: Trainer writes into the dicts it is given (accelerator_config's num_steps).
            given = copy.deepcopy(dict(fields))
            args = TrainingArguments(**{**_DEFAULTS, "output_dir": str(output_dir), **given})  # type: ignore[arg-type]
            trainer = Trainer(model=_Model(), args=args, train_dataset=_Data(dataset_size))
            trainer.remove_callback(PrinterCallback)  # it prints every log dict to stdout
            recorder = _Recorder(trainer)
            trainer.add_callback(recorder)
            trainer.train()
            trainer.save_state()
    finally:
        gc.unfreeze()
        transformers.logging.set_verbosity(verbosity)
    return RealRun(
        lrs=recorder.lrs,
        last_epochs=recorder.last_epochs,
        epochs=recorder.epochs,
        logged={int(e["step"]): e["learning_rate"] for e in trainer.state.log_history if "learning_rate" in e},
        max_steps=int(trainer.state.max_steps),
        state_file=Path(args.output_dir or output_dir) / "trainer_state.json",
    )


def shard_lengths(
    dataset_size: int,
    batch_size: int,
    world_size: int,
    drop_last: bool,
    even_batches: bool = True,
    split_batches: bool = False,
) -> list[int]:
    """``len(train_dataloader)`` on each process 0..world_size-1, by accelerate's BatchSamplerShard.

    `batch_size` is the DataLoader's (Trainer's per_device_train_batch_size); with split_batches each process
    gets batch_size // world_size of every batch, as accelerate.prepare_data_loader shards it. Trainer plans
    its epochs with len(); where a process iterates fewer batches than len() says (split_batches without
    even_batches), the iteration is checked for process 0 only, whose count lrplot reports.
    """
    base = BatchSampler(SequentialSampler(range(dataset_size)), batch_size, drop_last)
    lengths = []
    for rank in range(world_size):
        shard = BatchSamplerShard(
            base, num_processes=world_size, process_index=rank, split_batches=split_batches, even_batches=even_batches
        )
        if rank == 0:
            n = len(list(shard))
            assert n == len(shard), f"rank 0: iterated {n} batches, len() says {len(shard)}"
        lengths.append(len(shard))
    return lengths
