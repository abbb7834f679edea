"""Write a run's tables and manifest into its output folder, atomically.

Files go into a temporary folder beside the target, which is renamed into place only when
everything was written; a failed run leaves the previous results untouched.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import pandas as pd

from .config import ScenarioError, model_digest, scenario_digest
from .runner import Progress, RunResult

# Output precision: twelve significant digits keep even national totals exact to 0.001 person.
FLOAT_FORMAT = "%.12g"


def package_versions() -> dict[str, str]:
    """Versions of silverplan, Python and the scientific stack (without importing them)."""
    versions = {"python": platform.python_version()}
    for name in ("silverplan", "numpy", "pandas", "mesa", "pydantic", "statsmodels", "matplotlib"):
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
        found["care_severity"] = scenario.care.definition
    if "abm" in result.tables:
        found["abm_replicate_seed"] = ("numpy SeedSequence([seed, zlib.crc32(mix name), "
                                       "replicate from 0]).generate_state(1)")
        found["abm_scale"] = f"one agent per {scenario.abm.scale} person(s); counts scaled back to persons"
    return found


def build_manifest(result: RunResult, scenario_file: str, started: datetime, files: list[str]) -> dict:
    resolved, digest = scenario_digest(result.scenario)
    finished = datetime.now(timezone.utc)
    return {
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
        "warnings": result.warnings,
        "files": sorted(files + ["manifest.json"]),
    }


@contextmanager
def staged(target: Path, marker: str):
    """A staging folder beside `target`, renamed into place when the block succeeds and removed
    when it fails: a failed write never leaves a half-written folder or touches earlier results."""
    target = check_target(target, marker)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
        yield staging
        _swap_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def check_target(target: Path, marker: str) -> Path:
    """`target` resolved, if it may be replaced: absent, empty, or holding earlier results
    (its `marker` file). Never replace a folder of other files."""
    target = Path(target).resolve()
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / marker).is_file())):
        raise ScenarioError(f"--out {target}: exists and does not hold earlier silverplan results "
                            f"(no {marker}); choose a new or empty folder")
    return target


def write_run(result: RunResult, target: Path, scenario_file: str, started: datetime,
              progress: Progress | None = None) -> Path:
    """Write the tables, charts, workbook, report and manifest to `target`, replacing an
    earlier run only on success."""
    report = progress or (lambda message: None)
    scenario = result.scenario
    target = Path(target).resolve()
    with staged(target, "manifest.json") as staging:
        files = []
        written = written_tables(result)
        for name, table in written.items():
            table.to_csv(staging / f"{name}.csv", index=False, float_format=FLOAT_FORMAT)
            files.append(f"{name}.csv")
        lang = scenario.outputs.lang
        charts: list[Path] = []
        if scenario.outputs.charts:
            report("charts")
            charts = write_charts(result, staging / "charts", chart_language(result))
            files += [f"charts/{path.name}" for path in charts] + [f"charts/{path.with_suffix('.svg').name}" for path in charts]
        report("workbook and report")
        from .workbook import assumptions, write_workbook

        assumed = assumptions(scenario)
        order = ("indicators", "population", "pension", "care", "abm")
        sheets = {name: written[name] for name in order if name in written}
        write_workbook({**sheets, "assumptions": assumed}, staging / "results.xlsx", lang)
        files += ["results.xlsx", "report.html"]
        manifest = build_manifest(result, scenario_file, started, files)
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        from .report import build_report

        title = scenario.title or scenario.name if lang == "zh" else f"silverplan: {scenario.region_en or scenario.name}"
        page = build_report(result.tables, title, lang, charts, assumed, manifest,
                            scenario.care.definition if scenario.care else None)
        (staging / "report.html").write_text(page, encoding="utf-8")
    return target


def written_tables(result: RunResult) -> dict:
    """The tables as written: with counties, population, indicators and care gain a `region`
    column, the city's rows (named by scenario.region) first, then each county's."""
    if not result.regions:
        return result.tables
    city = result.scenario.region or result.scenario.name
    written = dict(result.tables)
    for name, counties in result.regions.items():
        city_rows = result.tables[name].assign(region=city)
        table = pd.concat([city_rows, counties], ignore_index=True)
        written[name] = table[["region", *[c for c in table.columns if c != "region"]]]
    return written


def chart_language(result: RunResult) -> str:
    """The language of charts and report: the scenario's, or English when no CJK font exists
    (a warning is added to the run once)."""
    from .charts import chart_language as usable

    lang, warning = usable(result.scenario.outputs.lang)
    if warning and warning not in result.warnings:
        result.warnings.append(warning)
    return lang


def write_charts(result: RunResult, folder: Path, lang: str) -> list[Path]:
    """Every chart the run's tables allow, PNG and SVG; returns the PNG paths."""
    from .charts import ChartContext, run_charts, save, use_fonts

    use_fonts(lang)
    ctx = ChartContext.of(result.scenario, lang)
    paths = []
    tables = {**result.tables, **{f"county_{name}": table for name, table in (result.regions or {}).items()}}
    charts = run_charts(tables)
    if "county_care" in tables:
        from .maps import map_charts  # the optional geo stack: only for county runs

        charts.update(map_charts(tables, result.warnings))
    for name, draw in charts.items():
        save(draw(tables, ctx), folder, name)
        paths.append(folder / f"{name}.png")
    return paths


