"""Pensions: the retirement-age reform, cash-flow identities, scaling and the lever solver."""

import numpy as np
import pandas as pd
import pytest

from conftest import BASE
from model import bundled
from model.scenario import load_scenario
from model.demography import project_population
from model.pension import account_divisor, pension_indicators, project_pensions, retirement_prevalence
from model.rows import Rows
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
        expected = w["balance"].shift(1) * (1 + rate) + w["revenue"] + w["subsidy"] + w["transfers"] - w["expenditure"]
        np.testing.assert_allclose(w["balance"].iloc[1:], expected.iloc[1:], rtol=1e-12)
        expected = w["balance_standalone"].shift(1) * (1 + rate) + w["revenue"] + w["subsidy"] - w["expenditure"]
        np.testing.assert_allclose(w["balance_standalone"].iloc[1:], expected.iloc[1:], rtol=1e-12)
        np.testing.assert_allclose(w["required_transfer"], w["expenditure"] - w["revenue"] - w["subsidy"], rtol=1e-12)
        share = 1.0 if scheme == "employee" else 0.0     # the pool meets the employee scheme's gap (base.yaml)
        np.testing.assert_allclose(w["transfers"], share * w["required_transfer"], rtol=1e-12)
        expected = w["balance_without_subsidy"].shift(1) * (1 + rate) + w["revenue"] - w["expenditure"]
        np.testing.assert_allclose(w["balance_without_subsidy"].iloc[1:], expected.iloc[1:], rtol=1e-12)
        np.testing.assert_allclose(w["dependency_ratio"], 100 * w["beneficiaries"] / w["contributors"])
        np.testing.assert_allclose(w["self_sufficiency_ratio"], w["revenue"] / w["expenditure"])


def test_the_fund_identity_holds_with_an_interest_rate_that_changes(to_2040):
    scenario, population = to_2040
    varying = scenario.overlaid({"pension": {"interest_rate": {"values": {2020: 0.01, 2030: 0.04}}}})
    w = project_pensions(varying, population).query("scheme == 'employee'").pivot(index="year", columns="metric",
                                                                                   values="value")
    rate = varying.pension.interest_rate.at(w.index.to_numpy())
    expected = w["balance"].shift(1) * (1 + rate) + w["revenue"] + w["subsidy"] + w["transfers"] - w["expenditure"]
    np.testing.assert_allclose(w["balance"].iloc[1:], expected.iloc[1:], rtol=1e-12)


def test_the_first_deficit_year_starts_a_deficit_that_lasts():
    rows = []
    for year, revenue in ((2020, 7.0), (2021, 10.0), (2022, 7.0), (2023, 7.0)):   # short, surplus, short, short
        rows += [(year, "employee", "balance_standalone", 1.0), (year, "employee", "revenue", revenue),
                 (year, "employee", "subsidy", 1.0), (year, "employee", "expenditure", 9.0),
                 (year, "employee", "cost_rate", 0.3)]
    frame = pd.DataFrame(rows, columns=["year", "scheme", "metric", "value"])
    indicators = pension_indicators(Rows.of(frame), load_scenario(BASE)).frame().set_index("indicator")["value"]
    assert indicators["pension_first_deficit_year"] == 2022


def test_base_year_counts_match_the_calibration_targets(base_projection):
    scenario = base_projection.scenario
    pension = project_pensions(scenario, base_projection)
    first = pension[pension.year == 2020].pivot(index="scheme", columns="metric", values="value")
    calibration = scenario.pension.calibration   # the shares are derived from Jinzhong's census (localise.py)
    employee = 2_487_000 * calibration.employee_share.value()
    # Shanxi's calibrated share × Jinzhong's urban share over Shanxi's (census, students included)
    facts = bundled.bundled_table("census2020_region_facts.csv").set_index("county")
    urban = {r: facts.at[r, "urban"] / facts.at[r, "population"] for r in ("晋中市", "山西省")}
    assert calibration.employee_share.value() == pytest.approx(0.4051 * urban["晋中市"] / urban["山西省"], abs=0.002)
    assert first.at["employee", "insured"] + first.at["employee", "beneficiaries"] == pytest.approx(employee, rel=1e-9)
    retirees = employee * calibration.employee_retiree_share.value()
    assert first.at["employee", "beneficiaries"] == pytest.approx(retirees, rel=1e-9)
    resident = first.at["resident", "contributors"] + first.at["resident", "beneficiaries"]
    assert resident == pytest.approx(2_487_000 - employee, rel=1e-9)
    assert first.at["employee", "average_pension"] == pytest.approx(4142)
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
    ratio = (large / small)[small != 0]   # the resident scheme gets no pool transfers (0 in both)
    intensive = ratio.index.get_level_values("metric").isin(
        ["dependency_ratio", "months_covered", "self_sufficiency_ratio", "average_pension", "replacement_rate", "cost_rate",
         "income_rate", "average_new_award"])
    np.testing.assert_allclose(ratio[~intensive], 2.0, rtol=1e-9)
    np.testing.assert_allclose(ratio[intensive], 1.0, rtol=1e-9)


