"""Any region from one YAML: migration as rates, year-end calibration, region-scaled inputs."""

import numpy as np
import pandas as pd
import pytest

from conftest import BASE
from model import bundled
from model.demography import Rates, calendar_year_view, migrants, project_population
from model.localise import derived_fields
from model.scenario import load_scenario
from model.year_end import fit_migration_rates, stock_targets


def region_scenario(tmp_path, region, extra=""):
    path = tmp_path / f"{region}.yaml"
    path.write_text(f"extends: {BASE}\npopulation:\n  base: {{census_region: {region}}}\n{extra}", encoding="utf-8")
    return load_scenario(path)


# --------------------------------------------------------------------------- migration as rates


def one_year_rates(schedule, net_total=0.0, net_rate=0.0):
    return Rates(years=np.array([2020]), mx=np.zeros((1, 2, 101)), asfr=np.zeros((1, 101)), srb=np.array([1.05]),
                 net_total=np.array([net_total]), net_rate=np.array([net_rate]), schedule=schedule)


def test_out_migration_is_a_rate_on_the_people_there_and_in_migration_follows_the_schedule():
    schedule = bundled.migration_schedule()
    settled = np.full((2, 101), 100.0)
    settled[:, 30] = 0.0                                  # nobody aged 30: nobody aged 31 can leave
    leaving, unmet = migrants(one_year_rates(schedule, net_total=-500.0), 0, settled)
    assert leaving.sum() == pytest.approx(-500.0, rel=1e-12) and unmet == pytest.approx(0.0, abs=1e-9)
    assert leaving[:, 31].sum() == 0.0 and (leaving <= 0).all()
    small, _ = migrants(one_year_rates(schedule, net_total=-1.0), 0, settled)   # small totals: ∝ s(x)·P(x − 1)
    at_risk = np.concatenate([settled[:, :1], settled[:, :-1]], axis=-1)
    np.testing.assert_allclose(small / small.sum(), schedule * at_risk / (schedule * at_risk).sum(), rtol=1e-3)
    arriving, _ = migrants(one_year_rates(schedule, net_rate=5.0), 0, settled)  # in: counts in the schedule's pattern
    assert arriving.sum() == pytest.approx(5.0 * settled.sum() / 1000)
    np.testing.assert_allclose(arriving / arriving.sum(), schedule / schedule.sum())
    # Asking for more than everyone takes nearly everyone, never more, and reports the rest.
    everyone, unmet = migrants(one_year_rates(schedule, net_total=-2 * settled.sum()), 0, settled)
    assert (-everyone <= at_risk + 1e-9).all() and unmet > settled.sum()


def yonghe(tmp_path, migration):
    return project_population(region_scenario(tmp_path, "永和县", f"  migration: {migration}\nyears: {{end: 2050}}\n"))


def test_a_shrinking_county_keeps_every_age_and_a_plausible_structure_to_2050(tmp_path):
    """永和县 (49,946 people in 2020) losing 1,500 in 2020 (30 per 1,000), the rate held to 2050."""
    projection = yonghe(tmp_path, "{rate: {values: -30.03, source: {kind: assumption, note: test}}}")
    both = projection.arrays.population.sum(axis=1)
    assert projection.arrays.net_migration[0].sum() == pytest.approx(-1500, rel=0.01)
    assert (both > 0).all() and not projection.warnings
    later = both[-1]
    assert 0.5 < later[60:].sum() / later.sum() < 0.8              # old, as heavy out-migration makes it
    assert later[20:30].sum() / later.sum() > 0.015                 # but young adults remain …
    neighbours = (np.convolve(later, np.ones(11), "same") - later) / 10
    assert (later[1:95] > 0.3 * neighbours[1:95]).all()             # … and no age is a hole in the pyramid
    identity = np.diff(projection.arrays.population.sum(axis=(1, 2)))
    flows = (projection.arrays.births + projection.arrays.net_migration - projection.arrays.deaths).sum(axis=1)
    np.testing.assert_allclose(identity, flows, rtol=1e-12, atol=1e-6)


