"""Pension cash flows of a city: the urban-employee and urban-rural-resident basic schemes.

A cohort cash-flow model in the spirit of the ILO pension model and the World Bank's PROST,
fed by the projected population by single age and sex (``population.csv``).

Pension year *y* is calendar year *y*, counted on the population of 1 November *y*; paths
(wages, indexation, resident pensions) are read at *y*.

Within each year, in order:

1. **Retirement.** For each sex and age, the share of people past statutory retirement on
   1 November, from `retirement.retired_share` (birth months spread evenly; men at 60, women
   cadres at 55, women workers at 50, each rising under the 2025 reform; a
   special-occupation share retires five years early and is not delayed).
2. **Coverage.** Each cohort keeps the employee-scheme coverage it had in the base year
   (calibrated so that insured workers and retirees match the base-year counts); cohorts
   that reach 25 after the base year enter at a coverage rising by ``entry_coverage_growth``
   a year. Insured workers = population × coverage × (1 − retired share); retirees =
   population × coverage × retired share; contributors = insured workers × compliance.
   Everyone else aged 16+ joins the resident scheme at one participation rate, calibrated to
   the base-year participant total (contributors below 60, pensioners from 60).
3. **Awards** (国发〔2005〕38号) for those who retired since last year, at their age at
   retirement: basic pension (calculation base + own indexed wage) / 2 × years × 1%, a
   transitional pension for the deemed years before individual accounts (counted in full),
   and the account balance ÷ the months divisor of the age at retirement; contribution
   density applies to the years with accounts.
4. **Pensions in payment.** The base year's pensioners draw what the same award formula gave
   them when they retired (on the wages of that year, China's published average wage
   history) raised by every rise since; those who retired before `legacy_until` (old-system
   and public-institution pensions) carry one premium, calibrated so that the average is the
   published one. New awards and recent retirees are on one footing. Pensions in payment rise
   by the indexation rate; accounts are credited at the official rates and drawn by the divisor.
5. **Cash flows.** Revenue = contributors × contribution base × rate × (1 − relief);
   expenditure = pensioners × average pension × 12; subsidy = a share of expenditure
   (employee) or the basic and local pensions plus contribution subsidies (resident).
6. **The pool.** The city has no fund of its own: employee pensions are pooled by the province
   and, since 2022, nationally. The *required transfer* (expenditure − revenue − subsidy) is
   what the pool must supply; it pays `pool.transfer_share` of it. balance(y) = balance(y−1)
   × (1 + r) + revenue + subsidy + transfers − expenditure, from ``reserve_months`` of
   spending. The *stand-alone* balance (no transfers) says how a city fund on its own would
   stand: a hypothetical, whose depletion year is not a forecast.

Simplifications, stated: pensioners die and migrate like the population of their age (unless
`pensioner_mortality_ratio` says otherwise); flexible early or late retirement is not modelled;
women's contribution base is `wages.female_ratio` of men's at every age; the years topped up to
the legal minimum count for the basic pension but add nothing to the account.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .bundled import bundled_table
from .census import parse_age_band
from .errors import ScenarioError
from .scenario import Scenario
from .demography import PopulationProjection
from .lifetable import N_AGES
from .rows import Rows, per_year, ratio
from .retirement import RULES, minimum_contribution_years, retired_share
from .retirement import new_retirement_age as new_retirement_age_of

AGES = np.arange(N_AGES)


def account_divisor(age: np.ndarray) -> np.ndarray:
    """Months divisor of the individual account for retirement at `age` (completed years), from
    the bundled table of 国发〔2005〕38号's annex (`model/data/account_divisor.csv`); ages below
    and above the table take its first and last values."""
    first, months = _divisor_table()
    return months[np.clip(np.asarray(age) - first, 0, len(months) - 1)]


@lru_cache(maxsize=1)
def _divisor_table() -> tuple[int, np.ndarray]:
    table = bundled_table("account_divisor.csv")
    months = table["months"].to_numpy(dtype=float)
    months.setflags(write=False)
    return int(table["age"].iloc[0]), months


# Retirement shares and new awards depend on the scenario and the year only (not on the
# population): trials of one scenario reuse them.
_MEMO: dict[int, tuple[Scenario, dict]] = {}


def _memoised(scenario: Scenario, key: tuple, compute):
    memo = _MEMO.get(id(scenario))
    if memo is None or memo[0] is not scenario:
        _MEMO.clear()  # one scenario at a time: the memo never grows
        memo = _MEMO[id(scenario)] = (scenario, {})
    if key not in memo[1]:
        value = compute()
        value.setflags(write=False)  # shared between calls: nobody may change it in place
        memo[1][key] = value
    return memo[1][key]


def retirement_prevalence(scenario: Scenario, year: int) -> np.ndarray:
    """Share past statutory retirement on the stock date of `year`, by sex and age, (2, 101)."""
    return _memoised(scenario, ("retired", year), lambda: _retirement(scenario, year)[0])


def new_retirement_age(scenario: Scenario, year: int) -> np.ndarray:
    """Mean age at retirement of those who retired in the twelve months before the stock date
    of `year`, by sex and age on that date, (2, 101); NaN where nobody did."""
    return _memoised(scenario, ("new_age", year), lambda: _retirement(scenario, year)[1])


def new_completed_age(scenario: Scenario, year: int) -> np.ndarray:
    """Their mean completed age at retirement (whole years: what the divisor is read at), (2, 101)."""
    return _memoised(scenario, ("new_completed", year), lambda: _retirement(scenario, year)[2])


def _groups(scenario: Scenario, year: int) -> dict[int, list[tuple[str, float, float]]]:
    """The rule groups of each sex (0 men, 1 women): (group, weight, early years)."""
    p = scenario.pension
    early = float(p.rules.special_early_years.at(year))
    special = float(p.special_early_share.at(year))
    cadres = float(p.women_cadre_share.at(year))
    return {0: [("men", 1 - special, 0.0), ("men", special, early)],
            1: [("women_cadres", (1 - special) * cadres, 0.0), ("women_workers", (1 - special) * (1 - cadres), 0.0),
                ("women_workers", special, early)]}


def _retirement(scenario: Scenario, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p = scenario.pension
    month = year * 12 + scenario.years.reference_month - 1
    retired, new_age, completed = np.zeros((3, 2, N_AGES))
    for sex, groups in _groups(scenario, year).items():
        newly = np.zeros(N_AGES)
        for group, weight, early in groups:
            retired[sex] += weight * retired_share(group, month, AGES, p.retirement_reform, early, p.extra_delay_months)
            share, age, whole = new_retirement_age_of(group, month, AGES, p.retirement_reform, early,
                                                      p.extra_delay_months)
            newly += weight * share
            new_age[sex] += weight * share * np.nan_to_num(age)
            completed[sex] += weight * share * np.nan_to_num(whole)
        with np.errstate(invalid="ignore", divide="ignore"):
            new_age[sex] = np.where(newly > 0, new_age[sex] / newly, np.nan)
            completed[sex] = np.where(newly > 0, completed[sex] / newly, np.nan)
    for array in (retired, new_age, completed):
        array.setflags(write=False)
    return retired, new_age, completed


def entry_ramp(ages) -> np.ndarray:
    """Share of a cohort's eventual coverage reached by age: 0 up to `entry_start`, 1 from
    `entry_full` (`pension.calibration.coverage_ages`)."""
    start, full = ages.entry_start.value(), ages.entry_full.value()
    return np.clip((AGES - start) / (full - start), 0.0, 1.0)


def calibrate_coverage(population: np.ndarray, retired: np.ndarray, insured: float, retirees: float,
                       ages) -> np.ndarray:
    """Base-year employee coverage by sex and age, (..., 2, 101), hitting both counts exactly
    for each base population (..., 2, 101).

    Coverage is `young` × the entry ramp up to `older_from`, `old` from `older_full` and linear
    in between (`ages`: `pension.calibration.coverage_ages`), so the two levels solve a 2×2
    linear system: insured workers = Σ P·c·(1−R), retirees = Σ P·c·R.
    """
    older_from, older_full = ages.older_from.value(), ages.older_full.value()
    weight_old = np.clip((AGES - older_from) / (older_full - older_from), 0.0, 1.0)
    shape_young = entry_ramp(ages) * (1 - weight_old)
    shape_old = weight_old

    def total(people, shape):
        return (people * shape).sum(axis=(-2, -1))

    working, pensioned = population * (1 - retired), population * retired
    matrix = np.stack([np.stack([total(working, shape_young), total(working, shape_old)], axis=-1),
                       np.stack([total(pensioned, shape_young), total(pensioned, shape_old)], axis=-1)], axis=-2)
    try:
        levels = np.linalg.solve(matrix, np.broadcast_to([insured, retirees], matrix.shape[:-1])[..., None])[..., 0]
    except np.linalg.LinAlgError:
        raise ScenarioError("pension.calibration: the base population has nobody of working or retired age") from None
    young, old = levels[..., 0], levels[..., 1]
    fits = (0 < young) & (young <= 1) & (0 < old) & (old <= 1)
    if not fits.all():
        young, old = young[~fits].flat[0], old[~fits].flat[0]
        raise ScenarioError(
            f"pension.calibration: the base-year counts imply employee coverage of {young:.0%} (working age) "
            f"and {old:.0%} (retired cohorts); both must be above 0% and at most 100%"
        )
    coverage = young[..., None] * shape_young + old[..., None] * shape_old
    return np.broadcast_to(coverage[..., None, :], (*coverage.shape[:-1], 2, N_AGES))


def cohort_coverage(base_coverage: np.ndarray, entry_levels: np.ndarray, ages) -> np.ndarray:
    """Employee coverage by sex and age in year base + t, (..., 2, 101), where t =
    len(entry_levels) − 1; `base_coverage` (..., 2, 101), `entry_levels` (t + 1, ...).

    Cohorts past the full entry age (25 by default; `ages`: `pension.calibration.coverage_ages`)
    in the base year keep their base-year coverage. Younger cohorts take the entry level of
    the year they reach it (``entry_levels[s]`` for base + s; the current level while they are
    still younger), times the entry ramp.
    """
    full = int(ages.entry_full.value())
    t = len(entry_levels) - 1
    base_age = AGES - t
    kept = base_coverage[..., np.clip(base_age, 0, N_AGES - 1)]
    reaches_full = np.clip(t - np.maximum(AGES - full, 0), 0, t)  # index into entry_levels
    entering = np.moveaxis(entry_levels[reaches_full], 0, -1) * entry_ramp(ages)
    return np.where(base_age >= full, kept, entering[..., None, :])


def wages(scenario: Scenario) -> tuple[int, np.ndarray]:
    """(first year, the region's average wage in every year from it to 2100): before the base
    year as `past_wages` gives, after it along `wages.growth`."""
    def compute():
        base, wage = scenario.years.base, float(scenario.pension.wages.average_wage.at(scenario.years.base))
        past = past_wages(scenario, np.arange(base - N_AGES, base + 1), wage)
        later = wage * np.cumprod(1 + scenario.pension.wages.growth.at(np.arange(base + 1, LAST_YEAR + 1)))
        return np.concatenate([past, later])
    return scenario.years.base - N_AGES, _memoised(scenario, ("wages",), compute)


LAST_YEAR = 2100   # the latest year a scenario reaches (years.end, pension.horizon)


def _account_paths(scenario: Scenario) -> np.ndarray:
    """Per year from `wages`' first year to `LAST_YEAR`, (3, n): the log credit index G (Σ of
    log(1 + crediting_rate) to each year), the prefix sums D of each year's account payment
    discounted by it (D[k]: the years before k) and the prefix sums Q of exp(−G)."""
    def compute():
        e = scenario.pension.employee
        first_year, wage = wages(scenario)
        years = np.arange(first_year, first_year + len(wage))
        paid = e.account_rate.at(years) * e.base_to_wage.at(years) * wage * e.contribution_density.at(years)
        growth = np.cumsum(np.log1p(e.crediting_rate.at(years)))
        return np.stack([growth, np.concatenate([[0.0], np.cumsum(paid * np.exp(-growth))])[:-1],
                         np.concatenate([[0.0], np.cumsum(np.exp(-growth))])[:-1]])
    return _memoised(scenario, ("accounts",), compute)


def account_balance(scenario: Scenario, year, age: np.ndarray, factor=1.0, density=1.0) -> np.ndarray:
    """Individual-account balance per insured person at the stock date of `year` (a year or an
    array of them), at `age` (years, array): the `account_rate` share of the contribution base
    (× `contribution_density`) paid each year since the career began and accounts existed,
    credited at the official `crediting_rate` of each year after it was paid; `factor`: the
    sex's wage over the average; `density`: the sex's contribution density over the scenario's."""
    e = scenario.pension.employee
    first_year = wages(scenario)[0]
    growth, paid, _ = _account_paths(scenario)
    year = np.asarray(year)
    start = np.maximum(np.ceil(year - (np.asarray(age, dtype=float) - e.career_start_age.at(year))),
                       scenario.pension.rules.account_start_year.at(year))
    end = year - first_year                                   # payments of the years before `year`
    start = np.clip(start - first_year, 0, end).astype(int)
    with_end = np.append(paid, paid[-1])                      # D at one past the last year
    return np.asarray(factor) * np.asarray(density) * np.exp(growth[end - 1]) * (with_end[end] - with_end[start])


