"""Scenario comparison: key indicators side by side, differences from the first scenario,
overlay charts and a workbook. Runs are reused when a finished run of the same scenario
(same resolved configuration, by its SHA-256) is already in its output folder."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pandas as pd

from .scenario import Scenario, model_digest
from . import metrics
from .folders import intact, read_manifest

REPLICATES = "abm_runs"   # each run of the agent-based module, by seed: what pairs two scenarios' runs


def finished_tables(folder: Path, scenario: Scenario) -> dict[str, pd.DataFrame] | None:
    """The tables of a finished run of this scenario in `folder`, or None: the run must have
    the same model-relevant configuration, the same silverplan version, and files that still
    match the checksums of its manifest (a damaged or edited table means a rerun)."""
    recorded = read_manifest(folder)
    if recorded is None or recorded.get("kind") != "run":
        return None
    # The same numbers: same model-relevant configuration and the same silverplan version
    # (presentation settings such as the language do not matter; they are redrawn anyway).
    if recorded.get("model_sha256") != model_digest(scenario):
        return None
    if recorded.get("versions", {}).get("silverplan") != metadata.version("silverplan"):
        return None
    if not intact(folder, recorded):
        return None
    names = [name for name in (*metrics.TABLES, REPLICATES, "targets") if f"{name}.csv" in recorded["files"]]
    tables = {name: pd.read_csv(folder / f"{name}.csv") for name in names}
    for name, table in tables.items():  # county runs: the city's rows come first
        if "region" in table:
            tables[name] = table[table.region == table.region.iloc[0]].drop(columns="region").reset_index(drop=True)
    return tables


def _groups(metric: metrics.Metric, frame: pd.DataFrame):
    """(group, rows) of a metric: the pension scheme it is compared for, each care mix of the
    agent-based module, or the table's single series."""
    if metric.table == "pension":
        return [(metric.scheme, frame[frame.scheme == metric.scheme])]
    if metric.table == "abm":
        return list(frame.groupby("mix", sort=False))
    return [("", frame)]


def key_indicators(runs: dict[str, dict[str, pd.DataFrame]], years) -> pd.DataFrame:
    """Tidy comparison of the registry's compared metrics: table, indicator, group (pension
    scheme or care mix), year, scenario, value, difference from the first scenario. A flow has
    no value in the end year (it covers the twelve months after a stock date); the year before
    stands in for it, under its own year. Figures of the agent-based module carry their
    interval over replicates (`low`, `high`, as in abm.csv), and their difference from the
    first scenario its own interval (`difference_low`, `difference_high`) where the two were
    run with the same seeds: run by run, the same people in both (`paired_differences`)."""
    rows = []
    for name, tables in runs.items():
        for metric in metrics.compared():
            if metric.table not in tables:
                continue
            frame = tables[metric.table]
            frame = frame[frame["indicator" if metric.table == "indicators" else "metric"] == metric.key]
            for group, part in _groups(metric, frame):
                part = part.dropna(subset=["value"]).set_index("year")
                for year in years:
                    shown = year if year in part.index or metric.kind != "flow" else year - 1
                    found = part.loc[shown] if shown in part.index else {}
                    rows.append((metric.table, metric.key, group, shown, name,
                                 *(float(found.get(column, float("nan"))) for column in ("value", "low", "high"))))
    table = pd.DataFrame(rows, columns=["table", "indicator", "group", "year", "scenario", "value", "low", "high"])
    key = ["table", "indicator", "group", "year"]
    first = table[table.scenario == next(iter(runs))].set_index(key)["value"]
    reference = table.set_index(key).index.map(first.get)
    table["difference"] = table["value"] - reference.to_numpy(dtype=float)
    paired = paired_differences(runs)
    unpaired = (float("nan"),) * 3
    found = [paired.get(key, unpaired) for key in zip(table.indicator, table.group, table.year, table.scenario)]
    table["difference_low"] = [low for _, low, _ in found]
    table["difference_high"] = [high for _, _, high in found]
    return table


