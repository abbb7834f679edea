"""The care-mix model: a Mesa model stepping month by month from 1 November of the base year.

Each month, in order:

1. **Capacity** follows the mix's plan (beds, nursing-type share, day-care places, home-care
   hours); a cut closes only empty places, so capacity is never below use.
2. **Allocation**: institutions, then community centres, in a random order each, then the
   home-care service, fill their free places from the waiting lists (see agents.py); private
   homes give general beds to self-caring residents first; people still waiting for a bed take
   home care meanwhile where hours are free.
3. **Record**: on each 1 November (months 0, 12, …) the stocks of the year, collected by a Mesa
   `DataCollector` with one reporter per stock metric of the registry.
4. **Events** of the month: people whose need began arrive and choose a setting; deaths,
   recoveries (back to the healthy pool) and worsening (mild → severe, who choose again unless
   already in an institution). Costs of the month are added to the year's flows.
5. **Year end** (October): everyone is a year older; net migration at 60+ and the new
   60-year-olds, both as the population projection has them; the next year's events drawn.

Health follows exactly the care stage's yearly probabilities (deaths by state, then moves
among survivors), with each person's one event of the year placed in a random month, so the
expected counts are the aggregate model's (tests/test_abm.py checks it). The healthy 60+ stay
a pool of counts by sex and age. Care settings do not change health (an assumption).
"""

from __future__ import annotations

from types import SimpleNamespace

import mesa
import numpy as np

from .. import metrics
from ..lifetable import N_AGES
from ..states import ABM_SETTINGS, COMMUNITY, HEALTHY, HOME, HOME_CARE, INSTITUTION, MILD, OLD_AGE, SEVERE, STATES
from .agents import CommunityCentre, HomeCareService, Institution, WaitingList
from .living import arrangement
from .people import (ARRIVE, DIE, FORMAL, GROUP_LIVING, GROUP_OLD, GROUP_SCHEME, GROUP_STATE, NO_EVENT, OLD_OLD,
                     RECOVER, WORSEN, People, calibrate_levels, choice_odds, choose, draw_attributes, odds_group,
                     stochastic_round)
from .replicate import MixArrays

OPEN_AGE = N_AGES - 1 - OLD_AGE  # age index of 100+ (ages are counted from 60)
# Institution residents' price groups: grade × nursing-type bed × public home.
COST_SHAPE = (3, 2, 2)
COST_STATE, COST_NURSING, COST_PUBLIC = np.unravel_index(np.arange(np.prod(COST_SHAPE)), COST_SHAPE)

# What each recorded metric is, from the registry: agents' counts are scaled back to persons;
# flows are summed over the months of a projection year and present in every year.
SCALED = {m.key for m in metrics.of_table("abm") if m.scaled}
# The yearly census of stocks on 1 November, one Mesa reporter per stock metric of the registry.
STOCKS = tuple(m.key for m in metrics.of_table("abm") if m.kind == "stock")
# The places of an institution, held by the model (agents.Column).
HOME_COLUMNS = ("general_beds", "nursing_beds", "general_used", "nursing_used", "healthy_residents")
# Internal totals behind the mean waits (popped in `results`).
FLOWS = tuple(m.key for m in metrics.of_table("abm") if m.kind == "flow") + ("wait_months_total", "queue_exits",
                                                                             "queue_months_total")


def split_integer(total: float, weights: np.ndarray) -> np.ndarray:
    """round(total) split in proportion to weights, largest remainders first (sums exactly)."""
    total = int(round(total))
    exact = total * weights / weights.sum()
    whole = np.floor(exact).astype(np.int64)
    short = total - whole.sum()
    if short > 0:
        whole[np.argsort(-(exact - whole), kind="stable")[:short]] += 1
    return whole


