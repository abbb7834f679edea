"""Every output metric, declared once.

A `Metric` says what a key of the tidy tables holds: the table it is a row of, its kind, its
unit, its names in Chinese and English, and the roles it plays (a headline figure, a
compared indicator, a figure the regression baseline guards). Labels, workbook formats, chart
axes, headline tiles, the terminal summary, comparison and sweep tables all read it, so adding
an output is: compute it in its stage, add one line here (`tests/test_metrics.py` fails on a
key a stage emits that is not declared, or one declared that no stage emits).

Kinds (they decide timing and how the agent-based module's months make a year):

* ``stock`` — on 1 November of the year (the census date); the ABM records it in November;
* ``flow`` — events of the twelve months from 1 November of the year; the ABM sums months;
* ``rate`` — a rate or level of those twelve months (TFR, e0, a mean wait);
* ``value`` — without a year (a calibration fit, the year an event happens).

`scaled` marks the ABM's counts of agents, multiplied back by `abm.scale` persons per agent.
Population counts by age band (`ages`) are computed from the declaration itself, so an age
band is added by one line and its share by another.
"""

from __future__ import annotations

from dataclasses import dataclass

TABLES = ("indicators", "population", "vital_events", "pension", "care", "abm")


@dataclass(frozen=True)
class Metric:
    key: str
    table: str                   # the tidy table it is a row of
    kind: str                    # stock | flow | rate | value
    unit: str                    # a unit of scenario.quantities.UNITS
    zh: str
    en: str
    scaled: bool = False         # an ABM count of agents (× abm.scale when reported)
    ages: tuple[int, int] | None = None   # population counts: the half-open band of single ages
    share_of: str | None = None  # a share: the count (same table) over population_total
    headline: int | None = None  # order among the headline figures (report tiles, terminal summary)
    compared: bool = False       # a key indicator of comparisons and sweeps …
    overlay: bool = False        # … drawn as an overlay chart of the scenarios compared
    baseline: bool = False       # guarded by the regression baseline (tests/test_baseline.py)
    scheme: str | None = None    # pension metrics shown as headline/compared for this scheme
    from_valuation: bool = False # a headline from pension.valuation_year (the base year is the 2020 relief)
    inputs: tuple[str, ...] = () # scenario inputs that set it (a plan target on it is met by construction)

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _declare(*metrics: Metric) -> dict[tuple[str, str], Metric]:
    found: dict[tuple[str, str], Metric] = {}
    for metric in metrics:
        if (metric.table, metric.key) in found:
            raise ValueError(f"metric {metric.table}.{metric.key} is declared twice")
        found[(metric.table, metric.key)] = metric
    return found


M = Metric
I, P, C, A = "indicators", "pension", "care", "abm"

