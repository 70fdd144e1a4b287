"""The model: one month of Shaanxi's poverty-alleviated labour market per step.

`LaborExportModel.step` reads like the ODD schedule (docs/MODEL.md, Process overview): one line
per process, in order.
"""

from __future__ import annotations

import logging

import mesa
import numpy as np

from . import calendar, kernels, metrics, policies, start, streams
from .config import Config
from .decisions import KEEP, decide
from .employment import hire, release, schedule_review
from .ledger import Ledger
from .institutions import County, Rooms, Workshop, build_workshops, workshop_slots
from .population import (FIRM, IN_PROVINCE, LOCAL_JOB, NOT_WORKING, OUT_OF_PROVINCE,
                         PUBLIC_WELFARE, STARTUP, TRAINING, WORKSHOP, build_counties,
                         build_population)

logging.getLogger("MESA").setLevel(logging.WARNING)

INITIAL_BLOCK = 250_000  # workers choosing at once when the starting state is drawn
# set on every model by __init__, whether its start was built or copied, or scratch memory the
# decision reuses (decisions.evaluate): not part of the start
NOT_IN_START = {"p", "labels", "county_agents", "workshop_agents", "recorder", "datacollector",
                "_decision_buffers"}
FLOWS = metrics.COUNT_FLOWS


