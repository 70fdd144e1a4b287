"""A reference table is written in whole chunks, resumes to the table an uninterrupted run
gives, and refuses a folder holding a table of another box."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.core.validation import ConfigError
from sim.experiments import posterior, reference_table as rt
from sim.experiments.compose import load

pytestmark = pytest.mark.model


def _two():
    by_name = {p.name: p for p in posterior.priors()}
    return [by_name["asc_out_of_province"], by_name["relative_pay"]]


def test_a_resumed_table_is_the_table_an_uninterrupted_run_gives(tmp_path):
    base, params = load(["scenario.burn_in_months=12"]), _two()
    box = rt.Box.prior(params)
    whole = rt.simulate(base, params, box, 6, tmp_path / "whole", 600, seed=4, procs=1, chunk=3)
    part = rt.simulate(base, params, box, 6, tmp_path / "part", 600, seed=4, procs=1, chunk=3)
    (part / "chunk-00001.parquet").unlink()  # as if stopped after the first chunk
    # resumed with another seed: the table goes on with its own
    rt.simulate(base, params, box, 6, part, 600, seed=99, procs=1, chunk=3)
    for a, b in zip(rt.read(whole), rt.read(part)):
        pd.testing.assert_frame_equal(a, b)
    theta, figures = rt.read(whole)
    assert len(theta) == 6 and list(theta.columns) == [p.name for p in params]
    for p in params:
        assert theta[p.name].between(p.low, p.high).all()
    with pytest.raises(ConfigError, match="another box"):
        rt.simulate(base, params, rt.Box({**box.low, "relative_pay": 0.5}, box.high), 6, whole,
                    600, seed=4, procs=1, chunk=3)


def test_a_box_draws_row_by_row_inside_itself():
    import numpy as np

    params = _two()
    box = rt.Box({"asc_out_of_province": -1.0, "relative_pay": 0.8},
                 {"asc_out_of_province": 1.0, "relative_pay": 0.9})
    few = box.draw(params, 5, np.random.default_rng(1))
    many = box.draw(params, 50, np.random.default_rng(1))
    pd.testing.assert_frame_equal(few, many.iloc[:5])
    assert many.asc_out_of_province.between(-1, 1).all() and many.relative_pay.between(0.8, 0.9).all()
    assert box.volume_share(params) == pytest.approx((2 / 12) * (0.1 / 0.8))
