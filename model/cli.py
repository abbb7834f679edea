"""The `simulate` command line: parse arguments, call the runner and the writers, report.

Exit status: 0 success; 2 a bad command line or a bad scenario (one line on stderr, no
traceback); 1 any other failure. Progress goes to stderr, results to stdout.
Set SILVERPLAN_DEBUG=1 to see the traceback of an unexpected error.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sys
import threading
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path

import click

from .errors import OptionError, ScenarioError  # light: the heavy modules are imported by the commands that use them


class StderrProgress:
    """Stage messages on stderr, shown only once a run has taken longer than `delay` seconds
    (a quick run prints nothing but its results); silent with --quiet.

    A background thread shows the stage in progress when the delay passes mid-stage.
    """

    def __init__(self, quiet: bool, delay: float = 2.0):
        self.quiet = quiet
        self.delay = delay
        self.started = time.perf_counter()
        self.pending: str | None = None
        self.lock = threading.Lock()
        self.done = threading.Event()
        if not quiet:
            threading.Thread(target=self._watch, daemon=True).start()

    def __call__(self, message: str) -> None:
        with self.lock:
            self.pending = message
        if self._elapsed() >= self.delay:
            self._flush()

    def close(self) -> None:
        self.done.set()

    def _elapsed(self) -> float:
        return time.perf_counter() - self.started

    def _flush(self) -> None:
        with self.lock:
            message, self.pending = self.pending, None
        if message is not None and not self.quiet:
            click.echo(f"[{self._elapsed():5.1f}s] {message}", err=True)

    def _watch(self) -> None:
        if not self.done.wait(self.delay):
            self._flush()
            while not self.done.wait(0.25):
                self._flush()


def _fail(message: str, status: int) -> None:
    for line in message.splitlines():
        click.echo(f"error: {line}", err=True)
    sys.exit(status)


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl-C so that every clean-up runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _interrupt(signum: int, frame) -> None:
    for other in (signal.SIGTERM, signal.SIGHUP):  # one interruption is enough: let the clean-up finish
        signal.signal(other, signal.SIG_IGN)
    raise Interrupted(signum)


def _guarded(action, config: Path, flags: dict[str, str] | None = None):
    """Run `action`, turning scenario errors into exit 2 and anything else into exit 1.

    `flags` maps settings the command line gave (``out``, ``uncertainty.trials`` …) to the
    flag that gave them, so an error about one names the flag the user typed."""
    flags = flags or {}
    try:
        return action()
    except OptionError as exc:
        flag = flags.get(exc.option)
        _fail(f"{flag} {exc.value}: {exc.problem}" if flag else str(exc), 2)
    except ScenarioError as exc:
        lines = []
        for line in exc.problems:
            line = line if line.startswith(str(config)) else f"{config}: {line}"
            for field, flag in flags.items():
                line = line.replace(f"{config}: {field}:", f"{flag}:", 1)
            lines.append(line)
        _fail("\n".join(lines), 2)
    except KeyboardInterrupt as exc:
        by = f" ({exc.args[0]})" if exc.args else ""
        _fail(f"interrupted{by}; previous outputs are untouched", 1)
    except Exception as exc:  # noqa: BLE001 — the CLI's last line of defence
        if os.environ.get("SILVERPLAN_DEBUG"):
            traceback.print_exc()
        _fail(f"{type(exc).__name__}: {exc} (set SILVERPLAN_DEBUG=1 for details)", 1)


def default_folder(name: str, settings: tuple[str, ...] = (), **variants) -> Path:
    """outputs/<name>, with a suffix for each setting the command line changed, so that a run
    with --lang en, --trials, --seed or --set never replaces the scenario's own results:
    outputs/base_en, outputs/base_trials1000, outputs/base_seed7, outputs/base_care.beds=32000
    (several --set, or long or unusual ones: outputs/base_set-<8 hex digits of them>)."""
    suffix = "".join(f"_{key}{value}" if key != "lang" else f"_{value}"
                     for key, value in variants.items() if value is not None)
    if settings:
        written = "_".join(item.replace(" ", "") for item in settings)
        if len(written) > MAX_SET_SUFFIX or not re.fullmatch(r"[A-Za-z0-9_.=\-]+", written):
            written = "set-" + hashlib.sha256("\n".join(settings).encode()).hexdigest()[:8]
        suffix += f"_{written}"
    return Path("outputs") / f"{name}{suffix}"


MAX_SET_SUFFIX = 60   # characters of --set items in a folder name before they are hashed


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="silverplan")
def main() -> None:
    """silverplan: population ageing, pensions and elder care for a Chinese city."""


@main.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default outputs/<name>).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language of charts and report.")
@click.option("--seed", type=click.IntRange(min=0), help="Root random seed (overrides the scenario).")
@click.option("--no-charts", is_flag=True, help="Skip charts.")
@click.option("--trials", type=click.IntRange(min=0, max=100_000),
              help="Probabilistic trajectories (overrides uncertainty.trials; 0 = deterministic only).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Change one input, e.g. --set care.beds=32000 (a dotted key of the scenario; repeatable).")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
def run(config: Path, out: Path | None, lang: str | None, seed: int | None, no_charts: bool, trials: int | None,
        settings: tuple[str, ...], quiet: bool) -> None:
    """Run the scenario CONFIG and write its results.

    Results go to outputs/<name>/ (or --out DIR); --lang, --seed, --trials and --set add a
    suffix to that default (outputs/base_en/, outputs/base_care.beds=32000/ …), so they never
    replace the scenario's own results."""
    from .folders import check_target
    from .localise import derived_fields
    from .outputs import replacing_note, write_run
    from .runner import run_scenario
    from .scenario import assignments, deep_merge, load_scenario

    progress = StderrProgress(quiet)
    started = datetime.now(timezone.utc)
    overrides: dict = {}
    if seed is not None:
        overrides["seed"] = seed
    if trials is not None:
        overrides["uncertainty"] = {"trials": trials}
    if lang is not None or no_charts:
        overrides["outputs"] = {k: v for k, v in (("lang", lang), ("charts", False if no_charts else None)) if v is not None}
    flags = {"out": "--out", "seed": "--seed", "uncertainty.trials": "--trials", "set": "--set"} if out else \
        {"seed": "--seed", "uncertainty.trials": "--trials", "set": "--set"}
    flags.update({key: f"--set {key}" for key in (item.partition("=")[0].strip() for item in settings)})

    def action():
        changes = deep_merge(overrides, assignments(settings)) if settings else overrides
        scenario = load_scenario(config, changes)
        target = out
        if target is None:
            plain = load_scenario(config)
            target = default_folder(
                scenario.name, lang=lang if lang != plain.outputs.lang else None,
                trials=trials if trials is not None and trials != plain.uncertainty.trials else None,
                seed=seed if seed is not None and seed != plain.seed else None, settings=settings)
        check_target(target)  # before any work: a folder that may not be replaced stops the run at once
        progress(f"scenario {scenario.name}: {scenario.years.base}→{scenario.years.end}")
        result = run_scenario(scenario, progress)
        note = replacing_note(target, scenario)
        written, notes = write_run(result, target, str(config), started, progress, settings)
        for warning in [*result.warnings, *notes]:
            click.echo(f"warning: {warning}", err=True)
        if note:
            click.echo(f"note: {note}", err=True)
        derived = derived_fields(scenario)
        if derived and not quiet:
            click.echo(f"note: {len(derived)} inputs were derived for {scenario.region} from its census, bundled data "
                       f"and stated rates ({', '.join(derived[:4])}{' …' if len(derived) > 4 else ''}); see the "
                       "assumptions table", err=True)
        click.echo(summary(result, written))

    try:
        _guarded(action, config, flags)
    finally:
        progress.close()


