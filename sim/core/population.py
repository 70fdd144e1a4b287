"""Workers and households as columns: one row per agent, numpy arrays with compact dtypes.

Workers are the model's agents (one per member of the simulated labour force); storing them as
columns lets a month's rules run as array operations over the rows that act (docs/MODEL.md §3.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from . import random_streams as streams
from .params import CountiesConfig, PopulationConfig

# worker status codes; every worker is in exactly one at every step. The order matters: the
# working codes are 0..4 and the migrant ones 0..1, so `status <= PUBLIC_WELFARE` means working;
# OUTSIDE is last: the young not yet of working age and those who left the labour force (by age
# or health), rows kept so that the columns never change length (sim.core.demography)
OUT_OF_PROVINCE, IN_PROVINCE, LOCAL_JOB, WORKSHOP, PUBLIC_WELFARE, TRAINING, NOT_WORKING, \
    OUTSIDE = range(8)
# the one table of statuses, in code order: name, label, the article's term (FIGURES.md)
STATUS_TABLE = (
    ("out_of_province", "Out of the province", "省外"),
    ("in_province", "In the province, outside the county", "省內縣外"),
    ("local_job", "Local wage job", "就地就近"),
    ("workshop", "Assistance workshop", "幫扶車間"),
    ("public_welfare", "Public-welfare post", "公益崗位"),
    ("training", "In training", "培訓"),
    ("not_working", "Not working", "未就業"),
    ("outside_labour_force", "Outside the labour force", "非勞動力"),
)
N_STATUS = len(STATUS_TABLE)
# the statuses of the labour force (every status but OUTSIDE)
IN_LABOUR_FORCE = tuple(range(OUTSIDE))
STATUSES = tuple(name for name, _, _ in STATUS_TABLE)
STATUS_LABELS = {name: (label, term) for name, label, term in STATUS_TABLE}
# the options of a choice, in the columns of the utility matrix (training is assigned, not chosen)
OPTIONS = np.array([OUT_OF_PROVINCE, IN_PROVINCE, LOCAL_JOB, WORKSHOP, PUBLIC_WELFARE, NOT_WORKING],
                   np.int8)
COLUMN_OF_STATUS = np.full(N_STATUS, 5, np.int64)  # a status's option column (training, outside:
# not working's)
COLUMN_OF_STATUS[OPTIONS] = np.arange(6)
WORKING = (OUT_OF_PROVINCE, IN_PROVINCE, LOCAL_JOB, WORKSHOP, PUBLIC_WELFARE)
IN_COUNTY = (LOCAL_JOB, WORKSHOP, PUBLIC_WELFARE)
MIGRANT = (OUT_OF_PROVINCE, IN_PROVINCE)

# age bands (first year, last year): 16-29, 30-44, 45-59, 60-70; the last is over-age labour
# (超齡勞力); within a band ages are spread evenly
AGE_BANDS = ((16, 29), (30, 44), (45, 59), (60, 70))

# labour capacity
FULL, WEAK, OVER_AGE = range(3)
CAPACITIES = ("full", "weak", "over_age")
REGIONS = ("north", "centre", "south")

# local employer of a worker in a local job
NO_EMPLOYER, FIRM, STARTUP = range(3)


@dataclass
class Counties:
    """County attributes as arrays indexed by county id (the County agents are views on them)."""

    region: np.ndarray  # int8
    formerly_poor: np.ndarray  # bool
    key: np.ndarray  # bool
    weight: np.ndarray  # share of the labour force living there

    @property
    def n(self) -> int:
        return len(self.region)


@dataclass
class Households:
    county: np.ndarray  # int16
    relocated: np.ndarray  # bool: lives in a resettlement community
    care_need: np.ndarray  # bool: dependants needing care and nobody else to give it
    monitored: np.ndarray  # bool: 三類人員
    identified: np.ndarray  # bool: found by dynamic monitoring (priority for help)
    persons: np.ndarray  # float32: household members (workers and dependants)
    nonwage_income: np.ndarray  # float32: yuan a year
    income_year: np.ndarray  # float64: income of the calendar year so far

    @property
    def n(self) -> int:
        return len(self.county)


@dataclass
class Workers:
    household: np.ndarray  # int32
    county: np.ndarray  # int16
    female: np.ndarray  # bool
    age: np.ndarray  # int8: years
    birthday: np.ndarray  # int8: month of the year (1-12) in which the age goes up
    entry_month: np.ndarray  # int16: month index at which a young member enters; -1: in at start
    capacity: np.ndarray  # int8: FULL, WEAK, OVER_AGE
    skill: np.ndarray  # int8: 0 low, 1 middle, 2 high
    care: np.ndarray  # bool: the household's carer
    can_migrate: np.ndarray  # bool: able to take migrant jobs
    experience: np.ndarray  # bool: has worked away before
    status: np.ndarray  # int8
    last_status: np.ndarray  # int8: last option held (habit), NOT_WORKING if none
    since: np.ndarray  # int16: month the worker entered its status
    next_review: np.ndarray  # int16: month it next reconsiders (searches, if not working)
    contract_end: np.ndarray  # int16: month index when the job ends
    wage: np.ndarray  # float32: monthly pay in the current job
    workshop: np.ndarray  # int32: workshop id, -1 if none
    employer: np.ndarray  # int8: NO_EMPLOYER, FIRM, STARTUP
    trained: np.ndarray  # bool: finished a course
    training_end: np.ndarray  # int16
    certificate: np.ndarray  # bool
    brand: np.ndarray  # bool: certified member of a labour brand
    referred: np.ndarray  # bool: reached by referral services
    returning: np.ndarray  # bool: home for the Spring Festival, will decide next month
    home_taste: np.ndarray  # float32: standard-normal taste for not working (unobserved)
    away_taste: np.ndarray  # float32: standard-normal taste for work away from home (unobserved)

    @property
    def n(self) -> int:
        return len(self.status)


def build_counties(cfg: CountiesConfig, rng: np.random.Generator) -> Counties:
    region = np.repeat(np.arange(3, dtype=np.int8), cfg.per_region)
    poor = np.zeros(cfg.count, bool)
    key = np.zeros(cfg.count, bool)
    start = 0
    for r, n in enumerate(cfg.per_region):
        poor[start:start + cfg.formerly_poor_per_region[r]] = True
        key[start:start + cfg.key_per_region[r]] = True
        start += n
    size = rng.lognormal(0.0, cfg.size_dispersion, cfg.count)
    size *= np.where(poor, cfg.poor_county_weight, 1.0) * np.where(key, cfg.key_county_weight, 1.0)
    return Counties(region=region, formerly_poor=poor, key=key, weight=size / size.sum())


def _county_of_households(n_households: int, counties: Counties, region_shares: list[float],
                          rng: np.random.Generator) -> np.ndarray:
    """Draw each household's county: first its region, then a county by size within the region."""
    region = rng.choice(3, size=n_households, p=np.asarray(region_shares))
    county = np.empty(n_households, np.int16)
    for r in range(3):
        ids = np.flatnonzero(counties.region == r)
        w = counties.weight[ids] / counties.weight[ids].sum()
        rows = np.flatnonzero(region == r)
        county[rows] = rng.choice(ids, size=len(rows), p=w)
    return county


