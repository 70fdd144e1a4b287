"""With room limits slack and peers off, choices follow the closed-form logit probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.population import OPTIONS
from sim.core.rooms import free_room, room_capacity

from . import oracles
from .conftest import SEEDS, small_model

pytestmark = pytest.mark.model

SLACK = ["behaviour.peer_weight=0", "local_jobs.demand=25000000",
         "policy.public_welfare.posts=2500000", "policy.workshops.rural_jobs=2000000000",
         "policy.workshops.other_room=1900000000", "policy.workshops.closure_hazard=0"]


def test_choice_shares_match_logit_probabilities():
    """Over several seeds and months, the count choosing each option is within sampling error
    of the sum of the logit probabilities (a z-score per option and month)."""
    worst = 0.0
    for seed in SEEDS:
        model = small_model(*SLACK, seed=seed)
        model.keep_probabilities = True
        for _ in range(4):
            model.step()
            rec = model.last_decision
            chosen = np.bincount(rec.first_choice, minlength=len(OPTIONS))
            expected = rec.probabilities.sum(axis=0)
            variance = (rec.probabilities * (1 - rec.probabilities)).sum(axis=0)
            z = (chosen - expected) / np.sqrt(np.maximum(variance, 1e-9))
            worst = max(worst, float(np.abs(z).max()))
            # where the room did not run out (places left after the month), whoever chose a
            # local option got it; the room is slack nearly everywhere
            got = OPTIONS[rec.first_choice]
            picked_room = np.isin(rec.first_choice, [2, 3, 4])
            kind = np.clip(rec.first_choice.astype(np.int64) - 2, 0, 2)
            slack = free_room(model)[model.workers.county[rec.rows], kind] > 0
            check = picked_room & slack
            assert np.array_equal(rec.outcome[check], got[check])
            assert check.sum() >= 0.95 * picked_room.sum()
    assert worst < 4.5, worst


def test_the_oracle_logit_is_the_softmax_of_utilities():
    V = np.array([[0.0, 1.0, -np.inf, 2.0, 0.5, 0.0]])
    p = oracles.logit(V)
    e = np.exp([0.0, 1.0, 0.0, 2.0, 0.5, 0.0])
    e[2] = 0.0
    assert np.allclose(p[0], e / e.sum())
    assert p[0, 2] == 0.0


@pytest.mark.parametrize("overrides", [
    [], ["scenario=epidemic_2020", "policy.public_welfare.scale=0"],
    ["behaviour.habit=4", "behaviour.home_value_sd=3", "policy.referral.scale=3"]])
def test_the_compiled_kernel_gives_the_logit_of_the_stated_utilities(overrides, seed=1):
    """The compiled kernel (e^V as a product of looked-up factors), the one statement of the
    decision that runs, gives the logit of the utilities stated apart in tests/oracles.py to
    rounding, with and without the habit and as the habit chain's long-run shares; closed
    options exactly 0; and the migrant job-finding chances."""
    from sim.core.decisions import evaluate

    model = small_model(*overrides, seed=seed)
    for _ in range(3):
        model.step()
    rows = model.last_decision.rows
    model.options_open = room_capacity(model) > 0
    habit = model.p.behaviour.habit
    for with_habit, stationary in ((True, False), (False, True), (False, False)):
        P, p_migrant = evaluate(model, rows, with_habit, stationary)
        expected = oracles.logit(oracles.utilities(model, rows, habit=with_habit))
        if stationary:
            expected = oracles.stationary(expected, habit)
        assert np.array_equal(P == 0, expected == 0)
        assert np.allclose(P, expected, rtol=1e-9, atol=1e-300)
        assert np.allclose(P.sum(axis=1), 1.0, rtol=1e-14)
        assert np.allclose(p_migrant, oracles.migrant_job_finding(model, rows), rtol=1e-12, atol=0)


def test_a_sure_offer_is_valued_at_its_full_pay(seed=1):
    """The zero-employment clearing's take-up: the logit of a sure place (its chance of a place
    1) against staying home, from the same kernel; the oracle's two utilities agree."""
    from sim.core.levers.zero_employment import take_up
    from sim.core.population import COLUMN_OF_STATUS, NOT_WORKING, PUBLIC_WELFARE, WORKSHOP

    model = small_model(seed=seed)
    for _ in range(3):
        model.step()
    rows = np.flatnonzero(model.workers.status == NOT_WORKING)[:2000]
    home = COLUMN_OF_STATUS[NOT_WORKING]
    for status in (PUBLIC_WELFARE, WORKSHOP):
        column = COLUMN_OF_STATUS[status]
        V = oracles.utilities(model, rows, certain=column)
        expected = 1.0 / (1.0 + np.exp(V[:, home] - V[:, column]))
        got = take_up(model, rows, column)
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-300)
        # the sure offer is worth more than the same option at the month's chance of a place
        uncertain = oracles.utilities(model, rows)
        open_ = np.isfinite(uncertain[:, column])
        assert np.all(V[open_, column] >= uncertain[open_, column])


def test_parameters_whose_utilities_the_kernel_cannot_evaluate_are_refused(seed=1):
    """Income weight 100 makes the pay part of a utility about a thousand: e^1000 leaves the
    range of a double. The model refuses the parameter by name before a month is recorded,
    instead of running a second, numpy statement of the rule."""
    from sim.core.decisions import UtilityRangeError

    with pytest.raises(UtilityRangeError, match=r"behaviour\.income_weight.*allowed"):
        small_model("behaviour.income_weight=100", seed=seed)


def test_women_keep_their_home_value_in_workshops_and_posts():
    """What a woman values in staying home she keeps in the village's own work: turning the
    same workers into women leaves the odds of a workshop or a post against not working as they
    were, and cuts the odds of a local wage job by e^female_home_value and of work away by
    e^(female_home_value + female_away_cost)."""
    from sim.core.decisions import evaluate

    model = small_model()
    model.step()
    model.options_open = room_capacity(model) > 0
    w, b = model.workers, model.p.behaviour
    rows = np.flatnonzero(w.can_migrate)[:3000]
    odds = []
    for female in (False, True):
        w.female[rows] = female
        P, _ = evaluate(model, rows)
        odds.append(P[:, :5] / P[:, 5:6])
    man, woman = odds
    ok = np.all(man > 0, axis=1)
    ratio = woman[ok] / man[ok]
    np.testing.assert_allclose(ratio[:, 3:5], 1.0, rtol=1e-9)
    np.testing.assert_allclose(ratio[:, 2], np.exp(-b.female_home_value), rtol=1e-9)
    np.testing.assert_allclose(ratio[:, :2], np.exp(-b.female_home_value - b.female_away_cost),
                               rtol=1e-9)
