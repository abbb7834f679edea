"""The agent-based care-mix module: allocation rules, agreement with the aggregate care model,
reproducible seeds. (Bad ABM parameters are in test_cli.py's table of bad inputs.)"""

import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from conftest import BASE
from model.abm.agents import WaitingList
from model.abm.experiment import run_care_abm
from model.abm.model import CareMixModel
from model.abm.people import People
from model.abm.mix import resolve_mix
from model.care_demand import anchored_shares, project_states, use_shares
from model.states import COMMUNITY, HEALTHY, HOME, INSTITUTION, MILD, SEVERE
from model.scenario import load_scenario
from model.demography import project_population
from model.pension import project_pensions

UNLIMITED = {"beds": {"values": 1e7, "unit": "beds"}, "daycare_places": {"values": 1e7, "unit": "places"},
             "home_care_workers": {"values": 1e6, "unit": "workers"}}
TIGHT = {"beds": {"values": 4000, "unit": "beds"}, "nursing_share": {"values": {2020: 0.3, 2030: 0.6}, "unit": "fraction"},
         "daycare_places": {"values": 3000, "unit": "places"}, "home_care_workers": {"values": 60, "unit": "workers"}}


def stages(overrides: dict):
    scenario = load_scenario(BASE, overrides)
    population = project_population(scenario)
    return scenario, population, project_states(scenario, population), project_pensions(scenario, population)


def model_for(mix: dict, scale: int, seed: int = 7, care: dict | None = None, **abm) -> CareMixModel:
    overrides = {"abm": {"scale": scale, "mixes": {"test": mix}, **abm}, **({"care": care} if care else {})}
    scenario, population, states, pension = stages(overrides)
    return CareMixModel(resolve_mix(scenario, population, states, pension, "test"), seed)


# --------------------------------------------------------------------------- allocation rules


def recount(model):
    """Places in use by people in need, straight from the register."""
    p = model.people
    active, setting, provider = p.view("active"), p.view("setting"), p.view("provider")
    resident = active & (setting == INSTITUTION)
    nursing = np.bincount(provider[resident & p.view("nursing_bed")], minlength=len(model.institution_list))
    general = np.bincount(provider[resident & ~p.view("nursing_bed")], minlength=len(model.institution_list))
    attending = np.bincount(provider[active & (setting == COMMUNITY)], minlength=len(model.centre_list))
    return nursing, general, attending


@pytest.mark.parametrize("priority, nursing_grades", [("severe_first", ["mild", "severe"]), ("first_come", ["severe"])])
def test_capacity_is_never_exceeded_and_nobody_is_in_two_places(priority, nursing_grades):
    model = model_for(TIGHT, scale=20, priority=priority, care={"nursing_grades": nursing_grades})
    peak_waiting = 0
    while model.month < model.arrays.months:
        model.step()
        p = model.people
        nursing, general, attending = recount(model)
        for home in model.institution_list:
            # The providers' own counts agree with where people are …
            assert (home.nursing_used, home.general_used) == (nursing[home.index], general[home.index])
            # … and stay within the beds of each type.
            assert home.nursing_used <= home.nursing_beds
            assert home.general_used + home.healthy_residents <= home.general_beds
        for centre in model.centre_list:
            assert centre.used == attending[centre.index] <= centre.capacity
        assert model.home_care.hours_used <= model.home_care.hours + 1e-9
        active = p.view("active")
        assert (p.view("setting")[~active] == HOME).all() and (p.view("provider")[~active] == -1).all()
        setting, provider = p.view("setting")[active], p.view("provider")[active]
        # One setting and at most one provider each; the provider fits the setting.
        assert ((provider >= 0) == np.isin(setting, [INSTITUTION, COMMUNITY])).all()
        assert (provider[setting == INSTITUTION] < len(model.institution_list)).all()
        # Day care stays in the person's own area; nursing beds hold the nursing grades only.
        centre_areas = np.array([c.area for c in model.centre_list])
        attending_rows = np.flatnonzero(active & (p.view("setting") == COMMUNITY))
        assert (centre_areas[p.provider[attending_rows]] == p.area[attending_rows]).all()
        assert model.arrays.nursing_grades[p.state[np.flatnonzero(active & p.view("nursing_bed"))]].all()
        assert not (p.view("nursing_bed") & (p.view("setting") != INSTITUTION) & active).any()
        peak_waiting = max(peak_waiting, int((active & (p.view("wants") == INSTITUTION)
                                              & (p.view("setting") != INSTITUTION)).sum()))
    assert peak_waiting > 100  # the capacity was tight enough for a queue


