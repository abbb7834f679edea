"""The `simulate` command: outputs, manifest, atomic writes and one-line errors for bad input."""

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import BASE, cli, simulate
from model.folders import write_manifest

# One row per kind of bad input: (case, scenario overlay, extra file to write, expected words).
BAD_INPUTS = [
    ("negative TFR", "population: {fertility: {tfr: {2020: -1.0}}}", None,
     "population.fertility.tfr.values: -1 in 2020 is out of range; allowed 0 to 10"),
    ("share above 1", "population: {base: {shares: {'60+': 1.5}}}", None,
     "population.base.shares: 60+: 1.5 is out of range"),
    ("65+ share above 60+ share", "population: {base: {shares: {'60+': 0.10, '65+': 0.20}}}", None,
     "65+ share 0.2 exceeds 60+ share 0.1"),
    ("shares past 1", "population: {base: {shares: {'0-14': 0.5, '15-59': 0.6}}}", None,
     "sum to 1.100000"),
    ("unknown key", "population: {fertilty: {tfr: 1.2}}", None,
     "population.fertilty: unknown key; did you mean 'fertility'?"),
    ("missing table file", "population: {mortality: {e0: null, table: nothere.csv}}", None,
     "nothere.csv': file not found"),
    ("wrong CSV columns", "population: {mortality: {e0: null, table: table.csv}}", "a,b\n1,2\n",
     "has columns a, b; expected exactly year, sex, age, mx"),
    ("non-numeric value", "population: {fertility: {tfr: lots}}", None,
     "population.fertility.tfr.values: 'lots' is not a number"),
    ("non-numeric CSV cell", "population: {fertility: {tfr: null, table: table.csv}}", "year,age,asfr\n2020,20,abc\n",
     "column 'asfr', row 2: 'abc' is not a finite number"),
    ("end year before base year", "years: {base: 2020, end: 2010}", None,
     "years: end 2010 must be after base 2020"),
    ("table missing years", "population: {fertility: {tfr: null, table: table.csv}}", "year,age,asfr\n2020,20,0.05\n",
     "no rows for year 2021"),
    ("unknown census region", "population: {base: {census_region: 晋中}}", None,
     "did you mean '晋中市'?"),
    ("broken YAML", "population: {fertility: [1, 2", None, "line 3"),
    ("infinite CSV cell", "population: {fertility: {tfr: null, table: table.csv}}", "year,age,asfr\n2020,20,inf\n",
     "row 2: 'inf' is not a finite number"),
    ("incomplete death-rate table", "years: {base: 2020, end: 2021}\npopulation: {mortality: {table: table.csv}}", "year,sex,age,mx\n2020,male,0,0.01\n",
     "a death-rate table needs every year, sex and age 0..100"),
    ("boolean as a number", "population: {fertility: {tfr: {2020: true}}}", None, "True in 2020 is not a number"),
    ("student group outside the census", "population: {students: {ages: {'85+': [90, 95]}}}", None,
     "'85+' must be a census group between 1-4 and 80-84"),
    ("scenario extends a folder", "", None, "is a folder"),
    ("negative pension rate", "pension: {employee: {contribution_rate: -0.1}}", None,
     "pension.employee.contribution_rate.values: -0.1 is out of range; allowed 0 to 1"),
    ("contribution rate above 1", "pension: {employee: {contribution_rate: 1.6}}", None,
     "pension.employee.contribution_rate.values: 1.6 is out of range; allowed 0 to 1"),
    ("unknown pension scheme", "pension: {farmers: {contribution: 100}}", None,
     "pension.farmers: unknown key; allowed keys:"),
    ("unknown stage", "stages: [pension, care, lifestyle]", None, "stages.2: 'lifestyle': Input should be 'pension', 'care' or 'abm'"),
    ("abm without care", "stages: [pension, abm]", None, "stage 'abm' needs 'care' in stages"),
    ("negative bed capacity", "abm: {mixes: {tight: {beds: -5}}}", None,
     "abm.mixes.tight.beds.values: -5 is out of range; allowed 1 to 1e+08"),
    ("negative day-care places", "abm: {supply: {daycare_places: {2020: -100}}}", None,
     "abm.supply.daycare_places.values: -100 in 2020 is out of range"),
    ("ABM mix with its own shares", "abm: {mixes: {odd: {shares: {severe: {home: 0.6, community: 0.3, institution: 0.1}}}}}",
     None, "abm.mixes.odd: shares: a mix is a package of levers"),
    ("LTC insurance paying more than the price", "abm: {mixes: {odd: {ltc_insurance: {institution: 1.2}}}}", None,
     "abm.mixes.odd.ltc_insurance.institution.values: 1.2 is out of range"),
    ("zero replicates", "abm: {replicates: 0}", None, "abm.replicates: 0: Input should be greater than or equal to 1"),
    ("care mix not summing to 1", "care: {mix: {severe: {home: 0.5, community: 0.2, institution: 0.2}}}", None,
     "home + community + institution = 0.9; the shares must sum to 1"),
    ("occupancy 0", "care: {occupancy: 0}", None, "care.occupancy.values: 0 is out of range; allowed 0.01 to 1"),
    ("occupancy above 1", "care: {occupancy: 1.2}", None, "care.occupancy.values: 1.2 is out of range; allowed 0.01 to 1"),
    ("zero calibration target", "care: {definitions: {ltc: {disabled: {share_60plus: 0}}}}", None,
     "share_60plus: a calibration target must be above 0"),
    ("unknown disability definition", "care: {definition: census}", None,
     "care: definition: 'census' is not one of care.definitions (adl, ltc)"),
    ("two age gradients", "care: {definitions: {ltc: {disabled: {life_share: {male: 0.1, female: 0.1}}}}}", None,
     "give one of life_share and age_gradient"),
    ("time path where one value is read", "care: {transitions: {mortality_ratio_mild: {2020: 1.5, 2030: 1.2}}}", None,
     "mortality_ratio_mild: give one value; this setting does not change over time"),
    # Messages that once leaked parser internals, named nothing, or ran with nonsense.
    ("misspelt key inside a mapping", "care: {mix: {severe: {instituion: 0.3}}}", None,
     "care.mix.severe.instituion: unknown key; did you mean 'institution'?"),
    ("fractional year", "population: {fertility: {tfr: {2020.5: 1.2}}}", None,
     "population.fertility.tfr.values: 2020.5 is not a year"),
    ("superscript digit as a year", "population: {fertility: {tfr: {'²': 1.2}}}", None,
     "population.fertility.tfr.values: '²' is not a year"),
    ("boolean total", "population: {base: {total: true}}", None, "population.base.total: True is not a number"),
    ("total beyond any population", "population: {base: {total: 1e308}}", None,
     "population.base.total: '1e308': Input should be less than or equal to 2000000000"),
    ("migration beyond any population", "population: {migration: {net: 1e300}}", None,
     "population.migration.net.values: '1e300': 1e+300 is out of range; allowed -1e+08 to 1e+08"),
    ("all-zero base table", "population: {students: null, base: {table: table.csv}}",
     "sex,age,population\nmale,0,0\nfemale,0,0\n", "the table holds nobody (every count is 0)"),
    ("name that is not one folder", "name: '..'", None, "name: '..': a name may not start with '.'"),
    ("name with a slash", "name: a/b", None, "name: 'a/b' holds '/'"),
    ("duplicate year keys", "population: {fertility: {tfr: {2020: 1.2, '2020': 5.0}}}", None,
     "duplicate key '2020' (lines 2 and 2)"),
    ("duplicate sections", "care: {occupancy: 0.8}\ncare: {occupancy: 0.9}", None, "duplicate key 'care' (lines 2 and 3)"),
    ("ASFR beyond one birth a year", "population: {fertility: {tfr: null, table: table.csv}}",
     "year,age,asfr\n" + "".join(f"{y},30,50\n" for y in range(2020, 2035)),
     "column 'asfr', row 2: 50 is out of range; allowed 0 to 1"),
    ("ASFR summing past a TFR of 10", "population: {fertility: {tfr: null, table: table.csv}}",
     "year,age,asfr\n" + "".join(f"{y},{a},0.9\n" for y in range(2020, 2035) for a in range(15, 30)),
     "asfr sums to 13.5 (the TFR) in 2020; allowed at most 10"),
    ("prevalence past 1", "care: {prevalence_table: table.csv}", "sex,age,mild,severe\nmale,70,0.7,0.5\n",
     "row 2: mild + severe = 1.2; at most 1"),
    ("negative prevalence", "care: {prevalence_table: table.csv}", "sex,age,mild,severe\nmale,70,-0.1,0.1\n",
     "column 'mild', row 2: -0.1 is out of range; allowed 0 to 1"),
    ("someone else's file as a table", "population: {students: null, base: {table: table.csv}}",
     "root:$6$secretsalt$hash:19000:0:99999:7:::\n", "does not start with a header of column names"),
]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """The README's command end to end, as its own process: the baseline with every stage (a
    smaller agent-based experiment, one agent per 10 persons, 2 runs a mix, to keep it quick)."""
    folder = tmp_path_factory.mktemp("runs")
    scenario = folder / "e2e.yaml"
    scenario.write_text(f"extends: {BASE}\nname: base\nabm: {{scale: 20, replicates: 2}}\n", encoding="utf-8")
    out = folder / "base"
    result = simulate("run", scenario, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    return out, result


def test_run_writes_the_output_contract(finished_run):
    out, result = finished_run
    assert {p.name for p in out.iterdir()} == {"manifest.json", "population.csv", "indicators.csv", "pension.csv", "care.csv",
                                              "abm.csv", "abm_runs.csv", "targets.csv", "results.xlsx", "report.html",
                                              "report.docx", "charts"}
    abm = pd.read_csv(out / "abm.csv")
    assert list(abm.columns) == ["year", "mix", "metric", "value", "low", "high", "vs_first", "vs_first_low",
                                 "vs_first_high"]
    runs = pd.read_csv(out / "abm_runs.csv")
    assert list(runs.columns) == ["year", "mix", "metric", "replicate", "seed", "value"] and set(runs.replicate) == {0, 1}
    first = abm[abm.mix == abm.mix.iloc[0]]
    assert (first.vs_first.dropna() == 0).all()   # each mix against the first, run by run
    assert not abm.value.isna().any()   # no empty rows (flows end the year before the last stock)
    assert set(abm["mix"]) == {"plan", "ltc_insurance", "community_first", "bed_expansion"}
    assert {"occupancy", "occupancy_nursing", "empty_beds", "waiting", "mean_wait_months", "unmet_need",
            "severe_in_nursing_share", "beds_per_1000", "beds_norm_per_1000", "public_cost", "private_cost"} <= set(abm["metric"])
    assert ((abm.low <= abm.value + 1e-9) & (abm.value <= abm.high + 1e-9)).all()
    care = pd.read_csv(out / "care.csv")
    assert list(care.columns) == ["year", "metric", "value"]
    assert {"elderly_60plus", "elderly_80plus", "healthy", "mild", "severe", "users_home", "users_community",
            "users_institution", "beds_needed", "nursing_beds_needed", "beds_supplied", "nursing_beds_supplied",
            "beds_per_1000", "nursing_share", "bed_gap", "norm_gap", "daycare_places_needed",
            "care_workers_needed"} <= set(care["metric"])
    pension = pd.read_csv(out / "pension.csv")
    assert list(pension.columns) == ["year", "scheme", "metric", "value"]
    assert set(pension["scheme"]) == {"employee", "resident"}
    assert {"contributors", "insured", "beneficiaries", "new_beneficiaries", "dependency_ratio", "revenue",
            "subsidy", "expenditure", "required_transfer", "transfers", "balance", "balance_standalone",
            "balance_without_subsidy", "months_covered", "self_sufficiency_ratio", "average_pension",
            "average_new_award", "replacement_rate", "income_rate", "cost_rate"} <= set(pension["metric"])
    population = pd.read_csv(out / "population.csv")
    assert list(population.columns) == ["year", "sex", "age", "population"]
    assert set(population["sex"]) == {"male", "female"} and population["age"].max() == 100
    indicators = pd.read_csv(out / "indicators.csv")
    assert list(indicators.columns) == ["year", "indicator", "value"]
    required = {"pension_standalone_depletion_year", "pension_first_deficit_year", "pension_actuarial_balance", "population_total", "population_60plus", "population_65plus", "population_80plus",
                "share_60plus", "share_65plus", "share_80plus", "old_age_dependency_ratio", "median_age",
                "births", "deaths", "net_migration", "tfr", "e0_male", "e0_female", "e0_total"}
    assert required <= set(indicators["indicator"])
    share = indicators.query("year == 2020 and indicator == 'share_60plus'")["value"].item()
    assert share == pytest.approx(640_843 / 3_379_498, abs=1e-6)
    # --quiet: no progress; the one warning left is the baseline's own finding (the care mix
    # fills 69% of the 2020 beds where 50% are observed to be in use)
    assert [line for line in result.stderr.splitlines() if not line.startswith("warning: the care mix puts")] == []
    assert "结果目录：" in result.stdout and "常住人口" in result.stdout   # the summary in the run's language


def test_manifest_records_config_hash_versions_and_files(finished_run):
    out, _ = finished_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["config_sha256"]) == 64
    assert manifest["config"]["population"]["base"]["census_region"] == "晋中市"
    assert {"python", "numpy", "pandas", "mesa", "silverplan"} <= set(manifest["versions"])
    assert manifest["seed"] == 20201101
    assert {"population.csv", "indicators.csv", "pension.csv", "care.csv", "abm.csv",
            "results.xlsx", "report.html", "charts/population_pyramid.png"} <= set(manifest["files"])
    charts = {Path(name).stem for name in manifest["files"] if name.startswith("charts/")}
    for name in charts:  # each chart as PNG and SVG, the default formats
        assert {f"charts/{name}.png", f"charts/{name}.svg"} <= set(manifest["files"]), name
    assert "SeedSequence" in manifest["definitions"]["abm_replicate_seed"]
    assert manifest["definitions"]["care_severity"].startswith("重度失能＝生活不能自理")
    assert manifest["runtime_seconds"] >= 0


