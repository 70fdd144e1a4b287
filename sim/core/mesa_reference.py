"""The reference model: the engine's core rules written plainly, one `mesa.Agent` per worker.

It is not a second product. It exists to dock with the vectorised engine (tests/test_docking.py:
same choice shares and room-limited allocations within sampling error) and as the baseline of
the performance benchmark (sim-bench). Core rules only: contracts end, workers review at their
rates, choose by the logit with habit, peers and home taste, and take room-limited places county
by county in random order, falling back to their next choice. No programmes, festival or shocks.
A worker whose contract ends goes home and searches from the next month on at the search rate.
"""

from __future__ import annotations

import math

import mesa
import numpy as np

from .params import LEVERS, Config
from .population import COLUMN_OF_STATUS, NOT_WORKING, OPTIONS, PUBLIC_WELFARE
from .rooms import room_capacity

ROOM_COLUMN = {2: 0, 3: 1, 4: 2}  # option column -> room kind (local, workshop, post)

# overrides that reduce the engine to the rules this model states: programmes off but the room of
# workshops and posts (posts slack: the reference has no priority order), no shocks, festival,
# closures or growth, and the start built under the same levers (no change in January)
CORE_RULES = ([f"policy/{lever}=off" for lever in LEVERS if lever not in ("workshops", "public_welfare")]
              + ["policy.public_welfare.posts=2500000", "policy.workshops.closure_hazard=0",
                 "scenario.disruption_scale=0", "scenario.festival_return_share=0",
                 "wages.growth_per_year=0", "scenario.destination_demand_growth=0",
                 "local_jobs.demand_growth_per_year=0", "scenario.start_levers=as_run",
                 "population.entry_rate=0", "scenario.demography=false", "series=none",
                 "events=none"])


class Worker(mesa.Agent):
    def __init__(self, model: "ReferenceModel", row: int, engine, factor: float,
                 distance: float, p_migrant: tuple[float, float]) -> None:
        super().__init__(model)
        w = engine.workers
        self.county = int(w.county[row])
        self.status = int(w.status[row])
        self.last_status = int(w.last_status[row])
        self.can_migrate = bool(w.can_migrate[row])
        self.weak = int(w.capacity[row]) != 0
        self.care = bool(w.care[row])
        self.relocated = bool(engine.households.relocated[w.household[row]])
        self.home_taste = float(w.home_taste[row])
        self.away_taste = float(w.away_taste[row])
        self.female = bool(w.female[row])
        self.decades_over_35 = max(float(w.age[row]) - 35.0, 0.0) / 10.0
        hh = engine.households
        # yuan a month per household member from non-wage income: what not working leaves
        self.home_income = (float(hh.nonwage_income[w.household[row]])
                            / float(hh.persons[w.household[row]]) / 12.0)
        self.separated = False
        # pay, distance and job-finding terms depend on fixed traits: computed once
        self.factor = factor
        self.distance = distance
        self.p_migrant = p_migrant

    def utilities(self) -> list[float]:
        """Each job by the log of its expected monthly earnings, not working by the log of the
        household's non-wage income per member; the costs and tastes of docs/MODEL.md 3.4.11."""
        m, b = self.model, self.model.b
        levels = m.wage_levels
        share = m.shares[self.county]
        p = [self.p_migrant[0], self.p_migrant[1], *m.acceptance[self.county]]
        if self.status <= PUBLIC_WELFARE:  # the place it holds is certain
            p[self.status] = 1.0
        pay = [levels[k] * self.factor for k in range(4)] + [levels[4]]  # post pay is flat
        v = [b.asc_out_of_province, b.asc_in_province, b.asc_local_job, b.asc_workshop,
             b.asc_public_welfare, 0.0]
        for k in range(5):
            v[k] = v[k] + b.income_weight * math.log(pay[k] * p[k]) if p[k] > 0 else -math.inf
        away = (b.age_away_cost * self.decades_over_35 + b.female_away_cost * self.female
                - b.peer_weight * (share[0] + share[1]) - b.away_taste_sd * self.away_taste)
        v[0] -= b.distance_cost_out * self.distance + away + b.care_cost * self.care
        v[1] -= (b.distance_cost_in * self.distance + away
                 + b.care_cost * b.care_weight_in_province * self.care)
        v[2] -= b.care_cost * b.care_weight_local * self.care
        for k in range(3):  # heavy full-time work strains weak and over-age labour
            v[k] -= b.strain_cost * self.weak
        v[5] = (b.income_weight * math.log(self.home_income) + b.home_value_sd * self.home_taste
                + b.female_home_value * self.female + b.age_home_value * self.decades_over_35)
        v[3] += b.relocated_workshop_bonus * self.relocated
        v[4] += b.weak_public_welfare_bonus * self.weak
        v[3] += b.female_home_value * self.female  # kept in the village's own work (E10)
        v[4] += b.female_home_value * self.female
        v[COLUMN_OF_STATUS[self.last_status]] += b.habit
        if not self.can_migrate:
            v[0] = v[1] = -math.inf
        for col in (2, 3, 4):
            if m.capacity[self.county][ROOM_COLUMN[col]] <= 0:
                v[col] = -math.inf
        return v

    def separate(self) -> None:
        """The contract may end this month."""
        if self.status <= PUBLIC_WELFARE and self.random.random() < self.model.separation[self.status]:
            self.model.leave(self)
            self.separated = True

    def wants_to_decide(self) -> bool:
        """Workers review at their rates (with work: reconsider; without: search); who lost its
        job this month searches from the next month on."""
        working = self.status <= PUBLIC_WELFARE
        rate = self.model.b.reconsider_rate if working else self.model.b.search_rate
        decides = not self.separated and self.random.random() < rate
        self.separated = False
        if decides:
            v = self.utilities()
            top = max(v)
            self.weights = [math.exp(x - top) if x > -math.inf else 0.0 for x in v]
        return decides

    def pick(self) -> int | None:
        """Draw the best option still open; settle it unless it has a room limit. Returns the
        option column still to be served, or None when the worker is done for the month."""
        m = self.model
        col = m.random.choices(range(6), weights=self.weights)[0]
        option = int(OPTIONS[col])
        if self.status <= PUBLIC_WELFARE and option == self.status:
            return None  # keeps its job
        if option == NOT_WORKING:
            m.leave(self)
            return None
        if col < 2:  # a migrant job is found or not; either way the month's search ends
            if m.random.random() < self.p_migrant[col]:
                m.take(self, option)
            return None
        return col