def fake_model(wait_since, severe, urban, priority="severe_first", month=20, cross_after=6):
    people = People()
    n = len(wait_since)
    people.add(n, active=True, state=np.where(severe, SEVERE, MILD), area=np.where(urban, 0, 1), wait_since=wait_since,
               wants=INSTITUTION, setting=HOME)
    arrays = SimpleNamespace(priority=priority, other_area_after_months=cross_after, areas=("urban", "rural"),
                             nursing_grades=np.array([False, False, True]))   # nursing beds for the severe only
    return SimpleNamespace(people=people, arrays=arrays, month=month)


def test_the_waiting_list_is_first_come_within_priority():
    wait_since = np.array([5, 3, 8, 3, 1, 19])
    severe = np.array([False, True, True, False, False, True])
    urban = np.array([True, True, True, True, False, True])
    queue = WaitingList(fake_model(wait_since, severe, urban), INSTITUTION)
    assert queue.rows.tolist() == [1, 2, 5, 4, 3, 0]        # severe by wait, then mild by wait; ties by row
    first_come = WaitingList(fake_model(wait_since, severe, urban, priority="first_come"), INSTITUTION)
    assert first_come.rows.tolist() == [4, 1, 3, 0, 2, 5]
    # An urban home takes the first urban applicants, and the rural one who has waited past
    # the crossing time (19 months > 6) in their turn.
    assert queue.take(3, area=0).tolist() == [1, 2, 5]
    assert queue.take(1, area=0).tolist() == [4]
    assert queue.take(5, area=0, nursing_only=True).tolist() == []
    assert queue.take(5, area=0).tolist() == [3, 0]
    # Without the crossing the rural applicant waits for a rural place.
    local = WaitingList(fake_model(wait_since, severe, urban), INSTITUTION)
    assert 4 not in local.take(10, area=0, crossing=False).tolist()


# --------------------------------------------------------------------------- one story with the aggregate model


@pytest.fixture(scope="module")
def unlimited_runs():
    """Four runs at one agent per 5 persons with capacity that never binds."""
    scale, replicates = 5, 4
    scenario, population, states, pension = stages(
        {"abm": {"scale": scale, "replicates": replicates, "processes": 1, "mixes": {"unlimited": UNLIMITED}}})
    table, _ = run_care_abm(scenario, population, states, pension)
    return table.pivot(index="year", columns="metric", values="value"), states, scenario, scale / replicates


def tolerance(expected, persons_per_agent_and_run):
    """Four standard errors of a mean over runs of counts close to Poisson in agents: a count
    of c persons at one agent per k persons, averaged over R runs, has a variance near c·k/R."""
    return 4 * np.sqrt(np.maximum(expected, 1) * persons_per_agent_and_run)


def test_abm_counts_and_deaths_match_the_care_stage(unlimited_runs):
    abm, states, _, k = unlimited_runs
    counts = states.counts.sum(axis=(1, 3))  # (years, state)
    years = abm.index.to_numpy()
    for state, metric in ((MILD, "mild"), (SEVERE, "severe")):
        expected = counts[:, state]
        assert np.all(np.abs(abm[metric].to_numpy() - expected) < tolerance(expected, k)), metric
    # Deaths in each projection year: the care stage's death probabilities × its counts.
    deaths = (states.counts[:-1] * states.death).sum(axis=(1, 3))  # (intervals, state)
    flows = abm.loc[years[:-1]]
    for state, metric in ((HEALTHY, "deaths_healthy"), (MILD, "deaths_mild"), (SEVERE, "deaths_severe")):
        assert np.all(np.abs(flows[metric].to_numpy() - deaths[:, state]) < tolerance(deaths[:, state], k)), metric


def test_without_capacity_limits_nobody_waits(unlimited_runs):
    abm, states, scenario, k = unlimited_runs
    assert (abm["waiting_institution"] == 0).all() and (abm["waiting_community"] == 0).all()
    assert (abm["mean_wait_months"].dropna() == 0).all()  # admitted at the first allocation after choosing


PRICE_LEVERS = ("subsidies", "ltc_insurance")
SUPPLY_LEVERS = ("beds", "beds_per_1000", "beds_held", "nursing_share", "daycare_places", "daycare_factor",
                 "home_care_workers", "home_care_workers_factor")


