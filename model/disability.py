"""Disability prevalence by sex and single age 60..100+, fitted to a definition's published targets.

Each grade's prevalence is a logistic curve in age with an upper asymptote,

    p(x) = c / (1 + exp(−k (x − m))),   ceiling c, midpoint m, slope k,

fitted for each sex to three published figures of the definition in force (`care.definitions`):

- the share of the 60+ with the condition (one figure for both sexes and a women-to-men ratio),
  read over China's 2020 census population (the population those shares describe);
- the share among centenarians (CLHLS), which is what holds the curve below 1 at the oldest ages;
- either the share of life after 60 lived with the condition (a Sullivan DFLE figure, read over
  the life table of that figure: WPP 2020 death rates above 60 scaled to its life expectancy at
  60), or the ratio of the shares in two age bands (the age gradient of a survey).

Three parameters and three targets per sex, so the fit is exact when the figures agree with a
logistic shape; a miss beyond `care.calibration.max_miss` is refused. Two curves are fitted:
the top grade (`severe`) and any grade (`disabled`); the lower grade is their difference.
The curves describe the nation; the region's base-year prevalence is them × the provincial
factor, read over its own population (`care_demand`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import census
from .bundled import standard_mortality
from .demography import split_census_groups
from .errors import ScenarioError
from .lifetable import single_year_life_table
from .states import OLD_AGE

AGES = np.arange(OLD_AGE, 101)     # 60..100 (100 = 100+)


def logistic(params: np.ndarray) -> np.ndarray:
    """Prevalence by age 60..100 (..., 41) from parameters (..., 3): logit of the ceiling,
    midpoint age, log slope."""
    ceiling = 1 / (1 + np.exp(-params[..., 0:1]))
    return ceiling / (1 + np.exp(-np.exp(params[..., 2:3]) * (AGES - params[..., 1:2])))


def person_years_from_60(lt) -> np.ndarray:
    """Person-years lived at each age 60..100 by a life table's cohort (..., 41): L(x), and T(100)
    for the open age. Divided by l(60), summed with a prevalence as weights: Sullivan's years
    lived in a state after 60."""
    years = lt.Lx[..., OLD_AGE:].copy()
    years[..., -1] = lt.Tx[..., -1]
    return years


@lru_cache(maxsize=None)
def _reference(e60_male: float, e60_female: float) -> tuple[np.ndarray, np.ndarray]:
    """China's 2020 population aged 60..100+ by sex (2, 41), and the person-years lived at each
    age by the life table of the DFLE figures (2, 41; the open age's are T(100))."""
    mx = standard_mortality().copy()
    target = (e60_male, e60_female)
    for sex in range(2):   # bisection on one factor on the death rates at 60+ (e60 falls as it rises)
        low, high = 0.2, 3.0
        for _ in range(60):
            factor = (low + high) / 2
            trial = mx.copy()
            trial[sex, OLD_AGE:] *= factor
            if single_year_life_table(trial).ex[sex, OLD_AGE] > target[sex]:
                low = factor
            else:
                high = factor
        mx[sex, OLD_AGE:] *= (low + high) / 2
    table = single_year_life_table(mx)
    population = split_census_groups(census.census_groups("全国"), table.Lx)[:, OLD_AGE:]
    return population, person_years_from_60(table)


def band(ages: tuple[int, int]) -> slice:
    """Ages low..high (inclusive, 100 = 100+) as a slice of the care ages."""
    return slice(ages[0] - OLD_AGE, ages[1] - OLD_AGE + 1)


def statistics(prevalence: np.ndarray, population: np.ndarray, years: np.ndarray,
               low: slice = slice(0, 1), high: slice = slice(0, 1)) -> np.ndarray:
    """The four target quantities of prevalence curves (..., 41) for one sex's population and
    person-years (41,): share of the 60+, share at 100+, share of life after 60, and the share
    in the `high` ages ÷ the share in the `low` ages. Returns (..., 4)."""
    def share(part):
        return (prevalence[..., part] * population[part]).sum(axis=-1) / population[part].sum()
    life = (prevalence * years).sum(axis=-1) / years.sum()
    return np.stack([share(slice(None)), prevalence[..., -1], life, share(high) / share(low)], axis=-1)


def sex_shares(total: float, female_to_male: float, population: np.ndarray) -> np.ndarray:
    """Men's and women's shares of the 60+ from the share of both sexes and women's ÷ men's."""
    men, women = population.sum(axis=-1)
    male = total * (men + women) / (men + female_to_male * women)
    return np.array([male, female_to_male * male])


def fit_curve(targets: np.ndarray, which: list[int], population: np.ndarray, years: np.ndarray,
              max_miss: float, what: str, bands: tuple[slice, slice] = (slice(0, 1), slice(0, 1))):
    """Logistic parameters (2, 3) for each sex reaching `targets` (2, 3), the statistics at
    indices `which` of `statistics` (`bands`: its low and high ages). Gauss–Newton on the
    relative misses; returns the parameters and the relative misses reached (2, 3)."""
    params = np.array([[0.0, 90.0, np.log(0.1)]] * 2)   # a starting point of the solver, not an input
    step = 1e-6

    def misses(p):   # (..., 2, 3)
        reached = np.stack([statistics(logistic(p[..., s, :]), population[s], years[s], *bands)[..., which]
                            for s in range(2)], axis=-2)
        return reached / targets - 1

    for _ in range(100):
        trial = params + np.concatenate([np.zeros((1, 3)), step * np.eye(3)])[:, None, :]   # (4, 2, 3)
        value = misses(trial)
        residual = value[0]
        jacobian = np.moveaxis((value[1:] - residual) / step, 0, -1)                     # (2, 3 misses, 3 params)
        change = np.stack([np.linalg.lstsq(jacobian[s], -residual[s], rcond=None)[0] for s in range(2)])
        params = params + change * min(1.0, 1.0 / max(np.abs(change).max(), 1e-12))
        if np.abs(change).max() < 1e-10:
            break
    reached = misses(params)
    worst = np.abs(reached).max()
    if not np.isfinite(worst) or worst > max_miss:
        raise ScenarioError(f"{what}: no logistic age curve reaches these targets (missed by up to {worst:.0%}); "
                            "check that they describe one definition")
    return params, reached


def prevalence_curves(definition, e60: tuple[float, float], max_miss: float, name: str) -> tuple[np.ndarray, dict]:
    """National prevalence by sex, state (healthy, mild, severe) and age (2, 3, 41) for a
    definition of `care.definitions`, and the fit: the largest relative miss of a target."""
    population, years = _reference(*e60)
    curves, worst = {}, 0.0
    for grade in ("severe", "disabled"):
        spec = getattr(definition, grade)
        first = sex_shares(spec.share_60plus.value(), spec.female_to_male.value(), population)
        old = [spec.share_100plus.male.value(), spec.share_100plus.female.value()]
        bands = (slice(0, 1), slice(0, 1))
        if spec.life_share is not None:
            third, index = [spec.life_share.male.value(), spec.life_share.female.value()], 2
        else:
            gradient = spec.age_gradient
            third, index = [gradient.ratio.value()] * 2, 3
            bands = (band(gradient.low_ages), band(gradient.high_ages))
        targets = np.stack([first, old, third], axis=1)
        params, reached = fit_curve(targets, [0, 1, index], population, years, max_miss,
                                    f"care.definitions.{name}.{grade}", bands)
        curves[grade] = logistic(params)
        worst = max(worst, float(np.abs(reached).max()))
    mild = curves["disabled"] - curves["severe"]
    if (mild < -1e-9).any():
        age = int(AGES[np.argmax((mild < -1e-9).any(axis=0))])
        raise ScenarioError(f"care.definitions.{name}: the 'disabled' curve falls below the 'severe' one at age {age}; "
                            "any grade must include the top grade")
    severe = curves["severe"]
    return np.stack([1 - curves["disabled"], np.maximum(mild, 0), severe], axis=1), {"care_fit_reference_miss": worst}
