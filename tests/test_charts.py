"""Charts a planner pastes: labels (legends, annotations, titles) overlap neither the plotted
data nor each other, checked with matplotlib's text extents on every chart of a run."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Text

from model import charts


def collisions(figure) -> list[str]:
    """What overlaps on a drawn chart: a legend over a line's points, two text labels (legend,
    annotations, title) over each other. Extents in display pixels after drawing."""
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    found = []
    for ax in figure.axes:
        boxes = [(f"title {ax.get_title(loc='left')!r}", ax.title if ax.get_title() else None),
                 *[(f"annotation {t.get_text()!r}", t) for t in ax.texts]]
        legend = ax.get_legend()
        if legend is not None:
            boxes.append(("legend", legend))
        # A text's own box (Text.get_window_extent: an annotation's leader line is not a label).
        extents = [(name, Text.get_window_extent(artist, renderer) if isinstance(artist, Text) else
                    artist.get_window_extent(renderer)) for name, artist in boxes if artist is not None]
        extents += [(f"title {ax.get_title(loc='left')!r}", ax._left_title.get_window_extent(renderer))] \
            if ax.get_title(loc="left") else []
        for i, (name, box) in enumerate(extents):
            for other, second in extents[i + 1:]:
                if name != other and box.overlaps(second):
                    found.append(f"{name} over {other}")
        if legend is None:
            continue
        box = legend.get_window_extent(renderer).padded(-2)
        for line in ax.get_lines():
            if line.get_transform() != ax.transData:   # a full-height mark (base year, reform year)
                continue
            x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
            if len(x) > 1:   # the segments between the points too, not only the points
                steps = np.linspace(0, len(x) - 1, 20 * len(x))
                x, y = np.interp(steps, np.arange(len(x)), x), np.interp(steps, np.arange(len(y)), y)
            xy = ax.transData.transform(np.column_stack([x, y]))
            inside = [box.contains(x, y) for x, y in xy if np.isfinite(x) and np.isfinite(y)]
            if any(inside):
                found.append(f"legend over the line {line.get_label()!r}")
    return found


@pytest.fixture(scope="module")
def drawn(shared_run):
    from model.outputs import _chart_context

    ctx = _chart_context(shared_run.scenario, [])
    tables = dict(shared_run.tables)
    return {name: draw(tables, ctx) for name, draw in charts.run_charts(tables).items()}


def test_no_label_overlaps_the_data_or_another_label(drawn):
    problems = {name: found for name, figure in drawn.items() if (found := collisions(figure))}
    assert problems == {}


def test_titles_name_the_city_and_the_shaded_bed_gap_has_its_number(drawn, shared_run):
    for name, figure in drawn.items():
        title = figure.get_suptitle() or figure.axes[0].get_title(loc="left")
        assert title.startswith("晋中市"), (name, title)
    gap = shared_run.tables["care"].query("metric == 'bed_gap' and year == 2035")["value"].item()
    assert f"2035年缺口{gap:,.0f}张" in [t.get_text() for t in drawn["beds"].axes[0].texts]


def test_plan_targets_are_marked_on_their_chart(drawn, shared_run):
    marks = [t.get_text() for t in drawn["nursing_share"].axes[0].texts]
    targets = shared_run.tables["targets"].query("indicator == 'nursing_share'")
    assert [f"{int(y)}年目标{100 * v:.0f}%" for y, v in zip(targets.year, targets.target)] == [
        m for m in marks if "年目标" in m]


def test_compare_legends_use_the_scenarios_titles_and_explain_a_negative_gap(shared_run):
    from model import metrics
    from model.outputs import _chart_context

    ctx = _chart_context(shared_run.scenario, [])
    surplus = {**shared_run.tables, "care": shared_run.tables["care"].assign(
        value=lambda t: t.value.where(t.metric != "bed_gap", t.value - 50_000))}
    figure = charts.compare_chart({"base": shared_run.tables, "more_beds": surplus}, ctx,
                                  metrics.metric("care", "bed_gap"), {"base": "基准", "more_beds": "床位扩张"})
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()] == ["基准", "床位扩张"]
    assert "负值为床位富余" in [t.get_text() for t in figure.axes[0].texts]
    assert collisions(figure) == []


def test_fan_charts_keep_their_legend_off_the_median_and_name_the_city(shared_run):
    from model.outputs import _chart_context

    ctx = _chart_context(shared_run.scenario, [])
    rows = shared_run.tables["pension"]
    fan = rows.assign(p025=rows.value * 0.8, p10=rows.value * 0.9, p50=rows.value, p90=rows.value * 1.1,
                      p975=rows.value * 1.2)
    figure = charts.fan_chart({**shared_run.tables, "pension": fan}, ctx, "pension", "required_transfer", "fan_transfer")
    assert figure.axes[0].get_title(loc="left").startswith("晋中市") and collisions(figure) == []


def test_county_map_labels_that_would_cover_each_other_move_apart():
    """Small districts of a city centre: five labels at almost the same point end up apart."""
    import matplotlib.pyplot as plt

    from model.maps import _place_labels

    figure, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    _place_labels(figure, ax, [(f"区{i}\n+{i}.0", (5 + 0.05 * i, 5), 10 - i) for i in range(5)])
    assert len(ax.texts) == 5 and collisions(figure) == []
    plt.close(figure)