def award(scenario: Scenario, year, wage_last_year, age: np.ndarray, factor=1.0, completed=None,
          density_factor=1.0) -> np.ndarray:
    """Monthly pension awarded in `year` at retirement age `age` (years; `year`, the previous
    year's wage and `age` may be arrays alike), on the formula's footing (yuan),
    国发〔2005〕38号: careers from `career_start_age`, service before individual accounts deemed
    in full, contribution density on the years with accounts, the account balance
    (`account_balance`) ÷ the months divisor of the completed age at retirement (`completed`,
    by default the whole years of `age`); `factor`: the retiree's wage over the average wage
    (by sex, `sex_factors`); `density_factor`: the sex's contribution density over the
    scenario's (`sex_densities`)."""
    e, w = scenario.pension.employee, scenario.pension.wages
    year, age = np.asarray(year), np.asarray(age, dtype=float)
    calculation_base = w.provincial_ratio.at(year - 1) * wage_last_year / 12
    own_wage = e.base_to_wage.at(year) * wage_last_year / 12 * np.asarray(factor)
    density = e.contribution_density.at(year) * np.asarray(density_factor)
    career = np.maximum(age - e.career_start_age.at(year), 0)
    career_with_accounts = np.minimum(career, np.maximum(year - scenario.pension.rules.account_start_year.at(year), 0))
    deemed_years = career - career_with_accounts
    # Those short of the legal minimum top up (Art. 2 of the 2024 Measures), into the account.
    account_years = np.maximum(career_with_accounts * density, minimum_contribution_years(year) - deemed_years)
    years_paid = deemed_years + account_years
    basic = (calculation_base + own_wage) / 2 * years_paid * e.accrual.at(year)
    transitional = own_wage * deemed_years * e.transitional_accrual.at(year)
    divisor = divisor_at(np.floor(age) if completed is None else completed)
    return basic + transitional + account_balance(scenario, year, age, factor, density_factor) / divisor