class ReferenceModel(mesa.Model):
    """Built from an engine model's workers and room so that both start from the same state.

    Its own terms come from the config, not from the engine's helpers: pay factors (skill and
    capacity: no programme premium under CORE_RULES), migrant job finding (the configured chance:
    no demand growth, disruption or boost under CORE_RULES), distance (experience only) and the
    separation hazards. It refuses an engine not run under CORE_RULES, where those would differ."""

    def __init__(self, engine, seed: int) -> None:
        super().__init__(rng=int(seed))
        cfg = engine.p
        if not _core_rules(cfg):
            raise ValueError("the reference model states the core rules only: build the engine "
                             "with sim.core.mesa_reference.CORE_RULES")
        b, wages = cfg.behaviour, cfg.wages
        self.b = b
        self.wage_levels = [wages.out_of_province, wages.in_province, wages.local_job,
                            wages.workshop, wages.public_welfare, 0.0]
        self.separation = [b.separation_out_of_province, b.separation_in_province,
                           b.separation_local_job, b.separation_workshop,
                           b.separation_public_welfare, 0.0, 0.0]
        self.acceptance = engine.acceptance.tolist()
        self.capacity = room_capacity(engine).tolist()
        self.n_counties = engine.counties.n
        w = engine.workers
        skill = np.asarray(wages.skill_factors)[w.skill]
        capacity = np.array([1.0, wages.weak_factor, wages.over_age_factor])[w.capacity]
        factor = skill * capacity
        p_migrant = (min(b.job_finding_out, 1.0), min(b.job_finding_in, 1.0))
        distance = 1.0 - b.experience_discount * w.experience
        for row in range(w.n):
            Worker(self, row, engine, float(factor[row]), float(distance[row]), p_migrant)
        self.held = np.zeros((self.n_counties, 3), np.int64)
        for a in self.agents:
            if a.status in (2, 3, 4):
                self.held[a.county, ROOM_COLUMN[a.status]] += 1
        self._update_shares()

    def _update_shares(self) -> None:
        counts = np.zeros((self.n_counties, 7))
        for a in self.agents:
            counts[a.county, a.status] += 1
        self.shares = (counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)).tolist()

    def leave(self, agent: Worker) -> None:
        if agent.status in (2, 3, 4):
            self.held[agent.county, ROOM_COLUMN[agent.status]] -= 1
        agent.status = NOT_WORKING

    def take(self, agent: Worker, option: int) -> None:
        self.leave(agent)
        agent.status = option
        agent.last_status = option
        if option in (2, 3, 4):
            self.held[agent.county, ROOM_COLUMN[option]] += 1

    def step(self) -> None:
        """A month: contracts end; deciders choose in rounds; each round, room-limited places
        go to that round's applicants in random order; who is turned away tries its next
        choice in the next round (up to 4); a worker with a job who finds nothing keeps it."""
        self.agents.shuffle_do("separate")
        self.free = np.maximum(np.array(self.capacity) - self.held, 0).tolist()
        self.applied = [[0, 0, 0] for _ in range(self.n_counties)]
        self.accepted = [[0, 0, 0] for _ in range(self.n_counties)]
        pending = [a for a in self.agents if a.wants_to_decide()]
        for _ in range(4):
            applicants = [(a, col) for a in pending if (col := a.pick()) is not None]
            self.random.shuffle(applicants)
            pending = []
            for a, col in applicants:
                kind = ROOM_COLUMN[col]
                self.applied[a.county][kind] += 1
                if self.free[a.county][kind] > 0:
                    self.free[a.county][kind] -= 1
                    self.accepted[a.county][kind] += 1
                    self.take(a, int(OPTIONS[col]))
                else:
                    a.weights[col] = 0.0
                    pending.append(a)
        for c in range(self.n_counties):  # the expected chance of a place, smoothed as in the engine
            for k in range(3):
                rate = self.accepted[c][k] / self.applied[c][k] if self.applied[c][k] else 1.0
                self.acceptance[c][k] = 0.5 * self.acceptance[c][k] + 0.5 * rate
        self._update_shares()

    def status_counts(self) -> np.ndarray:
        counts = np.zeros(7, np.int64)
        for a in self.agents:
            counts[a.status] += 1
        return counts


def _core_rules(cfg: Config) -> bool:
    """The config has what CORE_RULES set: programmes that change pay, job finding or distance
    off, no growth, no disruption, no festival, no demography."""
    p, s = cfg.policy, cfg.scenario
    return (not (p.training.enabled or p.referral.enabled or p.labour_brands.enabled)
            and cfg.wages.growth_per_year == 0 and s.destination_demand_growth == 0
            and s.disruption_scale == 0 and s.festival_return_share == 0
            and cfg.population.entry_rate == 0 and not s.demography
            and not cfg.series.pay_outgoing and not cfg.series.pay_local and not cfg.events)
