"""Property-based tests (hypothesis): random valid configs keep every invariant in every month;
random invalid input always gets one clear paragraph (the key, the value, what is allowed), never
a traceback, never a file.

Hypothesis runs derandomized, so CI sees the same examples every time."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
from dataclasses import is_dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, get_type_hints

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.commands import input_checks
from sim.core.model import LaborExportModel
from sim.core.params import LEVERS, Config, config_hash
from sim.core.validation import RANGES, ConfigError, validate
from sim.experiments.compose import load

from .test_invariants import check_rooms, check_statuses

SCENARIOS = ("baseline_2021", "epidemic_2020", "transition_continue", "transition_taper",
             "transition_withdraw")
FAST = ["population.scale=0.002", "scenario.burn_in_months=12", "quiet=true"]
PROFILE = dict(deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def schema_leaves(node: Any = Config, prefix: str = "") -> dict[str, Any]:
    """Dotted key -> type of every setting in the schema."""
    out = {}
    for name, tp in get_type_hints(node).items():
        if is_dataclass(tp):
            out.update(schema_leaves(tp, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = tp
    return out


LEAVES = schema_leaves()
NUMBERS = {k: tp for k, tp in LEAVES.items() if tp in (int, float)}


def test_every_number_in_the_schema_has_a_range():
    assert set(NUMBERS) == set(RANGES)


def test_the_config_hash_ignores_what_does_not_change_results():
    cfg = load(FAST)
    assert config_hash(replace(cfg, quiet=not cfg.quiet)) == config_hash(cfg)
    assert config_hash(replace(cfg, seed=cfg.seed + 1)) != config_hash(cfg)
    policy = replace(cfg.policy, training=replace(cfg.policy.training, scale=2.0))
    assert config_hash(replace(cfg, policy=policy)) != config_hash(cfg)


# ---------------------------------------------------------------------------------------------
# valid configs: every invariant, every month
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def scenario_base(scenario: str) -> Config:
    return load([f"scenario={scenario}"])


def _month(index: int) -> str:
    """2021-01 is index 1."""
    return f"{2021 + (index - 1) // 12}-{(index - 1) % 12 + 1:02d}"


def _shares(draw, n: int) -> list[float]:
    raw = [draw(st.floats(0.05, 1.0)) for _ in range(n)]
    return [x / sum(raw) for x in raw]


def _calendar_months(draw) -> list[int]:
    return sorted(draw(st.sets(st.integers(1, 12), min_size=1)))


@st.composite
def valid_population(draw, cfg: Config):
    labour = draw(st.integers(1_000_000, 3_000_000))
    unit = st.floats(0.0, 1.0)
    return replace(cfg.population, labour_force=labour,
                   scale=draw(st.integers(1500, 6000)) / labour,
                   workers_per_household=draw(st.floats(1.0, 4.0)),
                   age_shares=_shares(draw, 4), skill_shares=_shares(draw, 3),
                   region_shares=_shares(draw, 3), female_share=draw(unit),
                   weak_share=draw(unit), care_share=draw(unit), relocated_share=draw(unit),
                   monitored_share=draw(unit))


@st.composite
def valid_scenario(draw, cfg: Config):
    s = cfg.scenario
    strongest = max(s.disruption.values(), default=0.0)
    # transition scenarios run to 2025 now and then; short runs keep the test quick
    last = 60 if s.name.startswith("transition") and draw(st.integers(0, 4)) == 0 else 18
    return replace(
        s, end=_month(draw(st.integers(12, last))), burn_in_months=draw(st.integers(12, 14)),
        initial_passes=draw(st.integers(1, 2)),
        disruption_scale=draw(st.floats(0.0, min(3.0, 0.999 / strongest) if strongest else 3.0)),
        festival_return_share=draw(st.floats(0.0, 1.0)),
        policy_path=draw(st.sampled_from(("continue", "taper", "withdraw"))),
        start_levers=draw(st.sampled_from(("shipped", "as_run"))),
        taper_per_year=draw(st.floats(0.0, 1.0)),
        paired_workshop_growth=draw(st.floats(0.0, 0.5)),
        destination_demand_growth=draw(st.floats(0.0, 0.1)))


@st.composite
def valid_policy(draw, cfg: Config):
    levers = {lever: replace(getattr(cfg.policy, lever), enabled=draw(st.booleans()),
                             scale=draw(st.floats(0.0, 3.0))) for lever in LEVERS}
    shortest = draw(st.integers(1, 4))
    levers["training"] = replace(levers["training"], months=_calendar_months(draw),
                                 min_duration=shortest,
                                 max_duration=draw(st.integers(shortest, 6)))
    levers["startup_loans"] = replace(levers["startup_loans"], months=_calendar_months(draw))
    levers["workshops"] = replace(levers["workshops"], closure_hazard=draw(st.floats(0.0, 0.1)),
                                  reopen_rate=draw(st.floats(0.05, 1.0)),
                                  tax_relief=draw(st.booleans()))
    start = draw(st.integers(1, 24))
    levers["hiring_subsidy"] = replace(levers["hiring_subsidy"],
                                       amount=draw(st.floats(0.0, 8000.0)),
                                       start=_month(start),
                                       end=_month(draw(st.integers(start, 30))))
    return replace(cfg.policy, **levers)


@st.composite
def valid_configs(draw) -> Config:
    cfg = scenario_base(draw(st.sampled_from(SCENARIOS)))
    population = draw(valid_population(cfg))
    hazards = {f"separation_{k}": draw(st.floats(0.0, 0.2))
               for k in ("out_of_province", "in_province", "local_job", "workshop",
                         "public_welfare")}
    behaviour = replace(cfg.behaviour, search_rate=draw(st.floats(0.05, 1.0)),
                        reconsider_rate=draw(st.floats(0.0, 0.2)), habit=draw(st.floats(0.0, 4.0)),
                        home_value_sd=draw(st.floats(0.0, 8.0)),
                        asc_local_job=draw(st.floats(-5.0, 5.0)), **hazards)
    labour = population.labour_force
    return replace(cfg, seed=draw(st.integers(0, 2**32 - 2)), population=population,
                   scenario=draw(valid_scenario(cfg)), behaviour=behaviour,
                   policy=draw(valid_policy(cfg)),
                   local_jobs=replace(cfg.local_jobs,
                                      demand=draw(st.integers(100_000, labour // 2))),
                   wages=replace(cfg.wages, growth_per_year=draw(st.floats(0.0, 0.2))))


def check_month(model: LaborExportModel) -> None:
    """One status per worker, room limits, counts that add up, nothing negative, no NaN."""
    check_statuses(model)
    check_rooms(model)
    led = model.ledger
    assert led.by_county.min() >= 0 and led.workshop_taken.min() >= 0
    assert led.household_working.min() >= 0 and led.startup_jobs.min() >= 0
    assert led.by_county.sum() == model.workers.n
    current = dict(model.recorder.current)
    # a share of nobody (no worker mostly away, none mostly in county wage work, ...) is
    # undefined (NaN); a defined share lies in [0, 1]
    for share in ("migrant_6_months_share", "women_share_away", "women_share_in_county",
                  "over_50_share"):
        value = current.pop(share)
        assert np.isnan(value) or 0.0 <= value <= 1.0, (share, value)
    values = np.array(list(current.values()))
    assert np.all(np.isfinite(values)), {k: v for k, v in current.items() if not np.isfinite(v)}
    assert np.all(values >= 0), {k: v for k, v in model.recorder.current.items() if v < 0}
    grouped = np.array([v for _, _, v in model.recorder.grouped[-1]])
    assert np.all(np.isfinite(grouped)) and np.all(grouped >= 0)
    costs = {k: v for k, v in model.recorder.current.items() if k.startswith("cost_")}
    assert math.isclose(costs.pop("cost_total"), sum(costs.values()), rel_tol=1e-9, abs_tol=1e-6)


@settings(max_examples=200, **PROFILE)
@given(valid_configs())
def test_random_valid_configs_keep_every_invariant_every_month(cfg):
    validate(cfg)  # what the generator draws is inside the schema: a valid config is accepted
    model = LaborExportModel(cfg)
    check_month(model)
    while model.t < len(model.labels) - 1:
        model.step()
        check_month(model)


# ---------------------------------------------------------------------------------------------
# invalid input: always the clear error
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def composed(files: tuple[str, ...]):
    """The composed config for these group choices (composing is slow; values are applied to a
    copy of it, as Hydra applies them)."""
    return input_checks.compose(list(files))


def _number(tp: Any, value: float) -> str:
    return str(int(value)) if tp is int else repr(float(value))


@st.composite
def out_of_range(draw) -> tuple[str, str]:
    key = draw(st.sampled_from(sorted(RANGES)))
    low, high, _ = RANGES[key]
    tp = NUMBERS[key]
    step = draw(st.sampled_from((1, 2, 10, 1000)) if tp is int else st.floats(1e-3, 1e3))
    choices = [_number(tp, high + step), _number(tp, low - step)]
    if tp is float:
        choices += ["nan", "inf", "-inf"]
    return f"{key}={draw(st.sampled_from(choices))}", key


WORDS = st.sampled_from(("lots", "maybe", "perhaps", "n/a", "abc", "x1"))


@st.composite
def wrong_type(draw) -> tuple[str, str]:
    key = draw(st.sampled_from(sorted(k for k, tp in LEAVES.items()
                                      if tp in (int, float, bool) or str(tp).startswith("list"))))
    value = draw(WORDS) if LEAVES[key] is not str else "[1,2]"
    if str(LEAVES[key]).startswith("list"):
        value = draw(st.sampled_from(("[a,b]", "lots", "{x:1}")))
    return f"{key}={value}", key


@st.composite
def unknown_key(draw) -> tuple[str, str]:
    key = draw(st.sampled_from(sorted(LEAVES)))
    parts = key.split(".")
    i = draw(st.integers(0, len(parts) - 1))
    word = parts[i]
    j = draw(st.integers(0, len(word)))
    parts[i] = word[:j] + draw(st.sampled_from("qzx_")) + word[j:]
    typo = ".".join(parts)
    return f"{typo}={draw(st.sampled_from(('1', '0.5', 'true')))}", typo


@st.composite
def bad_shares(draw) -> tuple[str, str]:
    key, n = draw(st.sampled_from((("population.age_shares", 4), ("population.skill_shares", 3),
                                   ("population.region_shares", 3))))
    kind = draw(st.sampled_from(("length", "sum", "negative")))
    if kind == "length":
        m = draw(st.sampled_from([k for k in (1, 2, 3, 4, 5) if k != n]))
        shares = [1.0 / m] * m
    elif kind == "sum":
        shares = [draw(st.floats(0.0, 1.0)) for _ in range(n)]
        if abs(sum(shares) - 1) < 1e-3:
            shares[0] += 0.5
    else:
        shares = [1.0 / n] * n
        shares[draw(st.integers(0, n - 1))] = -draw(st.floats(0.01, 1.0))
    return f"{key}=[{','.join(repr(x) for x in shares)}]", key


@st.composite
def bad_months(draw) -> tuple[str, str]:
    month = draw(st.sampled_from(("2020-12", "2026-01", "2031-03", "2021-13", "2021-00", "2021-6",
                                  "21-05", "2021/05", "May")))
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return f"scenario.end={month}", "scenario.end"
    if kind == 1:
        key = f"policy.hiring_subsidy.{draw(st.sampled_from(('start', 'end')))}"
        return f"{key}={month}", key
    if kind == 2 and "-" in month and "/" not in month and month[:2] == "20":
        return f"++scenario.disruption={{{month}:0.2}}", f"scenario.disruption.{month}"
    if kind == 3:
        return f"scenario.festival_months.2022={month}", "scenario.festival_months.2022"
    key = f"policy.{draw(st.sampled_from(('training', 'startup_loans')))}.months"
    months = draw(st.sampled_from(("[]", "[0,3]", "[3,13]", "[4,4]", "[-1]")))
    return f"{key}={months}", key


@st.composite
def above_labour_force(draw) -> tuple[str, str]:
    lever, key = draw(st.sampled_from((("public_welfare", "posts"),
                                       ("training", "trainees_per_year"),
                                       ("labour_brands", "members"),
                                       ("transport", "capacity_per_year"))))
    size = getattr(getattr(load_baseline().policy, lever), key)
    labour = load_baseline().population.labour_force
    if draw(st.booleans()):
        return f"policy.{lever}.{key}={labour + draw(st.integers(1, 10**6))}", f"policy.{lever}.{key}"
    # a scale that lifts the quota above the labour force, still inside the scale's own range
    factor = draw(st.floats(1.01, min(5.0, 99.0 * size / labour)))
    return f"policy.{lever}.scale={labour / size * factor!r}", f"policy.{lever}.{key}"


@lru_cache(maxsize=None)
def load_baseline() -> Config:
    return load([])


CROSS_FIELD = [
    ("counties.per_region=[25,54,29]", "counties.per_region"),
    ("counties.key_per_region=[13,4,16]", "counties.key_per_region"),
    ("counties.formerly_poor_per_region=[26,17,27]", "counties.formerly_poor_per_region"),
    ("policy.workshops.paired=5000", "policy.workshops.paired"),
    ("policy.workshops.paired=0", "policy.workshops.paired_room"),
    ("policy.workshops.rural_jobs=1000", "policy.workshops.rural_jobs"),
    ("policy.workshops.reopen_rate=0", "policy.workshops.reopen_rate"),
    ("policy.training.max_duration=0", "policy.training.max_duration"),
    ("policy.training.min_duration=4", "policy.training.max_duration"),
    ("scenario.disruption_scale=3.5", "scenario.disruption_scale"),
    ("local_jobs.demand=-5", "local_jobs.demand"),
    ("local_jobs.region_weights=[0,0,0]", "local_jobs.region_weights"),
    ("wages.skill_factors=[1,1]", "wages.skill_factors"),
    ("policy.workshops.reopen_rate=1e-9", "policy.workshops.other_room"),
    ("scenario.name=../elsewhere", "scenario.name"),
    ("scenario.name=a/b", "scenario.name"),
    ("scenario.start=2021-03", "scenario.start"),
    ("scenario.policy_path=stop", "scenario.policy_path"),
    ("scenario.start_levers=never", "scenario.start_levers"),
    ("++scenario.stay_put_call.2031=0.5", "scenario.stay_put_call"),
    ("++scenario.disruption={2021-05:1.5}", "scenario.disruption.2021-05"),
    ("scenario.disruption={2021-05:0.5}", "scenario.disruption"),
    ("seed=0,1", "seed"),
    ("seed=1.5", "seed"),
    ("policy/training=maybe", "policy/training"),
    ("scenario=nowhere", "scenario"),
    ("policy/nothing=off", "policy/nothing"),
    ("policy..scale=1", "policy..scale=1"),
    ("seed=[", "seed=["),
    ("=3", "=3"),
]

# valid overrides mixed in with the bad one (the bad one must still be found and named)
COMPANIONS = st.lists(st.sampled_from((
    "seed=7", "policy.training.scale=2", "scenario.burn_in_months=12", "policy/monitoring=off",
    "policy.public_welfare.enabled=false", "scenario.disruption_scale=0.5",
    "++scenario.disruption={2021-06:0.4}", "wages.growth_per_year=0.05")), max_size=3)

KINDS = {"range": out_of_range(), "type": wrong_type(), "unknown key": unknown_key(),
         "shares": bad_shares(), "month": bad_months(), "quota": above_labour_force()}
INVALID = st.one_of(*(s.map(lambda case, kind=kind: (*case, kind)) for kind, s in KINDS.items()))


@st.composite
def invalid_command_lines(draw) -> tuple[list[str], str]:
    bad, key, kind = draw(INVALID)
    event(kind)  # the mix of kinds shows in --hypothesis-show-statistics
    bad_key = bad.lstrip("+~").partition("=")[0]
    argv = [c for c in draw(COMPANIONS) if c.lstrip("+").partition("=")[0] != bad_key]
    argv.insert(draw(st.integers(0, len(argv))), bad)
    return argv, key


def answer(argv: list[str]) -> str | None:
    """What the command line answers before anything runs: the overrides checked against the
    schema, then applied to the composed config and range-checked (the functions of
    sim.commands.input_checks)."""
    try:
        input_checks.check_overrides(argv)
        base = composed(tuple(a for a in argv if input_checks.composes(a)))
        input_checks.params_of(base, [a for a in argv if not input_checks.composes(a)])
    except ConfigError as e:
        return str(e)
    return None


def assert_clear(message: str | None, key: str) -> None:
    assert message is not None, "accepted"
    assert "\n" not in message.strip()  # one paragraph
    assert key in message
    assert "allowed" in message.lower()
    assert "Traceback" not in message


@settings(max_examples=500, **PROFILE)
@given(invalid_command_lines())
def test_random_invalid_overrides_get_the_clear_error(case):
    argv, key = case
    assert_clear(answer(argv), key)


@pytest.mark.parametrize("bad, key", CROSS_FIELD)
def test_every_cross_field_group_and_syntax_case_gets_the_clear_error(bad, key):
    """Each hand-written case, alone and between valid overrides (a fixed list: every one runs)."""
    assert_clear(answer([bad]), key)
    assert_clear(answer(["seed=7", bad, "policy/monitoring=off"]), key)


# ---------------------------------------------------------------------------------------------
# the user's own scenario files (--config-dir) are checked the same way
# ---------------------------------------------------------------------------------------------

SCENARIO_HEAD = "defaults:\n  - baseline_2021\n  - _self_\nname: mine\n"


@st.composite
def bad_scenario_files(draw) -> tuple[str, str]:
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return "end_month: 2021-12\n", "scenario.end_month"
    if kind == 1:
        return f"end: [{draw(st.integers(1, 12))}]\n", "scenario.end"
    if kind == 2:
        key = draw(st.sampled_from(("festival_return_share", "disruption_closure_share",
                                    "taper_per_year")))
        return f"{key}: {draw(st.floats(1.01, 50.0))!r}\n", f"scenario.{key}"
    if kind == 3:
        return f"disruption:\n  \"{draw(st.sampled_from(('2026-02', '2019-05')))}\": 0.4\n", \
            "scenario.disruption"
    if kind == 4:
        return f"disruption_scale: {draw(WORDS)}\n", "scenario.disruption_scale"
    return "end: : 2021-12\n", "mine.yaml"  # not YAML (a mapping inside a value)


@settings(max_examples=25, **PROFILE)
@given(bad_scenario_files())
def test_bad_user_scenario_files_get_the_clear_error(case):
    body, key = case
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "scenario").mkdir()
        Path(folder, "scenario", "mine.yaml").write_text(SCENARIO_HEAD + body)
        try:
            input_checks.check_command_line(["--config-dir", folder, "scenario=mine", *FAST])
            message = None
        except ConfigError as e:
            message = str(e)
    assert_clear(message, key)


def test_a_good_user_scenario_file_is_accepted(tmp_path):
    (tmp_path / "scenario").mkdir()
    (tmp_path / "scenario" / "mine.yaml").write_text(
        SCENARIO_HEAD + 'disruption:\n  "2021-05": 0.4\nfestival_return_share: 0.5\n')
    (cfg,) = input_checks.check_command_line(["--config-dir", str(tmp_path), "scenario=mine", *FAST])
    assert cfg.scenario.name == "mine" and cfg.scenario.festival_return_share == 0.5
    assert cfg.scenario.disruption["2021-05"] == 0.4


# ---------------------------------------------------------------------------------------------
# a sample through the real command line: exit 2, one paragraph, no traceback, no files
# ---------------------------------------------------------------------------------------------


@settings(max_examples=12, **PROFILE)
@given(st.one_of(invalid_command_lines(),
                 bad_scenario_files().map(lambda c: (["--config-dir", "user", "scenario=mine"],
                                                     c[1], c[0]))))
def test_the_sim_command_answers_bad_input_with_exit_2_and_no_files(case):
    argv, key, body = (*case, None)[:3]
    with tempfile.TemporaryDirectory() as folder:
        before = set()
        if body is not None:
            Path(folder, "user", "scenario").mkdir(parents=True)
            Path(folder, "user", "scenario", "mine.yaml").write_text(SCENARIO_HEAD + body)
            before = {p for p in Path(folder).rglob("*")}
        res = subprocess.run([sys.executable, "-m", "sim.commands.run", *argv, *FAST], cwd=folder,
                             capture_output=True, text=True, timeout=120,
                             env={**os.environ, "HYDRA_FULL_ERROR": "0"})
        assert res.returncode == 2, res.stderr
        assert res.stdout == ""
        assert res.stderr.startswith("sim: ") and len(res.stderr.strip().splitlines()) == 1
        assert_clear(res.stderr, key)
        assert {p for p in Path(folder).rglob("*")} == before  # nothing written


def with_value(node: Any, key: str, value: Any) -> Any:
    head, _, rest = key.partition(".")
    return replace(node, **{head: with_value(getattr(node, head), rest, value) if rest else value})


def test_every_range_is_enforced_by_validate_alone():
    """`validate` on dataclasses (as the dashboard and notebooks use it) names the key too."""
    cfg = load_baseline()
    for key, (low, high, _) in RANGES.items():
        for bad in (high * 2 + 1, low - 1):
            try:
                validate(with_value(cfg, key, NUMBERS[key](bad)))
            except ConfigError as e:
                assert f"'{key}'" in str(e), (key, str(e))
            else:
                raise AssertionError(f"{key}={bad} accepted")
