"""The end-2020 start (sim/starting_state.py): shared by runs that differ only in their 2021 levers, copied
draw for draw, and the run's levers taking over in January 2021."""

from __future__ import annotations


import numpy as np
import pytest

from sim.core import start_cache, starting_state
from sim.core.institutions import workshop_room
from sim.core.model import LaborExportModel
from sim.core.population import WORKSHOP
from sim.core.validation import ConfigError
from sim.experiments.compose import load

from .conftest import small_config, small_model

pytestmark = pytest.mark.model

LEVER_RUNS = ("policy.public_welfare.scale=0.5", "policy.workshops.enabled=false",
              "policy.referral.scale=2", "policy.labour_brands.scale=0.5",
              "policy.zero_employment.enabled=false", "scenario.end=2022-06")


@pytest.fixture(autouse=True)
def _no_kept_starts():
    start_cache.keep(0)
    yield
    start_cache.keep(0)


def _run(model: LaborExportModel) -> tuple[list, dict]:
    model.run()
    w = model.workers
    return model.recorder.rows(), {name: getattr(w, name).copy() for name in
                                   ("status", "employer", "workshop", "contract_end", "referred",
                                    "brand", "next_review")}


@pytest.mark.parametrize("override", LEVER_RUNS)
def test_a_copied_start_runs_draw_for_draw_like_a_built_one(override):
    built = _run(small_model(override))
    start_cache.keep(1)
    _run(small_model())  # builds the start and keeps it
    cfg = small_config("seed=0", override)
    assert start_cache.kept(starting_state.start_key(cfg)) is not None, "the lever run shares the start"
    copied = _run(LaborExportModel(cfg))
    assert copied[0] == built[0]
    for name, column in built[1].items():
        np.testing.assert_array_equal(copied[1][name], column, err_msg=name)


def test_a_kept_start_is_not_changed_by_the_runs_that_copy_it():
    start_cache.keep(1)
    first = small_model()
    rows = _run(first)[0]
    _run(small_model("policy.workshops.enabled=false"))
    assert _run(small_model())[0] == rows


@pytest.mark.parametrize("override", LEVER_RUNS)
def test_december_2020_is_the_same_whatever_the_2021_levers(override):
    assert small_model(override).recorder.current == small_model().recorder.current


def test_with_as_run_the_levers_shape_the_start():
    as_run = small_model("scenario.start_levers=as_run", "policy.public_welfare.enabled=false")
    assert as_run.recorder.current["public_welfare"] == 0
    assert small_model("policy.public_welfare.enabled=false").recorder.current["public_welfare"] > 0
    # with the shipped levers the two choices are the same run
    assert (_run(small_model("scenario.start_levers=as_run"))[0]
            == _run(small_model())[0])


def test_workshops_follow_the_lever_from_january(seed):
    off = small_model("policy.workshops.enabled=false", seed=seed)
    assert (off.workers.status == WORKSHOP).sum() > 0  # December 2020: workshops as they were
    off.step()
    assert (off.workers.status == WORKSHOP).sum() == 0 and off.workshops.room.sum() == 0
    half = small_model("policy.workshops.scale=0.5", seed=seed)
    half.step()
    ws = half.workshops
    np.testing.assert_array_equal(ws.room, workshop_room(ws.room_per_lever, 0.5, half.scale,
                                                         half.seed))
    held = np.bincount(half.workers.workshop[half.workers.status == WORKSHOP], minlength=ws.n)
    assert np.all(held <= ws.room)


@pytest.mark.parametrize("scale,share", [(0.5, 0.15), (2.0, 0.6), (0.0, 0.0)])
def test_referral_reaches_its_new_share_from_january(scale, share):
    reached = []
    for seed in (0, 1, 2):
        model = small_model(f"policy.referral.scale={scale}", seed=seed)
        assert abs(model.workers.referred.mean() - 0.3) < 0.03  # as it stood
        model.step()
        trained = np.zeros(model.workers.n, bool)
        trained[model.trained_rows] = True  # graduates are referred by their school
        reached.append(model.workers.referred[~trained].mean())
    # 10,000 workers a seed: the standard error of a share is at most 0.005
    assert abs(np.mean(reached) - share) < 0.01


@pytest.mark.parametrize("scale", [0.5, 2.0, 0.0])
def test_labour_brands_take_in_or_let_go_members_in_january(scale):
    model = small_model(f"policy.labour_brands.scale={scale}")
    before = model.workers.brand.copy()
    model.step()
    members = int(round(model.p.policy.labour_brands.members * scale * model.scale))
    w = model.workers
    assert w.brand.sum() == members
    np.testing.assert_array_equal(model.brand_rows, np.flatnonzero(w.brand))
    assert np.all(w.certificate[before])  # letting go of members keeps their certificates
    assert np.all((w.capacity[w.brand] == 0) & (w.skill[w.brand] >= 1))
    assert (w.brand & before).sum() == min(before.sum(), members)  # members kept stay


def test_the_start_key_leaves_out_the_2021_levers_only():
    key = starting_state.start_key(small_config())
    for override in LEVER_RUNS + ("scenario.disruption_scale=1.5", "replicates=3"):
        assert starting_state.start_key(small_config(override)) == key, override
    for override in ("seed=1", "behaviour.habit=2", "population.scale=0.005",
                     "policy.public_welfare.posts=250000", "scenario.burn_in_months=13"):
        assert starting_state.start_key(small_config(override)) != key, override
    as_run = ["scenario.start_levers=as_run"]
    assert starting_state.start_key(small_config(*as_run)) == key
    assert starting_state.start_key(small_config(*as_run, "policy.workshops.scale=2")) != key


def test_kept_starts_are_bounded():
    start_cache.keep(2)
    for seed in (0, 1, 2):
        small_model(seed=seed)
    assert start_cache.kept(starting_state.start_key(small_config("seed=0"))) is None  # the oldest went first
    assert start_cache.kept(starting_state.start_key(small_config("seed=2"))) is not None
    start_cache.keep(0)
    assert start_cache.kept(starting_state.start_key(small_config("seed=2"))) is None


def test_a_bad_start_levers_value_is_named():
    with pytest.raises(ConfigError, match=r"scenario\.start_levers.*shipped, as_run"):
        load(["scenario.start_levers=never"])
