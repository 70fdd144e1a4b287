"""With room limits slack and peers off, choices follow the closed-form logit probabilities."""

from __future__ import annotations

import numpy as np

from sim.decisions import OPTIONS, logit_probabilities

from .conftest import SEEDS, small_model

SLACK = ["behaviour.peer_weight=0", "local_jobs.demand=25000000",
         "policy.public_welfare.posts=2500000", "policy.workshops.rural_jobs=2000000000",
         "policy.workshops.other_room=1900000000", "policy.workshops.closure_hazard=0"]


def test_choice_shares_match_logit_probabilities():
    """Over several seeds and months, the count choosing each option is within sampling error
    of the sum of the logit probabilities (a z-score per option and month)."""
    worst = 0.0
    for seed in SEEDS:
        model = small_model(*SLACK, seed=seed)
        for _ in range(4):
            model.step()
            rec = model.last_decision
            chosen = np.bincount(rec.first_choice, minlength=len(OPTIONS))
            expected = rec.probabilities.sum(axis=0)
            variance = (rec.probabilities * (1 - rec.probabilities)).sum(axis=0)
            z = (chosen - expected) / np.sqrt(np.maximum(variance, 1e-9))
            worst = max(worst, float(np.abs(z).max()))
            # no room limit binds, so whoever chose a local option got it
            room_cols = [2, 3, 4]
            got = OPTIONS[rec.first_choice]
            picked_room = np.isin(rec.first_choice, room_cols)
            assert np.array_equal(rec.outcome[picked_room], got[picked_room])
    assert worst < 4.5, worst


def test_probabilities_are_the_softmax_of_utilities():
    V = np.array([[0.0, 1.0, -np.inf, 2.0, 0.5, 0.0]])
    p = logit_probabilities(V)
    e = np.exp([0.0, 1.0, 0.0, 2.0, 0.5, 0.0])
    e[2] = 0.0
    assert np.allclose(p[0], e / e.sum())
    assert p[0, 2] == 0.0


def test_compiled_kernel_matches_the_numpy_statement_of_the_rule(seed=1):
    """sim.kernels computes what sim.decisions.utilities states, to rounding."""
    from sim.decisions import evaluate, job_finding, utilities

    model = small_model(seed=seed)
    for _ in range(3):
        model.step()
    rows = model.last_decision.rows
    model.options_open = model.room_capacity() > 0
    for habit in (True, False):
        V, P, p_migrant = evaluate(model, rows, habit)
        p_find = job_finding(model, rows)
        V_np = utilities(model, rows, p_find, habit)
        assert np.allclose(p_migrant, p_find[:, :2])
        assert np.array_equal(np.isinf(V), np.isinf(V_np))
        finite = np.isfinite(V_np)
        assert np.allclose(V[finite], V_np[finite])
        assert np.allclose(P, logit_probabilities(V_np))