@main.command()
@click.argument("configs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Comparison folder (default outputs/compare_<first>_<second>…).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language of charts and workbook headers.")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
def compare(configs: tuple[Path, ...], out: Path | None, lang: str | None, quiet: bool) -> None:
    """Compare scenarios CONFIGS: key indicators side by side, overlay charts, a workbook.

    Each scenario is run into outputs/<name>/ unless a finished run of exactly that scenario
    is already there."""
    import pandas as pd

    from .compare import finished_tables, terminal_table
    from .folders import check_target
    from .outputs import write_comparison, write_run
    from .runner import run_scenario
    from .scenario import load_scenario

    if len(configs) < 2:
        _fail("compare needs at least two scenario files", 2)
    progress = StderrProgress(quiet)
    overrides = {"outputs": {"lang": lang}} if lang else {}
    try:
        # Every scenario, and every folder to be written, is checked before anything runs.
        scenarios, folders = {}, {}
        for config in configs:
            scenario = _guarded(lambda config=config: load_scenario(config, overrides), config)
            if scenario.name in scenarios:
                _fail(f"{config}: name: two scenarios are called {scenario.name!r}; names must differ", 2)
            scenarios[scenario.name] = (config, scenario)
            own_lang = _guarded(lambda config=config: load_scenario(config).outputs.lang, config)
            folders[scenario.name] = default_folder(scenario.name, lang=lang if lang != own_lang else None)
        target = out or Path("outputs") / ("compare_" + "_".join(scenarios))
        _guarded(lambda: check_target(target), configs[0], {"out": "--out"} if out else None)
        runs, warnings = {}, []
        for name, (config, scenario) in scenarios.items():
            def action(config=config, scenario=scenario, folder=folders[name]):
                tables = finished_tables(folder, scenario)
                if tables is None:
                    check_target(folder)
                    progress(f"running {scenario.name}")
                    result = run_scenario(scenario, progress)
                    _, notes = write_run(result, folder, str(config), datetime.now(timezone.utc), progress)
                    warnings.extend(f"{scenario.name}: {w}" for w in [*result.warnings, *notes])
                    tables = result.tables
                else:
                    progress(f"reusing {folder}")
                return tables
            runs[name] = _guarded(action, config)
        progress("writing the comparison")
        plain = {name: scenario for name, (_, scenario) in scenarios.items()}
        folder, notes = _guarded(lambda: write_comparison(runs, plain, target), configs[0],
                                 {"out": "--out"} if out else None)
        warnings.extend(notes)
        for warning in dict.fromkeys(warnings):
            click.echo(f"warning: {warning}", err=True)
        first = next(iter(plain.values()))
        click.echo(terminal_table(pd.read_csv(folder / "comparison.csv"), first.outputs.lang,
                                  first.mix_names(first.outputs.lang)))
        click.echo(f"compared {', '.join(runs)}: {folder}")
    finally:
        progress.close()


