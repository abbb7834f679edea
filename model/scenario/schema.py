"""The scenario's sections: what each stage reads, with ranges and cross-field rules.

Each section is a frozen pydantic model; unknown keys are errors. The quantities (time paths
with units and sources, table declarations) are in `quantities.py`; reading YAML, overlays and
error messages in `load.py`.
"""

from __future__ import annotations

import difflib
import re
from itertools import combinations
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from ..census import CENSUS_GROUPS, CENSUS_MONTH, CENSUS_YEAR, parse_age_band
from .quantities import (AgePath, BaseTable, BedsPath, CountPath, YearPath, ClientsPath, E0Path, FertilityTable, FractionPath, Frozen, GapPath,
                         GrowthPath, HoursPerMonthPath, MigrationPath, MigrationRatePath, MigrationSdPath, MigrationTable, MonthsPath,
                         MortalityTable, Number, OccupancyPath, Per1000Path, PersonsPath, PlacesPath, PrevalenceTable, LivingTable,
                         RatioPath, RegionTable, RuralRatioPath, Share, Source, SrbPath, TfrPath, TimePath, WorkersPath,
                         YearsPath, YuanPath, YuanPerHourPath, YuanPerMonthPath, YuanPerYearPath, plain)

# --------------------------------------------------------------------------- population


class StudentStock(Frozen):
    """Transient student stock held constant over the projection (see demography.py)."""

    reference_region: str = Field(description="census region whose age pattern gives the expected size")
    ages: dict[str, tuple[int, int]] = Field(
        description="census group → first and last single age where its excess is placed"
    )
    source: Source | None = None

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


class BasePopulation(Frozen):
    """The base-year population: a census region's table (optionally scaled to a total and
    broad-age shares), a total and shares alone (the age–sex shape within each band taken from
    `reference_region`, by default the region's province or 全国), or a user table."""

    census_region: str | None = None
    reference_region: str | None = None    # shape and facts for a base without a census region
    total: Number | None = Field(default=None, gt=0, le=2e9, json_schema_extra={"unit": "persons"})
    shares: dict[str, Number] = Field(default_factory=dict, json_schema_extra={"unit": "fraction"})
    table: BaseTable | None = None
    source: Source | None = None

    @field_validator("shares")
    @classmethod
    def _check_shares(cls, shares):
        if len(shares) > 8:
            raise ValueError(f"{len(shares)} bands given; at most 8 broad-age shares are allowed")
        bands = {}
        for label, share in shares.items():
            bands[label] = parse_age_band(label)
            if not 0 <= share <= 1:
                raise ValueError(f"{label}: {plain(share)} is out of range; shares are fractions from 0 to 1")
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
        if self.table is None and self.census_region is None and self.total is None:
            raise ValueError("give census_region (a region of the bundled 2020 census), a total (with shares), "
                             "or a table")
        return self


class Mortality(Frozen):
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


class Fertility(Frozen):
    tfr: TfrPath | None = None
    srb: SrbPath | None = None      # default: the census sex ratio at age 0 (model/localise.py)
    table: FertilityTable | None = None

    @model_validator(mode="after")
    def _one_source(self):
        if self.table is not None and self.tfr is not None:
            raise ValueError("give either table (ASFR used as is) or tfr, not both")
        if self.table is None and self.tfr is None:
            raise ValueError("give tfr (a time path) or a table of ASFR")
        return self


