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
# working codes are 0..4 and the migrant ones 0..1, so `status <= PUBLIC_WELFARE` means working
OUT_OF_PROVINCE, IN_PROVINCE, LOCAL_JOB, WORKSHOP, PUBLIC_WELFARE, TRAINING, NOT_WORKING = range(7)
# the one table of statuses, in code order: name, label, the article's term (FIGURES.md)
STATUS_TABLE = (
    ("out_of_province", "Out of the province", "省外"),
    ("in_province", "In the province, outside the county", "省內縣外"),
    ("local_job", "Local wage job", "就地就近"),
    ("workshop", "Assistance workshop", "幫扶車間"),
    ("public_welfare", "Public-welfare post", "公益崗位"),
    ("training", "In training", "培訓"),
    ("not_working", "Not working", "未就業"),
)
STATUSES = tuple(name for name, _, _ in STATUS_TABLE)
STATUS_LABELS = {name: (label, term) for name, label, term in STATUS_TABLE}
# the options of a choice, in the columns of the utility matrix (training is assigned, not chosen)
OPTIONS = np.array([OUT_OF_PROVINCE, IN_PROVINCE, LOCAL_JOB, WORKSHOP, PUBLIC_WELFARE, NOT_WORKING],
                   np.int8)
COLUMN_OF_STATUS = np.full(7, 5, np.int64)  # a status's option column (training: not working's)
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
    age_band: np.ndarray  # int8: 0 16-29, 1 30-44, 2 45-59, 3 60+ (AGE_BANDS)
    age: np.ndarray  # int8: years
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
    can_migrate = np.where(capacity == FULL, True,
                           rng.random(n) < np.where(capacity == WEAK, weak_can_migrate,
                                                    over_age_can_migrate))
    # drawn from the worker's own stream so a fit that changes its spread moves it smoothly
    home_taste = ndtri(streams.uniform(seed, streams.HOME, 0, np.arange(n))).astype(np.float32)
    away_taste = ndtri(streams.uniform(seed, streams.AWAY, 0, np.arange(n))).astype(np.float32)
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
    workers = Workers(
        household=household,
        county=hh_county[household],
        female=female,
        age_band=age_band,
        age=age,
        capacity=capacity,
        skill=skill,
        care=care,
        can_migrate=can_migrate,
        experience=(rng.random(n) < cfg.migration_experience_share) & can_migrate,
        status=np.full(n, NOT_WORKING, np.int8),
        last_status=np.full(n, NOT_WORKING, np.int8),
        since=np.zeros(n, np.int16),
        next_review=np.zeros(n, np.int16),
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
    return workers, households
