"""The calendar's shocks, each on its own: an epidemic closure sends a share of migrants home,
the Spring Festival sends a share home in its month, and point-to-point transport carries blocked
travellers up to its seats. Counts from the agents' states against the configured shares
(binomial bounds over several seeds)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.population import NOT_WORKING

from .conftest import SEEDS, small_model

pytestmark = pytest.mark.model

QUIET = ["population.scale=0.02", "scenario.disruption_scale=0", "scenario.festival_return_share=0"]


def _sent_home(model, contracts_running: bool = False) -> tuple[int, int]:
    """Step a month; return (migrants at its start, of them sent home to wait: at home, waiting
    to go back, and not among the month's deciders, who may have been blocked on the way to
    another destination). With `contracts_running`, only migrants whose contract runs on."""
    w = model.workers
    migrants = w.status <= 1
    if contracts_running:
        migrants &= w.contract_end > model.t + 1
    migrants = np.flatnonzero(migrants)
    model.step()
    home = w.returning[migrants] & (w.status[migrants] == NOT_WORKING)
    home &= ~np.isin(migrants, model.last_decision.rows)
    return len(migrants), int(home.sum())


def _within(count: int, n: int, share: float, sds: float = 5.0) -> bool:
    return abs(count - n * share) <= sds * np.sqrt(n * share * (1 - share)) + 1


@pytest.mark.parametrize("closure_share", [0.6, 0.0])
def test_an_epidemic_closure_sends_home_its_share_of_migrants(closure_share):
    """May 2021 disrupted at strength 0.5 with transport off: migrant workplaces close with
    chance 0.5 x closure share; without closures nobody at a destination is sent home."""
    n = sent = 0
    for seed in SEEDS:
        model = small_model(*QUIET, "scenario.disruption_scale=1", "++scenario.disruption={2021-05:0.5}",
                            "scenario.disruption={}", "policy/transport=off",
                            f"scenario.disruption_closure_share={closure_share}", seed=seed)
        for _ in range(4):
            model.step()
        migrants, home = _sent_home(model)
        n, sent = n + migrants, sent + home
    share = 0.5 * closure_share
    if closure_share == 0:
        assert sent == 0
    else:
        assert _within(sent, n, share), (sent, n * share)


def test_the_festival_sends_its_share_home_in_its_month_and_only_then():
    """2021: the festival in February, with the stay-put call cutting returns; the returners
    decide in March. 2022: in January, no call. Other months: nobody. (Migrants whose contract
    ends that month decide instead of going home.)"""
    for seed in SEEDS[:2]:
        model = small_model("population.scale=0.02", "scenario.disruption_scale=0",
                            "scenario.end=2022-02", seed=seed)
        s = model.p.scenario
        for _ in range(model.labels.index("2022-01")):
            migrants, home = _sent_home(model, contracts_running=True)
            if model.label == "2021-02":
                assert _within(home, migrants, s.festival_return_share * (1 - s.stay_put_call["2021"]))
            elif model.label == "2022-01":
                assert _within(home, migrants, s.festival_return_share)
            else:
                assert home == 0, model.label
            if model.label == "2021-03":
                assert not model.workers.returning.any()  # they decided this month


def test_transport_carries_blocked_travellers_up_to_its_seats():
    """A strong disruption blocks more travellers than the seats: the year's carried equal the
    seats (at the simulated scale, rounded at random), never more; with more seats, more are
    carried and fewer wait at home."""
    for seed in SEEDS:
        few = small_model(*QUIET, "scenario.disruption_scale=1",
                          "scenario.disruption={}", "++scenario.disruption={2021-03:0.9}",
                          "policy.transport.scale=0.1", seed=seed)
        many = small_model(*QUIET, "scenario.disruption_scale=1",
                           "scenario.disruption={}", "++scenario.disruption={2021-03:0.9}",
                           "policy.transport.scale=3", seed=seed)
        for model in (few, many):
            for _ in range(3):
                model.step()
        seats = few.p.policy.transport.capacity_per_year * 0.1 * few.scale
        carried = few.transported_this_year
        assert np.floor(seats) <= carried <= np.ceil(seats)
        assert many.transported_this_year > carried
        assert many.workers.returning.sum() < few.workers.returning.sum()
