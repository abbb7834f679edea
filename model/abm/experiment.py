"""The experiment: every mix of the scenario, each run `replicates` times, summarised.

Replicate r of a mix is seeded from the scenario seed, the mix's name and r
(NumPy SeedSequence), so the same scenario gives the same abm.csv, whether the replicates
run in one process or several.
"""

from __future__ import annotations

import warnings
import zlib

import numpy as np
import pandas as pd

from ..care_demand import HealthStates
from ..scenario import Scenario
from ..demography import PopulationProjection
from ..parallel import map_in_processes
from ..stages import Progress, quiet
from .mix import MixArrays, resolve_mix

def replicate_seed(root: int, mix: str, replicate: int) -> int:
    """A reproducible, independent seed for one replicate of one mix, from the mix's name (so
    a mix gives the same runs whatever other mixes are listed)."""
    key = zlib.crc32(mix.encode("utf-8"))
    return int(np.random.SeedSequence([root, key, replicate]).generate_state(1, dtype=np.uint32)[0])


def run_replicate(arrays: MixArrays, seed: int) -> list[tuple[int, str, float]]:
    """One run of one mix: (year, metric, value) rows."""
    from .model import CareMixModel

    model = CareMixModel(arrays, seed)
    model.run()
    return model.results()


def summarise(runs: dict[str, list[list[tuple[int, str, float]]]]) -> pd.DataFrame:
    """Mean and 5th / 95th percentiles over replicates: year, mix, metric, value, p05, p95."""
    frames = []
    for mix, replicates in runs.items():
        table = pd.DataFrame([row + (r,) for r, rows in enumerate(replicates) for row in rows],
                             columns=["year", "metric", "value", "replicate"])
        wide = table.pivot_table(index=["year", "metric"], columns="replicate", values="value", dropna=False)
        values = wide.to_numpy(dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a metric undefined in every replicate stays NaN
            summary = pd.DataFrame({
                "year": wide.index.get_level_values("year").astype(int),
                "mix": mix,
                "metric": wide.index.get_level_values("metric"),
                "value": np.nanmean(values, axis=1),
                "p05": np.nanpercentile(values, 5, axis=1),
                "p95": np.nanpercentile(values, 95, axis=1),
            })
        frames.append(summary)
    return pd.concat(frames, ignore_index=True)


def run_care_abm(scenario: Scenario, population: PopulationProjection, states: HealthStates,
                 pension: pd.DataFrame, progress: Progress = quiet, counties: pd.DataFrame | None = None) -> pd.DataFrame:
    """The abm stage: every mix × replicate, summarised for abm.csv. With `counties` (the county
    care table) people and beds are placed in counties."""
    abm = scenario.abm
    mixes = {name: resolve_mix(scenario, population, states, pension, name, counties) for name in abm.mixes}
    tasks = [(name, r, mixes[name], replicate_seed(scenario.seed, name, r))
             for name in mixes for r in range(abm.replicates)]
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
    return summarise(runs)
