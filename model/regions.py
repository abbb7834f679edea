"""County projections: the city as the sum of its counties, projected together.

Each county starts from its own 2020 census base (or a user table) and gets the city's
assumptions adjusted by stated county differences:

* **fertility**: the city TFR path × a factor, by default the county's child–woman ratio
  (census age 0 ÷ women aged 25–39, an age band the students leave out) over the city's;
* **mortality**: the city e0 path + an offset in years (default 0: no county life tables);
* **migration**: the city's net migration shared by population, plus a flow of young adults
  (15–34, `internal_migration_rate` a year, from the base-year population) from the other
  counties to the receiving ones (Yuci, Taigu), which sums to zero over the city;
* **students**: the transient student stock only in the `student_counties`;
* **disability** (with `urban_rural`): the city's care calibration, with mild and severe
  rates × (u + (1 − u) · rural ratio) for a county whose older people are a share u urban,
  scaled so the city's base-year mild and severe counts stay those of the calibration.

All counties are projected in one call of the cohort-component engine with a leading region
axis (no loop over counties). City figures are the sums: stocks, births, deaths and migrants
add up exactly; the city's death and fertility rates shown are the population-weighted means.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import census, tables
from .care_demand import (care_indicators, pool_states, project_care_demand, project_states,
                          scale_disability)
from .census import parse_age_band
from .errors import ScenarioError
from .lifetable import SEXES
from .rows import Rows
from .states import OLD_AGE
from .scenario import Scenario, Source
from .scenario.quantities import E0Path, TfrPath
from .scenario.schema import BasePopulation
from .demography import (InternalMigration, PopulationProjection, base_and_rates, estimate_student_excess,
                         project, select_batch)



@dataclass
class CountyProjection:
    """Counties projected together, and the city as their sum."""

    names: list[str]
    scenarios: list[Scenario]              # each county's own scenario (base, rates, beds)
    counties: list[PopulationProjection]   # views of the joint projection, one per county
    city: PopulationProjection             # the sum


def county_groups(scenario: Scenario) -> dict[str, np.ndarray]:
    """Base population by sex and census age group (2, 19) of each county."""
    regions = scenario.regions
    if regions.table is None:
        return {name: census.census_groups(name, "regions.counties") for name in regions.counties}
    frame = tables.read_table(regions.table, "regions.table")
    key = f"regions.table: {regions.table.path}"
    for column, allowed in (("sex", SEXES), ("age_group", census.CENSUS_GROUPS)):
        bad = frame.loc[~frame[column].isin(allowed), column]
        if len(bad):
            raise ScenarioError(f"{key}: column {column!r}, row {bad.index[0] + 2}: {tables.shown_cell(bad.iloc[0])} is not "
                                f"one of {', '.join(allowed)}")
    groups = {}
    for name in regions.counties:
        rows = frame[frame.region == name]
        if rows.empty:
            raise ScenarioError(f"{key}: no rows for county {name!r} (regions.counties names it)")
        table = rows.pivot_table(index="sex", columns="age_group", values="population", aggfunc="sum")
        missing = [f"{sex} {group}" for sex in SEXES for group in census.CENSUS_GROUPS
                   if sex not in table.index or group not in table.columns or pd.isna(table.at[sex, group])]
        if missing:
            raise ScenarioError(f"{key}: {name}: missing age groups {', '.join(missing[:4])}"
                                f"{' …' if len(missing) > 4 else ''} (need {', '.join(census.CENSUS_GROUPS)} by sex)")
        groups[name] = table.reindex(index=list(SEXES), columns=list(census.CENSUS_GROUPS)).to_numpy(dtype=float)
    unknown = sorted(set(frame.region) - set(regions.counties))
    if unknown:
        raise ScenarioError(f"{key}: unknown county {tables.shown_cell(unknown[0])}; list it in regions.counties or "
                            "remove its rows")
    return groups


def student_shares(scenario: Scenario, groups: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each student county's part of the city's student stock (2, window): the stock is
    estimated once on the city's table (the young people missing elsewhere offset part of the
    university districts' surplus) and shared by the counties' own surpluses."""
    students = scenario.population.students
    if students is None or not scenario.regions.student_counties:
        return {}
    reference = census.census_groups(students.reference_region, "population.students.reference_region")
    window = list(students.ages)
    city = estimate_student_excess(sum(groups.values()), reference, window)
    own = {name: estimate_student_excess(groups[name], reference, window).sum()
           for name in scenario.regions.student_counties}
    total = sum(own.values())
    return {name: city * (own[name] / total if total > 0 else 1 / len(own)) for name in own}


