"""Elder-care demand: older people by health state, their care setting, and beds needed.

A cell model in the PSSRU tradition (sex × single age 60..100+ × health state) driven by a
discrete-time multistate model. States: healthy, mildly disabled, severely disabled, where
*severe* is the scenario's definition (by default the census's 生活不能自理, "unable to care
for oneself") and *mild* is "unhealthy but able to care for oneself".

Each year, for each cohort (aged x at the stock of year y, x + 1 at y + 1), in order:

1. **Deaths by state.** The cohort's death probability is the one the projection applies,
   1 − L(x+1)/L(x) (1 − T(100)/T(99) for 99 and 100+); the healthy, mild and severe rates stand in fixed ratios (mild 1.5 ×, severe falling
   from 5 × at 60 to 1.2 × at 100), scaled so that the cohort's own mix reproduces q(x):
   total deaths agree with the population projection.
2. **Transitions among survivors.** Healthy → mild and healthy → severe with incidences
   log-linear in age; mild → severe at a multiple of the severe incidence; mild → healthy
   recovery falling with age; no recovery from severe.
3. **Counts.** State shares × the projected population of each sex and age, so the three
   states always add up to the projected population aged 60+. New 60-year-olds enter with the
   prevalence at 60 (scaled by the incidence trend).

Calibration (2020): the incidence levels (severe by sex, mild) are solved so that a stationary
multistate life table built from the 2020 life table comes as close as it can to four targets:
the severe years lived after 60 by sex (census-based DFLE, Lu et al. 2023), and the shares of
the 2020 population aged 60+ that are severe (census share × provincial factor) and mild. The
age slope of incidence and the other transition parts are stated assumptions. Three levels
cannot meet four targets: with Jinzhong's life table the national DFLE figures imply a 60+
severe share near 2.8% against the census 2.34%, so the fit is a weighted least-squares
compromise and is reported (`care_fit_*` in indicators.csv). The base-year state shares are
that table's prevalence by age; a user table (`care.prevalence_table`) replaces them.
`morbidity: constant_prevalence` holds the base prevalence by age instead, and
``incidence_trend`` (< 0 compression, > 0 expansion) scales incidences year by year.

Care settings: each state's users split between home, community and institution by the
scenario's mix; beds needed = institutional users ÷ target occupancy; nursing-type beds needed
= severe institutional users ÷ occupancy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import tables
from .errors import ScenarioError
from .scenario import Scenario
from .demography import PopulationProjection, survival_ratios
from .lifetable import N_AGES, single_year_life_table
from .states import HEALTHY, MILD, OLD_AGE, SETTINGS, SEVERE, STATES

AGES = np.arange(OLD_AGE, N_AGES)  # ages of the care model, 60..100 (100 = 100+)


# --------------------------------------------------------------------------- the state model


def mortality_ratios(scenario: Scenario) -> np.ndarray:
    """Death-rate ratios to the healthy by state and age, shape (3, 41)."""
    t = scenario.care.transitions
    at_60, at_100 = t.mortality_ratio_severe_60.value(), t.mortality_ratio_severe_100.value()
    position = (AGES - AGES[0]) / (AGES[-1] - AGES[0])
    severe = np.exp(np.log(at_60) + (np.log(at_100) - np.log(at_60)) * position)
    return np.stack([np.ones(len(AGES)), np.full(len(AGES), t.mortality_ratio_mild.value()), severe])


def recovery_rates(scenario: Scenario) -> np.ndarray:
    """Yearly mild → healthy probability by age 60..100, halving every `recovery_halving_years`."""
    t = scenario.care.transitions
    return t.recovery_at_60.value() * 0.5 ** ((AGES - AGES[0]) / t.recovery_halving_years.value())


def transition_probabilities(shares: np.ndarray, q: np.ndarray, ratios: np.ndarray, onset: np.ndarray,
                             recover: np.ndarray, worsen_factor: float) -> tuple[np.ndarray, np.ndarray]:
    """One year's death probability by state and moves among survivors, for cohorts with state
    shares (..., 3, n) and death probability q (..., n).

    ratios (3, n): death-rate ratios to the healthy; onset (..., 2, n): yearly mild and severe
    incidence among the healthy; recover (n,): mild → healthy; worsen_factor: severe incidence
    among the mild ÷ among the healthy. Returns death (..., 3, n) and move (..., 3 from, 3 to, n);
    each row of `move` sums to 1. The healthy rate is scaled so that the cohort's own mix
    reproduces q, so the state model's deaths are the projection's deaths.
    """
    mix = (shares * ratios).sum(axis=-2)
    q_healthy = q / np.where(mix > 0, mix, 1.0)
    death = np.minimum(q_healthy[..., None, :] * ratios, 1.0)
    mild_onset, severe_onset = onset[..., 0, :], onset[..., 1, :]
    scale = np.minimum(1.0, 1.0 / np.maximum(mild_onset + severe_onset, 1e-300))  # onsets cannot pass 1
    mild_onset, severe_onset = mild_onset * scale, severe_onset * scale
    worsen = np.minimum(severe_onset * worsen_factor, 1.0)
    recover = np.broadcast_to(np.minimum(recover, 1 - worsen), worsen.shape)
    zero, one = np.zeros_like(worsen), np.ones_like(worsen)
    move = np.stack([
        np.stack([1 - mild_onset - severe_onset, mild_onset, severe_onset], axis=-2),
        np.stack([recover, 1 - recover - worsen, worsen], axis=-2),
        np.stack([zero, zero, one], axis=-2),
    ], axis=-3)
    return death, move


def survive_and_move(shares: np.ndarray, q: np.ndarray, ratios: np.ndarray, onset: np.ndarray,
                     recover: np.ndarray, worsen_factor: float) -> np.ndarray:
    """The survivors' state shares (..., 3, n) after one year, at the same index (the caller
    moves them up one age). Arguments as for `transition_probabilities`."""
    return apply_transitions(shares, *transition_probabilities(shares, q, ratios, onset, recover, worsen_factor))


def apply_transitions(shares: np.ndarray, death: np.ndarray, move: np.ndarray) -> np.ndarray:
    """Survivors' state shares (..., 3, n) from shares, death (..., 3, n) and move (..., 3, 3, n)."""
    moved = ((shares * (1 - death))[..., :, None, :] * move).sum(axis=-3)
    total = moved.sum(axis=-2, keepdims=True)
    return moved / np.where(total > 0, total, 1.0)


