"""The end-2020 starting state: how it is drawn (`settle`), and how runs that differ only in
their 2021 levers share it.

`settle` lets everyone choose once under end-2020 conditions (from the long-run shares of the
habit chain, a few passes so that peer shares settle), then runs `scenario.burn_in_months` months
under those conditions, with no 2021 programme, until flows and peer shares are steady.

Each lever's `enabled` and `scale` are the 2021 policy. With `scenario.start_levers=shipped` (the
default) the start is built with every lever as it stood at the end of 2020 (enabled, scale 1) and
the run's settings act from January 2021 (`levers.handover`): a counterfactual reads "had 2021
been run with this policy". The start then depends on the rest of the config only (`start_key`),
so a sweep over levers builds it once per seed in each process and copies it for every job
(`start_cache`). With `as_run` the levers shape the start too ("had the lever never been there"),
and runs that differ in a lever build their own start.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import work_record
from .decisions import decide, update_peer_share
from .employment import release
from .params import LEVERS, START_LEVERS, Config, config_hash
from .placement import take_jobs
from .population import NOT_WORKING, OUTSIDE
from .timeline import set_month

SHIPPED, AS_RUN = START_LEVERS
INITIAL_BLOCK = 250_000  # workers choosing at once when the starting state is drawn

# Read while the start is built but acting only from January 2021 (t >= 1): disruption is zero
# before the start, the end month and the policy path only lengthen or shape the calendar after
# it; replicates are separate seeds (the seed is in the key).
_NOT_IN_START = ("scenario.end", "scenario.policy_path", "scenario.taper_per_year",
                 "scenario.disruption", "scenario.disruption_scale",
                 "scenario.disruption_closure_share", "scenario.start_levers",
                 "scenario.out_of_province_pay_change", "scenario.demography",
                 "scenario.growth_after_2021",
                 "population.exit_rate_under_50",
                 "population.exit_rate_50s", "population.exit_rate_60s",
                 "population.last_working_age", "events", "series", "replicates")


def start_config(cfg: Config) -> Config:
    """The config the start is built with: the run's, with the levers as they stood at the end
    of 2020 unless `scenario.start_levers` is `as_run`."""
    if cfg.scenario.start_levers == AS_RUN:
        return cfg
    shipped = {name: replace(getattr(cfg.policy, name), enabled=True, scale=1.0) for name in LEVERS}
    return replace(cfg, policy=replace(cfg.policy, **shipped))


def start_key(cfg: Config) -> str:
    """A fingerprint of everything that shapes the start (runs with the same key share it)."""
    return config_hash(start_config(cfg), leave_out=_NOT_IN_START)


def settle(model) -> None:
    """The state at the end of 2020: everyone chooses once under end-2020 conditions, then
    the months run on under those conditions (`scenario.burn_in_months`, no 2021 programme)
    until flows and peer shares settle."""
    w = model.workers
    everyone = np.flatnonzero(w.status != OUTSIDE)  # the labour force (not the young)
    burn_in = model.p.scenario.burn_in_months
    passes = model.p.scenario.initial_passes
    for k in range(passes):
        model.t = -burn_in - passes + k + 1  # month keys of their own, before the burn-in
        release(model, everyone)
        model.seats_left = 0
        # in blocks, so that no n x 6 array of the whole labour force is ever held; worker
        # ids carry no trait, so serving blocks in turn is serving workers in random order
        for block in np.array_split(everyone, max(len(everyone) // INITIAL_BLOCK, 1)):
            outcome = decide(model, block, np.full(len(block), NOT_WORKING, np.int8),
                             habit=False)
            take_jobs(model, block, outcome)
        update_peer_share(model)
    # the burn-in's months are -burn_in + 1 .. 0: its last is December 2020 itself, so that the
    # contracts and reviews that fall due then are settled in the start, not in January 2021
    for month in range(1 - burn_in, 1):
        if month == 1 - min(12, burn_in):  # the burn-in's last twelve months stand for 2020
            model.households.income_year[:] = 0.0
            work_record.start_year(model)
        model.t = month - 1  # the step moves on to `month`
        model.burn_in_month()
    model.t = 0
    set_month(model)
    model.flow = dict.fromkeys(model.flow, 0.0)
    model.trained_rows = np.zeros(0, np.int64)
