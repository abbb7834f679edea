"""Care demand: state accounting, calibration fit, scenarios, and the bed arithmetic."""

import numpy as np
import pandas as pd
import pytest

from conftest import BASE
from model.care_demand import project_care_demand, project_states
from model.scenario import load_scenario
from model.demography import project_population


@pytest.fixture(scope="module")
def care_base():
    scenario = load_scenario(BASE)
    population = project_population(scenario)
    return scenario, population, project_care_demand(scenario, population)


def wide(care):
    return care.pivot(index="year", columns="metric", values="value")


def test_states_add_up_to_the_projected_population_aged_60_plus(care_base):
    scenario, population, _ = care_base
    counts = project_states(scenario, population).counts
    np.testing.assert_allclose(counts.sum(axis=2), population.arrays.population[:, :, 60:], rtol=1e-12)
    assert counts.min() >= 0


def test_calibration_fit_is_within_the_stated_tolerances(care_base):
    """Weighted least squares (see care_demand.calibrate): the 2020 census shares within 5% and
    1%, the national DFLE severe years within 20% (they cannot all hold with Jinzhong's life table)."""
    _, _, (care, fit) = care_base
    assert fit["care_fit_severe_share_60plus"] == pytest.approx(0.0234, rel=0.05)
    assert fit["care_fit_mild_share_60plus"] == pytest.approx(0.1041, rel=0.01)
    assert fit["care_fit_severe_years_after_60_male"] == pytest.approx(0.76, rel=0.20)
    assert fit["care_fit_severe_years_after_60_female"] == pytest.approx(1.18, rel=0.20)
    w = wide(care)
    assert w.at[2020, "severe"] / w.at[2020, "elderly_60plus"] == pytest.approx(fit["care_fit_severe_share_60plus"])
    assert w.at[2020, "elderly_60plus"] == pytest.approx(640_843, rel=1e-9)


def test_default_mix_reproduces_9073_overall_in_2020(care_base):
    w = wide(care_base[2][0])
    elderly = w.at[2020, "elderly_60plus"]
    assert w.at[2020, "users_home"] / elderly == pytest.approx(0.90, abs=0.01)
    assert w.at[2020, "users_community"] / elderly == pytest.approx(0.07, abs=0.01)
    assert w.at[2020, "users_institution"] / elderly == pytest.approx(0.03, abs=0.01)


def test_bed_arithmetic(care_base):
    scenario, _, (care, _) = care_base
    w = wide(care)
    occupancy = scenario.care.occupancy.at(2030)
    assert w.at[2030, "beds_needed"] == pytest.approx(w.at[2030, "users_institution"] / occupancy)
    assert w.at[2030, "bed_gap"] == pytest.approx(w.at[2030, "beds_needed"] - w.at[2030, "beds_supplied"])
    assert w.at[2030, "norm_gap"] == pytest.approx(40 * w.at[2030, "elderly_60plus"] / 1000 - w.at[2030, "beds_supplied"])
    assert w.at[2030, "beds_per_1000"] == pytest.approx(1000 * w.at[2030, "beds_supplied"] / w.at[2030, "elderly_60plus"])
    assert w.at[2025, "nursing_share"] == pytest.approx(0.55)


def test_constant_prevalence_reproduces_prevalence_times_population(care_base, overlay):
    scenario, population, (care, _) = care_base
    constant = load_scenario(overlay({"stages": ["pension", "care"], "care": {"morbidity": "constant_prevalence"}}))
    counts = project_states(constant, population).counts
    stocks = population.arrays.population[:, :, 60:]
    prevalence = counts[0] / stocks[0][:, None, :]
    np.testing.assert_allclose(counts, prevalence[None] * stocks[:, :, None, :], rtol=1e-12)


def test_user_prevalence_table_overrides_the_base_year(tmp_path, overlay):
    table = tmp_path / "prevalence.csv"
    pd.DataFrame([{"sex": s, "age": a, "mild": 0.1, "severe": 0.05} for s in ("male", "female")
                  for a in range(60, 101)]).to_csv(table, index=False)
    scenario = load_scenario(overlay({"care": {"prevalence_table": str(table)}}))
    care, _ = project_care_demand(scenario, project_population(scenario))
    w = wide(care)
    assert w.at[2020, "severe"] == pytest.approx(0.05 * w.at[2020, "elderly_60plus"])
    assert w.at[2020, "mild"] == pytest.approx(0.10 * w.at[2020, "elderly_60plus"])


def test_more_beds_close_the_gap_and_compression_lowers_need(care_base):
    _, population, (care, _) = care_base
    base = wide(care)
    expansion = load_scenario(BASE.parent / "scenarios" / "bed_expansion.yaml")
    more = wide(project_care_demand(expansion, population)[0])
    assert (more.loc[2026:, "bed_gap"] < base.loc[2026:, "bed_gap"]).all()
    assert (more.loc[:2025, "bed_gap"] == base.loc[:2025, "bed_gap"]).all()
    healthy = load_scenario(BASE.parent / "scenarios" / "healthy_ageing.yaml")
    fewer = wide(project_care_demand(healthy, population)[0])
    assert (fewer.loc[2025:, "severe"] < base.loc[2025:, "severe"]).all()
    assert fewer.at[2020, "severe"] == pytest.approx(base.at[2020, "severe"])


def test_beds_needed_are_nursing_beds_for_the_severe_and_general_beds_for_the_rest(shared_run):
    care = shared_run.tables["care"].pivot(index="year", columns="metric", values="value")
    np.testing.assert_allclose(care["beds_needed"], care["nursing_beds_needed"] + care["general_beds_needed"], rtol=1e-12)
    supplied_general = care["beds_supplied"] - care["nursing_beds_supplied"]
    np.testing.assert_allclose(care["general_bed_gap"], care["general_beds_needed"] - supplied_general, rtol=1e-9)
    np.testing.assert_allclose(care["occupancy_implied"], care["users_institution"] / care["beds_supplied"], rtol=1e-12)


def test_a_care_mix_far_from_the_observed_occupancy_is_reported(shared_run):
    from model.care_demand import observed_use_warnings

    scenario = shared_run.scenario
    lines = observed_use_warnings(scenario, shared_run.tables["care"])
    assert len(lines) == 1 and "observed occupancy of 50%" in lines[0]
    implied = shared_run.tables["care"].query("year == 2020 and metric == 'occupancy_implied'")["value"].item()
    close = scenario.overlaid({"care": {"observed_occupancy": round(implied, 2)}})
    assert observed_use_warnings(close, shared_run.tables["care"]) == []