def divisor_at(age: np.ndarray) -> np.ndarray:
    """The months divisor of a completed age at retirement (whole years), interpolated between
    whole years for a mean over groups that retired at different completed ages."""
    age = np.asarray(age, dtype=float)
    whole = np.floor(np.nan_to_num(age))
    low, high = account_divisor(whole.astype(int)), account_divisor(whole.astype(int) + 1)
    return low + (age - whole) * (high - low)


def remaining_account(scenario: Scenario, retired, age, factor, year: int, density=1.0) -> np.ndarray:
    """What is left on 1 November of `year` of the account of someone who retired in `retired`
    at `age` (arrays alike): the balance credited each year at `crediting_rate`, less twelve
    monthly account pensions (balance ÷ divisor, not raised), each credited for the years after
    it; negative once the pool pays the account pension."""
    first_year = wages(scenario)[0]
    growth, _, inverse = _account_paths(scenario)
    balance = account_balance(scenario, retired, age, factor, density)
    monthly = balance / divisor_at(age)
    # As in account_balance: on 1 November of a year, the crediting of the years before it.
    now, then = year - first_year, np.asarray(retired) - first_year
    credited = np.exp(growth[now - 1] - growth[then - 1])
    draws = np.exp(growth[now - 1]) * (inverse[now] - inverse[then])       # each year's draws, credited after
    return balance * credited - 12 * monthly * draws


