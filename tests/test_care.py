"""Care demand: state accounting, calibration fit, scenarios, and the bed arithmetic."""

from pathlib import Path

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


# --------------------------------------------------------------------------- grades and their age pattern


def national_curves(scenario, definition=None):
    from model.disability import prevalence_curves
    c = scenario.care.calibration
    name = definition or scenario.care.definition
    return prevalence_curves(scenario.care.definitions[name], (c.reference_e60_male.value(), c.reference_e60_female.value()),
                             c.max_miss.value(), name)


@pytest.mark.parametrize("definition", ["ltc", "adl"])
def test_each_grade_curve_reaches_its_published_targets(care_base, definition):
    """Three logistic parameters per sex and grade against three published figures: exact."""
    from model.disability import _reference, band, statistics
    scenario = care_base[0]
    prevalence, fit = national_curves(scenario, definition)
    assert fit["care_fit_reference_miss"] < 1e-6
    c = scenario.care.calibration
    population, years = _reference(c.reference_e60_male.value(), c.reference_e60_female.value())
    spec = scenario.care.definitions[definition]
    for grade, curve in (("severe", prevalence[:, 2]), ("disabled", prevalence[:, 1] + prevalence[:, 2])):
        targets = getattr(spec, grade)
        both = (curve * population).sum() / population.sum()
        assert both == pytest.approx(targets.share_60plus.value(), rel=1e-6)
        for sex, name in enumerate(("male", "female")):
            assert curve[sex, -1] == pytest.approx(getattr(targets.share_100plus, name).value(), rel=1e-6)
            if targets.life_share is not None:
                assert statistics(curve[sex], population[sex], years[sex])[2] == pytest.approx(
                    getattr(targets.life_share, name).value(), rel=1e-6)
            else:
                g = targets.age_gradient
                assert statistics(curve[sex], population[sex], years[sex], band(g.low_ages), band(g.high_ages))[3] \
                    == pytest.approx(g.ratio.value(), rel=1e-6)


def test_the_curves_pass_near_published_shares_they_were_not_fitted_to(care_base):
    """CLHLS 2018 (any basic-ADL limitation, 65+, by sex) and the 2010 census (unable to care
    for themselves at 90+ and 100+): within each row's tolerance (tests/data/disability_checks.csv)."""
    from model.disability import _reference, band
    scenario = care_base[0]
    prevalence, _ = national_curves(scenario)
    c = scenario.care.calibration
    population, _ = _reference(c.reference_e60_male.value(), c.reference_e60_female.value())
    curves = {"any": prevalence[:, 1] + prevalence[:, 2], "severe": prevalence[:, 2]}
    checks = pd.read_csv(Path(__file__).parent / "data" / "disability_checks.csv").dropna(subset=["tolerance"])
    assert len(checks) >= 5
    for row in checks.itertuples():
        sexes = {"male": [0], "female": [1], "both": [0, 1]}[row.sex]
        ages = band((row.age_low, row.age_high))
        share = sum((curves[row.grade][s, ages] * population[s, ages]).sum() for s in sexes) / \
            sum(population[s, ages].sum() for s in sexes)
        assert share == pytest.approx(row.value, rel=row.tolerance), row


def test_severe_years_after_60_are_the_census_dfle_figures(care_base):
    """Lu et al. 2023: 0.76 (men) and 1.18 (women) years unable to self-care after 60, from the
    census life table (e60 22.54 / 25.98) — reproduced within 5% by the default curves."""
    from model.disability import _reference
    scenario = care_base[0]
    prevalence, _ = national_curves(scenario)
    c = scenario.care.calibration
    _, years = _reference(c.reference_e60_male.value(), c.reference_e60_female.value())
    severe_years = (prevalence[:, 2] * years).sum(axis=1) / years[:, 0]   # person-years per person aged 60
    assert severe_years[0] == pytest.approx(0.76, rel=0.05)
    assert severe_years[1] == pytest.approx(1.18, rel=0.05)


def test_prevalence_has_a_ceiling_at_the_oldest_ages(care_base):
    """CLHLS centenarians: about half with any basic-ADL limitation, 28% with three or more —
    not the 98% of an exponential without a ceiling; the curves flatten towards 100."""
    prevalence, _ = national_curves(care_base[0])
    disabled, severe = prevalence[:, 1] + prevalence[:, 2], prevalence[:, 2]
    assert (disabled[:, -1] < 0.6).all() and (severe[:, -1] < 0.32).all()
    for curve in (severe, disabled):
        rise = np.diff(curve, axis=1)
        assert (rise[:, -5:].sum(axis=1) < rise[:, -10:-5].sum(axis=1)).all()   # 95→100 below 90→95