@main.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default outputs/<name>_sensitivity).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Language of charts and workbook headers.")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
def sensitivity(config: Path, out: Path | None, lang: str | None, quiet: bool) -> None:
    """Move each key assumption of CONFIG to a low and a high value: effects on the 2035 bed
    gap and notional pension balance, with tornado charts."""
    from . import display, metrics
    from .folders import check_target
    from .outputs import write_sensitivity
    from .scenario import load_scenario
    from .sensitivity import sensitivity as one_at_a_time

    progress = StderrProgress(quiet)

    def action():
        scenario = load_scenario(config, {"outputs": {"lang": lang}} if lang else None)
        own_lang = load_scenario(config).outputs.lang
        target = out or default_folder(f"{scenario.name}_sensitivity", lang=lang if lang != own_lang else None)
        check_target(target)
        table = one_at_a_time(scenario, progress)
        folder, notes = write_sensitivity(table, scenario, target)
        for warning in notes:
            click.echo(f"warning: {warning}", err=True)
        for (table_name, metric), rows in table.groupby(["table", "metric"], sort=False):
            widest = rows.assign(swing=(rows.high - rows.low).abs()).sort_values("swing", ascending=False).iloc[0]
            unit = metrics.metric(table_name, metric).unit
            click.echo(f"{metric} {int(rows.year.iloc[0])}: base {display.number(rows.base.iloc[0], unit, 'en')}; "
                       f"widest swing {widest.parameter} ({display.number(widest.low, unit, 'en')} to "
                       f"{display.number(widest.high, unit, 'en')})")
        click.echo(f"results: {folder}")

    try:
        _guarded(action, config, {"out": "--out"} if out else None)
    finally:
        progress.close()


