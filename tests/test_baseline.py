"""Regression baseline: the headline figures of configs/base.yaml, refreshed only by
scripts/refresh_baseline.py (say why in the commit when you do)."""

from pathlib import Path

import pandas as pd

from conftest import BASE
from model.scenario import load_scenario
from model.baseline import baseline_figures
from model.runner import run_scenario

BASELINE = Path(__file__).parent / "data" / "baseline_headlines.csv"


def test_headline_figures_match_the_stored_baseline():
    stored = pd.read_csv(BASELINE)
    now = baseline_figures(run_scenario(load_scenario(BASE, {"stages": ["pension", "care"]})))
    merged = stored.merge(now, on=["table", "name", "year"], how="outer", suffixes=("_stored", "_now"))
    relative = (merged["value_now"] - merged["value_stored"]).abs() / merged["value_stored"].abs().clip(lower=1e-9)
    changed = merged[relative.isna() | (relative > 1e-6)]
    assert changed.empty, "headline figures changed (refresh with scripts/refresh_baseline.py if intended):\n" + \
        changed.to_string(index=False)