def test_women_are_at_least_as_disabled_as_men_where_the_targets_say_so(care_base):
    """The census and CLHLS report more disability among older women: the 60+ share and the
    centenarians' share of each grade, and every ten-year age group from 70."""
    scenario, population, _ = care_base
    prevalence, _ = national_curves(scenario)
    for curve in (prevalence[:, 2], prevalence[:, 1] + prevalence[:, 2]):
        assert curve[1, -1] > curve[0, -1]
        for start in range(70, 100, 10):
            ages = slice(start - 60, start - 50)
            assert curve[1, ages].mean() >= curve[0, ages].mean()
    counts = project_states(scenario, population).counts[0]
    share = counts.sum(axis=2) / counts.sum(axis=(1, 2))[:, None]
    assert (share[1, 1:] > share[0, 1:]).all()


def test_incidences_keep_the_base_year_prevalence(care_base):
    """The incidences are derived so that, under the base-year death rates the projection
    applies, each age's prevalence moves to the next age's exactly: the projection's first
    year reproduces the base prevalence at 61..100+ (the ceiling holds at the oldest ages)."""
    scenario, population, (_, fit) = care_base
    assert fit["care_fit_incidence_miss"] < 1e-9
    states = project_states(scenario, population)
    onset, prevalence = states.calibration[0], states.calibration[1]
    assert (onset >= 0).all() and (onset <= 1).all()
    after_one_year = states.counts[1] / states.counts[1].sum(axis=1, keepdims=True)
    np.testing.assert_allclose(after_one_year[..., 1:], prevalence[..., 1:], atol=1e-12)


def test_the_2020_figures_reproduce_the_anchors(care_base):
    """Severe share: the national curves read over Jinzhong's older age structure; institutional
    residents: the observed 50% occupancy of the 25,600 beds, half of them self-caring."""
    scenario, _, (care, fit) = care_base
    w = wide(care)
    assert w.at[2020, "elderly_60plus"] == pytest.approx(640_843, rel=1e-9)
    assert w.at[2020, "severe"] / w.at[2020, "elderly_60plus"] == pytest.approx(fit["care_fit_severe_share_60plus"])
    assert 0.018 < fit["care_fit_severe_share_60plus"] < 0.0234       # Jinzhong is younger than China's 60+
    assert w.at[2020, "users_institution"] == pytest.approx(0.50 * 25_600)
    assert w.at[2020, "residents_self_caring"] == pytest.approx(0.50 * 0.50 * 25_600)
    assert w.at[2020, "occupancy_implied"] == pytest.approx(0.50)


def test_the_mix_is_a_target_reached_by_its_year(care_base):
    w = wide(care_base[2][0])
    elderly = w.at[2035, "elderly_60plus"]
    assert w.at[2035, "users_home"] / elderly == pytest.approx(0.90, abs=0.01)
    assert w.at[2035, "users_community"] / elderly == pytest.approx(0.07, abs=0.01)
    assert w.at[2035, "users_institution"] / elderly == pytest.approx(0.03, abs=0.005)
    assert w.at[2020, "users_institution"] / w.at[2020, "elderly_60plus"] < 0.025


def test_switching_the_definition_changes_the_grades_through_its_targets(care_base, overlay):
    scenario, population, (care, _) = care_base
    adl = load_scenario(overlay({"care": {"definition": "adl"}}))
    other = wide(project_care_demand(adl, population)[0])
    base = wide(care)
    assert other.at[2020, "severe"] > 3 * base.at[2020, "severe"]
    assert other.at[2035, "nursing_beds_needed"] > base.at[2035, "nursing_beds_needed"]
    assert adl.care.definition_in("zh").startswith("重度失能＝基本日常生活活动")


def test_bed_arithmetic(care_base):
    scenario, _, (care, _) = care_base
    w = wide(care)
    occupancy = scenario.care.occupancy.at(2030)
    assert w.at[2030, "beds_needed"] == pytest.approx(w.at[2030, "users_institution"] / occupancy)
    assert w.at[2030, "nursing_beds_needed"] == pytest.approx(
        (w.at[2030, "residents_mild"] + w.at[2030, "residents_severe"]) / occupancy)
    assert w.at[2030, "general_beds_needed"] == pytest.approx(w.at[2030, "residents_self_caring"] / occupancy)
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


def test_the_nursing_grades_decide_the_bed_split(care_base, overlay):
    _, population, (care, _) = care_base
    severe_only = load_scenario(overlay({"care": {"nursing_grades": ["severe"]}}))
    other = wide(project_care_demand(severe_only, population)[0])
    base = wide(care)
    np.testing.assert_allclose(other["beds_needed"], base["beds_needed"], rtol=1e-12)
    assert (other["nursing_beds_needed"] < base["nursing_beds_needed"]).all()
    np.testing.assert_allclose(other["nursing_beds_needed"], other["residents_severe"] / 0.85, rtol=1e-12)


def test_care_workers_are_split_by_setting(shared_run):
    care = shared_run.tables["care"].pivot(index="year", columns="metric", values="value")
    np.testing.assert_allclose(care["care_workers_needed"], care["care_workers_home"] + care["care_workers_institution"])
