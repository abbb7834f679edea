"""Plan targets: checked against the projection, labelled where an input sets them."""

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from conftest import BASE
from model.errors import ScenarioError
from model.scenario import load_scenario
from model.targets import checkpoints, on_track


def target(indicator, year, value, direction, table="care"):
    from model.scenario.quantities import Source

    return SimpleNamespace(table=table, indicator=indicator, year=year, value=value, direction=direction, group=None,
                           source=Source(kind="plan", title="a plan", year=2021, note="a note", note_zh="说明"))


def test_checkpoints_compare_the_projection_with_each_target_and_name_the_inputs_that_set_it():
    care = pd.DataFrame([(2025, "beds_per_1000", 39.9), (2025, "bed_gap", -100.0), (2030, "bed_gap", 250.0)],
                        columns=["year", "metric", "value"])
    table = checkpoints([target("beds_per_1000", 2025, 40, "at_least"), target("bed_gap", 2025, 0, "at_most"),
                         target("bed_gap", 2030, 0, "at_most"), target("severe", 2030, 1, "at_most"),
                         target("share_60plus", 2030, 0.3, "at_most", table="indicators")], {"care": care})
    assert table.on_track.tolist()[:3] == [False, True, False] and table.on_track.iloc[3] is None
    assert table.set_by_inputs.tolist()[:3] == ["care.beds", "", ""]   # beds per 1,000 follow the bed plan
    assert math.isnan(table.projected.iloc[3]) and len(table) == 4      # no indicators table: that target is skipped
    assert table.source.iloc[0] == "local plan (not checked elsewhere): a plan; 2021; a note"   # in the run's language
    chinese = checkpoints([target("bed_gap", 2025, 0, "at_most")], {"care": care}, "zh")
    assert chinese.source.iloc[0] == "地方规划（未另行核实）：a plan；2021；说明"
    assert on_track(5.0, 5.0, "at_least") and on_track(5.0, 5.0, "at_most")


def test_the_baseline_checks_the_plan_targets_of_2025_and_2030():
    from model.runner import run_scenario

    result = run_scenario(load_scenario(BASE, {"stages": ["pension", "care"]}))
    table = result.tables["targets"].set_index(["indicator", "year"])
    care = result.tables["care"].set_index(["metric", "year"]).value
    assert table.at[("beds_per_1000", 2030), "projected"] == pytest.approx(care[("beds_per_1000", 2030)])
    assert table.at[("nursing_share", 2025), "set_by_inputs"] == "care.nursing_share"
    assert not table.at[("beds_per_1000", 2030), "on_track"]   # beds held at 30,900 after 2025 fall behind the 60+


@pytest.mark.parametrize("change, message", [
    ({"indicator": "bedz"}, "targets.0: indicator: 'bedz' is not a metric of care.csv; did you mean"),
    ({"direction": "about"}, "targets.0.direction"),
])
def test_a_bad_target_is_one_line_naming_its_field(change, message):
    good = {"table": "care", "indicator": "bed_gap", "year": 2030, "value": 0, "direction": "at_most",
            "source": "assumption — test"}
    with pytest.raises(ScenarioError) as error:
        load_scenario(BASE, {"targets": [{**good, **change}]})
    assert message in str(error.value) and len(error.value.problems) == 1


def test_targets_outside_the_projection_are_not_checked_and_said_so():
    from model.runner import run_scenario

    result = run_scenario(load_scenario(BASE, {"stages": ["care"], "years": {"end": 2027}}))
    assert set(result.tables["targets"].year) == {2025}
    assert any("2 of the plan targets fall outside" in w or "3 of the plan targets fall outside" in w for w in result.warnings)
