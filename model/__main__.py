"""`python -m model …` is the same as the `simulate` command."""

from .cli import entry

entry()
