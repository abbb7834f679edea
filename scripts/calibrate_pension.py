"""Calibrate the pension stage to the published fund accounts and print the values to paste
into configs/base.yaml, then the back-tests. Method: `model/pension_accounts.py`.

1. `employee.award_level` from China's growth of spending per retiree 2021–2024 (a 全国
   projection of configs/base.yaml);
2. Shanxi's 2020 employee-scheme share, retiree share, average pension and contribution base
   from its 2024 accounts (configs/shanxi.yaml);
twice, as each reads the other.

    python scripts/calibrate_pension.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.errors import ScenarioError  # noqa: E402
from model.pension_accounts import back_test, calibrate_award_level, calibrate_to_accounts, calibrated  # noqa: E402
from model.scenario import load_scenario  # noqa: E402

NATION = {"population": {"base": {"census_region": "全国"}}, "stages": ["pension"], "name": "china", "title": "全国"}


def main() -> None:
    shanxi = load_scenario(ROOT / "configs" / "shanxi.yaml")
    china = load_scenario(ROOT / "configs" / "base.yaml", NATION)
    for _ in range(2):
        level = calibrate_award_level(china, "全国", 2021, 2024)
        shanxi = shanxi.overlaid({"pension": {"employee": {"award_level": level}}})
        fit = calibrate_to_accounts(shanxi, "山西省", 2024)
        china = china.overlaid({"pension": {"employee": {"award_level": level, "base_to_wage": fit["base_to_wage"]}}})
    print(f"山西省 2024: spending per retiree {fit['spending_per_retiree']:,.0f} yuan a month, "
          f"contributions {fit['contributions'] / 1e8:,.1f} 亿元")
    print(f"award_level: {level:.4f}")
    for key in ("average_pension", "base_to_wage", "employee_share", "employee_retiree_share"):
        print(f"{key}: {fit[key]:.4f}")
    print(back_test(calibrated(shanxi, fit, 2024), "山西省").to_string(index=False))
    print(back_test(china.overlaid({"years": {"end": 2024}}), "全国").to_string(index=False))


if __name__ == "__main__":
    try:
        main()
    except ScenarioError as error:
        sys.exit(f"error: {error}")