@main.command()
@click.argument("sweep_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--scheduler", help="Address of a running Dask scheduler (tcp://HOST:PORT); default: a local cluster.")
@click.option("--workers", type=click.IntRange(min=1, max=64), help="Workers of the local cluster (default: cores, at most 4).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default outputs/sweep_<name>).")
@click.option("--quiet", "-q", is_flag=True, help="No progress messages.")
def sweep(sweep_file: Path, scheduler: str | None, workers: int | None, out: Path | None, quiet: bool) -> None:
    """Run a grid of scenario overrides (SWEEP_FILE) on Dask and gather the results."""
    from .folders import check_target
    from .outputs import write_sweep
    from .sweep import check_scheduler, read_sweep, run_sweep

    progress = StderrProgress(quiet)

    def action():
        if scheduler is not None:
            check_scheduler(scheduler)
        scenario, name, points, abm = read_sweep(sweep_file)
        target = out or Path("outputs") / f"sweep_{name}"
        check_target(target)
        progress(f"sweep {name}: {len(points)} points")
        table, failures = run_sweep(scenario, points, abm, scheduler, workers, progress)
        folder, notes = write_sweep(table, scenario, target)
        for warning in notes:
            click.echo(f"warning: {warning}", err=True)
        for index, point, message in failures:
            settings = ", ".join(f"{k}={v}" for k, v in point.items())
            click.echo(f"error: point {index} ({settings}): {message}", err=True)
        click.echo(f"swept {len(points) - len(failures)} of {len(points)} points: {folder}")
        return 1 if failures else 0

    try:
        status = _guarded(action, sweep_file, {"out": "--out", "scheduler": "--scheduler"} if out else
                          {"scheduler": "--scheduler"})
    finally:
        progress.close()
    if status:
        sys.exit(status)


@main.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
def validate(config: Path) -> None:
    """Check the scenario CONFIG and its input tables without running it."""
    from .runner import check_scenario
    from .scenario import load_scenario

    def action():
        scenario = load_scenario(config)
        check_scenario(scenario)
        click.echo(f"ok: {config} ({scenario.name}, {scenario.years.base}→{scenario.years.end})")

    _guarded(action, config)


@main.command()
@click.argument("config", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lever", required=True, type=click.Choice(["contribution_rate", "retirement_delay", "indexation"]),
              help="The pension parameter to solve for.")
@click.option("--target", "target_text", default=None,
              help="METRIC_YEAR>=VALUE on the employee scheme, e.g. balance_standalone_2035>=0 (the default, at "
                   "the pension stage's last year).")