def new_awards(scenario: Scenario, year: int, wage_last_year: float, factors: np.ndarray) -> np.ndarray:
    """Unscaled award of those who retired in the year to the stock date of `year`, by sex and
    age on that date, (..., 2, 101); 0 where nobody did. `factors`: wages by sex over the
    average, (..., 2, 1)."""
    def compute():
        ages, completed = new_retirement_age(scenario, year), new_completed_age(scenario, year)
        return np.where(np.isnan(ages), 0.0, award(scenario, year, wage_last_year, np.nan_to_num(ages), factors,
                                                   np.nan_to_num(completed), sex_densities(scenario)))
    return _memoised(scenario, ("award", year, wage_last_year, tuple(factors.ravel())), compute)


def age_profile(scenario: Scenario, insured: np.ndarray) -> np.ndarray:
    """Relative wages of insured workers by age, (..., 101), averaging 1 over `insured`
    (..., 2, 101: the base year's, weighted by their sexes' wages): `wages.age_profile` by
    band, 1 at ages it leaves out (flat when empty)."""
    profile = np.ones(N_AGES)
    for label, value in scenario.pension.wages.age_profile.items():
        lower, upper = parse_age_band(label)
        profile[lower:upper] = value
    mean = (insured.sum(axis=-2) * profile).sum(axis=-1) / np.maximum(insured.sum(axis=(-2, -1)), 1e-300)
    return profile / mean[..., None]


def sex_densities(scenario: Scenario) -> np.ndarray:
    """Men's and women's contribution density over `employee.contribution_density`, (2, 1):
    women's careers are `female_density_ratio` of men's in years with contributions."""
    return np.array([[1.0], [float(scenario.pension.employee.female_density_ratio.at(scenario.years.base))]])


def sex_factors(scenario: Scenario, insured: np.ndarray) -> np.ndarray:
    """Men's and women's wages over the average wage of insured workers, (..., 2, 1): women earn
    `wages.female_ratio` of men's; `insured` (..., 2, 101), the base year's, gives the average."""
    female = float(scenario.pension.wages.female_ratio.at(scenario.years.base))
    men = insured[..., 0, :].sum(axis=-1) / np.maximum(insured.sum(axis=(-2, -1)), 1e-300)
    return np.array([[1.0], [female]]) / (men + female * (1 - men))[..., None, None]


