"""Cohort-component population projection: single ages 0..100+, two sexes, annual steps.

Method: the UN cohort-component method (CCMPP) in single years, as in Preston, Heuveline &
Guillot (2001, ch. 6) and the UN Manual on population projections (2022).

Timing conventions
------------------
* The population of year *y* is the stock on **1 November y**, the reference date of the
  2020 census (for a base table, the stock on its own reference date, labelled *y*).
* Projection interval *y* runs from the stock of *y* to the stock of *y*+1. Its rates are the
  scenario's time paths read at the interval's centre in calendar-year terms, y + 10/12 for
  a 1 November base (see `path_times`); the tfr and e0 indicators of year *y* are those of
  interval *y*. Flows labelled *y* (births, deaths, net migration)
  are the events of interval *y*, so ``P(y+1) = P(y) + births(y) − deaths(y) + migration(y)``
  holds exactly, per sex. Calendar-year statistics (year-end population, births in calendar
  *c*) are compared by pro-rating: see `calendar_year_view`.

Order within one interval
-------------------------
1. **Survive and age.** Persons aged *x* at the start reach *x*+1 with survival ratio
   L(x+1)/L(x) of the interval's life table; ages 99 and 100+ both end in 100+ with T(100)/T(99).
2. **Migrate.** Net migrants by age (`migrants`): out-migration as rates on the people at
   risk, in-migration as counts in the schedule's age pattern. ``net_migrants[x]`` are those
   aged *x* at the end of the interval. Half of them arrive at the start (aged *x*−1) and
   share the cohort's mortality; half arrive at the end. Out-migration the people cannot
   supply (a total near everyone; a user table larger than an age) is not applied and is
   reported as a warning: the realised migration is what the flows record.
3. **Births.** ASFR × the mean of the start and end female populations at each age (the
   settled population only: the transient stock below does not bear children), split by the
   sex ratio at birth; births reach the end of the interval aged 0 with L(0) (radix 1), and
   half the age-0 migrants with them.
4. **Transient stock.** A fixed stock by sex and age (Jinzhong's university students) is kept
   constant: its survivors age out of it and are replaced. The renewal is counted in net
   migration (arrivals at the entry ages, departures of those who age past the last age) and
   its members' deaths in deaths, so the accounting identity holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
import pandas as pd

from . import bundled, census, metrics, tables
from .agesplit import split_closed_groups
from .census import parse_age_band
from .errors import ScenarioError
from .scenario import Scenario
from .lifetable import N_AGES, SEXES, LifeTable, calibrate_common, calibrate_pooled_by_sex, pooled_e0, single_year_life_table

# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class InternalMigration:
    """Moves between the regions of a batch (counties): each year a share `rate` (n,) of the
    settled people in the age band [lower, upper) of the sending regions moves to the
    receiving ones (`receiving`, (R,) booleans), which take them in proportion to their own
    settled population. The flows sum to zero over the regions."""

    rate: np.ndarray
    receiving: np.ndarray
    lower: int
    upper: int

    def flows(self, t: int, at_risk: np.ndarray) -> np.ndarray:
        """Net internal migrants (R, 2, 101) of interval t, from the settled people at risk."""
        flows = np.zeros_like(at_risk)
        if not self.receiving.any() or self.receiving.all():
            return flows
        young = np.zeros_like(at_risk)
        young[..., self.lower:self.upper] = at_risk[..., self.lower:self.upper]
        senders = np.where(self.receiving[:, None, None], 0.0, young)
        leaving = self.rate[t] * senders
        profile = senders.sum(axis=0) / max(senders.sum(), 1e-12)              # where the movers are
        size = at_risk[self.receiving].sum(axis=(1, 2))
        flows[self.receiving] = leaving.sum() * profile * (size / size.sum())[:, None, None]
        return flows - leaving


@dataclass(frozen=True)
class Rates:
    """Demographic rates for each projection interval (leading axis: interval start year).

    Trailing shapes: mx (2, 101) central death rates; asfr (101,) births per woman-year;
    srb () males per female birth. Net migration of an interval is `net_total` persons plus
    `net_rate` per 1,000 of the settled population at its start (both (n, ...)), spread over
    ages by `schedule` (2, 101), the age pattern of migration intensity: out-migrants as rates
    on the people there, in-migrants as counts in the schedule's age pattern (see
    `migrants`); or, from a user table, `net_table` (n, ..., 2, 101) persons by age at the
    interval's end, used as given. `internal` moves people between the regions of a batch.
    Axes between the year and these shapes (e.g. trials, counties) broadcast.
    """

    years: np.ndarray
    mx: np.ndarray
    asfr: np.ndarray
    srb: np.ndarray
    net_total: np.ndarray
    net_rate: np.ndarray
    schedule: np.ndarray
    net_table: np.ndarray | None = None
    internal: InternalMigration | None = None

    @cached_property
    def life_table(self) -> LifeTable:
        """The single-year life tables of `mx`, built once: the projection, its indicators and
        the care stage all read them."""
        return single_year_life_table(self.mx)


def migrants(rates: Rates, t: int, settled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Net migrants of interval t by sex and age at its end, (..., 2, 101), from the settled
    population at its start (..., 2, 101); and the out-migrants asked for that the people
    could not supply (...).

    The year's net total N (persons, plus the rate × the settled population) is spread over
    ages by the schedule s. Net out-migration (N < 0) is a rate on the people at risk (those
    who will be aged x at the end, i.e. aged x − 1 now): P(x − 1)·(1 − exp(−h·s(x))), the
    hazard h solved so that the total is N. So it follows the changing population and can
    never take everyone of an age (for a small N it is ∝ s(x)·P(x − 1)). Net in-migration
    (N > 0) is counts in the schedule's own age pattern, ∝ s(x): the convention of UN WPP and
    of bayesPop's `mig.is.rate` (rates on the origin population).
    """
    at_risk = np.concatenate([settled[..., :1], settled[..., :-1]], axis=-1)
    unmet = np.zeros(at_risk.shape[:-2])
    if rates.net_table is not None:
        found = np.broadcast_to(rates.net_table[t], at_risk.shape).copy()
    else:
        total = np.asarray(rates.net_total[t] + rates.net_rate[t] * settled.sum(axis=(-2, -1)) / 1000)
        total = np.broadcast_to(total, at_risk.shape[:-2])
        into = rates.schedule / rates.schedule.sum()
        found = np.where(total[..., None, None] > 0, total[..., None, None] * into, 0.0)
        if (total < 0).any():
            leaving = out_migrants(np.maximum(-total, 0.0), rates.schedule, at_risk)
            found = found - leaving
            unmet = np.maximum(-total, 0.0) - leaving.sum(axis=(-2, -1))
    if rates.internal is not None:
        found = found + rates.internal.flows(t, at_risk)
    return found, unmet


