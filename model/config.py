"""Scenario files: YAML in, a frozen, fully validated `Scenario` out.

A scenario is validated whole before any stage runs. Every error is one line naming the
file, the dotted key, the offending value and what is allowed, e.g.::

    configs/bad.yaml: population.fertility.tfr.2020: -1.0 is out of range; allowed 0 to 10

Features (see DESIGN.md, "Scenario files"):

* ``extends: PATH`` overlays this file on another (deep merge of mappings; lists and
  scalars replace). Paths are relative to the file that names them.
* Time paths: a number, a mapping ``{year: value}``, or ``{values: …, interpolation:
  linear|step, unit: …, source: …}``. Linear paths interpolate between the given years and
  hold flat outside them; step paths hold each value until the next given year.
* Table paths (any key named ``table``) are relative to the file that names them.
* Unknown keys are refused with a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import numpy as np
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator


class ScenarioError(Exception):
    """A problem with a scenario or its input tables: one line per problem, for the user.

    `problems` holds the lines (the message joins them); several are reported at once when a
    scenario has several independent mistakes.
    """

    def __init__(self, *problems: str):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


class OptionError(ScenarioError):
    """A bad value of a run setting that the command line may have given (an output folder,
    a scheduler address): `option` names the setting, the command line words it as its flag."""

    def __init__(self, option: str, value: object, problem: str):
        super().__init__(f"{value}: {problem}")
        self.option, self.value, self.problem = option, value, problem


class OutputError(OptionError):
    """An output folder that cannot be written or may not be replaced."""

    def __init__(self, folder: Path, problem: str):
        super().__init__("out", Path(folder), problem)
        self.folder = Path(folder)


_NUMBER_TEXT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def _yaml_number(value: Any) -> Any:
    """YAML reads 2e4 (without a dot) as text: take it as the number it spells."""
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        return float(value)
    return value


# A plain number in a scenario: never a boolean (YAML's `true` is not 1), never inf or nan.
Number = Annotated[float, BeforeValidator(_yaml_number), Field(strict=True, allow_inf_nan=False)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- time paths

Unit = Literal[
    "fraction", "per_1000", "persons", "persons_per_year", "years", "months",
    "children_per_woman", "males_per_female", "yuan_per_year", "yuan_per_month", "beds",
    "places", "workers", "hours_per_month", "yuan_per_hour", "yuan",
]


class TimePath(_Frozen):
    """A value that may change over time: ``{year: value}``, interpolated and held flat outside.

    Subclasses set the allowed range and the unit.
    """

    values: dict[int, float] | float
    interpolation: Literal["linear", "step"] = "linear"
    unit: Unit | None = None
    source: str | None = None

    bounds: ClassVar[tuple[float, float]] = (-np.inf, np.inf)
    expected_unit: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _accept_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "values" not in data and not {str(k) for k in data} <= set(cls.model_fields):
            return {"values": data}  # a bare {year: value} mapping (a key that is not a year is reported there)
        if isinstance(data, dict):
            return data
        return {"values": data}

    @field_validator("values", mode="before")
    @classmethod
    def _numbers_only(cls, values):
        """Refuse booleans and text (YAML reads `2e4` without a dot as text: accept it)."""
        def number(value, where=""):
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise ValueError(f"{_plain(value)}{where} is not a number")
            try:
                return float(value)
            except ValueError:
                raise ValueError(
                    f"{_plain(value)}{where} is not a number; give a number, {{year: value, ...}} or {{values: ...}}"
                ) from None
        if isinstance(values, dict):
            checked = {}
            for year, value in values.items():
                if not _is_year_key(year) or not 1900 <= int(year) <= 2200:
                    raise ValueError(f"{_plain(year)} is not a year; a path is a number, {{year: value}} with "
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
                raise ValueError(f"{_plain(value)}{where} is out of range; allowed {_range_text(lo, hi)}")
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


@lru_cache(maxsize=4096)
def _knots(items: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Years and values of a path's {year: value} items as arrays (paths are read very often)."""
    return tuple(np.array(column, dtype=float) for column in zip(*items))


def _is_year_key(key: Any) -> bool:
    """A whole year written as a number or as ASCII digits ("²" is a digit to Python, not a year)."""
    return isinstance(key, int) and not isinstance(key, bool) or (
        isinstance(key, str) and key.isascii() and key.isdecimal())


