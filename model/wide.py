"""Tables for readers: indicators as rows and years as columns, in the units planners write
(万人, 亿元, 张, %), each rounded to its indicator's precision (`display.reader`).

The workbook's first sheets, the Word chapter and the comparison workbook read the same
tables, so a figure is rounded and named once. The tidy CSV tables stay unrounded.

Timing: a stock is on 1 November of its year; a flow of the population and care-mix tables
covers the twelve months from that day, so it has no value in the end year; pension flows are
calendar years. Each table's note says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from . import display, metrics
from .labels import SCHEME_NAMES, parameter_name, text


@dataclass
class ReaderTable:
    """One table for readers: `frame` has the columns name, unit, then one per year (or a
    region column, then one per figure and year); `decimals` is the precision of each row,
    or of each column after the first if `by_column`; `note` is its source line."""
    key: str
    title: str
    frame: pd.DataFrame
    decimals: list[int] = field(default_factory=list)
    note: str = ""
    by_column: bool = False


def metric_row(found: dict, metric: metrics.Metric, columns, lang: str, label: str | None = None):
    """(row, decimals) of one metric: its name (or `label`), its reader's unit, and its values
    at `columns` (keys of `found`; a missing or NaN value is None) divided and rounded as
    `display.reader` says."""
    divisor, unit, decimals = display.reader(metric, lang)
    values = [round(float(found[c]) / divisor, decimals) if pd.notna(found.get(c)) else None for c in columns]
    return [label or metric.name(lang), unit, *values], decimals


def years_table(tidy: pd.DataFrame, table: str, years: list[int], lang: str, *, key: str, title: str,
                keys: tuple[str, ...] | None = None, where: dict | None = None, group: str | None = None,
                group_names: dict[str, str] | None = None, note: str = "") -> ReaderTable:
    """The registry's yearly metrics of a tidy `table` (`keys` only, if given) as rows and
    `years` as columns. `where` selects rows (scheme = employee); `group` names a column whose
    values each get a row per metric (the care mixes), labelled by `group_names`."""
    key_column = "indicator" if table == "indicators" else "metric"
    for column, value in (where or {}).items():
        tidy = tidy[tidy[column] == value]
    present = set(tidy[key_column])
    chosen = [m for m in metrics.of_table(table) if m.kind != "value" and m.key in present
              and (keys is None or m.key in keys)]
    if keys is not None:
        chosen.sort(key=lambda m: keys.index(m.key))
    rows, decimals = [], []
    groups = list(dict.fromkeys(tidy[group])) if group else [None]
    cells: dict[tuple, dict] = {}   # (metric, group value) → {year: value}
    for name, value, year, number in zip(tidy[key_column], tidy[group] if group else tidy[key_column],
                                         tidy["year"], tidy["value"]):
        cells.setdefault((name, value if group else None), {})[year] = number
    for metric in chosen:
        for value in groups:
            part = cells.get((metric.key, value), {})
            label = None
            if group:
                shown = (group_names or {}).get(value, value)
                label = f"{metric.name(lang)}：{shown}" if lang == "zh" else f"{metric.name(lang)}: {shown}"
            row, places = metric_row(part, metric, years, lang, label)
            rows.append(row)
            decimals.append(places)
    columns = [text("name", lang), text("unit", lang), *[str(y) for y in years]]
    return ReaderTable(key, title, pd.DataFrame(rows, columns=columns), decimals, note)


# The population topic leaves out the care figures repeated in indicators.csv (the care sheet has them).
POPULATION_KEYS = tuple(m.key for m in metrics.of_table("indicators")
                        if m.kind != "value" and m.key not in metrics.CARE_IN_INDICATORS.values())


def topic_tables(tables: dict[str, pd.DataFrame], years: list[int], lang: str,
                 mix_names: dict[str, str] | None = None) -> list[ReaderTable]:
    """One reader's table per topic the run has: population, each pension scheme, care
    demand, the care mixes (a row per figure and mix)."""
    flows = text("note_flows", lang)
    found = []
    if "indicators" in tables:
        found.append(years_table(tables["indicators"], "indicators", years, lang, key="wide_population",
                                 title=text("topic_population", lang), keys=POPULATION_KEYS, note=flows))
    if "pension" in tables:
        for scheme in dict.fromkeys(tables["pension"].scheme):
            name = SCHEME_NAMES[scheme][0 if lang == "zh" else 1]
            found.append(years_table(tables["pension"], "pension", years, lang, key=f"wide_pension_{scheme}",
                                     title=text("topic_pension", lang, scheme=name), where={"scheme": scheme},
                                     note=text("note_pension", lang)))
    if "care" in tables:
        found.append(years_table(tables["care"], "care", years, lang, key="wide_care", title=text("topic_care", lang),
                                 note=text("note_stocks", lang)))
    if "abm" in tables:
        found.append(years_table(tables["abm"], "abm", years, lang, key="wide_abm", title=text("topic_abm", lang),
                                 group="mix", group_names=mix_names, note=flows))
    return found


# A county run's county × indicator sheet: these figures, at each of the milestone years asked.
COUNTY_FIGURES = (("indicators", "population_total"), ("indicators", "share_60plus"), ("indicators", "share_65plus"),
                  ("care", "severe"), ("care", "beds_needed"), ("care", "beds_supplied"), ("care", "bed_gap"),
                  ("care", "beds_per_1000"), ("care", "norm_gap"))
COUNTY_SOURCES = tuple(dict.fromkeys(table for table, _ in COUNTY_FIGURES))   # the tables it reads


def county_table(written: dict[str, pd.DataFrame], years: list[int], lang: str, note: str = "") -> ReaderTable:
    """Regions as rows (the city first, then each county), and for each figure of
    COUNTY_FIGURES one column per year in `years`: headers "name (unit) year"."""
    regions = list(dict.fromkeys(written["indicators"].region))
    value = {}   # (table, key, region, year) → value, for the figures and years shown
    for table in COUNTY_SOURCES:
        column = "indicator" if table == "indicators" else "metric"
        tidy = written[table]
        tidy = tidy[tidy[column].isin([key for t, key in COUNTY_FIGURES if t == table]) & tidy.year.isin(years)]
        value.update(zip(zip([table] * len(tidy), tidy[column], tidy.region, tidy.year), tidy.value))
    columns, cells, decimals = [], {region: [] for region in regions}, []
    for table, key in COUNTY_FIGURES:
        metric = metrics.metric(table, key)
        divisor, unit, places = display.reader(metric, lang)
        for year in years:
            columns.append(f"{metric.name(lang)}（{unit}）{year}" if lang == "zh" else f"{metric.name(lang)} ({unit}) {year}")
            decimals.append(places)
            for region in regions:
                found = value.get((table, key, region, year))
                cells[region].append(None if found is None or pd.isna(found) else round(float(found) / divisor, places))
    frame = pd.DataFrame([[region, *cells[region]] for region in regions], columns=[text("region", lang), *columns])
    return ReaderTable("wide_counties", text("topic_counties", lang), frame, decimals, note, by_column=True)


def sweep_table(table: pd.DataFrame, lang: str) -> ReaderTable:
    """A sweep (`sweep.run_sweep`'s table) for readers: the comparison's layout with a column
    per point, headed by its parameters in words and values ("养老床位 30,900；净迁移人数 -16,000")."""
    parameters = [c for c in table.columns if c not in ("point", "table", "indicator", "group", "year", "value")]
    names = {p: parameter_name(p, lang).split("·")[-1] for p in parameters}
    colon, joiner = ("：", "；") if lang == "zh" else (": ", "; ")
    values = table.drop_duplicates("point").set_index("point")[parameters]
    short = {point: text("sweep_point", lang, n=point + 1) for point in values.index}
    titles = {point: short[point] + colon + joiner.join(f"{names[p]} {display.setting(row[p])}" for p in parameters)
              for point, row in values.iterrows()}
    reading = comparison_table(table.rename(columns={"point": "scenario"}), titles, lang, short=short)
    return ReaderTable("wide_sweep", text("topic_sweep", lang), reading.frame, reading.decimals, text("note_sweep", lang))


def comparison_table(table: pd.DataFrame, titles: dict[str, str], lang: str,
                     group_names: dict[str, str] | None = None, short: dict | None = None) -> ReaderTable:
    """The comparison for readers (`compare.key_indicators`): a row per indicator, group and
    year; a column per scenario (headed by its title) and per difference from the first,
    each in its indicator's reader unit and rounded to its precision (so no -2.18e-06 persons)."""
    from .labels import SCHEME_NAMES

    order = list(dict.fromkeys(table.scenario))
    rows, decimals = [], []
    for (kind, indicator, group, year), part in table.groupby(["table", "indicator", "group", "year"], sort=False,
                                                           dropna=False):
        metric = metrics.metric(kind, indicator)
        name = metric.name(lang)
        if isinstance(group, str) and group:
            shown = SCHEME_NAMES[group][0 if lang == "zh" else 1] if group in SCHEME_NAMES else (
                group_names or {}).get(group, group)
            name += f"（{shown}）" if lang == "zh" else f" ({shown})"
        values = part.set_index("scenario")["value"]
        differences = pd.Series({s: values.get(s) - values.get(order[0]) for s in order[1:]}, dtype=float)
        row, places = metric_row({**values.to_dict(), **differences.add_prefix("Δ").to_dict()}, metric,
                                 [*order, *[f"Δ{s}" for s in order[1:]]], lang, name)
        rows.append([row[0], row[1], str(int(year)), *row[2:]])
        decimals.append(places)
    short = short or titles   # the differences' headers: the short names (a sweep's point numbers), else titles
    columns = [text("name", lang), text("unit", lang), text("year", lang), *[titles.get(s, s) for s in order],
               *[f"{short.get(s, s)} − {short.get(order[0], order[0])}" for s in order[1:]]]
    return ReaderTable("wide_comparison", text("topic_comparison", lang), pd.DataFrame(rows, columns=columns),
                       decimals, text("note_comparison", lang))
