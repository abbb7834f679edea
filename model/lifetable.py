"""Period life tables from central death rates, and mortality-level calibration to e0.

Conventions (Preston, Heuveline & Guillot 2001, *Demography*, ch. 3):

* ``q = n·m / (1 + (n − a)·m)`` for closed age intervals of width ``n``; ``q = 1`` in the
  open interval, where ``L = l / m``.
* ``a`` (mean years lived in the interval by those who die in it) is ``n/2`` except at age 0,
  where single-year tables use the Andreev–Kingkade rule in its m0 form (Andreev & Kingkade
  2015, Demographic Research 33:363–390; HMD Methods Protocol v6, 2017).
* Radix l0 = 1.

All functions are vectorised over leading axes: ``mx`` has shape ``(..., n_ages)``.
Sex is the axis just before age where it matters, ordered ``(male, female)``.

Mortality level is calibrated by proportional hazards: ``mx(t) = k(t) · mx_standard``, with
``k`` solved numerically (vectorised bisection on log k) so that e0 hits the target path.
This keeps the age pattern of the standard schedule and moves its level only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SEXES = ("male", "female")
OPEN_AGE = 100
N_AGES = OPEN_AGE + 1

# Andreev–Kingkade a0 from m0: (upper m0 bound of segment, intercept, slope) per segment.
_A0_SEGMENTS = {
    "male": ((0.02300, 0.14929, -1.99545), (0.08307, 0.02832, 3.26021), (np.inf, 0.29915, 0.0)),
    "female": ((0.01724, 0.14903, -2.05527), (0.06891, 0.04667, 3.88089), (np.inf, 0.31411, 0.0)),
}


def andreev_kingkade_a0(m0: np.ndarray, sex: str) -> np.ndarray:
    """Mean age at death of infants dying before age 1, from the infant death rate m0."""
    m0 = np.asarray(m0, dtype=float)
    a0 = np.empty_like(m0)
    lower = -np.inf
    for upper, intercept, slope in _A0_SEGMENTS[sex]:
        in_segment = (m0 >= lower) & (m0 < upper)
        a0 = np.where(in_segment, intercept + slope * m0, a0)
        lower = upper
    return a0


def single_year_a0(mx: np.ndarray) -> np.ndarray:
    """a0 for single-year schedules shaped (..., 2, n_ages), sexes ordered (male, female)."""
    return np.stack(
        [andreev_kingkade_a0(mx[..., i, 0], sex) for i, sex in enumerate(SEXES)], axis=-1
    )


@dataclass(frozen=True)
class LifeTable:
    """Columns of a period life table, each shaped like ``mx`` (..., n_ages); radix 1."""

    mx: np.ndarray
    ax: np.ndarray
    qx: np.ndarray
    lx: np.ndarray
    dx: np.ndarray
    Lx: np.ndarray
    Tx: np.ndarray
    ex: np.ndarray

    @property
    def e0(self) -> np.ndarray:
        """Life expectancy at birth, shape (...)."""
        return self.ex[..., 0]

    @property
    def e60(self) -> np.ndarray:
        """Life expectancy at 60 (single-year tables), shape (...)."""
        return self.ex[..., 60]


def life_table(mx: np.ndarray, ax: np.ndarray, widths: np.ndarray | None = None) -> LifeTable:
    """Build a life table; the last age interval is open.

    Args:
        mx: central death rates per person-year, shape (..., n_ages), all > 0 in the open age.
        ax: person-years lived in the interval by those dying in it, same shape (the open
            interval's value is ignored and replaced by 1/m).
        widths: interval widths n, shape (n_ages,); single years if omitted.

    Example:
        >>> lt = life_table(np.full(101, 0.02), np.full(101, 0.5))
        >>> round(float(lt.e0), 2)
        50.0
    """
    mx = np.asarray(mx, dtype=float)
    n = np.ones(mx.shape[-1]) if widths is None else np.asarray(widths, dtype=float)
    qx = n * mx / (1 + (n - ax) * mx)
    qx[..., -1] = 1.0
    qx = np.minimum(qx, 1.0)
    survival = np.cumprod(1 - qx[..., :-1], axis=-1)
    lx = np.concatenate([np.ones(mx.shape[:-1] + (1,)), survival], axis=-1)
    dx = lx * qx
    Lx = n * lx - (n - ax) * dx
    Lx[..., -1] = lx[..., -1] / mx[..., -1]
    ax = ax.copy()
    ax[..., -1] = 1 / mx[..., -1]
    Tx = np.cumsum(Lx[..., ::-1], axis=-1)[..., ::-1]
    with np.errstate(invalid="ignore", divide="ignore"):
        ex = np.where(lx > 0, Tx / lx, 0.0)
    return LifeTable(mx=mx, ax=ax, qx=qx, lx=lx, dx=dx, Lx=Lx, Tx=Tx, ex=ex)


def single_year_life_table(mx: np.ndarray) -> LifeTable:
    """Life table for single-year schedules shaped (..., 2, 101) with sexes (male, female)."""
    ax = np.full_like(np.asarray(mx, dtype=float), 0.5)
    ax[..., 0] = single_year_a0(mx)
    return life_table(mx, ax)


def pooled_e0(mx: np.ndarray, male_share: np.ndarray, widths: np.ndarray | None = None) -> np.ndarray:
    """Both-sexes life expectancy as UN WPP defines it: e0 of the life table of the two sexes'
    combined death rates, w(x)·mx_male(x) + (1 − w(x))·mx_female(x), where w (..., 101) is the
    male share of the population at each age (combined deaths over combined exposure).
    mx has shape (..., 2, n_ages), single years unless `widths` are given; a0 is the sexes'
    Andreev–Kingkade values weighted alike, other ages' ax half the interval."""
    w = np.asarray(male_share, dtype=float)
    both = w * mx[..., 0, :] + (1 - w) * mx[..., 1, :]
    a0 = single_year_a0(mx)
    ax = np.full_like(both, 0.5) if widths is None else np.broadcast_to(np.asarray(widths) / 2, both.shape).copy()
    ax[..., 0] = w[..., 0] * a0[..., 0] + (1 - w[..., 0]) * a0[..., 1]
    return life_table(both, ax, widths).e0


# Multipliers of the standard schedule tried by the solver: e0 targets needing more than
# a 50-fold change of every death rate are refused rather than extrapolated.
LOG_MULTIPLIER_RANGE = (np.log(1 / 50), np.log(50))


def _solve_level(e0_of, target: np.ndarray) -> np.ndarray:
    """log multiplier k with e0_of(k) = target elementwise; ValueError if a target is out of
    reach. Newton's method on k from no change: e0 falls smoothly and nearly linearly in the
    log of a proportional hazard, so four or five steps (two evaluations each, the slope by a
    forward difference) bring every element within 1e-10 years, where bisection over the
    range took 36; steps are kept inside LOG_MULTIPLIER_RANGE."""
    target = np.asarray(target, dtype=float)
    log_k = np.zeros_like(target)
    for _ in range(40):
        miss = e0_of(log_k) - target
        if np.abs(miss).max() < 1e-10:
            break
        slope = (e0_of(log_k + 1e-6) - miss - target) / 1e-6
        log_k = np.clip(log_k - miss / np.minimum(slope, -1e-9), *LOG_MULTIPLIER_RANGE)
    if np.abs(e0_of(log_k) - target).max() > 1e-6:
        lowest = float(np.max(e0_of(np.full_like(target, LOG_MULTIPLIER_RANGE[1]))))
        highest = float(np.min(e0_of(np.full_like(target, LOG_MULTIPLIER_RANGE[0]))))
        raise ValueError(
            f"an e0 of {float(np.ravel(target)[np.argmax(np.abs(e0_of(log_k) - target))]):g} cannot be reached "
            f"by scaling the standard schedule; reachable about {lowest:.1f} to {highest:.1f}"
        )
    return log_k


def calibrate_by_sex(mx_standard: np.ndarray, e0_target: np.ndarray) -> np.ndarray:
    """Scale mx_standard (2, 101) so each sex's e0 equals e0_target (..., 2).

    Returns mx shaped (..., 2, 101).
    """
    def e0_of(log_k):
        return single_year_life_table(np.exp(log_k)[..., None] * mx_standard).e0

    return np.exp(_solve_level(e0_of, e0_target))[..., None] * mx_standard


def calibrate_common(mx_standard: np.ndarray, e0_target: np.ndarray, male_share: np.ndarray) -> np.ndarray:
    """Scale both sexes of mx_standard (2, 101) by one factor so that the pooled both-sexes e0
    (`pooled_e0`, with the population's male share by age, (..., 101)) hits e0_target (...,).

    The female–male gap is then the standard schedule's own. Returns mx shaped (..., 2, 101).
    """
    def e0_of(log_k):
        return pooled_e0(np.exp(log_k)[..., None, None] * mx_standard, male_share)

    return np.exp(_solve_level(e0_of, e0_target))[..., None, None] * mx_standard


def calibrate_pooled_by_sex(mx_standard: np.ndarray, e0_target: np.ndarray, gap: np.ndarray,
                            male_share: np.ndarray) -> np.ndarray:
    """Calibrate each sex (`calibrate_by_sex`) to e0 female − male = `gap` with the pooled
    both-sexes e0 at e0_target (...,): the male level is moved by the pooled miss until it
    is within 0.0001 years (a few steps: the pooled e0 moves nearly one for one)."""
    male = e0_target - gap / 2
    for _ in range(20):
        mx = calibrate_by_sex(mx_standard, np.stack([male, male + gap], axis=-1))
        miss = e0_target - pooled_e0(mx, male_share)
        if np.all(np.abs(miss) < 1e-4):
            break
        male = male + miss
    return mx