def _plain(value: Any) -> str:
    """A value as a user wrote it: 2020 rather than 2020.0, nan rather than np.float64(nan)."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    if isinstance(value, (np.integer,)):
        return str(int(value))
    return repr(value)


def _range_text(lo: float, hi: float) -> str:
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
    bounds = (0.0, 10.0)
    expected_unit = "children_per_woman"


class E0Path(TimePath):
    bounds = (20.0, 95.0)
    expected_unit = "years"


class GapPath(TimePath):
    bounds = (-5.0, 15.0)
    expected_unit = "years"


class SrbPath(TimePath):
    bounds = (0.9, 1.3)
    expected_unit = "males_per_female"


class MigrationPath(TimePath):
    bounds = (-1e8, 1e8)
    expected_unit = "persons_per_year"


class FractionPath(TimePath):
    """A share, 0 to 1."""
    bounds = (0.0, 1.0)
    expected_unit = "fraction"


class GrowthPath(TimePath):
    """A yearly rate of change (wage growth, indexation, interest), −50% to +50%."""
    bounds = (-0.5, 0.5)
    expected_unit = "fraction"


class YuanPerMonthPath(TimePath):
    bounds = (0.0, 1e6)
    expected_unit = "yuan_per_month"


class YuanPerYearPath(TimePath):
    bounds = (0.0, 1e7)
    expected_unit = "yuan_per_year"


class PersonsPath(TimePath):
    bounds = (0.0, 2e9)
    expected_unit = "persons"


class RatioPath(TimePath):
    """A ratio of two like quantities, 0.1 to 10."""
    bounds = (0.1, 10.0)


class MonthsPath(TimePath):
    bounds = (0.0, 1200.0)
    expected_unit = "months"


class OccupancyPath(TimePath):
    """Target occupancy of beds: above 0, at most 1."""
    bounds = (0.01, 1.0)
    expected_unit = "fraction"


class BedsPath(TimePath):
    bounds = (1.0, 1e8)
    expected_unit = "beds"


class Per1000Path(TimePath):
    bounds = (0.0, 1000.0)
    expected_unit = "per_1000"


class ClientsPath(TimePath):
    """Clients per care worker."""
    bounds = (0.5, 100.0)


class YearsPath(TimePath):
    bounds = (0.0, 60.0)
    expected_unit = "years"


class PlacesPath(TimePath):
    """Community day-care places."""
    bounds = (0.0, 1e8)
    expected_unit = "places"


class WorkersPath(TimePath):
    bounds = (0.0, 1e8)
    expected_unit = "workers"


class HoursPerMonthPath(TimePath):
    bounds = (0.0, 744.0)
    expected_unit = "hours_per_month"


class YuanPerHourPath(TimePath):
    bounds = (0.0, 1e5)
    expected_unit = "yuan_per_hour"


class YuanPath(TimePath):
    bounds = (0.0, 1e8)
    expected_unit = "yuan"


# --------------------------------------------------------------------------- tables


_COLUMN_NAME = re.compile(r"[\w ()%.\-]{1,40}")


class TableRef(_Frozen):
    """Path of a user CSV table (already resolved against the file that named it).

    Subclasses declare the table: its `columns`, which of them hold text (the rest are
    numbers), and the allowed range of each value column. The file's header is checked when
    the scenario loads; `inputs.read_table` checks every row against the ranges.
    """

    path: Path
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
    bounds = {"mx": (0.0, 10.0)}   # and below 2 before the open age: see inputs.read_table


class FertilityTable(TableRef):
    columns = ("year", "age", "asfr")
    bounds = {"asfr": (0.0, 1.0)}  # births per woman-year; their sum over ages, the TFR, at most 10


class MigrationTable(TableRef):
    columns = ("year", "sex", "age", "net_migrants")
    bounds = {"net_migrants": (-1e8, 1e8)}


# --------------------------------------------------------------------------- population

_AGE_BAND = re.compile(r"^(\d{1,3})(?:-(\d{1,3})|\+)$")


def parse_age_band(label: str) -> tuple[int, int]:
    """'15-59' → (15, 60); '65+' → (65, 101): the half-open range of single ages 0..100."""
    match = _AGE_BAND.match(label)
    if not match:
        raise ValueError(f"age band {label!r} is not of the form 'A-B' or 'A+'")
    lower = int(match.group(1))
    upper = int(match.group(2)) + 1 if match.group(2) else 101
    if not 0 <= lower < upper <= 101:
        raise ValueError(f"age band {label!r} must lie within ages 0..100")
    return lower, upper


# Age groups of the bundled 2020 census table: 0, 1-4, 5-9, ..., 80-84, 85+.
CENSUS_GROUPS = ("0", "1-4", *(f"{a}-{a + 4}" for a in range(5, 85, 5)), "85+")


class StudentStock(_Frozen):
    """Transient student stock held constant over the projection (see demography.py)."""

    reference_region: str = Field(description="census region whose age pattern gives the expected size")
    ages: dict[str, tuple[int, int]] = Field(
        description="census group → first and last single age where its excess is placed"
    )
    source: str | None = None

    @field_validator("ages")
    @classmethod
    def _check_ages(cls, ages):
        inner = CENSUS_GROUPS[1:-1]  # each window needs a census group on either side
        if not ages:
            raise ValueError("give at least one census group, e.g. {'20-24': [20, 22]}")
        for group in ages:
            if group not in inner:
                raise ValueError(f"{group!r} must be a census group between 1-4 and 80-84 ({', '.join(inner)})")
        index = sorted(CENSUS_GROUPS.index(g) for g in ages)
        if index != list(range(index[0], index[-1] + 1)):
            raise ValueError("the census groups must be adjacent, e.g. 15-19 and 20-24")
        for group, (first, last) in ages.items():
            lower, upper = parse_age_band(group)
            if not lower <= first <= last < upper:
                raise ValueError(f"{group}: ages {first}..{last} must lie inside the group")
        return ages


class BasePopulation(_Frozen):
    census_region: str | None = None
    total: Number | None = Field(default=None, gt=0, le=2e9)   # persons
    shares: dict[str, Number] = Field(default_factory=dict)
    table: BaseTable | None = None
    source: str | None = None

    @field_validator("shares")
    @classmethod
    def _check_shares(cls, shares):
        if len(shares) > 8:
            raise ValueError(f"{len(shares)} bands given; at most 8 broad-age shares are allowed")
        bands = {}
        for label, share in shares.items():
            bands[label] = parse_age_band(label)
            if not 0 <= share <= 1:
                raise ValueError(f"{label}: {_plain(share)} is out of range; shares are fractions from 0 to 1")
        for (a, ra), (b, rb) in combinations(bands.items(), 2):
            for inner, outer, r_in, r_out in ((a, b, ra, rb), (b, a, rb, ra)):
                if r_out[0] <= r_in[0] and r_in[1] <= r_out[1] and shares[inner] > shares[outer]:
                    raise ValueError(
                        f"{inner} share {shares[inner]} exceeds {outer} share {shares[outer]}, "
                        f"which contains it"
                    )
        labels = list(bands)
        for size in range(2, len(labels) + 1):
            for subset in combinations(labels, size):
                ranges = sorted(bands[s] for s in subset)
                if any(ranges[i][1] > ranges[i + 1][0] for i in range(len(ranges) - 1)):
                    continue  # overlapping, not a partition
                total = sum(shares[s] for s in subset)
                covers_all = ranges[0][0] == 0 and ranges[-1][1] == 101 and all(
                    ranges[i][1] == ranges[i + 1][0] for i in range(len(ranges) - 1)
                )
                if total > 1 + 1e-9 or (covers_all and abs(total - 1) > 1e-6):
                    raise ValueError(
                        f"shares {' + '.join(subset)} sum to {total:.6f}; "
                        + ("a set covering all ages must sum to 1 (drop one to make it the remainder)"
                           if covers_all else "disjoint bands may not sum past 1")
                    )
        return shares

    @model_validator(mode="after")
    def _one_source(self):
        if self.table is not None and (self.census_region or self.total or self.shares):
            raise ValueError("give either table (used as is) or census_region/total/shares, not both")
        if self.table is None and self.census_region is None:
            raise ValueError("give census_region (a region of the bundled 2020 census) or a table")
        return self


class Mortality(_Frozen):
    e0: E0Path | None = None
    female_male_gap: GapPath | None = None
    table: MortalityTable | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if self.table is not None and (self.e0 is not None or self.female_male_gap is not None):
            raise ValueError("give either table (used as is) or e0 (calibrated), not both")
        if self.table is None and self.e0 is None:
            raise ValueError("give e0 (a time path of life expectancy at birth) or a table")
        return self


class Fertility(_Frozen):
    tfr: TfrPath | None = None
    srb: SrbPath
    table: FertilityTable | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if self.table is not None and self.tfr is not None:
            raise ValueError("give either table (ASFR used as is) or tfr, not both")
        if self.table is None and self.tfr is None:
            raise ValueError("give tfr (a time path) or a table of ASFR")
        return self


class Migration(_Frozen):
    net: MigrationPath | None = None
    table: MigrationTable | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if self.table is not None and self.net is not None:
            raise ValueError("give either table (used as is) or net (total × bundled profile), not both")
        return self


class Population(_Frozen):
    base: BasePopulation
    mortality: Mortality
    fertility: Fertility
    migration: Migration = Migration()
    students: StudentStock | None = None

    @model_validator(mode="after")
    def _students_need_census(self):
        if self.students is not None and self.base.census_region is None:
            raise ValueError("students needs base.census_region (5-year census groups); set students: null")
        return self


# --------------------------------------------------------------------------- pensions


class PensionCalibration(_Frozen):
    """Base-year counts the coverage levels are calibrated to."""

    participants: PersonsPath          # both schemes, contributors and pensioners
    employee_share: FractionPath        # employee-scheme share of participants
    employee_retiree_share: FractionPath  # retirees among employee-scheme participants


class Wages(_Frozen):
    average_wage: YuanPerYearPath       # city average wage in the base year
    growth: GrowthPath                  # nominal growth per year
    provincial_ratio: RatioPath         # provincial average wage ÷ city average wage


class EmployeeScheme(_Frozen):
    contribution_rate: FractionPath     # employer + employee, share of the contribution base
    account_rate: FractionPath          # part of it credited to the individual account
    base_to_wage: FractionPath          # average contribution base ÷ average wage
    compliance: FractionPath            # contributors ÷ insured workers
    entry_coverage_growth: GrowthPath   # yearly rise of coverage of cohorts entering work
    indexation: GrowthPath              # yearly rise of pensions in payment
    average_pension: YuanPerMonthPath   # average pension in the base year
    accrual: FractionPath               # basic pension per contribution year
    transitional_accrual: FractionPath  # transitional pension per deemed year before accounts
    account_start_year: int = Field(strict=True, ge=1990, le=2010)
    career_start_age: YearsPath
    contribution_density: FractionPath  # share of years from career start with contributions
    subsidy_share: FractionPath         # fiscal subsidy ÷ expenditure
    reserve_months: MonthsPath          # notional balance at the start, in months of spending


class ResidentScheme(_Frozen):
    minimum_pension: YuanPerMonthPath   # central basic pension
    local_pension: YuanPerMonthPath     # local top-up and account pension, average
    contribution: YuanPerYearPath       # average own contribution per contributor
    contribution_subsidy: YuanPerYearPath  # local subsidy per contributor
    reserve_months: MonthsPath


class Pension(_Frozen):
    retirement_reform: bool = True
    extra_delay_months: int = Field(strict=True, default=0, ge=0, le=120)  # a lever: on top of the reform
    women_cadre_share: FractionPath     # women under the 55 rule (the rest: 50 rule)
    special_early_share: FractionPath   # retirees under special-occupation rules, 5 years early
    interest_rate: GrowthPath           # return on the notional balance
    calibration: PensionCalibration
    wages: Wages
    employee: EmployeeScheme
    resident: ResidentScheme


# --------------------------------------------------------------------------- care demand


class PrevalenceTable(TableRef):
    columns = ("sex", "age", "mild", "severe")
    bounds = {"mild": (0.0, 1.0), "severe": (0.0, 1.0)}  # and mild + severe at most 1


def _constant_paths(model: BaseModel) -> BaseModel:
    """Refuse time-varying values where only one is read (the 2020 calibration and transitions)."""
    for name in type(model).model_fields:
        path = getattr(model, name)
        if isinstance(path, TimePath) and isinstance(path.values, dict) and len(set(path.values.values())) > 1:
            raise ValueError(f"{name}: give one value; this setting does not change over time")
    return model


class CareCalibration(_Frozen):
    """2020 targets for the health-state model (severe = census 生活不能自理)."""

    severe_share_60plus: FractionPath    # census share of 60+ unable to care for themselves
    provincial_factor: RatioPath         # Shanxi relative to the national share
    mild_share_60plus: FractionPath      # share unhealthy but able to care for themselves
    severe_years_after_60_male: YearsPath
    severe_years_after_60_female: YearsPath

    @model_validator(mode="after")
    def _positive_and_constant(self):
        for name in type(self).model_fields:
            if float(getattr(self, name).at(2020)) <= 0:
                raise ValueError(f"{name}: a calibration target must be above 0")
        return _constant_paths(self)


class HealthTransitions(_Frozen):
    """Assumed parts of the annual transition model (the incidence levels are calibrated)."""

    incidence_age_slope: GrowthPath      # log-linear rise of incidence per year of age
    mild_to_severe_factor: RatioPath     # severe incidence among the mildly disabled ÷ among the healthy
    recovery_at_60: FractionPath         # yearly mild → healthy probability at 60, halving every 14 years
    mortality_ratio_mild: RatioPath      # death rate mild ÷ healthy
    mortality_ratio_severe_60: RatioPath  # death rate severe ÷ healthy at 60, falling to 1.2 at 100
    prevalence_at_60_mild: FractionPath
    prevalence_at_60_severe: FractionPath

    @model_validator(mode="after")
    def _consistent(self):
        if float(self.prevalence_at_60_mild.at(2020) + self.prevalence_at_60_severe.at(2020)) >= 1:
            raise ValueError("prevalence_at_60_mild + prevalence_at_60_severe must be below 1")
        return _constant_paths(self)


class CareMix(_Frozen):
    home: FractionPath
    community: FractionPath
    institution: FractionPath
    source: str | None = None

    @model_validator(mode="after")
    def _sum_to_one(self):
        years = {2020} | {y for p in (self.home, self.community, self.institution)
                          if isinstance(p.values, dict) for y in p.values}
        for year in sorted(years):
            total = float(self.home.at(year) + self.community.at(year) + self.institution.at(year))
            if abs(total - 1) > 1e-6:
                raise ValueError(f"home + community + institution = {total:g} in {year}; the shares must sum to 1")
        return self


class Care(_Frozen):
    definition: str = Field(min_length=3)         # named in outputs and the manifest
    morbidity: Literal["multistate", "constant_prevalence"] = "multistate"
    incidence_trend: GrowthPath                   # yearly change of incidence (compression < 0)
    prevalence_table: PrevalenceTable | None = None
    calibration: CareCalibration
    transitions: HealthTransitions
    mix: dict[Literal["healthy", "mild", "severe"], CareMix]
    occupancy: OccupancyPath
    beds: BedsPath                                # beds supplied (stock path)
    nursing_share: FractionPath                   # nursing-type share of supplied beds
    beds_norm: Per1000Path                        # planning norm, beds per 1,000 aged 60+
    nursing_share_target: FractionPath
    daycare_places_per_user: FractionPath
    clients_per_worker: dict[Literal["home_mild", "home_severe", "institution_mild", "institution_severe"], ClientsPath]

    @field_validator("mix")
    @classmethod
    def _all_states(cls, mix):
        missing = {"healthy", "mild", "severe"} - set(mix)
        if missing:
            raise ValueError(f"give a care mix for {', '.join(sorted(missing))}")
        return mix

    @field_validator("clients_per_worker")
    @classmethod
    def _all_ratios(cls, ratios):
        missing = {"home_mild", "home_severe", "institution_mild", "institution_severe"} - set(ratios)
        if missing:
            raise ValueError(f"give clients per worker for {', '.join(sorted(missing))}")
        return ratios


# --------------------------------------------------------------------------- agent-based care mix


Living = Literal["alone", "spouse", "children"]


def _shares_sum_to_one(shares: dict, what: str) -> dict:
    total = sum(float(path.at(2020)) for path in shares.values())
    if abs(total - 1) > 1e-6:
        raise ValueError(f"{what} shares sum to {total:g}; they must sum to 1")
    return shares


class AbmPeople(_Frozen):
    """Attributes of people in need of care that the census tables do not give by age."""

    urban_share: FractionPath                    # share living in towns (城镇)
    employee_share: dict[Literal["urban", "rural"], FractionPath]  # drawing an employee pension
    living: dict[Living, FractionPath]           # living arrangement

    @field_validator("living")
    @classmethod
    def _living(cls, living):
        missing = {"alone", "spouse", "children"} - set(living)
        if missing:
            raise ValueError(f"give a share for {', '.join(sorted(missing))}")
        return _shares_sum_to_one(living, "living arrangement")


class AbmBehaviour(_Frozen):
    """How people choose a care setting (the mix's target shares set the level; these the spread)."""

    family_support: dict[Living, YuanPerMonthPath]   # money the family adds to the pension
    institution_odds: dict[Living, RatioPath]        # odds of choosing an institution, relative
    price_elasticity: RatioPath                      # how strongly an unaffordable price deters
    home_care_uptake: dict[Literal["mild", "severe"], FractionPath]  # formal home care among those at home
    home_care_hours: dict[Literal["mild", "severe"], HoursPerMonthPath]


class AbmSupply(_Frozen):
    """Providers in the base year and prices; beds come from each mix (default care.beds)."""

    institutions: int = Field(strict=True, ge=1, le=100_000)      # elder-care institutions (bed supply is shared among them)
    institution_urban_share: FractionPath            # share of beds in urban institutions
    institution_public_share: FractionPath           # share of beds in public (公办) institutions
    community_centres: int = Field(strict=True, ge=1, le=1_000_000)
    daycare_places: PlacesPath
    home_care_workers: WorkersPath
    hours_per_worker: HoursPerMonthPath
    price_general_bed: YuanPerMonthPath              # base year; prices then rise with the average wage
    price_nursing_bed: YuanPerMonthPath
    public_price_factor: RatioPath                   # public price ÷ private price
    price_daycare: YuanPerMonthPath
    price_home_care: YuanPerHourPath
    public_bed_subsidy: YuanPerMonthPath             # operating subsidy per public bed
    new_bed_subsidy: YuanPath                        # one-off construction subsidy per new bed


class AbmSubsidies(_Frozen):
    """Monthly subsidy per user (yuan), paid from public funds and taken off the price."""

    institution_mild: YuanPerMonthPath = YuanPerMonthPath(values=0.0, unit="yuan_per_month", source="none (default)")
    institution_severe: YuanPerMonthPath = YuanPerMonthPath(values=0.0, unit="yuan_per_month", source="none (default)")
    community: YuanPerMonthPath = YuanPerMonthPath(values=0.0, unit="yuan_per_month", source="none (default)")
    home_care: YuanPerMonthPath = YuanPerMonthPath(values=0.0, unit="yuan_per_month", source="none (default)")


class AbmMix(_Frozen):
    """One care mix to test: target shares and the supply and subsidies that go with it.

    Anything not given comes from the scenario: shares from care.mix, beds and nursing share
    from care.beds / care.nursing_share, day-care places and home-care workers from abm.supply.
    """

    label: str | None = None
    description: str | None = None
    shares: dict[Literal["healthy", "mild", "severe"], CareMix] = Field(default_factory=dict)
    beds: BedsPath | None = None
    beds_per_1000: Per1000Path | None = None         # beds tied to the projected 60+ population
    nursing_share: FractionPath | None = None
    daycare_places: PlacesPath | None = None
    home_care_workers: WorkersPath | None = None
    home_care_uptake: dict[Literal["mild", "severe"], FractionPath] = Field(default_factory=dict)
    subsidies: AbmSubsidies = AbmSubsidies()

    @model_validator(mode="after")
    def _one_bed_rule(self):
        if self.beds is not None and self.beds_per_1000 is not None:
            raise ValueError("give beds or beds_per_1000, not both")
        return self


class Abm(_Frozen):
    """The agent-based care-mix experiment (model/abm)."""

    replicates: int = Field(strict=True, ge=1, le=1000)
    scale: int = Field(strict=True, default=1, ge=1, le=1000)     # one agent per `scale` persons
    processes: int = Field(strict=True, default=1, ge=1, le=64)   # worker processes for the replicates
    priority: Literal["severe_first", "first_come"] = "severe_first"
    other_area_after_months: int = Field(strict=True, ge=0, le=600)  # then a bed in the other (urban/rural) area is accepted
    people: AbmPeople
    behaviour: AbmBehaviour
    supply: AbmSupply
    mixes: dict[str, AbmMix] = Field(min_length=1)

    @field_validator("mixes")
    @classmethod
    def _mix_names(cls, mixes):
        for name in mixes:
            if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,40}", name):
                raise ValueError(f"mix name {name!r}: use letters, digits, _ . - (up to 40)")
        return mixes