def out_migrants(total: np.ndarray, schedule: np.ndarray, at_risk: np.ndarray) -> np.ndarray:
    """Out-migrants (..., 2, 101) with age rates 1 − exp(−h·s(x)) on `at_risk`, h (...) solved by
    Newton's method so that they sum to `total` (...); a total of everyone or more is met as
    nearly as the people allow. Newton converges from below: the sum is concave in h."""
    weight = schedule * at_risk
    people = at_risk.sum(axis=(-2, -1))
    wanted = np.minimum(total, 0.999 * people)
    h = wanted / np.maximum(weight.sum(axis=(-2, -1)), 1e-300)       # the linear rate: exact for small totals
    for _ in range(50):
        kept = np.exp(-h[..., None, None] * schedule)
        gap = wanted - (at_risk * (1 - kept)).sum(axis=(-2, -1))
        if np.all(np.abs(gap) <= 1e-12 * np.maximum(wanted, 1.0)):
            break
        h = h + gap / np.maximum((weight * kept).sum(axis=(-2, -1)), 1e-300)
    return at_risk * (1 - np.exp(-h[..., None, None] * schedule))


def interval_years(scenario: Scenario) -> np.ndarray:
    """Start year of each projection interval: base..end−1."""
    return np.arange(scenario.years.base, scenario.years.end)


