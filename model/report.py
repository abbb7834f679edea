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


def _abm_note(replicates: int, lang: str) -> str:
    interval = text("interval_percentiles" if replicates >= PERCENTILES_FROM else "interval_range", lang)
    return text("report_abm_table", lang, n=replicates, interval=interval)


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


def build_report(result, title: str, lang: str, charts: list[Path], assumptions: pd.DataFrame,
                 manifest: dict) -> str:
    """The page as one string: headline figures, charts (PNG, embedded), assumptions, manifest."""
    zh = lang == "zh"
    definition = result.scenario.care.definition_in(lang) if result.scenario.care else None
    mixes = result.scenario.abm.mixes if result.scenario.abm else {}
    mix_names = {key: mix.label for key, mix in mixes.items() if mix.label} if zh else {}
    cards = "".join(f'<div class="card">{html.escape(label)}<b>{html.escape(value)}</b></div>'
                    for label, value in headline_cards(result.tables, lang, valuation_year(result.scenario), mix_names))
    images = "".join(
        f'<img alt="{html.escape(path.stem)}" id="{html.escape(path.stem)}" '
        f'src="data:image/png;base64,{base64.b64encode(path.read_bytes()).decode()}">' for path in charts)
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
            f'<p class="meta">{html.escape(_abm_note(result.scenario.abm.replicates, lang))}</p>'
            + _table_html(abm_table(result.tables["abm"], lang, mix_names)))] if "abm" in result.tables else []),
        ("图表" if zh else "Charts", f'<div class="charts">{images}</div>'),
        ("假设与来源" if zh else "Assumptions and sources", _derived_note(manifest.get("derived", []), result, zh)
         + _table_html(shown.set_axis(columns, axis=1))),
        ("运行记录" if zh else "Run manifest",
         f"<pre>{html.escape(json.dumps({k: v for k, v in manifest.items() if k != 'config'}, ensure_ascii=False, indent=2))}</pre>"),
    ]
    body = "".join(f"<h2>{html.escape(name)}</h2>{content}" for name, content in sections)
    meta = (f"情景 {manifest['scenario']} · 种子 {manifest['seed']} · 配置校验码 {manifest['config_sha256'][:12]}"
            if zh else f"scenario {manifest['scenario']} · seed {manifest['seed']} · config {manifest['config_sha256'][:12]}")
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head><body>"
            f'<h1>{html.escape(title)}</h1><p class="meta">{html.escape(meta)}</p>{body}</body></html>')