# --------------------------------------------------------------------------- counties


class RegionTable(TableRef):
    columns = ("region", "sex", "age_group", "population")
    text_columns = ("region", "sex", "age_group")
    bounds = {"population": (0.0, 2e9)}


def _hint(name: str, names: list[str]) -> str:
    """"; did you mean …?" for a near miss among `names`, else nothing."""
    guess = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return f"; did you mean {guess[0]!r}?" if guess else ""


class RuralRatioPath(TimePath):
    """Rural ÷ urban disability rate at the same sex and age, 0.5 to 3."""
    bounds = (0.5, 3.0)


Share = Annotated[float, Field(ge=0, le=1, strict=True)]


class UrbanRural(_Frozen):
    """Disability by residence: counties differ by how many of their older people live in
    villages (乡村) rather than towns (城镇), at the same sex and age. Read for the base year."""

    rural_ratio: dict[Literal["mild", "severe"], RuralRatioPath]  # rural ÷ urban prevalence and incidence
    rural_elderly_ratio: RatioPath           # share aged 60+ of the rural population ÷ of the urban
    urban_share_60plus: dict[str, Share] = Field(default_factory=dict)  # by county; default: census rule

    @field_validator("rural_ratio")
    @classmethod
    def _both_states(cls, ratios):
        missing = {"mild", "severe"} - set(ratios)
        if missing:
            raise ValueError(f"give a rural ratio for {', '.join(sorted(missing))}")
        for state, path in ratios.items():
            if isinstance(path.values, dict) and len(set(path.values.values())) > 1:
                raise ValueError(f"{state}: give one value; the ratio does not change over time")
        return ratios

    @model_validator(mode="after")
    def _constant(self):
        return _constant_paths(self)


