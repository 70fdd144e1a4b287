"""Properties that hold for every seed, every month: one status per worker, room limits,
training spells, zero-employment households, running counts equal to a recount."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.core.population import (FIRM, LOCAL_JOB, N_STATUS, NO_EMPLOYER, OUTSIDE, PUBLIC_WELFARE,
                                 STARTUP, TRAINING, WORKSHOP)
from sim.core.rooms import free_room

from .conftest import small_model

pytestmark = pytest.mark.model


def check_statuses(model) -> None:
    w = model.workers
    assert w.status.min() >= 0 and w.status.max() <= OUTSIDE
    assert np.bincount(w.status, minlength=N_STATUS).sum() == w.n
    # bookkeeping agrees with the status: a workshop id only in a workshop, an employer only
    # in a local job, pay only when working
    assert np.array_equal(w.workshop >= 0, w.status == WORKSHOP)
    assert np.array_equal(w.employer != NO_EMPLOYER, w.status == LOCAL_JOB)
    assert np.all(w.wage[w.status >= TRAINING] == 0)
    assert np.all(w.wage[w.status < TRAINING] > 0)
    # outside the labour force: never reviewed, not waiting to go back to a job
    outside = w.status == OUTSIDE
    assert np.all(w.next_review[outside] == np.iinfo(np.int16).max)
    assert not np.any(w.returning[outside])


def check_rooms(model) -> None:
    w, rooms, ws = model.workers, model.rooms, model.workshops
    n_c = model.counties.n

    def held(mask):
        return np.bincount(w.county[mask], minlength=n_c)

    local = w.status == LOCAL_JOB
    assert np.all(held(local & (w.employer == FIRM)) <= rooms.firm_room)
    assert np.all(held(local & (w.employer == STARTUP)) <= rooms.startup_room)
    assert np.all(held(w.status == PUBLIC_WELFARE) <= rooms.post_quota)
    occupied = np.bincount(w.workshop[w.workshop >= 0], minlength=ws.n)
    assert np.all(occupied <= ws.room)
    assert np.all(occupied[~ws.open] == 0)
    # a worker's workshop is in its own county
    in_ws = w.status == WORKSHOP
    assert np.array_equal(ws.county[w.workshop[in_ws]], w.county[in_ws])


def test_one_status_and_room_limits_every_month(seed):
    model = small_model(seed=seed)
    check_statuses(model)
    check_rooms(model)
    for _ in range(12):
        model.step()
        check_statuses(model)
        check_rooms(model)


def test_room_limits_hold_when_room_is_scarce(seed):
    """Halve the room everywhere so that the limits bind, and shrink it mid-run (the subsidy
    ends, posts are withdrawn): no month may exceed it."""
    model = small_model("policy.public_welfare.scale=0.3", "policy.workshops.scale=0.3",
                        "local_jobs.demand=300000", "scenario.end=2022-03",
                        "scenario.policy_path=withdraw", seed=seed)
    binding = 0
    while model.t < len(model.labels) - 1:
        model.step()
        check_statuses(model)
        check_rooms(model)
        binding += int(np.any(free_room(model)[:, 2] == 0))
    assert binding > 0  # the post quota did bind somewhere


def test_training_takes_workers_out_of_work_for_its_duration(seed):
    model = small_model(seed=seed)
    spells: dict[int, int] = {}  # worker -> month the course ends
    for _ in range(12):
        model.step()
        w = model.workers
        t = model.t
        training = np.flatnonzero(w.status == TRAINING)
        for row in training:
            spells.setdefault(int(row), int(w.training_end[row]))
        for row, end in list(spells.items()):
            if t < end:
                assert w.status[row] == TRAINING, (row, t, end)
                assert w.wage[row] == 0
            else:
                assert w.status[row] != TRAINING and w.trained[row]
                del spells[row]
        in_work = model.recorder.current["in_work"] * model.scale
        assert round(in_work) == np.sum(w.status < TRAINING)
    assert model.recorder.current["trained"] > 0


def test_zero_employment_households_counted_right(seed):
    model = small_model(seed=seed)
    for _ in range(6):
        model.step()
    w = model.workers
    frame = pd.DataFrame({"household": w.household, "working": w.status < TRAINING,
                          "labour": w.status != OUTSIDE})
    by_household = frame.groupby("household")[["working", "labour"]].any()
    # nobody in work, in a household with someone in the labour force
    expected = int((~by_household.working & by_household.labour).sum())
    assert len(by_household) == model.households.n
    assert model.recorder.current["zero_employment_households"] * model.scale == expected


def test_running_counts_agree_with_a_recount(seed):
    """The ledger's running counts (by county, group, household, workshop) equal a recount
    from the worker columns after every month."""
    model = small_model("scenario.end=2022-02", seed=seed)
    while model.t < len(model.labels) - 1:
        model.step()
        led = model.ledger
        kept = (led.by_county.copy(), {k: v.copy() for k, v in led.by_group.items()},
                led.household_working.copy(), led.household_wages.copy(),
                led.workshop_taken.copy(), led.startup_jobs.copy(), led.household_labour.copy())
        led.recount()
        assert np.array_equal(kept[0], led.by_county)
        for name in led.by_group:
            assert np.array_equal(kept[1][name], led.by_group[name])
        assert np.array_equal(kept[2], led.household_working)
        assert np.allclose(kept[3], led.household_wages, atol=1e-3)
        assert np.array_equal(kept[4], led.workshop_taken)
        assert np.array_equal(kept[5], led.startup_jobs)
        assert np.array_equal(kept[6], led.household_labour)
        # peers are the county's labour force: shares over it, none outside it
        assert np.all(model.peer_share[:, OUTSIDE] == 0)
        assert np.allclose(model.peer_share.sum(axis=1)[led.by_county[:, :OUTSIDE].sum(axis=1) > 0], 1)