def onset_rates(levels: np.ndarray, slope: float, trend_factor: float = 1.0) -> np.ndarray:
    """Yearly incidence (mild, severe) by sex and age: levels (2 sexes, 2) → (2, 2, 41)."""
    return np.minimum(levels[..., None] * np.exp(slope * (AGES - AGES[0])) * trend_factor, 1.0)


def stationary_table(scenario: Scenario, q: np.ndarray, e_open: np.ndarray, levels: np.ndarray, slope: float):
    """Multistate life table from 60 for each sex: prevalence by age (..., 2, 3, 41) and severe
    years lived after 60 (..., 2). q: death probability by sex and age 60..100 (2, 41);
    levels (..., 2, 2): leading axes are tables computed together (the solver's steps)."""
    t = scenario.care.transitions
    ratios, recover = mortality_ratios(scenario), recovery_rates(scenario)
    worsen = t.mild_to_severe_factor.value()
    onset = onset_rates(levels, slope)
    mild, severe = t.prevalence_at_60_mild.value(), t.prevalence_at_60_severe.value()
    first = np.array([1 - mild - severe, mild, severe])
    batch = levels.shape[:-2]
    prevalence = np.empty((*batch, 2, 3, len(AGES)))
    alive = np.empty((2, len(AGES)))
    prevalence[..., 0], alive[:, 0] = first, 1.0
    for i in range(len(AGES) - 1):
        prevalence[..., i + 1] = survive_and_move(prevalence[..., i:i + 1], q[:, i:i + 1], ratios[:, i:i + 1],
                                                  onset[..., i:i + 1], recover[i:i + 1], worsen)[..., 0]
        alive[:, i + 1] = alive[:, i] * (1 - q[:, i])
    person_years = (alive[:, :-1] + alive[:, 1:]) / 2
    severe_years = (person_years * (prevalence[..., SEVERE, :-1] + prevalence[..., SEVERE, 1:]) / 2).sum(axis=-1)
    severe_years += alive[:, -1] * e_open * prevalence[..., SEVERE, -1]
    return prevalence, severe_years