class Regions(_Frozen):
    """Project the city as the sum of its counties (model/regions.py)."""

    counties: list[str] = Field(min_length=2)           # census regions (or names in `table`)
    table: RegionTable | None = None                    # base populations; default: the bundled census
    student_counties: list[str] = Field(default_factory=list)  # hold the transient student stock
    fertility_factor: dict[str, Number] = Field(default_factory=dict)  # × the city TFR path; default: census
    e0_offset: dict[str, Number] = Field(default_factory=dict)        # years added to the city e0 path
    internal_migration_rate: FractionPath               # share of those aged 15–34 moving out a year
    receiving_counties: list[str] = Field(default_factory=list)      # where they move to
    beds: dict[str, BedsPath] = Field(default_factory=dict)          # default: city beds × share of 60+
    urban_rural: UrbanRural | None = None               # none: the city's disability rates everywhere
    names_en: dict[str, str] = Field(default_factory=dict)  # English chart names (pinyin); others unused
    source: str | None = None

    @model_validator(mode="after")
    def _known_counties(self):
        if len(set(self.counties)) != len(self.counties):
            raise ValueError("counties: a county is listed twice")
        for key in ("student_counties", "receiving_counties", "fertility_factor", "e0_offset", "beds"):
            for county in getattr(self, key):
                if county not in self.counties:
                    raise ValueError(f"{key}: {county!r} is not one of counties{_hint(county, self.counties)}")
        for county, factor in self.fertility_factor.items():
            if not 0.1 <= factor <= 5:
                raise ValueError(f"fertility_factor: {county}: {factor:g} is out of range; allowed 0.1 to 5")
        for county in self.urban_rural.urban_share_60plus if self.urban_rural else ():
            if county not in self.counties:
                raise ValueError(f"urban_rural.urban_share_60plus: {county!r} is not one of counties{_hint(county, self.counties)}")
        for county, offset in self.e0_offset.items():
            if not -15 <= offset <= 15:
                raise ValueError(f"e0_offset: {county}: {offset:g} is out of range; allowed -15 to 15 years")
        return self


