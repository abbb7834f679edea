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
3. **New pensions** (国发〔2005〕38号) for those who retired since last year: basic pension
   (calculation base + own indexed wage) / 2 × contribution years × 1%, a transitional
   pension for the deemed years before individual accounts, and the account balance ÷ the
   months divisor of the retirement age. Pensions in payment rise by the indexation rate.
4. **Cash flows.** Revenue = contributors × contribution base × rate; expenditure =
   pensioners × average pension × 12; subsidy = a share of expenditure (employee) or the
   basic and local pensions plus contribution subsidies (resident).
5. **Notional balance** (end of year): balance(y) = balance(y−1) × (1 + r) + revenue +
   subsidy − expenditure; the base year starts from ``reserve_months`` of spending. The city
   has no fund of its own (employee pensions are pooled provincially and, since 2022,
   nationally), so the balance says how the city's own flows would stand, not what it holds.

Simplifications, stated: pensioners die and migrate like the population of their age; the
individual account earns the wage growth (crediting rates 2016–2024 averaged 6.1%, about the
nominal wage growth); flexible early or late retirement is not modelled; all pensioners
in the base year draw the base-year average pension.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .bundled import bundled_table
from .errors import ScenarioError
from .scenario import Scenario
from .demography import PopulationProjection
from .lifetable import N_AGES
from .retirement import minimum_contribution_years, retired_share

AGES = np.arange(N_AGES)


def account_divisor(age: np.ndarray) -> np.ndarray:
    """Months divisor of the individual account for retirement at `age` (completed years), from
    the bundled table of 国发〔2005〕38号's annex (`model/data/account_divisor.csv`); ages below
    and above the table take its first and last values."""
    table = bundled_table("account_divisor.csv")
    ages, months = table["age"].to_numpy(), table["months"].to_numpy(dtype=float)
    return months[np.clip(np.asarray(age) - ages[0], 0, len(ages) - 1)]


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
    return _memoised(scenario, ("retired", year), lambda: _retirement_prevalence(scenario, year))


def _retirement_prevalence(scenario: Scenario, year: int) -> np.ndarray:
    p = scenario.pension
    month = year * 12 + scenario.years.reference_month - 1
    reform = p.retirement_reform
    extra = p.extra_delay_months

    early_years = p.rules.special_early_years.at(year)

    def share(group, early=False):
        return retired_share(group, month, AGES, reform, early_years if early else 0.0, extra)

    special = float(p.special_early_share.at(year))
    cadres = float(p.women_cadre_share.at(year))
    men = (1 - special) * share("men") + special * share("men", early=True)
    women = (1 - special) * (cadres * share("women_cadres") + (1 - cadres) * share("women_workers")) \
        + special * share("women_workers", early=True)
    return np.stack([men, women])


def entry_ramp(ages) -> np.ndarray:
    """Share of a cohort's eventual coverage reached by age: 0 up to `entry_start`, 1 from
    `entry_full` (`pension.calibration.coverage_ages`)."""
    start, full = ages.entry_start.value(), ages.entry_full.value()
    return np.clip((AGES - start) / (full - start), 0.0, 1.0)


def calibrate_coverage(population: np.ndarray, retired: np.ndarray, insured: float, retirees: float,
                       ages) -> np.ndarray:
    """Base-year employee coverage by sex and age, (2, 101), hitting both counts exactly.

    Coverage is `young` × the entry ramp up to `older_from`, `old` from `older_full` and linear
    in between (`ages`: `pension.calibration.coverage_ages`), so the two levels solve a 2×2
    linear system: insured workers = Σ P·c·(1−R), retirees = Σ P·c·R.
    """
    older_from, older_full = ages.older_from.value(), ages.older_full.value()
    weight_old = np.clip((AGES - older_from) / (older_full - older_from), 0.0, 1.0)
    shape_young = entry_ramp(ages) * (1 - weight_old)
    shape_old = weight_old
    matrix = np.array([
        [(population * (1 - retired) * shape_young).sum(), (population * (1 - retired) * shape_old).sum()],
        [(population * retired * shape_young).sum(), (population * retired * shape_old).sum()],
    ])
    try:
        young, old = np.linalg.solve(matrix, [insured, retirees])
    except np.linalg.LinAlgError:
        raise ScenarioError("pension.calibration: the base population has nobody of working or retired age") from None
    if not (0 < young <= 1 and 0 < old <= 1):
        raise ScenarioError(
            f"pension.calibration: the base-year counts imply employee coverage of {young:.0%} (working age) "
            f"and {old:.0%} (retired cohorts); both must be above 0% and at most 100%"
        )
    return np.tile(young * shape_young + old * shape_old, (2, 1))