def test_rerun_replaces_previous_run_and_leaves_no_temporary_folders(tmp_path):
    out = tmp_path / "run"
    quick = tmp_path / "quick.yaml"
    quick.write_text(f"extends: {BASE}\nstages: [pension, care]\n", encoding="utf-8")
    for seed in ("1", "2"):
        assert cli("run", quick, "--out", out, "-q", "--seed", seed, "--no-charts").returncode == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quick.yaml", "run"]


def previous_results(folder):
    """A folder holding an earlier run's files, as silverplan leaves them."""
    folder.mkdir()
    (folder / "indicators.csv").write_text("previous run\n")
    write_manifest(folder, {"kind": "run", "scenario": "earlier"})
    return folder


@pytest.mark.parametrize("case, overlay_text, extra_file, expected", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_is_one_line_exit_2_and_keeps_previous_outputs(tmp_path, case, overlay_text, extra_file, expected):
    out = previous_results(tmp_path / "out")
    if extra_file is not None:
        (tmp_path / "table.csv").write_text(extra_file)
    scenario = tmp_path / "bad.yaml"
    parent = tmp_path if case == "scenario extends a folder" else BASE
    scenario.write_text(f"extends: {parent}\n{overlay_text}\n", encoding="utf-8")
    for command in (["run", scenario, "--out", out], ["validate", scenario]):
        result = cli(*command, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert lines[0].startswith("error: ") and str(scenario.name) in lines[0]
        assert expected in lines[0]
        assert "--out" not in lines[0] and "secretsalt" not in lines[0]
    assert (out / "indicators.csv").read_text() == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_bad_scenario_is_one_line_from_a_real_process_too(tmp_path):
    """End to end: exit status 2 and one line on stderr, no traceback."""
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"extends: {BASE}\npopulation: {{fertility: {{tfr: {{2020: -1.0}}}}}}\n", encoding="utf-8")
    result = simulate("run", scenario, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr == (
        f"error: {scenario}: population.fertility.tfr.values: -1 in 2020 is out of range; allowed 0 to 10\n")


def test_several_problems_are_listed_each_on_its_own_line(tmp_path):
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(f"extends: {BASE}\npopulation: {{fertility: {{tfr: -1}}, base: {{total: -3}}}}\n"
                        "care: {occupancy: 0, mix: {severe: {instituion: 0.3}}}\n", encoding="utf-8")
    result = cli("validate", scenario)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 4, result.stderr
    assert all(line.startswith(f"error: {scenario}: ") for line in lines)
    for words in ("population.base.total: -3", "population.fertility.tfr.values: -1 is out of range",
                  "care.occupancy.values: 0 is out of range", "care.mix.severe.instituion: unknown key"):
        assert any(words in line for line in lines), words


def test_bad_command_line_is_one_line_exit_2():
    result = simulate("run")  # a real process: click's usage errors as they reach a user
    assert result.returncode == 2
    assert result.stderr.strip() == "error: Missing argument 'CONFIG'."


def test_solve_prints_the_lever_value_and_refuses_a_bad_target():
    result = cli("solve", BASE, "--lever", "contribution_rate", "--target", "balance_standalone_2030>=0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("contribution_rate = ") and "balance_standalone_2030 >= 0" in result.stdout
    assert "from 2025" in result.stdout
    bad = cli("solve", BASE, "--lever", "indexation", "--target", "balance_standalone_1990>=0")
    assert bad.returncode == 2 and bad.stderr.strip().endswith("is outside the projection 2020..2035")


def test_validate_accepts_the_shipped_scenarios():
    for path in [*sorted(BASE.parent.glob("*.yaml")), *sorted((BASE.parent / "scenarios").glob("*.yaml"))]:
        result = cli("validate", path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("ok: ")


def test_a_failure_while_writing_leaves_the_previous_run_and_no_staging_folder(tmp_path, monkeypatch):
    from datetime import datetime, timezone

    from model import outputs
    from model.runner import run_scenario
    from model.scenario import load_scenario

    target = previous_results(tmp_path / "base")
    result = run_scenario(load_scenario(BASE, {"stages": ["pension", "care"], "outputs": {"charts": False}}))

    def broken_manifest(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "build_manifest", broken_manifest)
    with pytest.raises(OSError, match="disk full"):
        outputs.write_run(result, target, str(BASE), datetime.now(timezone.utc))
    assert (target / "indicators.csv").read_text() == "previous run\n"
    assert [p.name for p in tmp_path.iterdir()] == ["base"]


def test_out_never_replaces_a_folder_of_other_files(tmp_path, overlay):
    quick = overlay({"stages": ["pension", "care"]}, "quick.yaml")
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "notes.txt").write_text("keep me")
    result = cli("run", quick, "--out", precious, "-q")
    assert result.returncode == 2 and "does not hold earlier silverplan results" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (precious / "notes.txt").read_text() == "keep me"


def test_one_number_overrides_are_validated_recorded_and_never_replace_the_base_folder(tmp_path):
    """--set KEY=VALUE: a dotted key validated like the scenario file, written to its own folder
    (the base folder is left alone), recorded in the manifest with its source marked."""
    done = cli("run", BASE, "--set", "stages=[]", "--set", "population.fertility.tfr=1.0", "--no-charts", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folders = [p.name for p in (tmp_path / "outputs").iterdir()]
    assert len(folders) == 1 and folders[0].startswith("base_set-"), folders
    manifest = json.loads((tmp_path / "outputs" / folders[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["set"] == ["stages=[]", "population.fertility.tfr=1.0"] and manifest["config"]["stages"] == []
    tfr = manifest["config"]["population"]["fertility"]["tfr"]
    assert tfr["values"] == 1.0 and tfr["source"]["changed_by"] == "the command line"
    from model.cli import default_folder
    assert default_folder("base", settings=("care.beds=32000",)) == Path("outputs/base_care.beds=32000")
    assert default_folder("base", lang="en", settings=("care.beds=32000",)) == Path("outputs/base_en_care.beds=32000")
    for item, expected in (("care.bedz=3", "--set care.bedz: unknown key; did you mean 'beds'?"),
                           ("care.beds=-5", "care.beds.values: -5 is out of range"),
                           ("carebeds", "--set carebeds: give KEY=VALUE")):
        bad = cli("run", BASE, "--set", item, "-q", cwd=tmp_path)
        assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert expected in bad.stderr and "Traceback" not in bad.stderr


def test_the_summary_follows_the_language_and_shows_the_trials_interval(tmp_path):
    done = cli("run", BASE, "--set", "stages=[]", "--trials", "20", "--lang", "en", "--no-charts", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "80% interval over 20 trials" in done.stdout and lines[-1].startswith("results: ")
    population = next(line for line in lines if line.strip().startswith("Resident population"))
    low, high = (int(x.replace(",", "")) for x in population.rsplit("(", 1)[1].rstrip(")").split("–"))
    assert low < int(population.split()[-2].replace(",", "")) < high


def test_a_county_run_without_charts_never_imports_matplotlib(tmp_path):
    import subprocess
    import sys

    code = ("import sys\nfrom model.cli import entry\n"
            f"sys.argv = ['simulate', 'run', {str(BASE.parent / 'counties.yaml')!r}, '--set', 'stages=[pension,care]', "
            f"'--no-charts', '--quiet', '--out', {str(tmp_path / 'out')!r}]\n"
            "try:\n    entry()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib' or m == 'model.charts'))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=BASE.parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert (tmp_path / "out" / "results.xlsx").exists() and not (tmp_path / "out" / "charts").exists()