def path_times(scenario: Scenario) -> np.ndarray:
    """Where time paths are read for each interval, in calendar-year labels.

    A path value for calendar year c describes the year centred on 1 July c. Interval y runs
    from day 1 of the reference month m of year y for twelve months, so it is centred
    (m − 1)/12 years after 1 July y: paths are read at y + (m − 1)/12 (y + 10/12 for the
    1 November census date; y itself for calendar-year intervals).
    """
    return interval_years(scenario) + (scenario.years.reference_month - 1) / 12


def build_mortality(scenario: Scenario, male_share: np.ndarray | float = 0.5) -> np.ndarray:
    """Death rates mx per interval, (n_years, 2, 101): a user table as given, or the bundled
    standard schedule calibrated to the e0 path by proportional hazards. The e0 path is the
    both-sexes e0 of the pooled life table (UN WPP's definition, `lifetable.pooled_e0`), which
    weights the sexes by the population's male share at each age: `male_share`, (n_years, 101)
    or a number (see `base_and_rates` for how the projection's own is used)."""
    mortality = scenario.population.mortality
    years, times = interval_years(scenario), path_times(scenario)
    if mortality.table is not None:
        frame = tables.read_table(mortality.table, "population.mortality.table", years)
        return tables.table_to_array(frame, "mx", years)
    standard = bundled.standard_mortality()
    e0 = mortality.e0.at(times)
    share = np.broadcast_to(np.asarray(male_share, dtype=float), (len(years), N_AGES))
    try:
        if mortality.female_male_gap is None:
            return calibrate_common(standard, e0, share)
        return calibrate_pooled_by_sex(standard, e0, mortality.female_male_gap.at(times), share)
    except ValueError as exc:
        raise ScenarioError(f"population.mortality.e0: {exc}") from None


def male_share_by_age(population: np.ndarray) -> np.ndarray:
    """Male share of the mean population of each interval by age, (n_years, ..., 101), from
    stocks (n_years + 1, ..., 2, 101); ½ at an age nobody has."""
    mean = (population[:-1] + population[1:]) / 2
    both = mean.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(both > 0, mean[..., 0, :] / both, 0.5)


def build_rates(scenario: Scenario, mx: np.ndarray) -> Rates:
    """All rates per interval. User tables are used as given; otherwise ASFR = TFR path × the
    bundled age pattern, and net migration = the net path (persons) and the rate path (per
    1,000), spread over ages in the projection by the Rogers–Castro schedule (see `migrants`)."""
    pop = scenario.population
    years, times = interval_years(scenario), path_times(scenario)

    if pop.fertility.table is not None:
        frame = tables.read_table(pop.fertility.table, "population.fertility.table", years)
        asfr = tables.table_to_array(frame, "asfr", years)
    else:
        asfr = pop.fertility.tfr.at(times)[:, None] * bundled.fertility_shape()

    zero = np.zeros(len(years))
    net_table = None
    if pop.migration.table is not None:
        frame = tables.read_table(pop.migration.table, "population.migration.table", years)
        net_table = tables.table_to_array(frame, "net_migrants", years)
    net_total = pop.migration.net.at(times) if pop.migration.net is not None else zero
    net_rate = pop.migration.rate.at(times) if pop.migration.rate is not None else zero
    return Rates(years=years, mx=mx, asfr=asfr, srb=pop.fertility.srb.at(times), net_total=net_total,
                 net_rate=net_rate, schedule=bundled.migration_schedule(), net_table=net_table)


# --------------------------------------------------------------------------- base population


@dataclass(frozen=True)
class BaseYearPopulation:
    """Base-year population by sex and single age, shape (2, 101), and its transient part."""

    population: np.ndarray
    transient: np.ndarray


def split_census_groups(groups: np.ndarray, Lx: np.ndarray) -> np.ndarray:
    """Census groups (2, 19: 0, 1–4, …, 80–84, 85+) → single ages (2, 101).

    The open group 85+ is first divided into 85–89, 90–94, 95–99 and 100+ in proportion to the
    life table's person-years Lx (2, 101), a stationary tail; then every group below 100 is split
    by one monotone spline of the cumulative count (`agesplit`), so ages 84 and 85 join
    smoothly (splitting 0–84 alone would leave a step at 85), and 100+ keeps its tail share.
    """
    open_age, last = census.CENSUS_GROUP_LOWER[-1], N_AGES - 1
    lower = np.append(census.CENSUS_GROUP_LOWER[:-1], np.arange(open_age, last, 5))   # … 80, 85, 90, 95
    single = np.empty((2, N_AGES))
    for sex in range(2):
        tail = groups[sex, -1] * Lx[sex, open_age:] / Lx[sex, open_age:].sum()
        counts = np.concatenate([groups[sex, :-1], tail[:-1].reshape(-1, 5).sum(axis=1)])
        single[sex, :last] = split_closed_groups(lower, last, counts)
        single[sex, last] = tail[-1]
    return single