def child_woman_ratio(groups: np.ndarray, ages: str) -> float:
    """Census age 0 ÷ women in the census groups of the band `ages` (`regions.child_woman_ages`,
    25–39 by default: the students are mostly younger)."""
    lower, upper = parse_age_band(ages)
    in_band = (census.CENSUS_GROUP_LOWER >= lower) & (census.CENSUS_GROUP_LOWER < upper)
    return float(groups[:, 0].sum() / groups[1, in_band].sum())


def _scaled_path(path, factor: float = 1.0, offset: float = 0.0, cls=TfrPath):
    values = ({year: value * factor + offset for year, value in path.values.items()}
              if isinstance(path.values, dict) else path.values * factor + offset)
    return cls(values=values, interpolation=path.interpolation, unit=path.unit, source=path.source)


def county_scenarios(scenario: Scenario, groups: dict[str, np.ndarray]) -> list[Scenario]:
    """The city scenario adjusted for each county (base, students, fertility, e0, migration share)."""
    regions, pop = scenario.regions, scenario.population
    city_ratio = child_woman_ratio(sum(groups.values()), regions.child_woman_ages)
    total = sum(g.sum() for g in groups.values())
    made = []
    for name in regions.counties:
        factor = regions.fertility_factor.get(name, child_woman_ratio(groups[name], regions.child_woman_ages) / city_ratio)
        changes = {
            "base": BasePopulation(census_region=pop.base.census_region or name, source=pop.base.source),
            "students": pop.students if name in regions.student_counties else None,
        }
        if pop.fertility.tfr is not None:
            changes["fertility"] = pop.fertility.model_copy(update={"tfr": _scaled_path(pop.fertility.tfr, factor)})
        if pop.mortality.e0 is not None and regions.e0_offset.get(name, 0.0):
            e0 = _scaled_path(pop.mortality.e0, offset=regions.e0_offset[name], cls=E0Path)
            changes["mortality"] = pop.mortality.model_copy(update={"e0": e0})
        if pop.migration.net is not None:
            share = groups[name].sum() / total
            net = _scaled_path(pop.migration.net, share, cls=type(pop.migration.net))
            changes["migration"] = pop.migration.model_copy(update={"net": net})
        county = scenario.model_copy(update={"population": pop.model_copy(update=changes), "region": name,
                                             "regions": None})
        if scenario.care is not None:
            beds = regions.beds.get(name)
            if beds is None:  # assumption: the city's beds shared by the county's 60+ population
                beds = _scaled_path(scenario.care.beds, elderly_shares(groups)[name], cls=type(scenario.care.beds))
                beds = beds.model_copy(update={"source": Source.model_validate(BEDS_RULE)})
            county = county.model_copy(update={"care": scenario.care.model_copy(update={"beds": beds})})
        made.append(county)
    return made


BEDS_RULE = {"kind": "assumption", "note": "no county bed figures found: the city's beds shared by each county's "
                                           "base-year 60+ population",
             "note_zh": "未找到分县床位数：全市床位按各县基年60岁及以上人口比例分配"}


def elderly_shares(groups: dict[str, np.ndarray]) -> dict[str, float]:
    """Each county's share of the city's people aged 60+ in the base table."""
    first = census.CENSUS_GROUPS.index("60-64")
    total = sum(g[:, first:].sum() for g in groups.values())
    return {name: float(g[:, first:].sum() / total) for name, g in groups.items()}


URBAN_RULE = ("the census urban share of the county (all ages, students left out) s → s / (s + (1 − s) · "
              "regions.urban_rural.rural_elderly_ratio)")
URBAN_RULE_ZH = ("本县普查城镇化率（全年龄，不含在校学生）s → s / (s + (1 − s) · "
                 "regions.urban_rural.rural_elderly_ratio)")


