"""Rebuild the bundled data (model/data/*.csv) and the WPP test fixtures (tests/data/wpp_china/).

Maintainers only: it reads the reference extracts in ../shared/data (census 2020, UN WPP 2024),
which the package itself never reads. Run from the repository root:

    python scripts/build_data.py ../shared/data

Every figure written here is named in model/data/SOURCES.md or tests/data/wpp_china/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.agesplit import split_closed_groups  # noqa: E402

DATA = ROOT / "model" / "data"
WPP_FIXTURE = ROOT / "tests" / "data" / "wpp_china"
CHINA = 156
SEX_CODES = {"M": "male", "F": "female"}
ABRIDGED_LOWER = np.array([0, 1] + list(range(5, 101, 5)))  # 0, 1-4, 5-9, ..., 95-99, 100+


# Columns of the census region facts kept, and their names in the bundled file.
FACTS = {"人口数_合计": "population", "城镇人口": "urban", "乡村人口": "rural", "家庭户数": "households",
         "一人户数": "one_person_households", "有65岁及以上老年人口的户数": "households_with_65plus",
         "各种行业人口总计": "employed_sample", "采矿业": "mining_sample", "制造业": "manufacturing_sample",
         "公共管理社会保障和社会组织": "public_administration_sample"}


def census(shared: Path) -> None:
    """Copy the 2020 census age-sex table and the region facts (population, urban and rural,
    households, employment by industry from the 10% long form) of all Shanxi regions and every
    province, as they are."""
    table = pd.read_csv(shared / "census2020" / "age_sex_5y.csv", dtype={"code": "string"})
    table["population"] = table["population"].round().astype(int)
    table.to_csv(DATA / "census2020_age_sex_5y.csv", index=False)
    facts = pd.read_csv(shared / "census2020" / "region_facts.csv", dtype={"code": "string"})
    facts = facts[["code", "province", "city", "county", "level", *FACTS]].rename(columns=FACTS)
    facts.to_csv(DATA / "census2020_region_facts.csv", index=False, float_format="%.0f")


def wpp_china_paths(shared: Path) -> None:
    """UN WPP 2024, China: both-sexes e0 and TFR by calendar year (estimates to 2023, then the
    probabilistic median and the bounds of its 80% and 95% intervals)."""
    frames = []
    for name, path in (("e0", "e0.csv"), ("tfr", "tfr.csv")):
        data = pd.read_csv(shared / "wpp2024" / path)
        data = data[(data.country_code == CHINA) & (data.year >= 1990)]
        if "sex" in data:
            data = data[data.sex == "B"]
        data = data[data.stat.isin(["estimate", "median", "80l", "80u", "95l", "95u"])]
        frames.append(data.assign(indicator=name)[["indicator", "year", "stat", "value"]])
    pd.concat(frames).to_csv(DATA / "wpp2024_china.csv", index=False)


def smooth_single_year_mx(abridged: np.ndarray) -> np.ndarray:
    """Single-year mx 0..100 from abridged mx (0, 1-4, 5-9, ..., 95-99, 100+).

    Age 0 and 100+ are kept; 1–4 is flat; from 5 to 99, log mx is interpolated linearly
    between group mid-points (extrapolated at the ends) and each group is rescaled so that its
    mean single-year rate equals the group's rate.
    """
    single = np.empty(101)
    single[0] = abridged[0]
    single[1:5] = abridged[1]
    groups = abridged[2:-1]  # 5-9 ... 95-99
    midpoints = np.arange(5, 100, 5) + 2.5
    ages = np.arange(5, 100) + 0.5
    slope_lo = (np.log(groups[1]) - np.log(groups[0])) / 5
    slope_hi = (np.log(groups[-1]) - np.log(groups[-2])) / 5
    log_mx = np.interp(ages, midpoints, np.log(groups))
    log_mx = np.where(ages < midpoints[0], np.log(groups[0]) + slope_lo * (ages - midpoints[0]), log_mx)
    log_mx = np.where(ages > midpoints[-1], np.log(groups[-1]) + slope_hi * (ages - midpoints[-1]), log_mx)
    mx = np.exp(log_mx).reshape(19, 5)
    mx *= (groups / mx.mean(axis=1))[:, None]
    single[5:100] = mx.ravel()
    single[100] = abridged[-1]
    return single


def step_single_year(abridged: np.ndarray) -> np.ndarray:
    """Single-year values holding each abridged group's value constant within the group."""
    widths = np.diff(np.append(ABRIDGED_LOWER, 101))
    return np.repeat(abridged, widths)