def estimate_student_excess(groups: np.ndarray, reference: np.ndarray, window: list[str]) -> np.ndarray:
    """Persons in the `window` census groups beyond what the reference age pattern implies.

    The region's size relative to the reference is measured in the two groups flanking the
    window (e.g. 10–14 and 25–29 around 15–19, 20–24); the expected count in each window
    group is the reference count times that ratio. Returns the excess (≥ 0), shape (2, len(window)).
    """
    index = [census.CENSUS_GROUPS.index(g) for g in window]
    flank = [min(index) - 1, max(index) + 1]
    ratio = groups[:, flank].sum(axis=1) / reference[:, flank].sum(axis=1)
    return np.maximum(groups[:, index] - reference[:, index] * ratio[:, None], 0.0)


def calibrate_to_targets(population: np.ndarray, total: float | None, shares: dict[str, float]) -> np.ndarray:
    """Scale age bands of `population` (2, 101) to hit a total and broad-age shares exactly.

    Iterative proportional fitting over the bands (sexes together, so the sex ratio and the
    shape within each band are kept). Targets were checked for consistency at load; a set
    that still cannot be met (e.g. a band that is empty in the profile) is refused.
    """
    total = population.sum() if total is None else total
    constraints = [(np.ones(N_AGES, dtype=bool), total)]
    for label, share in shares.items():
        lower, upper = parse_age_band(label)
        mask = np.zeros(N_AGES, dtype=bool)
        mask[lower:upper] = True
        if share > 0 and population[:, mask].sum() == 0:
            raise ScenarioError(f"population.base.shares.{label}: the profile has nobody in this band")
        constraints.append((mask, share * total))
    result = population.astype(float).copy()
    for _ in range(2000):
        for mask, target in constraints:
            current = result[:, mask].sum()
            if current > 0:
                result[:, mask] *= target / current
        worst = max(abs(result[:, m].sum() - t) / max(t, 1.0) for m, t in constraints)
        if worst < 1e-13:
            return result
    raise ScenarioError("population.base.shares: the total and shares cannot all be met; check them")


def build_base_population(scenario: Scenario, Lx_base: np.ndarray, groups: np.ndarray | None = None,
                          student_excess: np.ndarray | None = None) -> BaseYearPopulation:
    """Base population from a user table (as is) or from the census profile, calibrated.
    `groups` (2, 19) replaces the census profile (a county); `student_excess` (2, window)
    replaces the estimate of the student stock (a county's part of the city's)."""
    base = scenario.population.base
    if base.table is not None and groups is None:
        frame = tables.read_table(base.table, "population.base.table")
        population = tables.table_to_array(frame, "population")
        if population.sum() <= 0:
            raise ScenarioError(f"population.base.table: {base.table.path}: the table holds nobody (every count is 0)")
        return BaseYearPopulation(population=population, transient=np.zeros_like(population))

    if groups is None:   # the region's census, or for totals and shares alone the reference region's shape
        region = census.profile_region(base.census_region, base.reference_region, scenario.region)
        groups = census.census_groups(region, "population.base.census_region" if base.census_region
                                      else "population.base.reference_region")
    students = scenario.population.students
    excess = np.zeros((2, 0))
    if students is not None:
        reference = census.census_groups(students.reference_region, "population.students.reference_region")
        window = list(students.ages)
        excess = estimate_student_excess(groups, reference, window) if student_excess is None else student_excess
        groups = groups.copy()
        groups[:, [census.CENSUS_GROUPS.index(g) for g in window]] -= excess
    settled = split_census_groups(groups, Lx_base)
    transient = np.zeros_like(settled)
    if students is not None:
        for j, (first, last) in enumerate(students.ages.values()):
            transient[:, first:last + 1] += excess[:, j, None] / (last - first + 1)
    population = settled + transient
    calibrated = calibrate_to_targets(population, base.total, base.shares)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(population > 0, calibrated / population, 1.0)
    return BaseYearPopulation(population=calibrated, transient=transient * factor)


