"""Agent-based care-mix module: people in need of care and their providers, month by month.

`run_care_abm(scenario, population, states, pension)` runs every mix of the scenario's
`abm:` section and returns abm.csv's rows. See model.py for the monthly step.
"""

from .experiment import run_care_abm

__all__ = ["run_care_abm"]
