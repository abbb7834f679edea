"""Pensions: the retirement-age reform, cash-flow identities, scaling and the lever solver."""

import numpy as np
import pandas as pd
import pytest

from conftest import BASE
from model.scenario import load_scenario
from model.demography import project_population
from model.pension import account_divisor, pension_indicators, project_pensions, retirement_prevalence
from model.retirement import minimum_contribution_years, retirement_month
from model.solve import parse_target, solve_lever

# Published cases of the 2024 Decision (Annex tables; 人社部 examples): group, birth → age, month.
RETIREMENT_CASES = [
    ("men", 1965, 1, "60y1m", (2025, 2)),
    ("men", 1965, 5, "60y2m", (2025, 7)),
    ("men", 1976, 8, "62y11m", (2039, 7)),
    ("men", 1976, 9, "63y0m", (2039, 9)),
    ("men", 1964, 12, "60y0m", (2024, 12)),
    ("women_cadres", 1970, 1, "55y1m", (2025, 2)),
    ("women_cadres", 1981, 12, "58y0m", (2039, 12)),
    ("women_workers", 1975, 3, "50y2m", (2025, 5)),
    ("women_workers", 1984, 11, "55y0m", (2039, 11)),
]


@pytest.mark.parametrize("group, year, month, age, retires", RETIREMENT_CASES)
def test_retirement_rule_reproduces_published_cases(group, year, month, age, retires):
    months, ret_year, ret_month = retirement_month(group, year, month)
    assert f"{months // 12}y{months % 12}m" == age
    assert (ret_year, ret_month) == retires


def test_minimum_contribution_years_rise_from_2030_to_20_in_2039():
    np.testing.assert_allclose(minimum_contribution_years([2025, 2029, 2030, 2034, 2039, 2045]),
                               [15, 15, 15.5, 17.5, 20, 20])


def test_account_divisor_table_matches_the_2005_document():
    """国发〔2005〕38号: 50 → 195, 55 → 170, 60 → 139, 63 → 117; 31 ages from 40 to 70."""
    assert account_divisor(np.array([40, 50, 55, 60, 63, 70])).tolist() == [233, 195, 170, 139, 117, 56]
    assert account_divisor(np.array([35, 75])).tolist() == [233, 56]  # outside the table: its first and last


@pytest.fixture(scope="module")
def to_2040():
    scenario = load_scenario(BASE, {"years": {"end": 2040}})
    return scenario, project_population(scenario)


def _male_new_retirees(scenario, stocks, reform: bool) -> float:
    """Men (statutory rules only) reaching retirement over 2025–2039, from the model's prevalence."""
    trial = scenario.model_copy(update={"pension": scenario.pension.model_copy(update={
        "retirement_reform": reform,
        "special_early_share": scenario.pension.special_early_share.model_copy(update={"values": 0.0})})})
    total = 0.0
    for year in range(2025, 2040):
        t = year - scenario.years.base
        now, before = retirement_prevalence(trial, year)[0], retirement_prevalence(trial, year - 1)[0]
        rise = now - np.concatenate([[0.0], before[:-1]])
        total += (stocks[t, 0] * rise).sum()
    return total


def test_reform_cuts_new_male_retirees_2025_2039_by_a_fifth(to_2040):
    """One month of delay per four birth months spreads four months of births over five months
    of retirements: the flow falls to 4/5 during the phase-in (women workers: 2/3). With
    Jinzhong's cohorts the cut is smaller, because the 1977–79 cohorts pushed past 2039 are
    smaller than the 1965–76 cohorts (the issue's "about three quarters" is the rough figure)."""
    scenario, population = to_2040
    uniform = np.ones_like(population.arrays.population)
    ratio = _male_new_retirees(scenario, uniform, True) / _male_new_retirees(scenario, uniform, False)
    assert ratio == pytest.approx(0.80, abs=0.01)
    stocks = population.arrays.population
    jinzhong = _male_new_retirees(scenario, stocks, True) / _male_new_retirees(scenario, stocks, False)
    assert 0.75 < jinzhong < 0.87