# --------------------------------------------------------------------------- projection


@dataclass(frozen=True)
class ProjectionArrays:
    """Stocks (n_years + 1, ..., 2, 101), flows per interval and sex (n_years, ..., 2), and the
    flows by age: births by the mother's age (n_years, ..., 101), deaths and net migrants by sex
    and the age their cohort reaches at the interval's end (n_years, ..., 2, 101), so that
    ``P(y+1, x) = P(y, x−1) − deaths(y, x) + migrants(y, x)`` (age 0: births in place of
    P(y, −1); 100+ takes the cohorts of 99 and 100+)."""

    population: np.ndarray
    births: np.ndarray
    deaths: np.ndarray
    net_migration: np.ndarray
    clipped: np.ndarray  # persons of net out-migration refused for lack of population, (n_years, ...)
    births_by_age: np.ndarray
    deaths_by_age: np.ndarray
    migration_by_age: np.ndarray

    def member(self, index) -> "ProjectionArrays":
        """The arrays of one member (int) or a slice of a batch axis just after the year axis."""
        return ProjectionArrays(**{name: getattr(self, name)[:, index] for name in self.__dataclass_fields__})

    def summed(self, axis: int = 1) -> "ProjectionArrays":
        """The arrays summed over a batch axis (counties into their city)."""
        return ProjectionArrays(**{name: getattr(self, name).sum(axis=axis) for name in self.__dataclass_fields__})


def select_batch(arrays: ProjectionArrays, rates: Rates, index) -> tuple[ProjectionArrays, Rates]:
    """Arrays and rates of one member (int) or a slice of a batch axis just after the year axis
    (trials, counties)."""
    return (arrays.member(index),
            replace(rates, mx=rates.mx[:, index], asfr=rates.asfr[:, index], srb=rates.srb[:, index],
                    net_total=rates.net_total[:, index], net_rate=rates.net_rate[:, index], internal=None,
                    net_table=None if rates.net_table is None else rates.net_table[:, index]))


def survival_ratios(Lx: np.ndarray, Tx: np.ndarray) -> np.ndarray:
    """Probability of moving from age x to x+1 over one year, x = 0..99 (99 → 100+ uses T)."""
    ratios = np.empty(Lx.shape[:-1] + (N_AGES - 1,))
    ratios[..., :-1] = Lx[..., 1:-1] / Lx[..., :-2]
    ratios[..., -1] = Tx[..., -1] / Tx[..., -2]
    return ratios


def _close_open_age(stock: np.ndarray) -> np.ndarray:
    """Stock at ages 0..99 with 100+ folded into 99: the cohorts that survive into ages 1..100+."""
    cohorts = stock[..., :-1].copy()
    cohorts[..., -1] += stock[..., -1]
    return cohorts


