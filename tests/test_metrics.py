"""The metric registry is the one list of outputs: every key a stage emits is declared, every
declared key is emitted, and the stage modules hold no modelling assumption as a literal."""

import ast
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from model import metrics


def emitted(result) -> set[tuple[str, str]]:
    """(table, key) of every row of a run's tables (and its county tables)."""
    found = set()
    tables = dict(result.tables)
    for name, table in (result.regions or {}).items():
        tables[name] = pd.concat([tables[name], table.drop(columns="region")])
    for name, table in tables.items():
        if name not in metrics.TABLES:   # targets.csv: checks of registry metrics, not a table of them
            continue
        if name == "population":
            found.add(("population", "population"))
            continue
        column = "indicator" if name == "indicators" else "metric"
        found |= {(name, key) for key in table[column].unique()}
    return found


@pytest.fixture(scope="module")
def every_key(shared_run, county_run):
    """A run with every stage (the shared one) and a county run."""
    return emitted(shared_run) | emitted(county_run)


def test_every_key_a_stage_emits_is_declared_and_every_declared_key_is_emitted(every_key):
    declared = set(metrics.REGISTRY)
    assert not every_key - declared, f"emitted but not declared in model/metrics.py: {sorted(every_key - declared)}"
    assert not declared - every_key, f"declared but emitted by no stage: {sorted(declared - every_key)}"


def test_roles_are_consistent():
    for metric in metrics.REGISTRY.values():
        assert metric.kind in ("stock", "flow", "rate", "value"), metric.key
        assert metric.zh and metric.en and metric.zh != metric.en, metric.key
        assert not metric.overlay or metric.compared, metric.key
        assert metric.share_of is None or ("indicators", metric.share_of) in metrics.REGISTRY, metric.key
        assert not metric.scaled or metric.table == "abm", metric.key
    orders = [m.headline for m in metrics.headlines()]
    assert orders == sorted(set(orders)), "headline orders must be distinct"


# --------------------------------------------------------------------------- no hidden assumptions

STAGES = ["demography.py", "lifetable.py", "agesplit.py", "pension.py", "retirement.py", "care_demand.py",
          "regions.py", "uncertainty.py", "solve.py", "sensitivity.py", "stages.py", "abm/model.py", "abm/people.py",
          "abm/agents.py", "abm/mix.py", "abm/experiment.py", "disability.py"]