def calibrate(scenario: Scenario, population_60: np.ndarray, q: np.ndarray, e_open: np.ndarray):
    """Solve the incidence levels (severe by sex, mild) for the 2020 targets.

    Three levels against four targets (severe years after 60 by sex, the 60+ severe share, the
    60+ mild share): Gauss–Newton on the weighted relative residuals, a least-squares fit. With
    Jinzhong's 2020 life table the census share and the national DFLE figures cannot all hold
    at once (the DFLE figures imply a 60+ severe share near 2.8%), so the fit is reported
    rather than forced. Returns (levels (2, 2), prevalence (2, 3, 41), fit dict).
    """
    c = scenario.care.calibration
    slope = scenario.care.transitions.incidence_age_slope.value()
    targets = np.array([
        c.severe_years_after_60_male.value(), c.severe_years_after_60_female.value(),
        c.severe_share_60plus.value() * c.provincial_factor.value(), c.mild_share_60plus.value(),
    ])
    weights = np.array([c.weights.severe_years_after_60.value()] * 2
                       + [c.weights.severe_share_60plus.value(), c.weights.mild_share_60plus.value()])

    def levels_of(theta):  # (..., sex, [mild, severe]) from log levels (..., [severe m, severe f, mild])
        theta = np.asarray(theta)
        return np.exp(np.stack([np.stack([theta[..., 2], theta[..., 0]], axis=-1),
                                np.stack([theta[..., 2], theta[..., 1]], axis=-1)], axis=-2))

    def achieved(theta):  # the four target quantities (..., 4) for log levels (..., 3)
        prevalence, severe_years = stationary_table(scenario, q, e_open, levels_of(theta), slope)
        shares = (population_60[:, None, :] * prevalence).sum(axis=(-3, -1)) / population_60.sum()
        return np.stack([severe_years[..., 0], severe_years[..., 1], shares[..., SEVERE], shares[..., MILD]],
                        axis=-1), prevalence

    theta = np.log([0.001, 0.001, 0.006])   # a starting point of the solver (levels per year), not an input
    for _ in range(50):
        # The point and its three forward steps in one batch of tables.
        reached = (achieved(theta + np.vstack([np.zeros(3), 1e-6 * np.eye(3)]))[0] / targets - 1) * weights
        residual = reached[0]
        jacobian = ((reached[1:] - residual) / 1e-6).T
        change = np.linalg.lstsq(jacobian, -residual, rcond=None)[0]
        theta = theta + change * min(1.0, 0.5 / max(np.abs(change).max(), 1e-12))
        if np.abs(change).max() < 1e-10:
            break
    value, prevalence = achieved(theta)
    worst = np.abs(value / targets - 1).max()
    if not np.isfinite(worst) or worst > c.max_miss.value():
        raise ScenarioError(
            f"care.calibration: the base-year targets are missed by up to {worst:.0%} with the assumed "
            f"transitions (reached {value.round(4).tolist()} for {targets.round(4).tolist()})"
        )
    fit = {
        "care_fit_severe_years_after_60_male": value[0], "care_fit_severe_years_after_60_female": value[1],
        "care_fit_severe_share_60plus": value[2], "care_fit_mild_share_60plus": value[3],
    }
    return levels_of(theta), prevalence, fit


def base_prevalence(scenario: Scenario, calibration: tuple) -> np.ndarray:
    """State shares by sex and age in the base year (2, 3, 41): the user's table if given,
    else the calibrated stationary prevalence."""
    return user_prevalence(scenario) if scenario.care.prevalence_table is not None else calibration[1]