def project(base: np.ndarray, transient: np.ndarray, rates: Rates) -> ProjectionArrays:
    """Run the cohort-component projection (see the module docstring for the order).

    Args:
        base: population at the start, (..., 2, 101), transient stock included.
        transient: the transient stock, (2, 101) or broadcastable; zeros for none.
        rates: rates per interval; any axes between the year and the trailing shapes broadcast
            (e.g. 1,000 trials run together).
    """
    lt = rates.life_table
    survival = survival_ratios(lt.Lx, lt.Tx)
    n_years = len(rates.years)
    batch = np.broadcast_shapes(base.shape[:-2], rates.mx.shape[1:-2], rates.asfr.shape[1:-1],
                                rates.srb.shape[1:], rates.net_total.shape[1:], rates.net_rate.shape[1:],
                                () if rates.net_table is None else rates.net_table.shape[1:-2])
    stocks = np.empty((n_years + 1, *batch, 2, N_AGES))
    births = np.empty((n_years, *batch, 2))
    clipped = np.zeros((n_years, *batch))
    births_by_age = np.empty((n_years, *batch, N_AGES))
    deaths = np.empty((n_years, *batch, 2, N_AGES))
    migration = np.empty((n_years, *batch, 2, N_AGES))
    stocks[0] = base
    transient = np.broadcast_to(transient, (*batch, 2, N_AGES))
    transient_cohorts = _close_open_age(transient)

    for t in range(n_years):
        start = stocks[t]
        settled = start - transient
        migrating, unmet = migrants(rates, t, np.broadcast_to(settled, (*batch, 2, N_AGES)))
        S = survival[t]
        end = np.empty_like(start)

        # 1–2. Survive, age and migrate those alive at the start (ages 1..100+ at the end).
        cohorts = _close_open_age(settled)
        half = migrating[..., 1:] / 2
        entering = np.maximum(cohorts + half, 0.0)
        survivors = entering * S
        aged = np.maximum(survivors + half, 0.0)
        moved = (entering - cohorts) + (aged - survivors)
        died = entering - survivors
        end[..., 1:] = aged

        # 3. Births to settled women, exposure = mean of start and end populations.
        women_start = settled[..., 1, :]
        women_end = end[..., 1, :].copy()  # settled survivors only: the transient stock joins in step 4
        women_end[..., 0] = 0.0
        births_by_age[t] = rates.asfr[t] * (women_start + women_end) / 2
        total_births = births_by_age[t].sum(axis=-1)
        srb = rates.srb[t]
        births_by_sex = np.stack([total_births * srb / (1 + srb), total_births / (1 + srb)], axis=-1)
        L0 = lt.Lx[t][..., 0]
        infants_in = np.maximum(births_by_sex + migrating[..., 0] / 2, 0.0)
        infants_survive = infants_in * L0
        infants = np.maximum(infants_survive + migrating[..., 0] / 2, 0.0)
        end[..., 0] = infants
        moved_infants = (infants_in - births_by_sex) + (infants - infants_survive)

        # 4. Transient stock: survivors age through it and are replaced by newcomers.
        transient_survivors = transient_cohorts * S
        end[..., 1:] += transient[..., 1:]
        end[..., 0] += transient[..., 0]
        renewal = transient[..., 1:] - transient_survivors          # newcomers replace the ageing stock

        stocks[t + 1] = end
        births[t] = births_by_sex
        deaths[t, ..., 0] = infants_in - infants_survive
        deaths[t, ..., 1:] = died + (transient_cohorts - transient_survivors)
        migration[t, ..., 0] = moved_infants + transient[..., 0]
        migration[t, ..., 1:] = moved + renewal
        settled_moves = migration[t].sum(axis=-1) - renewal.sum(axis=-1) - transient[..., 0]
        clipped[t] = (settled_moves - migrating.sum(axis=-1)).sum(axis=-1) + unmet

    return ProjectionArrays(population=stocks, births=births, deaths=deaths.sum(axis=-1),
                            net_migration=migration.sum(axis=-1), clipped=clipped, births_by_age=births_by_age,
                            deaths_by_age=deaths, migration_by_age=migration)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PopulationProjection:
    """Result of the population stage: arrays, the rates used and tidy tables (see DESIGN.md)."""

    scenario: Scenario
    years: np.ndarray  # stock years base..end
    rates: Rates
    arrays: ProjectionArrays
    transient: np.ndarray
    warnings: list[str] = field(default_factory=list)

    @property
    def population(self) -> pd.DataFrame:
        """Tidy stocks: year, sex, age, population."""
        pop = self.arrays.population
        index = pd.MultiIndex.from_product([self.years, SEXES, range(N_AGES)], names=["year", "sex", "age"])
        return pd.DataFrame({"population": pop.reshape(-1)}, index=index).reset_index()

    @property
    def indicators(self) -> pd.DataFrame:
        """Tidy indicators: year, indicator, value (names as in DESIGN.md)."""
        return indicator_table(self.years, self.arrays, self.rates)

    @property
    def vital_events(self) -> pd.DataFrame:
        """Tidy flows by age for checking cohorts: year (the interval's start), event, sex, age,
        value. Births: by the child's sex and the mother's age; deaths and net_migration: by sex
        and the age the cohort reaches at the interval's end (see ProjectionArrays)."""
        a, years = self.arrays, self.years[:-1]
        srb = np.asarray(self.rates.srb, dtype=float)[:, None]
        births = np.stack([a.births_by_age * srb / (1 + srb), a.births_by_age / (1 + srb)], axis=1)
        pieces = []
        for event, values in (("births", births), ("deaths", a.deaths_by_age), ("net_migration", a.migration_by_age)):
            index = pd.MultiIndex.from_product([years, [event], SEXES, range(N_AGES)],
                                               names=["year", "event", "sex", "age"])
            pieces.append(pd.DataFrame({"value": values.reshape(-1)}, index=index).reset_index())
        return pd.concat(pieces, ignore_index=True)


