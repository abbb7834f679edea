"""The pension stage against the published fund accounts: calibration and back-test.

The employee scheme's yearbook row for a province (中国统计年鉴 表24-26: participants,
insured workers, retirees, fund revenue, expenditure and balance; bundled as
``model/data/pension_accounts.csv``) pins down two levels the formula cannot know:

* the **average pension**: spending per retiree (it holds every pension and grant the fund
  pays, including the retirees of public institutions merged into the scheme in 2014);
* the **coverage**: the employee-scheme share of participants and the retirees among them,
  from the insured workers and retirees;
* the **contribution base** (``employee.base_to_wage``): contributions = fund revenue less
  the fiscal subsidy (``subsidy_share`` × spending) and a year's interest on the balance; the
  province's net receipts from national pooling are not published and are taken as zero.

`calibrate_to_accounts` moves those four base-year values until the province's projection
meets the four published figures in the accounts year, and refuses if they are not met.
`back_test` sets a run beside every published row of a region and, where two years are
published, beside the growth of spending per retiree (China 2021–2024: +6.9% while pensions
were raised 11.2%): a check of where new awards stand against the pensions in payment. `back_test` sets a run beside every published row.
"""

from __future__ import annotations

import pandas as pd

from .bundled import bundled_table
from .demography import project_population
from .pension import project_pensions
from .errors import ScenarioError
from .scenario import Scenario

# Published item → the model's employee-scheme metric it is compared with (revenue: the fund's
# revenue less a year's interest on its opening balance, against contributions + subsidy).
COMPARED = {"insured_workers": "insured", "retirees": "beneficiaries", "expenditure": "expenditure",
            "revenue": "revenue_with_subsidy"}
TOLERANCE = 1e-4   # the calibration's largest relative miss of a published figure


def published(region: str, scheme: str = "employee") -> pd.DataFrame:
    """The bundled account rows of `region`: year, item, value, title, page, note."""
    rows = bundled_table("pension_accounts.csv")
    return rows[(rows.region == region) & (rows.scheme == scheme)].reset_index(drop=True)


def account_targets(scenario: Scenario, region: str, year: int) -> dict[str, float]:
    """Spending per retiree (yuan a month) and contributions (yuan) in `year` from `region`'s accounts."""
    rows = published(region).query("year == @year").set_index("item")["value"]
    e, rate = scenario.pension.employee, float(scenario.pension.interest_rate.at(year))
    opening = rows["balance"] - (rows["revenue"] - rows["expenditure"])       # the balance a year before
    contributions = rows["revenue"] - float(e.subsidy_share.at(year)) * rows["expenditure"] - rate * opening
    return {"spending_per_retiree": rows["expenditure"] / rows["retirees"] / 12, "contributions": contributions}


def employee_table(scenario: Scenario) -> pd.DataFrame:
    """The employee scheme by year (metrics as columns), with revenue + subsidy."""
    pension = project_pensions(scenario, project_population(scenario))
    wide = pension[pension.scheme == "employee"].pivot(index="year", columns="metric", values="value")
    return wide.assign(revenue_with_subsidy=wide["revenue"] + wide["subsidy"])


def calibrate_to_accounts(scenario: Scenario, region: str, year: int, passes: int = 6) -> dict[str, float]:
    """What makes `scenario` (a projection of `region`) meet the region's accounts in `year`:
    the base-year employee-scheme share of participants and retiree share (to the insured
    workers and retirees), the base-year average pension (to spending per retiree) and
    `base_to_wage` (to contributions). Each moves one published figure nearly in proportion,
    so a few passes of proportional updates converge."""
    targets = account_targets(scenario, region, year)
    rows = published(region).query("year == @year").set_index("item")["value"]
    base, e, c = scenario.years.base, scenario.pension.employee, scenario.pension.calibration
    values = {"average_pension": float(e.average_pension.at(base)), "base_to_wage": float(e.base_to_wage.at(base)),
              "employee_share": float(c.employee_share.at(base)),
              "employee_retiree_share": float(c.employee_retiree_share.at(base))}
    for _ in range(passes):
        wide = employee_table(calibrated(scenario, values, year)).loc[year]
        values["average_pension"] *= targets["spending_per_retiree"] / (wide["expenditure"] / wide["beneficiaries"] / 12)
        values["base_to_wage"] *= targets["contributions"] / wide["revenue"]
        values["employee_share"] *= ((rows["insured_workers"] + rows["retirees"])
                                     / (wide["insured"] + wide["beneficiaries"]))
        odds = values["employee_retiree_share"] / (1 - values["employee_retiree_share"])
        odds *= (rows["retirees"] / rows["insured_workers"]) / (wide["beneficiaries"] / wide["insured"])
        values["employee_retiree_share"] = odds / (1 + odds)
    wide = employee_table(calibrated(scenario, values, year)).loc[year]
    misses = {"spending per retiree": wide["expenditure"] / wide["beneficiaries"] / 12 / targets["spending_per_retiree"],
              "contributions": wide["revenue"] / targets["contributions"],
              "insured workers": wide["insured"] / rows["insured_workers"], "retirees": wide["beneficiaries"] / rows["retirees"]}
    missed = {name: ratio - 1 for name, ratio in misses.items() if abs(ratio - 1) > TOLERANCE}
    if missed:
        raise ScenarioError(f"pension calibration to {region}'s {year} accounts did not converge: "
                            + ", ".join(f"{name} {miss:+.2%}" for name, miss in missed.items()))
    return {**values, **targets}


def calibrated(scenario: Scenario, values: dict[str, float], year: int) -> Scenario:
    """`scenario` with the calibrated values, projected at least to `year`."""
    base = scenario.years.base
    return scenario.overlaid({"years": {"end": max(year, scenario.years.end)}, "pension": {
        "employee": {"average_pension": {"values": {base: values["average_pension"]}},
                     "base_to_wage": values["base_to_wage"]},
        "calibration": {"employee_share": values["employee_share"],
                        "employee_retiree_share": values["employee_retiree_share"]}}})


def back_test(scenario: Scenario, region: str) -> pd.DataFrame:
    """Every published row of `region` beside the run: year, item, published, model, error.
    Published revenue is taken less a year's interest on the opening balance where the balance
    is published (the model's revenue + subsidy has no interest); with two years of spending
    and retirees, their growth of spending per retiree is compared too."""
    wide = employee_table(scenario)
    rows = published(region)
    values = rows.set_index(["year", "item"])["value"]
    out = []
    for year, item, value in rows[rows.item.isin(COMPARED) & rows.year.isin(wide.index)][["year", "item", "value"]].itertuples(index=False):
        if item == "revenue" and (year, "balance") in values.index:
            opening = values[(year, "balance")] - (value - values[(year, "expenditure")])
            value -= float(scenario.pension.interest_rate.at(year)) * opening
        out.append((year, item, value, float(wide.at[year, COMPARED[item]])))
    spent = sorted(y for y in wide.index if (y, "expenditure") in values.index and (y, "retirees") in values.index)
    if len(spent) >= 2:
        first, last = spent[0], spent[-1]
        per_retiree = {y: values[(y, "expenditure")] / values[(y, "retirees")] for y in (first, last)}
        model = wide["expenditure"] / wide["beneficiaries"]
        out.append((last, f"spending_per_retiree_growth_since_{first}", per_retiree[last] / per_retiree[first] - 1,
                    model[last] / model[first] - 1))
    table = pd.DataFrame(out, columns=["year", "item", "published", "model"])
    return table.assign(error=lambda d: d.model / d.published - 1)