# Numbers a stage may hold, each for a stated reason: (module, value) → why it is not an assumption.
ALLOWED = {
    ("solve.py", 0.16): "plausibility warning: the 16% employer rate alone", ("solve.py", 0.32): "plausibility warning: "
    "the 28% total rate before 2019 plus a margin", ("solve.py", 0.06): "plausibility warning: the highest rise since 2016 (6.5%)",
    ("solve.py", 60): "plausibility warning: a further five years of delay",
    ("uncertainty.py", 0.9999): "the AR(1) search interval: |φ| < 1 (a stationary process)",
    ("pension.py", 2100): "the latest year the schema allows (years.end, pension.horizon)",
    ("pension.py", 5): "five sums by age (array shape)",
    ("*", 12): "months in a year", ("*", 100): "per 100 / percent / age 100+", ("*", 1000): "per 1,000",
    ("*", 3): "three health states / three settings", ("*", 4): "four ABM settings or targets (array shapes)",
    ("*", 1e-300): "guard against division by zero", ("*", 1e-12): "numerical tolerance", ("*", 1e-9): "numerical tolerance",
    ("*", 1e-13): "numerical tolerance", ("*", 1e-6): "numerical step or tolerance", ("*", 1e-10): "numerical tolerance",
    ("*", 8): "bytes per float64 (memory estimate) / the uncertainty stream's seed key",
    ("demography.py", 2000): "iterations of proportional fitting", ("demography.py", 15): "UN old-age dependency: 15–64",
    ("demography.py", 65): "UN old-age dependency: 65+", ("demography.py", 85): "the census open group 85+",
    ("demography.py", 80): "elderly_80plus is a declared age band (metrics)",
    ("demography.py", 50): "Newton iterations", ("demography.py", 5): "5-year groups of the split 85+ tail",
    ("lifetable.py", 20): "fixed-point iterations", ("lifetable.py", 1e-4): "tolerance (years of e0)", ("demography.py", 0.999): "out-migration never takes quite everyone", ("demography.py", 60): "see metrics",
    ("lifetable.py", 0.02300): "Andreev–Kingkade a0 coefficients (published method)",
    ("lifetable.py", 60): "e60 is life expectancy at age 60 (its name)",
    ("uncertainty.py", 2.5): "the 95% interval (p025)", ("uncertainty.py", 97.5): "the 95% interval (p975)",
    ("uncertainty.py", 10.0): "the 80% interval (p10)", ("uncertainty.py", 90.0): "the 80% interval (p90)",
    ("uncertainty.py", 50.0): "the median",
    ("uncertainty.py", 2035): "a year WPP's intervals are checked at", ("uncertainty.py", 2050): "a year WPP's intervals are checked at",
    ("uncertainty.py", 2024): "WPP 2024's first projected year", ("uncertainty.py", 2000): "trials of the width check",
    ("lifetable.py", 50): "refuse e0 targets needing a 50-fold change of death rates (solver bracket)",
    ("lifetable.py", 40): "Newton steps at most (four or five are used)",
    ("care_demand.py", 80): "elderly_80plus: ages 80+",
    ("disability.py", 0.2): "bisection bracket (death-rate factor)", ("disability.py", 3.0): "bisection bracket",
    ("disability.py", 60): "bisection iterations", ("disability.py", 90.0): "solver starting point (midpoint age)",
    ("disability.py", 0.1): "solver starting point (slope)", ("disability.py", 101): "ages 60..100 (array bound)",
    ("abm/people.py", 80): "the old-old: aged 80+ (abm.behaviour.institution_odds_80plus)",
    ("abm/people.py", 50): "Newton iterations", ("abm/people.py", 5.0): "largest Newton step (log odds)",
    ("regions.py", 200): "fixed-point iterations", ("regions.py", 1e-6): "tolerance",
    ("uncertainty.py", 3.4): "variance of adjacent 5-year means of a yearly random walk (derived in the docstring)",
    ("uncertainty.py", 5): "5-year periods of the WPP series", ("uncertainty.py", 50_000_000): "memory estimate",
    ("uncertainty.py", 4_000_000_000): "memory where the machine's cannot be read",
    ("uncertainty.py", 1e9): "bytes per GB", ("uncertainty.py", 100): "trials per chunk (engineering)",
    ("uncertainty.py", 40_000): "trial-intervals from which worker processes pay (engineering, benchmarks/uncertainty.py)",
    ("solve.py", 0.6): "solver bracket", ("solve.py", 0.1): "solver bracket", ("solve.py", 0.05): "solver bracket",
    ("solve.py", 1e-5): "solver tolerance", ("solve.py", 120): "solver bracket (months)",
    ("abm/people.py", 1024): "initial array capacity", ("abm/people.py", 200): "proportional-fitting iterations",
    ("abm/experiment.py", 5): "5th percentile", ("abm/experiment.py", 95): "95th percentile",
    ("abm/experiment.py", 20): "replicates from which a 5th–95th percentile is more than the min–max",
    ("abm/model.py", 11): "October, the last month of a projection year",
}


def literals(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            yield node.lineno, node.value


def test_stage_modules_hold_no_modelling_assumption_as_a_literal():
    """Every number in a stage module is 0, 1, −1, 2, ½, an array index or unit conversion, a
    numerical setting of a solver, or a published method's coefficient — each listed above
    with its reason. Anything else belongs in the scenario or in bundled data."""
    found = []
    for name in STAGES:
        for line, value in literals(ROOT / "model" / name):
            if value in (0, 1, -1, 2, 0.5, 0.0, 1.0):
                continue
            if (name, value) in ALLOWED or ("*", value) in ALLOWED:
                continue
            if name == "lifetable.py" and line < 40:  # the Andreev–Kingkade table (published coefficients)
                continue
            if name == "agesplit.py":  # the PCHIP formulas (Fritsch & Carlson 1980)
                continue
            if name == "retirement.py":  # the reform's table of rules (the 2024 decision's annex)
                continue
            found.append(f"model/{name}:{line}: {value!r}")
    assert not found, "numbers in stage code that may be assumptions (move them to the scenario or list them " \
                      "with their reason in ALLOWED):\n" + "\n".join(found)