def scale_disability(levels: np.ndarray, prevalence: np.ndarray, factor: np.ndarray):
    """Incidence levels (2 sexes, [mild, severe]) and base prevalence (2, 3, 41) with the mild
    and severe parts multiplied by factor (2,); the healthy take the rest."""
    disabled = prevalence[:, 1:, :] * factor[:, None]
    disabled = disabled / np.maximum(disabled.sum(axis=1, keepdims=True), 1.0)
    return levels * factor, np.concatenate([1 - disabled.sum(axis=1, keepdims=True), disabled], axis=1)


def user_prevalence(scenario: Scenario) -> np.ndarray:
    """A user table of prevalence by sex and age → (2, 3, 41)."""
    frame = tables.read_table(scenario.care.prevalence_table, "care.prevalence_table")
    mild, severe = (tables.table_to_array(frame, state)[:, OLD_AGE:] for state in ("mild", "severe"))
    return np.stack([1 - mild - severe, mild, severe], axis=1)


# --------------------------------------------------------------------------- the stage


@dataclass(frozen=True)
class HealthStates:
    """The state model's results and the yearly probabilities behind them.

    The agent-based module (model/abm) replays exactly these probabilities person by person,
    so the two models tell one story. Interval t runs from the stock of year t to t + 1.
    """

    counts: np.ndarray            # people by year, sex, state, age 60..100+: (years, 2, 3, 41)
    fit: dict                     # the 2020 calibration reached (care_fit_*)
    death: np.ndarray | None      # death probability by interval, sex, state, age: (years − 1, 2, 3, 41)
    move: np.ndarray | None       # moves among survivors: (years − 1, 2, 3 from, 3 to, 41)
    entry: np.ndarray             # state shares of the 60-year-olds by year: (years, 2, 3)
    migration: np.ndarray         # stock(t + 1) ÷ survivors from t by destination age; age 60 unused: (years − 1, 2, 41)
    calibration: tuple            # (incidence levels, calibrated prevalence, fit): reusable for trials and counties


def project_states(scenario: Scenario, population: PopulationProjection, calibration: tuple | None = None,
                   disability_factor: np.ndarray | None = None) -> HealthStates:
    """People aged 60+ by year, sex, state and age, with the probabilities that moved them.

    `calibration` (levels, prevalence, fit) from an earlier call skips the 2020 calibration,
    for trials that share the base year and for counties. `disability_factor` (mild, severe)
    multiplies the incidences and base prevalences (a county's urban/rural mix)."""
    care = scenario.care
    stocks = population.arrays.population[:, :, OLD_AGE:]
    # Death probabilities the projection itself applies: 1 − L(x+1)/L(x), and 1 − T(100)/T(99)
    # for 99 and the open 100+ group alike, so state deaths add up to the projection's deaths.
    lts = single_year_life_table(population.rates.mx)
    survival = survival_ratios(lts.Lx, lts.Tx)[..., OLD_AGE:]     # ages 60..99
    qx = 1 - np.concatenate([survival, survival[..., -1:]], axis=-1)  # (intervals, 2, 41)
    lt0 = single_year_life_table(population.rates.mx[0])
    calibration = calibration or calibrate(scenario, stocks[0], lt0.qx[:, OLD_AGE:], lt0.ex[:, -1])
    levels, fit = calibration[0], calibration[2]
    prevalence = base_prevalence(scenario, calibration)
    if disability_factor is not None:
        levels, prevalence = scale_disability(levels, prevalence, disability_factor)
    slope = care.transitions.incidence_age_slope.value()
    ratios, recover = mortality_ratios(scenario), recovery_rates(scenario)
    worsen = care.transitions.mild_to_severe_factor.value()
    n_years = len(population.years)
    shares = np.empty((n_years, 2, 3, len(AGES)))
    shares[0] = prevalence
    entry = np.empty((n_years, 2, 3))
    entry[0] = prevalence[:, :, 0]
    multistate = care.morbidity == "multistate"
    death = np.empty((n_years - 1, 2, 3, len(AGES))) if multistate else None
    move = np.empty((n_years - 1, 2, 3, 3, len(AGES))) if multistate else None
    trend = 1.0
    for t in range(1, n_years):
        if not multistate:
            shares[t], entry[t] = prevalence, prevalence[:, :, 0]
            continue
        trend *= 1 + float(care.incidence_trend.at(int(population.years[t])))
        death[t - 1], move[t - 1] = transition_probabilities(
            shares[t - 1], qx[t - 1], ratios, onset_rates(levels, slope, trend), recover, worsen)
        moved = apply_transitions(shares[t - 1], death[t - 1], move[t - 1])
        shares[t, :, :, 1:] = moved[..., :-1]
        open_weight = stocks[t - 1, :, -2:] / np.maximum(stocks[t - 1, :, -2:].sum(axis=-1, keepdims=True), 1e-300)
        shares[t, :, :, -1] = (moved[..., -2:] * open_weight[:, None, :]).sum(axis=-1)  # 99 and 100+ into 100+
        disabled = np.minimum(entry[0, :, 1:] * trend, 1.0)  # the trend reaches new 60-year-olds too
        disabled = disabled / np.maximum(disabled.sum(axis=1, keepdims=True), 1.0)
        entry[t] = np.concatenate([1 - disabled.sum(axis=1, keepdims=True), disabled], axis=1)
        shares[t, :, :, 0] = entry[t]
    # Migration at 60+: the projected stock over the survivors of the year before (99 and 100+
    # both survive into the open group).
    survivors = stocks[:-1] * (1 - qx)
    arriving = np.zeros_like(survivors)
    arriving[..., 1:] = survivors[..., :-1]
    arriving[..., -1] += survivors[..., -1]
    migration = np.divide(stocks[1:], arriving, out=np.ones_like(arriving), where=arriving > 0)
    return HealthStates(counts=shares * stocks[:, :, None, :], fit=fit, death=death, move=move,
                        entry=entry, migration=migration, calibration=calibration)