def test_balance_follows_the_cash_flow_identity(to_2040):
    scenario, population = to_2040
    pension = project_pensions(scenario, population)
    rate = scenario.pension.interest_rate.at(0)
    for scheme in ("employee", "resident"):
        w = pension[pension.scheme == scheme].pivot(index="year", columns="metric", values="value")
        expected = w["balance"].shift(1) * (1 + rate) + w["revenue"] + w["subsidy"] - w["expenditure"]
        np.testing.assert_allclose(w["balance"].iloc[1:], expected.iloc[1:], rtol=1e-12)
        expected = w["balance_without_subsidy"].shift(1) * (1 + rate) + w["revenue"] - w["expenditure"]
        np.testing.assert_allclose(w["balance_without_subsidy"].iloc[1:], expected.iloc[1:], rtol=1e-12)
        np.testing.assert_allclose(w["dependency_ratio"], 100 * w["beneficiaries"] / w["contributors"])
        np.testing.assert_allclose(w["self_sufficiency_ratio"], w["revenue"] / w["expenditure"])


def test_base_year_counts_match_the_calibration_targets(base_projection):
    scenario = base_projection.scenario
    pension = project_pensions(scenario, base_projection)
    first = pension[pension.year == 2020].pivot(index="scheme", columns="metric", values="value")
    calibration = scenario.pension.calibration   # the shares are derived from Jinzhong's census (localise.py)
    employee = 2_487_000 * calibration.employee_share.value()
    assert calibration.employee_share.value() == pytest.approx(0.4673 * 0.600 / 0.638, abs=0.002)
    assert first.at["employee", "insured"] + first.at["employee", "beneficiaries"] == pytest.approx(employee, rel=1e-9)
    retirees = employee * calibration.employee_retiree_share.value()
    assert first.at["employee", "beneficiaries"] == pytest.approx(retirees, rel=1e-9)
    resident = first.at["resident", "contributors"] + first.at["resident", "beneficiaries"]
    assert resident == pytest.approx(2_487_000 - employee, rel=1e-9)
    assert first.at["employee", "average_pension"] == pytest.approx(3170)
    assert first.at["resident", "average_pension"] == pytest.approx(124)  # Jinzhong 2020 [plan]


def test_reform_lowers_spending_and_raises_contributors(to_2040):
    scenario, population = to_2040
    with_reform = project_pensions(scenario, population)
    without = project_pensions(load_scenario(BASE, {"years": {"end": 2040}, "pension": {"retirement_reform": False}}),
                               population)

    def value(frame, metric, year):
        return frame.query("scheme == 'employee' and metric == @metric and year == @year")["value"].item()

    assert value(with_reform, "beneficiaries", 2035) < value(without, "beneficiaries", 2035)
    assert value(with_reform, "contributors", 2035) > value(without, "contributors", 2035)
    assert value(with_reform, "beneficiaries", 2024) == pytest.approx(value(without, "beneficiaries", 2024))


def test_a_bigger_population_gives_proportionally_bigger_flows(overlay):
    common = {"population": {"migration": {"net": 0}}}
    one = load_scenario(overlay(common, "one.yaml"))
    two = load_scenario(overlay({**common, "population": {"migration": {"net": 0}, "base": {"total": 2 * 3379498}},
                                 "pension": {"calibration": {"participants": 2 * 2487000}}}, "two.yaml"))
    small = project_pensions(one, project_population(one)).set_index(["year", "scheme", "metric"])["value"]
    large = project_pensions(two, project_population(two)).set_index(["year", "scheme", "metric"])["value"]
    ratio = large / small
    intensive = ratio.index.get_level_values("metric").isin(
        ["dependency_ratio", "months_covered", "self_sufficiency_ratio", "average_pension", "replacement_rate", "cost_rate"])
    np.testing.assert_allclose(ratio[~intensive], 2.0, rtol=1e-9)
    np.testing.assert_allclose(ratio[intensive], 1.0, rtol=1e-9)


def test_indicators_name_the_depletion_and_first_deficit_years():
    rows = []
    for year, balance, revenue in ((2020, 5.0, 10.0), (2021, 1.0, 7.5), (2022, -2.0, 7.0)):
        rows += [(year, "employee", "balance", balance), (year, "employee", "revenue", revenue),
                 (year, "employee", "subsidy", 1.0), (year, "employee", "expenditure", 9.0)]
    frame = pd.DataFrame(rows, columns=["year", "scheme", "metric", "value"])
    indicators = pension_indicators(frame).set_index("indicator")["value"]
    assert indicators["pension_depletion_year"] == 2022
    assert indicators["pension_first_deficit_year"] == 2021


