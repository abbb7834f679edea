"""The vocabulary of a scenario: units, sources, time paths and table declarations.

* A **unit** is one of a small closed set (`UNITS`), each with its words in Chinese and
  English; every time path has one, defaulted from the kind of quantity it is.
* A **source** says where a number comes from: a published statistic or rule (title, table
  or page, year, URL), a local plan's figure, a figure derived from published ones (how), or
  an assumption (why this value). The assumptions sheet and the report are made from them.
* A **time path** is a value that may change over time, ``{year: value}``, interpolated
  linearly (demographic paths) or held as steps (policies), flat outside the given years.
  Each kind of path (TFR, life expectancy, a share, yuan a month …) sets its range and unit.
* A **table declaration** (`TableRef`) names a user CSV file's columns and the range of each
  value column; `model/tables.py` reads and checks the file against it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

_NUMBER_TEXT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _yaml_number(value: Any) -> Any:
    """YAML reads 2e4 (without a dot) as text: take it as the number it spells."""
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        return float(value)
    return value


# A plain number in a scenario: never a boolean (YAML's `true` is not 1), never inf or nan.
Number = Annotated[float, BeforeValidator(_yaml_number), Field(strict=True, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, strict=True)]


class Frozen(BaseModel):
    """A section of a scenario: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- units

# unit: (Chinese, English) words, as the assumptions sheet and the report show them.
UNITS: dict[str, tuple[str, str]] = {
    "fraction": ("比例", "share"),
    "fraction_per_year": ("年变化率", "a year"),
    "per_1000": ("每千人", "per 1,000"),
    "per_100": ("每百人", "per 100"),
    "persons": ("人", "persons"),
    "persons_per_year": ("人/年", "persons a year"),
    "years": ("年（岁）", "years"),
    "months": ("月", "months"),
    "children_per_woman": ("孩子数/妇女", "children per woman"),
    "males_per_female": ("男婴数/女婴", "boys per girl"),
    "yuan": ("元", "yuan"),
    "yuan_per_year": ("元/年", "yuan a year"),
    "yuan_per_month": ("元/月", "yuan a month"),
    "yuan_per_hour": ("元/小时", "yuan an hour"),
    "beds": ("张", "beds"),
    "places": ("个", "places"),
    "workers": ("人", "workers"),
    "hours_per_month": ("小时/月", "hours a month"),
    "ratio": ("倍", "ratio"),
    "clients_per_worker": ("服务对象/护理员", "clients per worker"),
    "count": ("个", "number"),
    "year": ("年份", "year"),
}
Unit = Literal[tuple(UNITS)]  # type: ignore[valid-type]


def unit_words(unit: str | None, lang: str) -> str:
    """The unit in words in `lang` ('' for none)."""
    return UNITS[unit][0 if lang == "zh" else 1] if unit in UNITS else ""


# --------------------------------------------------------------------------- sources

SOURCE_KINDS: dict[str, tuple[str, str]] = {
    "published": ("公开统计或文件", "published"),
    "plan": ("地方规划（未另行核实）", "local plan (not checked elsewhere)"),
    "derived": ("据公开数据推算", "derived from published figures"),
    "assumption": ("假设", "assumption"),
    "setting": ("运行设置", "run setting"),
}


