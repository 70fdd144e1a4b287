"""The shipped baseline against the figures the calibration fitted.

The point fit (conf/calibration/fitted.yaml, the posterior draw nearest its centre) run at 1:10
and averaged over three seeds must sit inside the calibration's own final tolerance: the ABC
distance (each fitted figure's relative error over its tolerance, root sum of squares) no
larger than the tolerance the last population was accepted at (the header of
conf/calibration/posterior.csv). A broken mechanism, a changed default or a stale fit moves
figures by many tolerances and fails here. Inputs (the room and seats the model is given) are
not tested as a fit; the checks never used in fitting are tested by `sim-validate`
(docs/validation.md)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.experiments import calibration
from sim.experiments.compose import load

pytestmark = pytest.mark.model

SEEDS = (0, 1, 2)
POSTERIOR = "conf/calibration/posterior.csv"


def final_tolerance() -> float:
    with open(POSTERIOR, encoding="utf-8") as f:
        header = "".join(line for line in f if line.startswith("#"))
    return float(re.search(r"final tolerance ([0-9.]+)", header).group(1))


@pytest.fixture(scope="module")
def runs():
    base = load([])  # the shipped baseline, as the calibration ran it
    workers = int(base.population.labour_force * 0.1)
    return [calibration.Simulator(base, [], workers, seed=s).figures({}) for s in SEEDS]


def test_the_point_fit_is_inside_the_calibrations_final_tolerance(runs):
    mean = {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}
    distance = calibration.scaled_distance(mean, calibration.observed())
    assert distance <= final_tolerance(), (distance, final_tolerance(), mean)


def test_no_fitted_figure_is_more_than_the_final_tolerance_away(runs):
    """The distance could hide one figure far off behind many close ones; no figure may be."""
    weights = calibration.distance_weights()
    data = calibration.observed()
    for figure, weight in weights.items():
        error = np.sqrt(weight) * abs(np.mean([r[figure] for r in runs]) - data[figure])
        assert error <= final_tolerance(), (figure, error)
