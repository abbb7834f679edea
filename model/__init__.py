"""silverplan: a planning simulator for population ageing in Chinese cities.

Stages (see DESIGN.md): `demography.project_population` → pensions, care demand and the
agent-based care module. `runner.run_scenario` chains them; `cli` is the `simulate` command.
"""