class LaborExportModel(mesa.Model):
    """Workers and households are columns (one row per agent); counties and workshops are agents."""

    # set True to keep each month's logit probabilities of the deciders in `last_decision`
    keep_probabilities = False

    def __init__(self, cfg: Config) -> None:
        super().__init__(rng=int(cfg.seed))
        mesa_owned = set(self.__dict__)
        self.p = cfg
        self.seed = int(cfg.seed)
        self.scale = cfg.population.scale
        self.labels = calendar.labels(cfg.scenario.start, cfg.scenario.end)
        self.start_year = int(cfg.scenario.start[:4])
        self.t = 0
        # the end-2020 start: built, or copied from an earlier run of this process that shares it
        key = start.start_key(cfg)
        kept = start.kept(key)
        if kept is None:
            self.p = start.start_config(cfg)
            self._build()
            start.remember(key, self, mesa_owned | NOT_IN_START)
        else:
            start.restore(self, kept)
        self.p = cfg
        for i in range(self.counties.n):
            County(self, i)
        for i in range(self.workshops.n):
            Workshop(self, i)
        self.county_agents = self.agents_by_type[County]
        self.workshop_agents = self.agents_by_type[Workshop]
        self.recorder = metrics.Recorder(self)
        self.datacollector = mesa.DataCollector(model_reporters={
            name: (lambda m, k=name: m.recorder.current[k]) for name in metrics.HEADLINE})
        self.recorder.record()
        self.datacollector.collect(self)

    def _build(self) -> None:
        """Population, institutions and the state at the end of 2020, under `self.p` (the
        start's config, see sim.start)."""
        cfg = self.p
        self._set_calendar()
        b = cfg.behaviour
        self.counties = build_counties(cfg.counties, self.rng)
        self.workers, self.households = build_population(
            cfg.population, self.counties, self.rng, self.seed, b.women_care_share, b.weak_can_migrate,
            b.over_age_can_migrate)
        self.lever = policies.lever_state(cfg, self.year)
        ws = cfg.policy.workshops
        self.workshops = build_workshops(ws, self.counties, self.scale, policies.lever_size(ws),
                                         self.seed, self.rng)
        self.ledger = Ledger(self.workers, self.households.n, self.counties.n, self.workshops.n,
                             metrics.worker_groupings(self))
        self.rooms = self._build_rooms()
        # households hold consecutive worker rows: household h is rows start[h]..start[h+1]
        self.household_start = np.searchsorted(self.workers.household,
                                               np.arange(self.households.n + 1))
        self.separation_hazard = np.array(
            [b.separation_out_of_province, b.separation_in_province, b.separation_local_job,
             b.separation_workshop, b.separation_public_welfare, 0.0, 0.0])
        self.acceptance = np.ones((self.counties.n, 3))
        self.peer_share = np.zeros((self.counties.n, 7))
        self.trained_rows = np.zeros(0, np.int64)  # workers who finished a course in the run
        self.recall = np.zeros(self.workers.n, bool)  # back from the festival or a closure
        self.loans_by_month: dict[int, float] = {}  # month -> yuan lent (simulated scale)
        self.transported_this_year = 0
        self.last_decision = None
        self._assign_programme_members()
        self.brand_rows = np.flatnonzero(self.workers.brand)
        self.flow = dict.fromkeys(FLOWS, 0.0)
        self.month_income = np.empty(self.households.n)  # household income of the month, yuan
        self.update_households()
        self._initial_state()
        self.update_households()

    # ---- the month ------------------------------------------------------------------------
    def step(self) -> None:
        self.t += 1
        self._month()
        self.recorder.record()                                # metrics and costs
        self.datacollector.collect(self)

    def _month(self) -> None:
        self._set_calendar()
        self.flow = dict.fromkeys(FLOWS, 0.0)
        self.status_at_start = self.workers.status.copy()
        back_home = self._end_wait_at_home()                  # who waited at home decides now
        changed = self._change_levers()                       # January 2021: the run's levers
        self.recall[:] = False
        self.recall[back_home] = True                         # their employers take them back
        closed = policies.workshop_turnover(self)             # workshops close and reopen
        policies.open_startups(self)                          # start-up loans open local firms
        policies.set_firm_room(self)                          # hiring subsidy raises demand
        self._set_post_quota()                                # public-welfare post quota
        laid_off = policies.enforce_room(self)                # shrunk room lays off the excess
        separated = self._separations()                       # contracts end, epidemic closures
        self._festival_returns()                              # migrants go home for the festival
        finished = policies.finish_training(self)             # trainees finish courses
        policies.enrol_training(self)                         # new trainees start
        deciders = self._deciders(back_home, changed, closed, laid_off, separated, finished)
        self.seats_left = policies.transport_capacity(self)   # point-to-point transport
        self.take_jobs(deciders, decide(self, deciders, self.status_at_start[deciders],
                                        record=True))         # choose, with room limits
        self.transported_this_year += int(self.flow["transported"])
        policies.clear_zero_employment(self)                  # zero-employment clearing
        self.update_households()                              # income, zero employment, line
        policies.identify_at_risk(self)                       # dynamic monitoring
        self._update_peer_share()                             # peers seen next month

    def run(self, after_month=None) -> None:
        """Step to the end of the scenario; `after_month()` is called after each month."""
        while self.t < len(self.labels) - 1:
            self.step()
            if after_month is not None:
                after_month()

    # ---- calendar and shocks ---------------------------------------------------------------
    def _set_calendar(self) -> None:
        s = self.p.scenario
        self.label = self.labels[max(self.t, 0)]  # burn-in months (t < 0) are end-2020 months
        self.year = int(self.label[:4])
        self.month_of_year = int(self.label[5:])
        strength = {str(k): float(v) * s.disruption_scale for k, v in s.disruption.items()}
        self.disruption = strength.get(self.label, 0.0) if self.t > 0 else 0.0
        self.burning_in = self.t <= 0
        w = self.p.wages
        # the 2021 figures are yearly averages: centre the growth path on mid-2021
        exponent = self.year - policies.BASE_YEAR + (self.month_of_year - 6.5) / 12
        growth = (1.0 + w.growth_per_year) ** exponent
        self.wage_levels = np.array([w.out_of_province * growth, w.in_province * growth,
                                     w.local_job * growth, w.workshop, w.public_welfare, 0.0])
        # demand grows from the end-2020 state on, month by month (NBS 2021: migrants working
        # away +1.3%, working locally +4.1%); the burn-in months sit at the 2020 level
        self.years_since_start = max(self.t, 0) / 12.0
        self.destination_demand = (1.0 + s.destination_demand_growth) ** self.years_since_start
        if self.t > 0 and (self.month_of_year == 1 or self.t == 1):
            self.lever = policies.lever_state(self.p, self.year)
            self.households.income_year[:] = 0.0
            self.transported_this_year = 0

    def _change_levers(self) -> np.ndarray:
        """In the first simulated month the run's levers replace those of the start (sim.start)."""
        if self.t != 1:
            return np.zeros(0, np.int64)
        return policies.change_levers(self, start.start_config(self.p))

    def _festival_returns(self) -> None:
        """In the festival month migrants go home; the call to stay put (就地過年) cuts returns."""
        s = self.p.scenario
        if s.festival_months.get(str(self.year)) != self.label:
            return
        share = s.festival_return_share * (1.0 - s.stay_put_call.get(str(self.year), 0.0))
        if share <= 0:
            return
        w = self.workers
        rows = kernels.migrants_drawn(w.status, streams.key(self.seed, streams.FESTIVAL, self.t),
                                      share)
        release(self, rows)
        w.returning[rows] = True

    def _end_wait_at_home(self) -> np.ndarray:
        """Who waited at home last month (festival, closure, blocked travel) decides now."""
        rows = np.flatnonzero(self.workers.returning)
        self.workers.returning[rows] = False
        return rows

    # ---- jobs ending -----------------------------------------------------------------------
    def _separations(self) -> np.ndarray:
        """Contracts that end this month, and in a disruption migrants whose workplace closes."""
        w = self.workers
        closure = 0.0
        if self.disruption > 0:
            closure = self.disruption * self.p.scenario.disruption_closure_share
        rows, closed = kernels.contracts_ending(
            w.status, w.contract_end, self.t, streams.key(self.seed, streams.EPIDEMIC, self.t),
            closure)
        release(self, rows)
        # sent home by a closure, they wait to go back and try again next month
        w.returning[closed] = True
        return rows[~w.returning[rows]]

    def _deciders(self, *released: np.ndarray) -> np.ndarray:
        """Who chooses this month: everyone who lost or left a job or a course, a share of the
        workers without work (search), and a few with work (on-the-job reconsideration)."""
        w = self.workers
        forced = np.concatenate(released)
        forced = forced[w.status[forced] == NOT_WORKING]
        # searchers and reconsidering workers: their review month has come (a geometric wait
        # drawn when they last changed, see employment.schedule_review)
        return kernels.reviews_due(w.next_review, w.status, w.returning, self.t, TRAINING,
                                   np.ascontiguousarray(forced, np.int64))

    # ---- jobs starting ---------------------------------------------------------------------
    def take_jobs(self, rows: np.ndarray, outcome: np.ndarray) -> None:
        """Put deciders into the jobs they were given: employers and workshops get their rows.
        Workers who held a job and leave it for another (or for none) quit it first."""
        grouped, start, quitting = kernels.split_outcomes(
            np.ascontiguousarray(rows, np.int64), outcome, self.workers.status)

        def chose(o: int) -> np.ndarray:
            return grouped[start[o + 1]:start[o + 2]]

        schedule_review(self, chose(KEEP))
        # every quitter is hired below or scheduled as not working: its review month is set there
        release(self, quitting, reschedule=False)
        for status in (OUT_OF_PROVINCE, IN_PROVINCE, PUBLIC_WELFARE):
            sel = chose(status)
            hire(self, sel, np.full(len(sel), status, np.int8))
        self.place_in_workshops(chose(WORKSHOP))
        schedule_review(self, chose(NOT_WORKING))
        local = chose(LOCAL_JOB)
        county = self.workers.county[local].astype(np.int64)
        rank = kernels.rank_in_groups(
            county, streams.uniform(self.seed, streams.ORDER, self.t + 9000, local), self.counties.n)
        startup_free = self.rooms.startup_room - self.ledger.startup_jobs
        employer = np.where(rank < startup_free[county], STARTUP, FIRM).astype(np.int8)
        length = hire(self, local, np.full(len(local), LOCAL_JOB, np.int8), employer=employer)
        firm = employer == FIRM
        policies.count_subsidised_hires(self, local[firm], length[firm])

    def place_in_workshops(self, rows: np.ndarray) -> None:
        """The k-th worker a county sends to its workshops takes the k-th free place there."""
        if len(rows) == 0:
            return
        ws, w = self.workshops, self.workers
        occupied = self.ledger.workshop_taken
        shuffle = streams.uniform(self.seed, streams.ORDER, self.t + 11000, np.arange(ws.n))
        slots, start = workshop_slots(ws, occupied, self.counties.n, shuffle)
        county = w.county[rows].astype(np.int64)
        rank = kernels.rank_in_groups(
            county, streams.uniform(self.seed, streams.ORDER, self.t + 12000, rows), self.counties.n)
        workshop = slots[start[county] + rank]
        hire(self, rows, np.full(len(rows), WORKSHOP, np.int8), workshop=workshop)

    # ---- room ------------------------------------------------------------------------------
    def room_capacity(self) -> np.ndarray:
        """All room per county (taken or not): local jobs, open workshop places, posts."""
        ws = self.workshops
        cap = np.empty((self.counties.n, 3), np.int64)
        cap[:, 0] = self.rooms.firm_room + self.rooms.startup_room
        cap[:, 1] = np.bincount(ws.county, weights=np.where(ws.open, ws.room, 0),
                                minlength=self.counties.n)
        cap[:, 2] = self.rooms.post_quota
        return cap

    def free_room(self) -> np.ndarray:
        """Room left per county: local jobs, workshop places, public-welfare posts."""
        ws, held = self.workshops, self.ledger.by_county
        ws_free = np.where(ws.open, np.maximum(ws.room - self.ledger.workshop_taken, 0), 0)
        free = np.empty((self.counties.n, 3), np.int64)
        free[:, 0] = self.rooms.firm_room + self.rooms.startup_room - held[:, LOCAL_JOB]
        free[:, 1] = np.bincount(ws.county, weights=ws_free, minlength=self.counties.n)
        free[:, 2] = self.rooms.post_quota - held[:, PUBLIC_WELFARE]
        return np.maximum(free, 0)

    def update_acceptance(self, applied: np.ndarray, accepted: np.ndarray) -> None:
        """Expected chance of a place next month (Harris-Todaro): smoothed acceptance rate."""
        rate = np.where(applied > 0, accepted / np.maximum(applied, 1), 1.0)
        self.acceptance = 0.5 * self.acceptance + 0.5 * rate

    def _build_rooms(self) -> Rooms:
        """Local demand by county (labour force x region weight); post quota by county in
        proportion to its weak and over-age labour, the posts' priority group."""
        w, c = self.workers, self.counties
        u = streams.uniform(self.seed, streams.ORDER, -10_002, np.arange(c.n))
        labour = np.bincount(w.county, minlength=c.n).astype(np.float64)
        demand = labour * np.asarray(self.p.local_jobs.region_weights)[c.region]
        base = demand / demand.sum() * self.p.local_jobs.demand * self.scale
        priority = np.bincount(w.county, weights=w.capacity != 0, minlength=c.n)
        self.post_weight = priority / max(priority.sum(), 1)
        rooms = Rooms(firm_room=np.zeros(c.n, np.int64), startup_room=np.zeros(c.n, np.int64),
                      post_quota=np.zeros(c.n, np.int64), base_firm_room=base)
        self.rooms = rooms
        self._post_u = u
        policies.set_firm_room(self)
        self._set_post_quota()
        return rooms

    def _set_post_quota(self) -> None:
        quota = self.lever.post_quota * self.scale * self.post_weight
        self.rooms.post_quota[:] = streams.stochastic_round(quota, self._post_u)

    def loans_outstanding(self) -> float:
        """Start-up loans not yet repaid (each runs `term_months`)."""
        term = self.p.policy.startup_loans.term_months
        return float(sum(v for m, v in self.loans_by_month.items() if self.t - m < term))

    # ---- households ------------------------------------------------------------------------
    def update_households(self) -> None:
        """Income of the month, households with nobody in work, and those below the line."""
        hh = self.households
        wages = self.ledger.household_wages
        # in numpy: zero = working == 0; income = wages + nonwage / 12 (float32 division);
        # income_year += income; below = (12 * wages + nonwage) / persons < line
        self.zero_employment, self.below_line, self.n_zero_employment, self.n_below_line = \
            kernels.household_month(self.ledger.household_working, wages, hh.nonwage_income,
                                    hh.persons, hh.income_year,
                                    float(self.p.policy.monitoring.monitoring_line),
                                    self.month_income)

    # ---- the state at the end of 2020 ------------------------------------------------------
    def _assign_programme_members(self) -> None:
        """Referral reaches a share of workers; labour brands certify skilled full-labour workers."""
        w, p = self.workers, self.p.policy
        n = w.n
        w.referred[:] = self.rng.random(n) < policies.referral_reach(p.referral)
        members = policies.brand_members(p.labour_brands, self.scale)
        cand = np.flatnonzero(policies.brand_candidates(w))
        chosen = self.rng.choice(cand, size=min(members, len(cand)), replace=False)
        w.brand[chosen] = True
        w.certificate[chosen] = True

    def _initial_state(self) -> None:
        """The state at the end of 2020: everyone chooses once under end-2020 conditions, then
        the months run on under those conditions (`scenario.burn_in_months`, no 2021 programme)
        until flows and peer shares settle."""
        w = self.workers
        everyone = np.arange(w.n)
        burn_in = self.p.scenario.burn_in_months
        passes = self.p.scenario.initial_passes
        for k in range(passes):
            self.t = -burn_in - passes + k  # month keys of their own, before the burn-in
            release(self, everyone)
            self.seats_left = 0
            # in blocks, so that no n x 6 array of the whole labour force is ever held; worker
            # ids carry no trait, so serving blocks in turn is serving workers in random order
            for block in np.array_split(everyone, max(w.n // INITIAL_BLOCK, 1)):
                outcome = decide(self, block, np.full(len(block), NOT_WORKING, np.int8),
                                 habit=False)
                self.take_jobs(block, outcome)
            self._update_peer_share()
        for month in range(-burn_in, 0):
            self.t = month
            self._month()
        self.t = 0
        self._set_calendar()
        self.flow = dict.fromkeys(FLOWS, 0.0)
        self.trained_rows = np.zeros(0, np.int64)

    def _update_peer_share(self) -> None:
        """Shares of each county's workers by status, as peers see them: a migrant home for the
        festival or stuck by a closure still counts as working away."""
        counts = self.ledger.by_county.astype(np.float64)
        away = np.flatnonzero(self.workers.returning)
        if len(away):
            w, n_c = self.workers, self.counties.n
            moved = np.bincount(w.county[away].astype(np.int64) * 7 + w.last_status[away],
                                minlength=n_c * 7).reshape(n_c, 7)
            counts += moved
            counts[:, NOT_WORKING] -= moved.sum(axis=1)
        self.peer_share = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
