"""Scenario loading: time paths, overlays, table paths, and calibration targets end to end."""

import numpy as np
import pandas as pd
import pytest

from conftest import BASE
from model.errors import ScenarioError
from model.scenario import load_scenario
from model.scenario.quantities import TfrPath
from model.demography import path_times, project_population

DATA = BASE.parent.parent / "tests" / "data"


@pytest.mark.parametrize(
    "path, years, expected",
    [
        (1.2, [2000, 2050], [1.2, 1.2]),
        ({2020: 1.0, 2030: 2.0}, [2010, 2020, 2025, 2030, 2040], [1.0, 1.0, 1.5, 2.0, 2.0]),
        ({"values": {2020: 1.0, 2030: 2.0}, "interpolation": "step"}, [2019, 2020, 2029.9, 2030, 2031], [1.0, 1.0, 1.0, 2.0, 2.0]),
    ],
)
def test_time_paths_interpolate_or_step_and_hold_flat_outside(path, years, expected):
    np.testing.assert_allclose(TfrPath.model_validate(path).at(years), expected)


def test_overlay_merges_mappings_and_replaces_paths(overlay):
    scenario = load_scenario(overlay({"name": "x", "population": {"fertility": {"tfr": {2030: 0.8}}}}))
    assert scenario.name == "x"
    tfr = scenario.population.fertility.tfr
    assert tfr.values == {2030: 0.8}  # the whole path replaced …
    assert tfr.unit == "children_per_woman" and tfr.source.changed_by == "scenario.yaml"  # … its unit and source kept
    assert tfr.source.title.startswith("UN World Population Prospects 2024")
    assert scenario.population.fertility.srb.values == 1.06  # sibling kept
    assert scenario.population.base.census_region == "晋中市"


def test_overlay_with_a_table_drops_the_calibrated_alternative_and_resolves_its_path(tmp_path, overlay):
    table = tmp_path / "tables" / "asfr.csv"
    table.parent.mkdir()
    rows = [{"year": y, "age": a, "asfr": 0.03} for y in range(2020, 2035) for a in range(20, 40)]
    pd.DataFrame(rows).to_csv(table, index=False)
    scenario = load_scenario(overlay({"population": {"fertility": {"table": "tables/asfr.csv"}}}))
    assert scenario.population.fertility.tfr is None
    assert scenario.population.fertility.table.path == table.resolve()
    tfr = project_population(scenario).indicators.query("indicator == 'tfr'")["value"]
    np.testing.assert_allclose(tfr, 0.6)


def test_cycle_in_extends_is_refused(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.yaml")


def test_unreachable_e0_is_refused(overlay):
    with pytest.raises(ScenarioError, match="population.mortality.e0: an e0 of 21 cannot be reached"):
        project_population(load_scenario(overlay({"population": {"mortality": {"e0": 21}}})))


def test_e0_indicators_equal_the_path_every_year(base_projection):
    scenario = base_projection.scenario
    expected = scenario.population.mortality.e0.at(path_times(scenario))
    # The pooled both-sexes e0 (WPP's definition) of the projection's own population, which
    # the calibration meets by a fixed point (demography.base_and_rates).
    e0 = base_projection.indicators.query("indicator == 'e0_total'")["value"].to_numpy()
    np.testing.assert_allclose(e0, expected, atol=1e-4)
    assert e0[0] == pytest.approx(77.3 + 0.8 * (10 / 12) / 5, abs=1e-4)  # read at 2020 + 10/12


def test_totals_only_region_is_calibrated_to_its_targets(overlay):
    """A region known only by totals: Shanxi's census profile scaled to Jinzhong's targets."""
    shares = {"0-14": 0.1642, "15-59": 0.6462, "60+": 0.1896, "65+": 0.1299}
    scenario = load_scenario(overlay({"population": {
        "base": {"census_region": "山西省", "total": 3379498, "shares": shares}, "students": None}}))
    first = project_population(scenario).indicators.query("year == 2020").set_index("indicator")["value"]
    assert first["population_total"] == pytest.approx(3379498, rel=1e-9)
    assert first["share_0_14"] == pytest.approx(0.1642, abs=1e-6)
    assert first["population_15_59"] / first["population_total"] == pytest.approx(0.6462, abs=1e-6)
    assert first["share_60plus"] == pytest.approx(0.1896, abs=1e-6)
    assert first["share_65plus"] == pytest.approx(0.1299, abs=1e-6)


def test_base_table_is_used_as_given():
    scenario = load_scenario(DATA / "wpp_china" / "scenario.yaml")
    result = project_population(scenario)
    table = pd.read_csv(DATA / "wpp_china" / "base_2000.csv")
    first = result.population.query("year == 2000").merge(table, on=["sex", "age"], suffixes=("", "_table"))
    np.testing.assert_allclose(first["population"], first["population_table"])
    assert result.transient.sum() == 0


def test_changing_the_census_region_drops_the_inherited_targets(overlay):
    scenario = load_scenario(overlay({"population": {"base": {"census_region": "太原市"}}}))
    assert scenario.population.base.total is None and scenario.population.base.shares == {}
    first = project_population(scenario).indicators.query("year == 2020").set_index("indicator")["value"]
    assert first["population_total"] == pytest.approx(5_304_061, rel=1e-9)  # Taiyuan, 2020 census


def test_a_source_note_is_shown_in_chinese_where_a_chinese_note_is_given():
    from model.scenario.quantities import Source

    source = Source(kind="assumption", note="a planning option", note_zh="规划备选方案")
    assert source.text("zh") == "假设：规划备选方案" and source.text("en") == "assumption: a planning option"
    assert Source(kind="assumption", note="only English").text("zh") == "假设：only English"


def _sources(value, path=""):
    """(path, Source) of every source in a loaded scenario."""
    from pydantic import BaseModel

    from model.scenario.quantities import Source

    if isinstance(value, Source):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _sources(getattr(value, name), f"{path}.{name}".lstrip("."))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _sources(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _sources(item, f"{path}[{i}]")


@pytest.mark.parametrize("config", sorted(p.name for p in BASE.parent.glob("*.yaml"))
                         + sorted(f"scenarios/{p.name}" for p in (BASE.parent / "scenarios").glob("*.yaml")))
def test_every_shipped_source_note_has_a_chinese_note(config):
    """The Chinese assumptions sheet and Word appendix read in Chinese: every note of a shipped
    configuration (and of the values derived for its region) has its note_zh."""
    missing = [path for path, source in _sources(load_scenario(BASE.parent / config)) if source.note and not source.note_zh]
    assert not missing, missing
