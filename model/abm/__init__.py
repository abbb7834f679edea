"""Agent-based care-mix module: people in need of care and their providers, month by month.

`experiment.run_care_abm(scenario, population, states, pension)` runs every mix of the
scenario's `abm:` section and returns abm.csv's rows. See model.py for the monthly step.
(Nothing is imported here, so that a worker process running replicates loads only
replicate.py, model.py and what they need.)
"""
