"""Charts a planner pastes: every chart of a run, a comparison, a sensitivity analysis, a sweep
and a county run, in Chinese and English, plots its table's numbers, and no label (title,
source line, axis and tick labels, annotations, legend) covers another, leaves the figure or
lies on the plotted data; checked with matplotlib's extents in display pixels."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.legend import Legend
from matplotlib.text import Annotation, Text

from conftest import BASE, ROOT
from model import charts, maps, metrics
from model.scenario import load_scenario


# --------------------------------------------------------------------------- the overlap check


def labels(figure, renderer) -> list[tuple[str, object]]:
    """(name, box) of every label drawn on `figure`: each legend as one box, and every visible
    text with words (titles, source line, axis labels, annotations without their leader lines)
    except legend entries, the tick labels of ticks outside the axis' view and the axes' words
    of a plot drawn without axes (a map)."""
    legends = figure.findobj(Legend)
    entries = {text for legend in legends for text in legend.findobj(Text)}
    hidden = set()
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            shown = ax.axison and axis.get_visible()
            hidden |= set() if shown else {axis.label, axis.offsetText}
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not (shown and low - 1e-9 <= tick.get_loc() <= high + 1e-9):
                    hidden |= {tick.label1, tick.label2}
    found = [("legend", legend.get_window_extent(renderer)) for legend in legends]
    for text in figure.findobj(Text):
        if text.get_visible() and text.get_text().strip() and text not in entries and text not in hidden:
            if isinstance(text, Annotation):
                text.update_positions(renderer)
            found.append((repr(text.get_text()), Text.get_window_extent(text, renderer)))
    return found


def line_points(line) -> np.ndarray:
    """A drawn line as display points about a pixel apart (its segments, not only its vertices);
    a line of markers alone as its markers."""
    xy = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if line.get_linestyle() == "None" or len(xy) < 2:
        return xy
    steps = [np.linspace(a, b, max(2, int(np.hypot(*(b - a))) + 1)) for a, b in itertools.pairwise(xy)]
    return np.concatenate(steps)


def overlaps(figure) -> list[str]:
    """What overlaps on a drawn chart, in words: two labels over each other, a label that leaves
    the figure, a legend over a line, a bar or a filled area (band, stack), an annotation over a
    line or a bar (an annotation may sit on a filled area: the bed gap's number on its band)."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    found = []
    words = labels(figure, renderer)
    page = figure.bbox.padded(1)
    found += [f"{name} leaves the figure" for name, box in words
              if not (page.contains(box.x0, box.y0) and page.contains(box.x1, box.y1))]
    found += [f"{name} over {other}" for (name, box), (other, second) in itertools.combinations(words, 2)
              if box.padded(-1).overlaps(second.padded(-1))]
    for ax in figure.axes:
        if not ax.axison:   # a map: its labels are on the counties by design
            continue
        twins = ax.get_shared_x_axes().get_siblings(ax)
        covering = [(repr(t.get_text()), Text.get_window_extent(t, renderer)) for t in ax.texts if t.get_text()]
        legend = ax.get_legend()
        if legend is not None:
            covering.append(("legend", legend.get_window_extent(renderer)))
        for name, box in covering:
            box = box.padded(-1)
            for data in twins:
                found += [f"{name} over the line {line.get_label()!r}" for line in data.get_lines()
                          if any(box.contains(x, y) for x, y in line_points(line))]
                if any(box.overlaps(bar.get_window_extent(renderer)) for bar in data.patches):
                    found.append(f"{name} over a bar")
                if name == "legend":
                    found += [f"legend over the area {area.get_label()!r}" for area in data.collections
                              if isinstance(area, PolyCollection) and any(
                                  area.get_transform().transform_path(path).intersects_bbox(box) for path in area.get_paths())]
    return found


def test_the_overlap_check_finds_a_legend_on_a_line_labels_on_each_other_and_a_label_off_the_page():
    figure = charts.plt.figure(figsize=charts.SIZE)
    ax = figure.add_axes((0.1, 0.2, 0.8, 0.68))
    ax.plot([0, 10], [10, 0], label="falling")
    ax.plot([0, 10], [10, 10], label="flat at the top")
    ax.legend(loc="upper left")
    ax.annotate("first", (5, 5))
    ax.annotate("second", (5, 5))
    ax.annotate("off the page", (10, 5), xytext=(200, 0), textcoords="offset points")
    found = overlaps(figure)
    assert "legend over the line 'falling'" in found and "legend over the line 'flat at the top'" in found
    assert "'first' over 'second'" in found and "'off the page' leaves the figure" in found
    charts.plt.close(figure)


# --------------------------------------------------------------------------- every chart, drawn once


@pytest.fixture(scope="module")
def trial_run():
    """The baseline with 20 stochastic trajectories (the fan charts), without the agent-based stage."""
    from model.runner import run_scenario

    return run_scenario(load_scenario(BASE, {"uncertainty": {"trials": 20}, "stages": ["pension", "care"]}))


@pytest.fixture(scope="module")
def other_run():
    from model.runner import run_scenario

    return run_scenario(load_scenario(BASE.parent / "scenarios" / "care_9064.yaml", {"stages": ["pension", "care"]}))


@pytest.fixture(scope="module")
def sensitivity_table():
    from model.sensitivity import sensitivity

    return sensitivity(load_scenario(BASE))


def sweep_table() -> pd.DataFrame:
    """A sweep's table as `simulate sweep` writes it for configs/sweeps/beds_and_migration.yaml:
    9 points, their parameters as written (text), the bed gap of each milestone year."""
    rows = [(point, beds, net, "care", "bed_gap", "", year, 900.0 * (4 - point) * (year - 2020))
            for point, (beds, net) in enumerate(itertools.product(["30900", "36000", "42000"], ["-16000", "0", "10000"]))
            for year in (2025, 2030, 2035)]
    return pd.DataFrame(rows, columns=["point", "care.beds", "population.migration.net", "table", "indicator", "group",
                                       "year", "value"])


@pytest.fixture(scope="module", params=["zh", "en"])
def drawn(request, shared_run, trial_run, other_run, sensitivity_table, county_run):
    """Every chart in one language, by file name (as the run, compare, sensitivity and sweep
    commands name them), with the context each was drawn in."""
    lang = request.param
    charts.use_fonts(lang)
    ctx = charts.ChartContext.of(shared_run.scenario, lang)
    figures = {name: draw(shared_run.tables, ctx) for name, draw in charts.run_charts(shared_run.tables).items()}
    figures.update({name: draw(trial_run.tables, ctx) for name, draw in charts.run_charts(trial_run.tables).items()
                    if name.startswith("fan_")})
    titles = {"base": shared_run.scenario.title, "care_9064": other_run.scenario.title} if lang == "zh" else {}
    runs = {"base": shared_run.tables, "care_9064": other_run.tables}
    figures.update({f"compare_{m.key}": charts.compare_chart(runs, ctx, m, titles) for m in metrics.compared() if m.overlay})
    figures.update({f"tornado_{metric}": charts.tornado(sensitivity_table, ctx, (table, metric))
                    for table, metric in sensitivity_table[["table", "metric"]].drop_duplicates().itertuples(index=False)})
    figures["sweep_bed_gap"] = charts.sweep_chart(sweep_table(), ctx, ("care", "bed_gap"))
    counties = {**county_run.tables, **{f"county_{name}": table for name, table in county_run.regions.items()}}
    county_ctx = charts.ChartContext.of(county_run.scenario, lang)
    figures["county_ranking"] = charts.county_ranking(counties, county_ctx)
    if maps.available():
        figures.update({name: draw(counties, county_ctx) for name, draw in maps.map_charts(counties, []).items()})
    yield lang, ctx, figures
    for figure in figures.values():
        charts.plt.close(figure)


def test_no_label_covers_another_leaves_the_figure_or_lies_on_the_data(drawn):
    _, _, figures = drawn
    assert {"fan_pension_transfer", "compare_bed_gap", "tornado_bed_gap", "sweep_bed_gap", "beds"} <= set(figures)
    problems = {name: found for name, figure in figures.items() if (found := overlaps(figure))}
    assert problems == {}


def test_titles_name_the_city(drawn):
    lang, _, figures = drawn
    city = "晋中市" if lang == "zh" else "Jinzhong"
    for name, figure in figures.items():
        title = figure.get_suptitle() or figure.axes[0].get_title(loc="left")
        assert name.startswith("compare_") or title.startswith(city), (name, title)


def test_the_base_year_is_marked_under_its_tick_not_on_the_plot(drawn):
    lang, _, figures = drawn
    for name in ("births_deaths", "beds", "fan_bed_gap", "compare_bed_gap", "pension_people"):
        ticks = [label.get_text() for label in figures[name].axes[0].get_xticklabels()]
        assert ticks == ["2020\n基年" if lang == "zh" else "2020\nbase", "2025", "2030", "2035"][:len(ticks)], (name, ticks)
        assert not [t for t in figures[name].axes[0].texts if "2020" in t.get_text()], name


def test_fan_charts_draw_the_trials_intervals_as_visible_bands(drawn, trial_run):
    lang, _, figures = drawn
    ax = figures["fan_bed_gap"].axes[0]
    rows = trial_run.tables["care"].query("metric == 'bed_gap'").sort_values("year")
    divisor = 1e4 if lang == "zh" else 1e3
    bands = {area.get_label(): area for area in ax.collections}
    for label, low, high in (("interval_95", "p025", "p975"), ("interval_80", "p10", "p90")):
        band = bands[charts.text(label, lang)]
        edge = pd.DataFrame(band.get_paths()[0].vertices, columns=["year", "y"]).groupby("year").y
        assert np.allclose(edge.min(), rows[low] / divisor) and np.allclose(edge.max(), rows[high] / divisor), label
        red, green, blue, alpha = band.get_facecolor()[0]
        assert alpha == 1 and min(red, green, blue) < 0.85, label   # opaque and not near white
    assert len({tuple(area.get_facecolor()[0]) for area in ax.collections}) == 2   # told apart
    median = next(line for line in ax.get_lines() if line.get_label() == charts.text("median", lang))
    assert np.allclose(median.get_ydata(), rows.p50 / divisor)


def test_the_shaded_bed_gap_carries_its_end_year_number(drawn, shared_run):
    lang, _, figures = drawn
    gap = shared_run.tables["care"].query("metric == 'bed_gap' and year == 2035")["value"].item()
    expected = f"2035年缺口\n{gap:,.0f}张" if lang == "zh" else f"2035 gap:\n{gap:,.0f} beds"
    assert expected in [t.get_text() for t in figures["beds"].axes[0].texts]


def test_plan_targets_are_marked_at_their_year_and_value(drawn, shared_run, trial_run):
    """beds per 1,000 and the bed gap on the beds chart (as beds to supply), the nursing share on
    its chart, the bed gap on its fan chart; each a diamond with a label naming year and value."""
    lang, _, figures = drawn
    care = shared_run.tables["care"].pivot(index="year", columns="metric", values="value")
    targets = shared_run.tables["targets"].set_index(["indicator", "year"])["target"]
    beds = 1e4 if lang == "zh" else 1e3

    def marks(name):
        """(year, value) of each diamond, and the target labels."""
        ax = figures[name].axes[0]
        points = [(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.get_lines() if line.get_label() == "_target"]
        return np.array(points), [t.get_text() for t in ax.texts if ("目标" if lang == "zh" else "target") in t.get_text()]

    points, words = marks("beds")
    assert np.allclose(points, [(2025, 40 * care.at[2025, "elderly_60plus"] / 1000 / beds),
                                (2030, 40 * care.at[2030, "elderly_60plus"] / 1000 / beds),
                                (2030, (care.at[2030, "beds_needed"] - targets["bed_gap", 2030]) / beds)])
    assert words == (["2025年目标：每千名老人≥40张", "2030年目标：每千名老人≥40张", "2030年目标：缺口≤0张"] if lang == "zh" else
                     ["2025 target: ≥40 per 1,000", "2030 target: ≥40 per 1,000", "2030 target: gap ≤0 beds"])
    points, words = marks("nursing_share")
    assert np.allclose(points, [(2025, 55), (2030, 55)])
    assert words == (["2025年目标≥55%", "2030年目标≥55%"] if lang == "zh" else ["2025 target: ≥55%", "2030 target: ≥55%"])
    points, words = marks("fan_bed_gap")
    assert np.allclose(points, [(2030, 0)]) and words == (["2030年目标≤0张"] if lang == "zh" else ["2030 target: ≤0 beds"])
    assert trial_run.tables["targets"].query("indicator == 'bed_gap'").year.tolist() == [2030]


def test_compare_charts_name_the_scenarios_by_title_and_say_what_a_negative_gap_is(drawn, shared_run, other_run):
    lang, _, figures = drawn
    ax = figures["compare_bed_gap"].axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ([shared_run.scenario.title, other_run.scenario.title] if lang == "zh" else ["base", "care_9064"])
    assert ax.get_ylim()[0] < 0
    assert ax.get_ylabel() == ("万张（负值为床位富余）" if lang == "zh" else "thousand beds (negative: surplus of beds)")
    scenarios = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    for line, tables in zip(scenarios, (shared_run.tables, other_run.tables), strict=True):
        gap = tables["care"].query("metric == 'bed_gap'").sort_values("year")["value"]
        assert np.allclose(line.get_ydata(), gap / (1e4 if lang == "zh" else 1e3))
    # the first scenario's plan target on the gap (none in 2030) is marked at its year and value
    marks = [line for line in ax.get_lines() if line.get_label() == "_target"]
    assert [(float(m.get_xdata()[0]), float(m.get_ydata()[0])) for m in marks] == [(2030.0, 0.0)]


def test_sweep_bars_are_the_table_and_their_labels_name_the_parameters_in_words(drawn):
    lang, _, figures = drawn
    ax = figures["sweep_bed_gap"].axes[0]
    table = sweep_table().query("year == 2035")
    assert np.allclose([bar.get_height() for bar in ax.patches], table.value / (1e4 if lang == "zh" else 1e3))
    ticks = [label.get_text() for label in ax.get_xticklabels()]
    assert ticks[0] == "30,900\n-16,000" and ticks[-1] == "42,000\n10,000"
    if lang == "zh":
        assert ax.get_xlabel() == "各点参数（自上而下）：养老床位、净迁移人数"
        assert ax.get_title(loc="left") == "晋中市参数扫描：床位缺口（需求−供给）（2035年）"   # no English comma
    else:
        assert ax.get_xlabel() == "Parameters (top to bottom): care.beds, population.migration.net"


def test_tornado_bars_are_the_changes_from_the_base_value(drawn, sensitivity_table):
    lang, _, figures = drawn
    ax = figures["tornado_bed_gap"].axes[0]
    rows = sensitivity_table.query("metric == 'bed_gap'")
    divisor = 1e4 if lang == "zh" else 1e3
    low, high = ax.containers
    assert sorted(bar.get_width() for bar in low) == pytest.approx(sorted((rows.low - rows.base) / divisor))
    assert sorted(bar.get_width() for bar in high) == pytest.approx(sorted((rows.high - rows.base) / divisor))


def test_county_map_labels_that_would_cover_each_other_move_apart():
    """Small districts of a city centre: five labels at almost the same point end up apart."""
    figure, ax = charts.plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    maps._place_labels(figure, ax, [(f"区{i}\n+{i}.0", (5 + 0.05 * i, 5), 10 - i) for i in range(5)])
    assert len(ax.texts) == 5 and overlaps(figure) == []
    charts.plt.close(figure)


def test_the_screenshot_script_without_chromium_says_so_in_one_line():
    empty = {**os.environ, "PATH": os.path.dirname(sys.executable)}   # python, but no chromium
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "screenshot_report.py"), "report.html"],
                          capture_output=True, text=True, env=empty, timeout=60, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == "error: chromium not found (apt-get install chromium)"