def past_wages(scenario: Scenario, years: np.ndarray, base_wage: float) -> np.ndarray:
    """The region's average wage in earlier `years` (≤ the base year): the base-year wage moved
    back along China's published average wage (`wages.past: national`, bundled
    wage_history_china.csv, log-linear between published years, flat before the first) or
    along the scenario's own growth path (`growth_path`)."""
    base = scenario.years.base
    years = np.asarray(years)
    if scenario.pension.wages.past == "growth_path":
        growth = scenario.pension.wages.growth
        logs = np.concatenate([[0.0], np.cumsum(np.log1p(growth.at(np.arange(base, years.min(), -1))))])
        return base_wage * np.exp(-logs[base - years])
    history = bundled_table("wage_history_china.csv")
    log_wage = np.interp(years, history["year"], np.log(history["average_wage"]))
    return base_wage * np.exp(log_wage - np.interp(base, history["year"], np.log(history["average_wage"])))


def pensions_in_payment(scenario: Scenario, factors: np.ndarray) -> tuple[np.ndarray, ...]:
    """The base year's pensioners by sex and age, (..., 2, 101) each for wage factors by sex
    (..., 2, 1) (`sex_factors`): their average pension on the
    formula's footing, the part of it drawn by those who retired before `employee.legacy_until`
    (the legacy cohorts, whose pensions the calibration may raise), the account left to them
    (`remaining_account`) and their account pension. Each rule group retired at its statutory
    age in the year its age implies, on that year's award, raised by every rise since
    (`employee.past_indexation` before the base year, `indexation` in it)."""
    base = scenario.years.base
    e = scenario.pension.employee
    earliest, wage = wages(scenario)
    years = np.arange(earliest, base + 1)
    rises = np.where(years[1:] < base, e.past_indexation.at(years[1:]), e.indexation.at(years[1:]))
    cumulative = np.concatenate([[0.0], np.cumsum(np.log1p(rises))])   # log Π(1 + rise) to each year
    legacy_until = float(e.legacy_until.at(base))
    densities = sex_densities(scenario)
    by_sex = []
    for sex, groups in _groups(scenario, base).items():
        factor = factors[..., sex, :]                                     # (..., 1)
        total = old = weights = left = paid = 0.0
        for group, weight, early in groups:
            age_at = RULES[group].original_age - early
            retired = AGES >= age_at
            since = np.where(retired, AGES - age_at, 0).astype(int)
            when = base - since                                           # each age's retirement year
            awarded = np.where(since < N_AGES - 1, award(scenario, when, wage[when - 1 - earliest],
                                                         np.full(N_AGES, float(age_at)), factor,
                                                         density_factor=densities[sex, 0]), 0.0)
            raised = awarded * np.exp(cumulative[-1] - cumulative[when - earliest])
            total = total + weight * retired * raised
            old = old + weight * retired * raised * (when < legacy_until)
            weights = weights + weight * retired
            at = np.full(N_AGES, float(age_at))
            opened = account_balance(scenario, when, at, factor, densities[sex, 0])
            left = left + weight * retired * remaining_account(scenario, when, at, factor, base, densities[sex, 0])
            paid = paid + weight * retired * opened / divisor_at(age_at)
        share = np.where(weights > 0, 1 / np.maximum(weights, 1e-12), 0.0)
        by_sex.append((total * share, old * share, left * share, paid * share))
    average, legacy, remaining, monthly = (np.stack(parts, axis=-2) for parts in zip(*by_sex))
    return average, legacy, remaining, monthly


