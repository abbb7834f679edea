"""Life tables: textbook values, identities, the a0 rule and calibration to e0."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model import bundled
from model.lifetable import (
    andreev_kingkade_a0,
    calibrate_by_sex,
    calibrate_common,
    calibrate_pooled_by_sex,
    life_table,
    pooled_e0,
    single_year_life_table,
)

DATA = Path(__file__).parent / "data"


def test_preston_austria_1992_abridged_table():
    """Preston, Heuveline & Guillot (2001), Box 3.1: every lx and nLx to the printed unit."""
    book = pd.read_csv(DATA / "textbook" / "preston_box3_1_austria_1992_male.csv")
    mx = (book["deaths_nDx"] / book["pop_nNx"]).to_numpy()
    widths = book["n"].replace(np.inf, 1).to_numpy()
    lt = life_table(mx, book["nax"].to_numpy(), widths)
    np.testing.assert_allclose(lt.lx * 1e5, book["expected_lx"], atol=0.6)
    np.testing.assert_allclose(lt.Lx * 1e5, book["expected_nLx"], atol=0.6)
    assert lt.e0 == pytest.approx(72.889, abs=5e-4)
    np.testing.assert_allclose(lt.ex, book["expected_ex_from_book_nLx"], atol=2e-3)  # e60 18.426 …


def test_single_year_identities():
    mx = bundled.standard_mortality()
    lt = single_year_life_table(mx)
    assert np.all(np.diff(lt.lx, axis=-1) <= 0)
    np.testing.assert_allclose(lt.dx.sum(axis=-1), 1.0, atol=1e-12)
    np.testing.assert_allclose(lt.Tx[..., 0] / lt.lx[..., 0], lt.e0)
    np.testing.assert_allclose(lt.Lx.sum(axis=-1), lt.e0)
    assert np.all(lt.qx[..., -1] == 1)


def test_bundled_standard_reproduces_wpp_e0():
    """UN WPP 2024 China 2020: e0 75.245 (male), 80.999 (female), from its abridged mx.

    Our single-year schedule is a smoothed split of those abridged rates, so e0 agrees to
    about 0.1 year rather than exactly.
    """
    e0 = single_year_life_table(bundled.standard_mortality()).e0
    assert e0[0] == pytest.approx(75.245, abs=0.15)
    assert e0[1] == pytest.approx(80.999, abs=0.15)


@pytest.mark.parametrize(
    "m0, sex, expected",
    [
        (0.01, "male", 0.14929 - 1.99545 * 0.01),
        (0.05, "male", 0.02832 + 3.26021 * 0.05),
        (0.10, "male", 0.29915),
        (0.01, "female", 0.14903 - 2.05527 * 0.01),
        (0.05, "female", 0.04667 + 3.88089 * 0.05),
        (0.10, "female", 0.31411),
    ],
)
def test_andreev_kingkade_segments(m0, sex, expected):
    """HMD Methods Protocol v6 (2017), table 1: a0 from m0 by segment."""
    assert andreev_kingkade_a0(np.array(m0), sex) == pytest.approx(expected)


@pytest.mark.parametrize("sex, breakpoint", [("male", 0.08307), ("female", 0.06891)])
def test_andreev_kingkade_is_continuous_at_the_upper_breakpoint(sex, breakpoint):
    below, above = andreev_kingkade_a0(np.array([breakpoint - 1e-9, breakpoint]), sex)
    assert below == pytest.approx(above, abs=1e-5)


def test_calibration_by_sex_hits_targets():
    targets = np.array([[70.0, 76.0], [75.5, 81.0], [85.0, 90.0]])
    mx = calibrate_by_sex(bundled.standard_mortality(), targets)
    np.testing.assert_allclose(single_year_life_table(mx).e0, targets, atol=1e-6)


def test_common_calibration_hits_the_pooled_target_and_keeps_shape():
    standard = bundled.standard_mortality()
    targets = np.array([77.3, 80.5])
    male_share = np.full((2, 101), 0.51)
    mx = calibrate_common(standard, targets, male_share)
    np.testing.assert_allclose(pooled_e0(mx, male_share), targets, atol=1e-6)
    ratio = mx / standard
    np.testing.assert_allclose(ratio, ratio[..., :1, :1] * np.ones_like(ratio))
    by_sex = calibrate_pooled_by_sex(standard, targets, np.array([5.0, 6.0]), male_share)
    np.testing.assert_allclose(pooled_e0(by_sex, male_share), targets, atol=1e-4)
    np.testing.assert_allclose(np.diff(single_year_life_table(by_sex).e0, axis=-1)[:, 0], [5.0, 6.0], atol=1e-6)


def test_both_sexes_e0_is_wpps_pooled_life_table():
    """WPP's both-sexes death rates are the sexes' rates weighted by the population (China
    2015–2020): the pooled e0 is the e0 of WPP's own both-sexes rates, where the mean of the
    sexes' e0 weighted by the sex ratio at birth (1.112) falls about 0.05 years short."""
    table = pd.read_csv(DATA / "wpp_china" / "pooled_2015_2020.csv")
    ages = table["age"].to_numpy()
    widths = np.diff(np.append(ages, ages[-1] + 1)).astype(float)
    mx = np.stack([table["mx_male"], table["mx_female"]])
    pooled = pooled_e0(mx, table["male_share"].to_numpy(), widths)
    w0 = table["male_share"].iloc[0]
    ax = widths / 2
    ax[0] = w0 * andreev_kingkade_a0(mx[0, 0], "male") + (1 - w0) * andreev_kingkade_a0(mx[1, 0], "female")
    wpp_both = float(life_table(table["mx_both"].to_numpy(), ax, widths).e0)
    assert pooled == pytest.approx(wpp_both, abs=0.005)
    by_sex = [float(life_table(mx[i], np.r_[andreev_kingkade_a0(mx[i, 0], sex), ax[1:]], widths).e0)
              for i, sex in enumerate(("male", "female"))]
    assert (1.112 * by_sex[0] + by_sex[1]) / 2.112 < wpp_both - 0.03