def median_age(population: np.ndarray) -> np.ndarray:
    """Median age of populations (..., 101) by single age, interpolated within the year of age."""
    cumulative = np.cumsum(population, axis=-1)
    half = cumulative[..., -1:] / 2
    age = (cumulative < half).sum(axis=-1)
    below = np.take_along_axis(cumulative, np.maximum(age - 1, 0)[..., None], axis=-1)[..., 0]
    below = np.where(age > 0, below, 0.0)
    at = np.take_along_axis(population, age[..., None], axis=-1)[..., 0]
    return age + (half[..., 0] - below) / np.where(at > 0, at, 1.0)


def stock_indicators(population: np.ndarray) -> dict[str, np.ndarray]:
    """Indicators of stocks (..., 2, 101): counts by sex and by the age bands the metric
    registry declares, their shares of the total (fractions), old-age dependency, median age."""
    both = population.sum(axis=-2)
    found = {"population_male": population[..., 0, :].sum(axis=-1),
             "population_female": population[..., 1, :].sum(axis=-1)}
    found.update({key: both[..., lower:upper].sum(axis=-1) for key, (lower, upper) in metrics.age_bands().items()})
    total = found["population_total"]
    found.update({key: found[count] / total for key, count in metrics.shares().items()})
    # 65+ per 100 aged 15–64: the UN's definition (World Population Prospects).
    working = both[..., 15:65].sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):   # nobody aged 15–64: no ratio (empty), never inf
        found["old_age_dependency_ratio"] = np.where(working > 0, 100 * both[..., 65:].sum(axis=-1) / working, np.nan)
    found["median_age"] = median_age(both)
    return found


def flow_indicators(arrays: ProjectionArrays, rates: Rates) -> dict[str, np.ndarray]:
    """Indicators of each interval: events, crude rates (per 1,000 mean population), TFR, e0."""
    births = arrays.births.sum(axis=-1)
    deaths = arrays.deaths.sum(axis=-1)
    mean_population = (arrays.population[:-1] + arrays.population[1:]).sum(axis=(-2, -1)) / 2
    lt = rates.life_table
    return {
        "births": births,
        "deaths": deaths,
        "net_migration": arrays.net_migration.sum(axis=-1),
        "crude_birth_rate": 1000 * births / mean_population,
        "crude_death_rate": 1000 * deaths / mean_population,
        "tfr": np.broadcast_to(rates.asfr.sum(axis=-1), births.shape),
        "e0_male": np.broadcast_to(lt.e0[..., 0], births.shape),
        "e0_female": np.broadcast_to(lt.e0[..., 1], births.shape),
        "e0_total": np.broadcast_to(pooled_e0(rates.mx, male_share_by_age(arrays.population)), births.shape),
        "e60_male": np.broadcast_to(lt.e60[..., 0], births.shape),
        "e60_female": np.broadcast_to(lt.e60[..., 1], births.shape),
    }


def indicator_rows(years: np.ndarray, arrays: ProjectionArrays, rates: Rates) -> tuple[pd.DataFrame, np.ndarray]:
    """The (year, indicator) keys of indicators.csv's population rows, in order, and their
    values (rows, ...): any axes after the year (e.g. trials) are kept."""
    pieces = [(years, name, values) for name, values in stock_indicators(arrays.population).items()] + \
             [(years[:-1], name, values) for name, values in flow_indicators(arrays, rates).items()]
    keys = pd.DataFrame({"year": np.concatenate([y for y, _, _ in pieces]),
                         "indicator": np.concatenate([[name] * len(y) for y, name, _ in pieces])})
    values = np.concatenate([v for _, _, v in pieces], axis=0)
    order = np.lexsort((np.arange(len(keys)), keys["indicator"].to_numpy(), keys["year"].to_numpy()))
    return keys.iloc[order].reset_index(drop=True), values[order]