def test_indicators_name_the_depletion_and_first_deficit_years():
    rows = []
    for year, balance, revenue in ((2020, 5.0, 10.0), (2021, 1.0, 7.5), (2022, -2.0, 7.0)):
        rows += [(year, "employee", "balance_standalone", balance), (year, "employee", "revenue", revenue),
                 (year, "employee", "subsidy", 1.0), (year, "employee", "expenditure", 9.0),
                 (year, "employee", "cost_rate", 0.3)]
    frame = pd.DataFrame(rows, columns=["year", "scheme", "metric", "value"])
    indicators = pension_indicators(Rows.of(frame), load_scenario(BASE)).frame().set_index("indicator")["value"]
    assert indicators["pension_standalone_depletion_year"] == 2022
    assert indicators["pension_first_deficit_year"] == 2021


def test_solved_contribution_rate_balances_the_fund_at_the_horizon(base_projection):
    scenario = base_projection.scenario
    from model.solve import lever_overrides

    target = parse_target("balance_standalone_2035>=0", scenario)
    rate, margin = solve_lever(scenario, "contribution_rate", target)
    assert 0.1 < rate < 0.6 and margin >= 0
    lower = project_pensions(scenario.overlaid(lever_overrides(scenario, "contribution_rate", rate - 1e-4)),
                             base_projection).query("scheme == 'employee' and year == 2035")
    assert lower.query("metric == 'balance_standalone'")["value"].item() < 0  # a hair less: negative, the root is tight


def test_the_solver_acts_from_the_valuation_year_not_retroactively(base_projection):
    """The solved contribution rate applies from pension.valuation_year (2025): the published
    24% stays before it, so 2020–2024 revenue is unchanged."""
    from model.solve import lever_overrides

    scenario = base_projection.scenario
    solved = scenario.overlaid(lever_overrides(scenario, "contribution_rate", 0.30))
    before = project_pensions(scenario, base_projection).query("scheme == 'employee' and metric == 'revenue'")
    after = project_pensions(solved, base_projection).query("scheme == 'employee' and metric == 'revenue'")
    ratio = after.set_index("year")["value"] / before.set_index("year")["value"]
    assert (ratio.loc[:2024] == 1.0).all()
    assert ratio.loc[2025:].to_numpy() == pytest.approx(0.30 / 0.24)


def test_an_implausible_solution_is_flagged():
    from model.solve import plausibility_warning

    assert plausibility_warning("contribution_rate", 0.25) is None
    assert "outside" in plausibility_warning("contribution_rate", 0.45)
    assert "outside" in plausibility_warning("retirement_delay", 90)


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
    ceiling, _ = solve_lever(scenario, "contribution_rate", parse_target("balance_standalone_2035<=0", scenario))
    floor, _ = solve_lever(scenario, "contribution_rate", parse_target("balance_standalone_2035>=0", scenario))
    assert ceiling == pytest.approx(floor, abs=2e-5)  # both are the rate that balances 2035 exactly
    linear = load_scenario(BASE, {"pension": {"employee": {"indexation": {"values": {2020: 0.05, 2030: 0.01},
                                                                          "unit": "fraction_per_year"}}}})
    values = lever_overrides(linear, "indexation", 0.02)["pension"]["employee"]["indexation"]["values"]
    assert values[2023] == pytest.approx(0.038) and values[2026] == 0.02


# --------------------------------------------------------------------------- awards and pensions in payment


def stationary(scenario, years=31):
    """The base-year stock held for `years` years: what the pension stage reads of a projection."""
    from types import SimpleNamespace

    stock = project_population(scenario.overlaid({"years": {"end": scenario.years.base + 1}})).arrays.population[0]
    return SimpleNamespace(years=np.arange(scenario.years.base, scenario.years.base + years),
                           arrays=SimpleNamespace(population=np.repeat(stock[None], years, axis=0)))