# --------------------------------------------------------------------------- uncertainty


class MigrationSdPath(TimePath):
    """Standard deviation of yearly net migration."""
    bounds = (0.0, 1e7)
    expected_unit = "persons_per_year"


class Uncertainty(_Frozen):
    """Probabilistic projection (model/uncertainty.py): how many trajectories, and how much of
    each fitted variance to apply (1 = as fitted, 0 = none)."""

    trials: int = Field(strict=True, default=0, ge=0, le=100_000)
    mortality_scale: float = Field(strict=True, default=1.0, ge=0, le=10)   # × Lee–Carter random-walk sd
    fertility_scale: float = Field(strict=True, default=1.0, ge=0, le=10)   # × AR(1) innovation sd of log TFR
    migration_sd: MigrationSdPath = MigrationSdPath(values=0.0, unit="persons_per_year", source="none (default)")
    lee_carter_from: int = Field(strict=True, default=1970, ge=1950, le=2005)  # first 5-year period of the fit


# --------------------------------------------------------------------------- scenario


class Years(_Frozen):
    base: int = Field(strict=True, ge=1950, le=2100)
    end: int = Field(strict=True, ge=1951, le=2100)
    # Month of the base population's reference date (the 2020 census: 1 November). Stocks
    # labelled y are on day 1 of this month; see demography.py for how paths are timed.
    reference_month: int = Field(strict=True, default=11, ge=1, le=12)

    @model_validator(mode="after")
    def _ordered(self):
        if self.end <= self.base:
            raise ValueError(f"end {self.end} must be after base {self.base}")
        return self