def cohort_coverage(base_coverage: np.ndarray, entry_levels: np.ndarray, ages) -> np.ndarray:
    """Employee coverage by sex and age in year base + t, where t = len(entry_levels) − 1.

    Cohorts past the full entry age (25 by default; `ages`: `pension.calibration.coverage_ages`)
    in the base year keep their base-year coverage. Younger cohorts take the entry level of
    the year they reach it (``entry_levels[s]`` for base + s; the current level while they are
    still younger), times the entry ramp.
    """
    full = int(ages.entry_full.value())
    t = len(entry_levels) - 1
    base_age = AGES - t
    kept = base_coverage[:, np.clip(base_age, 0, N_AGES - 1)]
    reaches_full = np.clip(t - np.maximum(AGES - full, 0), 0, t)  # index into entry_levels
    entering = entry_levels[reaches_full] * entry_ramp(ages)
    return np.where(base_age >= full, kept, entering)


def new_pension(scenario: Scenario, year: int, wage_last_year: float) -> np.ndarray:
    """Monthly pension at retirement by age of retirement 0..100 (yuan), 国发〔2005〕38号."""
    return _memoised(scenario, ("award", year, wage_last_year), lambda: _new_pension(scenario, year, wage_last_year))


def _new_pension(scenario: Scenario, year: int, wage_last_year: float) -> np.ndarray:
    e, w = scenario.pension.employee, scenario.pension.wages
    calculation_base = float(w.provincial_ratio.at(year - 1)) * wage_last_year / 12
    own_wage = float(e.base_to_wage.at(year)) * wage_last_year / 12
    density = float(e.contribution_density.at(year))
    career = np.maximum(AGES - float(e.career_start_age.at(year)), 0)
    career_with_accounts = np.minimum(career, max(year - scenario.pension.rules.account_start_year.at(year), 0))
    deemed_years = (career - career_with_accounts) * density
    # Those short of the legal minimum top up (Art. 2 of the 2024 Measures), into the account.
    account_years = np.maximum(career_with_accounts * density, minimum_contribution_years(year) - deemed_years)
    years_paid = deemed_years + account_years
    basic = (calculation_base + own_wage) / 2 * years_paid * float(e.accrual.at(year))
    transitional = own_wage * deemed_years * float(e.transitional_accrual.at(year))
    account = float(e.account_rate.at(year)) * 12 * own_wage * account_years / account_divisor(AGES)
    return basic + transitional + account


