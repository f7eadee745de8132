"""A user's own scheduler for the gallery's `factory` figure: what `lrplot factory` runs."""

from torch.optim import lr_scheduler


def warmup_then_inverse_sqrt(optimizer, warmup=100):
    """Linear warmup, then the inverse square root of the step, both through LambdaLR."""
    return lr_scheduler.LambdaLR(optimizer, lambda step: min((step + 1) / warmup, (warmup / (step + 1)) ** 0.5))
