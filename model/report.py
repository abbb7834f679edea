"""report.html: one self-contained page per run (charts embedded), in Chinese or English."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import pandas as pd

from . import display, metrics
from .abm.experiment import PERCENTILES_FROM
from .headlines import headline_figures, valuation_year
from .labels import text

STYLE = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
max-width:980px;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:2px solid #1f4e79;padding-bottom:.2em;margin-top:1.6em}
.meta{color:#666;font-size:.9em}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:.8em}
.card{background:#f3f6fa;border-left:4px solid #1f4e79;padding:.6em .8em}.card b{display:block;font-size:1.35em;color:#1f4e79}
.charts img{width:100%;max-width:760px;display:block;margin:1em 0;border:1px solid #eee}
table{border-collapse:collapse;font-size:.82em;width:100%}td,th{border:1px solid #ddd;padding:.25em .4em;vertical-align:top}
th{background:#f3f6fa;text-align:left}pre{font-size:.75em;background:#f7f7f7;padding:1em;overflow-x:auto}
td.n{text-align:right;white-space:nowrap}figure{margin:1em 0}figcaption{font-size:.9em;font-weight:bold;text-align:center}
summary{cursor:pointer;color:#1f4e79;margin:.5em 0}
@media print{@page{size:A4;margin:14mm}body{max-width:none;margin:0;font-size:10pt}
details,.noprint{display:none}h2{break-after:avoid}figure,table,.cards{break-inside:avoid}
.charts img{width:82%;margin:0 auto;border:none}.cards{grid-template-columns:repeat(4,1fr);gap:.4em}
.card b{font-size:1.1em}}
"""


