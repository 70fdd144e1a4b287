"""Docking: the vectorised engine and the plain Mesa reference model (one agent per worker, its
own pay, job-finding and separation terms from the config), started from the same workers, give
the same statuses after some months, within sampling error over several seeds (programmes and
shocks off, local and workshop room binding)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.mesa_reference import CORE_RULES, ReferenceModel

from .conftest import small_model

pytestmark = pytest.mark.model

DOCK = [*CORE_RULES, "population.scale=0.002"]
MONTHS = 3


def test_engine_and_reference_model_dock():
    diffs, levels = [], []
    for seed in range(8):
        engine = small_model(*DOCK, seed=seed)
        reference = ReferenceModel(engine, seed=seed)
        start = np.bincount(engine.workers.status, minlength=7)
        status_at_start = engine.workers.status.copy()
        assert np.array_equal(reference.status_counts(), start)
        for _ in range(MONTHS):
            engine.step()
            reference.step()
        e = np.bincount(engine.workers.status, minlength=7)
        r = reference.status_counts()
        # room limits hold in the reference too
        assert np.all(reference.held <= np.array(reference.capacity))
        diffs.append(e - r)
        levels.append((e + r) / 2)
        moved = np.count_nonzero(engine.workers.status != status_at_start)
        assert moved > 0.02 * start.sum()  # the months did move workers
    diffs, levels = np.array(diffs, float), np.array(levels)
    mean, se = diffs.mean(axis=0), diffs.std(axis=0, ddof=1) / np.sqrt(len(diffs))
    for k in range(7):  # every status, however few hold it
        assert abs(mean[k]) <= 5 * se[k] + 0.5, (k, mean[k], se[k])
        assert abs(mean[k]) <= 0.05 * levels[:, k].mean() + 2, (k, mean[k], levels[:, k].mean())


def test_the_reference_refuses_rules_it_does_not_state():
    with pytest.raises(ValueError, match="CORE_RULES"):
        ReferenceModel(small_model("population.scale=0.002"), seed=0)