def mortality_standard(shared: Path) -> None:
    """WPP 2024 China, calendar year 2020, both sexes: the default age pattern of mortality."""
    mx = pd.read_csv(shared / "wpp2024" / "mx_abridged_decadal.csv")
    rows = []
    for code, sex in SEX_CODES.items():
        sel = mx[(mx.country_code == CHINA) & (mx.year == 2020) & (mx.sex == code)].sort_values("age")
        single = smooth_single_year_mx(sel["mx"].to_numpy())
        rows += [{"sex": sex, "age": age, "mx": round(float(v), 8)} for age, v in enumerate(single)]
    pd.DataFrame(rows).to_csv(DATA / "mortality_standard.csv", index=False)


def fertility_shape(shared: Path) -> None:
    """WPP 2024 China percent ASFR 2020–2025, split to single ages 15..49, summing to 1."""
    pasfr = pd.read_csv(shared / "wpp2024" / "pasfr_5yr_periods.csv")
    sel = pasfr[(pasfr.country_code == CHINA) & (pasfr.period == "2020-2025")].sort_values("age")
    single = split_closed_groups(sel["age"].to_numpy(), 50, sel["pasfr"].to_numpy() / 100)
    single = single / single.sum()
    pd.DataFrame({"age": np.arange(15, 50), "share": np.round(single, 8)}).to_csv(
        DATA / "fertility_shape.csv", index=False
    )


def migration_schedule() -> None:
    """Rogers–Castro 7-parameter migration intensity with the 'fundamental' parameters.

    An age pattern of migration *rates* (same for both sexes); the model turns it into an
    age–sex profile of net migrants by weighting it with the base population.
    """
    a1, alpha1, a2, alpha2, mu2, lambda2, c = 0.02, 0.1, 0.06, 0.1, 20.0, 0.4, 0.003
    x = np.arange(101) + 0.5
    m = a1 * np.exp(-alpha1 * x) + a2 * np.exp(-alpha2 * (x - mu2) - np.exp(-lambda2 * (x - mu2))) + c
    rows = [{"sex": sex, "age": age, "intensity": round(float(v), 10)}
            for sex in ("male", "female") for age, v in enumerate(m)]
    pd.DataFrame(rows).to_csv(DATA / "migration_schedule.csv", index=False)


# --------------------------------------------------------------------------- WPP fixture


