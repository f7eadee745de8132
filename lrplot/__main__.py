"""``python -m lrplot``."""

from .cli import main

main()