def headline_cards(tables: dict, lang: str, valuation: int | None = None,
                   mix_names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(label, figure) pairs for the top of the report: the registry's headline figures, base
    year (or `valuation`, see headlines.py) → end year (the care-mix model's for its first mix
    only, named by `mix_names` where given)."""
    figures = headline_figures(tables, valuation)
    first_mix = next((h.group for h in figures if h.metric.table == "abm"), None)
    cards = []
    for h in figures:
        if h.metric.table == "abm" and h.group != first_mix:
            continue
        unit = h.metric.unit
        group = (mix_names or {}).get(h.group, h.group)
        label = h.metric.name(lang) + (f"（{group}）" if group and lang == "zh" else f" ({group})" if group else "")
        years = f"{h.first[0]} → {h.last[0]}"
        cards.append((f"{label}，{years}" if lang == "zh" else f"{label}, {years}",
                      f"{display.number(h.first[1], unit, lang)} → {display.number(h.last[1], unit, lang)}"))
    return cards


# The care-mix model's end-year table: each service's queue, deaths waiting, unmet need by
# reason, beds; flows are those of the year before the end year.
ABM_TABLE = ("waiting_institution", "waiting_bed_interim", "waiting_community", "waiting_home_care",
             "mean_queue_months", "deaths_waiting_bed", "unmet_need", "unmet_no_capacity", "unmet_waiting",
             "unmet_family", "occupancy", "empty_nursing_beds", "public_cost", "insurance_cost")


def abm_table(abm: pd.DataFrame, lang: str, mix_names: dict[str, str]) -> pd.DataFrame:
    """The care mixes side by side in the end year: mean (lowest–highest run, or the interval
    abm.csv names), one row per figure of ABM_TABLE, named by the registry."""
    end = int(abm.year.max())
    rows = []
    for key in ABM_TABLE:
        metric = metrics.metric("abm", key)
        year = end - 1 if metric.kind in ("flow", "rate") else end
        found = abm[(abm.metric == key) & (abm.year == year)].set_index("mix")
        cells = []
        for mix in dict.fromkeys(abm.mix):
            if mix not in found.index:
                cells.append("—")
                continue
            value, low, high = (display.number(float(found.at[mix, c]), metric.unit, lang) for c in ("value", "low", "high"))
            if metric.unit == "yuan":   # the unit once: 4.7亿元 (4.7–4.8)
                unit = display.scale(metric.unit, lang)[1]
                low, high = low.replace(unit, "").strip(), high.replace(unit, "").strip()
            cells.append(value if low == high else f"{value} ({low}–{high})")
        rows.append([f"{metric.name(lang)}（{year}）" if lang == "zh" else f"{metric.name(lang)} ({year})", *cells])
    names = [mix_names.get(mix, mix) for mix in dict.fromkeys(abm.mix)]
    return pd.DataFrame(rows, columns=["指标" if lang == "zh" else "Figure", *names])


def targets_table(targets: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The plan-target checkpoints for reading: indicator, year, target (≥ / ≤), projection,
    whether on track — 'by construction' where a scenario input sets the indicator — and source."""
    zh = lang == "zh"
    rows = []
    for row in targets.itertuples(index=False):
        metric = metrics.metric(row.table, row.indicator)
        sign = "≥" if row.direction == "at_least" else "≤"
        verdict = {True: "是" if zh else "yes", False: "否" if zh else "no", None: "—"}[
            None if pd.isna(row.on_track) else bool(row.on_track)]
        if row.set_by_inputs:
            verdict += f"（按输入 {row.set_by_inputs} 设定）" if zh else f" (set by the input {row.set_by_inputs})"
        rows.append((metric.name(lang), row.year, f"{sign} {display.number(row.target, metric.unit, lang)}",
                     display.number(row.projected, metric.unit, lang), verdict, row.source))
    columns = (["指标", "年份", "目标", "预测", "是否达标", "资料来源"] if zh else
               ["Indicator", "Year", "Target", "Projected", "On track", "Source"])
    return pd.DataFrame(rows, columns=columns)


def abm_note(replicates: int, lang: str) -> str:
    interval = text("interval_percentiles" if replicates >= PERCENTILES_FROM else "interval_range", lang)
    return text("report_abm_table", lang, n=replicates, interval=interval)


def _reader_html(reader) -> str:
    """A table for readers (`wide.ReaderTable`): numbers at their precision, right-aligned;
    its note below."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in reader.frame.columns)
    rows = []
    for i, row in enumerate(reader.frame.itertuples(index=False)):
        cells = []
        for j, value in enumerate(row):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                places = reader.decimals[j - 1] if reader.by_column else reader.decimals[i]
                cells.append(f'<td class="n">{"—" if pd.isna(value) else f"{value:,.{places}f}"}</td>')
            else:
                cells.append(f"<td>{html.escape(str(value))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f'<p class="meta">{html.escape(reader.note)}</p>')


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _derived_note(derived: list[str], result, zh: bool) -> str:
    """One paragraph naming the inputs derived for the region rather than published for it."""
    if not derived:
        return ""
    region = result.scenario.region or result.scenario.name
    fields = "、".join(derived) if zh else ", ".join(derived)
    text_ = (f"以下输入未见{region}本地公开数据，已按本地区普查数据、随附数据和设定比率推算（详见下表“来源”列）：{fields}"
             if zh else f"Derived for {region} from its census, the bundled data and stated rates, as no local figure "
             f"is published (see the source column below): {fields}")
    return f'<p class="meta derived">{html.escape(text_)}</p>'


# Sections whose content is folded (a <details> block) and left out of print.
FOLDED = ("运行记录", "Run manifest")
NOPRINT = ' class="noprint"'


def _folded(summary: str, content: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>{content}</details>"


def _county_table(result, lang: str):
    from .outputs import written_tables
    from .wide import COUNTY_SOURCES, county_table

    return county_table(written_tables(result, COUNTY_SOURCES), result.scenario.milestones()[1:], lang,
                        text("workbook_definition", lang, definition=result.scenario.care.definition_in(lang)))


def build_report(result, title: str, lang: str, charts: list[tuple[Path, str, str]], assumptions: pd.DataFrame,
                 manifest: dict) -> str:
    """The page as one string: headline figures, plan targets, the care mixes, charts (PNG,
    embedded, numbered captions from `charts`: (path, title, source)), a county table for a
    county run, the assumptions and the manifest (both folded; neither printed)."""
    zh = lang == "zh"
    definition = result.scenario.care.definition_in(lang) if result.scenario.care else None
    mix_names = result.scenario.mix_names(lang)
    cards = "".join(f'<div class="card">{html.escape(label)}<b>{html.escape(value)}</b></div>'
                    for label, value in headline_cards(result.tables, lang, valuation_year(result.scenario), mix_names))
    images = "".join(
        f'<figure><img alt="{html.escape(title)}" id="{html.escape(path.stem)}" '
        f'src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}">'
        f'<figcaption>{"图" if zh else "Figure "}{n}　{html.escape(title)}</figcaption></figure>'
        for n, (path, title, _source) in enumerate(charts, start=1))
    shown = assumptions.drop(columns="parameter") if zh else assumptions.drop(columns="name")
    columns = [text(c, lang) for c in ("name" if zh else "parameter", "item", "value", "unit")] + [text("unit_source", lang)]
    sections = [
        ("主要结果" if zh else "Headline figures", f'<div class="cards">{cards}</div>'
         + (f'<p class="meta">{"失能口径：" if zh else "Disability definition: "}{html.escape(definition)}</p>'
            if definition else "")
         + (f'<p>{html.escape(text("report_care_models", lang))}</p>' if "abm" in result.tables else "")),
        *([("规划目标核对" if zh else "Plan targets checked", _table_html(targets_table(result.tables["targets"], lang)))]
          if "targets" in result.tables else []),
        *([("照护政策组合（主体模型）" if zh else "Care policy mixes (agent-based model)",
            f'<p class="meta">{html.escape(abm_note(result.scenario.abm.replicates, lang))}</p>'
            + _table_html(abm_table(result.tables["abm"], lang, mix_names)))] if "abm" in result.tables else []),
        *([("分县（区、市）主要指标" if zh else "Counties", _reader_html(_county_table(result, lang)))]
          if result.regions and "care" in result.regions else []),
        ("图表" if zh else "Charts", f'<div class="charts">{images}</div>'),
        ("假设与来源" if zh else "Assumptions and sources", _derived_note(manifest.get("derived", []), result, zh)
         + _folded(f"全部{len(shown)}项参数及来源（results.xlsx“假设与来源”工作表同）" if zh else
                   f"All {len(shown)} parameter values and their sources (as in results.xlsx, sheet assumptions)",
                   _table_html(shown.set_axis(columns, axis=1)))),
        ("运行记录" if zh else "Run manifest", _folded(
            "运行记录（manifest.json）" if zh else "The run's manifest (manifest.json)",
            f"<pre>{html.escape(json.dumps({k: v for k, v in manifest.items() if k != 'config'}, ensure_ascii=False, indent=2))}</pre>")),
    ]
    body = "".join(f'<h2{NOPRINT if name in FOLDED else ""}>{html.escape(name)}</h2>{content}'
                   for name, content in sections)
    meta = (f"情景 {manifest['scenario']} · 种子 {manifest['seed']} · 配置校验码 {manifest['config_sha256'][:12]}"
            if zh else f"scenario {manifest['scenario']} · seed {manifest['seed']} · config {manifest['config_sha256'][:12]}")
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f'<h1>{html.escape(title)}</h1><p class="meta">{html.escape(meta)}</p>{body}</body></html>')
