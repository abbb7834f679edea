"""Shared fixtures: the repository's scenarios, a helper to write overlay scenarios, and a
check that a chart renders without missing glyphs."""

import io
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import yaml

from model.config import load_scenario
from model.demography import project_population

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "configs" / "base.yaml"


@pytest.fixture(scope="session")
def base_projection():
    return project_population(load_scenario(BASE))


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
