"""`python -m mdnet`."""

from .cli import run

run()