class Outputs(_Frozen):
    lang: Literal["zh", "en"] = "zh"
    charts: bool = True


AVAILABLE_STAGES: tuple[str, ...] = ("pension", "care", "abm")  # stages after the population projection, as implemented


# Characters a folder name may not hold on Windows, macOS or Linux (and control characters).
_UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def check_folder_name(name: str) -> str:
    """`name` if it can be one output folder name: one path component, not '.' or '..', not
    hidden, no characters that some systems refuse. Chinese names such as 我的情景 are fine."""
    if not name.strip():
        raise ValueError("a name needs at least one visible character")
    bad = _UNSAFE_IN_NAMES.search(name)
    if bad:
        shown = repr(bad.group()) if bad.group().isprintable() else f"U+{ord(bad.group()):04X}"
        raise ValueError(f"{name!r} holds {shown}; a name is one folder name: letters (Chinese too), digits, "
                         "spaces and _ . - ( ), not / \\ : * ? \" < > |")
    if name.startswith(".") or name != name.strip() or name.endswith("."):
        raise ValueError(f"{name!r}: a name may not start with '.' or start or end with a space or '.' "
                         "(it names the output folder outputs/<name>)")
    return name


class Scenario(_Frozen):
    name: str = Field(max_length=80)   # the output folder outputs/<name>; default: the file's stem
    title: str | None = None
    region: str | None = None
    region_en: str | None = None       # the region's name in English charts and reports
    description: str | None = None
    seed: int = Field(strict=True, default=20201101, ge=0, le=2**63 - 1)
    stages: list[Literal["pension", "care", "abm"]] = Field(default_factory=lambda: list(AVAILABLE_STAGES))
    years: Years
    population: Population
    pension: Pension | None = None
    care: Care | None = None
    abm: Abm | None = None
    uncertainty: Uncertainty = Uncertainty()
    regions: Regions | None = None
    outputs: Outputs = Outputs()

    @field_validator("name")
    @classmethod
    def _one_folder(cls, name):
        return check_folder_name(name)

    @field_validator("stages")
    @classmethod
    def _implemented(cls, stages):
        for stage in stages:
            if stage not in AVAILABLE_STAGES:
                raise ValueError(
                    f"stage {stage!r} is not available yet; this version runs "
                    f"{list(AVAILABLE_STAGES) or 'the population projection only (stages: [])'}"
                )
        return stages

    @model_validator(mode="after")
    def _stage_sections(self):
        for stage in self.stages:
            if getattr(self, stage) is None:
                raise ValueError(f"stage {stage!r} is listed but the scenario has no {stage}: section")
        return self

    @model_validator(mode="after")
    def _abm_needs(self):
        if "abm" not in self.stages:
            return self
        missing = [stage for stage in ("pension", "care") if stage not in self.stages]
        if missing:
            raise ValueError(f"stage 'abm' needs {' and '.join(map(repr, missing))} in stages "
                             "(pension incomes and the health-state model)")
        if self.care.morbidity != "multistate":
            raise ValueError("stage 'abm' needs care.morbidity: multistate (it replays the transitions)")
        return self

    @model_validator(mode="after")
    def _trials_without_counties(self):
        if self.regions is not None and self.uncertainty.trials:
            raise ValueError("uncertainty.trials: probabilistic county projections are not available; "
                             "use trials: 0 with regions, or run the city without regions")
        return self

    @model_validator(mode="after")
    def _census_base_year(self):
        if self.population.base.census_region is not None and self.years.base != 2020:
            raise ValueError(
                f"years.base is {self.years.base} but population.base.census_region uses the "
                "1 Nov 2020 census; set years.base: 2020 or give population.base.table"
            )
        return self


