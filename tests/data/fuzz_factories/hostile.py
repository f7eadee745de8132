"""Factories for tests/test_fuzz.py: a user's code that returns or raises what no one expects."""

import math

from torch.optim import lr_scheduler


def returns_nan():
    return lambda step: math.nan


def returns_inf():
    return lambda step: math.inf


def returns_huge():
    return lambda step: 10**400  # past a float


def returns_negative():
    return lambda step: -1.0


def returns_text():
    return lambda step: "0.5"


def returns_none():
    return lambda step: None


def returns_complex():
    return lambda step: 1j


def returns_bool():
    return lambda step: step < 3


def returns_list():
    return lambda step: [0.5]


def takes_nothing():
    return lambda: 0.5


def nan_scheduler(optimizer):
    return lr_scheduler.LambdaLR(optimizer, lambda step: math.nan)


def complex_scheduler(optimizer):
    return lr_scheduler.LambdaLR(optimizer, lambda step: 1j)


def exploding(optimizer):
    return lr_scheduler.ExponentialLR(optimizer, gamma=1e10)


def recurses(optimizer):
    return recurses(optimizer)


def generator_exit(optimizer):
    raise GeneratorExit("the user's code raised a BaseException")


def factor_generator_exit():
    def factor(step):
        raise GeneratorExit

    return factor


def keyword_only(*, every=2):
    return lambda step: 0.5 ** (step // every)


def star_args(*args, **kwargs):
    return lambda step: 1.0


def empty_message(optimizer):
    raise ValueError("")


def class_factory():
    return type("Factor", (), {"__call__": lambda self, step: 0.5})()


class NotAScheduler:
    def __init__(self, optimizer):
        self.optimizer = optimizer