@pytest.fixture(scope="module")
def every_mix_unlimited():
    """Every mix of base.yaml — its subsidies and insurance — with places for all (its supply
    levers replaced), one agent per person, four runs each."""
    import yaml
    written = yaml.safe_load(BASE.read_text(encoding="utf-8"))["abm"]["mixes"]
    mixes = {name: {**{k: v for k, v in (spec or {}).items() if k not in SUPPLY_LEVERS}, **UNLIMITED}
             for name, spec in written.items()}
    scenario, population, states, pension = stages({"abm": {"scale": 1, "replicates": 4, "processes": 1,
                                                            "mixes": mixes}})
    return scenario, population, states, run_care_abm(scenario, population, states, pension)[0]


def users(table, name):
    """Users (home incl. formal home care, community, institution) by year of one mix."""
    abm = table[table.mix == name].pivot(index="year", columns="metric", values="value")
    return pd.DataFrame({"home": abm.users_home + abm.users_home_care, "community": abm.users_community,
                         "institution": abm.users_institution})


def test_unconstrained_every_mix_without_price_levers_reproduces_the_care_stage_within_2_percent(every_mix_unlimited):
    """One story: with places for all, a mix without subsidy or insurance has the care stage's
    users by setting (its anchored base-year use moving to care.mix) within 2% in every year:
    the supply plans of a mix do not change what people choose."""
    scenario, population, states, table = every_mix_unlimited
    base = anchored_shares(scenario, states.counts[0].sum(axis=(0, 2)))
    shares = np.stack([use_shares(scenario, base, scenario.care.mix, year)[[MILD, SEVERE]] for year in population.years])
    plain = [name for name, mix in scenario.abm.mixes.items() if mix.subsidies == type(mix.subsidies)()
             and mix.ltc_insurance == type(mix.ltc_insurance)()]
    assert set(plain) == {"plan", "bed_expansion"}
    for name in plain:
        reached = users(table, name)
        for t, year in enumerate(population.years.astype(int)):
            expected = states.counts[t].sum(axis=(0, 2))[[MILD, SEVERE]] @ shares[t]   # home, community, institution
            assert np.allclose(reached.loc[year].to_numpy(), expected, rtol=0.02), (name, year, expected.round())


def test_price_levers_move_choices_only_from_the_year_they_start(every_mix_unlimited):
    """Long-term care insurance from 2026 (70% of the price for the severe): the same users as
    without it until then; afterwards more in institutions, fewer with family care only.
    Community and home-care subsidies from 2025 raise day-care use."""
    scenario, population, states, table = every_mix_unlimited
    plan = users(table, "plan")
    insured, community = users(table, "ltc_insurance"), users(table, "community_first")
    assert np.allclose(insured[insured.index <= 2025], plan[plan.index <= 2025], rtol=0.02)
    assert (insured.institution[insured.index >= 2028] > 1.02 * plan.institution[plan.index >= 2028]).all()
    family = table[table.metric == "users_home"].pivot(index="year", columns="mix", values="value")
    assert (family.loc[2027:, "ltc_insurance"] < family.loc[2027:, "plan"]).all()
    assert np.allclose(community[community.index <= 2024], plan[plan.index <= 2024], rtol=0.02)
    assert (community.community[community.index >= 2026] > 1.02 * plan.community[plan.index >= 2026]).all()


def test_every_mix_starts_from_the_same_observed_city(every_mix_unlimited):
    scenario, population, states, table = every_mix_unlimited
    first = table[(table.year == 2020) & (table.metric == "users_institution")].set_index("mix").value
    residents = float(scenario.care.observed_occupancy.at(2020)) * float(scenario.care.beds.at(2020))
    disabled = residents * (1 - scenario.care.base_use.self_caring_share.value())
    assert np.allclose(first, disabled, rtol=0.02), first


# --------------------------------------------------------------------------- seeds and scale