def test_solved_contribution_rate_balances_the_fund_at_the_horizon(base_projection):
    scenario = base_projection.scenario
    target = parse_target("balance_2035>=0", scenario)
    rate, margin = solve_lever(scenario, "contribution_rate", target)
    assert 0.24 < rate < 0.6 and margin >= 0
    balance = project_pensions(load_scenario(BASE, {"pension": {"employee": {"contribution_rate": rate - 1e-4}}}),
                               base_projection).query("scheme == 'employee' and metric == 'balance' and year == 2035")
    assert balance["value"].item() < 0  # a hair less and the balance is negative: the root is tight


def test_extra_delay_reaches_only_reform_cohorts_and_raises_self_sufficiency(base_projection):
    scenario = base_projection.scenario
    delayed = load_scenario(BASE, {"pension": {"extra_delay_months": 12}})
    base_run = project_pensions(scenario, base_projection).set_index(["year", "scheme", "metric"])["value"]
    later = project_pensions(delayed, base_projection).set_index(["year", "scheme", "metric"])["value"]
    assert later[(2024, "employee", "beneficiaries")] == pytest.approx(base_run[(2024, "employee", "beneficiaries")])
    assert later[(2030, "employee", "beneficiaries")] < base_run[(2030, "employee", "beneficiaries")]
    assert later[(2030, "employee", "self_sufficiency_ratio")] > base_run[(2030, "employee", "self_sufficiency_ratio")]


@pytest.mark.parametrize("group", ["men", "women_cadres", "women_workers"])
@pytest.mark.parametrize("reform, extra", [(True, 0), (False, 0), (True, 7)])
def test_retired_share_agrees_with_a_brute_force_count_of_birth_months(group, reform, extra):
    """Someone born mid-month b is aged x on the 1st of month S when b + 12x < S <= b + 12(x+1),
    and has retired when b + (retirement age in months) < S."""
    from model.retirement import RULES, retired_share, retirement_age_months

    for stock in (2025 * 12 + 10, 2031 * 12 + 0, 2040 * 12 + 6):
        ages = np.arange(45, 70)
        shares = retired_share(group, stock, ages, reform, extra_months=extra)
        for x, share in zip(ages, shares):
            born = [b for b in range(stock - 12 * (x + 2), stock) if b + 12 * x < stock <= b + 12 * (x + 1)]
            assert len(born) == 12
            affected = [b >= RULES[group].first_birth_year * 12 for b in born]
            ages_at_retirement = [int(retirement_age_months(group, np.array(b), reform)) + extra * a
                                  for b, a in zip(born, affected)]
            expected = np.mean([b + age < stock for b, age in zip(born, ages_at_retirement)])
            assert share == pytest.approx(expected), (stock, x)


def test_cohorts_keep_the_entry_level_of_the_year_they_turned_25():
    from model.pension import cohort_coverage

    base = np.full((2, 101), 0.3)
    levels = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 1.0])  # years 0..5 since base
    coverage = cohort_coverage(base, levels, load_scenario(BASE).pension.calibration.coverage_ages)  # year 5
    assert coverage[0, 29] == pytest.approx(0.6)  # aged 24 at base, turned 25 in year 1
    assert coverage[0, 25] == pytest.approx(1.0)  # turned 25 this year
    assert coverage[0, 30] == pytest.approx(0.3)  # aged 25 at base: keeps its base coverage
    assert coverage[0, 18] == 0.0


def test_a_long_run_to_2100_stays_finite():
    scenario = load_scenario(BASE, {"years": {"end": 2100}})
    pension = project_pensions(scenario, project_population(scenario))
    assert np.isfinite(pension["value"]).all()
    resident = pension.query("scheme == 'resident' and metric == 'beneficiaries' and year == 2100")["value"].item()
    assert resident > 10_000


def test_solver_handles_ceilings_and_keeps_linear_indexation_paths(base_projection):
    from model.solve import lever_overrides

    scenario = base_projection.scenario
    ceiling, _ = solve_lever(scenario, "contribution_rate", parse_target("balance_2035<=0", scenario))
    floor, _ = solve_lever(scenario, "contribution_rate", parse_target("balance_2035>=0", scenario))
    assert ceiling == pytest.approx(floor, abs=2e-5)  # both are the rate that balances 2035 exactly
    linear = load_scenario(BASE, {"pension": {"employee": {"indexation": {"values": {2020: 0.05, 2030: 0.01},
                                                                          "unit": "fraction_per_year"}}}})
    values = lever_overrides(linear, "indexation", 0.02)["pension"]["employee"]["indexation"]["values"]
    assert values[2023] == pytest.approx(0.038) and values[2026] == 0.02
