"""Pay and contracts against their configured distributions, stated independently
(tests/oracles.py): pay is the option's level times the worker's factors (skill, capacity, the
training and brand premiums) times a log-normal draw of mean 1; a post pays its flat level; a
contract and the wait to the next review are geometric with the option's monthly hazard."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core import random_streams as streams
from sim.core.population import NOT_WORKING, PUBLIC_WELFARE, TRAINING

from . import oracles
from .conftest import SEEDS, small_model

pytestmark = pytest.mark.model

# premiums large enough that leaving one out moves the mean pay ratio by many standard errors
PREMIUMS = ["population.scale=0.02", "policy.training.wage_premium=0.4",
            "policy.labour_brands.wage_premium=0.3"]


@pytest.fixture(scope="module")
def ended_2021():
    """Three seeds run through 2021."""
    models = []
    for seed in SEEDS:
        model = small_model(*PREMIUMS, seed=seed)
        model.run()
        models.append(model)
    return models


def _paid(model) -> np.ndarray:
    """Workers in work, posts excepted (their pay is flat), and those who turned 60 this year
    (over-age labour since, they may have been hired at their earlier capacity)."""
    w = model.workers
    s = w.status
    return np.flatnonzero((s < TRAINING) & (s != PUBLIC_WELFARE) & (w.age != 60))


def test_pay_is_level_times_factors_times_a_mean_one_draw(ended_2021):
    ratios = np.concatenate([oracles.pay_ratio(m, _paid(m)) for m in ended_2021])
    sigma = ended_2021[0].p.wages.dispersion
    assert abs(ratios.mean() - 1) < 5 * sigma / np.sqrt(len(ratios))
    assert np.log(ratios).std() == pytest.approx(sigma, rel=0.05)


@pytest.mark.parametrize("group", ["trained", "brand"])
def test_training_and_brand_premiums_are_paid(ended_2021, group):
    """Trained workers and brand members earn their premium: with it in the expected pay, their
    pay ratio has mean 1 (a premium left out would put it near 1 / 1.4 or 1 / 1.3)."""
    ratios = []
    for m in ended_2021:
        rows = _paid(m)
        rows = rows[getattr(m.workers, group)[rows]]
        ratios.append(oracles.pay_ratio(m, rows))
    ratios = np.concatenate(ratios)
    assert len(ratios) > 200
    sigma = ended_2021[0].p.wages.dispersion
    assert abs(ratios.mean() - 1) < 5 * sigma / np.sqrt(len(ratios))


def test_posts_pay_their_flat_level(ended_2021):
    for m in ended_2021:
        rows = np.flatnonzero(m.workers.status == PUBLIC_WELFARE)
        assert len(rows) > 0
        assert np.all(m.workers.wage[rows] == np.float32(m.p.wages.public_welfare))
        assert np.all(m.workers.wage[m.workers.status >= TRAINING] == 0)


def test_each_hire_draws_its_contract_and_review_month_from_its_own_geometric_wait(seed):
    """A month's hires: contract end and next review are the geometric waits of the option's
    separation hazard and of the reconsider rate, from the worker's own hashed draws."""
    model = small_model("population.scale=0.02", seed=seed)
    b = model.p.behaviour
    hazard = [b.separation_out_of_province, b.separation_in_province, b.separation_local_job,
              b.separation_workshop, b.separation_public_welfare]
    checked = 0
    for _ in range(4):
        model.step()
        w, t = model.workers, model.t
        hired = np.flatnonzero((w.since == t) & (w.status < TRAINING))
        contract = oracles.draws(model, streams.CONTRACT, hired)
        review = oracles.draws(model, streams.SEARCH, hired)
        for status in range(5):
            sel = w.status[hired] == status
            rows = hired[sel]
            assert np.array_equal(w.contract_end[rows],
                                  np.minimum(t + oracles.geometric_months(hazard[status],
                                                                          contract[sel]), 32767))
            assert np.array_equal(w.next_review[rows],
                                  np.minimum(t + oracles.geometric_months(b.reconsider_rate,
                                                                          review[sel]), 32767))
            checked += len(rows)
        # who is left without work searches again after a geometric wait at the search rate
        released = np.flatnonzero((w.since == t) & (w.status == NOT_WORKING) & ~w.returning)
        wait = oracles.geometric_months(b.search_rate, oracles.draws(model, streams.SEARCH, released))
        assert np.array_equal(w.next_review[released], np.minimum(t + wait, 32767))
    assert checked > 1000


def test_contract_lengths_have_the_mean_the_hazard_sets(seed):
    """Over a year of hires, the mean contract of each option is 1 / hazard (the geometric mean),
    within five standard errors."""
    model = small_model("population.scale=0.02", seed=seed)
    b = model.p.behaviour
    hazard = {0: b.separation_out_of_province, 2: b.separation_local_job,
              4: b.separation_public_welfare}
    lengths: dict[int, list] = {s: [] for s in hazard}
    for _ in range(12):
        model.step()
        w = model.workers
        hired = np.flatnonzero((w.since == model.t) & (w.status < TRAINING))
        for s in hazard:
            rows = hired[w.status[hired] == s]
            lengths[s].append(w.contract_end[rows].astype(int) - model.t)
    for s, h in hazard.items():
        x = np.concatenate(lengths[s])
        sd = np.sqrt(1 - h) / h  # of a geometric wait
        assert abs(x.mean() - 1 / h) < 5 * sd / np.sqrt(len(x)), (s, x.mean(), 1 / h)
