"""Calibrate the pension stage to the published fund accounts and print the values to paste
into configs/base.yaml, then the back-tests. Method: `model/pension_accounts.py`.

Shanxi's 2020 employee-scheme share, retiree share, average pension and contribution base are
fitted to its 2024 yearbook row (configs/shanxi.yaml); the back-tests set Shanxi and a
projection of China (with Shanxi's contribution base) beside their published accounts.

    python scripts/calibrate_pension.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.errors import ScenarioError  # noqa: E402
from model.pension_accounts import back_test, calibrate_to_accounts, calibrated  # noqa: E402
from model.scenario import load_scenario  # noqa: E402

NATION = {"population": {"base": {"census_region": "全国"}}, "stages": ["pension"], "name": "china", "title": "全国",
          "years": {"end": 2024}}


def main() -> None:
    shanxi = load_scenario(ROOT / "configs" / "shanxi.yaml")
    fit = calibrate_to_accounts(shanxi, "山西省", 2024)
    china = load_scenario(ROOT / "configs" / "base.yaml", NATION).overlaid(
        {"pension": {"employee": {"base_to_wage": fit["base_to_wage"]}}})
    print(f"山西省 2024: spending per retiree {fit['spending_per_retiree']:,.0f} yuan a month, "
          f"contributions {fit['contributions'] / 1e8:,.1f} 亿元")
    for key in ("average_pension", "base_to_wage", "employee_share", "employee_retiree_share"):
        print(f"{key}: {fit[key]:.4f}")
    print(back_test(calibrated(shanxi, fit, 2024), "山西省").to_string(index=False))
    print(back_test(china, "全国").to_string(index=False))


if __name__ == "__main__":
    try:
        main()
    except ScenarioError as error:
        sys.exit(f"error: {error}")
