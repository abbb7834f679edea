"""Elder-care demand: older people by disability grade, their care setting, and beds needed.

A cell model in the PSSRU tradition (sex × single age 60..100+ × grade) driven by a
discrete-time multistate model. Grades follow the definition in force (`care.definition`, one of
`care.definitions`); by default 重度失能 (severe) is the census's 生活不能自理 and 轻中度失能
(mild) a basic-ADL difficulty short of it; "healthy" means no disability grade.

Base year. The prevalence by sex and age is the definition's national logistic curves
(`model/disability`) × the provincial factor, or a user table (`care.prevalence_table`). The
yearly incidences are derived from it (`incidence_from_prevalence`): read as a stationary
cohort under the region's base-year life table, each age's prevalence moves to the next age's
exactly. Incidences therefore rise with age and level off where prevalence does.

Each year, for each cohort (aged x at the stock of year y, x + 1 at y + 1), in order:

1. **Deaths by grade.** The cohort's death probability is the one the projection applies,
   1 − L(x+1)/L(x) (1 − T(100)/T(99) for 99 and 100+); the grades' rates stand in fixed ratios
   (mild 1.5 ×, severe falling from 5 × at 60 to 1.2 × at 100), scaled so that the cohort's own
   mix reproduces q(x): total deaths agree with the population projection.
2. **Transitions among survivors.** Onsets from the healthy at the derived incidences (× the
   compounded `incidence_trend`); mild → severe at a multiple of the severe incidence; mild →
   healthy recovery falling with age; no recovery from severe.
3. **Counts.** Shares × the projected population of each sex and age, so the grades always add
   up to the projected population aged 60+. New 60-year-olds enter with the prevalence at 60
   (scaled by the incidence trend). `morbidity: constant_prevalence` holds the base prevalence.

Care settings. The base year's users are anchored to observed use (`anchored_shares`:
residents = observed occupancy × beds, a declared self-caring share of them); the care mix is a
target reached in a straight line by `care.mix_reached` (`use_shares`). Beds needed = the
residents of the nursing grades (`care.nursing_grades`) ÷ the target occupancy as nursing-type
beds, plus the other residents ÷ occupancy as general beds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import tables
from .errors import ScenarioError
from .scenario import Scenario
from .demography import PopulationProjection, survival_ratios
from .disability import person_years_from_60, prevalence_curves
from .lifetable import N_AGES, single_year_life_table
from .rows import Rows, per_year, ratio
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


def projection_q(lt) -> np.ndarray:
    """Death probabilities at 60..100+ as the projection applies them (..., 2, 41): 1 − L(x+1)/L(x),
    and 1 − T(100)/T(99) for 99 and the open 100+ group alike, so that state deaths add up to
    the projection's deaths."""
    survival = survival_ratios(lt.Lx, lt.Tx)[..., OLD_AGE:]     # ages 60..99
    return 1 - np.concatenate([survival, survival[..., -1:]], axis=-1)


def onset_rates(onset: np.ndarray, trend_factor: float = 1.0) -> np.ndarray:
    """Yearly incidence (mild, severe) by sex and age (2, 2, 41) scaled by the incidence trend."""
    return np.minimum(onset * trend_factor, 1.0)


