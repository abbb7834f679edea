"""Shared fixtures: the repository's scenarios, a helper to write overlay scenarios, the
command line in this process (`cli`) or as a real process (`simulate`), and a check that a
chart renders without missing glyphs."""

import contextlib
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import pytest
import yaml

from model.scenario import load_scenario
from model.demography import project_population

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "configs" / "base.yaml"


# A small agent-based experiment (one agent per 40 persons, 2 runs a mix): the tests of the
# outputs, charts and registry share one finished run with every stage.
QUICK_ABM = {"abm": {"scale": 40, "replicates": 2, "processes": 1}, "outputs": {"chart_formats": ["png"]}}


@pytest.fixture(scope="session")
def base_projection():
    return project_population(load_scenario(BASE))


@pytest.fixture(scope="session")
def shared_run():
    """The baseline with every stage (a small agent-based experiment), run once per session."""
    from model.runner import run_scenario

    return run_scenario(load_scenario(BASE, QUICK_ABM))


@pytest.fixture(scope="session")
def shared_run_folder(shared_run, tmp_path_factory):
    """The shared run written to a folder (tables, charts, workbook, report, manifest)."""
    from datetime import datetime, timezone

    from model.outputs import write_run

    folder, _ = write_run(shared_run, tmp_path_factory.mktemp("shared") / "base", str(BASE), datetime.now(timezone.utc))
    return folder


@pytest.fixture
def overlay(tmp_path):
    """Write a scenario that extends configs/base.yaml with the given mapping; return its path."""
    def write(data: dict, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"extends": str(BASE), **data}, allow_unicode=True), encoding="utf-8")
        return path
    return write


def render_without_missing_glyphs(figure) -> None:
    """Render `figure` and fail on any glyph its fonts lack (boxes in the picture)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png", dpi=50)
    plt.close(figure)
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing[:3]


def cli(*args, cwd=None) -> SimpleNamespace:
    """`simulate ARGS` run in this process (fast: no interpreter start-up, no imports again):
    returncode, stdout and stderr as a subprocess would give them."""
    from model.cli import invoke

    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = invoke([str(a) for a in args])
    finally:
        os.chdir(before)
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def simulate(*args, cwd=None, **kwargs) -> subprocess.CompletedProcess:
    """`simulate ARGS` as its own process (for what only a real process shows: exit codes,
    signals, tracebacks)."""
    return subprocess.run([sys.executable, "-m", "model", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, **kwargs)


@pytest.fixture(scope="session")
def county_run():
    """configs/counties.yaml (the city as the sum of its 11 counties), run once per session."""
    from model.runner import run_scenario

    return run_scenario(load_scenario(BASE.parent / "counties.yaml"))
