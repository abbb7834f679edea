"""Care providers as Mesa agents, and the waiting list they admit from.

Each month every provider with free places, in a random order (the institutions' as
`shuffle_do` draws it), fills them from the head of the waiting list for its kind of care;
institutions do so in two rounds, nursing-type beds first. The list is ordered by the priority rule (severe first by default) and, within a
priority, first come first served. Institutions match grade to bed type as the care stage does
(`care.nursing_grades`): a person of a nursing grade takes a free nursing-type bed first and
otherwise a general bed (counted as under-served if severe, and moved to a nursing bed of the
same home when one frees); other grades take general beds only.
"""

from __future__ import annotations

import mesa
import numpy as np

from ..states import COMMUNITY, HOME, HOME_CARE, INSTITUTION, SEVERE


class WaitingList:
    """Applicants for one setting, in the order they are served."""

    def __init__(self, model, setting: int, interim: bool = False):
        """Those who want `setting` and are not in it; `interim`: those waiting for a bed with
        no formal care meanwhile (the applicants for interim home care)."""
        people = model.people
        if interim:
            wanting = np.flatnonzero(people.view("active") & (people.view("wants") == INSTITUTION)
                                     & (people.view("setting") == HOME))
        else:
            wanting = np.flatnonzero(people.view("active") & (people.view("wants") == setting)
                                     & (people.view("setting") != setting))
        severe = people.state[wanting] == SEVERE
        rank = np.where(severe, 0, 1) if model.arrays.priority == "severe_first" else np.zeros(len(wanting))
        order = np.lexsort((wanting, people.wait_since[wanting], rank))
        self.rows = wanting[order]
        self.nursing = model.arrays.nursing_grades[people.state[self.rows]]
        self.area = people.area[self.rows]
        self.any_area = model.month - people.wait_since[self.rows] >= model.arrays.other_area_after_months
        self.open = np.ones(len(self.rows), dtype=bool)
        self.left = np.bincount(self.area, minlength=len(model.arrays.areas))  # open applicants by area
        self.open_count = len(self.rows)
        self.eligible: dict[tuple, np.ndarray] = {}   # see take

    def take(self, count: int, area: int | None = None, nursing_only: bool = False,
             crossing: bool = True) -> np.ndarray:
        """Remove and return the first `count` applicants a provider may admit: from its own
        area (None: any), or from another after the crossing wait (the move penalty)."""
        if count <= 0 or not self.open_count:
            return self.rows[:0]
        key = (area, nursing_only, crossing)
        if key not in self.eligible:   # the places on the list such a provider may admit, in order
            fits = np.ones(len(self.rows), dtype=bool)
            if area is not None:
                fits &= (self.area == area) | (self.any_area if crossing else False)
            if nursing_only:
                fits &= self.nursing
            self.eligible[key] = np.flatnonzero(fits)
        eligible = self.eligible[key]
        chosen = eligible[self.open[eligible]][:count]
        if len(chosen):
            self.open[chosen] = False
            self.left -= np.bincount(self.area[chosen], minlength=len(self.left))
            self.open_count -= len(chosen)
        return self.rows[chosen]


class Column:
    """An agent's attribute held in an array of the model (`model.<table>.<name>[agent.index]`),
    so that the model can count, cap and sum the places of all providers at once while each
    provider still reads and fills its own."""

    def __init__(self, table: str):
        self.table = table

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return int(getattr(getattr(agent.model, self.table), self.name)[agent.index])

    def __set__(self, agent, value) -> None:
        getattr(getattr(agent.model, self.table), self.name)[agent.index] = value


class Institution(mesa.Agent):
    """An elder-care home (养老机构): general and nursing-type beds, a price, an area (urban or
    rural, or a county), public or private. Self-caring residents (the healthy, not agents)
    fill general beds up to their demand and then keep them: in private homes before the
    disabled waiting (abm.supply.private_self_caring_first), elsewhere those the disabled leave empty."""

    # beds, and their use by people in need (kept as they are placed and leave) and by the self-caring
    general_beds, nursing_beds = Column("homes"), Column("homes")
    general_used, nursing_used = Column("homes"), Column("homes")
    healthy_residents = Column("homes")

    def __init__(self, model, index: int, area: int, public: bool):
        super().__init__(model)
        self.index, self.area, self.public = index, area, public   # its beds: the model's each month

    def admit_nursing(self, waiting: WaitingList) -> None:
        """First round: free nursing beds to applicants of a nursing grade (after the model has
        moved the home's own residents of a nursing grade from general beds into them)."""
        free_nursing = self.nursing_beds - self.nursing_used
        self.model.place(waiting.take(free_nursing, self.area, nursing_only=True), INSTITUTION, self, nursing=True)

    def admit_general(self, waiting: WaitingList) -> None:
        """Second round: general beds to the list in order (self-caring residents keep theirs);
        then, if the home lets them (abm.supply.let_nursing_beds), nursing beds nobody of a
        nursing grade took to the rest of the list, so that no bed stands empty while someone waits."""
        model = self.model
        free_general = self.general_beds - self.general_used - self.healthy_residents
        model.place(waiting.take(free_general, self.area), INSTITUTION, self, nursing=False)
        if model.arrays.let_nursing_beds:
            model.place(waiting.take(self.nursing_beds - self.nursing_used, self.area), INSTITUTION, self, nursing=True)

class CommunityCentre(mesa.Agent):
    """A community elder-care centre (社区养老服务设施) with day-care places, serving users of
    its own area only. Self-caring users take the places the disabled leave
    (counted by the model, not by centre)."""

    capacity, used = Column("places"), Column("places")

    def __init__(self, model, index: int, area: int, weight: float):
        super().__init__(model)
        self.index, self.area, self.weight = index, area, weight

    def admit(self, waiting: WaitingList) -> None:
        free = self.capacity - self.used
        if free > 0 and waiting.left[self.area]:
            self.model.place(waiting.take(free, self.area, crossing=False), COMMUNITY, self)


class HomeCareService(mesa.Agent):
    """The city's home-care workforce (居家上门服务), in worker-hours per month."""

    def __init__(self, model):
        super().__init__(model)
        self.hours = 0.0
        self.hours_used = 0.0

    def admit(self, waiting: WaitingList) -> None:
        model = self.model
        people = model.people
        # After a month in which users worsened, the hours may not cover them all: the most
        # recently admitted lose the service first and go back on the list.
        users = np.flatnonzero(people.view("active") & (people.view("setting") == HOME_CARE))
        need = model.arrays.home_care_hours[people.state[users]]
        if need.sum() > self.hours:
            order = np.lexsort((users, people.since[users]))
            kept = np.cumsum(need[order]) <= self.hours
            model.suspend_home_care(users[order][~kept])
            need = need[order][kept]
        self.hours_used = float(need.sum())
        # Then the list, in order, as far as the free hours go; then, if the scenario says so,
        # people waiting for a bed get home care meanwhile and keep their place in the bed queue.
        self._serve(waiting)
        if model.arrays.interim_home_care:
            self._serve(WaitingList(model, HOME_CARE, interim=True), interim=True)

    def _serve(self, waiting: WaitingList, interim: bool = False) -> None:
        model = self.model
        applicants = waiting.rows[waiting.open]
        hours = model.arrays.home_care_hours[model.people.state[applicants]]
        fits = int(np.searchsorted(np.cumsum(hours), self.hours - self.hours_used, side="right"))
        model.place(waiting.take(fits), HOME_CARE, self, interim=interim)
        self.hours_used += float(hours[:fits].sum())