def _household_sizes(n_workers: int, per_household: float, rng: np.random.Generator) -> np.ndarray:
    """Workers per household: 1 + Poisson, trimmed so the sizes add up to n_workers."""
    n_guess = int(n_workers / per_household * 1.1) + 10
    sizes = 1 + rng.poisson(per_household - 1, n_guess)
    cum = np.cumsum(sizes)
    n_households = int(np.searchsorted(cum, n_workers)) + 1
    sizes = sizes[:n_households]
    sizes[-1] -= cum[n_households - 1] - n_workers
    return sizes


def build_population(cfg: PopulationConfig, counties: Counties, rng: np.random.Generator,
                     seed: int, women_care_share: float, weak_can_migrate: float,
                     over_age_can_migrate: float) -> tuple[Workers, Households]:
    """The labour force at the end of 2020 and, in the same households, the young members who
    reach working age in 2021-2025 (status OUTSIDE until their entry month)."""
    n = max(int(round(cfg.labour_force * cfg.scale)), 1)
    sizes = _household_sizes(n, cfg.workers_per_household, rng)
    n_hh = len(sizes)
    household = np.repeat(np.arange(n_hh, dtype=np.int32), sizes)
    first = np.concatenate(([0], np.cumsum(sizes)[:-1]))

    hh_county = _county_of_households(n_hh, counties, cfg.region_shares, rng)
    age_band = rng.choice(4, size=n, p=np.asarray(cfg.age_shares)).astype(np.int8)
    youngest = np.array([a for a, _ in AGE_BANDS])
    width = np.array([b - a + 1 for a, b in AGE_BANDS])
    age = (youngest[age_band] + np.floor(rng.random(n) * width[age_band])).astype(np.int8)
    over_age = age_band == 3
    # grandparents: an over-age member can look after small children and frail parents
    has_over_age = np.bincount(household, weights=over_age, minlength=n_hh) > 0
    needs_care = rng.random(n_hh) < cfg.care_share
    covered = has_over_age & (rng.random(n_hh) < cfg.grandparent_care_share)
    care_need = needs_care & ~covered

    # the carer is the household's first worker; women carry most care duties, so the sex of
    # carers is drawn with women_care_share and the others' so that the female share holds
    care = np.zeros(n, bool)
    care[first[care_need]] = True
    n_care = care.sum()
    p_other = np.clip((cfg.female_share * n - women_care_share * n_care) / max(n - n_care, 1), 0, 1)
    female = np.where(care, rng.random(n) < women_care_share, rng.random(n) < p_other)

    capacity = np.where(over_age, OVER_AGE, np.where(rng.random(n) < cfg.weak_share, WEAK, FULL))
    capacity = capacity.astype(np.int8)
    skill = rng.choice(3, size=n, p=np.asarray(cfg.skill_shares)).astype(np.int8)
    skill[over_age] = np.minimum(skill[over_age], 1)
    can_migrate = _can_migrate(capacity, rng, weak_can_migrate, over_age_can_migrate)
    persons = (sizes * cfg.persons_per_worker).astype(np.float32)
    mu = np.log(cfg.nonwage_income_mean) - cfg.nonwage_income_sigma ** 2 / 2
    nonwage = (persons * rng.lognormal(mu, cfg.nonwage_income_sigma, n_hh)).astype(np.float32)

    households = Households(
        county=hh_county,
        relocated=rng.random(n_hh) < cfg.relocated_share,
        care_need=care_need,
        monitored=rng.random(n_hh) < cfg.monitored_share,
        identified=np.zeros(n_hh, bool),
        persons=persons,
        nonwage_income=nonwage,
        income_year=np.zeros(n_hh, np.float64),
    )
    members = dict(household=household, female=female, age=age,
                   birthday=rng.integers(1, 13, n).astype(np.int8),
                   entry_month=np.full(n, -1, np.int16), capacity=capacity, skill=skill,
                   care=care, can_migrate=can_migrate,
                   experience=(rng.random(n) < cfg.migration_experience_share) & can_migrate,
                   status=np.full(n, NOT_WORKING, np.int8))
    young = _young_members(cfg, n, sizes, rng, weak_can_migrate, over_age_can_migrate)
    # the young join their households' rows (households hold consecutive rows); each row keeps
    # an id, 0..n-1 for the labour force, from which its tastes are drawn: the young members do
    # not change the labour force's draws
    ids = np.arange(n + len(young["household"]))
    order = np.argsort(np.concatenate([household, young["household"]]), kind="stable")
    columns = {k: np.concatenate([v, young[k]])[order] for k, v in members.items()}
    return _workers(columns, hh_county, ids[order], seed), households


