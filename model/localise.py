"""Region-scaled defaults: every local absolute of a scenario belongs to the region it is about.

A scenario's inputs are either *rates and shares* (a contribution rate, a care mix, beds per
1,000 aged 60+), which may serve any region, or *local absolutes* (beds in the base year,
pension participants, wages, institutions), which belong to one region. The source of a local
figure names its region (``source: {region: 晋中市, …}``). When a scenario is about another
region (its census region, or its `region`), each such figure is derived for that region by a
stated rule from the region's own 2020 census and stated rates — or, where no rule exists, the
scenario is refused in one line naming the field. So a run for 大同市 never carries Jinzhong's
25,600 beds or 2.487 million pension participants. Every derived value has a source of kind
``derived`` naming its rule; `derived_fields` lists them (manifest, report, one stderr line).

The rules (each reads the region's census through `census.py` and a stated rate or bundled
reference value):

==========================================  ===============================================
field                                       rule
==========================================  ===============================================
population.mortality.e0                     UN WPP 2024's path for China (no local life tables)
population.fertility.tfr                    WPP's China path × the region's own-children ratio
population.fertility.srb                    the census sex ratio at ages 0–4 (a larger region's
                                            when under 10,000 children)
population.year_end                         the region's bundled year-end populations, if any
population.migration                        net rates fitted to the region's year-ends (or its
                                            city's or province's), their mean held; else zero
uncertainty.migration_sd                    the sd of those fitted rates, else
                                            typical_migration_sd
pension.special_early_share                 the region's census share of employment in mining
pension.calibration.participants            participation_rate × the settled population aged 16+
pension.calibration.employee_share          reference share × region's urban share ÷ the reference's
pension.calibration.employee_retiree_share  reference share, its odds × the region's 55+/20–54 ratio ÷ the reference's
pension.employee.base_to_wage               the calibrated ratio of the region's province (Shanxi's elsewhere)
pension.wages.average_wage, growth          the region's, its city's, province's or the national
pension.wages.provincial_ratio              province's average wage ÷ the region's
pension.employee.average_pension            the province's, else the national average
pension.resident.local_pension              average resident pension − the central minimum
care.beds                                   the province's (else national) beds per 1,000 aged
                                            60+ × the region's 60+
abm.people.urban_share                      census urban share, the 60+ by the rural/urban odds
abm.supply.institutions                     beds ÷ beds_per_institution
abm.supply.community_centres                60+ ÷ elderly_per_centre
abm.supply.daycare_places                   centres × places_per_centre
abm.supply.home_care_workers                home_care_workers_per_1000 × the 60+ ÷ 1,000
==========================================  ===============================================
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from . import bundled, census, tables
from .errors import ScenarioError
from .scenario import Scenario, TimePath

# The census bulletin: the share aged 60+ of the rural and of the urban population (第七次全国人口普查公报).
RURAL_60PLUS, URBAN_60PLUS = 0.2381, 0.1582


@dataclass(frozen=True)
class Place:
    """What a scenario is about: its region, where that region lies, the census region whose
    facts describe it, and its base-year people by sex and census age group (2, 19)."""

    name: str | None
    chain: tuple[str, ...]      # the region, its city, its province, 全国 (the regions whose figures may stand for it)
    facts_region: str           # census region for urban shares, industries, households
    groups: np.ndarray
    memo: dict = field(default_factory=dict, compare=False, repr=False)   # results shared by rules

    def covers(self, region: str | None, count: bool = False) -> bool:
        """Whether a figure published for `region` may stand for this place: a rate, share or
        price of the place or of a region containing it (a county may take its city's wage); a
        count (`count`: people, beds, institutions) only of the place itself."""
        return region is None or (region == self.name if count else region in self.chain)


def place_of(scenario: Scenario) -> Place:
    """The scenario's place: its census region (or, for a base without one, `region` and the
    reference census region whose shape and facts stand in), and its base people by group."""
    base = scenario.population.base
    name = base.census_region or scenario.region
    found = census.census_place(name) if name else None
    # The place (by name or code), its city, its province, China (a county's own name is left
    # out: given by its code, the name may be shared by several counties, e.g. 城区).
    chain = tuple(dict.fromkeys([name, *(found or ())[1::-1], "全国"])) if name else ("全国",)
    chain = tuple(region for region in chain if region)
    shape = census.profile_region(base.census_region, base.reference_region, name)
    # Urban shares, industries, households: the region's own census where it has one.
    facts = base.census_region or base.reference_region or (name if found else shape)
    if base.census_region:
        groups = census.census_groups(base.census_region)
    elif base.table is None:
        groups = scaled_groups(census.census_groups(shape, "population.base.reference_region"), base.total, base.shares)
    else:   # a user table, gathered into the census groups
        population = tables.table_to_array(tables.read_table(base.table, "population.base.table"), "population")
        index = np.searchsorted(census.CENSUS_GROUP_LOWER, np.arange(population.shape[-1]), side="right") - 1
        groups = np.stack([np.bincount(index, weights=population[sex], minlength=len(census.CENSUS_GROUPS))
                           for sex in range(2)])
    return Place(name=name, chain=chain, facts_region=facts, groups=groups)


def scaled_groups(groups: np.ndarray, total: float | None, shares: dict[str, float]) -> np.ndarray:
    """Census groups (2, 19) scaled to a total and broad-age shares, band by band (iterative
    proportional fitting on the groups a band covers; bands fall on group boundaries)."""
    result = groups.astype(float).copy()
    lower = census.CENSUS_GROUP_LOWER
    constraints = [(np.ones(len(lower), bool), total)] if total else []
    for label, share in shares.items():
        first, end = census.parse_age_band(label)
        constraints.append(((lower >= first) & (lower < end), share * (total or result.sum())))
    for _ in range(200):
        for mask, target in constraints:
            current = result[:, mask].sum()
            if current > 0:
                result[:, mask] *= target / current
    return result


# --------------------------------------------------------------------------- the rules


def _derived(note: str, note_zh: str, rule: str, place: Place, title: str | None = None) -> dict:
    """The source of a value derived for the place: how (`note`, and in Chinese `note_zh`), by
    which rule, from what (`title`)."""
    source = {"kind": "derived", "note": note, "note_zh": note_zh, "rule": rule, "region": place.name}
    if title:
        source["title"] = title
    return source


def _sixty_plus(place: Place) -> float:
    return float(place.groups[:, census.CENSUS_GROUPS.index("60-64"):].sum())


def _settled_16plus(scenario: Scenario, place: Place) -> float:
    """Base-year people aged 16+ without the transient student stock (the pension-eligible)."""
    from .demography import estimate_student_excess

    groups = place.groups
    at_15 = census.CENSUS_GROUPS.index("15-19")
    adults = groups[:, at_15 + 1:].sum() + 0.8 * groups[:, at_15].sum()   # 16–19: four of the five years
    students = scenario.population.students
    if students is not None and scenario.population.base.census_region:
        reference = census.census_groups(students.reference_region, "population.students.reference_region")
        adults -= estimate_student_excess(groups, reference, list(students.ages)).sum()
    return float(adults)


def _reference(place: Place, item: str, field: str) -> tuple[float, dict]:
    found = bundled.reference_value(list(place.chain), item)
    if found is None:
        raise ScenarioError(f"{field}: no {item.replace('_', ' ')} is bundled for {place.name or 'this region'} "
                            "or a region containing it; give the value with its source")
    return found


def _urban_share(place: Place) -> float:
    facts = census.census_facts(place.facts_region, "population.base.census_region")
    return float(facts["urban"] / facts["population"])


@lru_cache(maxsize=1)
def _wpp_china() -> dict[str, dict[int, float]]:
    """UN WPP 2024 China: both-sexes e0 and TFR by year (estimates, then the median)."""
    table = bundled.bundled_table("wpp2024_china.csv")
    table = table[table.stat.isin(["estimate", "median"])]
    return {name: dict(zip(rows.year.astype(int), rows.value)) for name, rows in table.groupby("indicator")}


def _wpp_path(indicator: str, scenario: Scenario, factor: float = 1.0) -> dict:
    values = _wpp_china()[indicator]
    years = [y for y in sorted(values) if scenario.years.base <= y <= scenario.years.end + 1 and (y <= 2030 or y % 5 == 0)]
    return {y: round(values[y] * factor, 4) for y in years}


def _own_children_ratio(groups: np.ndarray) -> float:
    """Age 0 ÷ women by age weighted by the bundled ASFR shape: an own-children estimate of
    the TFR up to a factor that cancels between regions."""
    from .demography import split_census_groups

    women = split_census_groups(groups, np.ones((2, 101)))[1]
    return float(groups[:, 0].sum() / (bundled.fertility_shape() * women).sum())


RULES: dict[str, Callable[[Scenario, Place], dict | None]] = {}
PHASES: dict[str, int] = {}   # rules of a later phase read the values earlier phases derived


def rule(field: str, phase: int):
    def register(function):
        RULES[field], PHASES[field] = function, phase
        return function
    return register


@rule("population.mortality.e0", phase=1)
def _e0(scenario, place):
    return {"values": _wpp_path("e0", scenario), "source": _derived(
        "UN WPP 2024's both-sexes e0 for China (estimates, then the median): no local life tables are bundled",
        "联合国《世界人口展望2024》中国男女合计出生时预期寿命（估计值，其后取中方案）：未附带本地生命表",
        "national_e0", place, "UN World Population Prospects 2024, China")}


@rule("population.fertility.tfr", phase=1)
def _tfr(scenario, place):
    factor = _own_children_ratio(place.groups) / _own_children_ratio(census.census_groups("全国"))
    return {"values": _wpp_path("tfr", scenario, factor), "source": _derived(
        f"UN WPP 2024's TFR for China × {factor:.3f}, the region's own-children ratio over China's from the 2020 "
        "census (age 0 ÷ women weighted by the bundled ASFR shape)",
        f"联合国《世界人口展望2024》中国总和生育率 × {factor:.3f}（2020年人口普查中本地区与全国的儿童妇女比之比：0岁人口 ÷ "
        "按内置分年龄生育率形状加权的妇女人数）", "tfr_from_census", place,
        "UN World Population Prospects 2024; 中国人口普查分县资料—2020")}


# Children aged 0–4 needed for a region's own sex ratio at birth: with fewer, its sampling sd
# (about srb·√(1/boys + 1/girls)) passes 0.02 and the nearest larger region's ratio is used.
SRB_MIN_CHILDREN = 10_000


@rule("population.fertility.srb", phase=1)
def _srb(scenario, place):
    young = [census.CENSUS_GROUPS.index("0"), census.CENSUS_GROUPS.index("1-4")]
    boys, girls = place.groups[:, young].sum(axis=1)
    whose, whose_zh = "the region's", "本地区"
    if boys + girls < SRB_MIN_CHILDREN:
        for region in place.chain[1:]:
            boys, girls = census.census_groups(region)[:, young].sum(axis=1)
            whose = f"{region}'s (the region has under {SRB_MIN_CHILDREN:,} children aged 0–4)"
            whose_zh = f"{region}（本地区0—4岁儿童不足{SRB_MIN_CHILDREN:,}人）"
            if boys + girls >= SRB_MIN_CHILDREN:
                break
    return {"values": round(float(boys / girls), 4), "source": _derived(
        f"{whose} census sex ratio at ages 0–4 ({boys:,.0f} boys / {girls:,.0f} girls)",
        f"{whose_zh}普查0—4岁性别比（男孩{boys:,.0f}人 / 女孩{girls:,.0f}人）", "census_srb", place,
        census.CENSUS_SOURCE["title"])}


@rule("population.year_end", phase=1)
def _year_end(scenario, place):
    found = bundled.year_end_series(place.name) if place.name else None
    if found is None or not _is_census_population(scenario, place):
        return None   # a base of another size (scaled targets) is not the region the bulletins count
    values, source = found
    return {"values": values, "source": {**source, "rule": "bundled_year_end"}}


def _is_census_population(scenario: Scenario, place: Place) -> bool:
    """Whether the base population is the place's own (census) population, not one scaled to
    another total: within 2% of the census total."""
    total = scenario.population.base.total
    census_total = float(place.groups.sum()) if place.groups is not None and scenario.population.base.census_region else None
    return total is None or (census_total is not None and abs(total / census_total - 1) < 0.02)


def _migration_fit(scenario: Scenario, place: Place):
    """The net-migration fit that stands for the place: to its own published year-ends, else
    to those of the nearest region containing it (a county takes its city's rates), else
    None. Computed once per scenario (`place.memo`)."""
    from .year_end import fit_migration_rates

    if "fit" not in place.memo:
        place.memo["fit"] = None
        for region in place.chain:
            if region == place.name and scenario.population.year_end is not None:
                target = scenario
            elif region != place.name and region != "全国" and bundled.year_end_series(region) is not None:
                target = localise(scenario.overlaid({"population": {"base": {"census_region": region}}}),
                                  phases=(1,))
            else:
                continue
            try:
                place.memo["fit"] = (region, fit_migration_rates(target))
            except ValueError:
                continue   # fewer than two year-ends after the base year
            break
    return place.memo["fit"]


@rule("population.migration", phase=2)
def _migration(scenario, place):
    found = _migration_fit(scenario, place)
    if found is None:
        return {"net": {"values": 0.0, "interpolation": "step", "source": _derived(
            "no published year-end series for this region or a region containing it: zero net migration (give "
            "population.year_end, or the region's own path)",
            "本地区及其上级地区均无公布的年末人口序列：净迁移取零（可给出 population.year_end 或本地区的迁移路径）",
            "no_migration_series", place)}}
    region, fit = found
    years = f"{min(fit.rates)}–{max(fit.rates)}"
    whose = "its own" if region == place.name else f"{region}'s"
    whose_zh = "本地区" if region == place.name else region
    return {"rate": {"values": fit.path(), "interpolation": "step", "source": _derived(
        f"net migration per 1,000 fitted to {whose} published year-end populations for the intervals {years} "
        f"(model/year_end.py), then their mean {fit.held:+.2f}‰ held",
        f"按{whose_zh}公布的{years}各年末人口拟合的净迁移率（千分率，model/year_end.py），其后保持其均值{fit.held:+.2f}‰",
        "year_end_fit", place)}}


@rule("uncertainty.migration_sd", phase=2)
def _migration_sd(scenario, place):
    found = _migration_fit(scenario, place)
    if found is not None:
        region, fit = found
        whose = "the region's" if region == place.name else f"{region}'s"
        whose_zh = "本地区" if region == place.name else region
        rates = ", ".join(f"{v:+.2f}" for v in fit.rates.values())
        return {"values": fit.spread, "source": _derived(
            f"the standard deviation of {whose} fitted yearly net-migration rates {min(fit.rates)}–{max(fit.rates)} "
            f"({rates}‰)", f"{whose_zh}{min(fit.rates)}—{max(fit.rates)}年拟合的逐年净迁移率（{rates}‰）的标准差",
            "year_end_spread", place)}
    typical = scenario.uncertainty.typical_migration_sd
    if typical is None:
        return {"values": 0.0, "source": _derived(
            "no year-end series to take a spread from, and no uncertainty.typical_migration_sd: no migration noise",
            "无年末人口序列可估计离散程度，也未给出 uncertainty.typical_migration_sd：迁移不加随机扰动",
            "no_migration_series", place)}
    return {"values": typical.value(), "source": {**typical.source.model_dump(exclude_none=True), "kind": "derived",
                                                  "rule": "typical_migration_sd", "region": place.name}}


@rule("pension.special_early_share", phase=3)
def _special_early(scenario, place):
    facts = census.census_facts(place.facts_region, "population.base.census_region")
    share = float(facts["mining_sample"] / facts["employed_sample"])
    return {"values": round(share, 4), "source": _derived(
        f"mining's share of employed persons in the census long form ({share:.1%}), a proxy for special-occupation "
        "early retirement", f"普查长表中采矿业占就业人口的比例（{share:.1%}），作为特殊工种提前退休的近似",
        "census_mining_share", place, census.CENSUS_SOURCE["title"])}


@rule("pension.calibration.participants", phase=3)
def _participants(scenario, place):
    rate = scenario.pension.calibration.participation_rate.value()
    eligible = _settled_16plus(scenario, place)
    return {"values": round(rate * eligible), "source": _derived(
        f"participation_rate {rate:.1%} × {eligible:,.0f} settled people aged 16+ (census)",
        f"参保率 {rate:.1%} × 常住16岁及以上人口（不含在校学生）{eligible:,.0f}人（人口普查）", "participation_rate", place)}


def _reference_region(path) -> str:
    """The region a reference share was published or calibrated for (its source), else 全国."""
    return (path.source.region if path.source is not None else None) or "全国"


@rule("pension.calibration.employee_share", phase=3)
def _employee_share(scenario, place):
    path = scenario.pension.calibration.reference_employee_share
    share, reference = path.value(), _reference_region(path)
    facts = census.census_facts(reference, "pension.calibration.reference_employee_share.source.region")
    ratio = _urban_share(place) / float(facts["urban"] / facts["population"])
    return {"values": round(share * ratio, 4), "source": _derived(
        f"{reference}'s employee-scheme share of participants {share:.3f} × the region's urban share over "
        f"{reference}'s ({ratio:.3f}, census)",
        f"{reference}参保人中城镇职工养老保险占比 {share:.3f} × 本地区与{reference}城镇化率之比（{ratio:.3f}，人口普查）",
        "urban_employee_share", place)}


@rule("pension.calibration.employee_retiree_share", phase=3)
def _retiree_share(scenario, place):
    path = scenario.pension.calibration.reference_employee_retiree_share
    share0, reference = path.value(), _reference_region(path)

    def old_to_working(groups):  # people aged 55+ per person aged 20–54
        lower = census.CENSUS_GROUP_LOWER
        working = groups[:, (lower >= 20) & (lower < 55)].sum()
        return groups[:, lower >= 55].sum() / working if working > 0 else np.inf

    ratio = old_to_working(place.groups) / old_to_working(census.census_groups(reference))
    # The odds scale with the age structure (nobody of working age: everyone is retired).
    share = share0 * ratio / (1 - share0 + share0 * ratio) if np.isfinite(ratio) else 1.0
    return {"values": round(share, 4), "source": _derived(
        f"{reference}'s retiree share of employee participants {share0:.3f}, its odds × the region's ratio of "
        f"people aged 55+ to 20–54 over {reference}'s ({ratio:.3f}, census)",
        f"{reference}城镇职工参保人中退休人员占比 {share0:.3f}，其比值比乘以本地区与{reference}的55岁及以上人口与20—54岁人口之比"
        f"（{ratio:.3f}，人口普查）", "age_structure_retiree_share", place)}


@rule("pension.employee.base_to_wage", phase=3)
def _base_to_wage(scenario, place):
    path = scenario.pension.employee.base_to_wage
    return {"values": path.value(), "source": _derived(
        f"{_reference_region(path)}'s contribution base over its average wage, calibrated to its fund accounts "
        "(model/pension_accounts.py): no accounts are bundled for the region or a region containing it",
        f"{_reference_region(path)}缴费基数与平均工资之比，按其基金收支数据校准（model/pension_accounts.py）：未附带本地区及其上级地区的基金数据",
        "reference_contribution_base", place, path.source.title if path.source else None)}


@rule("pension.wages.average_wage", phase=3)
def _wage(scenario, place):
    value, source = _reference(place, "average_wage", "pension.wages.average_wage")
    return {"values": {scenario.years.base: value}, "source": {**source, "kind": "derived", "rule": "reference_wage",
                                                                "region": place.name,
                                                                "note": f"{source['region']}'s average wage",
                                                                "note_zh": f"{source['region']}平均工资"}}


@rule("pension.wages.growth", phase=3)
def _wage_growth(scenario, place):
    value, source = _reference(place, "wage_growth", "pension.wages.growth")
    later = scenario.pension.wages.growth.at(scenario.years.base + 2)   # the stated rate after the published years
    return {"values": {scenario.years.base + 1: value, scenario.years.base + 2: float(later)},
            "source": {**source, "kind": "derived", "rule": "reference_wage_growth", "region": place.name,
                       "note": f"{source['region']}'s published growth, then the scenario's stated rate",
                       "note_zh": f"{source['region']}公布的增长率，其后取情景设定的增长率"}}


@rule("pension.wages.provincial_ratio", phase=3)
def _provincial_ratio(scenario, place):
    province = next((r for r in place.chain[1:] if r.endswith(("省", "市", "区")) and r != place.name), "全国")
    found = census.census_place(place.name) if place.name else None
    if found is not None and found[0] == found[2]:          # a province (or China): its wage is the base
        return {"values": 1.0, "source": _derived(
            "a province's calculation base is its own average wage", "省级计发基数即本省平均工资", "provincial_ratio", place)}
    own, _ = _reference(place, "average_wage", "pension.wages.average_wage")
    wider = bundled.reference_value([province, "全国"], "average_wage")
    return {"values": round(wider[0] / own, 4), "source": _derived(
        f"the average wage of {province} (or China) over the region's", f"{province}（或全国）平均工资与本地区平均工资之比",
        "provincial_ratio", place)}


@rule("pension.employee.average_pension", phase=3)
def _average_pension(scenario, place):
    value, source = _reference(place, "average_employee_pension", "pension.employee.average_pension")
    return {"values": {scenario.years.base: value}, "source": {
        **source, "kind": "derived", "rule": "reference_pension", "region": place.name,
        "note": f"{source['region']}'s average: {source.get('note', '')}",
        "note_zh": f"{source['region']}平均水平：{source.get('note_zh') or source.get('note', '')}"}}


@rule("pension.resident.local_pension", phase=3)
def _local_pension(scenario, place):
    value, source = _reference(place, "average_resident_pension", "pension.resident.local_pension")
    central = float(scenario.pension.resident.minimum_pension.at(scenario.years.base))
    return {"values": max(value - central, 0.0), "source": _derived(
        f"{source['region']}'s average resident pension {value:.0f} less the central minimum {central:.0f}",
        f"{source['region']}城乡居民养老金平均水平 {value:.0f} 元减中央基础养老金最低标准 {central:.0f} 元",
        "reference_resident_pension", place, source["title"])}


@rule("care.beds", phase=3)
def _beds(scenario, place):
    rate, source = _reference(place, "beds_per_1000", "care.beds")
    return {"values": round(rate * _sixty_plus(place) / 1000), "source": _derived(
        f"{source['region']}'s {rate:g} beds per 1,000 aged 60+ × the region's {_sixty_plus(place):,.0f} aged 60+; "
        "held flat", f"{source['region']}每千名60岁及以上老人 {rate:g} 张床位 × 本地区60岁及以上人口 {_sixty_plus(place):,.0f} 人；保持不变",
        "national_beds_per_1000", place, source["title"])}


@rule("abm.people.urban_share", phase=4)
def _abm_urban(scenario, place):
    settled = _urban_share(place)
    odds = RURAL_60PLUS / URBAN_60PLUS
    return {"values": round(settled / (settled + (1 - settled) * odds), 4), "source": _derived(
        f"the census urban share {settled:.1%} with the 60+ {odds:.3f} times as frequent in the rural population as "
        "in the urban (23.81% vs 15.82%, 第七次全国人口普查公报)",
        f"普查城镇化率 {settled:.1%}，乡村人口中60岁及以上比例为城镇的 {odds:.3f} 倍（23.81% 对 15.82%，第七次全国人口普查公报）",
        "urban_share_60plus", place)}


def _supply(scenario: Scenario) -> dict:
    return {"beds": float(scenario.care.beds.at(scenario.years.base))}


@rule("abm.supply.institutions", phase=4)
def _institutions(scenario, place):
    per = scenario.abm.supply.beds_per_institution.value()
    beds = _supply(scenario)["beds"]
    return {"values": max(1, round(beds / per)), "source": _derived(
        f"{beds:,.0f} beds ÷ {per:g} beds per institution", f"床位 {beds:,.0f} 张 ÷ 每机构 {per:g} 张", "beds_per_institution", place)}


@rule("abm.supply.community_centres", phase=4)
def _centres(scenario, place):
    per = scenario.abm.supply.elderly_per_centre.value()
    return {"values": max(1, round(_sixty_plus(place) / per)), "source": _derived(
        f"{_sixty_plus(place):,.0f} aged 60+ ÷ {per:g} per community centre",
        f"60岁及以上人口 {_sixty_plus(place):,.0f} 人 ÷ 每个社区养老服务设施 {per:g} 人", "elderly_per_centre", place)}


@rule("abm.supply.daycare_places", phase=4)
def _daycare(scenario, place):
    per = scenario.abm.supply.places_per_centre.value()
    centres = max(1, round(_sixty_plus(place) / scenario.abm.supply.elderly_per_centre.value()))
    return {"values": centres * per, "source": _derived(
        f"{centres:,} community centres × {per:g} day-care places", f"社区养老服务设施 {centres:,} 个 × 每个 {per:g} 张日间照料床位",
        "places_per_centre", place)}


@rule("abm.supply.home_care_workers", phase=4)
def _workers(scenario, place):
    per = scenario.abm.supply.home_care_workers_per_1000.value()
    return {"values": round(per * _sixty_plus(place) / 1000), "source": _derived(
        f"{per:g} home-care workers per 1,000 aged 60+", f"每千名60岁及以上老人 {per:g} 名居家护理员",
        "home_care_workers_per_1000", place)}


# --------------------------------------------------------------------------- applying them


def _get(scenario: Scenario, field: str):
    node = scenario
    for part in field.split("."):
        node = getattr(node, part, None)
        if node is None:
            return None
    return node


def _nested(field: str, value) -> dict:
    for part in reversed(field.split(".")):
        value = {part: value}
    return value


def localise(scenario: Scenario, phases: tuple[int, ...] = (1, 2, 3, 4)) -> Scenario:
    """The scenario with every local absolute that is missing, or that belongs to another
    region, derived for its own region by the rules above; ScenarioError (one line) for a
    foreign figure no rule can replace. Rules run phase by phase (a later phase reads what an
    earlier one derived: the migration fit reads the derived fertility and mortality, the
    agent-based module's supply the derived beds)."""
    from .scenario import deep_merge

    place = place_of(scenario)
    fields = _local_fields(scenario)
    for phase in phases:
        changes: dict = {}
        for name in (f for f in fields if PHASES.get(f, 3) == phase):
            value = _get(scenario, name)
            if value is not None and place.covers(_region_of(value), _is_count(name, value)):
                continue
            if name not in RULES:
                raise ScenarioError(f"{name}: the value is {_region_of(value)}'s (its source's region) and "
                                    f"{place.name or 'this scenario'} is not in it; give the region's own value with "
                                    "its source (a source without a region applies anywhere)")
            derived = RULES[name](scenario, place)
            if derived is not None or value is not None:
                changes = deep_merge(changes, _nested(name, derived))
        if changes:
            scenario = scenario.overlaid(changes)
    return scenario


# Local absolutes that are counts: they belong to their own region only (not to the places in it).
COUNTS = {"population.year_end", "pension.calibration.participants", "care.beds", "abm.supply.institutions",
          "abm.supply.community_centres", "abm.supply.daycare_places", "abm.supply.home_care_workers"}


def _is_count(field: str, value) -> bool:
    if field == "population.migration":
        return value.net is not None or value.table is not None     # persons a year; a rate may stand for a county
    return field in COUNTS


def _region_of(value) -> str | None:
    if hasattr(value, "net") and hasattr(value, "rate"):          # population.migration: its path's region
        value = value.net or value.rate or value.table
    source = getattr(value, "source", None)
    return getattr(source, "region", None)


def _local_fields(scenario: Scenario) -> list[str]:
    """The fields the rules cover that the scenario's stages use, in rule order."""
    wanted = ["population.mortality.e0", "population.fertility.tfr", "population.fertility.srb",
              "population.year_end", "population.migration", "uncertainty.migration_sd"]
    population = scenario.population
    if population.mortality.table is not None:
        wanted.remove("population.mortality.e0")
    if population.fertility.table is not None:
        wanted.remove("population.fertility.tfr")
    if scenario.pension is not None:
        wanted += [f for f in RULES if f.startswith("pension.")]
    if scenario.care is not None:
        wanted += ["care.beds"]
    if scenario.abm is not None:
        wanted += [f for f in RULES if f.startswith("abm.")]
    return wanted


def time_paths(node, prefix: str = ""):
    """Every time path of a scenario (or of a section of it), as (dotted field, path)."""
    if isinstance(node, TimePath):
        yield prefix, node
    elif hasattr(type(node), "model_fields"):
        for name in type(node).model_fields:
            yield from time_paths(getattr(node, name), f"{prefix}.{name}" if prefix else name)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from time_paths(value, f"{prefix}.{key}")


def derived_fields(scenario: Scenario) -> list[str]:
    """The fields whose values `localise` derived (a derived source naming a rule; published
    figures it filled in from the bundled data, such as year-end populations, are not listed)."""
    return [name for name, path in time_paths(scenario)
            if path.source is not None and path.source.rule and path.source.kind == "derived"]
