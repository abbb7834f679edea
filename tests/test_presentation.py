"""Charts (Chinese and English), the workbook, the HTML report and `simulate compare`."""

import json
import html
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import BASE, ROOT, cli, render_without_missing_glyphs
from model import charts, display, metrics

@pytest.fixture(scope="module")
def quick_run(shared_run, shared_run_folder):
    return shared_run, shared_run_folder


def plotted(figure) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, x, y) of every labelled line and bar series of a chart."""
    found = []
    for ax in figure.axes:
        for line in ax.get_lines():
            if not line.get_label().startswith("_"):
                found.append((line.get_label(), np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)))
        for bars in ax.containers:
            if not bars.get_label().startswith("_"):
                x = np.array([patch.get_x() + patch.get_width() / 2 for patch in bars])
                found.append((bars.get_label(), np.round(x), np.array([patch.get_height() for patch in bars])))
    return found


def check_plotted_data(figure, tables: dict, lang: str) -> int:
    """Every labelled series named after a registry metric shows that metric's values (in the
    unit the chart uses); returns how many series were checked."""
    by_name: dict[str, list] = {}
    for metric in metrics.REGISTRY.values():
        if metric.table in tables:
            by_name.setdefault(metric.name(lang), []).append(metric)
    checked = 0
    for label, x, y in plotted(figure):
        candidates = by_name.get(label.removesuffix(charts.text("right_axis", lang)), [])
        if not candidates:
            continue
        def matches(metric):
            series = charts._series(tables, metric.table, metric.key).set_index("year")["value"]
            divisor = display.scale(metric.unit, lang)[0] if metric.unit not in ("per_100",) else 1.0
            return np.allclose(y, series.reindex(x.astype(int)).to_numpy() / divisor, rtol=1e-9, equal_nan=True)
        assert any(matches(metric) for metric in candidates), f"{label!r} does not plot its metric"
        checked += 1
    return checked


def test_a_chart_plotting_the_wrong_metric_is_caught(quick_run):
    """The check above fails on a chart whose series is labelled beds needed but plots beds supplied."""
    result, _ = quick_run
    care = result.tables["care"]
    wrong = care[care.metric == "beds_supplied"]
    figure = charts.plt.figure()
    figure.gca().plot(wrong.year, wrong.value / 1e4, label=metrics.metric("care", "beds_needed").name("zh"))
    with pytest.raises(AssertionError, match="does not plot its metric"):
        check_plotted_data(figure, result.tables, "zh")
    charts.plt.close(figure)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_renders_in_both_languages_without_missing_glyphs(quick_run, lang):
    if lang == "zh":
        assert charts.cjk_font() is not None, "no CJK font: apt-get install fonts-noto-cjk (.ci/run does)"
    result, _ = quick_run
    charts.use_fonts(lang)
    context = charts.ChartContext.of(result.scenario, lang)  # as a run makes it
    drawn = charts.run_charts(result.tables)
    assert {"population_pyramid", "ageing_shares", "old_age_dependency", "births_deaths", "pension_people",
            "pension_finances", "disabled_by_severity", "beds", "nursing_share", "abm_waiting_institution", "abm_unmet_need",
            "abm_occupancy"} == set(drawn)
    checked = {}
    for name, draw in drawn.items():
        figure = draw(result.tables, context)
        checked[name] = check_plotted_data(figure, result.tables, lang)
        texts = [t.get_text() for t in figure.findobj(charts.matplotlib.text.Text)]
        assert any(("资料来源" if lang == "zh" else "Source:") in t for t in texts), name
        if name.startswith("abm_"):  # care mixes by their label or label_en
            assert ("社区优先" if lang == "zh" else "Community first") in texts, name
        render_without_missing_glyphs(figure)
    # The charts whose series are metrics, each series checked against its table.
    assert checked["ageing_shares"] == 3 and checked["births_deaths"] == 2 and checked["pension_finances"] == 4
    assert checked["pension_people"] == 3 and checked["beds"] == 4 and checked["nursing_share"] == 1
    runs = {"base": result.tables, "other": result.tables}
    for metric in (m for m in metrics.compared() if m.overlay):
        figure = charts.compare_chart(runs, context, metric)
        for label, x, y in plotted(figure):  # each scenario's line is the metric
            series = charts._series(result.tables, metric.table, metric.key).set_index("year")["value"]
            assert np.allclose(y, series.reindex(x.astype(int)) / display.scale(metric.unit, lang)[0]), label
        render_without_missing_glyphs(figure)


def test_charts_fall_back_to_english_with_one_warning_when_no_cjk_font(monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    lang, warning = charts.chart_language("zh")
    assert lang == "en" and "no Chinese (CJK) font found" in warning and "\n" not in warning
    assert charts.chart_language("en") == ("en", None)


def test_run_writes_charts_workbook_and_report(quick_run):
    result, folder = quick_run
    pngs = sorted(p.stem for p in (folder / "charts").glob("*.png"))
    assert len(pngs) == 12 and not list((folder / "charts").glob("*.svg"))  # outputs.chart_formats: [png]
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert {"results.xlsx", "report.html", "charts/beds.png"} <= set(manifest["files"])


def test_the_workbook_holds_the_same_numbers_as_the_csv_files(quick_run):
    _, folder = quick_run
    sheets = pd.read_excel(folder / "results.xlsx", sheet_name=None)
    readers = ["人口主要指标", "城镇职工基本养老保险", "城乡居民基本养老保险", "养老照护需求", "照护政策组合模拟"]
    assert list(sheets) == [*readers, "指标", "人口", "养老金", "照护需求", "照护格局模拟", "规划目标核对", "假设与来源"]
    for sheet, name in zip(list(sheets)[len(readers):], ("indicators", "population", "pension", "care", "abm")):
        csv = pd.read_csv(folder / f"{name}.csv")
        book = sheets[sheet]
        value = "人口" if name == "population" else "数值"
        assert len(book) == len(csv) and book.shape[1] == csv.shape[1] + 2 * ("名称" in book), name
        pd.testing.assert_series_equal(book[value].reset_index(drop=True), csv["population" if name == "population" else "value"]
                                       .reset_index(drop=True), check_names=False, rtol=1e-11)
        if "名称" in book:  # every indicator and metric key is named for the reader
            key = "指标"
            unnamed = book.loc[book["名称"] == book[key], key].unique()
            assert len(unnamed) == 0, (name, unnamed[:5])
    assert set(sheets["养老金"]["制度"]) == {"城镇职工", "城乡居民"} and set(sheets["人口"]["性别"]) == {"男", "女"}
    assumptions = sheets["假设与来源"]
    assert list(assumptions.columns) == ["名称", "参数代码", "年份或分项", "数值", "单位", "来源"]
    assert assumptions["来源"].notna().all()
    tfr = assumptions[assumptions["参数代码"] == "population.fertility.tfr"].set_index("年份或分项")
    assert tfr["名称"].iloc[0] == "人口·生育·总和生育率" and tfr.at[2020, "数值"] == 1.221   # numbers as numbers
    assert tfr["单位"].iloc[0] == "孩子数/妇女"
    assert assumptions.loc[assumptions["参数代码"] == "care.beds", "名称"].iloc[0] == "照护·养老床位"
    # The care sheet names the disability definition it depends on (comment and printed header).
    import openpyxl
    care = openpyxl.load_workbook(folder / "results.xlsx")["照护需求"]
    assert care["A1"].comment.text.startswith("失能口径：重度失能＝生活不能自理")
    assert care.oddHeader.left.text.startswith("失能口径：")


def test_the_workbook_opens_with_tables_of_years_for_readers(quick_run):
    """Indicators as rows, every year as a column, in 万人 / 亿元 / 张 / % rounded to each
    indicator's precision, with a title row and a note on timing below."""
    result, folder = quick_run
    population = pd.read_excel(folder / "results.xlsx", sheet_name="人口主要指标", header=1)
    assert list(population.columns[:2]) == ["名称", "单位"]
    assert [int(c) for c in population.columns[2:]] == list(range(2020, 2036))
    total = population.set_index("名称").loc["常住人口"]
    csv = result.tables["indicators"].query("indicator == 'population_total'").set_index("year")["value"]
    assert total["单位"] == "万人" and total.iloc[1] == round(csv[2020] / 1e4, 2) and total.iloc[-1] == round(csv[2035] / 1e4, 2)
    assert population.iloc[-1, 0].startswith("存量为当年11月1日")   # the note under the table
    pension = pd.read_excel(folder / "results.xlsx", sheet_name="城镇职工基本养老保险", header=1).set_index("名称")
    revenue = result.tables["pension"].query("scheme == 'employee' and metric == 'revenue' and year == 2025")["value"].item()
    assert pension.at["缴费收入", "单位"] == "亿元" and pension.at["缴费收入", "2025"] == round(revenue / 1e8, 2)
    assert pension.index[-1].startswith("收支为日历年")   # pension flows are calendar years
    births = population.set_index("名称").loc["出生人数"]
    assert pd.isna(births["2035"]) and births["2034"] == round(
        result.tables["indicators"].query("indicator == 'births' and year == 2034")["value"].item() / 1e4, 2)
    care = pd.read_excel(folder / "results.xlsx", sheet_name="养老照护需求", header=1).set_index("名称")
    gap = result.tables["care"].query("metric == 'bed_gap' and year == 2030")["value"].item()
    assert care.at["床位缺口（需求−供给）", "单位"] == "张" and care.at["床位缺口（需求−供给）", "2030"] == round(gap)
    mixes = pd.read_excel(folder / "results.xlsx", sheet_name="照护政策组合模拟", header=1)
    assert f"轮候养老床位人数：{result.scenario.abm.mixes['plan'].label}" in set(mixes["名称"])