def indicator_table(years: np.ndarray, arrays: ProjectionArrays, rates: Rates) -> pd.DataFrame:
    """Tidy (year, indicator, value) rows: stocks for every year, flows for base..end−1."""
    keys, values = indicator_rows(years, arrays, rates)
    return keys.assign(value=values)


def calendar_year_view(indicators: pd.DataFrame, base_month: int) -> pd.DataFrame:
    """Pro-rate 1-November stocks and Nov–Oct flows to calendar years, for comparison with
    statistical bulletins: year-end population of *c* = P(c) + 2/12·(P(c+1) − P(c));
    births (deaths) in calendar *c* = 10/12 of interval c−1 + 2/12 of interval c.
    """
    wide = indicators.pivot(index="year", columns="indicator", values="value")
    months_after = (12 - base_month + 1) / 12  # 2/12: from 1 Nov to 31 Dec
    total = wide["population_total"]
    rows = {"year_end_population": total + months_after * (total.shift(-1) - total)}
    for flow in ("births", "deaths", "net_migration"):
        rows[flow] = (1 - months_after) * wide[flow].shift(1) + months_after * wide[flow]
    return pd.DataFrame(rows)


POOLING_PASSES = 2   # calibrations on the projection's own male share: the pooled e0 then meets the path within 0.0001 years


def base_and_rates(scenario: Scenario, groups: np.ndarray | None = None,
                   student_excess: np.ndarray | None = None) -> tuple[BaseYearPopulation, Rates]:
    """Everything the projection needs. Mortality first (its base-year life table closes the
    85+ tail of the base population), then the base population, then the other rates.

    The e0 path is pooled over the sexes with the population's male share by age, which the
    projection itself produces: a first calibration with equal weights gives a projection
    whose male share of each interval weights the next calibration, `POOLING_PASSES` times
    (a fixed point: after two, the projection's pooled e0 meets the path within 0.0001
    years). `groups`, `student_excess`: see build_base_population."""
    mx = build_mortality(scenario)
    base = build_base_population(scenario, single_year_life_table(mx[0]).Lx, groups, student_excess)
    rates = build_rates(scenario, mx)
    if scenario.population.mortality.table is None:
        for _ in range(POOLING_PASSES):
            share = male_share_by_age(project(base.population, base.transient, rates).population)
            mx = build_mortality(scenario, share)
            base = build_base_population(scenario, single_year_life_table(mx[0]).Lx, groups, student_excess)
            rates = replace(rates, mx=mx)
    return base, rates


def project_population(scenario: Scenario) -> PopulationProjection:
    """The population stage: build the inputs, project, collect warnings."""
    base, rates = base_and_rates(scenario)
    arrays = project(base.population, base.transient, rates)
    notes = [
        f"the people could not supply the net out-migration asked for in {year}: "
        f"{amount:,.0f} fewer out-migrants were applied"
        for year, amount in zip(rates.years, arrays.clipped)
        if amount > 0.5
    ]
    working = arrays.population[..., 15:65].sum(axis=(-2, -1))
    if (working <= 0).any():
        years_empty = [int(y) for y, w in zip(range(scenario.years.base, scenario.years.end + 1), working) if w <= 0]
        notes.append(f"old_age_dependency_ratio: nobody aged 15–64 in {years_empty[0]}"
                     f"{'–' + str(years_empty[-1]) if len(years_empty) > 1 else ''}; left empty")
    base_given = scenario.population.base
    if base_given.census_region is None and base_given.table is None:
        region = census.profile_region(None, base_given.reference_region, scenario.region)
        notes.insert(0, f"population.base: the age–sex shape within the given total and shares is {region}'s "
                        "2020 census (reference_region)")
    years = np.arange(scenario.years.base, scenario.years.end + 1)
    return PopulationProjection(scenario=scenario, years=years, rates=rates, arrays=arrays,
                                transient=base.transient, warnings=notes)