def test_the_same_seed_gives_identical_results_in_one_or_two_processes():
    overrides = {"abm": {"scale": 40, "replicates": 2, "mixes": {"9073": {}, "tight": TIGHT}}}
    scenario, population, states, pension = stages({**overrides, "abm": {**overrides["abm"], "processes": 1}})
    serial, runs = run_care_abm(scenario, population, states, pension)
    parallel_scenario = load_scenario(BASE, {**overrides, "abm": {**overrides["abm"], "processes": 2}})
    parallel, _ = run_care_abm(parallel_scenario, population, states, pension)
    assert serial.to_csv(index=False) == parallel.to_csv(index=False)
    other, _ = run_care_abm(load_scenario(BASE, {**overrides, "seed": 1}), population, states, pension)
    assert not other.equals(serial)
    assert set(serial.mix) == {"9073", "tight"}
    assert (serial.low <= serial.high).all() and not serial.value.isna().any()
    # abm_runs.csv holds each run: its mean over replicates is abm.csv's value, its seeds the replicates'
    assert runs.groupby(["year", "mix", "metric"]).value.mean().sort_index().to_numpy() == pytest.approx(
        serial.set_index(["year", "mix", "metric"]).value.sort_index().to_numpy())
    assert runs.groupby("replicate").seed.nunique().eq(1).all() and runs.seed.nunique() == 2


def test_results_are_scaled_back_to_persons():
    model = model_for({}, scale=50)
    model.run()
    rows = pd.DataFrame(model.results(), columns=["year", "metric", "value"]).set_index(["year", "metric"]).value
    beds = float(load_scenario(BASE).care.beds.at(2020))
    assert rows[(2020, "beds")] == pytest.approx(beds, abs=50 * len(model.institution_list))
    assert rows[(2020, "beds_per_1000")] == pytest.approx(1000 * beds / 640_843, rel=0.01)
    severe = rows[(2020, "severe")]
    assert severe == pytest.approx(15_437, abs=4 * np.sqrt(15_437 * 50))
    assert rows[(2020, "occupancy")] <= 1


# --------------------------------------------------------------------------- queues and common random numbers


@pytest.mark.parametrize("seed", [3, 6])
def test_the_bed_queue_obeys_littles_law(seed):
    """Sample-path Little's law, L = λW over the whole run: the person-months counted in the bed
    queue after each allocation equal the months waited by everyone who left it (admitted,
    died, recovered, moved, chose otherwise) plus those of the people still waiting; and the
    reported mean wait of leavers is those months over those people, year by year."""
    model = model_for(TIGHT, scale=20, seed=seed)
    model.run()
    flows_before_results = dict(model.flows)
    p = model.people
    still = np.flatnonzero(p.view("active") & (p.view("wants") == INSTITUTION) & (p.view("setting") != INSTITUTION))
    censored = float((model.month - p.wait_since[still]).sum())
    exits = sum(v for (_, key), v in flows_before_results.items() if key == "queue_exits")
    waited = sum(v for (_, key), v in flows_before_results.items() if key == "queue_months_total")
    assert exits > 100 and len(still) > 0
    months = len(model.bed_queue_lengths)
    mean_queue = sum(model.bed_queue_lengths) / months
    assert mean_queue == pytest.approx(exits / months * (waited / exits) + censored / months, rel=1e-9)
    reported = {(year, metric): value for year, metric, value in model.results() if metric == "mean_queue_months"}
    for year in range(2021, 2035):
        leavers = flows_before_results[(year, "queue_exits")]
        if leavers:
            assert reported[(year, "mean_queue_months")] == pytest.approx(
                flows_before_results[(year, "queue_months_total")] / leavers)


def test_every_mix_sees_the_same_people_and_health_histories():
    """Common random numbers: replicate r of every mix has the same people falling ill, worsening,
    recovering, moving and dying; only their care differs."""
    overrides = {"abm": {"scale": 20, "replicates": 2, "processes": 1, "mixes": {"9073": {}, "tight": TIGHT}}}
    scenario, population, states, pension = stages(overrides)
    table, _ = run_care_abm(scenario, population, states, pension)
    health = ["mild", "severe", "new_cases", "deaths_healthy", "deaths_mild", "deaths_severe", "moved_away"]
    a, b = (table[(table.mix == name) & table.metric.isin(health)].set_index(["year", "metric"]).value
            for name in ("9073", "tight"))
    pd.testing.assert_series_equal(a, b)
    care = table[table.metric == "users_institution"].pivot(index="year", columns="mix", values="value")
    assert (care["9073"] != care["tight"]).any()