# --------------------------------------------------------------------------- loading


MAX_SCENARIO_BYTES = 1_000_000   # a scenario is a page of settings; tables live in CSV files
MAX_YAML_NODES = 100_000         # nodes after aliases are expanded ("billion laughs" bombs)


class _ScenarioLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing what a scenario never needs and a careless or hostile file
    may hold: duplicate keys (``2020`` and ``"2020"`` count as the same year) and aliases that
    expand to more than `MAX_YAML_NODES` nodes."""

    def compose_document(self):
        node = super().compose_document()
        if node is not None:
            _expanded_size(node, {})
        return node

    def construct_mapping(self, node, deep=False):
        seen: dict[str, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults`: explicit keys may override merged ones
            key = self.construct_object(key_node, deep=True)
            spelled = str(key) if isinstance(key, (str, int)) and not isinstance(key, bool) else repr(key)
            line = key_node.start_mark.line + 1
            if spelled in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {spelled!r} (lines {seen[spelled]} and {line}); give each key once",
                    key_node.start_mark)
            seen[spelled] = line
        return super().construct_mapping(node, deep)


def _expanded_size(node, sizes: dict) -> int:
    """Nodes under `node` with every alias expanded, memoised by node (one pass over the file)."""
    if id(node) not in sizes:
        sizes[id(node)] = 1  # a recursive alias counts once
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        sizes[id(node)] = 1 + sum(_expanded_size(child, sizes) for child in children)
        if sizes[id(node)] > MAX_YAML_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"the file expands to more than {MAX_YAML_NODES:,} values (aliases repeated "
                "within aliases); write the settings out", node.start_mark)
    return sizes[id(node)]


def _read_yaml(path: Path) -> dict:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IsADirectoryError
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{path}: {size:,} bytes is too large for a scenario file (at most "
                                f"{MAX_SCENARIO_BYTES:,}); put tables in CSV files named by `table:` keys")
        with open(path, encoding="utf-8") as handle:
            data = yaml.load(handle, Loader=_ScenarioLoader)  # noqa: S506 — a SafeLoader subclass
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a folder, not a scenario file") from None
    except PermissionError:
        raise ScenarioError(f"{path}: cannot be read (permission denied)") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise ScenarioError(f"{path}: {problem}{where}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: the top level must be a mapping of keys, not {type(data).__name__}")
    return data


def _resolve_tables(data: Any, folder: Path) -> Any:
    """Make every `table` path absolute, relative to the folder of the file that names it."""
    if isinstance(data, dict):
        resolved = {}
        for key, value in data.items():
            if key == "table" and isinstance(value, str):
                resolved[key] = str((folder / value).resolve())
            elif key == "table" and isinstance(value, dict) and isinstance(value.get("path"), str):
                resolved[key] = {**value, "path": str((folder / value["path"]).resolve())}
            else:
                resolved[key] = _resolve_tables(value, folder)
        return resolved
    return data


def _is_time_path(value: Any) -> bool:
    """A mapping an overlay gives as a whole time path: `{values: …}` or keys that look like
    years (also ones that are not valid years, such as 2020.5, so they are reported, not merged)."""
    return isinstance(value, dict) and ("values" in value or any(_looks_numeric(k) for k in value))


def _looks_numeric(key: Any) -> bool:
    if isinstance(key, bool):
        return False
    if isinstance(key, (int, float)):
        return True
    return isinstance(key, str) and (key.isdigit() or re.fullmatch(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?", key) is not None)


def deep_merge(base: dict, overlay: dict) -> dict:
    """Overlay mappings recursively; lists, scalars, time paths and empty mappings in
    `overlay` replace those in `base` (a new path brings its own unit and source; ``{}``
    clears a mapping). `_drop_replaced` prepares `base` for the few exceptions."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and value and isinstance(merged.get(key), dict) and not _is_time_path(value):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# A section's `table` and its calibrated alternatives exclude each other; when an overlay
# gives one, the base's other is dropped, so `extends` works without explicit nulls.
_ALTERNATIVES = {
    ("population", "base"): ("census_region", "total", "shares"),
    ("population", "mortality"): ("e0", "female_male_gap"),
    ("population", "fertility"): ("tfr",),
    ("population", "migration"): ("net",),
}


def _drop_replaced(base: dict, overlay: dict) -> dict:
    """Copy of `base` without the inputs that `overlay` replaces by their alternative."""
    base = json.loads(json.dumps(base))  # deep copy of plain YAML data
    for (outer, inner), calibrated in _ALTERNATIVES.items():
        new = overlay.get(outer, {}).get(inner) if isinstance(overlay.get(outer), dict) else None
        old = base.get(outer, {}).get(inner) if isinstance(base.get(outer), dict) else None
        if not isinstance(new, dict) or not isinstance(old, dict):
            continue
        if inner == "base" and new.get("census_region") not in (None, old.get("census_region")):
            old.pop("total", None)  # targets belong to the region they were given for
            old.pop("shares", None)
        if new.get("table") is not None:
            for key in calibrated:
                old.pop(key, None)
            if inner == "base":  # the student stock is estimated from census groups
                base[outer].pop("students", None)
        elif any(new.get(key) is not None for key in calibrated):
            old.pop("table", None)
    # The care mixes to test are a list of experiments: an overlay that names mixes tests those.
    if isinstance(overlay.get("abm"), dict) and "mixes" in overlay["abm"] and isinstance(base.get("abm"), dict):
        base["abm"].pop("mixes", None)
    return base


