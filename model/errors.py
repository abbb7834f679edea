"""Errors a user can act on: each says, in one line, what is wrong and what is allowed.

Core modules raise them with the setting they concern; the command line prints them, words
an option it was given as its flag (``--out``), and exits with status 2.
"""

from __future__ import annotations

from pathlib import Path


class ScenarioError(Exception):
    """A problem with a scenario or its input tables: one line per problem, for the user.

    `problems` holds the lines (the message joins them); several are reported at once when a
    scenario has several independent mistakes.
    """

    def __init__(self, *problems: str):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class OptionError(ScenarioError):
    """A bad value of a run setting that the command line may have given (an output folder,
    a scheduler address, a solver target): `option` names the setting, the command line words
    it as its flag."""

    def __init__(self, option: str, value: object, problem: str):
        super().__init__(f"{value}: {problem}")
        self.option, self.value, self.problem = option, value, problem


class OutputError(OptionError):
    """An output folder that cannot be written or may not be replaced."""

    def __init__(self, folder: Path, problem: str):
        super().__init__("out", Path(folder), problem)
        self.folder = Path(folder)