def test_the_erlang_c_cross_check_has_the_textbook_values():
    """M/M/1: P(wait) = ρ; M/M/2 with a = 1: P(wait) = 1/3 (Kleinrock 1975)."""
    sys.path.insert(0, str(BASE.parent.parent / "scripts"))
    from erlang_check import erlang_c
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_comparisons_carry_the_replicate_interval_of_each_mix():
    """compare: a care-mix figure of each scenario keeps its interval over replicates."""
    from model.compare import key_indicators

    def tables(shift):
        rows = [(2035, mix, "waiting_institution", 100.0 + shift, 90.0 + shift, 110.0 + shift)
                for mix in ("plan", "bed_expansion")]
        return {"abm": pd.DataFrame(rows, columns=["year", "mix", "metric", "value", "low", "high"])}

    table = key_indicators({"a": tables(0), "b": tables(50)}, [2035])
    waiting = table[table.indicator == "waiting_institution"].set_index(["scenario", "group"])
    assert waiting.loc[("b", "plan"), ["value", "low", "high", "difference"]].tolist() == [150, 140, 160, 50]
    assert waiting.difference_low.isna().all()   # no runs to pair: no interval for the difference


def test_comparisons_pair_the_runs_of_two_scenarios_by_seed():
    """Two scenarios run with the same seeds share their people and health histories, so the
    difference of their care-mix figures is taken run by run: health figures differ by exactly
    nothing, the bed queue by an interval of its own; another seed is not paired."""
    from model.compare import key_indicators, paired_differences

    def tables(mix, seed=7):
        scenario, population, states, pension = stages(
            {"seed": seed, "abm": {"scale": 40, "replicates": 2, "processes": 1, "mixes": {"plan": mix}}})
        summary, runs = run_care_abm(scenario, population, states, pension)
        return {"abm": summary, "abm_runs": runs}

    runs = {"base": tables({}), "tight": tables(TIGHT), "other": tables({}, seed=8)}
    paired = paired_differences(runs)
    deaths = [paired[("deaths_severe", "plan", year, "tight")] for year in range(2020, 2035)]
    assert deaths == [(0.0, 0.0, 0.0)] * 15
    table = key_indicators(runs, [2025, 2030]).set_index(["indicator", "scenario", "year"]).sort_index()
    queue = table.loc[("waiting_institution", "tight")]
    assert (queue.difference_low <= queue.difference).all() and (queue.difference <= queue.difference_high).all()
    assert (queue.difference_low > 0).all()   # fewer beds: a longer queue in every pair of runs
    assert table.loc[("waiting_institution", "other")].difference_low.isna().all()


def test_people_waiting_for_a_bed_take_home_care_meanwhile_and_deaths_waiting_are_split_by_service():
    """With few beds and ample home-care hours, people in the bed queue get home care while they
    keep their place (abm.behaviour.interim_home_care), so fewer are 'without formal care'."""
    runs = {}
    for interim in (True, False):
        model = model_for({**TIGHT, "home_care_workers": {"values": 5000, "unit": "workers"}}, scale=20,
                          behaviour={"interim_home_care": interim})
        model.run()
        runs[interim] = pd.DataFrame(model.results(), columns=["year", "metric", "value"]).pivot(
            index="year", columns="metric", values="value").loc[2025:]
    on, off = runs[True], runs[False]
    assert off.waiting_institution.min() > 0 and (on.waiting_bed_interim <= on.waiting_institution).all()
    # Without the rule only home-care users who later chose a bed have both.
    assert (on.waiting_bed_interim > 2 * off.waiting_bed_interim).all()
    assert (on.waiting_bed_interim > 0.5 * on.waiting_institution).all()
    assert on.unmet_need.mean() < off.unmet_need.mean()
    flows = on.loc[:2034]
    by_service = flows[["deaths_waiting_bed", "deaths_waiting_community", "deaths_waiting_home_care"]].sum(axis=1)
    assert np.array_equal(by_service, flows.deaths_waiting) and flows.deaths_waiting_bed.sum() > 0


def test_with_observed_preferences_and_places_for_all_the_2020_use_is_held():
    """abm.behaviour.preferences: observed — the observed 2020 use by grade held every year."""
    model = model_for(UNLIMITED, scale=2, behaviour={"preferences": "observed"})
    model.run()
    rows = pd.DataFrame(model.results(), columns=["year", "metric", "value"]).pivot(index="year", columns="metric",
                                                                                     values="value")
    base = model.arrays.shares[0][[MILD, SEVERE]]
    assert np.allclose(model.arrays.shares, model.arrays.shares[0])
    counts = model.arrays.counts.sum(axis=(1, 3))[:, [MILD, SEVERE]]        # (years, grade)
    for t, year in enumerate(model.arrays.years):
        expected = counts[t] @ base
        reached = [rows.at[year, "users_home"] + rows.at[year, "users_home_care"], rows.at[year, "users_community"],
                   rows.at[year, "users_institution"]]
        assert np.allclose(reached, expected, rtol=0.04), (year, reached, expected.round())