class Source(Frozen):
    """Where a number comes from.

    `kind` is published (a statistic or rule: title, `page` (its table, page or section), year of publication,
    URL where one exists), plan (a local plan's figure, not confirmed elsewhere), derived
    (computed from published figures: `note` says how), assumption (no published value:
    `note` says why this one) or setting (a run setting). A bare string is read as the title
    of a published source, or as an assumption when it starts with "assumption".
    `region` is the region the figure was published or calibrated for (晋中市, 山西省): it
    stands for that region and the places inside it, and a scenario for another region gets
    its own value instead (`model/localise.py`), derived by the `rule` named, or is refused.
    `changed_by` names the scenario file that changed the value after the source was given.
    """

    kind: Literal["published", "plan", "derived", "assumption", "setting"] = "published"
    title: str | None = None
    page: str | None = None      # the table, page or section
    year: int | None = Field(default=None, ge=1900, le=2100, strict=True)
    url: str | None = None
    note: str | None = None
    note_zh: str | None = None   # the note in Chinese, for Chinese outputs (else the note as written)
    region: str | None = None    # the region the figure was published or calibrated for; none: anywhere
    rule: str | None = None      # the silverplan rule that derived it for the scenario's region
    changed_by: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: Any) -> Any:
        if isinstance(data, str):
            text = data.strip()
            if text.lower().startswith("assumption"):
                return {"kind": "assumption", "note": text[len("assumption"):].lstrip(" —-:–") or "stated assumption"}
            return {"title": text}
        return data

    @model_validator(mode="after")
    def _enough_said(self):
        if self.kind in ("published", "plan") and not self.title:
            raise ValueError(f"a {self.kind} source needs a title (and page, year, url where known)")
        if self.kind in ("derived", "assumption") and not self.note:
            raise ValueError(f"a {self.kind} source needs a note saying {'how' if self.kind == 'derived' else 'why'}")
        return self

    def text(self, lang: str = "en") -> str:
        """One line for tables and reports: kind, title, page, year, note, URL."""
        parts = [SOURCE_KINDS[self.kind][0 if lang == "zh" else 1]]
        note = self.note_zh if lang == "zh" and self.note_zh else self.note
        parts += [part for part in (self.title, self.page, str(self.year) if self.year else None, note, self.url) if part]
        line = ("：" if lang == "zh" else ": ").join([parts[0], ("；" if lang == "zh" else "; ").join(parts[1:])]) \
            if len(parts) > 1 else parts[0]
        if self.region:
            line += f"（{self.region}）" if lang == "zh" else f" ({self.region})"
        if self.changed_by:
            line += f"（由 {self.changed_by} 修改）" if lang == "zh" else f" (changed by {self.changed_by})"
        return line


# --------------------------------------------------------------------------- time paths


class TimePath(Frozen):
    """A value that may change over time: ``{year: value}``, interpolated and held flat outside.

    Subclasses set the allowed range and the unit (`expected_unit`, also the default).
    """

    values: dict[int, float] | float
    interpolation: Literal["linear", "step"] = "linear"
    unit: Unit | None = None
    source: Source | None = None

    bounds: ClassVar[tuple[float, float]] = (-np.inf, np.inf)
    expected_unit: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _accept_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "values" not in data and not {str(k) for k in data} <= set(cls.model_fields):
            data = {"values": data}  # a bare {year: value} mapping (a key that is not a year is reported there)
        elif not isinstance(data, dict):
            data = {"values": data}
        if data.get("unit") is None and cls.expected_unit is not None:
            data = {**data, "unit": cls.expected_unit}
        return data

    @field_validator("values", mode="before")
    @classmethod
    def _numbers_only(cls, values):
        """Refuse booleans and text (YAML reads `2e4` without a dot as text: accept it)."""
        def number(value, where=""):
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError(f"{plain(value)}{where} is not a number")
            try:
                return float(value)
            except ValueError:
                raise ValueError(
                    f"{plain(value)}{where} is not a number; give a number, {{year: value, ...}} or {{values: ...}}"
                ) from None
        if isinstance(values, dict):
            checked = {}
            for year, value in values.items():
                if not is_year_key(year) or not 1900 <= int(year) <= 2200:
                    raise ValueError(f"{plain(year)} is not a year; a path is a number, {{year: value}} with "
                                     "whole years 1900..2200, or {values: …, interpolation: …, unit: …, source: …}")
                checked[int(year)] = number(value, f" in {year}")
            return checked
        return number(values)

    @field_validator("values")
    @classmethod
    def _check_values(cls, values):
        lo, hi = cls.bounds
        items = values.items() if isinstance(values, dict) else [(None, values)]
        if isinstance(values, dict) and not values:
            raise ValueError("a time path needs at least one {year: value}")
        for year, value in items:
            if not np.isfinite(value) or not lo <= value <= hi:
                where = f" in {year}" if year is not None else ""
                raise ValueError(f"{plain(value)}{where} is out of range; allowed {range_text(lo, hi)}")
        return values

    @field_validator("unit")
    @classmethod
    def _check_unit(cls, unit):
        if unit is not None and cls.expected_unit is not None and unit != cls.expected_unit:
            raise ValueError(f"unit {unit!r} does not fit this quantity; use {cls.expected_unit!r}")
        return unit

    def at(self, years: np.ndarray | float) -> np.ndarray:
        """Value of the path in each of `years` (array-like of calendar years; a number gives
        a NumPy scalar)."""
        scalar = isinstance(years, (int, float, np.integer, np.floating))
        if not isinstance(self.values, dict):
            return np.float64(self.values) if scalar else np.full(np.shape(years), float(self.values))
        known, values = _knots(tuple(sorted(self.values.items())))
        years = np.asarray(years, dtype=float)
        if self.interpolation == "step":
            index = np.clip(np.searchsorted(known, years, side="right") - 1, 0, len(known) - 1)
            return values[index]
        return np.interp(years, known, values)

    def varies(self) -> bool:
        """Whether the path takes more than one value."""
        return isinstance(self.values, dict) and len(set(self.values.values())) > 1

    def value(self) -> float:
        """The value of a path that does not change (ValueError if it does)."""
        if self.varies():
            raise ValueError("this path changes over time; read it with at(year)")
        return float(next(iter(self.values.values())) if isinstance(self.values, dict) else self.values)

    def knots(self) -> list[int]:
        """The years the path gives values for (none for a constant)."""
        return sorted(self.values) if isinstance(self.values, dict) else []


