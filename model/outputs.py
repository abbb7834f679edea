"""Write a run's tables, charts, workbook, report and manifest into its output folder,
atomically and without ever deleting a file silverplan did not write (see `folders.py`)."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from .scenario import Scenario, model_digest, scenario_digest
from .folders import read_manifest, staged, write_manifest
from . import metrics
from .abm.experiment import interval_name
from .background import Shared, beside
from .labels import text
from .localise import derived_fields
from .runner import RunResult
from .stages import Progress, quiet

# Output precision: twelve significant digits keep even national totals exact to 0.001 person.
FLOAT_FORMAT = "%.12g"


def package_versions() -> dict[str, str]:
    """Versions of silverplan, Python and the scientific stack (without importing them)."""
    versions = {"python": platform.python_version()}
    for name in ("silverplan", "numpy", "pandas", "mesa", "pydantic", "matplotlib"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def definitions(result: RunResult) -> dict:
    """How to read the run: the care severity definition; how ABM replicates were seeded."""
    scenario = result.scenario
    found = {}
    if scenario.care:
        found["care_severity"] = scenario.care.definition_in("zh")
        found["care_severity_en"] = scenario.care.definition_in("en")
        found["care_definition"] = scenario.care.definition
    if "abm" in result.tables:
        found["abm_replicate_seed"] = ("numpy SeedSequence([seed, replicate from 0]).generate_state(1), the same "
                                       "for every mix (common random numbers)")
        found["abm_interval"] = interval_name(scenario.abm.replicates)
        found["abm_scale"] = f"one agent per {scenario.abm.scale} person(s); counts scaled back to persons"
    return found


def build_manifest(result: RunResult, scenario_file: str, started: datetime) -> dict:
    """What a run's manifest says besides its file list (added when it is written)."""
    resolved, digest = scenario_digest(result.scenario)
    finished = datetime.now(timezone.utc)
    return {
        "kind": "run",
        "scenario": result.scenario.name,
        "scenario_file": scenario_file,
        "config_sha256": digest,
        "model_sha256": model_digest(result.scenario),  # without outputs/title: what compare reuses
        "config": resolved,
        "seed": result.scenario.seed,
        "versions": package_versions(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "runtime_seconds": round((finished - started).total_seconds(), 3),
        "stage_seconds": {k: round(v, 4) for k, v in result.timings.items()},
        "definitions": definitions(result),
        "derived": derived_fields(result.scenario),   # inputs silverplan derived for the region (localise.py)
        "warnings": result.warnings,
    }


def replacing_note(target: Path, scenario: Scenario) -> str | None:
    """A one-line note when `target` holds results of another configuration, which a run
    there replaces (None when it is empty or holds this very configuration)."""
    manifest = read_manifest(Path(target))
    if manifest is None or manifest.get("config_sha256") == scenario_digest(scenario)[1]:
        return None
    what = (f"a run of {manifest.get('scenario')!r}" if manifest.get("kind") == "run" else
            f"{manifest.get('kind', 'results')} results")
    detail = "" if manifest.get("kind") != "run" else f" with another configuration (config {str(manifest.get('config_sha256'))[:8]}…)"
    return f"{target} held {what}{detail}; replaced by this run"


def write_run(result: RunResult, target: Path, scenario_file: str, started: datetime,
              progress: Progress = quiet, settings: tuple[str, ...] = ()) -> tuple[Path, list[str]]:
    """Write the tables, charts, workbook, report and manifest to `target`, replacing an
    earlier run only on success (and only if it holds nothing but its own files). Returns the
    folder and the warnings of writing (a missing font, a county without a map); the result
    itself is not changed. `settings`: the command line's --set items, kept in the manifest."""
    scenario = result.scenario
    notes: list[str] = []
    with staged(target) as staging:
        written = written_tables(result)
        lang, ctx = scenario.outputs.lang, None   # without charts, matplotlib is not even imported
        if scenario.outputs.charts:
            ctx = _chart_context(scenario, notes)   # English when no CJK font is found (a note says so)
            lang = ctx.lang
        from .workbook import assumptions, write_workbook

        assumed = assumptions(scenario, result.derived, lang)
        sheets = {name: written[name] for name in (*metrics.TABLES, "targets") if name in written}
        definition = scenario.care.definition_in(lang) if scenario.care else ""
        headers = {key: text("workbook_definition", lang, definition=definition)
                   for key in ("care", "abm") if definition and key in sheets}
        if result.regions:   # a county run: a sheet of every region's single ages would be 40,000 rows
            sheets["population"] = by_age_group(sheets["population"])
            headers["population"] = text("workbook_age_groups", lang)
        reading = reader_tables(result, written, lang)
        drawers = chart_drawers(result) if ctx is not None else {}
        tables, folder = tables_drawn(result), staging / "charts"
        # the largest piece of work first (a county run's map), so that both processes end together
        names = list(drawers)
        order = sorted(range(len(names)), key=lambda number: names[number] != "county_map")

        def beside_work():   # needs no chart of this process: the tables, then the charts not yet taken
            for name, table in written.items():
                table.to_csv(staging / f"{name}.csv", index=False, float_format=FLOAT_FORMAT)
            write_workbook({**sheets, "assumptions": assumed}, staging / "results.xlsx", lang, headers, reading=reading)
            child_notes: list[str] = []
            return draw_charts(tables, drawers, charts_left, folder, ctx, child_notes), child_notes

        # A forked child writes the CSV files and the workbook while this process draws charts;
        # then both draw the charts left, each taking the next from `charts_left`.
        with Shared(order) as charts_left, beside(beside_work) as child:
            progress("charts and workbook")
            mine = draw_charts(tables, drawers, charts_left, folder, ctx, notes)
            # the child's charts for the captions (without charts, nothing waits for the workbook)
            theirs, child_notes = child.result() if drawers else ([], [])
            charts = [drawn for _, drawn in sorted([*mine, *theirs])]   # in the drawers' order
            notes += child_notes
            progress("report")
            content = build_manifest(result, scenario_file, started)
            content["set"] = list(settings)
            content["warnings"] = [*result.warnings, *notes]
            from .report import build_report

            title = scenario.title or scenario.name if lang == "zh" else f"silverplan: {scenario.region_en or scenario.name}"
            page = build_report(result, title, lang, charts, assumed, content)
            (staging / "report.html").write_text(page, encoding="utf-8")
            if scenario.outputs.word:
                from .chapter import chapter_blocks
                from .word import write_docx

                write_docx(chapter_blocks(result, charts, assumed, lang), staging / "report.docx", lang, title,
                           started.replace(tzinfo=None))
        write_manifest(staging, content)
    return Path(target).absolute(), notes


def reader_tables(result: RunResult, written: dict, lang: str, years: list[int] | None = None) -> list:
    """The run's tables for readers (years as columns, `wide.py`): one per topic over every
    projection year (or `years`), and for a county run the county × indicator table at the
    milestone years after the base year."""
    from .wide import county_table, topic_tables

    scenario = result.scenario
    years = years or list(range(scenario.years.base, scenario.years.end + 1))
    names = scenario.mix_names(lang)
    found = topic_tables(result.tables, years, lang, names)
    definition = scenario.care.definition_in(lang) if scenario.care else ""
    for table in found:
        if definition and table.key in ("wide_care", "wide_abm"):
            table.note = f"{table.note} {text('workbook_definition', lang, definition=definition)}"
    if result.regions and "care" in result.regions:
        found.insert(1, county_table(written, scenario.milestones()[1:], lang,
                                     text("workbook_definition", lang, definition=definition) if definition else ""))
    return found


def by_age_group(population: pd.DataFrame) -> pd.DataFrame:
    """A population table (`region, year, sex, age, population`) by five-year age group,
    0-4 … 95-99 and 100+, for the county workbook's population sheet."""
    lower = np.minimum(population.age // 5 * 5, 100)
    groups = np.where(lower == 100, "100+", lower.astype(str) + "-" + (lower + 4).astype(str))
    keys = [c for c in population.columns if c not in ("age", "population")]
    grouped = population.assign(age_group=groups).groupby([*keys, "age_group"], sort=False)   # in the rows' order
    return grouped.population.sum().reset_index()


def written_tables(result: RunResult, only: tuple[str, ...] | None = None) -> dict:
    """The tables as written: with counties, population, indicators and care gain a `region`
    column, the city's rows (named by scenario.region) first, then each county's (`only`:
    just those named; the others stay the city's own tables, without a region column)."""
    if not result.regions:
        return result.tables
    city = result.scenario.region or result.scenario.name
    written = dict(result.tables)
    for name, counties in result.regions.items():
        if only is not None and name not in only:
            continue
        city_rows = result.tables[name].assign(region=city)
        table = pd.concat([city_rows, counties], ignore_index=True)
        written[name] = table[["region", *[c for c in table.columns if c != "region"]]]
    return written


def tables_drawn(result: RunResult) -> dict:
    """The tables the charts read: the run's, and a county run's by region (`county_<name>`)."""
    return {**result.tables, **{f"county_{name}": table for name, table in (result.regions or {}).items()}}


def chart_drawers(result: RunResult) -> dict:
    """The charts a run's tables allow, by file name, in the order of their figure numbers (a
    county run's map last)."""
    from .charts import run_charts

    drawers = run_charts(tables_drawn(result))
    return {**drawers, "county_map": _county_map} if result.regions else drawers


class NoChart(Exception):
    """A chart that cannot be drawn in this run; its words go to the run's notes."""


def _county_map(tables: dict, ctx):
    """The county map; NoChart when it cannot be drawn (no map package, a county without a
    boundary)."""
    from .maps import map_charts  # the optional geo stack: only for county runs

    notes: list[str] = []
    drawers = map_charts(tables, notes)
    if not drawers:
        raise NoChart(*notes)
    return drawers["county_map"](tables, ctx)


def draw_charts(tables: dict, drawers: dict, left, folder: Path, ctx, notes: list[str]) -> list[tuple[int, tuple]]:
    """Each chart of `drawers` whose number (its place in `drawers`) this process takes from
    `left` (shared with the other process), drawn once and saved in the formats asked for;
    returns (number, (PNG path, title, source line)) of each, for the captions of the report
    and the Word chapter. A chart that cannot be drawn adds its line to `notes`."""
    if not drawers:   # a run without charts does not even import matplotlib
        return []
    from .charts import save

    items = list(drawers.items())
    drawn = []
    for number in left:
        name, draw = items[number]
        try:
            figure = draw(tables, ctx)
        except NoChart as missing:
            notes.append(str(missing))
            continue
        drawn.append((number, (folder / f"{name}.png", *_chart_words(figure))))
        save(figure, folder, name, ctx.formats)
    return drawn


def _chart_words(figure) -> tuple[str, str]:
    """(title, source line) of a drawn chart: its figure or first axes' title; the text in the
    bottom margin (the source, with the care charts' disability definition)."""
    title = figure.get_suptitle() or figure.axes[0].get_title(loc="left") or figure.axes[0].get_title()
    source = next((t.get_text() for t in figure.texts if t.get_position()[1] < 0.1 and t.get_text()), "")
    return title, " ".join(source.split("\n"))


def _table_files(staging: Path, name: str, table, lang: str, sheet=None, reading=()) -> None:
    """`name`.csv and `name`.xlsx (the sheet may be a reshaped view of the same numbers,
    after the tables for readers in `reading`)."""
    from .workbook import write_workbook

    table.to_csv(staging / f"{name}.csv", index=False, float_format=FLOAT_FORMAT)
    write_workbook({name: table if sheet is None else sheet}, staging / f"{name}.xlsx", lang, reading=reading)


def _chart_context(scenario, notes: list[str]):
    """Fonts set and the context for a scenario's charts and report; without a CJK font the
    language is English and a line says so in `notes`."""
    from .charts import ChartContext, chart_language, use_fonts

    lang, warning = chart_language(scenario.outputs.lang)
    if warning:
        notes.append(warning)
    use_fonts(lang)
    return ChartContext.of(scenario, lang)


def _study_manifest(kind: str, scenarios: dict[str, Scenario], started: datetime) -> dict:
    """The manifest of a comparison, sensitivity analysis or sweep (the file list is added
    when it is written)."""
    finished = datetime.now(timezone.utc)
    return {
        "kind": kind,
        "scenarios": {name: {"config_sha256": scenario_digest(scenario)[1], "model_sha256": model_digest(scenario)}
                      for name, scenario in scenarios.items()},
        "versions": package_versions(),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
    }


def write_comparison(runs: dict, scenarios: dict, target: Path) -> tuple[Path, list[str]]:
    """comparison.csv, comparison.xlsx and overlay charts for several runs' tables (the
    metrics the registry marks `overlay`); returns the folder and the warnings of writing."""
    from .compare import key_indicators, side_by_side
    from .wide import comparison_table

    started = datetime.now(timezone.utc)
    first = next(iter(scenarios.values()))
    notes: list[str] = []
    with staged(target) as staging:
        table = key_indicators(runs, first.milestones()[1:])
        lang = first.outputs.lang
        titles = {name: (scenario.title or name) if lang == "zh" else name for name, scenario in scenarios.items()}
        if len(set(titles.values())) < len(titles):   # an inherited title names two scenarios: their names
            titles = {name: name for name in titles}
        mixes = {key: name for s in scenarios.values() for key, name in s.mix_names(lang).items()}
        _table_files(staging, "comparison", table, lang, side_by_side(table),
                     reading=[comparison_table(table, titles, lang, mixes)])
        if first.outputs.charts:
            from .charts import compare_chart, save

            ctx = _chart_context(first, notes)
            for metric in (m for m in metrics.compared() if m.overlay):
                figure = compare_chart(runs, ctx, metric, titles)
                if figure is not None:
                    save(figure, staging / "charts", f"compare_{metric.key}", ctx.formats)
        write_manifest(staging, _study_manifest("comparison", scenarios, started))
    return Path(target).absolute(), notes


def write_sensitivity(table, scenario, target: Path) -> tuple[Path, list[str]]:
    """sensitivity.csv, sensitivity.xlsx and a tornado chart per outcome."""
    started = datetime.now(timezone.utc)
    notes: list[str] = []
    with staged(target) as staging:
        _table_files(staging, "sensitivity", table, scenario.outputs.lang)
        if scenario.outputs.charts:
            from .charts import save, tornado

            ctx = _chart_context(scenario, notes)
            for outcome in table[["table", "metric"]].drop_duplicates().itertuples(index=False):
                save(tornado(table, ctx, tuple(outcome)), staging / "charts", f"tornado_{outcome.metric}", ctx.formats)
        write_manifest(staging, _study_manifest("sensitivity", {scenario.name: scenario}, started))
    return Path(target).absolute(), notes


def write_sweep(table, scenario, target: Path) -> tuple[Path, list[str]]:
    """sweep.csv, sweep.xlsx and bar charts of the last year by point, for the metrics the
    registry marks `overlay` that the sweep has."""
    started = datetime.now(timezone.utc)
    notes: list[str] = []
    from .wide import sweep_table

    with staged(target) as staging:
        _table_files(staging, "sweep", table, scenario.outputs.lang,
                     reading=[sweep_table(table, scenario.outputs.lang)] if len(table) else ())
        if scenario.outputs.charts and len(table):
            from .charts import save, sweep_chart

            ctx = _chart_context(scenario, notes)
            present = set(zip(table.table, table.indicator))
            for metric in (m for m in metrics.compared() if m.overlay and (m.table, m.key) in present):
                save(sweep_chart(table, ctx, (metric.table, metric.key)), staging / "charts", f"sweep_{metric.key}",
                     ctx.formats)
        write_manifest(staging, _study_manifest("sweep", {scenario.name: scenario}, started))
    return Path(target).absolute(), notes