# --------------------------------------------------------------------------- living arrangement


def test_living_arrangements_by_age_and_sex_meet_the_surveys_and_move_with_widowhood():
    """The age-sex pattern (abm/living.py) reproduces the 60+'s shares exactly and the women-to-men
    ratio of living alone among the 65+; the shares living with children by sex, which it is
    not fitted to, are the 2019 survey's (women 44.5%, men 38.7%) within 1.5 points. Widowhood:
    the spouse share falls with age, faster for women; living alone rises."""
    from model.abm.mix import living_by_age

    scenario, population, states, _ = stages({})
    shares = living_by_age(scenario, states)[0]   # the same in both areas
    persons = states.counts[0].sum(axis=1)
    assert (shares * persons[..., None]).sum(axis=(0, 1)) / persons.sum() == pytest.approx([0.15, 0.45, 0.40])
    older = persons[:, 5:, None]
    by_sex = (shares[:, 5:] * older).sum(axis=1) / older.sum(axis=1)
    assert by_sex[1, 0] / by_sex[0, 0] == pytest.approx(1.364, rel=1e-6)
    assert by_sex[:, 2] == pytest.approx([0.387, 0.445], abs=0.015)
    spouse, alone = shares[:, :, 1], shares[:, :, 0]
    assert (np.diff(spouse, axis=1) <= 1e-12).all() and (spouse[1, 25] < spouse[0, 25] - 0.1)
    assert alone[1, 25] > alone[1, 0] + 0.1


def test_a_cohort_changes_living_arrangement_as_it_ages_in_the_model():
    """Each person keeps a rank for life; their arrangement follows their age's shares, so the
    register's shares by age are the fitted ones, and some who lived with a spouse at 70 live
    alone or with children at 80."""
    from model.abm.living import arrangement

    model = model_for({}, scale=10)
    p = model.people
    rows = np.flatnonzero(p.view("active"))
    shares = model.arrays.living_shares
    for sex in (0, 1):
        mine = rows[(p.sex[rows] == sex) & (p.age[rows] >= 20)]
        expected = (shares[p.area[mine], sex, p.age[mine]]).mean(axis=0)
        assert np.bincount(p.living[mine], minlength=3) / len(mine) == pytest.approx(expected, abs=0.03)
    rank = np.linspace(0, 1, 1000, endpoint=False, dtype=np.float32)
    at_70, at_80 = (arrangement(shares, np.zeros(1000, dtype=int), np.ones(1000, dtype=int), np.full(1000, age), rank)
                    for age in (10, 20))
    assert ((at_70 == 1) & (at_80 != 1)).sum() > 100 and ((at_70 != 1) & (at_80 == 1)).sum() == 0


def test_impossible_living_shares_are_refused_in_one_line_naming_the_field():
    from model.abm.mix import living_by_age
    from model.errors import ScenarioError

    scenario, population, states, _ = stages({"abm": {"people": {"alone_women_to_men": {"values": 9.0, "unit": "ratio"}}}})
    with pytest.raises(ScenarioError, match=r"^abm\.people\.alone_women_to_men: .*possible"):
        living_by_age(scenario, states)


def test_a_mix_places_its_new_beds_by_area_and_keeps_the_base_years_where_they_are():
    """abm.mixes.<mix>.new_beds_by_area: the base year's beds stay in their areas; the beds the
    plan adds go where the mix says (here all to rural areas); an unknown area is refused."""
    from model.errors import ScenarioError

    def rural_beds(mix, months):
        model = model_for(mix, scale=20)
        found = []
        for _ in range(months):
            model.step()
            homes = model.homes
            found.append(int((homes.general_beds + homes.nursing_beds)[model.home_area == 1].sum()))
        return np.array(found), model.arrays.beds

    default, beds = rural_beds({}, 121)
    rural, _ = rural_beds({"new_beds_by_area": {"rural": 1.0}}, 121)
    assert rural[0] == pytest.approx(default[0], abs=10)   # the same beds; homes differ (rounding per home)
    added = (beds[120] - beds[0]) / 20
    assert added > 100 and rural[120] - rural[0] == pytest.approx(added, abs=len(default))
    assert default[120] - default[0] < 0.6 * added
    with pytest.raises(ScenarioError, match=r"new_beds_by_area: 太谷区 is not an area of this run \(allowed: urban, rural\)"):
        model_for({"new_beds_by_area": {"太谷区": 1.0}}, scale=20)