def pool_states(parts: list[HealthStates]) -> HealthStates:
    """Several areas' health states as one (counties into the city): counts summed, and each
    probability weighted by the people it applies to, so that pooled deaths, moves and entrants
    are the sums of the areas'. The areas share one calibration."""
    counts = np.stack([part.counts for part in parts])                          # (R, years, 2, 3, 41)

    def weighted(values, weights):
        total = weights.sum(axis=0)
        return np.divide((values * weights).sum(axis=0), total, out=values[0].copy(), where=total > 0)

    death = move = None
    if parts[0].death is not None:
        exposed = counts[:, :-1]
        deaths = np.stack([part.death for part in parts])
        death = weighted(deaths, exposed)
        survivors = (exposed * (1 - deaths))[..., :, None, :]                   # by the state moved from
        move = weighted(np.stack([part.move for part in parts]), survivors)
    entrants = counts[..., 0].sum(axis=-1, keepdims=True)                       # (R, years, 2, 1)
    entry = weighted(np.stack([part.entry for part in parts]), entrants)
    stocks = counts.sum(axis=-2)[:, 1:]                                         # (R, years − 1, 2, 41)
    arriving = (stocks / np.stack([part.migration for part in parts])).sum(axis=0)
    migration = np.divide(stocks.sum(axis=0), arriving, out=np.ones_like(arriving), where=arriving > 0)
    return HealthStates(counts=counts.sum(axis=0), fit=parts[0].fit, death=death, move=move, entry=entry,
                        migration=migration, calibration=parts[0].calibration)