def incidence_from_prevalence(prevalence: np.ndarray, q: np.ndarray, ratios: np.ndarray, recover: np.ndarray,
                              worsen_factor: float) -> tuple[np.ndarray, np.ndarray]:
    """The yearly incidences (mild, severe) by sex and age (2, 2, 41) under which a cohort
    dying at q (2, 41) moves from each age's prevalence (2, 3, 41) to the next age's (the open
    age keeps its own): the base-year cross-section read as a stationary cohort, as in DisMod.

    Solved age by age: after deaths by state, severe onset s and mild onset m satisfy
    S' + s (H' + w M') = p_severe · N and M' (1 − r − w s) + m H' = p_mild · N. Where the curves
    would need a negative onset the onset is 0, so the reached prevalence (returned) can fall
    short there; `calibrate` reports the largest difference."""
    onset = np.zeros((2, 2, len(AGES)))
    reached = np.empty_like(prevalence)
    reached[..., 0] = prevalence[..., 0]
    for i in range(len(AGES)):
        shares, target = reached[..., i], prevalence[..., min(i + 1, len(AGES) - 1)]
        death = transition_probabilities(shares[..., None], q[:, i:i + 1], ratios[:, i:i + 1],
                                         np.zeros((2, 2, 1)), recover[i:i + 1], worsen_factor)[0][..., 0]
        alive = shares * (1 - death)   # deaths by state as the projection applies them
        total = alive.sum(axis=-1)
        at_risk = alive[:, HEALTHY] + worsen_factor * alive[:, MILD]
        severe = np.clip((target[:, SEVERE] * total - alive[:, SEVERE]) / np.maximum(at_risk, 1e-300), 0.0, 1.0)
        recovered = np.minimum(recover[i], 1 - np.minimum(severe * worsen_factor, 1.0))
        kept = alive[:, MILD] * (1 - recovered - np.minimum(severe * worsen_factor, 1.0))
        mild = np.clip((target[:, MILD] * total - kept) / np.maximum(alive[:, HEALTHY], 1e-300), 0.0, 1 - severe)
        onset[:, 0, i], onset[:, 1, i] = mild, severe
        if i + 1 < len(AGES):
            reached[..., i + 1] = survive_and_move(shares[..., None], q[:, i:i + 1], ratios[:, i:i + 1],
                                                   onset[..., i:i + 1], recover[i:i + 1], worsen_factor)[..., 0]
    return onset, reached


def calibrate(scenario: Scenario, population_60: np.ndarray, lt) -> tuple:
    """The base-year prevalence by sex, state and age, and the incidences that keep it.

    The prevalence is the definition's national curves (`model/disability`) × the provincial
    factor, or the user's `care.prevalence_table`; the incidences are derived from it with the
    region's base-year life table `lt`. Returns (onset (2, 2, 41), prevalence (2, 3, 41), fit)."""
    care = scenario.care
    c = care.calibration
    if care.prevalence_table is not None:
        prevalence, fit = user_prevalence(scenario), {"care_fit_reference_miss": 0.0}
    else:
        national, fit = prevalence_curves(care.grading, (c.reference_e60_male.value(), c.reference_e60_female.value()),
                                          c.max_miss.value(), care.definition)
        prevalence = scale_disability(np.ones((2, 2, 1)), national, np.full(2, c.provincial_factor.value()))[1]
    onset, reached = incidence_from_prevalence(prevalence, projection_q(lt), mortality_ratios(scenario), recovery_rates(scenario),
                                               care.transitions.mild_to_severe_factor.value())
    years = (prevalence * person_years_from_60(lt)[:, None, :]).sum(axis=-1) / lt.lx[:, OLD_AGE, None]  # Sullivan
    shares = (population_60[:, None, :] * prevalence).sum(axis=(0, 2)) / population_60.sum()
    fit = {**fit,
           "care_fit_severe_years_after_60_male": years[0, SEVERE],
           "care_fit_severe_years_after_60_female": years[1, SEVERE],
           "care_fit_severe_share_60plus": shares[SEVERE], "care_fit_mild_share_60plus": shares[MILD],
           "care_fit_incidence_miss": float(np.abs(reached - prevalence).max())}
    return onset, prevalence, fit


