"""The care model's vocabulary, defined once: who counts as old, the health states, and the
care settings of the care-demand stage and the agent-based module."""

from __future__ import annotations

# 老年人: people aged 60 and over (中华人民共和国老年人权益保障法, Art. 2); the care model's ages.
OLD_AGE = 60

# Health states, in the order of every state axis (care_demand, abm).
STATES = ("healthy", "mild", "severe")
HEALTHY, MILD, SEVERE = range(len(STATES))

# Care settings the care mix splits people between (care.mix, abm.mixes.*.shares).
SETTINGS = ("home", "community", "institution")

# Where a person in need is cared for in the agent-based module: at home with the family only,
# with formal home care (居家上门), in community day care (社区), in an institution (机构).
ABM_SETTINGS = ("home", "home_care", "community", "institution")
HOME, HOME_CARE, COMMUNITY, INSTITUTION = range(len(ABM_SETTINGS))
