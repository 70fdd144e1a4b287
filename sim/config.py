"""Config schemas: one dataclass per group, registered in Hydra's ConfigStore.

The dataclasses type-check every YAML file and every command-line override (a typo or a wrong type
fails before anything runs). `validate` adds the range and cross-field checks that types cannot
express. The model never reads a DictConfig: `to_params` turns the composed config into these plain
dataclasses once, at the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf

# ---------------------------------------------------------------------------------------------
# population: who the workers and households are (assumptions documented in docs/MODEL.md)
# ---------------------------------------------------------------------------------------------


@dataclass
class PopulationConfig:
    labour_force: int = 2_500_000  # A1: the article counts only those in work
    scale: float = 1.0  # fraction of the labour force simulated; counts are scaled back up
    workers_per_household: float = 1.85
    female_share: float = 0.45
    # age bands 16-29, 30-44, 45-59, 60+ (the last is over-age labour, 超齡勞力)
    age_shares: list[float] = field(default_factory=lambda: [0.18, 0.30, 0.37, 0.15])
    weak_share: float = 0.10  # weak labour (弱勞力) among workers below 60
    # schooling / skill: low, middle, high
    skill_shares: list[float] = field(default_factory=lambda: [0.50, 0.40, 0.10])
    # regions: north (陝北), centre (關中), south (陝南)
    region_shares: list[float] = field(default_factory=lambda: [0.20, 0.30, 0.50])
    relocated_share: float = 0.18  # households relocated 2016-2020 (搬遷)
    care_share: float = 0.35  # households with dependants needing care
    grandparent_care_share: float = 0.60  # share of such households where an over-age member cares
    monitored_share: float = 0.047  # households in 三類人員 monitoring
    migration_experience_share: float = 0.55
    nonwage_income_mean: float = 3000.0  # yuan per person per year
    nonwage_income_sigma: float = 0.5
    persons_per_worker: float = 1.8  # household members per worker (children, elderly)


@dataclass
class CountiesConfig:
    count: int = 107
    # counties per region (north, centre, south), formerly poor, key assistance
    per_region: list[int] = field(default_factory=lambda: [25, 54, 28])
    formerly_poor_per_region: list[int] = field(default_factory=lambda: [12, 17, 27])
    key_per_region: list[int] = field(default_factory=lambda: [6, 4, 16])
    poor_county_weight: float = 4.0  # labour force weight of a formerly poor county vs others
    key_county_weight: float = 1.5
    size_dispersion: float = 0.3  # lognormal sigma of county size


@dataclass
class WagesConfig:
    """Monthly pay in yuan, 2021 (outside evidence, docs/MODEL.md §Details)."""

    out_of_province: float = 5013.0
    in_province: float = 4532.0
    local_job: float = 3878.0
    workshop: float = 2200.0
    public_welfare: float = 600.0
    skill_factors: list[float] = field(default_factory=lambda: [0.85, 1.0, 1.25])
    weak_factor: float = 0.7
    over_age_factor: float = 0.6
    dispersion: float = 0.25
    growth_per_year: float = 0.088  # NBS: migrant pay +8.8% in 2021


# ---------------------------------------------------------------------------------------------
# behaviour: the decision rule's parameters (fitted ones in conf/calibration/fitted.yaml)
# ---------------------------------------------------------------------------------------------


@dataclass
class BehaviourConfig:
    # option constants (not_working is the reference, 0)
    asc_out_of_province: float = 0.0
    asc_in_province: float = 0.0
    asc_local_job: float = 0.0
    asc_workshop: float = 0.0
    asc_public_welfare: float = 0.0
    income_weight: float = 1.0  # utility per 1000 yuan of expected monthly earnings
    distance_cost_out: float = 1.0
    distance_cost_in: float = 0.5
    care_cost: float = 2.0  # of being away, for a worker with care duties
    care_weight_in_province: float = 0.8  # in-province work away is nearer home than out
    peer_weight: float = 4.3  # outside evidence: Chen, Jin & Yue (NBER w15671)
    habit: float = 1.0  # pull of the last option held
    home_value_sd: float = 1.0  # spread of the taste for not working across workers
    experience_discount: float = 0.3  # share of distance cost a migrant with experience saves
    relocated_workshop_bonus: float = 1.0  # workshops sit in resettlement communities
    weak_public_welfare_bonus: float = 1.0
    weak_can_migrate: float = 0.2
    over_age_can_migrate: float = 0.1
    job_finding_out: float = 0.85
    job_finding_in: float = 0.85
    search_rate: float = 0.35  # share of non-working workers who look for work in a month
    reconsider_rate: float = 0.02  # share of working workers who reconsider in a month
    # monthly separation hazards (mean contract = 1 / hazard months)
    separation_out_of_province: float = 0.04
    separation_in_province: float = 0.04
    separation_local_job: float = 0.03
    separation_workshop: float = 0.03
    separation_public_welfare: float = 0.083
    women_care_share: float = 0.8  # share of caregivers who are women


# ---------------------------------------------------------------------------------------------
# institutions: local room limits that are not policy levers
# ---------------------------------------------------------------------------------------------


@dataclass
class LocalJobsConfig:
    demand: int = 760_000  # local wage jobs open to modelled workers (fitted level)
    region_weights: list[float] = field(default_factory=lambda: [1.2, 1.2, 0.9])
    demand_growth_per_year: float = 0.041


# ---------------------------------------------------------------------------------------------
# policy levers: one group each; every lever has `enabled`, a size, a timing and a unit cost
# ---------------------------------------------------------------------------------------------


@dataclass
class TrainingConfig:
    enabled: bool = True
    scale: float = 1.0
    trainees_per_year: int = 81_500  # T9
    months: list[int] = field(default_factory=lambda: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    min_months_not_working: int = 3  # trainees are found among those out of work this long
    min_duration: int = 1
    max_duration: int = 3
    wage_premium: float = 0.10  # Zhao & Geng 2020
    job_finding_boost: float = 0.10
    certificate_share: float = 0.8
    cost_per_trainee: float = 1500.0


@dataclass
class ReferralConfig:
    enabled: bool = True
    scale: float = 1.0
    coverage: float = 0.30  # share of workers reached by referral (bases, 秦雲就業)
    distance_cost_cut: float = 0.3
    job_finding_boost: float = 0.10
    export_bases: int = 311  # P4
    cost_per_base_per_month: float = 5000.0


@dataclass
class TransportConfig:
    enabled: bool = True
    scale: float = 1.0
    capacity_per_year: int = 35_000  # T12
    cost_per_worker: float = 400.0


@dataclass
class WorkshopsConfig:
    enabled: bool = True
    scale: float = 1.0
    workshops: int = 1830  # T6
    bases: int = 1203  # T6
    paired: int = 321  # T7, Jiangsu pairing
    rural_jobs: int = 197_000  # T6: all rural workers employed there
    paired_room: int = 19_000  # T7: room for poverty-alleviated workers in paired workshops
    other_room: int = 15_600  # T6 - T7: room in the other workshops and bases
    closure_hazard: float = 0.01  # monthly, before tax relief
    tax_relief: bool = True
    tax_relief_closure_cut: float = 0.5
    reopen_rate: float = 0.5  # monthly chance a closed site is taken by a new firm
    tax_relief_per_workshop_month: float = 2000.0


@dataclass
class HiringSubsidyConfig:
    enabled: bool = True
    scale: float = 1.0
    amount: float = 2000.0  # P8
    start: str = "2021-01"
    end: str = "2022-01"  # until the 2022 Spring Festival
    min_contract_months: int = 6  # P8
    small_firm_share: float = 0.8
    take_up: float = 0.3  # share of eligible hires for which firms claim the subsidy
    demand_elasticity: float = 0.5  # Hamermesh 1993


@dataclass
class PublicWelfareConfig:
    enabled: bool = True
    scale: float = 1.0
    posts: int = 214_300  # T8


@dataclass
class StartupLoansConfig:
    enabled: bool = True
    scale: float = 1.0
    loans_yuan: float = 20_380_000.0  # T10
    entrepreneurs: int = 1206  # T10
    jobs_per_entrepreneur: float = 42.6  # T10: 5.14萬 / 1206
    months: list[int] = field(default_factory=lambda: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    interest_subsidy_rate: float = 0.0385  # 2021 one-year LPR
    term_months: int = 36  # guaranteed start-up loans run up to three years


@dataclass
class LabourBrandsConfig:
    enabled: bool = True
    scale: float = 1.0
    members: int = 60_000  # certified brand workers (fitted so brand jobs match T11)
    wage_premium: float = 0.10
    job_finding_boost: float = 0.10
    cost_per_member_per_year: float = 500.0


@dataclass
class ZeroEmploymentConfig:
    enabled: bool = True
    scale: float = 1.0
    contact_rate: float = 0.5  # share of identified zero-employment households reached a month
    cost_per_placement: float = 500.0


@dataclass
class MonitoringConfig:
    enabled: bool = True
    scale: float = 1.0
    identification_rate: float = 0.3  # share of at-risk households identified a month
    monitoring_line: float = 6000.0  # yuan per person per year
    cost_per_household_month: float = 10.0


@dataclass
class PolicyConfig:
    training: TrainingConfig = field(default_factory=TrainingConfig)
    referral: ReferralConfig = field(default_factory=ReferralConfig)
    transport: TransportConfig = field(default_factory=TransportConfig)
    workshops: WorkshopsConfig = field(default_factory=WorkshopsConfig)
    hiring_subsidy: HiringSubsidyConfig = field(default_factory=HiringSubsidyConfig)
    public_welfare: PublicWelfareConfig = field(default_factory=PublicWelfareConfig)
    startup_loans: StartupLoansConfig = field(default_factory=StartupLoansConfig)
    labour_brands: LabourBrandsConfig = field(default_factory=LabourBrandsConfig)
    zero_employment: ZeroEmploymentConfig = field(default_factory=ZeroEmploymentConfig)
    monitoring: MonitoringConfig = field(default_factory=MonitoringConfig)


LEVERS = tuple(f.name for f in fields(PolicyConfig))

# ---------------------------------------------------------------------------------------------
# scenario: calendar, shocks, horizon
# ---------------------------------------------------------------------------------------------


@dataclass
class ScenarioConfig:
    name: str = "baseline_2021"
    start: str = "2021-01"  # first simulated month; the state at the end of the month before
    end: str = "2021-12"  # last simulated month (may run to 2025-12)
    burn_in_months: int = 24  # months run under end-2020 conditions before the start
    initial_passes: int = 4  # one-shot choices that settle the peer shares before the burn-in
    # epidemic disruption: month -> strength in [0, 1] (share of destination jobs closed and
    # of departures blocked)
    disruption: dict[str, float] = field(default_factory=dict)
    disruption_scale: float = 1.0  # multiplies every month's strength (for sweeps)
    disruption_closure_share: float = 0.3
    # Spring Festival month by year (the festival pulls migrants home, they leave after it)
    festival_months: dict[str, str] = field(default_factory=dict)
    festival_return_share: float = 0.6
    stay_put_call: dict[str, float] = field(default_factory=dict)  # year -> cut of returns
    destination_demand_growth: float = 0.013  # per year from the start, raises migrant job finding
    paired_workshop_growth: float = 0.0  # per year, eastern industry moving west
    # policy path after the first year: continue / taper / withdraw
    policy_path: str = "continue"
    taper_per_year: float = 0.5


@dataclass
class Config:
    seed: int = 0
    population: PopulationConfig = field(default_factory=PopulationConfig)
    counties: CountiesConfig = field(default_factory=CountiesConfig)
    wages: WagesConfig = field(default_factory=WagesConfig)
    behaviour: BehaviourConfig = field(default_factory=BehaviourConfig)
    local_jobs: LocalJobsConfig = field(default_factory=LocalJobsConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    scenario: ScenarioConfig = field(default_factory=ScenarioConfig)
    replicates: int = 1
    quiet: bool = False
    fitted_for_labour_force: int = 0  # written by sim-calibrate: the labour force of the fit


def register() -> None:
    """Register the schema so `conf/config.yaml` can extend it (defaults: `- schema`)."""
    cs = ConfigStore.instance()
    cs.store(name="schema", node=Config)


# ---------------------------------------------------------------------------------------------
# validation: ranges and cross-field checks, each failure names the key and what is allowed
# ---------------------------------------------------------------------------------------------


class ConfigError(ValueError):
    """A config value outside what the model allows. The message is one paragraph for users."""


POLICY_PATHS = ("continue", "taper", "withdraw")


def _fail(key: str, value: Any, allowed: str) -> None:
    raise ConfigError(f"Invalid value for '{key}': got {value!r}; allowed: {allowed}.")


def _month_ok(text: str) -> bool:
    try:
        y, m = text.split("-")
        return len(y) == 4 and 1 <= int(m) <= 12 and 2015 <= int(y) <= 2035 and len(m) == 2
    except (ValueError, AttributeError):
        return False


def _check_shares(key: str, shares: list[float], n: int) -> None:
    if len(shares) != n:
        _fail(key, shares, f"a list of {n} shares")
    if any(s < 0 or s > 1 for s in shares):
        _fail(key, shares, "shares between 0 and 1")
    if abs(sum(shares) - 1.0) > 1e-6:
        _fail(key, shares, f"shares that sum to 1 (these sum to {sum(shares):.6g})")


def _check_numbers(prefix: str, node: Any) -> None:
    """Every number in the tree is finite; sizes, costs, rates and shares are not negative."""
    import math

    for f in fields(node):
        value = getattr(node, f.name)
        key = f"{prefix}.{f.name}"
        if is_dataclass(value):
            _check_numbers(key, value)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, (int, float)):
            if not math.isfinite(value):
                _fail(key, value, "a finite number")
            if value < 0 and not f.name.startswith("asc_"):
                _fail(key, value, "a number that is not negative")
        elif isinstance(value, list) and all(isinstance(v, (int, float)) for v in value):
            if any(v < 0 for v in value):
                _fail(key, value, "numbers that are not negative")


_RATE_KEYS = {
    "population": ["female_share", "weak_share", "relocated_share", "care_share",
                   "grandparent_care_share", "monitored_share", "migration_experience_share"],
    "behaviour": ["care_weight_in_province", "experience_discount", "weak_can_migrate",
                  "over_age_can_migrate", "job_finding_out", "job_finding_in", "search_rate",
                  "reconsider_rate", "separation_out_of_province", "separation_in_province",
                  "separation_local_job", "separation_workshop", "separation_public_welfare",
                  "women_care_share"],
}


def validate(cfg: Config) -> None:
    """Raise ConfigError naming the first key whose value the model cannot use."""
    _check_numbers("population", cfg.population)
    _check_numbers("counties", cfg.counties)
    _check_numbers("wages", cfg.wages)
    _check_numbers("behaviour", cfg.behaviour)
    _check_numbers("local_jobs", cfg.local_jobs)
    _check_numbers("policy", cfg.policy)
    _check_numbers("scenario", cfg.scenario)
    pop = cfg.population
    if pop.labour_force < 1000:
        _fail("population.labour_force", pop.labour_force, "a whole number of at least 1000")
    if not 0 < pop.scale <= 1:
        _fail("population.scale", pop.scale, "a fraction in (0, 1]")
    if pop.labour_force * pop.scale < 500:
        _fail("population.scale", pop.scale,
              f"a fraction that simulates at least 500 workers (labour_force={pop.labour_force})")
    if pop.workers_per_household < 1:
        _fail("population.workers_per_household", pop.workers_per_household, "a number >= 1")
    _check_shares("population.age_shares", pop.age_shares, 4)
    _check_shares("population.skill_shares", pop.skill_shares, 3)
    _check_shares("population.region_shares", pop.region_shares, 3)
    for group, keys in _RATE_KEYS.items():
        for k in keys:
            v = getattr(getattr(cfg, group), k)
            if not 0 <= v <= 1:
                _fail(f"{group}.{k}", v, "a share between 0 and 1")
    _validate_counties(cfg.counties)
    if len(cfg.wages.skill_factors) != 3:
        _fail("wages.skill_factors", cfg.wages.skill_factors, "a list of 3 factors (low, mid, high)")
    if len(cfg.local_jobs.region_weights) != 3:
        _fail("local_jobs.region_weights", cfg.local_jobs.region_weights, "a list of 3 weights")
    _validate_policy(cfg)
    _validate_scenario(cfg.scenario)
    if cfg.replicates < 1:
        _fail("replicates", cfg.replicates, "a whole number >= 1")


def _validate_counties(c: CountiesConfig) -> None:
    for key in ("per_region", "formerly_poor_per_region", "key_per_region"):
        if len(getattr(c, key)) != 3:
            _fail(f"counties.{key}", getattr(c, key), "a list of 3 whole numbers (north, centre, south)")
    if sum(c.per_region) != c.count:
        _fail("counties.per_region", c.per_region, f"counts that sum to counties.count ({c.count})")
    for r in range(3):
        if c.formerly_poor_per_region[r] > c.per_region[r]:
            _fail("counties.formerly_poor_per_region", c.formerly_poor_per_region,
                  "at most counties.per_region in each region")
        if c.key_per_region[r] > c.formerly_poor_per_region[r]:
            _fail("counties.key_per_region", c.key_per_region,
                  "at most counties.formerly_poor_per_region in each region")


def _validate_policy(cfg: Config) -> None:
    p = cfg.policy
    labour = cfg.population.labour_force
    t = p.training
    if t.min_duration < 1 or t.max_duration < t.min_duration:
        _fail("policy.training.max_duration", t.max_duration,
              f"whole months with 1 <= min_duration ({t.min_duration}) <= max_duration")
    for lever, key in (("training", "months"), ("startup_loans", "months")):
        months = getattr(getattr(p, lever), key)
        if not months or any(m < 1 or m > 12 for m in months):
            _fail(f"policy.{lever}.{key}", months, "a non-empty list of calendar months 1..12")
    for k in ("certificate_share",):
        if not 0 <= getattr(t, k) <= 1:
            _fail(f"policy.training.{k}", getattr(t, k), "a share between 0 and 1")
    for k in ("coverage", "distance_cost_cut"):
        if not 0 <= getattr(p.referral, k) <= 1:
            _fail(f"policy.referral.{k}", getattr(p.referral, k), "a share between 0 and 1")
    w = p.workshops
    if w.paired > w.workshops:
        _fail("policy.workshops.paired", w.paired, f"at most policy.workshops.workshops ({w.workshops})")
    if w.paired_room + w.other_room > w.rural_jobs:
        _fail("policy.workshops.rural_jobs", w.rural_jobs,
              "at least paired_room + other_room (all jobs include the modelled workers' room)")
    for k in ("closure_hazard", "tax_relief_closure_cut", "reopen_rate"):
        if not 0 <= getattr(w, k) <= 1:
            _fail(f"policy.workshops.{k}", getattr(w, k), "a share between 0 and 1")
    h = p.hiring_subsidy
    for k in ("start", "end"):
        if not _month_ok(getattr(h, k)):
            _fail(f"policy.hiring_subsidy.{k}", getattr(h, k), "a month written YYYY-MM")
    if h.end < h.start:
        _fail("policy.hiring_subsidy.end", h.end, f"a month not before start ({h.start})")
    for k in ("small_firm_share", "take_up"):
        if not 0 <= getattr(h, k) <= 1:
            _fail(f"policy.hiring_subsidy.{k}", getattr(h, k), "a share between 0 and 1")
    for lever, key in (("public_welfare", "posts"), ("training", "trainees_per_year"),
                       ("labour_brands", "members"), ("transport", "capacity_per_year")):
        size = getattr(getattr(p, lever), key) * getattr(p, lever).scale
        if size > labour:
            _fail(f"policy.{lever}.{key}", getattr(getattr(p, lever), key),
                  f"a size (times scale) not above the labour force ({labour})")
    for lever, k in (("zero_employment", "contact_rate"), ("monitoring", "identification_rate")):
        if not 0 <= getattr(getattr(p, lever), k) <= 1:
            _fail(f"policy.{lever}.{k}", getattr(getattr(p, lever), k), "a share between 0 and 1")


def _validate_scenario(s: ScenarioConfig) -> None:
    for k in ("start", "end"):
        if not _month_ok(getattr(s, k)):
            _fail(f"scenario.{k}", getattr(s, k), "a month written YYYY-MM between 2015 and 2035")
    if s.start != "2021-01":
        _fail("scenario.start", s.start, "'2021-01' (runs start from the state at the end of 2020)")
    if not "2021-01" <= s.end <= "2025-12":
        _fail("scenario.end", s.end, "a month from 2021-01 to 2025-12")
    for month, strength in s.disruption.items():
        if not _month_ok(str(month)):
            _fail("scenario.disruption", month, "months written YYYY-MM as keys")
        if not 0 <= strength <= 1:
            _fail(f"scenario.disruption.{month}", strength, "a strength between 0 and 1")
    for year, month in s.festival_months.items():
        if not _month_ok(str(month)) or not str(month).startswith(str(year)):
            _fail(f"scenario.festival_months.{year}", month, "a month YYYY-MM in that year")
    for year, cut in s.stay_put_call.items():
        if not 0 <= cut <= 1:
            _fail(f"scenario.stay_put_call.{year}", cut, "a share between 0 and 1")
    if any(strength * s.disruption_scale > 1 for strength in s.disruption.values()):
        _fail("scenario.disruption_scale", s.disruption_scale,
              "a factor that keeps every month's strength (times the factor) at most 1")
    for k in ("disruption_closure_share", "festival_return_share", "taper_per_year"):
        if not 0 <= getattr(s, k) <= 1:
            _fail(f"scenario.{k}", getattr(s, k), "a share between 0 and 1")
    if not 1 <= s.initial_passes <= 20:
        _fail("scenario.initial_passes", s.initial_passes, "a whole number from 1 to 20")
    if not 0 <= s.burn_in_months <= 60:
        _fail("scenario.burn_in_months", s.burn_in_months, "a whole number of months from 0 to 60")
    if s.policy_path not in POLICY_PATHS:
        _fail("scenario.policy_path", s.policy_path, "one of " + ", ".join(POLICY_PATHS))


def to_params(cfg: Any) -> Config:
    """Turn a composed DictConfig (or a Config) into plain, validated dataclasses."""
    if not isinstance(cfg, Config):
        cfg = OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(Config), cfg))
    validate(cfg)
    return cfg
