"""Shared fixtures: the repository's scenarios, and a helper to write overlay scenarios."""

from pathlib import Path

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