def _swap_into_place(staging: Path, target: Path) -> None:
    """Rename `staging` to `target`; an existing `target` is moved aside first, then removed."""
    retired = None
    if target.exists():
        retired = target.parent / f".{target.name}.old-{os.getpid()}"
        os.replace(target, retired)
    try:
        os.replace(staging, target)
    except OSError:
        if retired is not None:
            os.replace(retired, target)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def _table_files(staging: Path, name: str, table, lang: str, sheet=None) -> None:
    """`name`.csv and `name`.xlsx (the sheet may be a reshaped view of the same numbers)."""
    from .workbook import write_workbook

    table.to_csv(staging / f"{name}.csv", index=False, float_format=FLOAT_FORMAT)
    write_workbook({name: table if sheet is None else sheet}, staging / f"{name}.xlsx", lang)


def _chart_context(scenario, warnings: list[str] | None = None):
    """Fonts set and the context for a scenario's charts; a no-font warning goes to `warnings`."""
    from .charts import ChartContext, chart_language, use_fonts

    lang, warning = chart_language(scenario.outputs.lang)
    if warning and warnings is not None:
        warnings.append(warning)
    use_fonts(lang)
    return ChartContext.of(scenario, lang)


def write_comparison(runs: dict, scenarios: dict, target: Path, warnings: list[str]) -> Path:
    """comparison.csv, comparison.xlsx and overlay charts for several runs' tables; a chart
    warning (no CJK font) is added to `warnings`."""
    from .compare import key_indicators, side_by_side

    first = next(iter(scenarios.values()))
    target = Path(target).resolve()
    with staged(target, "comparison.csv") as staging:
        table = key_indicators(runs)
        _table_files(staging, "comparison", table, first.outputs.lang, side_by_side(table))
        if first.outputs.charts:
            from .charts import COMPARED, compare_chart, save

            ctx = _chart_context(first, warnings)
            for name, label, source, metric, kind in COMPARED:
                figure = compare_chart(runs, ctx, label, source, metric, kind)
                if figure is not None:
                    save(figure, staging / "charts", name)
    return target


def write_sensitivity(table, scenario, target: Path) -> Path:
    """sensitivity.csv, sensitivity.xlsx and a tornado chart per metric."""
    target = Path(target).resolve()
    with staged(target, "sensitivity.csv") as staging:
        _table_files(staging, "sensitivity", table, scenario.outputs.lang)
        if scenario.outputs.charts:
            from .charts import save, tornado

            ctx = _chart_context(scenario)
            for metric in table.metric.unique():
                save(tornado(table, ctx, metric), staging / "charts", f"tornado_{metric}")
    return target


def write_sweep(table, scenario, target: Path) -> Path:
    """sweep.csv, sweep.xlsx and bar charts of the last year's bed gap, 60+ share and
    self-sufficiency by point."""
    target = Path(target).resolve()
    with staged(target, "sweep.csv") as staging:
        _table_files(staging, "sweep", table, scenario.outputs.lang)
        if scenario.outputs.charts and len(table):
            from .charts import save, sweep_chart

            ctx = _chart_context(scenario)
            for indicator in ("bed_gap", "share_60plus", "employee_self_sufficiency_ratio"):
                if indicator in set(table.indicator):
                    save(sweep_chart(table, ctx, indicator), staging / "charts", f"sweep_{indicator}")
    return target