class CareMixModel(mesa.Model):
    """One run of one care mix."""

    def __init__(self, arrays: MixArrays, seed: int):
        super().__init__(rng=seed)   # model.rng and model.random: choices and the providers' turns
        # People's lives — who they are, when they fall ill, worsen, recover, move or die — come
        # from a stream of their own, so the same seed gives the same people with the same health
        # histories under every mix (common random numbers); only their care differs.
        self.lives = np.random.default_rng([seed, 1])
        self.arrays = arrays
        self.month = 0
        self.people = People()
        self.flows: dict[tuple[int, str], float] = {(int(year), metric): 0.0 for year in arrays.years[:-1]
                                                    for metric in FLOWS}
        self.census: dict[str, float] = {}        # the stocks of the latest 1 November, read by the reporters
        self.census_years: list[int] = []
        self.datacollector = mesa.DataCollector(
            model_reporters={key: (lambda model, key=key: model.census[key]) for key in STOCKS})
        self.recovered = np.zeros((2, OPEN_AGE + 1), dtype=np.int64)
        self.bed_queue_lengths: list[int] = []   # people waiting for a bed after each month's allocation
        self.odds_by_month: dict[tuple[int, bool], np.ndarray] = {}   # see _group_odds
        self._create_providers()
        self.planned_beds = arrays.beds[0]

        # Base-year people: the care stage's counts, rounded to whole agents.
        counts = stochastic_round(self.lives, arrays.counts[0] / arrays.scale)  # (2, 3, 41)
        self.pool = counts[:, HEALTHY].copy()
        for state in (MILD, SEVERE):
            for sex in (0, 1):
                self._add_people(np.repeat(np.arange(OPEN_AGE + 1), counts[sex, state]), sex, state, active=True)
        # Odds levels: at base-year prices without subsidy these people split by the base year's
        # shares (the observed use, the same for every mix).
        self._review(0)
        self._draw_year(0)

    # ------------------------------------------------------------------ setting up

    def _create_providers(self) -> None:
        i = self.arrays
        # Institutions: groups of area × public/private holding beds in the stated shares (at
        # least one home in each group that has beds); the homes of a group are the same size.
        groups = [(area, public) for area in range(len(i.areas)) for public in (True, False)]
        ownership = {True: i.institution_public_share, False: 1 - i.institution_public_share}
        widest = i.bed_area_shares.max(axis=0)   # homes wherever beds are planned in some month
        bed_share = np.array([widest[area] * ownership[public] for area, public in groups])
        homes = np.maximum(split_integer(max(i.institutions - (bed_share > 0).sum(), 0), bed_share), 0) + (bed_share > 0)
        # The providers' places, one entry per provider (read and written by the agents' Columns).
        self.homes = SimpleNamespace(**{name: np.zeros(int(homes.sum()), dtype=np.int64) for name in HOME_COLUMNS})
        self.institutions = mesa.agent.AgentSet([], random=self.random)
        for (area, public), n in zip(groups, homes):
            for _ in range(n):
                self.institutions.add(Institution(self, len(self.institutions), area, public))
        centres = np.maximum(split_integer(max(i.community_centres - len(i.areas), 0), i.centre_area_shares), 0) + 1
        self.places = SimpleNamespace(capacity=np.zeros(int(centres.sum()), dtype=np.int64),
                                      used=np.zeros(int(centres.sum()), dtype=np.int64))
        self.centres = mesa.agent.AgentSet([], random=self.random)
        for area, n in enumerate(centres):
            for _ in range(n):
                self.centres.add(CommunityCentre(self, len(self.centres), area, i.centre_area_shares[area] / n))
        self.home_care = HomeCareService(self)
        self.institution_list = list(self.institutions)   # by index
        self.centre_list = list(self.centres)
        # A home's share of its area's beds (its group's ownership share ÷ the group's homes):
        # × each month's share of the area (`bed_area_shares`) it is the home's share of the beds.
        in_group = {(a.area, a.public): 0 for a in self.institution_list}
        for a in self.institution_list:
            in_group[(a.area, a.public)] += 1
        self.home_share_of_area = np.array([ownership[a.public] / in_group[(a.area, a.public)]
                                            for a in self.institution_list])
        self.centre_weights = np.array([a.weight for a in self.centre_list])
        self.home_public = np.array([a.public for a in self.institution_list])
        self.home_area = np.array([a.area for a in self.institution_list])
        self.centre_area = np.array([a.area for a in self.centre_list])

    def _add_people(self, ages: np.ndarray, sex: int, state: int, active: bool, months=None) -> np.ndarray:
        i = self.arrays
        attributes = draw_attributes(self.lives, len(ages), i.people_area_shares, i.employee_share, i.living_shares,
                                     sex, ages)
        extra = {} if active else {"event": ARRIVE, "event_month": months}
        return self.people.add(len(ages), active=active, sex=sex, age=ages, state=state, setting=HOME,
                               wants=HOME, **attributes, **extra)

    # ------------------------------------------------------------------ the month

    def step(self) -> None:
        k = self.month
        year = int(self.arrays.years[0]) + k // 12
        self._set_capacity(k)
        self._allocate()
        p = self.people
        self.bed_queue_lengths.append(int((self._in_bed_queue(slice(0, p.size)) & p.view("active")).sum()))
        if k % 12 == 0:
            self._record_stocks(year)
        if k < self.arrays.months - 1:
            self._add_costs(k, year)
            self._monthly_events(k % 12, year)
            if k % 12 == 11:
                self._end_year(k // 12)
        self.month += 1

    def run(self) -> None:
        while self.month < self.arrays.months:
            self.step()

    def _set_capacity(self, k: int) -> None:
        i = self.arrays
        homes, places = self.homes, self.places
        weights = i.bed_area_shares[k, self.home_area] * self.home_share_of_area
        beds = split_integer(i.beds[k] / i.scale, weights)
        nursing = np.minimum(split_integer(i.beds[k] * i.nursing_share[k] / i.scale, weights), beds)
        homes.nursing_beds[:] = np.maximum(nursing, homes.nursing_used)
        homes.general_beds[:] = np.maximum(beds - nursing, homes.general_used)
        # General beds converted to nursing beds: self-caring residents move out first.
        homes.healthy_residents[:] = np.minimum(homes.healthy_residents, homes.general_beds - homes.general_used)
        places.capacity[:] = np.maximum(split_integer(i.daycare_users[k] / i.scale, self.centre_weights), places.used)
        self.home_care.hours = i.home_care_hours_supply[k] / i.scale
        pool = self.pool.sum()
        self.healthy_institution_demand = pool * i.shares[k // 12, HEALTHY, 2]
        self.healthy_community_demand = pool * i.shares[k // 12, HEALTHY, 1]
        if k > 0:
            self.flows[(self._flow_year(k), "public_cost")] += (max(0.0, i.beds[k] - self.planned_beds)
                                                                * i.new_bed_subsidy[k] / i.scale)
        self.planned_beds = i.beds[k]

    def _allocate(self) -> None:
        # Self-caring residents leave at the healthy pool's own rate (death or disability).
        self.homes.healthy_residents[:] = self.rng.binomial(self.homes.healthy_residents, 1 - self.healthy_turnover)
        # Residents of a nursing grade in general beds move to free nursing beds of their home
        # (a home's own beds only, so before any admission), then the homes admit in turn.
        self._move_to_nursing_beds()
        waiting = WaitingList(self, INSTITUTION)
        homes = self.homes
        self._institutions_turn("admit_nursing", waiting, homes.nursing_beds - homes.nursing_used)
        if self.arrays.private_self_caring_first:   # private homes fill general beds with the self-caring first
            self._refill_healthy_residents(private_only=True)
        free = homes.general_beds - homes.general_used - homes.healthy_residents
        if self.arrays.let_nursing_beds:
            free = free + homes.nursing_beds - homes.nursing_used
        self._institutions_turn("admit_general", waiting, free)
        self._refill_healthy_residents()
        # Day-care centres take their turns in a random order like shuffle_do, but the round
        # stops once nobody is left waiting (there are 1,000-odd centres and a few applicants).
        waiting = WaitingList(self, COMMUNITY)
        for index in self.rng.permutation(len(self.centre_list)):
            if not waiting.open_count:
                break
            self.centre_list[index].admit(waiting)
        free_places = int((self.places.capacity - self.places.used).sum())
        self.healthy_community_users = min(free_places, round(self.healthy_community_demand))
        self.home_care.admit(WaitingList(self, HOME_CARE))

    def _institutions_turn(self, method: str, waiting: WaitingList, free: np.ndarray) -> None:
        """The homes call `method` in a random order, the order `shuffle_do` would draw;
        homes with no `free` bed are passed over and the round ends once nobody waits (a
        home's free beds change only in its own turn)."""
        if not waiting.open_count:
            return
        order = list(range(len(self.institution_list)))
        self.random.shuffle(order)   # as AgentSet.shuffle_do does, so the turns are Mesa's
        for index in order:
            if free[index] > 0:
                getattr(self.institution_list[index], method)(waiting)
                if not waiting.open_count:
                    break

    def _flow_year(self, k: int) -> int:
        """The projection year of what happens at the start of month k ≥ 1: the allocation at
        month 12 (1 November of the next year) closes the year before, so that
        stock(y + 1) = stock(y) + flows(y)."""
        return int(self.arrays.years[0]) + (k - 1) // 12

    def _refill_healthy_residents(self, private_only: bool = False) -> None:
        """Self-caring residents take empty general beds (of private homes only, or of any),
        up to their demand, spread over the homes in proportion to the room each has."""
        homes = self.homes
        room = np.maximum(0, homes.general_beds - homes.general_used - homes.healthy_residents)
        if private_only:
            room[self.home_public] = 0
        coming = min(int(room.sum()), max(0, round(self.healthy_institution_demand) - int(homes.healthy_residents.sum())))
        if coming > 0:
            homes.healthy_residents += split_integer(coming, room.astype(float))

    # ------------------------------------------------------------------ moving people

    def place(self, rows: np.ndarray, setting: int, provider, nursing: bool = False, interim: bool = False) -> None:
        """Admit `rows` to `provider`; they leave the place they had (`interim`: home care
        while they keep waiting for a bed)."""
        if not len(rows):
            return
        p = self.people
        if setting == INSTITUTION and self.month > 0:
            self._left_bed_queue(rows, self._flow_year(self.month), admitted=True)
        self._leave(rows)
        p.setting[rows], p.nursing_bed[rows], p.since[rows] = setting, nursing, self.month
        p.provider[rows] = getattr(provider, "index", -1)
        if setting == INSTITUTION:
            if nursing:
                provider.nursing_used += len(rows)
            else:
                provider.general_used += len(rows)
            if self.month > 0:  # the base-year placement is not an admission
                year = self._flow_year(self.month)
                self.flows[(year, "admissions_institution")] += len(rows)
                self.flows[(year, "wait_months_total")] += float((self.month - p.wait_since[rows]).sum())
        elif setting == COMMUNITY:
            provider.used += len(rows)

    def _in_bed_queue(self, rows) -> np.ndarray:
        """Whether each of `rows` (row numbers or a slice) wants a bed and has none."""
        p = self.people
        return (p.wants[rows] == INSTITUTION) & (p.setting[rows] != INSTITUTION)

    def _left_bed_queue(self, rows: np.ndarray, year: int, admitted: bool = False) -> None:
        """Count the months `rows` spent in the bed queue as they leave it: admitted at this
        allocation (counted in the queue after each allocation before it), or by death,
        recovery, moving away or a new choice after it (counted after this one too)."""
        queued = rows[self._in_bed_queue(rows)]
        if not len(queued):
            return
        end = self.month if admitted else self.month + 1
        self.flows[(year, "queue_exits")] += len(queued)
        self.flows[(year, "queue_months_total")] += float((end - self.people.wait_since[queued]).sum())

    def _leave(self, rows: np.ndarray) -> None:
        """Free the places of `rows` (they go home unless placed elsewhere)."""
        p = self.people
        setting = p.setting[rows]
        residents = rows[setting == INSTITUTION]
        if len(residents):
            nursing = p.nursing_bed[residents]
            np.subtract.at(self.homes.nursing_used, p.provider[residents[nursing]], 1)
            np.subtract.at(self.homes.general_used, p.provider[residents[~nursing]], 1)
        attending = rows[setting == COMMUNITY]
        if len(attending):
            np.subtract.at(self.places.used, p.provider[attending], 1)
        p.setting[rows], p.provider[rows], p.nursing_bed[rows] = HOME, -1, False

    def _move_to_nursing_beds(self) -> None:
        """Residents of a nursing grade in general beds move to the free nursing beds of their
        own home, longest resident first. (The places in use are counted as people are placed
        and leave: `place`, `_leave`.)"""
        homes, p = self.homes, self.people
        free = homes.nursing_beds - homes.nursing_used
        if not (free > 0).any():
            return
        residents = np.flatnonzero(p.view("active") & (p.view("setting") == INSTITUTION))
        underserved = residents[~p.nursing_bed[residents] & self.arrays.nursing_grades[p.state[residents]]
                                & (free[p.provider[residents]] > 0)]
        underserved = underserved[np.lexsort((underserved, p.since[underserved], p.provider[underserved]))]
        found, starts = np.unique(p.provider[underserved], return_index=True)
        for home, waiting in zip(found.tolist(), np.split(underserved, starts[1:])):
            moving = waiting[: free[home]]
            p.nursing_bed[moving] = True
            homes.nursing_used[home] += len(moving)
            homes.general_used[home] -= len(moving)

    def suspend_home_care(self, rows: np.ndarray) -> None:
        """Home-care users the hours no longer cover go back on its list (those waiting for
        another setting keep their place on that list)."""
        p = self.people
        p.setting[rows] = HOME
        back = rows[p.wants[rows] == HOME_CARE]
        p.wait_since[back] = self.month + 1

    # ------------------------------------------------------------------ choosing

    def _payers(self, k: int, setting: int, state: np.ndarray, price: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """What the LTC insurance and the subsidy pay of each gross `price` (yuan a month) in
        month k for people of `state` in FORMAL setting `setting`: the insurance its share, then
        the subsidy, never more than the rest."""
        i = self.arrays
        insured = i.insurance[k, setting, state] * price
        return insured, np.minimum(i.subsidy[k, setting, state], price - insured)

    def _odds_groups(self, rows: np.ndarray) -> np.ndarray:
        """Each row's group of shared relative odds (people.odds_group)."""
        p = self.people
        return odds_group(p.state[rows], p.scheme[rows], p.living[rows], p.age[rows])

    def _group_odds(self, month: int, levers: bool) -> np.ndarray:
        """Relative odds (groups, FORMAL) of each group of people.odds_group, cached by month."""
        key = (month, levers)
        if key not in self.odds_by_month:
            i, state = self.arrays, GROUP_STATE
            index = i.price_index[month]
            bed = np.where(i.nursing_grades[state], i.price_nursing, i.price_general)   # the bed they would take
            mean_factor = i.institution_public_share * i.public_price_factor + 1 - i.institution_public_share
            prices = np.stack([np.full(len(state), i.price_daycare * index), bed * mean_factor * index,
                               i.home_care_hours[state] * i.price_home_care * index], axis=1)
            if levers:
                for setting in range(len(FORMAL)):
                    prices[:, setting] -= sum(self._payers(month, setting, state, prices[:, setting]))
            ability = i.pension_income[month, GROUP_SCHEME] + i.family_support[month, GROUP_LIVING]
            self.odds_by_month[key] = choice_odds(GROUP_LIVING, np.where(GROUP_OLD, OLD_OLD, 0), ability, prices,
                                                  i.institution_odds, i.institution_odds_80plus, i.price_elasticity)
        return self.odds_by_month[key]

    def _review(self, t: int) -> None:
        """The yearly review at the stock date of year t, in two parts.

        The year's odds levels, used by everyone who decides during the year (new cases, those
        who worsen), are set so that these people, at year t's prices without subsidy, would
        split by year t's shares on the path from the observed use to the mix (no new residents
        while residents already exceed the year's count). Then the people at home who are not
        waiting choose again with levels that make up the year's counts: residents, day-care
        users (unless more than the year's count) and everyone waiting keep their place. With
        places for all, each 1 November's use is the path's; subsidies, prices and capacity move
        what actually happens."""
        p = self.people
        month = min(self.month, self.arrays.months - 1)
        active = np.flatnonzero(p.view("active"))
        groups = self._odds_groups(active)
        odds = self._group_odds(month, levers=False)
        wants, setting = p.wants[active], p.setting[active]
        waiting = (wants != setting) & (wants != HOME)
        # Who keeps their place, by the setting (home, community, institution) they count in.
        fixed = np.stack([waiting & (wants == HOME_CARE),
                          (setting == COMMUNITY) | (waiting & (wants == COMMUNITY)),
                          (setting == INSTITUTION) | (waiting & (wants == INSTITUTION))])
        targets = self.arrays.shares[t].copy()
        during_year = targets.copy()
        for state in (MILD, SEVERE):
            mine = p.state[active] == state
            people = mine.sum()
            if (mine & fixed[2]).sum() >= targets[state, 2] * people:
                # Residents already exceed the year's count (the mix lowers institutional use):
                # new cases do not add to them; they shrink as residents die or recover.
                during_year[state] = np.array([*targets[state, :2] / targets[state, :2].sum() * (1 - 1e-6), 1e-6])
            # Day-care users beyond the year's count choose again (a day-care place is not a
            # home); residents do not leave. Formal home care is a share of those at home
            # (its uptake), so everyone at home chooses again.
            if (mine & fixed[1]).sum() > targets[state, 1] * people:
                fixed[1] &= ~(mine & (setting == COMMUNITY))
            held = (fixed & mine).sum(axis=1)
            choosers = people - held.sum()
            if choosers > 0:   # the choosers' shares that give the year's counts in every setting
                institution = min(max(targets[state, 2] * people - held[2], 0.0) / choosers, 1.0)
                community = min(max(targets[state, 1] * people - held[1], 0.0) / choosers, 1.0 - institution)
                shares = np.array([1.0 - institution - community, community, institution])
                targets[state] = np.clip(shares, 1e-6, 1.0) / np.clip(shares, 1e-6, 1.0).sum()  # odds stay finite
        uptake = self.arrays.home_care_uptake
        everyone = np.bincount(groups, minlength=len(GROUP_STATE))
        self.levels = calibrate_levels(GROUP_STATE, odds, during_year, uptake, weights=everyone)
        choosers = ~fixed.any(axis=0)
        review = calibrate_levels(GROUP_STATE, odds, targets, uptake,
                                  weights=np.bincount(groups[choosers], minlength=len(GROUP_STATE)))
        self._decide(active[choosers], review)

    def _decide(self, rows: np.ndarray, levels: np.ndarray | None = None) -> None:
        """People whose need began or changed choose a setting (with the year's odds levels,
        or `levels`) and, if it is a formal one they are not in, join its waiting list."""
        if not len(rows):
            return
        p, month = self.people, min(self.month, self.arrays.months - 1)
        wants = choose(self.rng, self._odds_groups(rows), self._group_odds(month, levers=True),
                       self.levels if levels is None else levels)
        # The wait starts at the next allocation (the month's events come after this month's;
        # the base year's choices come before its first), so a person admitted there has
        # waited 0 months.
        starts_waiting = (wants != p.setting[rows]) & (wants != p.wants[rows])
        if self.bed_queue_lengths:   # after the first allocation (before it nobody has queued)
            self._left_bed_queue(rows[wants != INSTITUTION], self._flow_year(self.month + 1))
            self.flows[(self._flow_year(self.month + 1), "bed_queue_entries")] += int(
                (starts_waiting & (wants == INSTITUTION)).sum())
        p.wait_since[rows[starts_waiting]] = self.month + (1 if self.bed_queue_lengths else 0)
        p.wants[rows] = wants
        self._leave(rows[(wants == HOME) & (p.setting[rows] != HOME)])
        home_care_ends = rows[(wants == HOME) & (p.setting[rows] == HOME_CARE)]
        p.setting[home_care_ends] = HOME

    # ------------------------------------------------------------------ health events

    def _draw_year(self, t: int) -> None:
        """The year's event of every person and the pool's deaths and new cases, each in a month."""
        i, p, rng = self.arrays, self.people, self.lives
        year = int(i.years[t])
        rows = np.flatnonzero(p.view("active"))
        sex, state, age = p.sex[rows], p.state[rows], p.age[rows]
        cell = (sex.astype(np.intp) * 3 + state) * (OPEN_AGE + 1) + age   # index into (sex, state, age) tables
        dies = rng.random(len(rows)) < i.death[t].ravel()[cell]
        cumulative = np.cumsum(i.move[t], axis=2)   # (sex, state, to state, age): sum the table first
        draw = rng.random(len(rows))
        new_state = ((draw >= cumulative[:, :, 0].ravel()[cell]).astype(np.int8)
                     + (draw >= cumulative[:, :, 1].ravel()[cell]))
        event = np.where(dies, DIE, np.where(new_state == HEALTHY, RECOVER,
                                             np.where(new_state > state, WORSEN, NO_EVENT)))
        p.event[rows] = event
        p.event_month[rows] = rng.integers(0, 12, len(rows))

        # The healthy pool: deaths, then onsets among the survivors (the care stage's order).
        deaths = rng.binomial(self.pool, i.death[t, :, HEALTHY])
        survivors = self.pool - deaths
        to_mild = i.move[t, :, HEALTHY, MILD]
        mild = rng.binomial(survivors, to_mild)
        severe = rng.binomial(survivors - mild, np.minimum(i.move[t, :, HEALTHY, SEVERE] / np.maximum(1 - to_mild, 1e-12), 1))
        for state, new in ((MILD, mild), (SEVERE, severe)):
            for s in (0, 1):
                ages = np.repeat(np.arange(OPEN_AGE + 1), new[s])
                self._add_people(ages, s, state, active=False, months=rng.integers(0, 12, len(ages)))
        self.pool_survivors = survivors - mild - severe
        self.healthy_turnover = 1 - (1 - (deaths.sum() + mild.sum() + severe.sum()) / max(self.pool.sum(), 1)) ** (1 / 12)
        self.flows[(year, "deaths_healthy")] += deaths.sum()
        self.flows[(year, "new_cases")] += mild.sum() + severe.sum()

        # Rows with an event, grouped by month.
        due = np.flatnonzero(p.view("event") != NO_EVENT)
        due = due[np.argsort(p.event_month[due], kind="stable")]
        self.due = np.split(due, np.searchsorted(p.event_month[due], np.arange(1, 12)))

    def _monthly_events(self, month_of_year: int, year: int) -> None:
        p = self.people
        rows = self.due[month_of_year]
        event = p.event[rows]
        arriving = rows[event == ARRIVE]
        p.active[arriving] = True
        dying = rows[event == DIE]
        waited = dying[(p.wants[dying] != p.setting[dying]) & (p.wants[dying] != HOME)]
        self.flows[(year, "deaths_waiting")] += len(waited)
        for service, name in ((INSTITUTION, "deaths_waiting_bed"), (COMMUNITY, "deaths_waiting_community"),
                              (HOME_CARE, "deaths_waiting_home_care")):
            self.flows[(year, name)] += int((p.wants[waited] == service).sum())
        for state, name in ((MILD, "deaths_mild"), (SEVERE, "deaths_severe")):
            self.flows[(year, name)] += int((p.state[dying] == state).sum())
        recovering = rows[event == RECOVER]
        np.add.at(self.recovered, (p.sex[recovering], p.age[recovering]), 1)
        self._left_bed_queue(np.concatenate([dying, recovering]), year)
        self._leave(np.concatenate([dying, recovering]))
        p.active[dying] = p.active[recovering] = False
        worsening = rows[event == WORSEN]
        p.state[worsening] = SEVERE
        p.event[rows] = NO_EVENT
        self._decide(np.concatenate([arriving, worsening[p.setting[worsening] != INSTITUTION]]))

    def _end_year(self, t: int) -> None:
        """Ageing, net migration and the new 60-year-olds, then the next year's events."""
        i, p, rng = self.arrays, self.people, self.lives
        year = int(i.years[t])
        rows = np.flatnonzero(p.view("active"))
        p.age[rows] = np.minimum(p.age[rows] + 1, OPEN_AGE)
        p.living[rows] = arrangement(i.living_shares, p.area[rows], p.sex[rows], p.age[rows], p.living_rank[rows])
        healthy = self.pool_survivors + self.recovered
        self.recovered[:] = 0
        self.pool = np.zeros_like(healthy)
        self.pool[:, 1:] = healthy[:, :-1]
        self.pool[:, OPEN_AGE] += healthy[:, OPEN_AGE]

        # Net migration, cell by cell, as the projection has it: leave with 1 − r, or arrive
        # in proportion r − 1 with the cell's own state mix.
        ratio = i.migration[t]
        r = ratio[p.sex[rows], p.age[rows]]
        leaving = rows[rng.random(len(rows)) < 1 - r]
        self._left_bed_queue(leaving, year)
        self._leave(leaving)
        p.active[leaving] = False
        self.flows[(year, "moved_away")] += len(leaving)
        self.pool = np.where(ratio < 1, rng.binomial(self.pool, np.minimum(ratio, 1)),
                             self.pool + rng.poisson(self.pool * np.maximum(ratio - 1, 0)))
        rows = np.flatnonzero(p.view("active"))
        for state in (MILD, SEVERE):
            for sex in (0, 1):
                mine = rows[(p.state[rows] == state) & (p.sex[rows] == sex)]
                cell = np.bincount(p.age[mine], minlength=OPEN_AGE + 1)
                coming = rng.poisson(cell * np.maximum(ratio[sex] - 1, 0))
                self._add_people(np.repeat(np.arange(OPEN_AGE + 1), coming), sex, state, active=True)
        # New 60-year-olds with the care stage's entry mix.
        entering = stochastic_round(rng, i.stocks[t + 1, :, 0] / i.scale)
        for sex in (0, 1):
            mix = np.clip(i.entry[t + 1, sex], 0, None)
            by_state = rng.multinomial(entering[sex], mix / mix.sum())
            self.pool[sex, 0] += by_state[HEALTHY]
            for state in (MILD, SEVERE):
                self._add_people(np.zeros(by_state[state], dtype=int), sex, state, active=True)
        self._review(t + 1)
        p.compact()
        if t + 1 < len(i.years) - 1:
            self._draw_year(t + 1)

    # ------------------------------------------------------------------ recording

    def _add_costs(self, k: int, year: int) -> None:
        """One month of spending, yuan: by users and families (private), by public funds
        (subsidies), by the LTC-insurance fund (insurance)."""
        i, p = self.arrays, self.people
        index = i.price_index[k]
        setting, state = p.view("setting"), p.view("state")   # nobody inactive is in a formal setting (People)
        # Users counted by what sets their price: grade, and in an institution the bed type
        # and public or private (COST_* columns); then each group's price × its count.
        by_setting = np.bincount(setting * len(STATES) + state, minlength=len(ABM_SETTINGS) * len(STATES))
        residents = np.flatnonzero(setting == INSTITUTION)
        group = (state[residents] * 2 + p.nursing_bed[residents]) * 2 + self.home_public[p.provider[residents]]
        in_homes = np.bincount(group, minlength=np.prod(COST_SHAPE))   # row-major in COST_SHAPE
        grades = np.arange(len(STATES))
        users = [(FORMAL.index("institution"), COST_STATE, in_homes,
                  np.where(COST_NURSING, i.price_nursing, i.price_general)
                  * np.where(COST_PUBLIC, i.public_price_factor, 1.0) * index),
                 (FORMAL.index("community"), grades, by_setting.reshape(-1, len(STATES))[COMMUNITY],
                  np.full(3, i.price_daycare * index)),
                 (FORMAL.index("home_care"), grades, by_setting.reshape(-1, len(STATES))[HOME_CARE],
                  i.home_care_hours[grades] * i.price_home_care * index)]
        private = public = insurance = 0.0
        for formal, who, count, price in users:
            insured, subsidy = self._payers(k, formal, who, price)
            private += (price - insured - subsidy) @ count
            public += subsidy @ count
            insurance += insured @ count
        # The self-caring (not agents) pay in full.
        homes = self.homes
        healthy_residents = (homes.healthy_residents * np.where(self.home_public, i.public_price_factor, 1.0)).sum()
        private += healthy_residents * i.price_general * index + self.healthy_community_users * i.price_daycare * index
        public += i.public_bed_subsidy[k] * (homes.general_beds + homes.nursing_beds)[self.home_public].sum()
        self.flows[(year, "private_cost")] += private
        self.flows[(year, "public_cost")] += public
        self.flows[(year, "insurance_cost")] += insurance

    def _record_stocks(self, year: int) -> None:
        i, p = self.arrays, self.people
        t = year - int(i.years[0])
        k = self.month
        active, setting, state, wants = p.view("active"), p.view("setting"), p.view("state"), p.view("wants")
        severe = active & (state == SEVERE)
        waiting = active & (wants != setting) & (wants != HOME)
        resident = active & (setting == INSTITUTION)
        homes = self.homes
        beds = int((homes.general_beds + homes.nursing_beds).sum())
        nursing_beds = int(homes.nursing_beds.sum())
        occupied = int((homes.general_used + homes.nursing_used + homes.healthy_residents).sum())
        occupied_nursing = int(homes.nursing_used.sum())
        severe_residents = (resident & severe).sum()
        elderly = i.stocks[t].sum()
        # Severe people at home without formal care, by reason: waiting for a service that is
        # full in their area; waiting while it has places free there (not yet matched: the
        # month's arrivals, a bed in the other area before the crossing wait); choosing family care.
        without = severe & (setting == HOME)
        no_place = np.zeros(len(without), dtype=bool)
        free = self._free_by_area()
        need = i.home_care_hours[state]
        for service in (INSTITUTION, COMMUNITY, HOME_CARE):
            room = free[service][p.view("area")]
            no_place |= (wants == service) & ((room < need) if service == HOME_CARE else (room <= 0))
        nursing_grade = i.nursing_grades[state]
        healthy_present = int(homes.healthy_residents.sum())
        values = {
            "mild": (active & (state == MILD)).sum(), "severe": severe.sum(),
            "users_home": (active & (setting == HOME)).sum(),
            "users_home_care": (active & (setting == HOME_CARE)).sum(),
            "users_community": (active & (setting == COMMUNITY)).sum(),
            "users_institution": resident.sum(),
            "unmet_need": without.sum(),
            "unmet_waiting": (without & waiting & ~no_place).sum(),
            "unmet_no_capacity": (without & waiting & no_place).sum(),
            "unmet_family": (without & (wants == HOME)).sum(),
            "waiting": waiting.sum(),
            "waiting_institution": (waiting & (wants == INSTITUTION)).sum(),
            "waiting_bed_interim": (waiting & (wants == INSTITUTION) & (setting == HOME_CARE)).sum(),
            "waiting_nursing_bed": (waiting & (wants == INSTITUTION) & nursing_grade).sum(),
            "waiting_general_bed": (waiting & (wants == INSTITUTION) & ~nursing_grade).sum(),
            "self_caring_unplaced": max(0.0, self.healthy_institution_demand - healthy_present),
            "waiting_community": (waiting & (wants == COMMUNITY)).sum(),
            "waiting_home_care": (waiting & (wants == HOME_CARE)).sum(),
            "beds": beds, "nursing_beds": nursing_beds,
            "occupied_beds": occupied, "occupied_nursing_beds": occupied_nursing,
            "empty_beds": beds - occupied, "empty_nursing_beds": nursing_beds - occupied_nursing,
            "self_caring_residents": healthy_present,
            "occupancy": occupied / beds if beds else np.nan,
            "occupancy_nursing": occupied_nursing / nursing_beds if nursing_beds else np.nan,
            "severe_in_general_beds": (resident & severe & ~p.view("nursing_bed")).sum(),
            "severe_in_nursing_share": ((resident & severe & p.view("nursing_bed")).sum() / severe_residents
                                        if severe_residents else np.nan),
            "beds_per_1000": 1000 * beds * i.scale / elderly,
            "beds_norm_per_1000": i.beds_norm[k],
            "daycare_capacity": int(self.places.capacity.sum()),
            "daycare_users": int(self.places.used.sum()) + self.healthy_community_users,
            "home_care_hours": self.home_care.hours, "home_care_hours_used": self.home_care.hours_used,
        }
        if set(values) != set(STOCKS):   # the registry declares every stock recorded, and only those
            raise RuntimeError(f"abm stocks not declared in model/metrics.py: {sorted(set(values) ^ set(STOCKS))}")
        self.census = {metric: float(value) for metric, value in values.items()}
        self.census_years.append(year)
        self.datacollector.collect(self)

    def _free_by_area(self) -> dict[int, np.ndarray]:
        """Free places of each formal service in each area after the month's allocation: beds,
        day-care places, and the home-care hours, which serve the whole city."""
        areas, homes, places = len(self.arrays.areas), self.homes, self.places
        free_beds = homes.general_beds - homes.general_used - homes.healthy_residents + homes.nursing_beds - homes.nursing_used
        return {INSTITUTION: np.bincount(self.home_area, weights=free_beds, minlength=areas),
                COMMUNITY: np.bincount(self.centre_area, weights=places.capacity - places.used, minlength=areas),
                HOME_CARE: np.full(areas, self.home_care.hours - self.home_care.hours_used)}

    def results(self) -> list[tuple[int, str, float]]:
        """(year, metric, value) rows, counts scaled back to persons."""
        flows = dict(self.flows)
        for year in self.arrays.years[:-1]:
            admitted = flows[(int(year), "admissions_institution")]
            waited = flows.pop((int(year), "wait_months_total"))
            flows[(int(year), "mean_wait_months")] = waited / admitted if admitted else np.nan
            exits, queued = flows.pop((int(year), "queue_exits")), flows.pop((int(year), "queue_months_total"))
            flows[(int(year), "mean_queue_months")] = queued / exits if exits else np.nan
            t = int(year) - int(self.arrays.years[0])
            flows[(int(year), "waiting_institution_mean")] = float(np.mean(self.bed_queue_lengths[12 * t:12 * t + 12]))
        census = self.datacollector.get_model_vars_dataframe().set_axis(self.census_years)
        stocks = {(int(year), metric): value for metric, column in census.items() for year, value in column.items()}
        rows = []
        for (year, metric), value in sorted({**stocks, **flows}.items()):
            rows.append((year, metric, value * self.arrays.scale if metric in SCALED else value))
        return rows