def pensioner_selection(select: np.ndarray, mx: np.ndarray, mortality_ratio: float, retired: np.ndarray,
                        newly: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """Pensioners' survival since retirement relative to the population of their age, (..., 2,
    101), a year on: those already retired survive with `mortality_ratio` × the death rates
    `mx` (..., 2, 101; a select group, `pension.pensioner_mortality_ratio`), the newly retired
    join at 1."""
    shifted = _a_year_on(select, 1.0)
    before = _a_year_on(mx, 0.0)
    relative = np.exp(-(mortality_ratio - 1) * before)           # (1 − q_select) / (1 − q), q = 1 − e^(−m)
    existing = np.clip(covered * retired - newly, 0, None)
    with np.errstate(invalid="ignore", divide="ignore"):
        blended = (existing * shifted * relative + newly) / (existing + newly)
    return np.where(existing + newly > 0, blended, 1.0)


def resident_minimum(scenario: Scenario, year: int) -> float:
    """The central minimum resident pension (yuan a month): the published path, then rising by
    `resident.minimum_pension_growth` a year after its last published year."""
    res = scenario.pension.resident
    if not res.minimum_pension.knots():
        return float(res.minimum_pension.value())            # one value given: held
    last = max(res.minimum_pension.knots())
    later = np.arange(last + 1, year + 1)
    return float(res.minimum_pension.at(min(year, last)) * np.prod(1 + res.minimum_pension_growth.at(later)))


def pension_population(scenario: Scenario, population: PopulationProjection) -> PopulationProjection:
    """The population the pension stage runs on: the run's, or projected on to
    `pension.horizon` when that is later than the run's end (one population, not a batch)."""
    horizon = scenario.pension.horizon
    if horizon is None or horizon <= population.years[-1]:
        return population
    if population.arrays.population.ndim > 3:
        raise ScenarioError("pension.horizon: a pension horizon past years.end is not available with trials")
    from .demography import project_population
    return project_population(scenario.overlaid({"years": {"end": horizon}}))


def project_pensions(scenario: Scenario, population: PopulationProjection) -> pd.DataFrame:
    """The pension stage of one population: tidy rows (year, scheme, metric, value; money in
    yuan). The legacy cohorts' premium (what makes the base-year average the published one)
    is in ``attrs["legacy_premium"]``."""
    return pension_rows(scenario, population).frame()


def pension_rows(scenario: Scenario, population: PopulationProjection) -> Rows:
    """The pension stage for a population with any batch axes after the year (trials: stocks
    (years, ..., 2, 101)): rows (year, scheme, metric) in the order of pension.csv, values
    (rows, ...), and the legacy premium in ``attrs["legacy_premium"]`` (...)."""
    p = scenario.pension
    e, res = p.employee, p.resident
    years = population.years
    stocks = population.arrays.population  # (years, ..., 2, 101)
    batch = stocks.shape[1:-2]

    # Base-year calibration of coverage and resident participation.
    participants = float(p.calibration.participants.at(years[0]))
    employee_participants = participants * float(p.calibration.employee_share.at(years[0]))
    retiree_target = employee_participants * float(p.calibration.employee_retiree_share.at(years[0]))
    retired0 = retirement_prevalence(scenario, int(years[0]))
    ages = p.calibration.coverage_ages
    coverage0 = calibrate_coverage(stocks[0], retired0, employee_participants - retiree_target, retiree_target, ages)
    work_start = int(p.rules.work_start_age.at(years[0]))
    adult = AGES >= work_start
    non_employee0 = (stocks[0] * (1 - coverage0))[..., adult].sum(axis=(-2, -1))
    resident_rate = (participants - employee_participants) / non_employee0
    if not ((0 < resident_rate) & (resident_rate <= 1)).all():
        rate = np.ravel(resident_rate)[~np.ravel((0 < resident_rate) & (resident_rate <= 1))][0]
        raise ScenarioError(
            f"pension.calibration.participants: {participants:,.0f} implies a resident-scheme participation "
            f"of {rate:.0%} of the eligible population; must be 0–100%"
        )
    entry_levels = [coverage0[..., 0, int(ages.entry_full.value())]]  # by year since base, each (...)

    first_year, wage_by_year = wages(scenario)
    factors = sex_factors(scenario, stocks[0] * coverage0 * (1 - retired0))
    # Relative wages by age weigh contributions only: awards rest on the career's average index.
    by_age = age_profile(scenario, stocks[0] * coverage0 * (1 - retired0) * factors)[..., None, :]
    # Pensions in payment on the awards' footing; the legacy cohorts' pensions raised by one
    # premium so that the average is the published one (old-system and public-institution
    # pensions, tilted rises: what the formula does not know).
    formula, legacy, remaining, account_pension = pensions_in_payment(scenario, factors)
    pensioners0 = stocks[0] * coverage0 * retired0
    target = float(e.average_pension.at(years[0])) * pensioners0.sum(axis=(-2, -1))
    carried = (pensioners0 * legacy).sum(axis=(-2, -1))
    by_formula = (pensioners0 * formula).sum(axis=(-2, -1))
    premium = np.where(carried > 0, (target - by_formula) / np.where(carried > 0, carried, 1.0), 0.0)
    if ((carried == 0) & (np.abs(target / np.maximum(by_formula, 1e-300) - 1) > 1e-6)).any():
        raise ScenarioError("pension.employee.legacy_until: nobody retired before it, so only the award formula "
                            "sets the pensions in payment and employee.average_pension cannot be met; set a later year")
    if (premium <= -1).any():
        raise ScenarioError(f"pension.employee.average_pension: {float(e.average_pension.at(years[0])):,.0f} is below "
                            "what the award formula gives the pensioners who retired after employee.legacy_until; "
                            "check the average pension, base_to_wage and legacy_until")
    average = formula + premium[..., None, None] * legacy  # average pension by sex and age, yuan per month
    previous_retired = retirement_prevalence(scenario, int(years[0]) - 1)
    balances = {"employee": None, "resident": None}
    mortality_ratio = float(p.pensioner_mortality_ratio.at(years[0]))
    select = np.ones(stocks.shape[1:])   # pensioners' survival since retirement over the population's
    items = []
    for t, year in enumerate(years):
        year = int(year)
        wage_last, wage = wage_by_year[year - 1 - first_year], wage_by_year[year - first_year]
        pop = stocks[t]
        retired = retirement_prevalence(scenario, year)
        if t > 0:
            grown = entry_levels[-1] * (1 + float(e.entry_coverage_growth.at(year)))
            entry_levels.append(np.minimum(1.0, grown))
        coverage = cohort_coverage(coverage0, np.array(entry_levels), ages)
        covered = pop * coverage
        working = covered * (1 - retired)
        insured = working.sum(axis=(-2, -1))
        contributors = insured * float(e.compliance.at(year))
        # Retired since the last stock date: the rise of the retired share along each cohort.
        newly = covered * np.clip(retired - _a_year_on(previous_retired, 0.0), 0, None)
        if t > 0 and mortality_ratio != 1.0:
            select = pensioner_selection(select, population.rates.mx[t - 1], mortality_ratio, retired, newly, covered)
        pensioners = covered * retired * select  # (..., 2, 101)
        awarded = float(e.award_level.at(year)) * new_awards(scenario, year, wage_last, factors)
        if t > 0:   # a year older: pensions raised, accounts credited and drawn; the newly retired join
            existing = np.clip(pensioners - newly, 0, None)
            ages_new = np.nan_to_num(new_retirement_age(scenario, year))
            completed_new = np.nan_to_num(new_completed_age(scenario, year))
            opened = account_balance(scenario, year, ages_new, factors, sex_densities(scenario))
            drawn = _older(remaining) * (1 + float(e.crediting_rate.at(year))) - 12 * _older(account_pension)
            average = _joined(_older(average) * (1 + float(e.indexation.at(year))), awarded, existing, newly)
            remaining = _joined(drawn, opened, existing, newly)
            account_pension = _joined(_older(account_pension), opened / divisor_at(completed_new), existing, newly)
        previous_retired = retired

        base_wage = float(e.base_to_wage.at(year)) * wage
        contribution_base = (working * factors * by_age).sum(axis=(-2, -1)) * float(e.compliance.at(year)) * base_wage
        paid = (pensioners * average).sum(axis=(-2, -1))
        employee_spending = paid * 12
        employee = _flows(
            revenue=contribution_base * float(e.contribution_rate.at(year)) * (1 - float(e.contribution_relief.at(year))),
            subsidy=employee_spending * float(e.subsidy_share.at(year)),
            expenditure=employee_spending, base=contribution_base, transfer_share=float(p.pool.transfer_share.at(year)),
        )
        beneficiaries = pensioners.sum(axis=(-2, -1))
        employee.update(
            account_balance=(working * account_balance(scenario, year, AGES, factors, sex_densities(scenario))
                             ).sum(axis=(-2, -1)),
            account_balance_retirees=(pensioners * np.maximum(remaining, 0)).sum(axis=(-2, -1)),
            contributors=contributors, insured=insured, beneficiaries=beneficiaries,
            new_beneficiaries=newly.sum(axis=(-2, -1)),
            average_pension=ratio(paid, beneficiaries),
            average_new_award=ratio((newly * awarded).sum(axis=(-2, -1)), newly.sum(axis=(-2, -1))),
            replacement_rate=ratio(paid * 12, beneficiaries * wage),
        )

        outside = pop * (1 - coverage) * resident_rate[..., None, None]
        pension_age = int(p.rules.resident_pension_age.at(year))
        resident_contributors = outside[..., work_start:pension_age].sum(axis=(-2, -1))
        resident_pensioners = outside[..., pension_age:].sum(axis=(-2, -1))
        resident_pension = resident_minimum(scenario, year) + float(res.local_pension.at(year))
        resident_spending = resident_pensioners * resident_pension * 12
        resident = _flows(  # the budget pays the basic and local pensions and the contribution subsidy
            revenue=resident_contributors * float(res.contribution.at(year)),
            subsidy=resident_spending + resident_contributors * float(res.contribution_subsidy.at(year)),
            expenditure=resident_spending, base=resident_contributors * wage, transfer_share=0.0,
        )
        reaching_pension_age = outside[..., pension_age].sum(axis=-1)
        resident.update(
            contributors=resident_contributors, insured=resident_contributors,
            beneficiaries=resident_pensioners, new_beneficiaries=reaching_pension_age,
            average_pension=resident_pension, replacement_rate=ratio(resident_pension * 12, wage),
        )

        rate = float(p.interest_rate.at(year))
        for scheme, flows, months in (("employee", employee, e.reserve_months), ("resident", resident, res.reserve_months)):
            if balances[scheme] is None:
                opening = float(months.at(year)) / 12 * flows["expenditure"]
                balances[scheme] = (opening, opening, opening)
            pooled, alone, without = balances[scheme]
            own = flows["revenue"] + flows["subsidy"] - flows["expenditure"]
            pooled = pooled * (1 + rate) + own + flows["transfers"]
            alone = alone * (1 + rate) + own
            without = without * (1 + rate) + flows["revenue"] - flows["expenditure"]
            balances[scheme] = (pooled, alone, without)
            flows.update(balance=pooled, balance_standalone=alone, balance_without_subsidy=without,
                         months_covered=ratio(alone * 12, flows["expenditure"]),
                         dependency_ratio=ratio(100 * flows["beneficiaries"], flows["contributors"]))
            items += [((year, scheme, metric), value) for metric, value in flows.items()]
    return Rows.from_items(["year", "scheme", "metric"], items, batch, {"legacy_premium": premium})


def _a_year_on(values: np.ndarray, at_zero) -> np.ndarray:
    """Values by age (..., 101) moved one age up: age x takes age x − 1's, age 0 takes `at_zero`."""
    return np.concatenate([np.broadcast_to(at_zero, values[..., :1].shape), values[..., :-1]], axis=-1)


def _older(values: np.ndarray) -> np.ndarray:
    """Per-person values by sex and age (..., 2, 101) a year on: age x takes age x − 1's, and the
    open group 100+ takes age 99's (its newest members; the older ones' values are not kept
    apart); age 0 keeps its own."""
    return _a_year_on(values, values[..., :1])


def _joined(old: np.ndarray, new: np.ndarray, existing: np.ndarray, newly: np.ndarray) -> np.ndarray:
    """The mean per pensioner of `existing` pensioners' `old` values and the `newly` retired's `new` ones."""
    total = existing + newly
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (existing * old + newly * new) / total, old)


