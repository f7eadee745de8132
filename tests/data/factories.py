"""Scheduler factories for the tests of `lrplot factory` (a user's own code)."""

import math

from torch.optim import lr_scheduler


def warmup_cosine(optimizer, warmup=10, total=100):
    """A scheduler on the optimizer it is given: LambdaLR with a warmup and a cosine."""

    def factor(step):
        if step < warmup:
            return step / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))

    return lr_scheduler.LambdaLR(optimizer, factor)


def step_decay(optimizer, step_size=5, gamma=0.5):
    return lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)


def halving(every=4):
    """No optimizer: a step -> factor callable."""
    return lambda step: 0.5 ** (step // every)


def not_a_scheduler(optimizer):
    return 42


def plateau(optimizer):
    return lr_scheduler.ReduceLROnPlateau(optimizer)


def other_optimizer(optimizer):
    import torch

    mine = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    return lr_scheduler.StepLR(mine, step_size=2)


def breaks_at_step_3():
    return lambda step: 1 / (3 - step)


def raises(optimizer):
    raise RuntimeError("my factory is broken\nsecond line")


def exits(optimizer):
    raise SystemExit(3)


def chatty(optimizer):
    print("hello from the user's code")
    return lr_scheduler.ConstantLR(optimizer, factor=0.5, total_iters=2)


def generator_exit(optimizer):
    raise GeneratorExit("not an Exception")


class BreaksAtStep4(lr_scheduler.LRScheduler):
    """A scheduler of the user's own that fails as it steps."""

    def get_lr(self):
        if self.last_epoch == 4:
            raise ValueError("my scheduler cannot do step 4")
        return [group["initial_lr"] for group in self.optimizer.param_groups]


def breaks_at_step_4(optimizer):
    return BreaksAtStep4(optimizer)


NOT_CALLABLE = 3