def urban_shares_60plus(scenario: Scenario, groups: dict[str, np.ndarray]) -> dict[str, float]:
    """Share of each county's people aged 60+ living in towns (城镇): given, or from the census.

    The census gives the urban share s of all ages only. The transient students (all in towns)
    are left out of it; then, with the 60+ making up k times the share of the rural population
    they make up of the urban (k = `rural_elderly_ratio`, 23.81% ÷ 15.82% nationally in 2020),
    the urban share of the 60+ is s / (s + (1 − s) k): 0 and 1 stay 0 and 1."""
    urban_rural = scenario.regions.urban_rural
    k = float(urban_rural.rural_elderly_ratio.at(scenario.years.base))
    students = {name: float(stock.sum()) for name, stock in student_shares(scenario, groups).items()}
    shares = {}
    for name in scenario.regions.counties:
        if name in urban_rural.urban_share_60plus:
            shares[name] = urban_rural.urban_share_60plus[name]
            continue
        urban, total = census.census_urban_population(
            name, "regions.counties", "; give its share in regions.urban_rural.urban_share_60plus (0 to 1)")
        settled = (urban - students.get(name, 0.0)) / (total - students.get(name, 0.0))
        shares[name] = settled / (settled + (1 - settled) * k)
    return shares


def disability_factors(scenario: Scenario, counties: CountyProjection, calibration: tuple) -> dict[str, np.ndarray]:
    """Each county's (mild, severe) rates relative to the city's calibration, from its
    urban/rural mix.

    An older villager has `rural_ratio` × the urban prevalence and incidence at the same sex and
    age, so a county whose 60+ are a share u urban gets u + (1 − u) · ratio, scaled by one
    number per state so that the counties' base-year mild and severe counts add up to those of
    the city's calibration: the mix moves disability between counties, not into the city.
    Where mild + severe would pass 1 (ages 95+) the shares are capped, so there the ratio
    holds for incidence only."""
    urban_rural = scenario.regions.urban_rural
    ratio = np.array([float(urban_rural.rural_ratio[state].at(scenario.years.base)) for state in ("mild", "severe")])
    urban = urban_shares_60plus(scenario, county_groups(scenario))
    raw = {name: urban[name] + (1 - urban[name]) * ratio for name in counties.names}
    prevalence = calibration[1]   # the base-year prevalence by sex, grade and age
    stocks = {name: county.arrays.population[0, :, None, OLD_AGE:] for name, county in zip(counties.names, counties.counties)}

    def disabled(name, factor):  # base-year (mild, severe) counts of a county
        return (scale_disability(calibration[0], prevalence, factor)[1][:, 1:, :] * stocks[name]).sum(axis=(0, 2))

    target = sum(disabled(name, np.ones(2)) for name in counties.names)
    scale = np.ones(2)
    for _ in range(200):  # a fixed point; linear but for the capped ages
        achieved = sum(disabled(name, raw[name] * scale) for name in counties.names)
        if np.allclose(achieved, target, rtol=1e-12):
            return {name: raw[name] * scale for name in counties.names}
        scale = scale * target / achieved
    raise ScenarioError("regions.urban_rural.rural_ratio: the counties cannot keep the city's base-year mild and "
                        "severe counts (mild + severe reach 1 at too many ages); use a smaller ratio")


def derived_assumptions(scenario: Scenario) -> list[tuple[str, str, str, dict]]:
    """Rows for the assumptions table, (parameter, value, unit, source): the values the county
    split derives."""
    regions = scenario.regions
    groups = county_groups(scenario)
    city = child_woman_ratio(sum(groups.values()), regions.child_woman_ages)
    given = {"kind": "setting", "title": "given in the scenario"}
    ratio = {**census.CENSUS_SOURCE, "kind": "derived",
             "note": f"the county's child–woman ratio (age 0 ÷ women {regions.child_woman_ages}) over the city's",
             "note_zh": f"本县儿童妇女比（0岁人口 ÷ {regions.child_woman_ages}岁妇女）与全市之比"}
    rows = []
    for name in regions.counties:
        factor = regions.fertility_factor.get(name)
        value = factor if factor is not None else child_woman_ratio(groups[name], regions.child_woman_ages) / city
        rows.append((f"regions.fertility_factor.{name}", f"{value:.4g}", "ratio", given if factor is not None else ratio))
        if scenario.care is not None and name not in regions.beds:
            rows.append((f"regions.beds.{name}", f"{elderly_shares(groups)[name]:.4f} × care.beds", "", BEDS_RULE))
    if regions.urban_rural is not None and "care" in scenario.stages:
        rule = {**census.CENSUS_SOURCE, "kind": "derived", "note": URBAN_RULE, "note_zh": URBAN_RULE_ZH}
        rows += [(f"regions.urban_rural.urban_share_60plus.{name}", f"{share:.4f}", "fraction",
                  given if name in regions.urban_rural.urban_share_60plus else rule)
                 for name, share in urban_shares_60plus(scenario, groups).items()]
    return rows