def test_a_fixed_loss_larger_than_the_county_empties_no_age_and_says_so(tmp_path):
    """1,500 a year held in persons removes more than 45,000 of 49,946 people by 2050: out-migration
    takes at most the people there, every age stays positive while anyone is left, and the
    shortfall is reported."""
    projection = yonghe(tmp_path, "{net: {values: -1500, unit: persons_per_year, source: {kind: assumption, note: test}}}")
    both = projection.arrays.population.sum(axis=1)
    assert (both >= 0).all() and (both[:16] > 0).all()               # every single age positive to 2035
    assert projection.arrays.net_migration[:20].sum(axis=-1) == pytest.approx(-1500, rel=1e-9)
    assert any("could not supply" in warning for warning in projection.warnings)


# --------------------------------------------------------------------------- year-end calibration


def test_jinzhong_passes_through_its_published_year_ends_within_0_2_percent(base_projection):
    """晋中市: 339.00万 (2021), 339.45万 (2022), 337.65万 (2023), 3,338,533 (2024)."""
    scenario = base_projection.scenario
    assert scenario.population.year_end.values == {2021: 3_390_000, 2022: 3_394_500, 2023: 3_376_500,
                                                   2024: 3_338_533}
    calendar = calendar_year_view(base_projection.indicators, scenario.years.reference_month)
    for year, value in scenario.population.year_end.values.items():
        assert calendar.at[year, "year_end_population"] == pytest.approx(value, rel=0.002)


def test_the_shipped_migration_path_is_the_fit_to_the_bulletins():
    scenario = load_scenario(BASE)
    fit = fit_migration_rates(scenario)
    assert scenario.population.migration.rate.values == pytest.approx(fit.path(), abs=0.002)
    assert scenario.uncertainty.migration_sd.value() == pytest.approx(fit.spread)


def test_stock_targets_interpolate_between_year_ends_on_the_census_date():
    scenario = load_scenario(BASE)
    targets = stock_targets(scenario, 3_379_498)
    # 1 Nov 2021 lies 10/12 of the way from the 2020 year-end (itself 2/14 of the way from the
    # census to the 2021 year-end) to the 2021 year-end.
    end_2020 = 3_379_498 + 2 / 14 * (3_390_000 - 3_379_498)
    assert targets[2021] == pytest.approx(end_2020 + 10 / 12 * (3_390_000 - end_2020))
    assert targets[2024] == pytest.approx(3_376_500 + 10 / 12 * (3_338_533 - 3_376_500))


def test_the_typical_migration_sd_is_the_median_spread_of_shanxi_cities(tmp_path):
    cities = sorted(set(bundled.bundled_table("year_end_population.csv").region) - {"山西省"})
    assert len(cities) == 11
    spreads = [region_scenario(tmp_path, city).uncertainty.migration_sd.value() for city in cities]
    typical = load_scenario(BASE).uncertainty.typical_migration_sd.value()
    assert typical == pytest.approx(np.median(spreads), abs=0.001)


def test_a_stale_migration_path_is_reported_against_the_bulletins(tmp_path):
    from model.year_end import year_end_warnings

    scenario = load_scenario(BASE, {"population": {"migration": {"rate": 10}}})
    indicators = project_population(scenario).indicators
    lines = year_end_warnings(scenario, indicators)
    assert lines and "2024" in lines[-1] and "calibrate_migration.py" in lines[-1]


# --------------------------------------------------------------------------- region-scaled inputs


def test_a_city_with_published_year_ends_gets_its_own_fitted_migration(tmp_path):
    scenario = region_scenario(tmp_path, "大同市")
    migration = scenario.population.migration.rate
    assert migration.source.rule == "year_end_fit" and migration.source.region == "大同市"
    projection = project_population(scenario)
    calendar = calendar_year_view(projection.indicators, scenario.years.reference_month)
    assert calendar.at[2021, "year_end_population"] == pytest.approx(3_098_700, rel=0.002)
    assert calendar.at[2022, "year_end_population"] == pytest.approx(3_100_200, rel=0.002)
    assert "population.migration.rate" in derived_fields(scenario)


def test_shanxi_in_2023_matches_the_provincial_sample_survey_where_nothing_was_fitted():
    """2023年度山西省人口变动情况抽样调查主要数据 (山西省统计局, 2024-02-21; 黄河新闻网 copy), standard
    time 1 November 2023: 60+ 21.64%, 65+ 15.20%, 0–14 14.93%; births 21.31万 and deaths 29.11万
    in 2023. configs/shanxi.yaml fits only net migration to the year-end totals, so the age
    shares, births and deaths are a check the model was not tuned to."""
    projection = project_population(load_scenario(BASE.parent / "shanxi.yaml"))
    ind = projection.indicators.pivot(index="year", columns="indicator", values="value")
    assert ind.at[2023, "share_60plus"] == pytest.approx(0.2164, abs=0.004)
    assert ind.at[2023, "share_65plus"] == pytest.approx(0.1520, abs=0.007)
    assert ind.at[2023, "share_0_14"] == pytest.approx(0.1493, abs=0.003)
    calendar = calendar_year_view(projection.indicators, projection.scenario.years.reference_month)
    assert calendar.at[2023, "births"] == pytest.approx(213_100, rel=0.06)
    assert calendar.at[2023, "deaths"] == pytest.approx(291_100, rel=0.03)


