"""Statutory retirement ages by birth month, before and after the 2025 reform.

Source: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (13 Sep 2024) and the
State Council's 关于渐进式延迟法定退休年龄的办法, in force 1 Jan 2025, Art. 1 and Annex 1–3.
Each rule group is one row of `RULES`: from the first affected birth month, the retirement age
rises by one month for every `step` birth months, up to `cap` months.

Months are counted as integers ``year * 12 + (month - 1)`` throughout.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rule:
    original_age: int       # years, before the reform
    first_birth_year: int   # first affected cohort, born in January of this year
    step: int               # birth months per month of delay
    cap: int                # months of delay at most


RULES = {
    "men": Rule(60, 1965, 4, 36),           # 60 → 63, reached by births from Sep 1976
    "women_cadres": Rule(55, 1970, 4, 36),  # 55 → 58, reached by births from Sep 1981
    "women_workers": Rule(50, 1975, 2, 60),  # 50 → 55, reached by births from Nov 1984
}


def retirement_age_months(group: str, birth_month: np.ndarray, reform: bool = True) -> np.ndarray:
    """Statutory retirement age in months for births in `birth_month` (integer month index)."""
    rule = RULES[group]
    birth_month = np.asarray(birth_month)
    base = rule.original_age * 12
    if not reform:
        return np.full(birth_month.shape, base)
    since_first = birth_month - rule.first_birth_year * 12
    delay = np.where(since_first < 0, 0, np.minimum(rule.cap, since_first // rule.step + 1))
    return base + delay


def retirement_month(group: str, birth_year: int, birth_month: int, reform: bool = True) -> tuple[int, int, int]:
    """(age in months, year, month) of statutory retirement for one birth year-month (1..12)."""
    born = birth_year * 12 + birth_month - 1
    age = int(retirement_age_months(group, np.array(born), reform))
    year, month0 = divmod(born + age, 12)
    return age, year, month0 + 1


def minimum_contribution_years(retirement_year: np.ndarray) -> np.ndarray:
    """15 years for retirements up to 2029, then +0.5 a year to 20 from 2039 (Art. 2)."""
    return np.clip(15 + 0.5 * (np.asarray(retirement_year) - 2029), 15, 20)


def retired_share(group: str, stock_month: int, ages: np.ndarray, reform: bool, early_years: float = 0.0,
                  extra_months: int = 0) -> np.ndarray:
    """Share of people aged `ages` (completed years) on `stock_month` who have reached retirement.

    People aged x on that date were born in the 12 months ending x years earlier; births are
    spread evenly over those months. `early_years` lowers the age (special-occupation early
    retirement, which the reform does not delay); `extra_months` delays the cohorts the
    reform reaches (births from its first affected month, with or without the reform) by that
    much more: a policy lever.
    """
    ages = np.asarray(ages)
    # Aged x on the 1st of stock_month: born in one of the 12 months starting 12·(x+1) months
    # earlier (on 1 Nov 2025, aged 60: born Nov 1964 … Oct 1965).
    births = stock_month - 12 * (ages[:, None] + 1) + np.arange(12)[None, :]
    if early_years:
        age = RULES[group].original_age * 12 - round(12 * early_years)
        retire_at = births + age
    else:
        affected = births >= RULES[group].first_birth_year * 12  # cohorts the reform reaches
        retire_at = births + retirement_age_months(group, births, reform) + np.where(affected, extra_months, 0)
    # Retiring in the month of the birthday: by the 1st of stock_month only earlier months count.
    return (retire_at < stock_month).mean(axis=1)


def new_retirement_age(group: str, stock_month: int, ages: np.ndarray, reform: bool, early_years: float = 0.0,
                       extra_months: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Of people aged `ages` on `stock_month`: the share who retired in the twelve months before
    it, their mean age at retirement in years and their mean completed age at retirement (the
    age the account divisor is read at); NaN where nobody did. The same birth months and rules
    as `retired_share`."""
    ages = np.asarray(ages)
    births = stock_month - 12 * (ages[:, None] + 1) + np.arange(12)[None, :]
    if early_years:
        age = np.full(births.shape, RULES[group].original_age * 12 - round(12 * early_years))
    else:
        affected = births >= RULES[group].first_birth_year * 12
        age = retirement_age_months(group, births, reform) + np.where(affected, extra_months, 0)
    retire_at = births + age
    newly = (retire_at < stock_month) & (retire_at >= stock_month - 12)
    count = newly.sum(axis=1)
    with np.errstate(invalid="ignore"):
        mean_age = np.where(count > 0, (age * newly).sum(axis=1) / np.maximum(count, 1) / 12, np.nan)
        completed = np.where(count > 0, ((age // 12) * newly).sum(axis=1) / np.maximum(count, 1), np.nan)
    return count / 12, mean_age, completed