def solve(config: Path, lever: str, target_text: str | None) -> None:
    """Find the value of a pension LEVER that meets a target (e.g. the General Average Premium)."""
    from .scenario import load_scenario
    from .solve import parse_target, plausibility_warning, solve_lever

    def action():
        scenario = load_scenario(config)
        if scenario.pension is None:
            raise ScenarioError("pension: the scenario has no pension section to solve on")
        last = scenario.pension.horizon or scenario.years.end
        target = parse_target(target_text or f"balance_standalone_{last}>=0", scenario)
        value, gap = solve_lever(scenario, lever, target)
        after = int(scenario.pension.published_until.at(scenario.years.base))
        valuation = int(scenario.pension.valuation_year.at(scenario.years.base))
        shown = {"contribution_rate": f"{value:.2%} of the contribution base from {valuation}",
                 "indexation": f"{value:.2%} a year after {after}",
                 "retirement_delay": f"{int(value)} months beyond the 2025 reform"}[lever]
        op = ">=" if target.at_least else "<="
        click.echo(f"{lever} = {shown}\n  meets {target.metric}_{target.year} {op} {target.value:g} "
                   f"(margin {gap:,.4g}) in {scenario.name}")
        warning = plausibility_warning(lever, value)
        if warning:
            click.echo(f"warning: {warning}", err=True)

    _guarded(action, config, {"target": "--target", "lever": "--lever"})


def summary(result, target: Path) -> str:
    """The headline figures (the metric registry's) for the terminal, in the run's language:
    base year and end year (a flow: its first and last twelve months) with the end year's
    interval where the run has one (probabilistic trials: 80%), the care mixes side by side."""
    from . import display
    from .headlines import headline_figures, valuation_year
    from .labels import text

    scenario = result.scenario
    lang = scenario.outputs.lang
    figures = headline_figures(result.tables, valuation_year(scenario))

    def shown(value, metric, band=None) -> str:
        number = display.number(value, metric.unit, lang)
        if band is None:
            return number
        low, high = (display.number(v, metric.unit, lang) for v in band)
        return number if low == high else f"{number} ({low}–{high})"

    lines = [f"{scenario.title or scenario.name}: {scenario.years.base} → {scenario.years.end}"]
    banded = any(h.band for h in figures if h.metric.table != "abm")
    if banded:
        lines.append("  " + text("summary_interval", lang, n=scenario.uncertainty.trials))
    for h in (h for h in figures if h.metric.table != "abm"):
        years = f" ({h.first[0]} / {h.last[0]})" if h.metric.kind == "flow" or h.first[0] != scenario.years.base else ""
        lines.append("  " + display.pad(f"{h.metric.name(lang)}{years}", 58)
                     + display.pad(shown(h.first[1], h.metric), 18, right=True)
                     + display.pad(shown(h.last[1], h.metric, h.band), 38 if banded else 18, right=True))
    if scenario.care is not None and "care" in result.tables:
        lines.append("  " + text("workbook_definition", lang, definition=scenario.care.definition_in(lang)))
    mixed = [h for h in figures if h.metric.table == "abm"]
    if mixed:
        metrics_shown = list(dict.fromkeys(h.metric for h in mixed))
        names = scenario.mix_names(lang)
        lines.append("  " + display.pad(text("summary_mixes", lang, year=mixed[0].last[0], n=scenario.abm.replicates), 48)
                     + "".join(display.pad(m.name(lang), 34, right=True) for m in metrics_shown))
        for mix in dict.fromkeys(h.group for h in mixed):
            by_metric = {h.metric.key: h for h in mixed if h.group == mix}
            lines.append("    " + display.pad(names.get(mix, mix), 46) + "".join(
                display.pad(shown(by_metric[m.key].last[1], m, by_metric[m.key].band) if m.key in by_metric else "—",
                            34, right=True) for m in metrics_shown))
    lines.append(text("summary_results", lang, folder=target))
    return "\n".join(lines)


def invoke(args: list[str]) -> int:
    """Run the command line with `args` in this process and return its exit status (what
    `simulate` does, without leaving the interpreter: the tests call it)."""
    try:
        status = main(args=list(args), standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("error: aborted", err=True)
        return 1
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return exc.exit_code
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return status or 0


def entry() -> None:
    """Console-script entry point: SIGTERM and SIGHUP are handled like Ctrl-C (staging folders
    removed, worker processes ended), usage errors are one line with exit status 2."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    sys.exit(invoke(sys.argv[1:]))
