"""Dynamic monitoring (P2): each month a share of the households at risk (monitored 三類人員,
nobody in work, below the monitoring line) is identified; identified households come first for
training places (`levers.training`) and, after weak and over-age labour, for posts
(`levers.public_welfare.post_priority`). Households that recover leave the list."""

from __future__ import annotations

import numpy as np

from .. import random_streams as streams


def identify_at_risk(model) -> None:
    """Monitoring finds at-risk households: monitored (三類人員), nobody in work, below the line."""
    rate = model.lever.identification_rate
    hh = model.households
    if rate <= 0:
        hh.identified[:] = False  # without monitoring nobody is on the list
        return
    at_risk = hh.monitored | model.zero_employment | model.below_line
    hh.identified &= at_risk  # households that recovered leave the list
    ids = np.flatnonzero(at_risk & ~hh.identified)
    hh.identified[ids[streams.uniform(model.seed, streams.MONITORING, model.t, ids) < rate]] = True


def cost(model) -> float:
    """Follow-up of the identified households this month."""
    if model.lever.identification_rate <= 0:
        return 0.0
    per = model.p.policy.monitoring.cost_per_household_month
    return float(model.households.identified.sum()) * (1.0 / model.scale) * per