def wpp_fixture(shared: Path) -> None:
    """Inputs to project China from 1 July 2000 to 2020 with WPP 2024's own estimates.

    Rates are held constant within their 5-year age groups; the step from 1 July y to
    1 July y+1 takes the 5-year-period rates of the period containing it and the calendar-year
    TFR and net-migration total of year y. (Averaging years y and y+1 instead, since the step
    straddles both, was tried: the 2020 total then misses by 0.15%, against 0.01% this way.)
    SRB is a time path, which the engine reads at the step's centre (y + 0.5).
    """
    wpp = shared / "wpp2024"
    WPP_FIXTURE.mkdir(parents=True, exist_ok=True)
    years = range(2000, 2020)

    pop = pd.read_csv(wpp / "pop_age5_midyear_decadal.csv")
    pop = pop[pop.country_code == CHINA]
    base_rows = []
    for code, sex in SEX_CODES.items():
        sel = pop[(pop.year == 2000) & (pop.sex == code)].sort_values("age")
        groups = sel["value"].to_numpy() * 1000
        single = np.append(split_closed_groups(sel["age"].to_numpy()[:-1], 100, groups[:-1]), groups[-1])
        base_rows += [{"sex": sex, "age": a, "population": round(float(v), 3)} for a, v in enumerate(single)]
    pd.DataFrame(base_rows).to_csv(WPP_FIXTURE / "base_2000.csv", index=False)

    def period_of(year: int) -> str:
        start = year - year % 5
        return f"{start}-{start + 5}"

    mx = pd.read_csv(wpp / "mx_abridged_5yr_periods.csv")
    mx = mx[mx.country_code == CHINA]
    mort_rows = []
    for year in years:
        for code, sex in SEX_CODES.items():
            sel = mx[(mx.period == period_of(year)) & (mx.sex == code)].sort_values("age")
            single = step_single_year(sel["mx"].to_numpy())
            mort_rows += [{"year": year, "sex": sex, "age": a, "mx": float(v)} for a, v in enumerate(single)]
    pd.DataFrame(mort_rows).to_csv(WPP_FIXTURE / "mortality.csv", index=False)

    tfr = pd.read_csv(wpp / "tfr.csv")
    tfr = tfr[(tfr.country_code == CHINA) & (tfr.stat == "estimate")].set_index("year")["value"]
    pasfr = pd.read_csv(wpp / "pasfr_5yr_periods.csv")
    pasfr = pasfr[pasfr.country_code == CHINA]
    fert_rows = []
    for year in years:
        sel = pasfr[pasfr.period == period_of(year)].sort_values("age")
        for group_start, share in zip(sel["age"], sel["pasfr"]):
            asfr = tfr[year] * share / 100 / 5
            fert_rows += [{"year": year, "age": a, "asfr": float(asfr)} for a in range(group_start, group_start + 5)]
    pd.DataFrame(fert_rows).to_csv(WPP_FIXTURE / "fertility.csv", index=False)

    profile = pd.read_csv(wpp / "migration_by_age.csv")
    profile = profile[(profile.country_code == CHINA) & (profile.year == 2023)]
    profile_total = profile["value"].sum()
    totals = pd.read_csv(wpp / "migration_total.csv")
    totals = totals[(totals.country_code == CHINA) & (totals.stat == "estimate")].set_index("year")["value"]
    mig_rows = []
    for year in years:
        scale = totals[year] / profile_total * 1000
        for code, sex in SEX_CODES.items():
            sel = profile[profile.sex == code].sort_values("age")
            mig_rows += [{"year": year, "sex": sex, "age": int(a), "net_migrants": float(v * scale)}
                         for a, v in zip(sel["age"], sel["value"])]
    pd.DataFrame(mig_rows).to_csv(WPP_FIXTURE / "migration.csv", index=False)

    srb = pd.read_csv(wpp / "srb.csv")
    srb = srb[(srb.country_code == CHINA) & (srb.stat == "estimate")].set_index("year")["value"]
    srb_lines = "\n".join(f"        {year}: {srb[year]}" for year in years)

    expected = []
    for year in (2000, 2010, 2020):
        sel = pop[pop.year == year]
        total = sel["value"].sum()
        expected.append({
            "year": year,
            "population_total": round(total * 1000),
            "share_60plus": sel.loc[sel.age >= 60, "value"].sum() / total,
            "share_65plus": sel.loc[sel.age >= 65, "value"].sum() / total,
        })
    pd.DataFrame(expected).to_csv(WPP_FIXTURE / "expected.csv", index=False)

    (WPP_FIXTURE / "scenario.yaml").write_text(
        "# China 2000 → 2020 with UN WPP 2024's own estimated inputs (see README.md here).\n"
        "# Generated by scripts/build_data.py; all tables are used as given, without calibration.\n"
        "name: wpp_china_check\n"
        "region: China (UN WPP 2024)\n"
        "stages: []\n"
        "years: {base: 2000, end: 2020, reference_month: 7}\n"
        "population:\n"
        "  base: {table: base_2000.csv}\n"
        "  mortality: {table: mortality.csv}\n"
        "  fertility:\n"
        "    table: fertility.csv\n"
        "    srb:\n"
        "      unit: males_per_female\n"
        "      source: UN WPP 2024, sexRatio1dt (estimates)\n"
        "      values:\n"
        f"{srb_lines}\n"
        "  migration: {table: migration.csv}\n"
        "outputs: {charts: false}\n",
        encoding="utf-8",
    )


def uncertainty_series(shared: Path) -> None:
    """China's mortality by 5-year period (Lee–Carter) and yearly TFR (fertility AR(1)),
    UN WPP 2024 estimates only."""
    mx = pd.read_csv(shared / "wpp2024" / "mx_abridged_5yr_periods.csv")
    mx = mx[(mx.country_code == 156) & mx.sex.isin(["M", "F"]) & (mx.year_label <= 2018)]
    mx = mx.assign(sex=mx.sex.map({"M": "male", "F": "female"}))
    mx[["period", "year_label", "sex", "age", "mx"]].to_csv(DATA / "lee_carter_mx_china.csv", index=False)
    tfr = pd.read_csv(shared / "wpp2024" / "tfr.csv")
    tfr = tfr[(tfr.country_code == 156) & (tfr.stat == "estimate")]
    tfr[["year", "value"]].rename(columns={"value": "tfr"}).to_csv(DATA / "tfr_history_china.csv", index=False)


def main() -> None:
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "data")
    DATA.mkdir(parents=True, exist_ok=True)
    census(shared)
    wpp_china_paths(shared)
    mortality_standard(shared)
    fertility_shape(shared)
    migration_schedule()
    wpp_fixture(shared)
    uncertainty_series(shared)
    print(f"wrote {DATA} and {WPP_FIXTURE}")


if __name__ == "__main__":
    main()
