"""Paired effects against a counterfactual with the same seeds, and the cost of each effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments import paired_effects


def table(rows):
    frame = pd.DataFrame(rows)
    frame["status"] = "ok"
    return frame


def grid(effect_jobs: float, effect_cost: float, noise: float, seeds=range(5)):
    """A reference setting and one treated setting; seed-level noise shared by both (CRN)."""
    rng = np.random.default_rng(1)
    rows = []
    for s in seeds:
        common = rng.normal(0, 1000)
        own = rng.normal(0, noise)
        base = {"seed": s, "override.seed": str(s), "households_below_line": 50_000 + common}
        rows.append({**base, "override.lever.scale": "0", "in_work": 2e6 + common,
                     "cost_total": 1e9})
        rows.append({**base, "override.lever.scale": "1", "in_work": 2e6 + common + effect_jobs + own,
                     "households_below_line": base["households_below_line"] - effect_jobs / 4,
                     "cost_total": 1e9 + effect_cost})
    return table(rows)


def test_paired_difference_removes_the_noise_both_runs_share():
    frame = grid(effect_jobs=5_000, effect_cost=1e8, noise=0.0)
    eff = paired_effects.paired_effects(frame, {"override.lever.scale": "0"}, ["in_work"])
    row = eff.iloc[0]
    assert row["setting"] == "lever.scale=1"
    assert row["effect"] == pytest.approx(5_000)
    assert row["low"] == pytest.approx(5_000) and row["high"] == pytest.approx(5_000)
    assert row["seeds"] == 5


def test_interval_covers_the_true_effect_and_narrows_with_seeds():
    few = paired_effects.paired_effects(grid(5_000, 1e8, 800.0, range(4)), {"override.lever.scale": "0"},
                                 ["in_work"]).iloc[0]
    many = paired_effects.paired_effects(grid(5_000, 1e8, 800.0, range(40)),
                                  {"override.lever.scale": "0"}, ["in_work"]).iloc[0]
    assert many["low"] < 5_000 < many["high"]
    assert many["high"] - many["low"] < few["high"] - few["low"]


def test_cost_per_additional_job_and_per_household_kept_above_the_line():
    frame = grid(effect_jobs=4_000, effect_cost=2e8, noise=0.0)
    cost = paired_effects.cost_effectiveness(frame, {"override.lever.scale": "0"}).iloc[0]
    assert cost["additional_jobs"] == pytest.approx(4_000)
    assert cost["households_kept_above_line"] == pytest.approx(1_000)
    assert cost["cost_per_additional_job"] == pytest.approx(50_000)
    assert cost["cost_per_household_kept"] == pytest.approx(200_000)


def test_no_ratio_when_the_effect_is_not_told_apart_from_noise():
    frame = grid(effect_jobs=0.0, effect_cost=2e8, noise=3_000.0)
    cost = paired_effects.cost_effectiveness(frame, {"override.lever.scale": "0"}).iloc[0]
    assert cost["additional_jobs_low"] < 0 < cost["additional_jobs_high"]
    assert np.isnan(cost["cost_per_additional_job"])


def test_failed_jobs_are_left_out_and_a_missing_reference_is_a_clear_error():
    frame = grid(5_000, 1e8, 0.0)
    frame.loc[0, "status"] = "failed"  # the seed-0 reference run
    eff = paired_effects.paired_effects(frame, {"override.lever.scale": "0"}, ["in_work"]).iloc[0]
    assert eff["seeds"] == 4
    with pytest.raises(paired_effects.EffectError, match="swept keys: lever.scale"):
        paired_effects.paired_effects(frame, {"override.other": "0"}, ["in_work"])
    with pytest.raises(paired_effects.EffectError, match="No finished job"):
        paired_effects.paired_effects(frame, {"override.lever.scale": "7"}, ["in_work"])


def test_reference_is_read_from_the_command_line_form():
    assert paired_effects.parse_reference("ablation=none, policy.training.scale=0") == {
        "override.ablation": "none", "override.policy.training.scale": "0"}
    with pytest.raises(paired_effects.EffectError, match="key=value"):
        paired_effects.parse_reference("ablation")
