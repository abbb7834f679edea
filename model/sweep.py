"""Scenario sweeps: a grid of overrides run on a Dask cluster, gathered into one tidy table.

A sweep file names a scenario and a grid of dotted keys with lists of values:

    scenario: base.yaml               # relative to the sweep file
    name: beds_and_fertility          # output folder outputs/sweep_<name>
    grid:
      care.beds: [30900, 36000, 42000]
      population.fertility.tfr: [0.9, 1.1]

Every combination is one point; each point runs the population, pension and care-demand
stages (the scenario's agent-based stage too if `abm: true`) with a seed derived from the
scenario seed and the point's number. A point that fails is reported with its parameters; the
others' results are kept.
"""

from __future__ import annotations

import itertools
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .errors import OptionError, ScenarioError
from .scenario import Scenario, load_scenario
from .stages import Progress, quiet


def read_sweep(path: Path) -> tuple[Scenario, str, list[dict], bool]:
    """(the scenario, the sweep's name, the points as override mappings, whether to run the ABM)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ScenarioError(f"{path}: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict) or set(data) - {"scenario", "name", "grid", "abm"} or "scenario" not in data:
        raise ScenarioError(f"{path}: a sweep file has scenario:, grid: and optionally name: and abm:")
    if not isinstance(data["scenario"], str):
        raise ScenarioError(f"{path}: scenario: give the path of one scenario file")
    grid = data.get("grid")
    if not isinstance(grid, dict) or not grid or not all(isinstance(v, list) and v for v in grid.values()):
        raise ScenarioError(f"{path}: grid: give each dotted key a non-empty list of values")
    keys = list(grid)
    for key in keys:
        if not isinstance(key, str) or not key:
            raise ScenarioError(f"{path}: grid: {key!r} is not a dotted key such as care.beds")
        clash = next((other for other in keys if other != key and other.startswith(key + ".")), None)
        if clash:
            raise ScenarioError(f"{path}: grid: {key!r} and {clash!r} set the same setting twice")
    points = [dict(zip(keys, combination)) for combination in itertools.product(*grid.values())]
    name = str(data.get("name") or Path(path).stem)
    scenario = load_scenario((Path(path).parent / data["scenario"]).resolve())
    # A key that is not a setting is a bad sweep file: check the first point before any work.
    try:
        scenario.overlaid({**nested(points[0]), "uncertainty": {"trials": 0}})
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: grid (first point): {exc}") from None
    return scenario, name, points, bool(data.get("abm", False))


def nested(point: dict) -> dict:
    """{"care.beds": 3} → {"care": {"beds": 3}}."""
    overrides: dict = {}
    for key, value in point.items():
        node = overrides
        *parents, last = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return overrides


def point_overrides(scenario: Scenario, point: dict, index: int, abm: bool) -> dict:
    """The overrides of point `index`: its grid values, its own seed, and the stages."""
    seed = int(np.random.SeedSequence([scenario.seed, index]).generate_state(1, dtype=np.uint32)[0])
    stages = [s for s in scenario.stages if abm or s != "abm"]
    # Deterministic points: a sweep compares settings (trials would run inside the Dask workers).
    return {**nested(point), "seed": seed, "stages": stages, "uncertainty": {"trials": 0}}


def run_point(scenario: Scenario, overrides: dict) -> tuple[str, object]:
    """Run one point: ("ok", tidy rows) or ("error", one-line message). Runs on a Dask worker."""
    from .compare import key_indicators
    from .runner import run_scenario

    try:
        point = scenario.overlaid(overrides)
        years = point.milestones()[1:]
        table = key_indicators({"point": run_scenario(point).tables}, years).drop(columns=["scenario", "difference"])
        return "ok", table.drop(columns=[c for c in ("low", "high") if table[c].isna().all()])
    except ScenarioError as exc:
        return "error", str(exc)
    except Exception as exc:  # noqa: BLE001 — reported with the point's parameters
        return "error", f"{type(exc).__name__}: {exc}"


SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|inproc|ucx|ws|wss)://[^\s/:]+(:\d{1,5})?/?")
CONNECT_SECONDS = 10


def check_scheduler(address: str) -> None:
    """Refuse a scheduler address that is not of the form tcp://HOST:PORT (OptionError)."""
    if not SCHEDULER_ADDRESS.fullmatch(address):
        raise OptionError("scheduler", address, "is not a Dask scheduler address; give tcp://HOST:PORT "
                                                 "(or tls://, ws://, inproc://, ucx://)")


def run_sweep(scenario: Scenario, points: list[dict], abm: bool, scheduler: str | None = None,
              workers: int | None = None, progress: Progress = quiet):
    """Run every point on Dask; returns (results table, failures [(point, parameters, message)])."""
    from dask.distributed import Client, LocalCluster, as_completed

    overrides = [point_overrides(scenario, point, i, abm) for i, point in enumerate(points)]
    if scheduler:
        check_scheduler(scheduler)
        try:
            client, cluster = Client(scheduler, timeout=CONNECT_SECONDS), None
        except (OSError, TimeoutError) as exc:
            raise OptionError("scheduler", scheduler, f"no Dask scheduler answered within {CONNECT_SECONDS} s "
                                                      f"({type(exc).__name__})") from None
    else:
        import os

        cluster = LocalCluster(n_workers=workers or min(os.cpu_count() or 1, 4), threads_per_worker=1,
                               processes=True, dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        futures = client.map(run_point, [scenario] * len(points), overrides, pure=False)
        index_of = {future.key: i for i, future in enumerate(futures)}
        outcomes: dict[int, tuple[str, object]] = {}
        for done, future in enumerate(as_completed(futures), start=1):
            i = index_of[future.key]
            try:
                outcomes[i] = future.result()
            except Exception as exc:  # noqa: BLE001 — a worker lost: report the point, keep the rest
                outcomes[i] = ("error", f"{type(exc).__name__}: {exc}")
            progress(f"sweep: {done}/{len(points)} points")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    frames, failures = [], []
    for i, point in enumerate(points):
        status, value = outcomes[i]
        if status == "ok":
            frames.append(value.assign(point=i, **{key: str(v) for key, v in point.items()}))
        else:
            failures.append((i, point, value))
    columns = ["point", *points[0], "table", "indicator", "group", "year", "value"]
    table = pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    return table, failures