def test_with_a_stationary_population_and_pensions_indexed_to_wages_the_rates_stay_put():
    """The awards and the pensions in payment are on one footing: with no legacy cohorts and nothing changing but
    wages (4% a year, past and future), pensions raised and accounts credited with wages, one coverage level at all
    ages, no reform and accounts since long before anyone's career, the replacement rate
    and the cost rate stay within 1 point over 30 years."""
    from model.pension import calibrate_coverage, entry_ramp, retirement_prevalence

    scenario = load_scenario(BASE, {
        "years": {"end": 2050}, "pension": {
            "retirement_reform": False, "rules": {"account_start_year": 1900},
            "wages": {"growth": 0.04, "past": "growth_path"},
            "employee": {"indexation": 0.04, "past_indexation": 0.04, "crediting_rate": 0.04, "legacy_until": 1900,
                         "account_rate": 0.08,
                         "contribution_relief": 0.0, "entry_coverage_growth": 0.0}}})
    population = stationary(scenario)
    stock, retired = population.arrays.population[0], retirement_prevalence(scenario, 2020)
    shape = entry_ramp(scenario.pension.calibration.coverage_ages)   # one level c at every age from 25
    retiree_share = float((stock * retired * shape).sum() / (stock * shape).sum())
    scenario = scenario.overlaid({"pension": {"calibration": {"employee_retiree_share": retiree_share}}})
    # The formula's own average as the published one: with no legacy cohort it must be met as it is.
    everyone_legacy = scenario.overlaid({"pension": {"employee": {"legacy_until": 2021}}})
    premium = project_pensions(everyone_legacy, population).attrs["legacy_premium"]
    average = float(scenario.pension.employee.average_pension.at(2020)) / (1 + premium)
    scenario = scenario.overlaid({"pension": {"employee": {"average_pension": {"values": {2020: average}}}}})
    coverage = calibrate_coverage(stock, retired, *(np.array([1 - retiree_share, retiree_share]) * 1e6),
                                  scenario.pension.calibration.coverage_ages)
    assert coverage[0, 30] == pytest.approx(coverage[0, 70])
    wide = project_pensions(scenario, population).query("scheme == 'employee'").pivot(
        index="year", columns="metric", values="value")
    for rate in ("replacement_rate", "cost_rate"):
        assert wide[rate].max() - wide[rate].min() < 0.01, (rate, wide[rate].round(4).to_dict())


def test_pensions_in_payment_are_lower_for_those_who_retired_longer_ago():
    """Today's pensioners drew the award of their retirement year, raised since: with
    indexation below wage growth the older a retiree the lower the pension (men, 60 vs 85)."""
    from model.pension import pensions_in_payment

    scenario = load_scenario(BASE)
    average, _, remaining, monthly = pensions_in_payment(scenario, np.array([[1.0], [1.0]]))
    assert average[0, 60] > average[0, 70] > average[0, 85] > 0
    assert average[1, 55] > average[1, 80] > 0
    # Women's lower wages (wages.female_ratio) lower their contributions, accounts and awards.
    lower = pensions_in_payment(scenario, np.array([[1.0], [0.8]]))[0]
    assert (lower[1, 50:] < average[1, 50:]).all() and (lower[0] == average[0]).all()


def test_the_award_divisor_is_read_at_the_age_at_retirement():
    """Men born in 1965 retire at 60 years and 1–4 months: those of them who retired in the
    year to 1 November 2026 are 60 or 61 on that day but retired at 60 completed years, so
    their account pension uses the divisor of 60 (139 months), not 61's (132)."""
    from model.pension import divisor_at, new_completed_age, new_retirement_age

    scenario = load_scenario(BASE)
    age, completed = new_retirement_age(scenario, 2026), new_completed_age(scenario, 2026)
    assert 60 < age[0, 60] < 61 and 60 < age[0, 61] < 61
    assert completed[0, 60] == completed[0, 61] == 60.0
    assert divisor_at(np.array(60.0)) == 139 and divisor_at(np.array(61.0)) == 132
    assert np.isnan(age[0, 40]) and np.isnan(age[0, 62])


