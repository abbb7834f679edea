"""Time the agent-based care-mix module, and a naive one-object-per-person version beside it.

    python benchmarks/abm.py [--replicates 10] [--processes 2]

1. The default experiment: the base scenario's 4 mixes × 10 replicates, monthly 2020→2035,
   one agent per person in need (scale 1), replicates in worker processes. Goal: < 60 s.
2. One replicate in this process, for per-run figures: people-months and provider turns per second,
   and where its time goes (the model's own steps, profiled: cumulative share of one run).
3. The naive baseline: one Mesa agent per resident aged 60+ (640,843 in 2020), each drawing
   its own death and health change every month with `self.random` inside
   `agents.shuffle_do("step")`, no care allocation at all. It is timed for 12 months and
   extrapolated to 180 months and to the experiment's runs.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.abm.experiment import replicate_seed, run_care_abm  # noqa: E402
from model.abm.model import CareMixModel  # noqa: E402
from model.abm.mix import resolve_mix  # noqa: E402
from model.care_demand import HEALTHY, SEVERE, project_states  # noqa: E402
from model.scenario import load_scenario  # noqa: E402
from model.demography import project_population  # noqa: E402
from model.pension import project_pensions  # noqa: E402

import mesa  # noqa: E402


class NaiveResident(mesa.Agent):
    """One older resident as a Python object, stepping every month."""

    def __init__(self, model, state: int, monthly_death: float, monthly_onset: float):
        super().__init__(model)
        self.state, self.monthly_death, self.monthly_onset = state, monthly_death, monthly_onset

    def step(self) -> None:
        if self.random.random() < self.monthly_death:
            self.state = -1
        elif self.state < SEVERE and self.random.random() < self.monthly_onset:
            self.state += 1


def naive_months(states, months: int = 12) -> tuple[int, float, float]:
    """Agents, creation seconds and stepping seconds of the naive model over `months`."""
    model = mesa.Model(rng=1)
    counts = np.rint(states.counts[0]).astype(int)  # (sex, state, age)
    death = 1 - (1 - states.death[0]) ** (1 / 12)
    onset = 1 - (1 - states.move[0][:, HEALTHY, SEVERE]) ** (1 / 12)
    started = time.perf_counter()
    for sex in (0, 1):
        for state in range(3):
            for age in range(counts.shape[-1]):
                for _ in range(counts[sex, state, age]):
                    NaiveResident(model, state, death[sex, state, age], onset[sex, age])
    created = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(months):
        model.agents.shuffle_do("step")
    return len(model.agents), created, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--replicates", type=int, default=10)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    overrides = {"abm": {"replicates": args.replicates, "processes": args.processes, "scale": 1}}
    scenario = load_scenario(ROOT / "configs" / "base.yaml", overrides)
    population = project_population(scenario)
    states = project_states(scenario, population)
    pension = project_pensions(scenario, population)
    runs = len(scenario.abm.mixes) * args.replicates

    # The experiment in worker processes and in this process alone, one after the other.
    timings = {}
    for processes in dict.fromkeys((args.processes, 1)):
        chosen = scenario.overlaid({"abm": {"processes": processes}})
        started = time.perf_counter()
        table, _ = run_care_abm(chosen, population, states, pension)
        timings[processes] = time.perf_counter() - started
        print(f"default experiment: {len(scenario.abm.mixes)} mixes × {args.replicates} replicates, "
              f"{processes} process{'es' if processes > 1 else ''}: {timings[processes]:6.1f} s (goal < 60 s)")
    if len(timings) > 1:
        print(f"processes: {args.processes} take {timings[args.processes] / timings[1]:.2f} × the time of one")

    arrays = resolve_mix(scenario, population, states, pension, next(iter(scenario.abm.mixes)))
    started = time.perf_counter()
    model = CareMixModel(arrays, replicate_seed(scenario.seed, 0))
    model.run()
    one_run = time.perf_counter() - started
    in_need = table[(table.mix == arrays.name) & table.metric.isin(["mild", "severe"])].groupby("year").value.sum()
    person_months = 12 * in_need.iloc[:-1].sum()
    providers = len(model.institution_list) * 2 + 1  # two institution rounds and the home-care service a month
    # (homes with no free bed pass their turn: these are the turns offered, not the calls made)
    print(f"one run ({arrays.name}, {arrays.months} months): {one_run:5.2f} s; "
          f"{in_need.iloc[0]:,.0f} → {in_need.iloc[-1]:,.0f} people in need; "
          f"{person_months / one_run / 1e6:5.2f} M person-months/s; "
          f"{providers * arrays.months / one_run:,.0f} provider turns/s (+ day-care centres while anyone waits)")

    profile = cProfile.Profile()
    profile.runcall(lambda: CareMixModel(arrays, replicate_seed(scenario.seed, 0)).run())
    stats = pstats.Stats(profile).stats   # {(file, line, function): (calls, _, own, cumulative, _)}
    total = max(entry[3] for entry in stats.values())
    steps = sorted(((entry[3], function) for (file, _, function), entry in stats.items()
                    if "/model/abm/" in file and function not in ("run", "step", "__init__")), reverse=True)
    print("where one run's time goes (cumulative share, profiled): "
          + ", ".join(f"{function} {seconds / total:4.0%}" for seconds, function in steps[:8]))

    agents, created, stepped = naive_months(states)
    per_run = created + stepped * arrays.months / 12
    print(f"naive baseline: {agents:,} agents (one per resident aged 60+), creation {created:4.1f} s, "
          f"12 months {stepped:5.1f} s = {agents * 12 / stepped / 1e6:4.2f} M agent-steps/s; "
          f"≈ {per_run:5.0f} s per {arrays.months}-month run, ≈ {per_run * runs / args.processes / 60:4.0f} min "
          f"for the {runs} runs on {args.processes} processes (no care allocation); "
          f"this model: {person_months / one_run / (agents * 12 / stepped):,.0f} × its agent-steps per second")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