def load_raw(path: Path, _chain: tuple[Path, ...] = ()) -> dict:
    """Read a scenario file and everything it extends, merged, with table paths resolved."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " → ".join(str(p) for p in (*_chain, path))
        raise ScenarioError(f"{path}: extends: forms a cycle ({cycle})")
    data = _resolve_tables(_read_yaml(path), path.parent)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: {parent!r} must be a path to another scenario file")
    inherited = load_raw(path.parent / parent, (*_chain, path))
    inherited.pop("name", None)  # a name belongs to its file: an overlay is named by its own
    return deep_merge(_drop_replaced(inherited, data), data)


def load_scenario(path: str | Path, overrides: dict | None = None) -> Scenario:
    """Load, merge and validate a scenario; raise ScenarioError (one line per problem).

    The scenario's `name` is its file's own ``name:``, never one inherited through `extends`;
    without one it is the file's stem (``configs/scenarios/care_9064.yaml`` → care_9064)."""
    data = load_raw(Path(path))
    if overrides:
        data = deep_merge(_drop_replaced(data, overrides), overrides)
    if "name" not in data:
        stem = Path(path).stem
        try:
            data["name"] = check_folder_name(stem)
        except ValueError:
            raise ScenarioError(f"{path}: name: the file name {stem!r} cannot name an output folder; "
                                "give the scenario a name: (letters, digits, spaces, _ . -)") from None
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(*(f"{path}: {line}" for line in describe_validation_error(exc, data))) from None


MAX_PROBLEMS_SHOWN = 6


def describe_validation_error(exc: ValidationError, data: dict) -> list[str]:
    """One line per problem (at most `MAX_PROBLEMS_SHOWN`, then a count of the rest): dotted
    key, value, what is allowed. Pydantic reports a value that fits no branch of a union once
    per branch; those are merged into the most telling one."""
    by_key: dict[str, list[dict]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(str(part) for part in error["loc"] if not _is_union_tag(part))
        by_key.setdefault(".".join(loc), []).append({**error, "loc": loc})
    chosen = [_most_specific(errors) for errors in by_key.values()]
    # A time path given as {year: value} fails as `{values: …}` too ("values: required"):
    # keep the problem with the given keys, not the branch that was not meant.
    keys = [".".join(error["loc"]) for error in chosen]
    chosen = [error for error, key in zip(chosen, keys)
              if not (error["type"] == "missing" and error["loc"][-1:] == ("values",)
                      and any(other.startswith(key.rsplit(".", 1)[0] + ".") and other != key for other in keys))]
    lines = [_describe(error) for error in chosen]
    if len(lines) > MAX_PROBLEMS_SHOWN:
        rest = len(lines) - MAX_PROBLEMS_SHOWN + 1
        lines = lines[:MAX_PROBLEMS_SHOWN - 1] + [f"… and {rest} more problems (fix these first)"]
    return lines


def _describe(error: dict) -> str:
    loc = list(error["loc"])
    key = ".".join(loc) or "(top level)"
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(Scenario, loc[:-1])
        guess = difflib.get_close_matches(loc[-1], allowed, n=1)
        hint = f"did you mean {guess[0]!r}?" if guess else f"allowed keys: {', '.join(allowed) or '(none)'}"
        return f"{key}: unknown key; {hint}"
    if kind == "missing":
        return f"{key}: required key is missing"
    if isinstance(value, bool) and kind.endswith(("_type", "_parsing")):
        return f"{key}: {value} is not a number; give a number"
    if kind == "invalid_key":
        return f"{key}: {_plain(value)} is not a valid key"
    text = error["msg"].removeprefix("Value error, ")
    shown = "" if isinstance(value, (dict, list)) or "input" not in error else f"{value!r}: "
    if text.startswith(repr(value)) or text.startswith(_plain(value)):
        shown = ""
    return f"{key}: {shown}{text}"


def _is_union_tag(part: Any) -> bool:
    return isinstance(part, str) and (part.startswith("function-") or part in {"float", "int", "dict[int,float]"})


def _most_specific(errors: list[dict]) -> dict:
    """Prefer unknown keys and value errors over union-branch type noise."""
    for wanted in ("extra_forbidden", "value_error", "missing"):
        for error in errors:
            if error["type"] == wanted:
                return error
    return errors[0]


def _allowed_keys(model: type[BaseModel], loc: list[str]) -> list[str]:
    """Field names of the model at a dotted location (best effort, for suggestions); a mapping
    such as ``care.mix`` is stepped through by its key (``severe``) to the model of its values."""
    current: Any = model
    for part in loc:
        found = _model_or_mapping(current)
        if found is None:
            return []
        kind, inner = found
        if kind == "mapping":
            current = inner
        elif part in inner.model_fields:
            current = inner.model_fields[part].annotation
        else:
            return []
    found = _model_or_mapping(current)
    return list(found[1].model_fields) if found and found[0] == "model" else []


def _model_or_mapping(annotation: Any) -> tuple[str, Any] | None:
    """("model", the class) or ("mapping", the value annotation) for an annotation, looking
    inside Optional and Union; None for anything else."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    if getattr(annotation, "__origin__", None) is dict:
        return "mapping", annotation.__args__[1]
    for arg in getattr(annotation, "__args__", ()):
        found = _model_or_mapping(arg)
        if found is not None:
            return found
    return None


def scenario_digest(scenario: Scenario) -> tuple[dict, str]:
    """The resolved scenario as plain JSON data, and its SHA-256 (of canonical JSON)."""
    resolved = scenario.model_dump(mode="json")
    canonical = json.dumps(resolved, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return resolved, hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def model_digest(scenario: Scenario) -> str:
    """SHA-256 of what determines the numbers: the scenario without its presentation
    (outputs, title, description). Two runs with the same digest and version agree."""
    numbers = scenario.model_copy(update={"outputs": Outputs(), "title": None, "description": None})
    return scenario_digest(numbers)[1]
