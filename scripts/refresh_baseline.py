"""Refresh the regression baseline of headline figures (tests/data/baseline_headlines.csv).

Run only after a deliberate change of the model or its defaults, and say why in the commit:

    python scripts/refresh_baseline.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.scenario import load_scenario  # noqa: E402
from model.baseline import baseline_figures  # noqa: E402
from model.runner import run_scenario  # noqa: E402

BASELINE = ROOT / "tests" / "data" / "baseline_headlines.csv"


def main() -> None:
    result = run_scenario(load_scenario(ROOT / "configs" / "base.yaml", {"stages": ["pension", "care"]}))
    baseline_figures(result).to_csv(BASELINE, index=False, float_format="%.10g")
    print(f"wrote {BASELINE}")


if __name__ == "__main__":
    main()