def paired_differences(runs: dict[str, dict[str, pd.DataFrame]]) -> dict:
    """{(metric, mix, year, scenario): (mean, low, high)} of each scenario's agent-based figures
    minus the first scenario's, run by run: replicate seeds are the scenarios' common random
    numbers (the same people and health histories where the population is the same), so a
    pair is two runs with the same seed. Only scenarios whose runs have exactly the first's
    seeds are paired (else a difference has no interval: its runs are independent)."""
    from .abm.experiment import interval

    tables = {name: tables.get(REPLICATES) for name, tables in runs.items()}
    first = next(iter(tables.values()))
    if first is None:
        return {}
    key = ["metric", "mix", "year", "seed"]
    reference = first.set_index(key).value
    found = {}
    for name, table in list(tables.items())[1:]:
        if table is None or set(table.seed) != set(first.seed):
            continue
        both = table.set_index(key).value.to_frame("value").join(reference.rename("reference"), how="inner")
        both["difference"] = both.value - both.reference
        wide = both.difference.unstack("seed")
        wide = wide[wide.notna().all(axis=1)]   # a pair in every replicate, or no interval
        low, high = interval(wide.to_numpy(dtype=float))
        for (metric, mix, year), mean, lo, hi in zip(wide.index, wide.mean(axis=1), low, high):
            found[(metric, mix, int(year), name)] = (float(mean), float(lo), float(hi))
    return found


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison as planners read it: one row per indicator and year, a column per
    scenario, then each scenario's difference from the first."""
    order = list(dict.fromkeys(table.scenario))
    key = ["table", "indicator", "group", "year"]
    rows = pd.MultiIndex.from_frame(table[key].drop_duplicates())
    wide = table.pivot(index=key, columns="scenario", values="value").reindex(index=rows, columns=order)
    for name in order[1:]:
        wide[f"{name} − {order[0]}"] = wide[name] - wide[order[0]]
    return wide.reset_index()


def terminal_table(table: pd.DataFrame, lang: str, names: dict[str, str] | None = None) -> str:
    """The key indicators of the comparison's last year as a compact terminal table: one row
    per indicator (and pension scheme or care mix), a column per scenario, then each one's
    difference from the first (a care-mix figure with its paired interval, when the runs were
    paired); names in `lang`, mixes by `names`."""
    from . import display
    from .labels import SCHEME_NAMES

    table = table.assign(group=table.group.astype(object).where(table.group.notna(), ""))
    year = int(table.year.max())
    key = ["table", "indicator", "group"]
    last = table[table.year == table.groupby(key).year.transform("max")]   # a flow: the year before
    order = list(dict.fromkeys(table.scenario))
    width = 40 if "difference_low" in table and table.difference_low.notna().any() else 22   # room for intervals
    header = display.pad(f"{year}", 50) + "".join(display.pad(name, 16, right=True) for name in order) + "".join(
        display.pad(f"{name} − {order[0]}", width, right=True) for name in order[1:])
    lines = [header]
    for (kind, indicator, group), rows in last.groupby(key, sort=False):
        metric = metrics.metric(kind, indicator)
        values = rows.set_index("scenario")["value"]
        label = metric.name(lang)
        if group:
            shown = SCHEME_NAMES[group][0 if lang == "zh" else 1] if group in SCHEME_NAMES else (names or {}).get(group, group)
            label += f"（{shown}）" if lang == "zh" else f" ({shown})"
        if int(rows.year.iloc[0]) != year:
            label += f" ({int(rows.year.iloc[0])})"
        cells = [display.number(values.get(name), metric.unit, lang) for name in order]
        by_scenario = rows.set_index("scenario")
        differences = [_difference(by_scenario, name, order[0], metric.unit, lang) for name in order[1:]]
        lines.append(display.pad(label, 50) + "".join(display.pad(c, 16, right=True) for c in cells)
                     + "".join(display.pad(d, width, right=True) for d in differences))
    return "\n".join(lines)


def _difference(rows: pd.DataFrame, name: str, first: str, unit: str, lang: str) -> str:
    """A scenario's difference from the first, with its paired interval where there is one."""
    from . import display

    shown = display.number(rows.value.get(name) - rows.value.get(first), unit, lang)
    if "difference_low" in rows and pd.notna(rows.difference_low.get(name)):
        low, high = (display.number(rows[column].get(name), unit, lang) for column in ("difference_low", "difference_high"))
        shown += f" ({low}…{high})"
    return shown