def test_the_report_holds_every_chart_and_the_headline_figures(quick_run):
    result, folder = quick_run
    page = (folder / "report.html").read_text(encoding="utf-8")
    for png in (folder / "charts").glob("*.png"):
        assert f'id="{png.stem}"' in page and "data:image/png;base64," in page
    share = result.tables["indicators"].query("year == 2035 and indicator == 'share_60plus'")["value"].item()
    assert "60岁及以上人口占比，2020 → 2035" in page and f"→ {100 * share:.1f}%" in page
    gap = result.tables["care"].query("year == 2035 and metric == 'bed_gap'")["value"].item()
    assert "床位缺口" in page and f"→ {gap:,.0f}" in page
    assert "自给率" in page and "假设与来源" in page and "config_sha256" in page
    assert "失能口径：重度失能＝生活不能自理" in page
    assert "规划目标核对" in page and "按输入 care.nursing_share 设定" in page   # targets met by construction say so
    assert (folder / "targets.csv").exists()
    if "abm" in result.tables:   # what each care model answers, in one paragraph; the mixes' table
        assert "如何读照护结果" in page and "照护政策组合（主体模型）" in page
        from model.report import ABM_TABLE
        for key in ABM_TABLE:
            assert html.escape(metrics.metric("abm", key).zh) in page, key
        for mix in result.scenario.abm.mixes.values():
            assert f"<th>{mix.label}</th>" in page
        queue = result.tables["abm"].query("year == 2035 and metric == 'waiting_institution'").iloc[0]
        assert f"<td>{queue.value:,.0f} ({queue.low:,.0f}–{queue.high:,.0f})</td>" in page or queue.low == queue.high
    assert "src=\"http" not in page and "<script" not in page  # self-contained


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_the_report_renders_in_headless_chromium(quick_run, tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    from screenshot_report import screenshot

    image = screenshot(quick_run[1] / "report.html", tmp_path / "report.png", height=1200)
    assert image.stat().st_size > 50_000  # a page with charts, not a blank


def test_compare_writes_side_by_side_tables_and_reuses_finished_runs(tmp_path, overlay):
    quick = {"stages": ["pension", "care"], "outputs": {"chart_formats": ["png"]}}
    first = overlay({"name": "first", **quick}, "first.yaml")
    second = overlay({"name": "second", **quick, "outputs": {"charts": False},
                      "care": {"beds": {"values": 40000, "unit": "beds"}}}, "second.yaml")
    command = ["compare", first, second, "--out", "cmp", "-q"]
    done = cli(*command, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("compared first, second:")
    printed = done.stdout.splitlines()   # the key indicators of 2035 on the terminal, in the runs' language
    assert printed[0].split()[:3] == ["2035", "first", "second"]
    gap_line = next(line for line in printed if line.startswith("床位缺口"))
    assert gap_line.split()[-1] == f"{-(40000 - 30900):,}"
    table = pd.read_csv(tmp_path / "cmp" / "comparison.csv")
    gap = table.query("indicator == 'bed_gap' and year == 2035").set_index("scenario")
    assert gap.at["second", "difference"] == pytest.approx(-(40000 - 30900), abs=1e-6)
    assert (table.query("scenario == 'first'")["difference"].fillna(0) == 0).all()
    reader = pd.read_excel(tmp_path / "cmp" / "comparison.xlsx", sheet_name="主要指标情景比较", header=1)
    assert list(reader.columns) == ["名称", "单位", "年份", "first", "second", "second − first"]   # titles: none given
    gap_2035 = reader[(reader["名称"] == "床位缺口（需求−供给）") & (reader["年份"] == 2035)].iloc[0]
    assert gap_2035["单位"] == "张" and gap_2035["second − first"] == -(40000 - 30900)
    assert (reader.loc[reader["单位"] == "万人", "second − first"] == 0).all()   # rounded: no -2e-06 persons
    book = pd.read_excel(tmp_path / "cmp" / "comparison.xlsx", sheet_name="情景比较")
    assert list(book.columns) == ["表", "指标", "名称", "单位", "分组", "年份", "first", "second", "second − first"]
    assert (book["名称"] != book["指标"]).all()  # every compared indicator is named by the registry
    assert "自给率（缴费收入/支出）" in set(book["名称"]) and "城镇职工" in set(book["分组"])
    assert {p.name for p in (tmp_path / "cmp" / "charts").glob("*.png")} == {
        f"compare_{m.key}.png" for m in metrics.compared() if m.overlay}
    # A second comparison reuses both finished runs.
    stamp = (tmp_path / "outputs" / "first" / "manifest.json").stat().st_mtime_ns
    again = cli(*command, cwd=tmp_path)
    assert again.returncode == 0 and (tmp_path / "outputs" / "first" / "manifest.json").stat().st_mtime_ns == stamp


@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("pdftotext") is None,
                    reason="needs Debian's chromium and poppler-utils (.ci/run installs them)")
def test_the_report_prints_on_a_handful_of_a4_pages_without_its_folded_parts(quick_run, tmp_path):
    import subprocess

    pdf = tmp_path / "report.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path / 'profile'}", f"--print-to-pdf={pdf}",
                    (quick_run[1] / "report.html").as_uri()], capture_output=True, timeout=120)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info or "595.92 x 842.88" in info or "595 x 842" in info, info
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages <= 10, pages
    printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "图12" in printed.replace(" ", "") and "config_sha256" not in printed   # captions; the manifest folded away