REGISTRY: dict[tuple[str, str], Metric] = _declare(
    # ------------------------------------------------------------------ indicators.csv: population
    M("population_total", I, "stock", "persons", "常住人口", "Resident population", ages=(0, 101), headline=1,
      compared=True, overlay=True, baseline=True),
    M("population_male", I, "stock", "persons", "男性人口", "Male population"),
    M("population_female", I, "stock", "persons", "女性人口", "Female population"),
    M("population_0_14", I, "stock", "persons", "0—14岁人口", "Population aged 0–14", ages=(0, 15)),
    M("population_15_59", I, "stock", "persons", "15—59岁人口", "Population aged 15–59", ages=(15, 60)),
    M("population_60plus", I, "stock", "persons", "60岁及以上人口", "Population aged 60+", ages=(60, 101)),
    M("population_65plus", I, "stock", "persons", "65岁及以上人口", "Population aged 65+", ages=(65, 101)),
    M("population_80plus", I, "stock", "persons", "80岁及以上人口", "Population aged 80+", ages=(80, 101)),
    M("population_85plus", I, "stock", "persons", "85岁及以上人口", "Population aged 85+", ages=(85, 101)),
    M("share_0_14", I, "stock", "fraction", "0—14岁人口占比", "Share aged 0–14", share_of="population_0_14"),
    M("share_60plus", I, "stock", "fraction", "60岁及以上人口占比", "Share aged 60+", share_of="population_60plus",
      headline=2, compared=True, overlay=True, baseline=True),
    M("share_65plus", I, "stock", "fraction", "65岁及以上人口占比", "Share aged 65+", share_of="population_65plus",
      headline=3, compared=True, baseline=True),
    M("share_80plus", I, "stock", "fraction", "80岁及以上人口占比", "Share aged 80+", share_of="population_80plus",
      headline=4, compared=True, baseline=True),
    M("share_85plus", I, "stock", "fraction", "85岁及以上人口占比", "Share aged 85+", share_of="population_85plus"),
    M("old_age_dependency_ratio", I, "stock", "per_100", "老年抚养比（65岁及以上/15—64岁）",
      "Old-age dependency (65+ per 100 aged 15–64)", headline=5, compared=True),
    M("median_age", I, "stock", "years", "年龄中位数", "Median age"),
    M("births", I, "flow", "persons", "出生人数", "Births", headline=6, compared=True, baseline=True),
    M("deaths", I, "flow", "persons", "死亡人数", "Deaths", headline=7, compared=True, baseline=True),
    M("net_migration", I, "flow", "persons", "净迁移人数", "Net migration", headline=8),
    M("crude_birth_rate", I, "rate", "per_1000", "出生率", "Crude birth rate"),
    M("crude_death_rate", I, "rate", "per_1000", "死亡率", "Crude death rate"),
    M("tfr", I, "rate", "children_per_woman", "总和生育率", "Total fertility rate"),
    M("e0_male", I, "rate", "years", "男性出生时预期寿命", "Life expectancy at birth, men"),
    M("e0_female", I, "rate", "years", "女性出生时预期寿命", "Life expectancy at birth, women"),
    M("e0_total", I, "rate", "years", "出生时预期寿命", "Life expectancy at birth"),
    M("e60_male", I, "rate", "years", "男性60岁预期余寿", "Life expectancy at 60, men"),
    M("e60_female", I, "rate", "years", "女性60岁预期余寿", "Life expectancy at 60, women"),
    # ------------------------------------------------------------------ indicators.csv: pension and care figures
    M("pension_standalone_depletion_year", I, "value", "year", "假设本市职工养老保险独立运行时的结余耗尽年份（假设情形）",
      "Year a stand-alone city employee fund would run out (hypothetical)"),
    M("pension_first_deficit_year", I, "value", "year", "职工养老保险本市收支持续不抵支的起始年份",
      "Year from which the employee scheme's own flows stay in deficit"),
    M("pension_summarized_income_rate", I, "value", "fraction", "综合收入率（估值年起缴费与补贴现值/缴费基数现值）",
      "Summarized income rate (PV of contributions and subsidy ÷ PV of the contribution base)"),
    M("pension_summarized_cost_rate", I, "value", "fraction", "综合成本率（估值年起支出现值/缴费基数现值）",
      "Summarized cost rate (PV of expenditure ÷ PV of the contribution base)"),
    M("pension_actuarial_balance", I, "value", "fraction", "精算平衡（综合收入率−综合成本率）",
      "Actuarial balance (summarized income − cost rate)"),
    M("pension_legacy_premium", I, "value", "fraction", "早期退休人员养老金高于计发公式的幅度（校准）",
      "Legacy premium: pensions of those retired before legacy_until above the formula (calibrated)"),
    M("care_severe", I, "stock", "persons", "重度失能老人", "Severely disabled aged 60+"),
    M("care_beds_needed", I, "stock", "beds", "养老床位需求", "Elder-care beds needed"),
    M("care_beds_per_1000", I, "stock", "per_1000", "每千名老人床位数", "Beds per 1,000 aged 60+"),
    M("care_bed_gap", I, "stock", "beds", "床位缺口（需求−供给）", "Bed gap (needed − supplied)"),
    M("care_norm_gap", I, "stock", "beds", "按规划标准的床位缺口", "Bed gap against the norm"),
    M("care_fit_reference_miss", I, "value", "fraction", "校准：失能年龄曲线对全国公布值的最大相对误差",
      "Fit: largest miss of the age curves against the national published targets"),
    M("care_fit_incidence_miss", I, "value", "fraction", "校准：由发生率重现基年患病率的最大误差",
      "Fit: largest difference between the base-year prevalence and the one its incidences keep"),
    M("care_fit_severe_years_after_60_male", I, "value", "years", "本地：男性60岁后重度失能年数（本地生命表）",
      "Local: severe years after 60, men (the region's life table)"),
    M("care_fit_severe_years_after_60_female", I, "value", "years", "本地：女性60岁后重度失能年数（本地生命表）",
      "Local: severe years after 60, women (the region's life table)"),
    M("care_fit_severe_share_60plus", I, "value", "fraction", "本地：基年60岁及以上重度失能比例",
      "Local: 60+ severe share in the base year"),
    M("care_fit_mild_share_60plus", I, "value", "fraction", "本地：基年60岁及以上轻中度失能比例",
      "Local: 60+ mild-to-moderate share in the base year"),
    M("care_disability_factor_mild", I, "value", "ratio", "城乡构成系数：轻中度失能", "Urban/rural factor, mild-to-moderate"),
    M("care_disability_factor_severe", I, "value", "ratio", "城乡构成系数：重度失能", "Urban/rural factor, severe"),
    # ------------------------------------------------------------------ population.csv
    M("population", "population", "stock", "persons", "人口", "Population"),
    # ------------------------------------------------------------------ pension.csv (by scheme)
    M("contributors", P, "stock", "persons", "缴费人数", "Contributors", baseline=True, scheme="employee"),
    M("insured", P, "stock", "persons", "参保人数", "Insured"),
    M("beneficiaries", P, "stock", "persons", "领取待遇人数", "Beneficiaries", baseline=True, scheme="employee"),
    M("new_beneficiaries", P, "flow", "persons", "新增领取待遇人数", "New beneficiaries"),
    M("dependency_ratio", P, "stock", "per_100", "制度抚养比（每百名缴费者对应领取者）",
      "Beneficiaries per 100 contributors", headline=10, compared=True, scheme="employee"),
    M("revenue", P, "flow", "yuan", "缴费收入", "Contribution revenue"),
    M("subsidy", P, "flow", "yuan", "财政补贴", "Fiscal subsidy"),
    M("expenditure", P, "flow", "yuan", "待遇支出", "Expenditure"),
    M("required_transfer", P, "flow", "yuan", "需统筹调剂弥补的缺口", "Required transfer from the pool",
      headline=11, from_valuation=True, compared=True,
      overlay=True, baseline=True, scheme="employee"),
    M("transfers", P, "flow", "yuan", "统筹调剂拨入", "Pool transfers received"),
    M("balance", P, "stock", "yuan", "名义累计结余（含财政补贴与统筹调剂）", "Notional balance with subsidies and pool transfers"),
    M("balance_standalone", P, "stock", "yuan", "假设独立运行的名义结余（含财政补贴）",
      "Stand-alone notional balance with subsidies (hypothetical)", compared=True, baseline=True, scheme="employee"),
    M("balance_without_subsidy", P, "stock", "yuan", "假设独立运行的名义结余（不含财政补贴）",
      "Stand-alone notional balance without subsidies (hypothetical)"),
    M("account_balance", P, "stock", "yuan", "个人账户记账余额（参保职工）", "Individual-account balances of insured workers"),
    M("account_balance_retirees", P, "stock", "yuan", "个人账户剩余余额（离退休人员）", "Individual accounts left to pensioners"),
    M("months_covered", P, "stock", "months", "独立运行结余可支付月数（假设情形）", "Months of spending the stand-alone balance covers"),
    M("self_sufficiency_ratio", P, "flow", "fraction", "自给率（缴费收入/支出）",
      "Self-sufficiency (revenue ÷ expenditure)", headline=9, from_valuation=True, compared=True, overlay=True, baseline=True,
      scheme="employee"),
    M("average_pension", P, "stock", "yuan_per_month", "月人均养老金", "Average pension", baseline=True,
      scheme="employee"),
    M("average_new_award", P, "stock", "yuan_per_month", "新退休人员月人均养老金", "Average pension of new retirees",
      scheme="employee"),
    M("replacement_rate", P, "stock", "fraction", "替代率（人均养老金/平均工资）",
      "Replacement rate (pension ÷ average wage)"),
    M("cost_rate", P, "flow", "fraction", "成本率（支出/缴费基数）", "Cost rate (expenditure ÷ contribution base)"),
    M("income_rate", P, "flow", "fraction", "收入率（缴费收入/缴费基数）", "Income rate (contributions ÷ contribution base)"),
    # ------------------------------------------------------------------ care.csv
    M("elderly_60plus", C, "stock", "persons", "60岁及以上人口", "Aged 60+"),
    M("elderly_80plus", C, "stock", "persons", "80岁及以上人口", "Aged 80+"),
    M("healthy", C, "stock", "persons", "未失能老人", "Not disabled aged 60+"),
    M("mild", C, "stock", "persons", "轻中度失能老人", "Mild-to-moderate disability", baseline=True),
    M("severe", C, "stock", "persons", "重度失能老人", "Severe disability", headline=12,
      compared=True, overlay=True, baseline=True),
    M("severe_share_60plus", C, "stock", "fraction", "重度失能占60岁及以上人口比例", "Severe share of the 60+"),
    M("users_home", C, "stock", "persons", "居家照护人数", "Cared for at home"),
    M("users_community", C, "stock", "persons", "社区照护人数", "Community care"),
    M("users_institution", C, "stock", "persons", "机构照护人数", "In institutions"),
    M("residents_self_caring", C, "stock", "persons", "机构入住者：未失能", "Residents with no disability grade"),
    M("residents_mild", C, "stock", "persons", "机构入住者：轻中度失能", "Residents, mild-to-moderate"),
    M("residents_severe", C, "stock", "persons", "机构入住者：重度失能", "Residents, severe"),
    M("beds_needed", C, "stock", "beds", "养老床位需求", "Beds needed", headline=13, compared=True, baseline=True),
    M("nursing_beds_needed", C, "stock", "beds", "护理型床位需求", "Nursing-type beds needed"),
    M("beds_supplied", C, "stock", "beds", "养老床位供给", "Beds supplied", headline=14, inputs=("care.beds",)),
    M("nursing_beds_supplied", C, "stock", "beds", "护理型床位供给", "Nursing-type beds supplied", inputs=("care.beds", "care.nursing_share")),
    M("general_beds_needed", C, "stock", "beds", "普通床位需求（未失能入住者）", "General beds needed (residents with no nursing grade)"),
    M("general_bed_gap", C, "stock", "beds", "普通床位缺口", "General-bed gap (needed − supplied)"),
    M("occupancy_implied", C, "stock", "fraction", "床位使用率（入住者/床位）", "Occupancy (residents ÷ beds supplied)"),
    M("beds_per_1000", C, "stock", "per_1000", "每千名老人床位数", "Beds per 1,000 aged 60+", headline=17, inputs=("care.beds",)),
    M("beds_norm_per_1000", C, "stock", "per_1000", "每千名老人床位规划标准", "Norm: beds per 1,000 aged 60+"),
    M("nursing_share", C, "stock", "fraction", "护理型床位占比", "Nursing-type share of beds", inputs=("care.nursing_share",)),
    M("nursing_share_target", C, "stock", "fraction", "护理型床位占比目标", "Nursing-type share target"),
    M("bed_gap", C, "stock", "beds", "床位缺口（需求−供给）", "Bed gap (needed − supplied)", headline=15,
      compared=True, overlay=True, baseline=True),
    M("nursing_bed_gap", C, "stock", "beds", "护理型床位缺口", "Nursing-type bed gap"),
    M("norm_gap", C, "stock", "beds", "按规划标准的床位缺口", "Bed gap against the norm", headline=16, compared=True,
      baseline=True),
    M("daycare_places_needed", C, "stock", "places", "日间照料床位需求", "Day-care places needed"),
    M("care_workers_needed", C, "stock", "workers", "养老护理员需求", "Care workers needed"),
    M("care_workers_home", C, "stock", "workers", "养老护理员需求：居家和社区", "Care workers needed at home and in the community"),
    M("care_workers_institution", C, "stock", "workers", "养老护理员需求：机构", "Care workers needed in institutions"),
    # ------------------------------------------------------------------ abm.csv (by care mix)
    M("mild", A, "stock", "persons", "轻中度失能老人", "Mild-to-moderate disability", scaled=True),
    M("severe", A, "stock", "persons", "重度失能老人", "Severe disability", scaled=True),
    M("users_home", A, "stock", "persons", "仅家庭照护人数", "Family care only", scaled=True),
    M("users_home_care", A, "stock", "persons", "居家上门服务人数", "Formal home care", scaled=True),
    M("users_community", A, "stock", "persons", "社区照护人数", "Community care", scaled=True),
    M("users_institution", A, "stock", "persons", "入住机构的失能老人", "Disabled people in institutions", scaled=True),
    M("unmet_need", A, "stock", "persons", "未获正式照护的重度失能老人", "Severe cases without formal care",
      scaled=True, headline=19, compared=True),
    M("unmet_no_capacity", A, "stock", "persons", "未获正式照护的重度失能老人：轮候，所在地区服务已满",
      "Severe without formal care: waiting, the service is full in their area", scaled=True),
    M("unmet_waiting", A, "stock", "persons", "未获正式照护的重度失能老人：轮候，所在地区尚有空位",
      "Severe without formal care: waiting, places free in their area (not yet matched)", scaled=True),
    M("unmet_family", A, "stock", "persons", "未获正式照护的重度失能老人：选择家庭照护",
      "Severe without formal care: chose family care", scaled=True),
    M("waiting", A, "stock", "persons", "轮候正式照护人数（各项服务）", "Waiting for any formal service", scaled=True),
    M("waiting_institution", A, "stock", "persons", "轮候养老床位人数", "Waiting for a bed", scaled=True, headline=18,
      compared=True),
    M("waiting_bed_interim", A, "stock", "persons", "轮候养老床位期间接受上门服务人数", "Waiting for a bed, with home care meanwhile",
      scaled=True),
    M("waiting_nursing_bed", A, "stock", "persons", "轮候护理型床位人数（护理等级）", "Waiting for a nursing-type bed (nursing grades)",
      scaled=True),
    M("waiting_general_bed", A, "stock", "persons", "轮候普通床位人数（非护理等级）", "Waiting for a general bed (other grades)",
      scaled=True),
    M("self_caring_unplaced", A, "stock", "persons", "未能入住的自理老人", "Self-caring people wanting a bed, not placed",
      scaled=True),
    M("waiting_community", A, "stock", "persons", "轮候社区照护人数", "Waiting for community care", scaled=True),
    M("waiting_home_care", A, "stock", "persons", "轮候上门服务人数", "Waiting for home care", scaled=True),
    M("beds", A, "stock", "beds", "养老床位", "Beds", scaled=True),
    M("nursing_beds", A, "stock", "beds", "护理型床位", "Nursing-type beds", scaled=True),
    M("occupied_beds", A, "stock", "beds", "在住床位", "Occupied beds", scaled=True),
    M("occupied_nursing_beds", A, "stock", "beds", "在住护理型床位", "Occupied nursing-type beds", scaled=True),
    M("empty_beds", A, "stock", "beds", "空置床位", "Empty beds", scaled=True),
    M("empty_nursing_beds", A, "stock", "beds", "空置护理型床位", "Empty nursing-type beds", scaled=True),
    M("self_caring_residents", A, "stock", "persons", "在住自理老人", "Self-caring residents", scaled=True),
    M("occupancy", A, "stock", "fraction", "床位入住率", "Bed occupancy", headline=20, compared=True),
    M("occupancy_nursing", A, "stock", "fraction", "护理型床位入住率", "Nursing-type bed occupancy"),
    M("severe_in_general_beds", A, "stock", "persons", "住普通床位的重度失能老人", "Severe cases in general beds",
      scaled=True),
    M("severe_in_nursing_share", A, "stock", "fraction", "重度失能入住者中住护理型床位比例",
      "Severe residents in nursing-type beds"),
    M("beds_per_1000", A, "stock", "per_1000", "每千名老人床位数", "Beds per 1,000 aged 60+"),
    M("beds_norm_per_1000", A, "stock", "per_1000", "每千名老人床位规划标准", "Norm: beds per 1,000 aged 60+"),
    M("daycare_capacity", A, "stock", "places", "日间照料床位", "Day-care places", scaled=True),
    M("daycare_users", A, "stock", "persons", "日间照料使用人数", "Day-care users", scaled=True),
    M("home_care_hours", A, "stock", "hours_per_month", "上门服务可供小时数", "Home-care hours available",
      scaled=True),
    M("home_care_hours_used", A, "stock", "hours_per_month", "上门服务使用小时数", "Home-care hours used", scaled=True),
    M("new_cases", A, "flow", "persons", "新增失能人数", "New cases", scaled=True),
    M("deaths_healthy", A, "flow", "persons", "死亡：健康老人", "Deaths, healthy", scaled=True),
    M("deaths_mild", A, "flow", "persons", "死亡：轻中度失能", "Deaths, mild-to-moderate", scaled=True),
    M("deaths_severe", A, "flow", "persons", "死亡：重度失能", "Deaths, severe", scaled=True),
    M("moved_away", A, "flow", "persons", "迁出人数", "Moved away", scaled=True),
    M("deaths_waiting", A, "flow", "persons", "轮候正式照护期间死亡人数", "Deaths while waiting for a formal service",
      scaled=True),
    M("deaths_waiting_bed", A, "flow", "persons", "轮候养老床位期间死亡人数", "Deaths while waiting for a bed", scaled=True),
    M("deaths_waiting_community", A, "flow", "persons", "轮候社区照护期间死亡人数", "Deaths while waiting for community care",
      scaled=True),
    M("deaths_waiting_home_care", A, "flow", "persons", "轮候上门服务期间死亡人数", "Deaths while waiting for home care",
      scaled=True),
    M("bed_queue_entries", A, "flow", "persons", "新进入床位轮候人数", "Joined the bed queue", scaled=True),
    M("waiting_institution_mean", A, "rate", "persons", "年内平均轮候床位人数", "Waiting for a bed, mean over the year",
      scaled=True),
    M("mean_queue_months", A, "rate", "months", "离开床位轮候者的平均轮候月数（含入住、死亡、改选）",
      "Mean months in the bed queue of all who left it (admitted, died, chose otherwise)"),
    M("admissions_institution", A, "flow", "persons", "入住机构人数", "Admissions to institutions", scaled=True),
    M("mean_wait_months", A, "rate", "months", "平均轮候月数", "Mean wait"),
    M("public_cost", A, "flow", "yuan", "财政支出", "Public cost", scaled=True),
    M("private_cost", A, "flow", "yuan", "个人支付", "Private cost", scaled=True),
    M("insurance_cost", A, "flow", "yuan", "长期护理保险支付", "Long-term care insurance payments", scaled=True),
)