def project_care_demand(scenario: Scenario, population: PopulationProjection,
                        states: HealthStates | None = None) -> tuple[pd.DataFrame, dict]:
    """The care stage: tidy (year, metric, value) rows, and the calibration fit.

    `states` (from `project_states`) may be passed in when the caller needs them too."""
    care = scenario.care
    states = states or project_states(scenario, population)
    counts, fit = states.counts, states.fit
    rows = []
    for t, year in enumerate(population.years):
        year = int(year)
        by_state = counts[t].sum(axis=(0, 2))  # healthy, mild, severe
        elderly = by_state.sum()
        users = {setting: {state: by_state[i] * float(getattr(care.mix[state], setting).at(year))
                           for i, state in enumerate(STATES)} for setting in SETTINGS}
        occupancy = float(care.occupancy.at(year))
        beds = float(care.beds.at(year))
        nursing_beds = beds * float(care.nursing_share.at(year))
        nursing_needed = users["institution"]["severe"] / occupancy          # the severe need nursing care
        general_needed = (users["institution"]["healthy"] + users["institution"]["mild"]) / occupancy
        beds_needed = nursing_needed + general_needed
        ratio = {k: float(v.at(year)) for k, v in care.clients_per_worker.items()}
        values = {
            "elderly_60plus": elderly,
            "elderly_80plus": counts[t, :, :, 80 - OLD_AGE:].sum(),
            "healthy": by_state[HEALTHY], "mild": by_state[MILD], "severe": by_state[SEVERE],
            "severe_share_60plus": by_state[SEVERE] / elderly,
            "users_home": sum(users["home"].values()),
            "users_community": sum(users["community"].values()),
            "users_institution": sum(users["institution"].values()),
            "beds_needed": beds_needed,
            "nursing_beds_needed": nursing_needed,
            "general_beds_needed": general_needed,
            "beds_supplied": beds,
            "nursing_beds_supplied": nursing_beds,
            "beds_per_1000": 1000 * beds / elderly,
            "beds_norm_per_1000": float(care.beds_norm.at(year)),
            "nursing_share": nursing_beds / beds if beds else float("nan"),
            "nursing_share_target": float(care.nursing_share_target.at(year)),
            "bed_gap": beds_needed - beds,
            "nursing_bed_gap": nursing_needed - nursing_beds,
            "general_bed_gap": general_needed - (beds - nursing_beds),
            "occupancy_implied": sum(users["institution"].values()) / beds if beds else float("nan"),
            "norm_gap": float(care.beds_norm.at(year)) * elderly / 1000 - beds,
            "daycare_places_needed": sum(users["community"].values()) * float(care.daycare_places_per_user.at(year)),
            "care_workers_needed": (
                (users["home"]["mild"] + users["community"]["mild"]) / ratio["home_mild"]
                + (users["home"]["severe"] + users["community"]["severe"]) / ratio["home_severe"]
                + (users["institution"]["healthy"] + users["institution"]["mild"]) / ratio["institution_mild"]
                + users["institution"]["severe"] / ratio["institution_severe"]
            ),
        }
        rows += [(year, metric, float(value)) for metric, value in values.items()]
    return pd.DataFrame(rows, columns=["year", "metric", "value"]), fit


def care_indicators(care: pd.DataFrame, fit: dict) -> pd.DataFrame:
    """Key care figures for indicators.csv: yearly severe count, beds needed and gaps; the fit."""
    keep = {"severe": "care_severe", "beds_needed": "care_beds_needed", "bed_gap": "care_bed_gap",
            "norm_gap": "care_norm_gap", "beds_per_1000": "care_beds_per_1000"}
    yearly = care[care.metric.isin(list(keep))].rename(columns={"metric": "indicator"})
    yearly["indicator"] = yearly["indicator"].map(keep)
    scalars = pd.DataFrame({"year": np.nan, "indicator": list(fit), "value": list(fit.values())})
    return pd.concat([yearly, scalars], ignore_index=True)


def observed_use_warnings(scenario: Scenario, care: pd.DataFrame) -> list[str]:
    """One line when the base year's institutional users fill the supplied beds at an occupancy
    more than `care.observed_occupancy_tolerance` away from the observed one: the care mix then
    restates an assumption, not the use the statistics report."""
    observed = scenario.care.observed_occupancy
    if observed is None:
        return []
    base = scenario.years.base
    implied = care.query("year == @base and metric == 'occupancy_implied'")["value"]
    if implied.empty or not np.isfinite(implied.iloc[0]):
        return []
    gap, seen = float(implied.iloc[0]), float(observed.at(base))
    if abs(gap - seen) <= float(scenario.care.observed_occupancy_tolerance.at(base)):
        return []
    return [f"the care mix puts {gap:.0%} of the {base} beds in use, against an observed occupancy of {seen:.0%} "
            f"({observed.source.title if observed.source else 'care.observed_occupancy'}): the institutional users "
            "and the bed gap rest on the mix's assumed shares, not on observed use"]