def _flows(revenue, subsidy, expenditure, base, transfer_share: float) -> dict:
    """One scheme-year's money (each (...)): the required transfer is what the pool must supply
    (negative: a surplus paid up), of which it pays `transfer_share`; rates are over the
    contribution base."""
    required = expenditure - revenue - subsidy
    return {
        "revenue": revenue,
        "subsidy": subsidy,
        "expenditure": expenditure,
        "required_transfer": required,
        "transfers": transfer_share * required,
        "self_sufficiency_ratio": ratio(revenue, expenditure),
        "income_rate": ratio(revenue, base),
        "cost_rate": ratio(expenditure, base),
    }


def pension_indicators(pension: Rows, scenario: Scenario) -> Rows:
    """Scalars of the employee scheme (year NaN, indicator), values (6, ...) as `pension`'s:
    `pension_standalone_depletion_year` (first year a stand-alone city fund would be
    negative: a hypothetical), `pension_first_deficit_year` (the year from which revenue +
    subsidy stay below expenditure to the last year), the actuarial balance and its
    summarized income and cost rates (below), and the award scale (``attrs``); NaN when none."""
    years, _ = pension.column(scheme="employee", metric="revenue")
    wide = {metric: pension.column(scheme="employee", metric=metric)[1]
            for metric in ("balance_standalone", "revenue", "subsidy", "expenditure", "cost_rate")}
    short = wide["revenue"] + wide["subsidy"] < wide["expenditure"]
    lasting = np.flip(np.logical_and.accumulate(np.flip(short, axis=0), axis=0), axis=0)  # short from then on
    income, cost = summarized_rates(years, wide, scenario)
    values = {
        "pension_standalone_depletion_year": _first_year(years, wide["balance_standalone"] < 0),
        "pension_first_deficit_year": _first_year(years, lasting),
        "pension_summarized_income_rate": income,
        "pension_summarized_cost_rate": cost,
        "pension_actuarial_balance": income - cost,
        "pension_legacy_premium": pension.attrs.get("legacy_premium", np.nan),
    }
    return Rows.from_items(["year", "indicator"], [((np.nan, name), value) for name, value in values.items()],
                           pension.values.shape[1:])