def test_the_sweep_workbook_opens_with_a_table_for_readers(tmp_path):
    """sweep.xlsx: first the points side by side (each column headed by its number and its
    parameters in words), rounded to the indicator's precision, then the tidy sheet."""
    import itertools

    from model.outputs import write_sweep
    from model.scenario import load_scenario

    rows = [(point, beds, net, "care", "bed_gap", "", year, 900.4 * (4 - point) * (year - 2020))
            for point, (beds, net) in enumerate(itertools.product(["30900", "42000"], ["-16000", "0"]))
            for year in (2025, 2035)]
    table = pd.DataFrame(rows, columns=["point", "care.beds", "population.migration.net", "table", "indicator", "group",
                                        "year", "value"])
    folder, _ = write_sweep(table, load_scenario(BASE, {"outputs": {"charts": False}}), tmp_path / "sweep")
    sheets = pd.read_excel(folder / "sweep.xlsx", sheet_name=None, header=1)
    first = next(iter(sheets))
    assert first == "参数扫描主要指标" and len(sheets) == 2
    reader = sheets[first].dropna(subset=["年份"])
    assert list(reader.columns[3:5]) == ["点1：养老床位 30,900；净迁移人数 -16,000", "点2：养老床位 30,900；净迁移人数 0"]
    assert reader.columns[-1] == "点4 − 点1"
    assert reader.iloc[1, 3] == round(900.4 * 4 * 15) and reader.iloc[1, -1] == round(900.4 * 15) - round(900.4 * 4 * 15)