def internal_migration(scenario: Scenario, years: np.ndarray) -> InternalMigration:
    """The young adults' moves from the other counties to the receiving ones (zero-sum)."""
    regions = scenario.regions
    lower, upper = parse_age_band(regions.internal_migration_ages)
    return InternalMigration(rate=regions.internal_migration_rate.at(years + (scenario.years.reference_month - 1) / 12),
                             receiving=np.array([name in regions.receiving_counties for name in regions.counties]),
                             lower=lower, upper=upper)


def check_supported(scenario: Scenario) -> None:
    """Refuse city inputs the county split cannot honour (one line each)."""
    pop = scenario.population
    for name, table in (("population.fertility.table", pop.fertility.table), ("population.mortality.table",
                        pop.mortality.table), ("population.migration.table", pop.migration.table)):
        if table is not None:
            raise ScenarioError(f"regions: {name} cannot be split by county; give paths (tfr, e0, net) instead")
    if scenario.regions.table is None and scenario.years.base != census.CENSUS_YEAR:
        raise ScenarioError(f"regions: the bundled county tables are the 2020 census; years.base is "
                            f"{scenario.years.base}: give regions.table for that year")
    if pop.base.table is not None:
        raise ScenarioError("regions: population.base.table is not used with counties; give regions.table")


def county_bases_and_rates(scenario: Scenario):
    """(county scenarios, [(base, rates)] per county) for the projection."""
    check_supported(scenario)
    groups = county_groups(scenario)
    city = sum(groups.values())
    base = scenario.population.base
    if base.total is not None and abs(base.total - city.sum()) > 0.5:
        raise ScenarioError(f"regions: population.base.total {base.total:,.0f} differs from the counties' sum "
                            f"{city.sum():,.0f}; counties are not scaled to city targets")
    lower = np.asarray(census.CENSUS_GROUP_LOWER)
    for label, share in base.shares.items():
        first, end = parse_age_band(label)
        counties_share = city[:, (lower >= first) & (lower < end)].sum() / city.sum()
        if abs(counties_share - share) > 1e-6:
            raise ScenarioError(f"regions: population.base.shares {label} {share:g} differs from the counties' "
                                f"{counties_share:.6f}; counties are not scaled to city targets")
    scenarios = county_scenarios(scenario, groups)
    if scenario.regions.urban_rural is not None and "care" in scenario.stages:
        urban_shares_60plus(scenario, groups)  # refuse a county without a census row or a given share now
    students = student_shares(scenario, groups)
    return scenarios, [base_and_rates(county, groups[name], students.get(name))
                       for county, name in zip(scenarios, scenario.regions.counties)]