def _can_migrate(capacity: np.ndarray, rng: np.random.Generator, weak_can_migrate: float,
                 over_age_can_migrate: float) -> np.ndarray:
    u = rng.random(len(capacity))
    return np.where(capacity == FULL, True,
                    u < np.where(capacity == WEAK, weak_can_migrate, over_age_can_migrate))


# the young members who reach working age within these years of the start (2021-2025)
ENTRY_YEARS = 5
ENTRY_AGE = 16


def _young_members(cfg: PopulationConfig, n: int, sizes: np.ndarray, rng: np.random.Generator,
                   weak_can_migrate: float, over_age_can_migrate: float) -> dict[str, np.ndarray]:
    """Members who turn 16 in the first ENTRY_YEARS years, `entry_rate` x n a year: in
    households drawn by size (the dependants of a household are in proportion to its workers),
    on a month drawn evenly; they enter the labour force on their 16th birthday."""
    k = int(round(cfg.entry_rate * n * ENTRY_YEARS))
    household = np.sort(rng.choice(len(sizes), size=k, p=sizes / sizes.sum())).astype(np.int32)
    entry = rng.integers(1, 12 * ENTRY_YEARS + 1, k).astype(np.int16)
    capacity = np.where(rng.random(k) < cfg.weak_share, WEAK, FULL).astype(np.int8)
    can_migrate = _can_migrate(capacity, rng, weak_can_migrate, over_age_can_migrate)
    return dict(household=household, female=rng.random(k) < cfg.female_share,
                # 16 in the entry month: 15 at the start if it falls in the first year
                age=(ENTRY_AGE - 1 - (entry - 1) // 12).astype(np.int8),
                birthday=((entry - 1) % 12 + 1).astype(np.int8), entry_month=entry,
                capacity=capacity,
                skill=rng.choice(3, size=k, p=np.asarray(cfg.skill_shares)).astype(np.int8),
                care=np.zeros(k, bool), can_migrate=can_migrate, experience=np.zeros(k, bool),
                status=np.full(k, OUTSIDE, np.int8))


def _workers(c: dict[str, np.ndarray], hh_county: np.ndarray, ids: np.ndarray,
             seed: int) -> Workers:
    n = len(ids)
    # drawn from the worker's own stream so a fit that changes its spread moves it smoothly
    home_taste = ndtri(streams.uniform(seed, streams.HOME, 0, ids)).astype(np.float32)
    away_taste = ndtri(streams.uniform(seed, streams.AWAY, 0, ids)).astype(np.float32)
    outside = c["status"] == OUTSIDE
    return Workers(
        household=c["household"],
        county=hh_county[c["household"]],
        female=c["female"],
        age=c["age"],
        birthday=c["birthday"],
        entry_month=c["entry_month"],
        capacity=c["capacity"],
        skill=c["skill"],
        care=c["care"],
        can_migrate=c["can_migrate"],
        experience=c["experience"],
        status=c["status"],
        last_status=np.full(n, NOT_WORKING, np.int8),
        since=np.zeros(n, np.int16),
        # outside the labour force: never reviewed (sim.core.demography schedules an entrant)
        next_review=np.where(outside, np.iinfo(np.int16).max, 0).astype(np.int16),
        contract_end=np.zeros(n, np.int16),
        wage=np.zeros(n, np.float32),
        workshop=np.full(n, -1, np.int32),
        employer=np.zeros(n, np.int8),
        trained=np.zeros(n, bool),
        training_end=np.zeros(n, np.int16),
        certificate=np.zeros(n, bool),
        brand=np.zeros(n, bool),
        referred=np.zeros(n, bool),
        returning=np.zeros(n, bool),
        home_taste=home_taste,
        away_taste=away_taste,
    )