def project_pensions(scenario: Scenario, population: PopulationProjection) -> pd.DataFrame:
    """The pension stage: tidy rows (year, scheme, metric, value); money in yuan."""
    p = scenario.pension
    e, res = p.employee, p.resident
    years = population.years
    stocks = population.arrays.population  # (years, 2, 101)

    # Base-year calibration of coverage and resident participation.
    participants = float(p.calibration.participants.at(years[0]))
    employee_participants = participants * float(p.calibration.employee_share.at(years[0]))
    retiree_target = employee_participants * float(p.calibration.employee_retiree_share.at(years[0]))
    retired0 = retirement_prevalence(scenario, int(years[0]))
    ages = p.calibration.coverage_ages
    coverage0 = calibrate_coverage(stocks[0], retired0, employee_participants - retiree_target, retiree_target, ages)
    work_start = int(p.rules.work_start_age.at(years[0]))
    adult = AGES >= work_start
    non_employee0 = (stocks[0] * (1 - coverage0))[:, adult].sum()
    resident_rate = (participants - employee_participants) / non_employee0
    if not 0 < resident_rate <= 1:
        raise ScenarioError(
            f"pension.calibration.participants: {participants:,.0f} implies a resident-scheme participation "
            f"of {resident_rate:.0%} of the eligible population; must be 0–100%"
        )
    entry_levels = np.array([coverage0[0, int(ages.entry_full.value())]])  # by year since base

    wage = float(p.wages.average_wage.at(years[0]))
    previous_retired = retirement_prevalence(scenario, int(years[0]) - 1)
    average = None  # average pension by sex and age, yuan per month
    balances = {"employee": None, "resident": None}
    rows = []
    for t, year in enumerate(years):
        year = int(year)
        if t > 0:
            wage_last, wage = wage, wage * (1 + float(p.wages.growth.at(year)))
        pop = stocks[t]
        retired = retirement_prevalence(scenario, year)
        if t > 0:
            grown = entry_levels[-1] * (1 + float(e.entry_coverage_growth.at(year)))
            entry_levels = np.append(entry_levels, min(1.0, grown))
        coverage = cohort_coverage(coverage0, entry_levels, ages)
        insured = (pop * coverage * (1 - retired)).sum()
        contributors = insured * float(e.compliance.at(year))
        pensioners = pop * coverage * retired  # (2, 101)
        # Retired since the last stock date: the rise of the retired share along each cohort.
        aged_before = np.concatenate([np.zeros((2, 1)), previous_retired[:, :-1]], axis=1)
        newly = pop * coverage * np.clip(retired - aged_before, 0, None)
        if average is None:  # base year: every pensioner draws the base-year average
            average = np.full((2, N_AGES), float(e.average_pension.at(year)))
        else:
            carried = np.concatenate([average[:, :1], average[:, :-1]], axis=1) * (1 + float(e.indexation.at(year)))
            existing = np.clip(pensioners - newly, 0, None)
            with np.errstate(invalid="ignore", divide="ignore"):
                average = np.where(pensioners > 0,
                                   (existing * carried + newly * new_pension(scenario, year, wage_last)) / pensioners,
                                   carried)
        previous_retired = retired

        base_wage = float(e.base_to_wage.at(year)) * wage
        employee_spending = (pensioners * average).sum() * 12
        employee = _flows(
            revenue=contributors * base_wage * float(e.contribution_rate.at(year)),
            subsidy=employee_spending * float(e.subsidy_share.at(year)),
            expenditure=employee_spending,
        )
        employee.update(
            contributors=contributors, insured=insured, beneficiaries=pensioners.sum(),
            new_beneficiaries=newly.sum(),
            average_pension=_ratio((pensioners * average).sum(), pensioners.sum()),
            replacement_rate=_ratio((pensioners * average).sum() * 12, pensioners.sum() * wage),
            cost_rate=_ratio(employee["expenditure"], contributors * base_wage),
        )

        outside = pop * (1 - coverage) * resident_rate
        pension_age = int(p.rules.resident_pension_age.at(year))
        resident_contributors = outside[:, work_start:pension_age].sum()
        resident_pensioners = outside[:, pension_age:].sum()
        resident_pension = float(res.minimum_pension.at(year)) + float(res.local_pension.at(year))
        resident_spending = resident_pensioners * resident_pension * 12
        resident = _flows(  # the budget pays the basic and local pensions and the contribution subsidy
            revenue=resident_contributors * float(res.contribution.at(year)),
            subsidy=resident_spending + resident_contributors * float(res.contribution_subsidy.at(year)),
            expenditure=resident_spending,
        )
        reaching_pension_age = outside[:, pension_age].sum()
        resident.update(
            contributors=resident_contributors, insured=resident_contributors,
            beneficiaries=resident_pensioners, new_beneficiaries=reaching_pension_age,
            average_pension=resident_pension, replacement_rate=_ratio(resident_pension * 12, wage),
            cost_rate=_ratio(resident_spending, resident_contributors * wage),
        )

        rate = float(p.interest_rate.at(year))
        for scheme, flows, months in (("employee", employee, e.reserve_months), ("resident", resident, res.reserve_months)):
            if balances[scheme] is None:
                opening = float(months.at(year)) / 12 * flows["expenditure"]
                balances[scheme] = (opening, opening)
            with_subsidy, without = balances[scheme]
            with_subsidy = with_subsidy * (1 + rate) + flows["revenue"] + flows["subsidy"] - flows["expenditure"]
            without = without * (1 + rate) + flows["revenue"] - flows["expenditure"]
            balances[scheme] = (with_subsidy, without)
            flows.update(balance=with_subsidy, balance_without_subsidy=without,
                         months_covered=_ratio(with_subsidy * 12, flows["expenditure"]),
                         dependency_ratio=_ratio(100 * flows["beneficiaries"], flows["contributors"]))
            rows += [(year, scheme, metric, float(value)) for metric, value in flows.items()]
    return pd.DataFrame(rows, columns=["year", "scheme", "metric", "value"])


def _flows(revenue: float, subsidy: float, expenditure: float) -> dict:
    return {
        "revenue": revenue,
        "subsidy": subsidy,
        "expenditure": expenditure,
        "self_sufficiency_ratio": _ratio(revenue, expenditure),
    }


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN (an empty cell in pension.csv) when the denominator is 0."""
    return numerator / denominator if denominator else float("nan")


def pension_indicators(pension: pd.DataFrame) -> pd.DataFrame:
    """`pension_depletion_year` (first year the employee balance is negative) and
    `pension_first_deficit_year` (first year revenue + subsidy < expenditure); NaN when none."""
    wide = pension[pension.scheme == "employee"].pivot(index="year", columns="metric", values="value")
    depleted = wide.index[wide["balance"] < 0]
    deficit = wide.index[wide["revenue"] + wide["subsidy"] < wide["expenditure"]]
    return pd.DataFrame({
        "year": [np.nan, np.nan],
        "indicator": ["pension_depletion_year", "pension_first_deficit_year"],
        "value": [depleted.min() if len(depleted) else np.nan, deficit.min() if len(deficit) else np.nan],
    })
