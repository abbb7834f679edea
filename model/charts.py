"""All charts: one function per chart, taking the run's tidy tables and returning a Figure.

Charts are sized for half an A4 page (16 × 10 cm), titled, with units on the axes, the base
year and the targets marked, and a source line. Chinese by default; `lang="en"` for English.
Chinese needs a CJK font: `cjk_font()` looks for one among those commonly installed, and when
none is found the caller draws in English and says so once.
"""

from __future__ import annotations

import itertools
import textwrap

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from . import display, metrics  # noqa: E402
from .abm.experiment import PERCENTILES_FROM  # noqa: E402
from .labels import parameter_name, text  # noqa: E402

SIZE = (6.3, 3.9)   # inches: 16 × 10 cm, half an A4 page
DPI = 200
COLOURS = {"blue": "#1f4e79", "red": "#c0504d", "green": "#4f8a3c", "orange": "#e07b24", "grey": "#7f7f7f",
           "purple": "#6f4e9c", "teal": "#2a9d8f", "light": "#9dc3e6", "mid": "#6d9fd1", "pale": "#cfe0f1"}
SERIES = ["#1f4e79", "#c0504d", "#4f8a3c", "#e07b24", "#6f4e9c", "#2a9d8f", "#7f7f7f"]
MIX_STYLES = ("-", (0, (5, 2)), (0, (5, 2, 1, 2)), (0, (1, 1.5)))   # solid, dashed, dash-dot, dotted
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimHei", "PingFang SC",
             "WenQuanYi Micro Hei", "Noto Sans CJK JP", "Source Han Sans CN", "Heiti SC")


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first commonly installed font with Chinese glyphs, or None.

    matplotlib keeps a cached list of the system's fonts, made the first time it ran; a font
    installed after that (the README's `apt-get install fonts-noto-cjk` after a first run) is
    not in it. So when no CJK font is listed, the system's font folders are scanned once for
    fonts the list lacks, which are added (and the cache is updated for the next run)."""
    found = _listed_cjk_font()
    if found is None and _add_new_system_fonts():
        found = _listed_cjk_font()
    return found


def _listed_cjk_font() -> str | None:
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _add_new_system_fonts() -> bool:
    """Add to matplotlib's font list the system fonts it does not know; True if any were."""
    manager = font_manager.fontManager
    known = {font.fname for font in manager.ttflist}
    added = False
    for path in font_manager.findSystemFonts():
        if path not in known:
            try:
                manager.addfont(path)
                added = True
            except (OSError, RuntimeError, ValueError):  # a font file FreeType cannot read
                continue
    if added:
        cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{font_manager.FontManager.__version__}.json"
        try:
            font_manager.json_dump(manager, cache)
        except OSError:
            pass  # a read-only cache folder: the next run scans again
    return added


def chart_language(requested: str) -> tuple[str, str | None]:
    """The language charts can be drawn in, and a one-line warning when Chinese cannot."""
    if requested == "zh" and cjk_font() is None:
        return "en", ("no Chinese (CJK) font found (e.g. apt-get install fonts-noto-cjk); "
                      "charts are drawn in English")
    return requested, None


@dataclass(frozen=True)
class ChartContext:
    """What every chart needs besides the tables."""

    lang: str            # "zh" or "en" (after the font check)
    region: str          # shown in titles
    replicates: int = 0  # ABM runs behind the bands
    trials: int = 0      # stochastic trajectories behind the fans
    names: dict = field(default_factory=dict)  # care mixes and counties named in the charts' language
    formats: tuple = ("png", "svg")              # the files each chart is saved as
    definition: str = ""                         # the disability definition, on the care charts

    @classmethod
    def of(cls, scenario, lang: str) -> "ChartContext":
        """The context for a scenario's charts: its region named in the charts' language (an
        English chart gets `region_en`, else the scenario name); in Chinese the care mixes'
        `label`s, in English the counties' `regions.names_en`."""
        region = (scenario.region or scenario.title) if lang == "zh" else scenario.region_en
        names = scenario.mix_names(lang)
        if lang == "en" and scenario.regions:
            names.update(scenario.regions.names_en)
        return cls(lang=lang, region=region or scenario.name, names=names, formats=tuple(scenario.outputs.chart_formats),
                   replicates=scenario.abm.replicates if scenario.abm else 0, trials=scenario.uncertainty.trials,
                   definition=scenario.care.definition_in(lang) if scenario.care else "")

    def care_source(self) -> str:
        """The source line of a chart that depends on the disability definition: it names it,
        wrapped to the page (a Chinese character is about two Latin letters wide)."""
        width = 72 if self.lang == "zh" else 120
        return text("source_care", self.lang, definition="\n".join(textwrap.wrap(self.definition, width)))

    def name_of(self, key: str) -> str:
        """A care mix or county as the reader knows it (the key when no name is given)."""
        return self.names.get(key, key)


def use_fonts(lang: str) -> None:
    font = cjk_font()
    plt.rcParams.update({
        "font.family": "sans-serif",
        # Per-glyph fallback: an English chart still draws a Chinese place name it has no
        # English name for with the CJK font.
        "font.sans-serif": ([font, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", font]) if font else ["DejaVu Sans"],
        "axes.unicode_minus": False,
        "font.size": 8, "axes.titlesize": 10, "axes.labelsize": 8, "legend.fontsize": 7,
        "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.spines.top": False, "axes.spines.right": False,
        "svg.hashsalt": "silverplan",  # stable SVG ids: the same run gives the same files
    })


# --------------------------------------------------------------------------- helpers


def _figure(ctx: ChartContext, title: str, source: str | None = None) -> tuple[Figure, plt.Axes]:
    fig = plt.figure(figsize=SIZE)
    ax = fig.add_axes((0.1, 0.2, 0.8, 0.68))
    ax.set_title(title, loc="left", fontweight="bold")
    fig.text(0.01, 0.015, source or text("source", ctx.lang), fontsize=6.5, color=COLOURS["grey"])
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _time_axis(ax, years, ctx: ChartContext) -> None:
    """The projection's years: a tick at the base year, marked 基年 under it (outside the plot,
    so no curve or legend covers the mark), then every fifth year (every year over a short
    projection, every tenth over a long one), and a minor tick each year."""
    years = np.asarray(years)
    base, end = int(years.min()), int(years.max())
    step = 1 if end - base <= 8 else 5 if end - base <= 40 else 10
    ticks = [base, *(year for year in range(base + 1, end + 1) if year % step == 0 and year - base > step / 2)]
    ax.set_xlim(base - 0.5, end + 0.5)
    ax.set_xticks(ticks, [text("base_year", ctx.lang, year=base), *map(str, ticks[1:])])
    ax.xaxis.set_minor_locator(matplotlib.ticker.MultipleLocator(1))


def _scale(table: str, key: str, ctx: ChartContext) -> tuple[float, str]:
    """(divisor, axis label) of a metric's unit in the charts' language (万人, 亿元, % …)."""
    return display.scale(metrics.metric(table, key).unit, ctx.lang)


def _name(table: str, key: str, ctx: ChartContext) -> str:
    return metrics.metric(table, key).name(ctx.lang)


def _persons(ctx: ChartContext) -> float:
    """Divisor for counts of people: 万 (10,000) in Chinese, thousands in English."""
    return display.scale("persons", ctx.lang)[0]


def _indicator(tables: dict, name: str) -> pd.Series:
    ind = tables["indicators"].dropna(subset=["year"])
    return ind[ind.indicator == name].astype({"year": int}).set_index("year")["value"]


def _scalar(tables: dict, name: str) -> float | None:
    ind = tables["indicators"]
    found = ind[ind.year.isna() & (ind.indicator == name)]["value"]
    return None if found.empty or pd.isna(found.iloc[0]) else float(found.iloc[0])


def _wide(table: pd.DataFrame, **where) -> pd.DataFrame:
    for column, value in where.items():
        table = table[table[column] == value]
    return table.pivot(index="year", columns="metric", values="value")


def _covers(ax, box, skip=(), areas: bool = True) -> bool:
    """Whether `box` (display pixels) covers a line, a bar, a text (other than those in `skip`),
    the legend or, if `areas`, a filled area (a band, a stack) of `ax` or of an axes twinned
    with it."""
    renderer = ax.figure.canvas.get_renderer()
    for axes in ax.get_shared_x_axes().get_siblings(ax):
        for line in axes.get_lines():
            path = line.get_transform().transform_path(line.get_path())
            markers_alone = line.get_linestyle() == "None"   # their points, not the path between them
            if box.count_contains(path.vertices) if markers_alone else path.intersects_bbox(box, filled=False):
                return True
        shapes = [patch.get_window_extent(renderer) for patch in axes.patches]
        shapes += [t.get_window_extent(renderer) for t in axes.texts if t not in skip and t.get_text()]
        legend = axes.get_legend()
        if legend is not None and legend not in skip:
            shapes.append(legend.get_window_extent(renderer))
        if box.count_overlaps(shapes):
            return True
        if areas and any(collection.get_transform().transform_path(path).intersects_bbox(box)
                         for collection in axes.collections for path in collection.get_paths()):
            return True
    return False


def _legend(ax, handles=None, ncol: int = 1, beside=()) -> None:
    """The legend inside the plot (in fewer columns if `ncol` are too wide) where it covers
    nothing (`_covers`): matplotlib's "best" place, and when every place covers something,
    room made above the data (the y axis raised a fifth at a time), so no curve of any
    scenario runs through it. Then the labels `beside` are placed (`_place`), on the final
    scale and clear of the legend."""
    renderer = ax.figure.canvas.get_renderer()
    for _ in range(10):
        legend = ax.legend(handles=handles, frameon=False, loc="best", ncol=ncol)
        box = legend.get_window_extent(renderer)
        if box.width > ax.bbox.width and ncol > 1:
            ncol -= 1
            continue
        if not _covers(ax, box.padded(2), skip=(legend, *beside)):
            break
        for axes in ax.get_shared_x_axes().get_siblings(ax):
            low, high = axes.get_ylim()
            axes.set_ylim(low, high + (high - low) / 5)
    for label in beside:
        _place(ax, label)


# Where a label may go beside its point (offset in points, alignment), first choice first:
# above, below, then to the sides; near, then farther.
BESIDE = [place for d in (5, 14) for place in (
    ((0, d), "center", "bottom"), ((0, -d), "center", "top"), ((-d, d), "right", "bottom"), ((d, d), "left", "bottom"),
    ((-d, -d), "right", "top"), ((d, -d), "left", "top"))]


def _place(ax, label) -> None:
    """Move `label` (an annotation in offset points) to the first place BESIDE its point that
    is inside the plot and covers no line, bar, other label or the legend (a filled area it
    may); the first place when none is free."""
    renderer = ax.figure.canvas.get_renderer()
    for offset, ha, va in [*BESIDE, BESIDE[0]]:   # back to the first place when none is free
        label.xyann = offset
        label.set(ha=ha, va=va)
        box = label.get_window_extent(renderer)
        inside = ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1)
        if inside and not _covers(ax, box, skip=(label,), areas=False):
            return


def _amount(value: float, unit: str, lang: str) -> str:
    """A value as a chart label writes it: a share in %, beds with their unit (7,103张), else
    the number."""
    if unit == "fraction":
        return f"{round(100 * value, 1):g}%"
    if unit == "beds":
        return text("beds_count", lang, value=f"{value:,.0f}")
    return f"{value:,g}"


def _target_marks(ax, tables: dict, table: str, key: str, ctx: ChartContext, at, words: str = "target_mark") -> list:
    """The plan targets on `key` of `table` (the scenario's `targets:`, as in targets.csv): a
    diamond at each target's year and value, placed at `at(year, value)` on the chart's scale;
    returns their labels (`words`: "2025年目标≥55%"), for `_legend` to place beside them."""
    targets = tables.get("targets")
    if targets is None:
        return []
    unit = metrics.metric(table, key).unit
    labels = []
    for row in targets[(targets.table == table) & (targets.indicator == key)].itertuples(index=False):
        point = (int(row.year), at(int(row.year), float(row.target)))
        ax.plot(*point, marker="D", markersize=4, color=COLOURS["orange"], linestyle="none", label="_target")
        sign = "≥" if row.direction == "at_least" else "≤"
        labels.append(ax.annotate(text(words, ctx.lang, year=point[0], value=sign + _amount(row.target, unit, ctx.lang)),
                                  point, xytext=BESIDE[0][0], textcoords="offset points", fontsize=6,
                                  color=COLOURS["orange"]))
    return labels


# --------------------------------------------------------------------------- population


def population_pyramid(tables: dict, ctx: ChartContext) -> Figure:
    pop = tables["population"]
    base, end = int(pop.year.min()), int(pop.year.max())
    fig, ax = _figure(ctx, text("pyramid", ctx.lang, region=ctx.region, base=base, end=end))
    groups = np.minimum(pop.age // 5 * 5, 100)
    by_group = pop.assign(group=groups).groupby(["year", "sex", "group"])["population"].sum() / _persons(ctx)
    ages = np.arange(0, 105, 5)
    for sex, sign, colour in (("male", -1, COLOURS["blue"]), ("female", 1, COLOURS["red"])):
        first = by_group.loc[(base, sex)].reindex(ages, fill_value=0)
        last = by_group.loc[(end, sex)].reindex(ages, fill_value=0)
        ax.barh(ages, sign * first.to_numpy(), height=4.6, color=colour, alpha=0.35,
                label=f"{text(sex, ctx.lang)} {base}")
        edges = np.repeat(ages, 2) + np.tile([-2.5, 2.5], len(ages))
        ax.plot(sign * np.repeat(last.to_numpy(), 2), edges, color=colour, linewidth=1.2,
                label=f"{text(sex, ctx.lang)} {end}")
    limit = by_group.max() * 1.1
    ax.set_xlim(-limit, limit)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{abs(x):g}"))
    ax.set_yticks(ages[::2], [f"{a}" if a < 100 else "100+" for a in ages[::2]])
    ax.set_xlabel(text("pyramid_axis", ctx.lang))
    ax.set_ylabel(text("age", ctx.lang))
    ax.axvline(0, color="black", linewidth=0.6)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    _legend(ax, ncol=2)
    return fig


def ageing_shares(tables: dict, ctx: ChartContext) -> Figure:
    fig, ax = _figure(ctx, text("shares", ctx.lang, region=ctx.region))
    for name, colour in (("share_60plus", COLOURS["blue"]), ("share_65plus", COLOURS["red"]),
                         ("share_80plus", COLOURS["green"])):
        series = _indicator(tables, name) * 100
        ax.plot(series.index, series.to_numpy(), color=colour, linewidth=1.6, label=_name("indicators", name, ctx))
        ax.annotate(f"{series.iloc[-1]:.1f}%", (series.index[-1], series.iloc[-1]), xytext=(3, 0),
                    textcoords="offset points", fontsize=6.5, color=colour, va="center")
    _time_axis(ax, series.index, ctx)
    ax.set_ylabel(text("share_axis", ctx.lang))
    ax.set_ylim(bottom=0)
    _legend(ax)
    return fig


def old_age_dependency(tables: dict, ctx: ChartContext) -> Figure:
    fig, ax = _figure(ctx, text("dependency", ctx.lang, region=ctx.region))
    series = _indicator(tables, "old_age_dependency_ratio")
    ax.plot(series.index, series.to_numpy(), color=COLOURS["blue"], linewidth=1.6)
    ax.annotate(f"{series.iloc[-1]:.1f}", (series.index[-1], series.iloc[-1]), xytext=(3, 0),
                textcoords="offset points", fontsize=6.5, va="center")
    _time_axis(ax, series.index, ctx)
    ax.set_ylabel(text("dependency_axis", ctx.lang))
    ax.set_ylim(bottom=0)
    return fig


def births_and_deaths(tables: dict, ctx: ChartContext) -> Figure:
    fig, ax = _figure(ctx, text("births_deaths", ctx.lang, region=ctx.region))
    for name, colour in (("births", COLOURS["green"]), ("deaths", COLOURS["grey"])):
        series = _indicator(tables, name) / _persons(ctx)
        ax.plot(series.index, series.to_numpy(), color=colour, linewidth=1.6, marker="o", markersize=2,
                label=_name("indicators", name, ctx))
    _time_axis(ax, series.index, ctx)
    ax.set_ylabel(text("flow_axis", ctx.lang))
    ax.set_ylim(bottom=0)
    _legend(ax)
    return fig


# --------------------------------------------------------------------------- pensions


def pension_people(tables: dict, ctx: ChartContext) -> Figure:
    fig, ax = _figure(ctx, text("pension_people", ctx.lang, region=ctx.region), text("source_pension", ctx.lang))
    wide = _wide(tables["pension"], scheme="employee")
    years = wide.index.to_numpy()
    ax.bar(years - 0.2, wide["contributors"] / _persons(ctx), width=0.4, color=COLOURS["blue"],
           label=_name("pension", "contributors", ctx))
    ax.bar(years + 0.2, wide["beneficiaries"] / _persons(ctx), width=0.4, color=COLOURS["orange"],
           label=_name("pension", "beneficiaries", ctx))
    ax.set_ylabel(text("persons_axis", ctx.lang))
    right = ax.twinx()
    right.plot(years, wide["dependency_ratio"], color=COLOURS["red"], linewidth=1.6,
               label=_name("pension", "dependency_ratio", ctx) + text("right_axis", ctx.lang))
    right.set_ylim(0, max(100, wide["dependency_ratio"].max() * 1.15))
    right.spines["right"].set_visible(True)
    right.set_ylabel(text("per_100_contributors", ctx.lang))
    ax.set_ylim(bottom=0)
    _time_axis(ax, years, ctx)
    _legend(ax, handles=ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0])
    return fig


def pension_finances(tables: dict, ctx: ChartContext) -> Figure:
    fig, ax = _figure(ctx, text("pension_money", ctx.lang, region=ctx.region), text("source_pension", ctx.lang))
    divisor, unit = _scale("pension", "revenue", ctx)
    wide = _wide(tables["pension"], scheme="employee") / divisor
    years = wide.index.to_numpy()
    for key, colour, style in (("revenue", COLOURS["blue"], "-"), ("expenditure", COLOURS["red"], "-"),
                               ("required_transfer", COLOURS["orange"], "-"),
                               ("balance_standalone", COLOURS["green"], "--")):
        ax.plot(years, wide[key], color=colour, linewidth=1.6 if style == "-" else 1.2, linestyle=style,
                label=_name("pension", key, ctx))
    ax.axhline(0, color="black", linewidth=0.6)
    depletion = _scalar(tables, "pension_standalone_depletion_year")
    if depletion is not None:   # where the stand-alone balance crosses zero, named in the legend
        ax.plot([depletion], [0], marker="o", markersize=4, color=COLOURS["red"], linestyle="none",
                label=text("depletion", ctx.lang, year=int(depletion)))
    _time_axis(ax, years, ctx)
    ax.set_ylabel(unit)
    _legend(ax, ncol=2)
    return fig


# --------------------------------------------------------------------------- care


def disabled_by_severity(tables: dict, ctx: ChartContext) -> Figure:
    fig, ax = _figure(ctx, text("care_severity", ctx.lang, region=ctx.region), ctx.care_source())
    wide = _wide(tables["care"]) / _persons(ctx)
    years = wide.index.to_numpy()
    ax.stackplot(years, wide["severe"], wide["mild"], colors=[COLOURS["red"], COLOURS["light"]],
                 labels=[_name("care", "severe", ctx), _name("care", "mild", ctx)])
    ax.annotate(f"{wide['severe'].iloc[-1]:.1f}", (years[-1], wide["severe"].iloc[-1] / 2), xytext=(3, 0),
                textcoords="offset points", fontsize=6.5, color=COLOURS["red"], va="center")
    _time_axis(ax, years, ctx)
    ax.set_ylabel(text("persons_axis", ctx.lang))
    _legend(ax)
    return fig


def beds_needed_and_supplied(tables: dict, ctx: ChartContext) -> Figure:
    fig, ax = _figure(ctx, text("beds", ctx.lang, region=ctx.region), ctx.care_source())
    wide = _wide(tables["care"])
    years = wide.index.to_numpy()
    scale, unit = _scale("care", "beds_needed", ctx)
    norm = wide["beds_norm_per_1000"] * wide["elderly_60plus"] / 1000
    ax.plot(years, wide["beds_needed"] / scale, color=COLOURS["red"], linewidth=1.6, label=_name("care", "beds_needed", ctx))
    ax.plot(years, wide["beds_supplied"] / scale, color=COLOURS["blue"], linewidth=1.6,
            label=_name("care", "beds_supplied", ctx))
    ax.plot(years, norm / scale, color=COLOURS["grey"], linewidth=1.2, linestyle="--",
            label=text("beds_norm", ctx.lang, norm=float(wide["beds_norm_per_1000"].iloc[-1])))
    ax.plot(years, wide["nursing_beds_needed"] / scale, color=COLOURS["red"], linewidth=1.0, linestyle=":",
            label=_name("care", "nursing_beds_needed", ctx))
    ax.plot(years, wide["nursing_beds_supplied"] / scale, color=COLOURS["blue"], linewidth=1.0, linestyle=":",
            label=_name("care", "nursing_beds_supplied", ctx))
    ax.fill_between(years, wide["beds_supplied"] / scale, wide["beds_needed"] / scale,
                    where=wide["beds_needed"] > wide["beds_supplied"], interpolate=True, color=COLOURS["red"],
                    alpha=0.12, linewidth=0)
    gap = float(wide["bed_gap"].iloc[-1])
    if gap > 0:   # the end year's gap, beside the end of the shaded band (where no curve runs)
        middle = (wide["beds_needed"].iloc[-1] + wide["beds_supplied"].iloc[-1]) / 2 / scale
        ax.annotate(text("bed_gap_mark", ctx.lang, year=int(years[-1]), value=_amount(gap, "beds", ctx.lang)),
                    (years[-1], middle), xytext=(3, 0), textcoords="offset points", va="center", fontsize=6.5,
                    color=COLOURS["red"])
    _time_axis(ax, years, ctx)
    ax.set_ylabel(unit)
    ax.set_ylim(bottom=0)
    elderly, needed = wide["elderly_60plus"], wide["beds_needed"]   # the targets as beds to supply
    marks = _target_marks(ax, tables, "care", "beds_per_1000", ctx,
                          lambda year, value: value * elderly[year] / 1000 / scale, "target_per_1000")
    marks += _target_marks(ax, tables, "care", "bed_gap", ctx, lambda year, value: (needed[year] - value) / scale,
                           "target_gap")
    _legend(ax, beside=marks)
    return fig


def nursing_share(tables: dict, ctx: ChartContext) -> Figure:
    fig, ax = _figure(ctx, text("nursing_share", ctx.lang, region=ctx.region), ctx.care_source())
    wide = _wide(tables["care"])
    years = wide.index.to_numpy()
    ax.plot(years, wide["nursing_share"] * 100, color=COLOURS["blue"], linewidth=1.6,
            label=_name("care", "nursing_share", ctx))
    ax.plot(years, wide["nursing_beds_needed"] / wide["beds_needed"] * 100, color=COLOURS["red"], linewidth=1.2,
            linestyle="-.", label=text("nursing_share_needed", ctx.lang))
    target = float(wide["nursing_share_target"].iloc[-1])
    ax.axhline(100 * target, color=COLOURS["grey"], linestyle="--", linewidth=1,
               label=text("target", ctx.lang, value=_amount(target, "fraction", ctx.lang)))
    _time_axis(ax, years, ctx)
    ax.set_ylabel(text("share_of_beds_axis", ctx.lang))
    ax.set_ylim(0, 100)
    _legend(ax, beside=_target_marks(ax, tables, "care", "nursing_share", ctx, lambda year, value: 100 * value))
    return fig


def abm_outcome(tables: dict, ctx: ChartContext, metric: str) -> Figure:
    """One ABM metric by care mix, mean with the 5–95% band over replicates."""
    source = text("source_abm" if ctx.replicates >= PERCENTILES_FROM else "source_abm_range", ctx.lang, n=ctx.replicates)
    fig, ax = _figure(ctx, text(f"abm_{metric}", ctx.lang, region=ctx.region), source)
    abm = tables["abm"][tables["abm"].metric == metric]
    scale, unit = _scale("abm", metric, ctx)
    # a line style of its own for each mix, so a mix whose line lies on another's stays visible
    for colour, style, (mix, rows) in zip(SERIES, itertools.cycle(MIX_STYLES), abm.groupby("mix", sort=False)):
        rows = rows.sort_values("year")
        ax.plot(rows.year, rows.value / scale, color=colour, linewidth=1.5, linestyle=style, label=ctx.name_of(mix))
        ax.fill_between(rows.year, rows.low / scale, rows.high / scale, color=colour, alpha=0.15, linewidth=0)
    _time_axis(ax, abm.year, ctx)
    ax.set_ylabel(f"{_name('abm', metric, ctx)}（{unit}）" if ctx.lang == "zh" else f"{_name('abm', metric, ctx)} ({unit})")
    if unit == "%":
        ax.set_ylim(0, 100)
    else:
        ax.set_ylim(bottom=0)
    _legend(ax, ncol=2)
    return fig


def county_ranking(tables: dict, ctx: ChartContext) -> Figure:
    """Counties ranked by the end-year bed gap, beside their 60+ shares (the map, `maps.py`,
    needs an optional package; this chart is always drawn)."""
    care, indicators = tables["county_care"], tables["county_indicators"]
    end = int(care.year.max())
    gap = care[(care.year == end) & (care.metric == "bed_gap")].set_index("region")["value"].sort_values()
    share = indicators[(indicators.year == end) & (indicators.indicator == "share_60plus")].set_index("region")["value"]
    fig = plt.figure(figsize=SIZE)
    fig.suptitle(text("county_ranking", ctx.lang, region=ctx.region, year=end), x=0.02, ha="left", fontweight="bold",
                 fontsize=10)
    fig.text(0.01, 0.015, text("source", ctx.lang), fontsize=6.5, color=COLOURS["grey"])
    left = fig.add_axes((0.17, 0.16, 0.38, 0.7))
    right = fig.add_axes((0.6, 0.16, 0.36, 0.7), sharey=left)
    positions = np.arange(len(gap))
    left.barh(positions, gap.to_numpy(), color=np.where(gap.to_numpy() > 0, COLOURS["red"], COLOURS["green"]))
    left.set_yticks(positions, [ctx.name_of(name) for name in gap.index])
    left.set_xlabel(text("county_gap_axis", ctx.lang))
    left.axvline(0, color="black", linewidth=0.6)
    right.barh(positions, share.reindex(gap.index).to_numpy() * 100, color=COLOURS["blue"])
    right.set_xlabel(text("share_axis", ctx.lang))
    right.tick_params(labelleft=False)
    for ax in (left, right):
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
    return fig


# --------------------------------------------------------------------------- uncertainty


def _series(tables: dict, table: str, key: str) -> pd.DataFrame:
    """The rows of one metric of a run's tables, by year (pension: its compared scheme)."""
    if table == "indicators":
        frame = tables[table]
        frame = frame[frame.indicator == key].dropna(subset=["year"])
    else:
        frame = tables[table][tables[table].metric == key]
        scheme = metrics.metric(table, key).scheme
        if "scheme" in frame:
            frame = frame[frame.scheme == (scheme or "employee")]
    return frame.astype({"year": int}).sort_values("year")


def fan_chart(tables: dict, ctx: ChartContext, table: str, key: str, title: str) -> Figure:
    """Median with the 80% and 95% intervals of the trials (p10–p90, p025–p975)."""
    frame = _series(tables, table, key)
    divisor, unit = _scale(table, key, ctx)
    fig, ax = _figure(ctx, text(title, ctx.lang, region=ctx.region), text("source_trials", ctx.lang, n=ctx.trials))
    years = frame.year.to_numpy()
    # Opaque bands, pale and mid blue, so both stand out from the page and from each other.
    ax.fill_between(years, frame.p025 / divisor, frame.p975 / divisor, color=COLOURS["pale"], linewidth=0,
                    label=text("interval_95", ctx.lang))
    ax.fill_between(years, frame.p10 / divisor, frame.p90 / divisor, color=COLOURS["mid"], linewidth=0,
                    label=text("interval_80", ctx.lang))
    ax.plot(years, frame.p50 / divisor, color=COLOURS["blue"], linewidth=1.8, label=text("median", ctx.lang))
    _time_axis(ax, years, ctx)
    if "gap" in key:
        _gap_axis(ax, unit, ctx)
    else:
        ax.set_ylabel(unit)
        if unit != "%":
            ax.axhline(0, color="black", linewidth=0.6)
    _legend(ax, beside=_target_marks(ax, tables, table, key, ctx, lambda year, value: value / divisor))
    return fig


def _gap_axis(ax, unit: str, ctx: ChartContext) -> None:
    """The y axis of a bed gap: a zero line and, when the gap goes below it, the axis label says
    that a negative gap is a surplus of beds."""
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_ylabel(text("gap_axis", ctx.lang, unit=unit) if ax.get_ylim()[0] < 0 else unit)


def tornado(table: pd.DataFrame, ctx: ChartContext, metric: tuple[str, str]) -> Figure:
    """Change of `metric` (table, key) when each assumption takes its low and high value,
    widest swing on top."""
    rows = table[(table.table == metric[0]) & (table.metric == metric[1])].copy()
    divisor, unit = _scale(*metric, ctx)
    rows["low_change"] = (rows.low - rows.base) / divisor
    rows["high_change"] = (rows.high - rows.base) / divisor
    rows = rows.assign(swing=(rows.high_change - rows.low_change).abs()).sort_values("swing")
    year = int(rows.year.iloc[0])
    what = text("tornado_what", ctx.lang, year=year, name=_name(*metric, ctx))
    fig, ax = _figure(ctx, "")
    # Above the figure's left edge, not the plot's: the parameters' names take the left third.
    fig.suptitle(text("tornado", ctx.lang, region=ctx.region, what=what), x=0.01, ha="left", fontweight="bold",
                 fontsize=10)
    positions = np.arange(len(rows))
    ax.barh(positions, rows.low_change, color=COLOURS["blue"], label=text("low_value", ctx.lang))
    ax.barh(positions, rows.high_change, color=COLOURS["orange"], label=text("high_value", ctx.lang))
    ax.set_yticks(positions, [text(f"sens_{row.parameter}", ctx.lang, change=row.change, points=100 * row.change)
                              for row in rows.itertuples()])
    ax.axvline(0, color="black", linewidth=0.8)
    base = float(rows.base.iloc[0]) / divisor
    ax.set_xlabel(text("tornado_axis", ctx.lang, base=f"{base:,.1f}" if abs(base) < 100 else f"{base:,.0f}", unit=unit))
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", visible=False)
    renderer = fig.canvas.get_renderer()   # the plot starts where the longest parameter's name ends
    names = max(label.get_window_extent(renderer).width for label in ax.get_yticklabels()) / fig.bbox.width
    ax.set_position((names + 0.03, 0.2, 0.95 - names - 0.03, 0.68))
    _legend(ax)
    return fig


def sweep_chart(table: pd.DataFrame, ctx: ChartContext, metric: tuple[str, str]) -> Figure:
    """One metric (table, key) in the last sweep year, a bar per point; under each bar the
    point's values, a line per parameter, named in words in the axis label in the same order."""
    rows = table[(table.table == metric[0]) & (table.indicator == metric[1])]
    rows = rows[rows.year == rows.year.max()]
    parameters = [c for c in table.columns if c not in ("point", "table", "indicator", "group", "year", "value")]
    divisor, unit = _scale(*metric, ctx)
    fig, ax = _figure(ctx, text("sweep_title", ctx.lang, region=ctx.region, name=_name(*metric, ctx),
                                year=int(rows.year.max())))
    ax.bar(np.arange(len(rows)), rows.value / divisor, color=COLOURS["blue"])
    ax.set_xticks(np.arange(len(rows)), ["\n".join(display.setting(row[p]) for p in parameters) for _, row in rows.iterrows()],
                  fontsize=6)
    names = [parameter_name(p, ctx.lang).split("·")[-1] for p in parameters]
    ax.set_xlabel(text("sweep_axis", ctx.lang, names=("、" if ctx.lang == "zh" else ", ").join(names)))
    ax.set_ylabel(unit)
    ax.axhline(0, color="black", linewidth=0.6)
    return fig


# --------------------------------------------------------------------------- registry and comparison


def run_charts(tables: dict) -> dict[str, callable]:
    """The charts a run's tables allow, by file name."""
    charts = {"population_pyramid": population_pyramid, "ageing_shares": ageing_shares,
              "old_age_dependency": old_age_dependency, "births_deaths": births_and_deaths}
    if "pension" in tables:
        charts.update(pension_people=pension_people, pension_finances=pension_finances)
    if "care" in tables:
        charts.update(disabled_by_severity=disabled_by_severity, beds=beds_needed_and_supplied,
                      nursing_share=nursing_share)
    if "abm" in tables:
        for metric in ("waiting_institution", "unmet_need", "occupancy"):
            charts[f"abm_{metric}"] = lambda t, c, m=metric: abm_outcome(t, c, m)
    if "county_care" in tables:
        charts["county_ranking"] = county_ranking
    if "p50" in tables["indicators"]:
        charts["fan_share_60plus"] = lambda t, c: fan_chart(t, c, "indicators", "share_60plus", "fan_share_60plus")
        if "pension" in tables:
            charts["fan_pension_transfer"] = lambda t, c: fan_chart(t, c, "pension", "required_transfer", "fan_transfer")
        if "care" in tables:
            charts["fan_bed_gap"] = lambda t, c: fan_chart(t, c, "care", "bed_gap", "fan_bed_gap")
    return charts


def compare_chart(runs: dict[str, dict], ctx: ChartContext, metric: metrics.Metric,
                  titles: dict[str, str] | None = None) -> Figure | None:
    """One series of several scenarios overlaid (the first is the reference), each named by
    `titles` (its title; the key when none), with the first scenario's plan targets on it."""
    fig, ax = _figure(ctx, text("compare_title", ctx.lang, what=metric.name(ctx.lang)))
    divisor, unit = display.scale(metric.unit, ctx.lang)
    drawn = 0
    for colour, (name, tables) in zip(SERIES, runs.items()):
        if metric.table not in tables:
            continue
        series = _series(tables, metric.table, metric.key)
        ax.plot(series.year, series.value / divisor, color=colour, linewidth=1.6 if drawn else 2.2,
                label=(titles or {}).get(name, name))
        drawn += 1
        years = series.year
    if not drawn:
        plt.close(fig)
        return None
    _time_axis(ax, years, ctx)
    if "gap" in metric.key:   # a gap can be negative (a surplus)
        _gap_axis(ax, unit, ctx)
    else:   # levels start at zero, so differences are not exaggerated
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)
    first = next(iter(runs.values()))
    _legend(ax, beside=_target_marks(ax, first, metric.table, metric.key, ctx, lambda year, value: value / divisor))
    return fig


def save(fig: Figure, folder: Path, name: str, formats=("png", "svg")) -> list[str]:
    """`fig` in `folder` in each of `formats` (PNG at 200 dpi; SVG and PDF without dates, so
    the same run gives the same files); returns the file names."""
    folder.mkdir(parents=True, exist_ok=True)
    for fmt in formats:
        fig.savefig(folder / f"{name}.{fmt}", dpi=DPI, metadata={"png": None, "svg": {"Date": None},
                                                             "pdf": {"CreationDate": None, "ModDate": None}}[fmt])
    plt.close(fig)
    return [f"{name}.{fmt}" for fmt in formats]