def test_a_county_takes_its_citys_fitted_rates_and_a_province_elsewhere_none(tmp_path):
    county = region_scenario(tmp_path, "永和县").population.migration.rate
    city = region_scenario(tmp_path, "临汾市").population.migration.rate
    assert county.values == city.values and "临汾市" in county.source.note
    beijing = region_scenario(tmp_path, "北京市")
    assert beijing.population.migration.net.value() == 0 and beijing.population.year_end is None
    assert beijing.uncertainty.migration_sd.value() == load_scenario(BASE).uncertainty.typical_migration_sd.value()


# --------------------------------------------------------------------------- every census region


def local_figures(scenario):
    """(field, region of its source) of every time path whose source names a region."""
    from model.localise import time_paths

    return [(field, path.source.region) for field, path in time_paths(scenario)
            if path.source is not None and path.source.region]


_BASE_SCENARIO = {}


def check_region(region: str) -> dict:
    """Run the fast stages for a scenario naming only `region` on top of base.yaml and return
    what the test checks (run in worker processes: module-level, picklable)."""
    from model.localise import COUNTS, localise, place_of
    from model.runner import run_scenario

    if "base" not in _BASE_SCENARIO:
        _BASE_SCENARIO["base"] = load_scenario(BASE)
    scenario = localise(_BASE_SCENARIO["base"].overlaid(
        {"population": {"base": {"census_region": region}}, "stages": ["pension", "care"]}))
    place = place_of(scenario)
    foreign = [(field, owner) for field, owner in local_figures(scenario)
               if (owner not in place.chain or (field in COUNTS and owner != place.name))
               and ".reference_" not in field]   # the rules' references, scaled for the place
    result = run_scenario(scenario)
    indicators = result.tables["indicators"].set_index(["indicator", "year"])["value"]
    pension = result.tables["pension"].set_index(["scheme", "metric", "year"])["value"]
    care = result.tables["care"].set_index(["metric", "year"])["value"]
    return {"region": region, "foreign": foreign, "derived": derived_fields(scenario),
            "population": indicators[("population_total", 2020)], "census": float(place.groups.sum()),
            "participants": pension[("employee", "insured", 2020)] + pension[("employee", "beneficiaries", 2020)]
            + pension[("resident", "contributors", 2020)] + pension[("resident", "beneficiaries", 2020)],
            "dependency": pension[("employee", "dependency_ratio", 2020)],
            "beds": care[("beds_supplied", 2020)], "share_60plus_2035": indicators[("share_60plus", 2035)]}


def test_every_census_region_runs_from_its_name_alone_with_nothing_of_jinzhongs():
    """Every Shanxi city and county, every province and 全国: a scenario that names only the
    census region runs the pension and care stages, its 2020 population is its census, and no
    figure published for another region is used (counts only for the region itself)."""
    from model.parallel import map_in_processes

    table = bundled.bundled_table("census2020_region_facts.csv")
    ambiguous = table["county"].duplicated(keep=False)                 # e.g. 城区: named by its code
    regions = list(table["county"].where(~ambiguous, table["code"]))
    assert len(regions) == 164
    found = map_in_processes(check_region, [(region,) for region in regions], workers=2)
    for row in found:
        assert not row["foreign"], row
        assert row["population"] == pytest.approx(row["census"], rel=1e-9), row["region"]
        if row["region"] != "晋中市":
            assert row["beds"] != 25_600 and round(row["participants"]) != 2_487_000, row["region"]
            assert "care.beds" in row["derived"] and "pension.calibration.participants" in row["derived"]
        assert 0.05 < row["share_60plus_2035"] < 0.7, row["region"]
    dependency = pd.Series({row["region"]: row["dependency"] for row in found})
    assert dependency.nunique() > 100                                  # each region's own age structure
    assert dependency.min() > 5 and dependency.max() < 150
