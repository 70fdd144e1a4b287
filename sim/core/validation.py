"""The values the model can use: every number's range, and the cross-field rules (quotas not
above the labour force, counties that add up, months inside the horizon). A failure is a
`ConfigError` whose message is one paragraph naming the key, the value and what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any, NoReturn

from .params import (EXISTING_RESULTS, LEVERS, POLICY_PATHS, START_LEVERS, BehaviourConfig, Config,
                     CountiesConfig, ScenarioConfig, disruption, get, open_share)

# ---------------------------------------------------------------------------------------------
# validation: ranges and cross-field checks, each failure names the key and what is allowed
# ---------------------------------------------------------------------------------------------


class InputError(ValueError):
    """Input the package cannot use: a setting, an argument or a file. The message is one
    paragraph for users that names the thing and what is allowed; every command answers it with
    that paragraph and exit status 2 (sim.commands.cli)."""


class ConfigError(InputError):
    """A config value outside what the model allows."""


FIRST_MONTH, LAST_MONTH = "2021-01", "2025-12"  # the longest horizon a run can have
FIRST_FULL_YEAR_END = "2021-12"
YEARS = tuple(str(y) for y in range(int(FIRST_MONTH[:4]), int(LAST_MONTH[:4]) + 1))
MAX_LABOUR_FORCE = 40_000_000  # Shaanxi's whole population is about 39.5 million
MAX_SEED = 2**32 - 1
MAX_ROOM = 2_000_000_000  # workshop room is held in int32
MIN_WORKERS = 500  # fewer simulated workers leave too few per county for the room limits
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")  # a scenario name is a folder name


def _fail(key: str, value: Any, allowed: str) -> NoReturn:
    raise ConfigError(f"Invalid value for '{key}': got {value!r}; allowed: {allowed}.")


# Every number in the schema has a range here (tests check that none is missing): (low, high,
# what to tell the user); `_OPEN_LOW` keys must be above their low, not equal to it.
SHARE = (0.0, 1.0, "a share between 0 and 1")
_MONEY = (0.0, 1e12, "an amount in yuan from 0 to 1e12")
_FACTOR = (0.0, 100.0, "a factor from 0 to 100")
_BOOST = (0.0, 10.0, "a number from 0 to 10")
_PAY = (100.0, 100_000.0, "a monthly pay in yuan from 100 to 100,000")
_UTILITY = (0.0, 100.0, "a number from 0 to 100 (utility units)")
_COUNT = (0, 100_000, "a whole number from 0 to 100,000")


def _ranges() -> dict[str, tuple[float, float, str]]:
    r: dict[str, tuple[float, float, str]] = {
        "seed": (0, MAX_SEED, f"a whole number from 0 to {MAX_SEED}"),
        "replicates": (1, 1000, "a whole number from 1 to 1000"),
        "posterior_draw": (-1, 100_000, "-1 (the point fit) or the number of a posterior draw"),
        "ensemble": (0, 100_000, "0 (no ensemble) or a number of posterior draws"),
        "fitted_for_labour_force": (0, MAX_LABOUR_FORCE, "0 (unknown) or a labour force"),
        "population.labour_force": (1000, MAX_LABOUR_FORCE,
                                    f"a whole number from 1000 to {MAX_LABOUR_FORCE}"),
        "population.scale": (0.0, 1.0, "a fraction above 0 and at most 1"),
        "population.workers_per_household": (1.0, 10.0, "a number from 1 to 10"),
        "population.persons_per_worker": (1.0, 20.0, "a number from 1 to 20"),
        "population.nonwage_income_mean": (0.0, 1e6, "yuan a year, above 0 and at most 1e6"),
        "population.nonwage_income_sigma": (0.0, 3.0, "a spread from 0 to 3"),
        "counties.count": (3, 10_000, "a whole number from 3 to 10,000"),
        "counties.poor_county_weight": (0.0, 100.0, "a weight above 0 and at most 100"),
        "counties.key_county_weight": (0.0, 100.0, "a weight above 0 and at most 100"),
        "counties.size_dispersion": (0.0, 3.0, "a spread from 0 to 3"),
        "wages.weak_factor": (0.0, 10.0, "a factor above 0 and at most 10"),
        "wages.over_age_factor": (0.0, 10.0, "a factor above 0 and at most 10"),
        "wages.dispersion": (0.0, 2.0, "a spread from 0 to 2"),
        "wages.growth_per_year": SHARE,
        # room (jobs open to the workers) may exceed the labour force: the limit never binds
        "local_jobs.demand": (0, 10**10, "a whole number of jobs from 0 to 1e10"),
        "local_jobs.demand_growth_per_year": SHARE,
        # the burn-in's last twelve months are the year before (E1, T5): at least a year of it
        "scenario.burn_in_months": (12, 60, "a whole number of months from 12 (the year before "
                                            "2021 is simulated) to 60"),
        "scenario.initial_passes": (1, 20, "a whole number from 1 to 20"),
        "scenario.disruption_scale": _FACTOR,
        "scenario.disruption_closure_share": SHARE,
        "scenario.festival_return_share": SHARE,
        "scenario.destination_demand_growth": SHARE,
        "scenario.paired_workshop_growth": SHARE,
        "scenario.out_of_province_pay_change": (-0.9, 10.0, "a relative change from -0.9 to 10"),
        "scenario.taper_per_year": SHARE,
    }
    for k in ("female_share", "weak_share", "relocated_share", "care_share",
              "grandparent_care_share", "monitored_share", "migration_experience_share",
              "entry_rate", "exit_rate_under_50", "exit_rate_50s", "exit_rate_60s"):
        r[f"population.{k}"] = SHARE
    r["population.last_working_age"] = (60, 100, "a whole number of years from 60 to 100")
    for k in ("out_of_province", "in_province", "local_job", "workshop", "public_welfare"):
        r[f"wages.{k}"] = _PAY
    r["wages.relative_pay"] = (0.0, 10.0, "a factor above 0 and at most 10")
    for f in fields(BehaviourConfig):
        if f.name.startswith("asc_"):
            r[f"behaviour.{f.name}"] = (-100.0, 100.0, "a number from -100 to 100 (utility units)")
        elif f.name in ("income_weight", "distance_cost_out", "distance_cost_in", "care_cost",
                        "strain_cost", "age_away_cost", "female_away_cost", "age_home_value",
                        "female_home_value", "peer_weight",
                        "habit", "home_value_sd", "away_taste_sd", "relocated_workshop_bonus",
                        "weak_public_welfare_bonus"):
            r[f"behaviour.{f.name}"] = _UTILITY
        else:  # probabilities, hazards and shares
            r[f"behaviour.{f.name}"] = SHARE
    for lever in LEVERS:
        r[f"policy.{lever}.scale"] = _FACTOR
    r.update(_policy_ranges())
    return r


def _policy_ranges() -> dict[str, tuple[float, float, str]]:
    p = "policy."
    r = {
        p + "training.trainees_per_year": (0, MAX_LABOUR_FORCE, "a whole number, not negative"),
        p + "training.min_months_not_working": (0, 120, "a whole number of months from 0 to 120"),
        p + "training.min_duration": (1, 24, "a whole number of months from 1 to 24"),
        p + "training.max_duration": (1, 24, "a whole number of months from 1 to 24"),
        p + "training.wage_premium": _BOOST,
        p + "training.job_finding_boost": _BOOST,
        p + "training.certificate_share": SHARE,
        p + "training.cost_per_trainee": _MONEY,
        p + "referral.coverage": SHARE,
        p + "referral.distance_cost_cut": SHARE,
        p + "referral.job_finding_boost": _BOOST,
        p + "referral.export_bases": _COUNT,
        p + "referral.cost_per_base_per_month": _MONEY,
        p + "transport.capacity_per_year": (0, MAX_LABOUR_FORCE, "a whole number, not negative"),
        p + "transport.cost_per_worker": _MONEY,
        p + "workshops.workshops": _COUNT,
        p + "workshops.bases": _COUNT,
        p + "workshops.paired": _COUNT,
        p + "workshops.rural_jobs": (0, MAX_ROOM, f"a whole number of jobs from 0 to {MAX_ROOM}"),
        p + "workshops.paired_room": (0, MAX_ROOM, f"a whole number of jobs from 0 to {MAX_ROOM}"),
        p + "workshops.other_room": (0, MAX_ROOM, f"a whole number of jobs from 0 to {MAX_ROOM}"),
        p + "workshops.closure_hazard": SHARE,
        p + "workshops.tax_relief_closure_cut": SHARE,
        p + "workshops.reopen_rate": SHARE,
        p + "workshops.tax_relief_per_workshop_month": _MONEY,
        p + "hiring_subsidy.amount": _MONEY,
        p + "hiring_subsidy.min_contract_months": (1, 120, "a whole number of months from 1 to 120"),
        p + "hiring_subsidy.small_firm_share": SHARE,
        p + "hiring_subsidy.take_up": SHARE,
        p + "hiring_subsidy.demand_elasticity": _BOOST,
        p + "public_welfare.posts": (0, MAX_LABOUR_FORCE, "a whole number, not negative"),
        p + "startup_loans.loans_yuan": _MONEY,
        p + "startup_loans.entrepreneurs": (0, 1_000_000, "a whole number from 0 to 1,000,000"),
        p + "startup_loans.jobs_per_entrepreneur": (0.0, 10_000.0, "a number from 0 to 10,000"),
        p + "startup_loans.interest_subsidy_rate": SHARE,
        p + "startup_loans.term_months": (1, 600, "a whole number of months from 1 to 600"),
        p + "labour_brands.members": (0, MAX_LABOUR_FORCE, "a whole number, not negative"),
        p + "labour_brands.wage_premium": _BOOST,
        p + "labour_brands.job_finding_boost": _BOOST,
        p + "labour_brands.cost_per_member_per_year": _MONEY,
        p + "zero_employment.contact_rate": SHARE,
        p + "zero_employment.cost_per_placement": _MONEY,
        p + "monitoring.identification_rate": SHARE,
        p + "monitoring.monitoring_line": (0.0, 1e6, "yuan per person a year from 0 to 1e6"),
        p + "monitoring.cost_per_household_month": _MONEY,
    }
    return r


RANGES = _ranges()
# a value equal to the low end would break the model (no workers, no pay, a zero weight)
_OPEN_LOW = {"population.scale", "population.nonwage_income_mean", "counties.poor_county_weight",
             "wages.relative_pay",
             "counties.key_county_weight", "wages.weak_factor", "wages.over_age_factor"}


def _check_ranges(cfg: Config) -> None:
    for key, (low, high, allowed) in RANGES.items():
        value = get(cfg, key)
        # NaN fails every comparison, so it is caught here too
        below = value <= low if key in _OPEN_LOW else value < low
        if below or not value <= high:
            _fail(key, value, allowed)


def _month_ok(text: Any) -> bool:
    """`YYYY-MM` with a real month (the horizon is checked where the month is used)."""
    return isinstance(text, str) and re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", text) is not None


def _check_month(key: str, text: Any, first: str = FIRST_MONTH, last: str = LAST_MONTH) -> None:
    if not _month_ok(text) or not first <= text <= last:
        _fail(key, text, f"a month written YYYY-MM from {first} to {last}")


def _check_shares(key: str, shares: list[float], n: int) -> None:
    if len(shares) != n:
        _fail(key, shares, f"a list of {n} shares")
    if not all(0 <= s <= 1 for s in shares):
        _fail(key, shares, "shares between 0 and 1")
    if abs(sum(shares) - 1.0) > 1e-6:
        _fail(key, shares, f"shares that sum to 1 (these sum to {sum(shares):.6g})")


def _check_list(key: str, values: list, n: int, low: float, high: float, what: str) -> None:
    if len(values) != n or not all(low <= v <= high for v in values):
        _fail(key, values, f"a list of {n} {what} from {low:g} to {high:g}")


def validate(cfg: Config) -> None:
    """Raise ConfigError naming the first key whose value the model cannot use."""
    _check_ranges(cfg)
    _validate_population(cfg)
    _validate_counties(cfg.counties)
    w = cfg.wages
    _check_list("wages.skill_factors", w.skill_factors, 3, 0.01, 10.0, "factors (low, mid, high)")
    lj = cfg.local_jobs
    _check_list("local_jobs.region_weights", lj.region_weights, 3, 0.0, 100.0, "weights")
    if sum(lj.region_weights) <= 0:
        _fail("local_jobs.region_weights", lj.region_weights, "weights with a positive sum")
    _validate_policy(cfg)
    _validate_scenario(cfg.scenario)
    _validate_events(cfg)
    _validate_disruption(cfg)
    _validate_series(cfg)
    if cfg.ensemble and cfg.posterior_draw >= 0:
        _fail("posterior_draw", cfg.posterior_draw, "-1 when ensemble is set (an ensemble runs "
              "draws 0 to ensemble - 1)")
    if cfg.existing_results not in EXISTING_RESULTS:
        _fail("existing_results", cfg.existing_results, "one of " + ", ".join(EXISTING_RESULTS))
    if cfg.seed + cfg.replicates - 1 > MAX_SEED:
        _fail("seed", cfg.seed, f"a seed with seed + replicates - 1 at most {MAX_SEED}")


def _validate_population(cfg: Config) -> None:
    pop = cfg.population
    if pop.labour_force * pop.scale < MIN_WORKERS:
        _fail("population.scale", pop.scale, f"a fraction that simulates at least {MIN_WORKERS} "
              f"workers (labour_force={pop.labour_force})")
    _check_shares("population.age_shares", pop.age_shares, 4)
    _check_shares("population.skill_shares", pop.skill_shares, 3)
    _check_shares("population.region_shares", pop.region_shares, 3)


def _validate_counties(c: CountiesConfig) -> None:
    _check_list("counties.per_region", c.per_region, 3, 1, c.count,
                "whole numbers of counties (north, centre, south)")
    if sum(c.per_region) != c.count:
        _fail("counties.per_region", c.per_region, f"counts that sum to counties.count ({c.count})")
    for key in ("formerly_poor_per_region", "key_per_region"):
        _check_list(f"counties.{key}", getattr(c, key), 3, 0, c.count,
                    "whole numbers of counties (north, centre, south)")
    for r in range(3):
        if c.formerly_poor_per_region[r] > c.per_region[r]:
            _fail("counties.formerly_poor_per_region", c.formerly_poor_per_region,
                  f"at most counties.per_region ({c.per_region}) in each region")
        if c.key_per_region[r] > c.formerly_poor_per_region[r]:
            _fail("counties.key_per_region", c.key_per_region,
                  f"at most counties.formerly_poor_per_region ({c.formerly_poor_per_region}) "
                  "in each region")


def _check_quota(cfg: Config, key: str, size: float, scale: float = 1.0) -> None:
    """A quota (times its lever's scale) cannot exceed the labour force it is filled from."""
    labour = cfg.population.labour_force
    if size * scale > labour:
        times = f" times scale {scale:g}" if scale != 1.0 else ""
        _fail(key, size, f"a size{times} not above population.labour_force ({labour})")


def _check_calendar_months(key: str, months: list[int]) -> None:
    if not months or len(set(months)) != len(months) or not all(1 <= m <= 12 for m in months):
        _fail(key, months, "a non-empty list of different calendar months 1..12")


def _validate_policy(cfg: Config) -> None:
    p = cfg.policy
    t = p.training
    if t.max_duration < t.min_duration:
        _fail("policy.training.max_duration", t.max_duration,
              f"whole months not below policy.training.min_duration ({t.min_duration})")
    _check_calendar_months("policy.training.months", t.months)
    _check_calendar_months("policy.startup_loans.months", p.startup_loans.months)
    for lever, key in (("public_welfare", "posts"), ("training", "trainees_per_year"),
                       ("labour_brands", "members"), ("transport", "capacity_per_year")):
        node = getattr(p, lever)
        _check_quota(cfg, f"policy.{lever}.{key}", getattr(node, key), node.scale)
    _validate_workshops(cfg)
    h = p.hiring_subsidy
    _check_month("policy.hiring_subsidy.start", h.start)
    _check_month("policy.hiring_subsidy.end", h.end, first=h.start)


def _validate_workshops(cfg: Config) -> None:
    w = cfg.policy.workshops
    if w.paired > w.workshops:
        _fail("policy.workshops.paired", w.paired, f"at most policy.workshops.workshops ({w.workshops})")
    if w.paired_room > 0 and w.paired == 0:
        _fail("policy.workshops.paired_room", w.paired_room, "0 when there are no paired workshops")
    if w.other_room > 0 and w.workshops - w.paired + w.bases == 0:
        _fail("policy.workshops.other_room", w.other_room,
              "0 when there are no workshops or bases besides the paired ones")
    if w.paired_room + w.other_room > w.rural_jobs:
        _fail("policy.workshops.rural_jobs", w.rural_jobs,
              f"at least paired_room + other_room ({w.paired_room + w.other_room}): all jobs "
              "include the modelled workers' room")
    # the room is sized for the share of sites open at a time, which is 0 if none ever reopens
    if w.closure_hazard > 0 and w.reopen_rate == 0:
        _fail("policy.workshops.reopen_rate", w.reopen_rate,
              "a rate above 0 when policy.workshops.closure_hazard is above 0")
    # as sim.core.institutions.build_workshops sizes it; one workshop's room must fit its int32
    room = (w.paired_room + w.other_room) * w.scale * cfg.population.scale / open_share(w)
    if room > MAX_ROOM:
        _fail("policy.workshops.other_room", w.other_room,
              f"room that, with paired_room, scale and the open share of sites, stays at most "
              f"{MAX_ROOM} jobs at the simulated scale (this is {room:.3g})")


def _validate_events(cfg: Config) -> None:
    for name, event in cfg.events.items():
        key = f"events.{name}"
        _check_month(f"{key}.month", event.month, first="2022-01")
        if not 0 <= event.strength <= 1:
            _fail(f"{key}.strength", event.strength, "a strength between 0 and 1")
        for part in ("place", "what", "source"):
            if not str(getattr(event, part)).strip():
                _fail(f"{key}.{part}", getattr(event, part),
                      "a description (every event says where, what and its source)")


def _validate_disruption(cfg: Config) -> None:
    """Each month's strength, the calendar's and the events' together, times disruption_scale,
    is a share of jobs closed and of departures blocked: at most 1 in every month it acts."""
    months = set(cfg.scenario.disruption) | {e.month for e in cfg.events.values()}
    for month in sorted(months):
        strength = disruption(cfg, month)
        if strength > 1:
            _fail("scenario.disruption_scale", cfg.scenario.disruption_scale,
                  f"a factor that keeps every month's strength (the calendar's and the events' "
                  f"together, times the factor) at most 1 ({month} would have {strength:g})")


SERIES = ("outgoing_migrants", "local_migrants", "pay_outgoing", "pay_local")


def _validate_series(cfg: Config) -> None:
    for name in SERIES:
        levels = getattr(cfg.series, name)
        if not levels:
            continue  # no series: the 2021 rates hold (sim.core.growth)
        key = f"series.{name}"
        years = sorted(int(y) for y in levels)
        if years != list(range(years[0], years[-1] + 1)) or not {2020, 2021} <= set(years):
            _fail(key, dict(levels), "levels for consecutive years, 2020 and 2021 among them")
        if not all(0 < float(v) < 1e9 for v in levels.values()):
            _fail(key, dict(levels), "levels above 0 and below 1e9")


def _validate_scenario(s: ScenarioConfig) -> None:
    if not isinstance(s.name, str) or not _NAME.fullmatch(s.name):
        _fail("scenario.name", s.name, "letters, digits, '_', '-' or '.', starting with a letter "
              "or digit, at most 100 characters (it names the output folder)")
    if s.start != FIRST_MONTH:
        _fail("scenario.start", s.start,
              f"'{FIRST_MONTH}' (runs start from the state at the end of 2020)")
    # the summary and the fit are of 2021, the first simulated year: a run covers it whole
    _check_month("scenario.end", s.end, first=FIRST_FULL_YEAR_END)
    for month, strength in s.disruption.items():
        _check_month(f"scenario.disruption.{month}", month, first=s.start)
        if not 0 <= strength <= 1:
            _fail(f"scenario.disruption.{month}", strength, "a strength between 0 and 1")
    for year, month in s.festival_months.items():
        if str(year) not in YEARS:
            _fail("scenario.festival_months", year, f"years from {YEARS[0]} to {YEARS[-1]} as keys")
        _check_month(f"scenario.festival_months.{year}", month, f"{year}-01", f"{year}-12")
    for year, cut in s.stay_put_call.items():
        if str(year) not in YEARS:
            _fail("scenario.stay_put_call", year, f"years from {YEARS[0]} to {YEARS[-1]} as keys")
        if not 0 <= cut <= 1:
            _fail(f"scenario.stay_put_call.{year}", cut, "a share between 0 and 1")
    if s.policy_path not in POLICY_PATHS:
        _fail("scenario.policy_path", s.policy_path, "one of " + ", ".join(POLICY_PATHS))
    if s.start_levers not in START_LEVERS:
        _fail("scenario.start_levers", s.start_levers, "one of " + ", ".join(START_LEVERS))