@lru_cache(maxsize=4096)
def _knots(items: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Years and values of a path's {year: value} items as arrays (paths are read very often)."""
    return tuple(np.array(column, dtype=float) for column in zip(*items))


def is_year_key(key: Any) -> bool:
    """A whole year written as a number or as ASCII digits ("²" is a digit to Python, not a year)."""
    return isinstance(key, int) and not isinstance(key, bool) or (
        isinstance(key, str) and key.isascii() and key.isdecimal())


def plain(value: Any) -> str:
    """A value as a user wrote it: 2020 rather than 2020.0, nan rather than np.float64(nan)."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return repr(value)


def range_text(lo: float, hi: float) -> str:
    def fmt(v):
        return f"{v:g}"
    if np.isinf(lo) and np.isinf(hi):
        return "any finite number"
    if np.isinf(hi):
        return f">= {fmt(lo)}"
    if np.isinf(lo):
        return f"<= {fmt(hi)}"
    return f"{fmt(lo)} to {fmt(hi)}"


class TfrPath(TimePath):
    bounds, expected_unit = (0.0, 10.0), "children_per_woman"


class E0Path(TimePath):
    bounds, expected_unit = (20.0, 95.0), "years"


class GapPath(TimePath):
    """Female minus male life expectancy."""
    bounds, expected_unit = (-5.0, 15.0), "years"


class SrbPath(TimePath):
    bounds, expected_unit = (0.9, 1.3), "males_per_female"


class MigrationPath(TimePath):
    bounds, expected_unit = (-1e8, 1e8), "persons_per_year"


class MigrationRatePath(TimePath):
    """Net migrants a year per 1,000 of the population (negative: net out-migration)."""
    bounds, expected_unit = (-200.0, 200.0), "per_1000"


class MigrationSdPath(TimePath):
    """Standard deviation of yearly net migration, per 1,000 of the population."""
    bounds, expected_unit = (0.0, 200.0), "per_1000"


class FractionPath(TimePath):
    """A share, 0 to 1."""
    bounds, expected_unit = (0.0, 1.0), "fraction"


class GrowthPath(TimePath):
    """A yearly rate of change (wage growth, indexation, interest), −50% to +50%."""
    bounds, expected_unit = (-0.5, 0.5), "fraction_per_year"


class YuanPerMonthPath(TimePath):
    bounds, expected_unit = (0.0, 1e6), "yuan_per_month"


class YuanPerYearPath(TimePath):
    bounds, expected_unit = (0.0, 1e7), "yuan_per_year"


class YuanPerHourPath(TimePath):
    bounds, expected_unit = (0.0, 1e5), "yuan_per_hour"


class YuanPath(TimePath):
    bounds, expected_unit = (0.0, 1e8), "yuan"


class PersonsPath(TimePath):
    bounds, expected_unit = (0.0, 2e9), "persons"


class RatioPath(TimePath):
    """A ratio of two like quantities, 0.1 to 10."""
    bounds, expected_unit = (0.1, 10.0), "ratio"


class RuralRatioPath(TimePath):
    """Rural ÷ urban disability rate at the same sex and age, 0.5 to 3."""
    bounds, expected_unit = (0.5, 3.0), "ratio"


class MonthsPath(TimePath):
    bounds, expected_unit = (0.0, 1200.0), "months"


class YearsPath(TimePath):
    bounds, expected_unit = (0.0, 60.0), "years"


class AgePath(TimePath):
    """An age in completed years, 0 to 100."""
    bounds, expected_unit = (0.0, 100.0), "years"


class YearPath(TimePath):
    """A calendar year (a rule's first year, the last published year)."""
    bounds, expected_unit = (1900.0, 2100.0), "year"


class CountPath(TimePath):
    """A number of things (institutions, centres)."""
    bounds, expected_unit = (0.0, 1e8), "count"


class OccupancyPath(TimePath):
    """Target occupancy of beds: above 0, at most 1."""
    bounds, expected_unit = (0.01, 1.0), "fraction"


class BedsPath(TimePath):
    bounds, expected_unit = (1.0, 1e8), "beds"


class Per1000Path(TimePath):
    bounds, expected_unit = (0.0, 1000.0), "per_1000"


class ClientsPath(TimePath):
    """Clients per care worker."""
    bounds, expected_unit = (0.5, 100.0), "clients_per_worker"


class PlacesPath(TimePath):
    """Community day-care places."""
    bounds, expected_unit = (0.0, 1e8), "places"


class WorkersPath(TimePath):
    bounds, expected_unit = (0.0, 1e8), "workers"


class HoursPerMonthPath(TimePath):
    bounds, expected_unit = (0.0, 744.0), "hours_per_month"


# --------------------------------------------------------------------------- tables

_COLUMN_NAME = re.compile(r"[\w ()%.\-]{1,40}")


class TableRef(Frozen):
    """Path of a user CSV table (already resolved against the file that named it).

    Subclasses declare the table: its `columns`, which of them hold text (the rest are
    numbers), and the allowed range of each value column. The file's header is checked when
    the scenario loads; `tables.read_table` checks every row against the ranges.
    """

    path: Path
    source: Source | None = None
    columns: ClassVar[tuple[str, ...]] = ()
    text_columns: ClassVar[tuple[str, ...]] = ("sex",)
    bounds: ClassVar[dict[str, tuple[float, float]]] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        return {"path": data} if isinstance(data, (str, Path)) else data

    @field_validator("path")
    @classmethod
    def _check_file(cls, path: Path) -> Path:
        if not path.is_file():
            raise ValueError(f"{str(path)!r}: file not found")
        try:
            with open(path, encoding="utf-8-sig") as handle:
                header = [c.strip() for c in handle.readline(10_000).strip().split(",")]
        except UnicodeDecodeError:
            raise ValueError(f"{str(path)!r} is not a UTF-8 CSV file") from None
        except OSError:
            raise ValueError(f"{str(path)!r} cannot be read") from None
        if sorted(header) != sorted(cls.columns):
            # Show what was found only if it looks like a row of column names: an error must
            # never echo the content of whatever file was named (say, a password file).
            names = len(header) <= 20 and all(_COLUMN_NAME.fullmatch(c) for c in header)
            found = f"has columns {', '.join(header)}" if names else "does not start with a header of column names"
            raise ValueError(f"{str(path)!r} {found}; expected exactly {', '.join(cls.columns)}")
        return path

    @property
    def values(self) -> tuple[str, ...]:
        """The value columns: the numeric columns other than year and age."""
        return tuple(c for c in self.columns if c not in self.text_columns and c not in ("year", "age"))


class BaseTable(TableRef):
    columns = ("sex", "age", "population")
    bounds = {"population": (0.0, 2e9)}


class MortalityTable(TableRef):
    columns = ("year", "sex", "age", "mx")
    bounds = {"mx": (0.0, 10.0)}   # and below 2 before the open age: see tables.read_table


class FertilityTable(TableRef):
    columns = ("year", "age", "asfr")
    bounds = {"asfr": (0.0, 1.0)}  # births per woman-year; their sum over ages, the TFR, at most 10


class MigrationTable(TableRef):
    columns = ("year", "sex", "age", "net_migrants")
    bounds = {"net_migrants": (-1e8, 1e8)}


class PrevalenceTable(TableRef):
    columns = ("sex", "age", "mild", "severe")
    bounds = {"mild": (0.0, 1.0), "severe": (0.0, 1.0)}  # and mild + severe at most 1


class LivingTable(TableRef):
    """Living arrangement shares by area (an area of the run or `all`), sex and age group of the
    60+ (e.g. a census table of 老年人口居住状况): each row's alone + spouse + children is 1."""
    columns = ("area", "sex", "age_group", "alone", "spouse", "children")
    text_columns = ("area", "sex", "age_group")
    bounds = {"alone": (0.0, 1.0), "spouse": (0.0, 1.0), "children": (0.0, 1.0)}


class RegionTable(TableRef):
    columns = ("region", "sex", "age_group", "population")
    text_columns = ("region", "sex", "age_group")
    bounds = {"population": (0.0, 2e9)}