# Yearly care figures repeated in indicators.csv, so that one table has the headline numbers.
CARE_IN_INDICATORS = {"severe": "care_severe", "beds_needed": "care_beds_needed", "bed_gap": "care_bed_gap",
                      "norm_gap": "care_norm_gap", "beds_per_1000": "care_beds_per_1000"}


def metric(table: str, key: str) -> Metric:
    """The declaration of `key` in `table` (KeyError for an undeclared key)."""
    return REGISTRY[(table, key)]


def of_table(table: str) -> list[Metric]:
    """The metrics of a table, in declaration order."""
    return [m for (t, _), m in REGISTRY.items() if t == table]


def age_bands() -> dict[str, tuple[int, int]]:
    """Population counts by age band: key → half-open range of single ages."""
    return {m.key: m.ages for m in of_table("indicators") if m.ages is not None}


def shares() -> dict[str, str]:
    """Shares of the total population: key → the count it is a share of."""
    return {m.key: m.share_of for m in of_table("indicators") if m.share_of is not None}


def headlines() -> list[Metric]:
    """The headline figures, in order (report tiles and terminal summary)."""
    return sorted((m for m in REGISTRY.values() if m.headline is not None), key=lambda m: m.headline)


def compared() -> list[Metric]:
    """The key indicators of comparisons and sweeps, in declaration order."""
    return [m for m in REGISTRY.values() if m.compared]


def name_of(table: str, key: str, lang: str) -> str:
    """The reader's name of a key of a table; the key itself when it is not declared."""
    found = REGISTRY.get((table, key))
    return found.name(lang) if found else key