def project_counties(scenario: Scenario) -> CountyProjection:
    """All counties in one projection, and the city as their sum."""
    scenarios, built = county_bases_and_rates(scenario)
    bases = np.stack([base.population for base, _ in built])
    transient = np.stack([base.transient for base, _ in built])
    rates0 = built[0][1]

    def stacked(name):
        return np.stack([getattr(rates, name) for _, rates in built], axis=1)

    rates = replace(rates0, mx=stacked("mx"), asfr=stacked("asfr"), srb=stacked("srb"), net_total=stacked("net_total"),
                    net_rate=stacked("net_rate"), internal=internal_migration(scenario, rates0.years))
    arrays = project(bases, transient, rates)
    years = np.arange(scenario.years.base, scenario.years.end + 1)

    counties = []
    for i, county in enumerate(scenarios):
        arrays_i, rates_i = select_batch(arrays, rates, i)
        counties.append(PopulationProjection(scenario=county, years=years, rates=rates_i, arrays=arrays_i,
                                             transient=transient[i]))
    # The city: sums of stocks and flows; rates weighted by the people exposed to them.
    exposure = arrays.population[:-1]                                              # (T, R, 2, 101)
    settled = arrays.population - transient                                        # births: settled women
    women = (settled[:-1, :, 1, :] + settled[1:, :, 1, :]) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        mx = np.where(exposure.sum(axis=1) > 0, (rates.mx * exposure).sum(axis=1) / exposure.sum(axis=1),
                      rates.mx.mean(axis=1))
        asfr = np.where(women.sum(axis=1) > 0, (rates.asfr * women).sum(axis=1) / women.sum(axis=1),
                        rates.asfr.mean(axis=1))
    city_arrays = arrays.summed(axis=1)
    city_rates = replace(rates0, mx=mx, asfr=asfr, srb=rates.srb[:, 0], net_total=rates.net_total.sum(axis=1),
                         net_rate=np.zeros_like(rates0.net_rate))  # the counties' rates, summed as persons in the flows
    warnings = [f"{name}: the people could not supply the net out-migration asked for ({amount:,.0f} persons not applied)"
                for name, amount in zip(scenario.regions.counties, arrays.clipped.sum(axis=0)) if amount > 0.5]
    city = PopulationProjection(scenario=scenario, years=years, rates=city_rates, arrays=city_arrays,
                                transient=transient.sum(axis=0), warnings=warnings)
    return CountyProjection(names=list(scenario.regions.counties), scenarios=scenarios, counties=counties, city=city)


def city_care(county_care: list[pd.DataFrame], template: pd.DataFrame) -> pd.DataFrame:
    """The city's care table as the sum of the counties' (shares and per-1,000 figures recomputed
    from the sums, targets taken as given); row order of `template`."""
    wide = sum(table.pivot(index="year", columns="metric", values="value") for table in county_care)
    first = county_care[0].pivot(index="year", columns="metric", values="value")
    wide["severe_share_60plus"] = wide["severe"] / wide["elderly_60plus"]
    wide["beds_per_1000"] = 1000 * wide["beds_supplied"] / wide["elderly_60plus"]
    wide["nursing_share"] = wide["nursing_beds_supplied"] / wide["beds_supplied"]
    for target in ("beds_norm_per_1000", "nursing_share_target"):
        wide[target] = first[target]
    values = [wide.at[year, metric] for year, metric in zip(template.year, template.metric)]
    return template.assign(value=values)


def county_tables(scenario: Scenario, counties: CountyProjection, tables: dict, states):
    """Per-county population, indicators and care (a `region` column), and the city's care
    replaced by the sum of the counties' so that county figures add up to the city's. Returns
    (county tables, the city's health states pooled from the counties' for the care-mix model)."""
    frames: dict[str, list] = {"population": [], "indicators": [], "care": []}
    county_states = []
    factors = (disability_factors(scenario, counties, states.calibration)
               if "care" in tables and scenario.regions.urban_rural is not None else {})
    for name, county in zip(counties.names, counties.counties):
        frames["population"].append(county.population.assign(region=name))
        indicators = county.indicators
        if "care" in tables:
            # The city's calibration for every county (no county targets exist): counties differ
            # by age structure, survival and their urban/rural mix (`disability_factors`).
            county_states.append(project_states(county.scenario, county, states.calibration, factors.get(name)))
            care, fit = project_care_demand(county.scenario, county, county_states[-1])
            frames["care"].append(care.assign(region=name))
            if name in factors:
                fit = {**fit, "care_disability_factor_mild": factors[name][0],
                       "care_disability_factor_severe": factors[name][1]}
            indicators = pd.concat([indicators, care_indicators(Rows.of(care), fit).frame()], ignore_index=True)
        frames["indicators"].append(indicators.assign(region=name))
    if county_states:
        tables["care"] = city_care(frames["care"], tables["care"])
        kept = tables["indicators"][~tables["indicators"].indicator.str.startswith("care_")]
        tables["indicators"] = pd.concat([kept, care_indicators(Rows.of(tables["care"]), states.fit).frame()],
                                         ignore_index=True)
        states = pool_states(county_states)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items() if parts}, states