class Migration(Frozen):
    """Net migration: a total a year (`net`, persons), a rate (`rate`, per 1,000 of the settled
    population at the start of each year), or a table by sex and age (used as given). Totals
    and rates are spread over ages by the Rogers–Castro schedule: out-migration as rates on
    the people there, in-migration in the schedule's age pattern (demography.migrants)."""

    net: MigrationPath | None = None
    rate: MigrationRatePath | None = None
    table: MigrationTable | None = None

    @model_validator(mode="after")
    def _one_source(self):
        given = [name for name in ("net", "rate", "table") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of net (persons a year), rate (per 1,000) or table, not {' and '.join(given)}")
        return self


class Population(Frozen):
    base: BasePopulation
    mortality: Mortality
    fertility: Fertility
    migration: Migration = Migration()
    students: StudentStock | None = None
    # Published year-end resident populations (local): the run checks the projection against
    # them, and scripts/calibrate_migration.py fits the migration path that reproduces them.
    year_end: PersonsPath | None = None

    @model_validator(mode="after")
    def _students_need_census(self):
        if self.students is not None and self.base.census_region is None:
            raise ValueError("students needs base.census_region (5-year census groups); set students: null")
        return self


# --------------------------------------------------------------------------- pensions


class CoverageAges(Frozen):
    """The shape of employee-scheme coverage by age in the base year (its two levels are
    calibrated): it rises from `entry_start` to `entry_full` while schooling ends, and moves
    from the working-age level to the retired cohorts' level between `older_from` and
    `older_full`."""

    entry_start: AgePath
    entry_full: AgePath
    older_from: AgePath
    older_full: AgePath

    @model_validator(mode="after")
    def _ordered(self):
        ages = [float(getattr(self, name).at(0)) for name in ("entry_start", "entry_full", "older_from", "older_full")]
        if any(getattr(self, name).varies() for name in type(self).model_fields):
            raise ValueError("give one age each; the coverage shape does not change over time")
        if not ages[0] < ages[1] <= ages[2] < ages[3]:
            raise ValueError(f"ages must rise: entry_start < entry_full <= older_from < older_full, not {ages}")
        return self


class PensionCalibration(Frozen):
    """Base-year counts the coverage levels are calibrated to."""

    participants: PersonsPath | None = None     # both schemes, contributors and pensioners (local)
    participation_rate: FractionPath            # participants ÷ settled people aged 16+, where none are given
    employee_share: FractionPath | None = None  # employee-scheme share of participants (local)
    reference_employee_share: FractionPath      # a reference region's share (its source names it), scaled by the urban share where none is given
    employee_retiree_share: FractionPath | None = None   # retirees among employee-scheme participants (local)
    reference_employee_retiree_share: FractionPath       # the reference region's share, scaled by the age structure where none is given
    coverage_ages: CoverageAges


class PensionRules(Frozen):
    """Ages and dates the law sets."""

    work_start_age: AgePath             # minimum legal working age: the resident scheme's contributors from here
    resident_pension_age: AgePath       # resident pensions from this age
    special_early_years: YearsPath      # special occupations retire this much before the original age
    account_start_year: YearPath        # individual accounts from this year; earlier service is deemed


class Wages(Frozen):
    average_wage: YuanPerYearPath | None = None   # the region's average wage in the base year (local)
    growth: GrowthPath                            # nominal growth per year
    provincial_ratio: RatioPath | None = None     # provincial average wage ÷ the region's (local)
    # Wages before the base year, for the awards of today's pensioners: China's published
    # average wage (model/data/wage_history_china.csv) or the growth path read backwards.
    past: Literal["national", "growth_path"] = "national"
    female_ratio: RatioPath                        # women's wage (contribution base) over men's
    # Relative wages of insured workers by age band ("A-B" or "A+"; normalised to an average of 1
    # over the base year's insured workers): flat when empty.
    age_profile: dict[str, Number] = Field(default_factory=dict, json_schema_extra={"unit": "ratio"})

    @field_validator("age_profile")
    @classmethod
    def _check_profile(cls, profile):
        covered = []
        for label, value in profile.items():
            covered += list(range(*parse_age_band(label)))
            if not 0.1 <= value <= 10:
                raise ValueError(f"{label}: {plain(value)} is out of range; relative wages lie from 0.1 to 10")
        if len(covered) != len(set(covered)):
            raise ValueError("age bands overlap; give each age once")
        return profile


class EmployeeScheme(Frozen):
    contribution_rate: FractionPath     # employer + employee, share of the contribution base
    account_rate: FractionPath          # part of it credited to the individual account
    crediting_rate: GrowthPath          # the official yearly crediting (记账利率) of individual accounts
    base_to_wage: FractionPath          # average contribution base ÷ average wage
    compliance: FractionPath            # contributors ÷ insured workers
    entry_coverage_growth: GrowthPath   # yearly rise of coverage of cohorts entering work
    indexation: GrowthPath              # yearly rise of pensions in payment
    past_indexation: GrowthPath         # the rises before the base year (for the pensions in payment then)
    average_pension: YuanPerMonthPath | None = None   # average pension in the base year (local)
    award_level: RatioPath              # new awards over the formula's (1: the footing of recent retirees)
    legacy_until: YearPath              # retirees before this year may draw more than the formula (calibrated)
    accrual: FractionPath               # basic pension per contribution year
    transitional_accrual: FractionPath  # transitional pension per deemed year before accounts
    career_start_age: YearsPath
    contribution_density: FractionPath  # share of years from career start with contributions
    female_density_ratio: RatioPath     # women's contribution density over men's
    subsidy_share: FractionPath         # fiscal subsidy ÷ expenditure
    reserve_months: MonthsPath          # notional balance at the start, in months of spending
    contribution_relief: FractionPath   # share of contributions waived (the 2020 阶段性减免)


class ResidentScheme(Frozen):
    minimum_pension: YuanPerMonthPath   # central basic pension, as published
    minimum_pension_growth: GrowthPath  # its yearly rise after the last published year
    local_pension: YuanPerMonthPath | None = None     # local top-up and account pension, average (local)
    contribution: YuanPerYearPath       # average own contribution per contributor
    contribution_subsidy: YuanPerYearPath  # local subsidy per contributor
    reserve_months: MonthsPath


class Pool(Frozen):
    """How a city's employee-scheme gap is met: the provincial pool and national pooling
    (全国统筹, from 2022) pay `transfer_share` of the required transfer (spending − contributions
    − subsidy; a surplus is paid up at the same share)."""

    transfer_share: FractionPath


class Pension(Frozen):
    retirement_reform: bool = True
    extra_delay_months: int = Field(strict=True, default=0, ge=0, le=120, json_schema_extra={"unit": "months"})  # a lever
    women_cadre_share: FractionPath     # women under the 55 rule (the rest: 50 rule)
    special_early_share: FractionPath | None = None   # retirees under special-occupation rules (local)
    interest_rate: GrowthPath           # return on the notional balance
    pensioner_mortality_ratio: RatioPath   # pensioners' death rates over the population's of their age
    published_until: YearPath           # the last year whose pension rises are published: levers act after it
    # The actuarial balance is valued from this year (the first after the last published
    # accounts); the solver's levers act from it.
    valuation_year: YearPath
    # The pension stage's last year when later than years.end: the population is projected
    # that far for it (not with trials).
    horizon: int | None = Field(default=None, strict=True, ge=2021, le=2100, json_schema_extra={"unit": "year"})
    pool: Pool
    rules: PensionRules
    calibration: PensionCalibration
    wages: Wages
    employee: EmployeeScheme
    resident: ResidentScheme


# --------------------------------------------------------------------------- care demand


def _constant_paths(model: BaseModel) -> BaseModel:
    """Refuse time-varying values where only one is read (the base-year calibration and transitions)."""
    for name in type(model).model_fields:
        path = getattr(model, name)
        if isinstance(path, TimePath) and path.varies():
            raise ValueError(f"{name}: give one value; this setting does not change over time")
    return model


def _sums_to_one(paths: dict[str, TimePath], what: str) -> None:
    """Shares that must sum to 1 in every year: checked at every year any of them names (they
    are linear or steps between those years, so the sum holds in between)."""
    years = sorted({year for path in paths.values() for year in path.knots()}) or [None]
    for year in years:
        total = sum(float(path.value() if year is None else path.at(year)) for path in paths.values())
        if abs(total - 1) > 1e-6:
            where = f" in {year}" if year is not None else ""
            raise ValueError(f"{what} = {total:g}{where}; the shares must sum to 1")


class BySexFraction(Frozen):
    """A share given separately for men and women."""

    male: FractionPath
    female: FractionPath

    @model_validator(mode="after")
    def _constant(self):
        return _constant_paths(self)


class AgeGradient(Frozen):
    """The share with a condition in the ages `high_ages` ÷ the share in `low_ages` (both sexes alike)."""

    low_ages: tuple[int, int]
    high_ages: tuple[int, int]
    ratio: RatioPath

    @model_validator(mode="after")
    def _ages(self):
        for ages in (self.low_ages, self.high_ages):
            if not 60 <= ages[0] <= ages[1] <= 100:
                raise ValueError("an age band is [low, high] with 60 ≤ low ≤ high ≤ 100")
        return _constant_paths(self)


class PrevalenceTargets(Frozen):
    """Published figures that fix one grade's logistic age curve for each sex (`model/disability`):
    the 60+ share, the centenarians' share, and one of the share of life after 60 lived in the
    grade (a Sullivan DFLE figure) or an age gradient."""

    share_60plus: FractionPath           # both sexes, over China's 2020 census population
    female_to_male: RatioPath            # women's 60+ share ÷ men's
    share_100plus: BySexFraction
    life_share: BySexFraction | None = None
    age_gradient: AgeGradient | None = None

    @model_validator(mode="after")
    def _one_gradient(self):
        _constant_paths(self)
        if (self.life_share is None) == (self.age_gradient is None):
            raise ValueError("give one of life_share and age_gradient")
        if self.share_60plus.value() <= 0:
            raise ValueError("share_60plus: a calibration target must be above 0")
        return self


class DisabilityDefinition(Frozen):
    """One reading of 'disabled': what the two grades mean, in words and as published targets."""

    label: str = Field(min_length=3)      # printed on every care chart and table (Chinese outputs)
    label_en: str = Field(min_length=3)   # the same for English outputs
    severe: PrevalenceTargets             # the top grade (重度失能)
    disabled: PrevalenceTargets           # any grade (轻度 to 重度); the lower grade is the difference


class CareCalibration(Frozen):
    """How the definition's national figures become the region's base-year prevalence."""

    provincial_factor: RatioPath         # the region's prevalence ÷ the nation's, at each sex and age
    reference_e60_male: YearsPath        # life expectancy at 60 of the life table behind the DFLE figures
    reference_e60_female: YearsPath
    max_miss: FractionPath               # a curve missing a target by more than this is refused

    @model_validator(mode="after")
    def _positive_and_constant(self):
        _constant_paths(self)
        if self.provincial_factor.value() <= 0:
            raise ValueError("provincial_factor: must be above 0")
        return self


class HealthTransitions(Frozen):
    """Assumed parts of the annual transition model (the incidences are derived from the
    base-year prevalence by age)."""

    mild_to_severe_factor: RatioPath     # severe incidence among the mildly disabled ÷ among the healthy
    recovery_at_60: FractionPath         # yearly mild → healthy probability at 60 …
    recovery_halving_years: YearsPath    # … halving every this many years of age
    mortality_ratio_mild: RatioPath      # death rate mild ÷ healthy
    mortality_ratio_severe_60: RatioPath  # death rate severe ÷ healthy at 60, falling log-linearly …
    mortality_ratio_severe_100: RatioPath  # … to this at 100+

    @model_validator(mode="after")
    def _consistent(self):
        _constant_paths(self)
        if self.recovery_halving_years.value() <= 0:
            raise ValueError("recovery_halving_years: must be above 0")
        return self


class BaseUse(Frozen):
    """Observed institutional use in the base year, which anchors the care mix there."""

    residents: PersonsPath | None = None           # elder-care institution residents (local); else occupancy × beds
    self_caring_share: FractionPath                # residents with no disability grade

    @model_validator(mode="after")
    def _constant(self):
        return _constant_paths(self)


class CareMix(Frozen):
    home: FractionPath
    community: FractionPath
    institution: FractionPath
    source: Source | None = None

    @model_validator(mode="after")
    def _sum_to_one(self):
        _sums_to_one({"home": self.home, "community": self.community, "institution": self.institution},
                     "home + community + institution")
        return self


class Care(Frozen):
    definition: str                               # the key of `definitions` in force
    definitions: dict[str, DisabilityDefinition]

    @property
    def grading(self) -> DisabilityDefinition:
        """The disability definition in force."""
        return self.definitions[self.definition]

    def definition_in(self, lang: str) -> str:
        """The disability definition in force, in words, in the outputs' language."""
        return self.grading.label_en if lang == "en" else self.grading.label
    morbidity: Literal["multistate", "constant_prevalence"] = "multistate"
    incidence_trend: GrowthPath                   # yearly change of incidence (compression < 0)
    prevalence_table: PrevalenceTable | None = None
    calibration: CareCalibration
    transitions: HealthTransitions
    mix: dict[Literal["healthy", "mild", "severe"], CareMix]
    occupancy: OccupancyPath
    # Occupancy of institutional beds the statistics report for the base year: with the beds,
    # the base year's residents (unless base_use.residents gives them).
    observed_occupancy: OccupancyPath | None = None
    base_use: BaseUse
    mix_reached: YearPath                         # the year the care mix (a target) is reached
    nursing_grades: list[Literal["mild", "severe"]] = Field(min_length=1)   # whose beds are nursing-type
    beds: BedsPath | None = None                  # beds supplied (stock path; local)
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

    @model_validator(mode="after")
    def _known_definition(self):
        if self.definition not in self.definitions:
            raise ValueError(f"definition: {self.definition!r} is not one of care.definitions "
                             f"({', '.join(sorted(self.definitions))})")
        return self


# --------------------------------------------------------------------------- agent-based care mix


Living = Literal["alone", "spouse", "children"]


class AbmPeople(Frozen):
    """Attributes of people in need of care that the census tables do not give by age (living
    arrangement by age and sex is derived from these shares and the spouses' survival:
    abm/living.py)."""

    urban_share: FractionPath | None = None      # share living in towns (城镇; local)
    employee_share: dict[Literal["urban", "rural"], FractionPath]  # drawing an employee pension
    living: dict[Living, FractionPath]           # living arrangement of the 60+ (all ages)
    alone_women_to_men: RatioPath                # women's share living alone ÷ men's (65+): sets the age pattern
    spouse_age_gap: YearsPath                    # husbands are this many years older than their wives
    living_table: LivingTable | None = None      # shares by area, sex and age group instead of the derived ones

    @field_validator("living")
    @classmethod
    def _living(cls, living):
        missing = {"alone", "spouse", "children"} - set(living)
        if missing:
            raise ValueError(f"give a share for {', '.join(sorted(missing))}")
        _sums_to_one(living, "living arrangement shares")
        return living


class AbmBehaviour(Frozen):
    """How people choose a care setting.

    The level of each setting's odds is set each year so that, at that year's prices without
    any lever, people would use care as the `preferences` path says — the same for every mix;
    the rest moves with the levers of a mix (prices net of subsidies and insurance, places).
    """

    # "care": the care stage's path (observed base-year use moving to care.mix by
    # care.mix_reached); "observed": the observed base-year use held.
    preferences: Literal["care", "observed"] = "care"
    family_support: dict[Living, YuanPerMonthPath]   # money the family adds to the pension
    institution_odds: dict[Living, RatioPath]        # odds of choosing an institution, relative
    institution_odds_80plus: RatioPath               # × for people aged 80 and over
    price_elasticity: RatioPath                      # how strongly an unaffordable price deters
    home_care_uptake: dict[Literal["mild", "severe"], FractionPath]  # formal home care among those at home
    home_care_hours: dict[Literal["mild", "severe"], HoursPerMonthPath]
    interim_home_care: bool = True   # waiting for a bed, take formal home care meanwhile if hours are free


class AbmSupply(Frozen):
    """Providers in the base year and prices; beds come from each mix (default care.beds)."""

    institutions: CountPath | None = None            # elder-care institutions (bed supply is shared among them; local)
    beds_per_institution: BedsPath                   # where institutions are not given
    institution_urban_share: FractionPath            # share of beds in urban institutions
    institution_public_share: FractionPath           # share of beds in public (公办) institutions
    # Providers' admission behaviour: private homes fill general beds with self-caring residents
    # before the disabled waiting; a home lets nursing beds nobody of a nursing grade takes to
    # others waiting rather than leave them empty.
    private_self_caring_first: bool = True
    let_nursing_beds: bool = True
    community_centres: CountPath | None = None       # local
    elderly_per_centre: PersonsPath                  # people aged 60+ per centre, where centres are not given
    daycare_places: PlacesPath | None = None         # local
    places_per_centre: PlacesPath                    # where day-care places are not given
    home_care_workers: WorkersPath | None = None     # local
    home_care_workers_per_1000: Per1000Path          # per 1,000 aged 60+, where workers are not given
    # "need": the base-year workers grow as the care stage's home-care workforce need (its
    # staffing ratios); "held": the stated path as it is.
    home_care_workers_growth: Literal["need", "held"] = "need"
    hours_per_worker: HoursPerMonthPath
    price_general_bed: YuanPerMonthPath              # base year; prices then rise with the average wage
    price_nursing_bed: YuanPerMonthPath
    public_price_factor: RatioPath                   # public price ÷ private price
    price_daycare: YuanPerMonthPath
    price_home_care: YuanPerHourPath
    public_bed_subsidy: YuanPerMonthPath             # operating subsidy per public bed
    new_bed_subsidy: YuanPath                        # one-off construction subsidy per new bed


NO_SUBSIDY = YuanPerMonthPath(values=0.0, source={"kind": "setting", "title": "no subsidy unless the mix gives one"})


class AbmSubsidies(Frozen):
    """Monthly subsidy per user (yuan), paid from public funds and taken off the price."""

    institution_mild: YuanPerMonthPath = NO_SUBSIDY
    institution_severe: YuanPerMonthPath = NO_SUBSIDY
    community: YuanPerMonthPath = NO_SUBSIDY
    home_care: YuanPerMonthPath = NO_SUBSIDY


NOT_COVERED = FractionPath(values=0.0, source={"kind": "setting", "title": "not covered unless the mix covers it"})


class AbmLtcInsurance(Frozen):
    """Long-term care insurance (长期护理保险): the share of the price of each setting that the
    insurance fund pays for the grades in `eligible` (before any subsidy)."""

    eligible: list[Literal["mild", "severe"]] = ["severe"]
    institution: FractionPath = NOT_COVERED
    community: FractionPath = NOT_COVERED
    home_care: FractionPath = NOT_COVERED


class AbmMix(Frozen):
    """One care mix to test: a package of levers — supply, subsidies, insurance — applied to the
    same observed city. People's preferences are the scenario's (abm.behaviour), the same in
    every mix, so mixes differ only through what they change.

    Anything not given comes from the scenario: beds and nursing share from care.beds /
    care.nursing_share, new beds placed where the base year's are (or, in a county run, as the
    counties' bed plans have them), day-care places and home-care workers from abm.supply, no
    subsidy and no insurance.
    """

    label: str | None = None                         # its name in Chinese outputs (default: the key)
    label_en: str | None = None                      # … in English outputs
    description: str | None = None
    beds: BedsPath | None = None
    beds_per_1000: Per1000Path | None = None         # beds tied to the projected 60+ population
    beds_held: bool = False                          # beds held at the scenario's base-year supply
    nursing_share: FractionPath | None = None
    new_beds_by_area: dict[str, float] | None = None  # where beds beyond the base year's go: area → share
    daycare_places: PlacesPath | None = None
    daycare_factor: RatioPath | None = None          # × the scenario's day-care places
    home_care_workers: WorkersPath | None = None
    home_care_workers_factor: RatioPath | None = None  # × the scenario's home-care workers
    subsidies: AbmSubsidies = AbmSubsidies()
    ltc_insurance: AbmLtcInsurance = AbmLtcInsurance()
    priority: Literal["severe_first", "first_come"] | None = None   # the admission rule (default abm.priority)

    @model_validator(mode="before")
    @classmethod
    def _no_shares(cls, values):
        if isinstance(values, dict) and "shares" in values:
            raise ValueError("shares: a mix is a package of levers (beds, places, workers, subsidies, "
                             "ltc_insurance); preferences are the scenario's (care.mix, abm.behaviour), the same in every mix")
        return values

    @field_validator("new_beds_by_area")
    @classmethod
    def _bed_plan_shares(cls, shares):
        if shares is not None:
            if any(not 0 <= share <= 1 for share in shares.values()):
                raise ValueError("each area's share of the new beds is a fraction from 0 to 1")
            if abs(sum(shares.values()) - 1) > 1e-6:
                raise ValueError(f"the areas' shares of the new beds add up to {sum(shares.values()):.4g}, not 1")
        return shares

    @model_validator(mode="after")
    def _one_rule_each(self):
        beds = [name for name in ("beds", "beds_per_1000", "beds_held") if getattr(self, name) not in (None, False)]
        if len(beds) > 1:
            raise ValueError(f"give one of beds, beds_per_1000 or beds_held, not {' and '.join(beds)}")
        for name in ("daycare", "home_care_workers"):
            absolute = "daycare_places" if name == "daycare" else name
            if getattr(self, absolute) is not None and getattr(self, f"{name}_factor") is not None:
                raise ValueError(f"give {absolute} or {name}_factor, not both")
        return self


class Abm(Frozen):
    """The agent-based care-mix experiment (model/abm)."""

    replicates: int = Field(strict=True, ge=1, le=1000)
    scale: int = Field(strict=True, default=1, ge=1, le=1000)     # one agent per `scale` persons
    processes: int = Field(strict=True, default=1, ge=1, le=64)   # worker processes for the replicates
    priority: Literal["severe_first", "first_come"] = "severe_first"
    other_area_after_months: MonthsPath   # then a bed in the other (urban/rural) area is accepted
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


def _hint(name: str, names: list[str]) -> str:
    """"; did you mean …?" for a near miss among `names`, else nothing."""
    guess = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return f"; did you mean {guess[0]!r}?" if guess else ""


class UrbanRural(Frozen):
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


class Regions(Frozen):
    """Project the city as the sum of its counties (model/regions.py)."""

    counties: list[str] = Field(min_length=2)           # census regions (or names in `table`)
    table: RegionTable | None = None                    # base populations; default: the bundled census
    student_counties: list[str] = Field(default_factory=list)  # hold the transient student stock
    fertility_factor: dict[str, Number] = Field(default_factory=dict)  # × the city TFR path; default: census
    e0_offset: dict[str, Number] = Field(default_factory=dict)        # years added to the city e0 path
    internal_migration_rate: FractionPath               # share of the young adults below moving out a year
    internal_migration_ages: str                        # their age band, e.g. "15-34"
    receiving_counties: list[str] = Field(default_factory=list)      # where they move to
    child_woman_ages: str                               # women's ages of the child–woman ratio (fertility factors)
    beds: dict[str, BedsPath] = Field(default_factory=dict)          # default: city beds × share of 60+
    urban_rural: UrbanRural | None = None               # none: the city's disability rates everywhere
    names_en: dict[str, str] = Field(default_factory=dict)  # English chart names (pinyin); others unused
    source: Source | None = None

    @field_validator("internal_migration_ages", "child_woman_ages")
    @classmethod
    def _age_band(cls, band):
        parse_age_band(band)
        return band

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


class Uncertainty(Frozen):
    """Probabilistic projection (model/uncertainty.py): how many trajectories, and how much of
    each fitted variance to apply (1 = as fitted, 0 = none)."""

    trials: int = Field(strict=True, default=0, ge=0, le=100_000)
    mortality_scale: float = Field(strict=True, default=1.0, ge=0, le=10)   # × Lee–Carter random-walk sd
    fertility_scale: float = Field(strict=True, default=1.0, ge=0, le=10)   # × AR(1) innovation sd of log TFR
    # Yearly sd of the net-migration rate: by default the spread of the region's rates fitted to
    # its published year-ends (model/localise.py), else `typical_migration_sd`.
    migration_sd: MigrationSdPath | None = None
    typical_migration_sd: MigrationSdPath | None = None
    lee_carter_from: int = Field(strict=True, default=1970, ge=1950, le=2005)  # first 5-year period of the fit
    fertility_from: int = Field(strict=True, default=1990, ge=1950, le=2015)   # first year of the TFR series fitted
    # First uncertain interval; by default the year of the last published year-end (the years
    # before it are fitted to data), else base + 1.
    from_year: int | None = Field(default=None, strict=True, ge=1950, le=2100)


# --------------------------------------------------------------------------- scenario


class Years(Frozen):
    base: int = Field(strict=True, ge=1950, le=2100, json_schema_extra={"unit": "year"})
    end: int = Field(strict=True, ge=1951, le=2100, json_schema_extra={"unit": "year"})
    # Month of the base population's reference date (the 2020 census: 1 November). Stocks
    # labelled y are on day 1 of this month; see demography.py for how paths are timed.
    reference_month: int = Field(strict=True, default=CENSUS_MONTH, ge=1, le=12)

    @model_validator(mode="after")
    def _ordered(self):
        if self.end <= self.base:
            raise ValueError(f"end {self.end} must be after base {self.base}")
        return self


class Target(Frozen):
    """A plan target (规划目标) to check the projection against: an indicator of the metric
    registry (`table` and its key) in a year, the value and the direction the plan asks for.
    `group`: the pension scheme or care mix of the indicator, where its table has one."""

    table: Literal["indicators", "pension", "care", "abm"]
    indicator: str
    year: int = Field(strict=True, ge=1900, le=2200)
    value: Number
    direction: Literal["at_least", "at_most"]
    group: str | None = None
    source: Source

    @model_validator(mode="after")
    def _declared(self):
        from ..metrics import REGISTRY, of_table

        if (self.table, self.indicator) not in REGISTRY:
            names = [m.key for m in of_table(self.table)]
            raise ValueError(f"indicator: {self.indicator!r} is not a metric of {self.table}.csv{_hint(self.indicator, names)}")
        return self


class Outputs(Frozen):
    lang: Literal["zh", "en"] = "zh"
    charts: bool = True
    word: bool = True      # report.docx, the draft chapter of a planning document (chapter.py)
    chart_formats: list[Literal["png", "svg", "pdf"]] = Field(default_factory=lambda: ["png", "svg"])
    # Years the tables for reading, comparisons and the regression baseline show; default: the
    # base year, every year divisible by 5 after it, and the end year.
    milestones: list[int] | None = None
    # vital_events.csv: births by mother's age, deaths and net migrants by sex and age, to check cohort flows.
    vital_events: bool = False

    @field_validator("chart_formats")
    @classmethod
    def _png_for_the_report(cls, formats):
        if "png" not in formats:
            raise ValueError("include png: the report embeds each chart as PNG (add svg or pdf beside it)")
        return list(dict.fromkeys(formats))


# --------------------------------------------------------------------------- sensitivity


class Sensitivity(Frozen):
    """One-at-a-time planning ranges (not probabilities): each input moved alone to a low and a
    high value, the rest held (`simulate sensitivity`)."""

    tfr: FractionPath                    # the TFR path × (1 − this) and × (1 + this)
    e0: YearsPath                        # life expectancy ∓ this many years by the end year (ramped)
    migration: MigrationRatePath         # net migration ∓ this per 1,000, every year after the base year
    wage_growth: GrowthPath              # ∓ points a year
    indexation: GrowthPath               # ∓ points a year, after the base year
    compliance: FractionPath             # ∓ (held within 0 to 1)
    award_level: FractionPath            # new awards × (1 ∓ this)
    pensioner_mortality: FractionPath    # pensioners' mortality ratio ∓ this
    disability_incidence: GrowthPath     # the incidence trend ∓ this a year
    care_mix: FractionPath               # severe cases in institutions ∓ this share (home takes the difference)
    self_caring_share: FractionPath      # the base year's self-caring share of residents ∓ this
    healthy_institution: FractionPath    # people with no disability grade in institutions (the mix's target) ∓ this

    @model_validator(mode="after")
    def _constant(self):
        return _constant_paths(self)


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


class Scenario(Frozen):
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
    sensitivity: Sensitivity | None = None
    targets: list[Target] = Field(default_factory=list)   # plan targets checked against the projection
    outputs: Outputs = Outputs()

    @field_validator("name")
    @classmethod
    def _one_folder(cls, name):
        return check_folder_name(name)

    @model_validator(mode="before")
    @classmethod
    def _region_from_census(cls, data):
        """The region is named after the census region, and the title after the region, when
        none is given."""
        if isinstance(data, dict) and not data.get("region"):
            base = (data.get("population") or {}).get("base") if isinstance(data.get("population"), dict) else None
            if isinstance(base, dict) and isinstance(base.get("census_region"), str):
                data = {**data, "region": base["census_region"]}
        if isinstance(data, dict) and not data.get("title") and isinstance(data.get("region"), str):
            data = {**data, "title": f"{data['region']}情景"}
        return data

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
    def _pension_horizon(self):
        if self.pension is None or self.pension.horizon is None:
            return self
        if self.pension.horizon < self.years.end:
            raise ValueError(f"pension.horizon {self.pension.horizon} is before years.end {self.years.end}; "
                             "give a later year or leave it out")
        if self.pension.horizon > self.years.end and self.uncertainty.trials:
            raise ValueError("pension.horizon: a pension horizon past years.end is not available with trials; "
                             "set years.end instead")
        return self

    @model_validator(mode="after")
    def _census_base_year(self):
        """A base from the census (its region's or a reference region's shape) is the stock of
        1 November 2020: the base year and reference month must be the census's."""
        if self.population.base.table is not None:
            return self
        which = "census_region" if self.population.base.census_region else "total and shares (a census shape)"
        if self.years.base != CENSUS_YEAR:
            raise ValueError(
                f"years.base is {self.years.base} but population.base ({which}) is the 1 Nov {CENSUS_YEAR} "
                f"census; set years.base: {CENSUS_YEAR} or give population.base.table")
        if self.years.reference_month != CENSUS_MONTH:
            raise ValueError(
                f"years.reference_month is {self.years.reference_month} but population.base ({which}) is the census "
                f"of 1 November; use reference_month: {CENSUS_MONTH}, or give population.base.table for a stock on "
                "another date")
        return self

    def overlaid(self, changes: dict) -> "Scenario":
        """This scenario with `changes` merged in as an overlay (see `load.overlaid`)."""
        from .load import overlaid

        return overlaid(self, changes)

    def mix_names(self, lang: str) -> dict[str, str]:
        """The care mixes' names in `lang` (their `label` or `label_en`) by key; a mix without
        one is shown by its key."""
        mixes = self.abm.mixes if self.abm else {}
        return {key: name for key, mix in mixes.items() if (name := mix.label if lang == "zh" else mix.label_en)}

    def milestones(self) -> list[int]:
        """The years shown in tables for reading, comparisons and the regression baseline."""
        if self.outputs.milestones:
            return sorted(y for y in set(self.outputs.milestones) if self.years.base <= y <= self.years.end)
        inner = [y for y in range(self.years.base + 1, self.years.end) if y % 5 == 0]
        return [self.years.base, *inner, self.years.end]


