"""Probabilistic projections: many trajectories around the scenario's own paths.

* **Mortality — Lee–Carter.** log m(x, t) = a(x) + b(x)·k(t), fitted by SVD to China's death
  rates by sex and abridged age for the 5-year periods of UN WPP 2024 (from 1970–75 to 2015–20
  by default, after the famine years). k is a random walk with drift (ARIMA(0,1,0) with a
  constant on the differences: the drift is the mean change); its yearly innovation sd (σ/√5)
  makes the uncertainty.
  The *level* stays the scenario's: a trial's rates are the scenario's calibrated rates ×
  exp(b(x)·ε(t)), ε a driftless random walk from 0 in the base year. So the median follows the
  scenario's e0 path and the spread is China's historical one.
* **Fertility — AR(1).** log TFR deviates from the scenario's path by an AR(1) process fitted
  (exact maximum likelihood, as ARIMA(1,0,0)) to the deviations of China's log TFR 1990–2023
  from its linear trend; the deviation starts at 0 in the base year. Both fits are NumPy
  (statsmodels' import alone took 1.3 s of a 1,000-trial run); the tests check them against
  statsmodels' ARIMA.
* **Migration.** Each year's net total gets an independent normal deviation with the scenario's
  `uncertainty.migration_sd`, spread over ages like the scenario's own migrants.

The base year (the first interval) is not perturbed, so every trial starts from the census and
the same calibrations. Not included: uncertainty of the fitted parameters, of the base
population, of the pension and care assumptions (see `simulate sensitivity`), and model error.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd

from . import bundled
from .errors import ScenarioError
from .stages import Progress, quiet, stage_rows
from .scenario import Scenario
from .demography import PopulationProjection, Rates, base_and_rates, path_times, project
from .care_demand import calibrate
from .lifetable import N_AGES, single_year_life_table
from .states import OLD_AGE

QUANTILES = {"p025": 2.5, "p10": 10.0, "p50": 50.0, "p90": 90.0, "p975": 97.5}


@dataclass(frozen=True)
class LeeCarter:
    """A Lee–Carter fit by sex: a, b (2, 22 abridged ages), k (2, periods)."""

    periods: np.ndarray        # start year of each 5-year period
    ages: np.ndarray           # first age of each abridged group (0, 1, 5, …, 100)
    log_mx: np.ndarray         # the data, (2, periods, 22)
    a: np.ndarray
    b: np.ndarray
    k: np.ndarray
    drift: np.ndarray          # per year, by sex
    covariance: np.ndarray     # of the yearly innovations of k, men and women: (2, 2)

    @property
    def sigma(self) -> np.ndarray:
        """Yearly innovation sd of k, by sex."""
        return np.sqrt(np.diag(self.covariance))

    @property
    def fitted(self) -> np.ndarray:
        """a + b·k, the fitted log rates, (2, periods, 22)."""
        return self.a[:, None, :] + self.k[:, :, None] * self.b[:, None, :]

    def b_single_ages(self) -> np.ndarray:
        """b for single ages 0..100 (each age takes its abridged group's b), (2, 101)."""
        group = np.searchsorted(self.ages, np.arange(N_AGES), side="right") - 1
        return self.b[:, group]


def random_walk_drift(series: np.ndarray) -> float:
    """The maximum-likelihood drift of a random walk with drift (ARIMA(0,1,0) with a constant
    on the differences): the mean change, (last − first) / (n − 1)."""
    return float(np.mean(np.diff(series)))


def ar1_fit(series: np.ndarray) -> tuple[float, float]:
    """(φ, σ) of a zero-mean AR(1), x_t = φ·x_{t−1} + e_t, by exact maximum likelihood (the
    first value from the stationary distribution, as ARIMA(1,0,0) fits it): σ² is concentrated
    out, σ²(φ) = [(1 − φ²)·x_1² + Σ (x_t − φ·x_{t−1})²] / n, and the log likelihood
    −n/2·log σ²(φ) + ½·log(1 − φ²) is maximised over φ in (−1, 1) by golden-section search
    (it is unimodal there)."""
    x = np.asarray(series, dtype=float)
    n = len(x)

    def variance(phi):
        return ((1 - phi ** 2) * x[0] ** 2 + np.sum((x[1:] - phi * x[:-1]) ** 2)) / n

    def loglik(phi):
        return -n / 2 * np.log(variance(phi)) + 0.5 * np.log(1 - phi ** 2)

    low, high, ratio = -0.9999, 0.9999, (np.sqrt(5) - 1) / 2
    for _ in range(100):   # the interval shrinks by 0.618 a step: far below 1e-12 after 100
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        low, high = (a, high) if loglik(a) < loglik(b) else (low, b)
    phi = (low + high) / 2
    return float(phi), float(np.sqrt(variance(phi)))


@lru_cache(maxsize=4)
def fit_lee_carter(first_year: int) -> LeeCarter:
    """Fit Lee–Carter to the bundled China series from `first_year` (a 5-year period start)."""
    data = pd.read_csv(bundled.DATA_DIR / "lee_carter_mx_china.csv")
    data["start"] = data.period.str[:4].astype(int)
    data = data[data.start >= first_year]
    periods, ages = np.sort(data.start.unique()), np.sort(data.age.unique())
    log_mx = np.stack([np.log(data[data.sex == sex].pivot(index="start", columns="age", values="mx")
                              .reindex(index=periods, columns=ages).to_numpy()) for sex in ("male", "female")])
    a = log_mx.mean(axis=1)
    b, k, drift = [], [], []
    for sex in range(2):
        u, s, vt = np.linalg.svd(log_mx[sex] - a[sex], full_matrices=False)
        b_sex, k_sex = vt[0], s[0] * u[:, 0]
        k_sex, b_sex = k_sex * b_sex.sum(), b_sex / b_sex.sum()   # the usual norming: Σb = 1
        if k_sex[-1] > k_sex[0]:
            k_sex, b_sex = -k_sex, -b_sex
        b.append(b_sex), k.append(k_sex)
        drift.append(random_walk_drift(k_sex) / 5)   # per year: the periods are 5 years apart
    # Innovations: the changes of k between adjacent periods around the drift, men and women
    # together (they are strongly correlated). The data are 5-year period means of a yearly
    # random walk, whose adjacent means differ with variance 3.4 σ² (weights (1..5, 4..1)/5).
    changes = np.diff(np.array(k), axis=1) - 5 * np.array(drift)[:, None]
    covariance = np.cov(changes, ddof=1) / 3.4
    return LeeCarter(periods=periods, ages=ages, log_mx=log_mx, a=a, b=np.array(b), k=np.array(k),
                     drift=np.array(drift), covariance=covariance)


@lru_cache(maxsize=4)
def fit_fertility_ar1(first_year: int) -> tuple[float, float]:
    """(φ, σ) of an AR(1) fitted to China's log TFR from `first_year` to 2023 around its linear trend."""
    data = pd.read_csv(bundled.DATA_DIR / "tfr_history_china.csv")
    data = data[data.year >= first_year]
    log_tfr = np.log(data.tfr.to_numpy())
    years = data.year.to_numpy(dtype=float)
    residual = log_tfr - np.polyval(np.polyfit(years, log_tfr, 1), years)
    return ar1_fit(residual)


def first_uncertain_year(scenario: Scenario) -> int:
    """The first interval the trials perturb: `uncertainty.from_year`, else the year of the
    last published year-end (earlier intervals are fitted to data), never the base interval."""
    u, year_end = scenario.uncertainty, scenario.population.year_end
    default = max(year_end.knots()) if year_end is not None and year_end.knots() else scenario.years.base + 1
    return max(u.from_year if u.from_year is not None else default, scenario.years.base + 1)


def trial_rates(scenario: Scenario, rates: Rates, trials: int, rng: np.random.Generator) -> Rates:
    """The scenario's rates perturbed for `trials` trajectories: axes (interval, trial, ...).
    Intervals before `uncertainty.from_year` (the known past) are not perturbed."""
    u = scenario.uncertainty
    n = len(rates.years)
    known = rates.years < first_uncertain_year(scenario)
    lee_carter = fit_lee_carter(u.lee_carter_from)
    phi, sigma_tfr = fit_fertility_ar1(u.fertility_from)

    # Mortality: a driftless random walk of k around the scenario's path, 0 before the first uncertain year.
    shocks = rng.standard_normal((n, trials, 2)) @ np.linalg.cholesky(lee_carter.covariance).T * u.mortality_scale
    shocks[known] = 0.0
    k = np.cumsum(shocks, axis=0)
    mx = rates.mx[:, None] * np.exp(lee_carter.b_single_ages() * k[..., None])

    # Fertility: an AR(1) deviation of log TFR, 0 before the first uncertain year.
    innovations = rng.standard_normal((n, trials)) * sigma_tfr * u.fertility_scale
    innovations[known] = 0.0
    deviation = np.zeros((n, trials))
    for t in range(1, n):
        deviation[t] = phi * deviation[t - 1] + innovations[t]
    asfr = rates.asfr[:, None, :] * np.exp(deviation)[..., None]

    # Migration: independent yearly deviations of the rate (per 1,000 of the population).
    sd = u.migration_sd.at(path_times(scenario)) if u.migration_sd is not None else np.zeros(n)
    extra = rng.standard_normal((n, trials)) * sd[:, None]
    extra[known] = 0.0
    return replace(rates, mx=mx, asfr=asfr, srb=np.broadcast_to(rates.srb[:, None], (n, trials)),
                   net_total=np.broadcast_to(rates.net_total[:, None], (n, trials)),
                   net_rate=rates.net_rate[:, None] + extra,
                   net_table=None if rates.net_table is None else rates.net_table[:, None])


# The check of the calibrated scales: China's own inputs (census 全国, WPP's median paths from
# localise.py), uncertain from 2024 as WPP's projections are, against WPP's intervals.
WPP_CHECK_YEARS = (2035, 2050)
CHINA_OVERLAY = {"population": {"base": {"census_region": "全国"}, "students": None},
                 "years": {"end": max(WPP_CHECK_YEARS) + 1}, "stages": [], "uncertainty": {"from_year": 2024}}


def wpp_interval_widths() -> dict:
    """UN WPP 2024's widths of the 80% and 95% intervals of e0 and TFR for China in
    `WPP_CHECK_YEARS` (model/data/wpp2024_china.csv): {(indicator, year, level): width}."""
    table = bundled.bundled_table("wpp2024_china.csv").set_index(["indicator", "year", "stat"])["value"]
    return {(indicator, year, level): float(table[(indicator, year, f"{level}u")] - table[(indicator, year, f"{level}l")])
            for indicator in ("e0", "tfr") for year in WPP_CHECK_YEARS for level in ("80", "95")}


def interval_widths(scenario: Scenario, years, trials: int = 2000, seed: int = 0) -> dict:
    """Widths of the 80% and 95% intervals of both-sexes e0 and the TFR in `years`, from
    `trials` perturbed rates: {(indicator, year, level): width}. The e0 of a trial is pooled
    with the deterministic projection's sex composition (it moves little between trials).
    How the scales of `uncertainty` are calibrated against UN WPP's intervals for China
    (scripts/calibrate_uncertainty.py, tests/test_uncertainty.py)."""
    from .demography import male_share_by_age
    from .lifetable import pooled_e0

    base, rates = base_and_rates(scenario)
    share = male_share_by_age(project(base.population, base.transient, rates).population)
    perturbed = trial_rates(scenario, rates, trials, np.random.default_rng(seed))
    values = {"e0": pooled_e0(perturbed.mx, share[:, None]), "tfr": perturbed.asfr.sum(axis=-1)}
    widths = {}
    for indicator, by_year in values.items():
        for year in years:
            row = by_year[list(rates.years).index(year)]
            for level, (low, high) in (("80", (10, 90)), ("95", (2.5, 97.5))):
                widths[(indicator, year, level)] = float(np.percentile(row, high) - np.percentile(row, low))
    return widths


TRIALS_PER_CHUNK = 100   # trials drawn and projected together: memory stays flat however many are asked for
PROCESS_MIN_TRIAL_YEARS = 40_000   # trials × intervals from which worker processes pay for their start-up
                                   # (1,000 trials × 15 years: 1.0 s in one process, 2.4 s on two)


def _trial_chunk(scenario: Scenario, base, rates: Rates, calibration: tuple | None, chunk: int,
                 size: int) -> dict[str, np.ndarray]:
    """`size` trials drawn from the chunk's own random stream (seed, 8, chunk), projected and
    run through pension and care together (a batch on the axis after the year):
    {table: (size, rows)}, indicators' population rows first."""
    from .demography import indicator_rows

    rng = np.random.default_rng(np.random.SeedSequence([scenario.seed, 8, chunk]))  # 8: the uncertainty stream
    perturbed = trial_rates(scenario, rates, size, rng)
    arrays = project(base.population, base.transient, perturbed)                # (years, size, ...)
    years = np.arange(scenario.years.base, scenario.years.end + 1)
    population = PopulationProjection(scenario=scenario, years=years, rates=perturbed, arrays=arrays,
                                      transient=base.transient)
    rows, _ = stage_rows(scenario, population, calibration)
    values = {name: part.values for name, part in rows.items()}               # (rows, size)
    population_rows = indicator_rows(years, arrays, perturbed)[1]
    values["indicators"] = np.concatenate([population_rows, values.get("indicators", np.empty((0, size)))])
    return {name: rows.T for name, rows in values.items()}


def memory_needed(trials: int, rows: int) -> int:
    """Bytes a run of `trials` keeps for its `rows` table rows: each trial's value of every
    row, a working copy for the quantiles, and the chunk in progress (about 50 MB)."""
    return 2 * trials * rows * 8 + 50_000_000


def memory_allowed() -> int:
    """A quarter of this machine's memory (4 GB where it cannot be read)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4
    except (AttributeError, ValueError, OSError):
        return 4_000_000_000


def check_memory(trials: int, rows: int) -> None:
    """Refuse, in one line, trials whose results would not fit in `memory_allowed`."""
    needed, allowed = memory_needed(trials, rows), memory_allowed()
    if needed > allowed:
        most = max((allowed - 50_000_000) // (2 * rows * 8), 0)
        raise ScenarioError(f"uncertainty.trials: {trials:,} trials would keep about {needed / 1e9:.1f} GB of results "
                            f"({rows:,} table rows each); at most {most:,} fit in the {allowed / 1e9:.1f} GB allowed "
                            "(a quarter of this machine's memory)")


def project_trials(scenario: Scenario, trials: int, calibration: tuple | None = None, progress: Progress = quiet,
                   processes: int | None = None) -> dict[str, np.ndarray]:
    """Run `trials` trajectories through population, pension and care demand; returns, per
    table, the values of every trial in the row order of the deterministic table:
    {table: (trials, rows)}. Trials go in chunks of `TRIALS_PER_CHUNK`, each chunk's
    projection, pension and care stages vectorised over its trials; in worker processes
    (`processes`, by default the cores, at most 4) when there are several chunks and at least
    `PROCESS_MIN_TRIAL_YEARS` trial-intervals. `calibration`: the deterministic run's care calibration, the same for
    every trial (the base year is not perturbed); calibrated here when not given."""
    import multiprocessing

    from .parallel import map_in_processes

    base, rates = base_and_rates(scenario)
    if calibration is None and "care" in scenario.stages:
        calibration = calibrate(scenario, base.population[:, OLD_AGE:], single_year_life_table(rates.mx[0]))
    sizes = [min(TRIALS_PER_CHUNK, trials - start) for start in range(0, trials, TRIALS_PER_CHUNK)]
    tasks = [(scenario, base, rates, calibration, chunk, size) for chunk, size in enumerate(sizes)]

    def done(count: int) -> None:
        progress(f"uncertainty: {sum(sizes[:count])}/{trials} trials")

    # Worker processes for long runs only (each starts Python and refits the processes, about a
    # second), and never inside a daemon process (a Dask worker may not have children).
    long_run = trials * len(rates.years) >= PROCESS_MIN_TRIAL_YEARS
    workers = 1 if multiprocessing.current_process().daemon or not long_run else \
        (processes or min(os.cpu_count() or 1, 4))
    if workers == 1 or len(tasks) == 1:
        results = []
        for task in tasks:
            results.append(_trial_chunk(*task))
            done(len(results))
    else:
        results = map_in_processes(_trial_chunk, tasks, workers, done)
    return {name: np.concatenate([r[name] for r in results]) for name in results[0]}


def add_intervals(table: pd.DataFrame, values: np.ndarray, end: int | None = None) -> pd.DataFrame:
    """`table` with the trials' quantiles of each row as columns p025 … p975. An event year that
    does not happen by the end (NaN, e.g. pension_standalone_depletion_year) counts as end + 1, so the
    quantiles are over all trials, not only those where it happens."""
    table = table.copy()
    if end is not None and "indicator" in table:
        event = table["indicator"].astype(str).str.endswith("_year").to_numpy()
        values = values.copy()
        values[:, event] = np.where(np.isnan(values[:, event]), end + 1, values[:, event])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows undefined in every trial stay empty
        quantiles = np.nanpercentile(values, list(QUANTILES.values()), axis=0)
    for name, row in zip(QUANTILES, quantiles):
        table[name] = row
    return table
