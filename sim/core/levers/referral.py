"""Referral and export bases (P2, P4, P13): a share of workers is reached by referral services
(the 311 export bases in Jiangsu, the 秦雲就業 job service); a referred worker has a lower
distance cost and finds migrant jobs faster (`LeverState.referral_cut`, `referral_boost`).
Training graduates are referred by their school (`levers.training`)."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams


def referral_reach(referral) -> float:
    """The share of workers referral reaches."""
    return min(referral.coverage * referral.scale, 1.0) * referral.enabled


def assign(model) -> None:
    """At the build: who referral reaches (the model's generator: drawn before brand members)."""
    w = model.workers
    w.referred[:] = model.rng.random(w.n) < referral_reach(model.p.policy.referral)


def rescale(model, old: float, new: float) -> None:
    """January 2021: referral reaches `new` instead of `old` of the workers. Some of those it
    reached drop out, or some it did not reach join, each with the chance that gives `new`."""
    w = model.workers
    u = streams.uniform(model.seed, streams.LEVER_CHANGE, 1, np.arange(w.n))
    if new < old:
        w.referred &= u < new / old
    else:
        w.referred |= u < (new - old) / (1.0 - old)


def cost(model) -> float:
    """Running the export bases this month."""
    return model.lever.referral_bases * model.p.policy.referral.cost_per_base_per_month
