"""The experiment: every mix of the scenario, each run `replicates` times, summarised.

Replicate r of every mix is seeded from the scenario seed and r (NumPy SeedSequence): the
same people with the same health histories in every mix (common random numbers, see
`CareMixModel.lives`), so differences between mixes are the mixes', and the same scenario
gives the same abm.csv whether the replicates run in one process or several.

The interval of a figure over replicates is its 5th–95th percentile with 20 replicates or
more, else the lowest and highest value: with fewer runs a "5th percentile" is the minimum.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..care_demand import HealthStates
from ..scenario import Scenario
from ..demography import PopulationProjection
from ..parallel import map_in_processes
from ..stages import Progress, quiet
from .mix import resolve_mix
from .replicate import run_replicate

PERCENTILES_FROM = 20   # replicates from which the interval is the 5th–95th percentile


def replicate_seed(root: int, replicate: int) -> int:
    """A reproducible seed for replicate r, the same for every mix (common random numbers; a
    mix gives the same runs whatever other mixes are listed)."""
    return int(np.random.SeedSequence([root, replicate]).generate_state(1, dtype=np.uint32)[0])


def interval_name(replicates: int) -> str:
    """What the low and high columns of abm.csv are, for the manifest."""
    if replicates >= PERCENTILES_FROM:
        return f"5th and 95th percentiles over {replicates} replicates"
    return f"lowest and highest of {replicates} replicates (percentiles need {PERCENTILES_FROM} or more)"


def interval(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Low and high of each row of values (rows × replicates), as the module docstring says."""
    if values.shape[1] >= PERCENTILES_FROM:
        return np.nanpercentile(values, 5, axis=1), np.nanpercentile(values, 95, axis=1)
    return np.nanmin(values, axis=1), np.nanmax(values, axis=1)


def by_replicate(runs: dict[str, list[list[tuple[int, str, float]]]], seeds: list[int]) -> pd.DataFrame:
    """Every run's figures (abm_runs.csv): year, mix, metric, replicate, seed, value. A run's
    seed names its people and their health histories, so another scenario's run with the same
    seed is its pair (`compare` takes paired differences from these)."""
    return pd.DataFrame([(year, mix, metric, r, seeds[r], value)
                         for mix, replicates in runs.items() for r, rows in enumerate(replicates)
                         for year, metric, value in rows if not np.isnan(value)],
                        columns=["year", "mix", "metric", "replicate", "seed", "value"])


def summarise(runs: dict[str, list[list[tuple[int, str, float]]]]) -> pd.DataFrame:
    """Mean and interval over replicates: year, mix, metric, value, low, high (see the module
    docstring), and the difference from the first mix with its own interval (vs_first,
    vs_first_low, vs_first_high), replicate by replicate: with common random numbers the
    pairs share their people, so the difference is the mixes'. A figure undefined in every
    replicate (a mean wait with nobody admitted) has no row."""
    wides = {}
    for mix, replicates in runs.items():
        table = pd.DataFrame([row + (r,) for r, rows in enumerate(replicates) for row in rows],
                             columns=["year", "metric", "value", "replicate"])
        wide = table.pivot_table(index=["year", "metric"], columns="replicate", values="value")
        wides[mix] = wide[wide.notna().any(axis=1)]
    reference = next(iter(wides.values()))
    frames = []
    for mix, wide in wides.items():
        values = wide.to_numpy(dtype=float)
        paired = np.array((wide - reference.reindex(wide.index)).to_numpy(dtype=float))
        paired[np.isnan(paired).any(axis=1)] = np.nan   # a difference only where every pair has both values
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)   # no reference value: the difference stays empty
            low, high = interval(values)
            difference_low, difference_high = interval(paired)
            difference = np.nanmean(paired, axis=1)
        frames.append(pd.DataFrame({
            "year": wide.index.get_level_values("year").astype(int), "mix": mix,
            "metric": wide.index.get_level_values("metric"),
            "value": np.nanmean(values, axis=1), "low": low, "high": high,
            "vs_first": difference, "vs_first_low": difference_low, "vs_first_high": difference_high,
        }))
    return pd.concat(frames, ignore_index=True)


def run_care_abm(scenario: Scenario, population: PopulationProjection, states: HealthStates,
                 pension: pd.DataFrame, progress: Progress = quiet,
                 counties: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The abm stage: every mix × replicate, summarised for abm.csv, and each run's figures for
    abm_runs.csv (`by_replicate`). With `counties` (the county care table) people and beds are
    placed in counties."""
    abm = scenario.abm
    mixes = {name: resolve_mix(scenario, population, states, pension, name, counties) for name in abm.mixes}
    seeds = [replicate_seed(scenario.seed, r) for r in range(abm.replicates)]
    tasks = [(name, r, mixes[name], seeds[r]) for name in mixes for r in range(abm.replicates)]
    runs: dict[str, list] = {name: [None] * abm.replicates for name in mixes}

    def done(count: int) -> None:
        progress(f"care-mix model: {count}/{len(tasks)} runs ({len(mixes)} mixes × {abm.replicates} replicates)")

    done(0)
    if abm.processes == 1 or len(tasks) == 1:
        results = []
        for count, (_, _, arrays, seed) in enumerate(tasks, start=1):
            results.append(run_replicate(arrays, seed))
            done(count)
    else:
        results = map_in_processes(run_replicate, [(arrays, seed) for _, _, arrays, seed in tasks],
                                   min(abm.processes, len(tasks)), done)
    for (name, r, _, _), rows in zip(tasks, results):
        runs[name][r] = rows
    return summarise(runs), by_replicate(runs, seeds)