def test_the_shipped_pension_calibration_is_the_fit_to_the_accounts():
    """configs/base.yaml carries the values scripts/calibrate_pension.py finds: Shanxi's 2024
    accounts (insured workers, retirees, spending per retiree, contributions) met exactly."""
    from model.pension_accounts import back_test

    shanxi = load_scenario(BASE.parent / "shanxi.yaml", {"years": {"end": 2024}, "stages": ["pension"]})
    errors = back_test(shanxi, "山西省").set_index("item")["error"]
    for item in ("insured_workers", "retirees", "expenditure"):
        assert abs(errors[item]) < 0.002, item
    assert abs(errors["revenue"]) < 0.03   # revenue + subsidy; the fund's interest is not modelled


def test_china_from_shanxis_calibration_is_near_the_national_accounts():
    """The held-out check: a projection of China with the ratios calibrated on Shanxi against
    the national accounts of 2021 and 2024 (中国统计年鉴2025 表24-26; 2021 bulletin). The
    errors are the README's back-test table."""
    from model.pension_accounts import back_test

    china = load_scenario(BASE, {"population": {"base": {"census_region": "全国"}}, "stages": ["pension"],
                                 "years": {"end": 2024}})
    errors = back_test(china, "全国").set_index(["year", "item"])["error"]
    assert abs(errors[(2024, "retirees")]) < 0.15 and abs(errors[(2021, "retirees")]) < 0.15
    assert abs(errors[(2024, "expenditure")]) < 0.15 and abs(errors[(2021, "expenditure")]) < 0.15
    assert abs(errors[(2024, "insured_workers")]) < 0.25
    assert abs(errors[(2024, "revenue")]) < 0.30


def test_a_pension_horizon_runs_the_pension_stage_on_to_2050():
    from model.pension import pension_population

    scenario = load_scenario(BASE, {"pension": {"horizon": 2050}, "stages": ["pension"]})
    population = pension_population(scenario, project_population(scenario))
    pension = project_pensions(scenario, population)
    assert pension["year"].max() == 2050 and np.isfinite(pension["value"]).all()
    ab_2035 = pension_indicators(Rows.of(project_pensions(scenario, project_population(scenario))), scenario).frame()
    ab_2050 = pension_indicators(Rows.of(pension), scenario).frame()
    value = {name: frame.set_index("indicator").at["pension_actuarial_balance", "value"]
             for name, frame in (("2035", ab_2035), ("2050", ab_2050))}
    assert np.isfinite(list(value.values())).all() and value["2050"] != pytest.approx(value["2035"], abs=1e-4)
    transfer = pension.query("scheme == 'employee' and metric == 'required_transfer'").set_index("year")["value"]
    assert transfer[2050] > transfer[2035]        # the ageing after 2035 is seen only with the horizon


def test_the_actuarial_balance_is_the_present_value_gap_over_the_contribution_base(base_projection):
    scenario = base_projection.scenario
    pension = project_pensions(scenario, base_projection)
    wide = pension.query("scheme == 'employee'").pivot(index="year", columns="metric", values="value").loc[2025:]
    discount = 1.025 ** -np.arange(1, len(wide) + 1)
    base = wide["expenditure"] / wide["cost_rate"]
    expected = ((discount * (wide["revenue"] + wide["subsidy"] - wide["expenditure"])).sum() / (discount * base).sum())
    indicators = pension_indicators(Rows.of(pension), scenario).frame().set_index("indicator")
    value = indicators.at["pension_actuarial_balance", "value"]
    assert value == pytest.approx(expected, rel=1e-9)


def test_pensioners_living_longer_than_their_age_group_raise_spending_not_the_base_year(base_projection):
    scenario = base_projection.scenario
    select = scenario.overlaid({"pension": {"pensioner_mortality_ratio": 0.8}})
    usual = project_pensions(scenario, base_projection).query("scheme == 'employee'").pivot(
        index="year", columns="metric", values="value")
    longer = project_pensions(select, base_projection).query("scheme == 'employee'").pivot(
        index="year", columns="metric", values="value")
    assert longer.at[2020, "beneficiaries"] == pytest.approx(usual.at[2020, "beneficiaries"])
    assert longer.at[2035, "beneficiaries"] > usual.at[2035, "beneficiaries"] * 1.01
    assert longer.at[2035, "expenditure"] > usual.at[2035, "expenditure"]
    assert longer.at[2035, "contributors"] == pytest.approx(usual.at[2035, "contributors"])


