"""The model: one month of Shaanxi's poverty-alleviated labour market per step.

`LaborExportModel` builds the population, the institutions and the end-2020 state, and runs the
monthly schedule: `step` is the ODD process list (docs/MODEL.md §1.3), one line per process, each
a function of the module named after its mechanism.
"""

from __future__ import annotations

import logging

import mesa
import numpy as np

from . import decisions, demography, metrics, start_cache, starting_state, timeline, work_record
from .decisions import decide
from .households import update_households
from .institutions import County, Workshop, build_workshops
from .ledger import Ledger
from .levers import (hiring_subsidy, labour_brands, monitoring, public_welfare, referral,
                     startup_loans, training, transport, workshops, zero_employment)
from .levers.handover import change_levers
from .levers.state import lever_size, lever_state
from .params import Config
from .placement import take_jobs
from .population import N_STATUS, build_counties, build_population
from .rooms import build_rooms, enforce_room

logging.getLogger("MESA").setLevel(logging.WARNING)


class Scratch:
    """Memory the decision reuses from one month to the next (`decisions.evaluate`): rewritten
    before every use, so never part of the start."""

    buffers: tuple | None = None


class LaborExportModel(mesa.Model):
    """Workers and households are columns (one row per agent); counties and workshops are agents."""

    # set True to keep each month's logit probabilities of the deciders in `last_decision`
    keep_probabilities = False
    # nothing is recorded while the start is built; __init__ then sets the run's recorder
    recorder = metrics.NOT_RECORDING

    def __init__(self, cfg: Config) -> None:
        super().__init__(rng=int(cfg.seed))
        self.p = cfg
        self.seed = int(cfg.seed)
        self.scale = cfg.population.scale
        self.labels = timeline.labels(cfg.scenario.start, cfg.scenario.end)
        self.t = 0
        self.scratch = Scratch()
        # the end-2020 start: built, or copied from an earlier run of this process that shares
        # it; what the build adds to the model is the start
        key = starting_state.start_key(cfg)
        kept = start_cache.kept(key)
        if kept is None:
            before = set(self.__dict__)
            self.p = starting_state.start_config(cfg)
            self._build()
            start_cache.remember(key, self, set(self.__dict__) - before)
        else:
            start_cache.restore(self, kept)
        self.p = cfg
        for i in range(self.counties.n):
            County(self, i)
        for i in range(self.workshops.n):
            Workshop(self, i)
        self.county_agents = self.agents_by_type[County]
        self.workshop_agents = self.agents_by_type[Workshop]
        self.datacollector = mesa.DataCollector(model_reporters={
            name: (lambda m, k=name: m.recorder.current[k]) for name in metrics.HEADLINE})
        self.recorder = metrics.Recorder(self)
        self.recorder.record()

    def _build(self) -> None:
        """Population, institutions and the state at the end of 2020, under `self.p` (the
        start's config, see sim.core.starting_state)."""
        cfg = self.p
        timeline.set_month(self)
        b = cfg.behaviour
        self.counties = build_counties(cfg.counties, self.rng)
        self.workers, self.households = build_population(
            cfg.population, self.counties, self.rng, self.seed, b.women_care_share, b.weak_can_migrate,
            b.over_age_can_migrate)
        self.lever = lever_state(cfg, self.year)
        ws = cfg.policy.workshops
        self.workshops = build_workshops(ws, self.counties, self.scale, lever_size(ws),
                                         self.seed, self.rng)
        self.workshop_lever = lever_size(ws)  # the room's lever, which the tax relief follows
        self.ledger = Ledger(self.workers, self.households.n, self.counties.n, self.workshops.n,
                             metrics.worker_groupings(self))
        self.rooms = build_rooms(self)
        public_welfare.weigh_counties(self)
        hiring_subsidy.set_firm_room(self)
        public_welfare.set_post_quota(self)
        # households hold consecutive worker rows: household h is rows start[h]..start[h+1]
        self.household_start = np.searchsorted(self.workers.household,
                                               np.arange(self.households.n + 1)).astype(np.int32)
        self.separation_hazard = np.array(
            [b.separation_out_of_province, b.separation_in_province, b.separation_local_job,
             b.separation_workshop, b.separation_public_welfare, 0.0, 0.0, 0.0])
        self.acceptance = np.ones((self.counties.n, 3))
        self.peer_share = np.zeros((self.counties.n, N_STATUS))
        demography.index_rows(self)
        self.trained_rows = np.zeros(0, np.int64)  # workers who finished a course in the run
        self.recall = np.zeros(self.workers.n, bool)  # back from the festival or a closure
        self.loans_by_month: dict[int, float] = {}  # month -> yuan lent (simulated scale)
        self.transported_this_year = 0
        self.last_decision = None
        referral.assign(self)
        labour_brands.assign(self)
        self.flow = dict.fromkeys(metrics.COUNT_FLOWS, 0.0)
        self.month_income = np.empty(self.households.n)  # household income of the month, yuan
        self.work_months = np.zeros((self.workers.n, 4), np.int8)  # this year's, by place
        self.work_year = np.zeros((7, 3), np.int64)
        update_households(self)
        # the burn-in's last month leaves the households up to date: counting its income once more
        # would make 13 months stand for 2020 (tests/test_boundaries.py)
        starting_state.settle(self)

    # ---- the month ------------------------------------------------------------------------
    def step(self) -> None:
        """One month: the processes of the ODD overview (docs/MODEL.md §1.3), one line each."""
        self.t += 1
        timeline.set_month(self)                              # calendar, pay, demand, levers
        self.flow = dict.fromkeys(metrics.COUNT_FLOWS, 0.0)
        self.status_at_start = self.workers.status.copy()
        back_home = timeline.end_wait_at_home(self)           # who waited at home decides now
        entered = demography.age_and_move(self)               # ageing, exits and entrants
        changed = self._january_2021_levers()                 # the run's levers take over
        closed = workshops.workshop_turnover(self)            # workshops close and reopen
        startup_loans.open_startups(self)                     # start-up loans open local firms
        hiring_subsidy.set_firm_room(self)                    # hiring subsidy raises demand
        public_welfare.set_post_quota(self)                   # public-welfare post quota
        laid_off = enforce_room(self)                         # shrunk room lays off the excess
        timeline.separations(self)                            # contracts end, epidemic closures
        timeline.festival_returns(self)                       # migrants go home for the festival
        finished = training.finish_training(self)             # trainees finish courses
        training.enrol_training(self)                         # new trainees start
        deciders = decisions.who_decides(self, back_home, changed, closed, laid_off,
                                         finished, entered)   # searchers, reviewers, the released
        self.seats_left = transport.transport_capacity(self)  # point-to-point transport
        take_jobs(self, deciders, decide(self, deciders, self.status_at_start[deciders],
                                         record=True))        # choose, with room limits
        self.transported_this_year += int(self.flow["transported"])
        zero_employment.clear_zero_employment(self)           # zero-employment clearing
        update_households(self)                               # income, zero employment, line
        monitoring.identify_at_risk(self)                     # dynamic monitoring
        decisions.update_peer_share(self)                     # peers seen next month
        work_record.tally(self)                               # months worked this year
        self.recorder.record()                                # metrics and costs

    def burn_in_month(self) -> None:
        """A month of the burn-in that settles the start (sim.core.starting_state): the model's
        own step, not Mesa's clock, and nothing recorded."""
        LaborExportModel.step(self)

    def run(self, after_month=None) -> None:
        """Step to the end of the scenario; `after_month()` is called after each month."""
        while self.t < len(self.labels) - 1:
            self.step()
            if after_month is not None:
                after_month()

    def _january_2021_levers(self) -> np.ndarray:
        """In the first simulated month the run's levers replace those of the start."""
        if self.t != 1:
            return np.zeros(0, np.int64)
        return change_levers(self, starting_state.start_config(self.p))