def scale_disability(onset: np.ndarray, prevalence: np.ndarray, factor: np.ndarray):
    """Incidences (2 sexes, [mild, severe], 41) and base prevalence (2, 3, 41) with the mild
    and severe parts multiplied by factor (2,); the healthy take the rest."""
    disabled = prevalence[:, 1:, :] * factor[:, None]
    disabled = disabled / np.maximum(disabled.sum(axis=1, keepdims=True), 1.0)
    return onset * factor[:, None], np.concatenate([1 - disabled.sum(axis=1, keepdims=True), disabled], axis=1)


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
    A batch of populations (trials) adds its axes after the year axis (`...` below).
    """

    counts: np.ndarray            # people by year, sex, state, age 60..100+: (years, ..., 2, 3, 41)
    fit: dict                     # the 2020 calibration reached (care_fit_*)
    death: np.ndarray | None      # death probability by interval, sex, state, age: (years − 1, ..., 2, 3, 41)
    move: np.ndarray | None       # moves among survivors: (years − 1, ..., 2, 3 from, 3 to, 41)
    entry: np.ndarray             # state shares of the 60-year-olds by year: (years, 2, 3)
    migration: np.ndarray         # stock(t + 1) ÷ survivors from t by destination age; age 60 unused: (years − 1, ..., 2, 41)
    calibration: tuple            # (incidences by sex, grade and age, base prevalence, fit): reusable for trials and counties


def project_states(scenario: Scenario, population: PopulationProjection, calibration: tuple | None = None,
                   disability_factor: np.ndarray | None = None) -> HealthStates:
    """People aged 60+ by year, sex, state and age, with the probabilities that moved them.

    The population may hold a batch (trials: stocks (years, ..., 2, 101)), which shares the
    base year and so needs the `calibration` (onsets, prevalence, fit) of an earlier call;
    for one population it skips the 2020 calibration (counties reuse the city's).
    `disability_factor` (mild, severe) multiplies the incidences and base prevalences (a
    county's urban/rural mix)."""
    care = scenario.care
    stocks = population.arrays.population[..., OLD_AGE:]                # (years, ..., 2, 41)
    batch = stocks.shape[1:-2]
    qx = projection_q(population.rates.life_table)      # (intervals, ..., 2, 41)
    if calibration is None:
        if batch:
            raise ValueError("a batch of populations shares its base year's calibration: pass it")
        calibration = calibrate(scenario, stocks[0], single_year_life_table(population.rates.mx[0]))
    onset, prevalence, fit = calibration
    if disability_factor is not None:
        onset, prevalence = scale_disability(onset, prevalence, disability_factor)
    ratios, recover = mortality_ratios(scenario), recovery_rates(scenario)
    worsen = care.transitions.mild_to_severe_factor.value()
    n_years = len(population.years)
    shares = np.empty((n_years, *batch, 2, 3, len(AGES)))
    shares[0] = prevalence
    entry = np.empty((n_years, 2, 3))
    entry[0] = prevalence[:, :, 0]
    multistate = care.morbidity == "multistate"
    death = np.empty((n_years - 1, *batch, 2, 3, len(AGES))) if multistate else None
    move = np.empty((n_years - 1, *batch, 2, 3, 3, len(AGES))) if multistate else None
    trend = 1.0
    for t in range(1, n_years):
        if not multistate:
            shares[t], entry[t] = prevalence, prevalence[:, :, 0]
            continue
        trend *= 1 + float(care.incidence_trend.at(int(population.years[t])))
        death[t - 1], move[t - 1] = transition_probabilities(
            shares[t - 1], qx[t - 1], ratios, onset_rates(onset, trend), recover, worsen)
        moved = apply_transitions(shares[t - 1], death[t - 1], move[t - 1])
        shares[t, ..., 1:] = moved[..., :-1]
        oldest = stocks[t - 1, ..., -2:]
        open_weight = oldest / np.maximum(oldest.sum(axis=-1, keepdims=True), 1e-300)
        shares[t, ..., -1] = (moved[..., -2:] * open_weight[..., None, :]).sum(axis=-1)  # 99 and 100+ into 100+
        disabled = np.minimum(entry[0, :, 1:] * trend, 1.0)  # the trend reaches new 60-year-olds too
        disabled = disabled / np.maximum(disabled.sum(axis=1, keepdims=True), 1.0)
        entry[t] = np.concatenate([1 - disabled.sum(axis=1, keepdims=True), disabled], axis=1)
        shares[t, ..., 0] = entry[t]
    # Migration at 60+: the projected stock over the survivors of the year before (99 and 100+
    # both survive into the open group).
    survivors = stocks[:-1] * (1 - qx)
    arriving = np.zeros_like(survivors)
    arriving[..., 1:] = survivors[..., :-1]
    arriving[..., -1] += survivors[..., -1]
    migration = np.divide(stocks[1:], arriving, out=np.ones_like(arriving), where=arriving > 0)
    return HealthStates(counts=shares * stocks[..., None, :], fit=fit, death=death, move=move,
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


# --------------------------------------------------------------------------- who uses which setting


def mix_matrix(mix: dict, year: float) -> np.ndarray:
    """A care mix (state → CareMix) read at `year` as shares by state × setting (3, 3)."""
    return np.array([[float(getattr(mix[state], setting).at(year)) for setting in SETTINGS] for state in STATES])


def anchored_shares(scenario: Scenario, by_state: np.ndarray) -> np.ndarray:
    """The base year's shares by state × setting (..., 3, 3), anchored to observed institutional use.

    Residents = `care.base_use.residents` (else observed occupancy × the beds supplied); of
    them a share `self_caring_share` is not disabled and the rest are split between the grades
    in proportion to the people the care mix would send; each state's other people split
    between home and community as in the mix. `by_state`: base-year people by state (..., 3)."""
    care = scenario.care
    base = scenario.years.base
    use = care.base_use
    mix = mix_matrix(care.mix, base)
    if use.residents is not None:
        residents = float(use.residents.at(base))
    elif care.beds is not None and care.observed_occupancy is not None:
        residents = float(care.observed_occupancy.at(base)) * float(care.beds.at(base))
    else:
        return mix
    self_caring = float(use.self_caring_share.at(base))
    disabled_would = by_state[..., [MILD, SEVERE]] * mix[[MILD, SEVERE], 2]
    would = disabled_would.sum(axis=-1, keepdims=True)
    if self_caring < 1 and (would <= 0).any():
        raise ScenarioError("care.mix: no disabled person goes to an institution, so the disabled residents of "
                            "care.base_use cannot be placed; give the disabled an institution share above 0")
    institution = np.empty(by_state.shape)
    institution[..., HEALTHY] = residents * self_caring
    institution[..., [MILD, SEVERE]] = residents * (1 - self_caring) * disabled_would / np.maximum(would, 1e-300)
    share = institution / np.maximum(by_state, 1e-300)
    if (share > 1).any():
        hint = "lower care.base_use.residents" if use.residents is not None else "give care.base_use.residents"
        state = STATES[int(np.argmax(share.reshape(-1, 3).max(axis=0)))]
        raise ScenarioError(f"care.base_use: {residents:,.0f} institutional residents need more "
                            f"{state} people than the region has; {hint}")
    others = mix[:, :2] / np.maximum(mix[:, :2].sum(axis=1, keepdims=True), 1e-300)
    return np.concatenate([others * (1 - share)[..., None], share[..., None]], axis=-1)


def use_shares(scenario: Scenario, base_shares: np.ndarray, mix: dict, year: float) -> np.ndarray:
    """Shares by state × setting (..., 3, 3) in `year`: from the anchored base-year use
    (`base_shares`, (..., 3, 3)) to the care mix (a target), linearly until `care.mix_reached`,
    then the mix."""
    base, reached = scenario.years.base, int(scenario.care.mix_reached.value())
    weight = 1.0 if reached <= base else min(max((year - base) / (reached - base), 0.0), 1.0)
    return base_shares + (mix_matrix(mix, year) - base_shares) * weight


def users_by_setting(scenario: Scenario, counts: np.ndarray, years: np.ndarray) -> np.ndarray:
    """People by year, state and setting (years, ..., 3, 3) from the health states' counts
    (years, ..., 2, 3, 41): the anchored base-year use moving to the care mix."""
    base_shares = anchored_shares(scenario, counts[0].sum(axis=(-3, -1)))
    by_state = counts.sum(axis=(-3, -1))
    return np.stack([by_state[t][..., None] * use_shares(scenario, base_shares, scenario.care.mix, float(year))
                     for t, year in enumerate(years)])


def home_workers_needed(scenario: Scenario, users: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Care workers needed at home and in the community by year (years, ...): the disabled
    users there (`users`, (years, ..., 3, 3)) over the clients each worker serves
    (`care.clients_per_worker`)."""
    ratio = scenario.care.clients_per_worker
    ndim = users.ndim - 2
    return (users[..., MILD, :2].sum(axis=-1) / per_year(ratio["home_mild"].at(years), ndim)
            + users[..., SEVERE, :2].sum(axis=-1) / per_year(ratio["home_severe"].at(years), ndim))


def care_rows(scenario: Scenario, years: np.ndarray, states: HealthStates) -> Rows:
    """The care stage's rows (year, metric) for health states of any batch (counts (years,
    ..., 2, 3, 41)): values (rows, ...), year by year in the order of care.csv."""
    care = scenario.care
    counts = states.counts
    users = users_by_setting(scenario, counts, years)                  # (years, ..., state, setting)
    residents = users[..., 2]
    by_state = counts.sum(axis=(-3, -1))                               # (years, ..., 3)
    elderly = by_state.sum(axis=-1)

    def at(path):   # a path read in every year, against (years, ...)
        return per_year(path.at(years), elderly.ndim)

    occupancy, beds = at(care.occupancy), at(care.beds)
    nursing_beds = beds * at(care.nursing_share)
    nursing_residents = residents[..., [STATES.index(grade) for grade in care.nursing_grades]].sum(axis=-1)
    nursing_needed = nursing_residents / occupancy
    general_needed = (residents.sum(axis=-1) - nursing_residents) / occupancy
    beds_needed = nursing_needed + general_needed
    clients = {key: at(path) for key, path in care.clients_per_worker.items()}
    values = {
        "elderly_60plus": elderly,
        "elderly_80plus": counts[..., 80 - OLD_AGE:].sum(axis=(-3, -2, -1)),
        "healthy": by_state[..., HEALTHY], "mild": by_state[..., MILD], "severe": by_state[..., SEVERE],
        "severe_share_60plus": by_state[..., SEVERE] / elderly,
        "users_home": users[..., 0].sum(axis=-1),
        "users_community": users[..., 1].sum(axis=-1),
        "users_institution": residents.sum(axis=-1),
        "residents_self_caring": residents[..., HEALTHY],
        "residents_mild": residents[..., MILD],
        "residents_severe": residents[..., SEVERE],
        "beds_needed": beds_needed,
        "nursing_beds_needed": nursing_needed,
        "general_beds_needed": general_needed,
        "beds_supplied": beds,
        "nursing_beds_supplied": nursing_beds,
        "beds_per_1000": 1000 * beds / elderly,
        "beds_norm_per_1000": at(care.beds_norm),
        "nursing_share": ratio(nursing_beds, beds),
        "nursing_share_target": at(care.nursing_share_target),
        "bed_gap": beds_needed - beds,
        "nursing_bed_gap": nursing_needed - nursing_beds,
        "general_bed_gap": general_needed - (beds - nursing_beds),
        "occupancy_implied": ratio(residents.sum(axis=-1), beds),
        "norm_gap": at(care.beds_norm) * elderly / 1000 - beds,
        "daycare_places_needed": users[..., 1].sum(axis=-1) * at(care.daycare_places_per_user),
        "care_workers_home": home_workers_needed(scenario, users, years),
        "care_workers_institution": ((residents[..., HEALTHY] + residents[..., MILD]) / clients["institution_mild"]
                                     + residents[..., SEVERE] / clients["institution_severe"]),
    }
    values["care_workers_needed"] = values["care_workers_home"] + values["care_workers_institution"]
    return Rows.from_items(["year", "metric"], [((int(year), metric), value[t]) for t, year in enumerate(years)
                                                for metric, value in values.items()], elderly.shape[1:])


def project_care_demand(scenario: Scenario, population: PopulationProjection,
                        states: HealthStates | None = None) -> tuple[pd.DataFrame, dict]:
    """The care stage of one population: tidy (year, metric, value) rows, and the calibration
    fit. `states` (from `project_states`) may be passed in when the caller needs them too."""
    states = states or project_states(scenario, population)
    return care_rows(scenario, population.years, states).frame(), states.fit


def care_indicators(care: Rows, fit: dict) -> Rows:
    """Key care figures for indicators.csv (year, indicator): yearly severe count, beds needed
    and gaps in the care rows' order, then the fit (no year); values (rows, ...) as `care`'s."""
    keep = {"severe": "care_severe", "beds_needed": "care_beds_needed", "bed_gap": "care_bed_gap",
            "norm_gap": "care_norm_gap", "beds_per_1000": "care_beds_per_1000"}
    kept = care.keys.metric.isin(list(keep)).to_numpy()
    keys = pd.DataFrame({"year": care.keys.year[kept].to_numpy(dtype=float),
                         "indicator": care.keys.metric[kept].map(keep).to_numpy()})
    scalars = Rows.from_items(["year", "indicator"], [((np.nan, name), value) for name, value in fit.items()],
                              care.values.shape[1:])
    return Rows.concat([Rows(keys, care.values[kept]), scalars])