def test_a_living_table_by_area_sex_and_age_replaces_the_derived_shares(tmp_path):
    """abm.people.living_table (e.g. the census's 居住状况 table): rows for an area or `all`;
    people then live as the table says in their area; gaps and bad rows are refused by name."""
    from model.abm.mix import living_by_age
    from model.errors import ScenarioError

    rows = ["area,sex,age_group,alone,spouse,children"]
    for sex in ("male", "female"):
        rows += [f"all,{sex},60-79,0.1,0.6,0.3", f"all,{sex},80+,0.3,0.2,0.5", f"rural,{sex},60-79,0.2,0.5,0.3",
                 f"rural,{sex},80+,0.4,0.1,0.5"]
    table = tmp_path / "living.csv"
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    scenario, population, states, _ = stages({"abm": {"people": {"living_table": str(table)}}})
    shares = living_by_age(scenario, states)
    assert shares[0, 1, 0].tolist() == pytest.approx([0.1, 0.6, 0.3]) and shares[1, 0, 25].tolist() == pytest.approx([0.4, 0.1, 0.5])
    model = model_for({}, scale=10, people={"living_table": str(table)})
    p = model.people
    old_rural = np.flatnonzero(p.view("active") & (p.area[:p.size] == 1) & (p.age[:p.size] >= 20))
    assert np.bincount(p.living[old_rural], minlength=3) / len(old_rural) == pytest.approx([0.4, 0.1, 0.5], abs=0.04)
    table.write_text("\n".join(rows[:-1]) + "\n", encoding="utf-8")
    scenario, population, states, _ = stages({"abm": {"people": {"living_table": str(table)}}})
    with pytest.raises(ScenarioError, match=r"living_table: no row covers female aged 80 in area 'rural'"):
        living_by_age(scenario, states)
    table.write_text("\n".join([*rows[:1], "suburb,male,60+,0.2,0.5,0.3"]) + "\n", encoding="utf-8")
    scenario, population, states, _ = stages({"abm": {"people": {"living_table": str(table)}}})
    with pytest.raises(ScenarioError, match=r"area 'suburb' is not an area of this run \(allowed: all, urban, rural\)"):
        living_by_age(scenario, states)


def test_odds_groups_name_the_grade_scheme_living_arrangement_and_old_old_they_stand_for():
    from model.abm.people import GROUP_LIVING, GROUP_OLD, GROUP_SCHEME, GROUP_STATE, OLD_OLD, odds_group

    rng = np.random.default_rng(3)
    state, scheme, living = (rng.integers(0, n, 500).astype(np.int8) for n in (3, 2, 3))
    age = rng.integers(0, 41, 500).astype(np.int8)
    group = odds_group(state, scheme, living, age)
    assert (GROUP_STATE[group] == state).all() and (GROUP_SCHEME[group] == scheme).all()
    assert (GROUP_LIVING[group] == living).all() and (GROUP_OLD[group] == (age >= OLD_OLD)).all()


def test_levels_calibrated_on_groups_weighted_by_their_counts_are_those_of_the_people():
    from model.abm.people import calibrate_levels

    rng = np.random.default_rng(4)
    state = np.array([1, 1, 1, 2, 2, 2])
    relative = rng.uniform(0.2, 2.0, (6, 3))
    counts = np.array([5, 1, 12, 3, 7, 2])
    targets = np.array([[1, 0, 0], [0.7, 0.2, 0.1], [0.5, 0.1, 0.4]])
    uptake = np.array([0.0, 0.15, 0.3])
    grouped = calibrate_levels(state, relative, targets, uptake, weights=counts)
    people = calibrate_levels(np.repeat(state, counts), np.repeat(relative, counts, axis=0), targets, uptake,
                              weights=np.ones(counts.sum()))
    assert np.allclose(grouped, people, rtol=1e-9)
    unweighted = calibrate_levels(state, relative, targets, uptake, weights=np.ones(6))
    assert not np.allclose(grouped, unweighted, rtol=1e-3)   # the counts matter

