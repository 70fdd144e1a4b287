"""The model's parameters: one dataclass per config group (`conf/<group>/`).

They are the schema of the Hydra configs (registered by `sim.experiments.compose`), so every YAML
file and every override is type-checked before anything runs; `sim.core.validation` adds the ranges
and cross-field rules that types cannot express. The model reads only these plain dataclasses,
never a DictConfig (6.7 µs an attribute against 20 ns). Sources of every default: docs/MODEL.md §4.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any


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
    # demography from 2021 (docs/MODEL.md 3.4.24): young people of these households enter the
    # labour force at 16; workers leave it by age and health, all at the last working age
    entry_rate: float = 0.010  # entrants a year, as a share of the end-2020 labour force
    exit_rate_under_50: float = 0.002  # a year: mortality and disability
    exit_rate_50s: float = 0.006
    exit_rate_60s: float = 0.08  # over-age labour stops wage work, and mortality
    last_working_age: int = 70


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
    # pay of poverty-alleviated workers against the NBS averages of all rural migrant workers
    # (out of province, in province, local jobs; workshop and post pay are local levels)
    relative_pay: float = 1.0


# ---------------------------------------------------------------------------------------------
# behaviour: the decision rule's parameters (fitted ones in conf/calibration/fitted.yaml)
# ---------------------------------------------------------------------------------------------


@dataclass
class BehaviourConfig:
    """The decision rule (docs/MODEL.md 3.4.11). Utilities are in units of the logit's noise;
    earnings enter in logs, so `income_weight` is the weight of log yuan."""

    # option constants (not working is the reference, 0)
    asc_out_of_province: float = 0.0
    asc_in_province: float = 0.0
    asc_local_job: float = 0.0
    asc_workshop: float = 0.0
    asc_public_welfare: float = 0.0
    income_weight: float = 1.0  # per log yuan of expected monthly earnings (or home income)
    distance_cost_out: float = 1.0
    distance_cost_in: float = 0.5
    care_cost: float = 2.0  # of work away from home for a worker with care duties
    care_weight_in_province: float = 0.8  # in-province work away is nearer home than out
    care_weight_local: float = 0.3  # a full-time local job, against a workshop or a post
    strain_cost: float = 1.0  # of heavy full-time work for weak and over-age labour
    age_away_cost: float = 0.0  # of work away, per ten years of age above 35
    female_away_cost: float = 0.3  # of work away, for a woman (besides care)
    age_home_value: float = 0.3  # of not working, per ten years of age above 35
    female_home_value: float = 0.3  # of not working, for a woman (work at home and on the farm)
    peer_weight: float = 4.3  # outside evidence: Chen, Jin & Yue (NBER w15671)
    habit: float = 1.0  # pull of the last option held
    home_value_sd: float = 1.0  # spread of the taste for not working across workers
    away_taste_sd: float = 1.0  # spread of the lasting taste for work away from home
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


POLICY_PATHS = ("continue", "taper", "withdraw")  # the levers after 2021
# the levers in the end-2020 start: as they stood, or as the run sets them (sim.core.starting_state)
START_LEVERS = ("shipped", "as_run")
EXISTING_RESULTS = ("refuse", "move_aside")  # a folder that holds other results


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
    # out-of-province pay from January 2021, relative to its level (0.1: 10% higher); the start
    # is built without it (the own-wage elasticity is measured with it)
    out_of_province_pay_change: float = 0.0
    demography: bool = True  # ageing, entry and exit from January 2021
    # demand and market pay grow after 2021 (sim.core.growth); false holds them at their end-2021
    # path's level (a what-if: the decomposition of a projection, docs/MODEL.md 3.4.27)
    growth_after_2021: bool = True
    # policy path after the first year: continue / taper / withdraw
    policy_path: str = "continue"
    taper_per_year: float = 0.5
    # levers' enabled/scale in the end-2020 start: as they stood (shipped: the run's settings act
    # from January 2021) or the run's own (as_run: the lever never was, or always was, so)
    start_levers: str = "shipped"


@dataclass
class EventConfig:
    """One event of the epidemic calendar after 2021 (conf/events/): the month it acts in, its
    strength (as a month of `scenario.disruption`: the share of destination jobs closed and of
    departures blocked), and what it was, where, and its source."""
    month: str = "2022-01"
    strength: float = 0.0
    place: str = ""
    what: str = ""
    source: str = ""


@dataclass
class SeriesConfig:
    """National yearly series that set growth after 2021 (conf/series/nbs.yaml; EVIDENCE M1, M2,
    M6): year -> level. A year's growth is its level over the year before's; years after the
    last take the mean growth of the series' last three years."""
    outgoing_migrants: dict[str, float] = field(default_factory=dict)
    local_migrants: dict[str, float] = field(default_factory=dict)
    pay_outgoing: dict[str, float] = field(default_factory=dict)
    pay_local: dict[str, float] = field(default_factory=dict)


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
    events: dict[str, EventConfig] = field(default_factory=dict)  # the calendar after 2021
    series: SeriesConfig = field(default_factory=SeriesConfig)
    replicates: int = 1
    # the calibration's posterior (conf/calibration/posterior.csv): -1 runs the point fit
    # (fitted.yaml); k runs draw k; `ensemble` N > 0 runs draws 0..N-1, each with the replicates
    posterior_draw: int = -1
    ensemble: int = 0
    quiet: bool = False
    fitted_for_labour_force: int = 0  # written by sim-calibrate: the labour force of the fit
    # a folder that holds an earlier, different run or sweep: refuse, or move its results aside
    existing_results: str = "refuse"


def get(cfg: Any, key: str) -> Any:
    """The value at a dotted key of a Config."""
    for part in key.split("."):
        cfg = getattr(cfg, part)
    return cfg


def open_share(w: WorkshopsConfig) -> float:
    """The long-run share of workshop sites open at a time: a site closes with the monthly hazard
    h (cut by the tax relief) and a closed one reopens at rate r, so h / (h + r) stand closed."""
    hazard = w.closure_hazard * ((1 - w.tax_relief_closure_cut) if w.tax_relief else 1.0)
    return 1.0 - hazard / max(hazard + w.reopen_rate, 1e-12)


def disruption(cfg, label: str) -> float:
    """A month's strength: the 2021 calendar's (scenario.disruption) and the events of the
    calendar after 2021 (conf/events/) in that month, at most 1, times disruption_scale."""
    s = cfg.scenario
    strength = float(s.disruption.get(label, 0.0))
    strength += sum(float(e.strength) for e in cfg.events.values() if e.month == label)
    return min(strength, 1.0) * s.disruption_scale


# settings that change what is printed, not what is computed: left out of the config hash
_NOT_IN_HASH = ("quiet", "fitted_for_labour_force", "scenario.name", "existing_results")


def config_hash(cfg: Config, leave_out: tuple[str, ...] = ()) -> str:
    """A short fingerprint of everything that changes a run's results (seed included), less
    the keys in `leave_out`."""
    doc = asdict(cfg)
    for key in _NOT_IN_HASH + leave_out:
        *parents, last = key.split(".")
        node = doc
        for part in parents:
            node = node[part]
        del node[last]
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