def _first_year(years: np.ndarray, happens: np.ndarray) -> np.ndarray:
    """The first of `years` (n,) in which `happens` (n, ...), NaN where it never does."""
    return np.where(happens.any(axis=0), years[np.argmax(happens, axis=0)], np.nan)


def summarized_rates(years: np.ndarray, wide: dict[str, np.ndarray], scenario: Scenario) -> tuple:
    """Open-group summarized income and cost rates from the valuation year to the last year
    (the US SSA Trustees' measure without the trust fund): the present values of revenue +
    subsidy and of expenditure over the present value of the contribution base, discounted at
    `pension.interest_rate`. Their difference, the actuarial balance, is the rise of the
    contribution rate from the valuation year that would balance the city's own flows.
    `wide`: the employee scheme's revenue, subsidy, expenditure and cost_rate by year, each
    (years, ...); returns the two rates, each (...)."""
    p = scenario.pension
    valuation = int(p.valuation_year.at(scenario.years.base))
    later = years >= valuation
    if not later.any():
        return np.full(wide["revenue"].shape[1:], np.nan), np.full(wide["revenue"].shape[1:], np.nan)
    rows = {metric: values[later] for metric, values in wide.items()}
    discount = per_year(np.exp(-np.cumsum(np.log1p(p.interest_rate.at(years[later])))), rows["revenue"].ndim)
    base = rows["expenditure"] / rows["cost_rate"]   # the contribution base
    present = (discount * base).sum(axis=0)
    income = (discount * (rows["revenue"] + rows["subsidy"])).sum(axis=0) / present
    cost = (discount * rows["expenditure"]).sum(axis=0) / present
    return income, cost
