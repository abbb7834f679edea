"""Calibrate `uncertainty.mortality_scale` and `fertility_scale` of configs/base.yaml to UN
WPP 2024's probabilistic intervals for China, and print the values to paste in.

Lee–Carter fitted to 5-year means and an AR(1) of the TFR give intervals far narrower than
WPP's Bayesian hierarchical projections (which add parameter and model uncertainty). Run on
China's own inputs (census 全国, WPP's median e0 and TFR, uncertain from 2024 as WPP's
projections are), each scale multiplies its sd so that the widths of the 80% and 95%
intervals of e0 (TFR) in 2035 and 2050 match WPP's on average (the geometric mean of the four
width ratios is 1). The widths are nearly proportional to the scale, so two steps suffice.

    python scripts/calibrate_uncertainty.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.scenario import load_scenario  # noqa: E402
from model.uncertainty import CHINA_OVERLAY, WPP_CHECK_YEARS, interval_widths, wpp_interval_widths  # noqa: E402


def ratios(scales: dict) -> dict:
    overlay = {**CHINA_OVERLAY, "uncertainty": {**CHINA_OVERLAY["uncertainty"], **scales}}
    scenario = load_scenario(ROOT / "configs" / "base.yaml", overlay)
    ours, wpp = interval_widths(scenario, WPP_CHECK_YEARS), wpp_interval_widths()
    return {key: ours[key] / wpp[key] for key in wpp}


def main() -> None:
    scales = {"mortality_scale": 1.0, "fertility_scale": 1.0}
    for _ in range(2):
        found = ratios(scales)
        for name, indicator in (("mortality_scale", "e0"), ("fertility_scale", "tfr")):
            mean = np.exp(np.mean([np.log(r) for key, r in found.items() if key[0] == indicator]))
            scales[name] = round(float(scales[name] / mean), 2)
    print("scales:", scales)
    for key, ratio in ratios(scales).items():
        print(f"  {key[0]:4} {key[1]} {key[2]}%: width {ratio:.2f} × WPP's")


if __name__ == "__main__":
    main()