def test_the_resident_minimum_follows_the_published_path_then_its_rule():
    from model.pension import resident_minimum

    scenario = load_scenario(BASE)
    assert resident_minimum(scenario, 2024) == 123 and resident_minimum(scenario, 2025) == 143
    assert resident_minimum(scenario, 2027) == pytest.approx(143 * 1.03 ** 2)


def test_an_age_profile_of_wages_weighs_contributions_and_keeps_the_base_year(base_projection, tmp_path):
    scenario = base_projection.scenario
    humped = scenario.overlaid({"pension": {"wages": {"age_profile": {"16-24": 0.8, "25-44": 1.1, "45+": 0.9}}}})
    flat = project_pensions(scenario, base_projection).query("scheme == 'employee' and metric == 'revenue'")
    hump = project_pensions(humped, base_projection).query("scheme == 'employee' and metric == 'revenue'")
    flat, hump = flat.set_index("year")["value"], hump.set_index("year")["value"]
    assert hump[2020] == pytest.approx(flat[2020], rel=1e-9)        # normalised on the base year's workers
    assert hump[2035] != pytest.approx(flat[2035], rel=1e-3)       # the workforce's ages move on
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {BASE}\npension:\n  wages:\n    age_profile: {{'20-40': 1.1, '30-50': 0.9}}\n",
                   encoding="utf-8")
    with pytest.raises(Exception, match="overlap"):
        load_scenario(bad)


def test_a_retirees_account_is_drawn_down_by_the_divisor():
    """Without crediting, an account drawn at balance ÷ 139 a month (retirement at 60) lasts
    139 months: something left after 11 years, nothing after 12 (the pool pays on)."""
    from model.pension import remaining_account

    scenario = load_scenario(BASE, {"pension": {"employee": {"crediting_rate": 0.0}}})
    assert remaining_account(scenario, 2020, 60.0, 1.0, 2031) > 0 > remaining_account(scenario, 2020, 60.0, 1.0, 2032)
    credited = load_scenario(BASE)
    assert remaining_account(credited, 2020, 60.0, 1.0, 2031) > remaining_account(scenario, 2020, 60.0, 1.0, 2031)


def test_the_account_liabilities_are_reported(base_projection):
    wide = project_pensions(base_projection.scenario, base_projection).query("scheme == 'employee'").pivot(
        index="year", columns="metric", values="value")
    assert (wide["account_balance"] > 0).all() and (wide["account_balance_retirees"] > 0).all()
    assert wide["account_balance"][2035] > wide["account_balance"][2020]   # accounts fill as careers lengthen


def test_recent_retirees_draw_what_new_retirees_are_awarded(base_projection):
    """At the shipped settings the premium that makes the 2020 average the published one is
    carried only by the legacy cohorts (retired before legacy_until, 2014): men of 61 in 2020
    (retired 2019) are on the award formula's footing like new retirees, men of 70 (retired
    2010) all legacy; new awards lie below the average pension in payment."""
    from model.pension import pensions_in_payment

    scenario = base_projection.scenario
    pension = project_pensions(scenario, base_projection)
    indicators = pension_indicators(Rows.of(pension), scenario).frame().set_index("indicator")
    premium = indicators.at["pension_legacy_premium", "value"]
    assert premium > 0
    formula, legacy, _, _ = pensions_in_payment(scenario, np.array([[1.0], [1.0]]))
    assert legacy[0, 61] == 0 and legacy[0, 70] == pytest.approx(formula[0, 70])
    wide = pension.query("scheme == 'employee'").pivot(index="year", columns="metric", values="value")
    assert wide.at[2025, "average_new_award"] < wide.at[2025, "average_pension"]


def test_womens_shorter_contribution_records_lower_their_awards_only(base_projection):
    scenario = base_projection.scenario
    shorter = scenario.overlaid({"pension": {"employee": {"female_density_ratio": 0.8}}})
    from model.pension import new_awards, sex_factors

    factors = np.array([[1.0], [1.0]])
    usual, lower = new_awards(scenario, 2030, 100_000.0, factors), new_awards(shorter, 2030, 100_000.0, factors)
    assert (lower[1][usual[1] > 0] < usual[1][usual[1] > 0]).all()
    np.testing.assert_allclose(lower[0], usual[0])
    assert sex_factors(shorter, np.ones((2, 101)))[1, 0] == pytest.approx(sex_factors(scenario, np.ones((2, 101)))[1, 0])
