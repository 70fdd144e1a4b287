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
                     "job_months": 12 * (2e6 + common), "cost_total": 1e9})
        rows.append({**base, "override.lever.scale": "1", "in_work": 2e6 + common + effect_jobs + own,
                     "job_months": 12 * (2e6 + common) + 6 * (effect_jobs + own),
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
    # the additional jobs lasted half the year: a job-year costs twice a December job
    assert cost["additional_job_years"] == pytest.approx(2_000)
    assert cost["cost_per_job_year"] == pytest.approx(100_000)


def test_every_ratio_has_an_interval_that_holds_the_ratio():
    frame = grid(effect_jobs=4_000, effect_cost=2e8, noise=600.0, seeds=range(8))
    cost = paired_effects.cost_effectiveness(frame, {"override.lever.scale": "0"}).iloc[0]
    for ratio in ("cost_per_additional_job", "cost_per_job_year", "cost_per_household_kept"):
        assert cost[f"{ratio}_low"] <= cost[ratio] <= cost[f"{ratio}_high"], ratio
    # the true cost per job (50,000) lies inside, and the interval is from the jobs' interval
    assert cost["cost_per_additional_job_low"] < 50_000 < cost["cost_per_additional_job_high"]
    assert cost["cost_per_additional_job_low"] == pytest.approx(
        cost["additional_cost_low"] / cost["additional_jobs_high"])
    assert "seeds" in cost["interval"]


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


def test_reference_is_read_in_the_form_the_figures_label_it():
    frame = grid(5_000, 1e8, 0.0)
    frame = frame.rename(columns={"override.lever.scale": "override.policy.training.scale"})
    by_key = paired_effects.paired_effects(frame, {"override.policy.training.scale": "0"},
                                           ["in_work"])
    label = paired_effects.parse_reference("training.scale=0")
    by_label = paired_effects.paired_effects(frame, label, ["in_work"])
    pd.testing.assert_frame_equal(by_key, by_label)
    frame["override.ablation"] = frame.pop("override.policy.training.scale").map(
        {"0": "none", "1": "training"})
    on = paired_effects.paired_effects(frame, paired_effects.parse_reference(
        "ablation=every lever on"), ["in_work"])
    assert on["setting"].tolist() == ["training off"]


def test_reference_is_read_from_the_command_line_form():
    assert paired_effects.parse_reference("ablation=none, policy.training.scale=0") == {
        "override.ablation": "none", "override.policy.training.scale": "0"}
    with pytest.raises(paired_effects.EffectError, match="key=value"):
        paired_effects.parse_reference("ablation")


def test_shapley_values_add_up_to_the_whole_mix_order_by_order():
    """Marginal effects along each order telescope: their sum is the whole mix against no
    policy in every order, so the Shapley table sums to the whole-mix effect."""
    from sim.experiments import shapley

    rng = np.random.default_rng(0)
    rows = []
    for k in range(6):
        effects = rng.normal(1000, 300, 10)
        for lever, e in zip(shapley.LEVERS, effects):
            rows.append({"order": k, "lever": lever, "metric": "in_work", "effect": e})
        rows.append({"order": k, "lever": "whole mix", "metric": "in_work",
                     "effect": effects.sum()})
    table = shapley.shapley_table(pd.DataFrame(rows)).set_index("lever")
    whole = table.loc["whole mix"]
    total = table.drop("whole mix")["shapley"].sum()
    assert total == pytest.approx(whole["shapley"])
    assert whole["low"] <= total <= whole["high"]
    assert (table["low"] < table["shapley"]).all() and (table["shapley"] < table["high"]).all()


def test_a_shapley_order_runs_its_own_posterior_draw():
    """Order k runs posterior draw k: the draw's parameters are set, not only its number."""
    from sim.experiments import posterior, shapley

    draws = posterior.load_draws()
    cfg = shapley.mix_config(frozenset({"training"}), seed=3, draw=3, base=())
    assert cfg.behaviour.income_weight == pytest.approx(draws.iloc[3]["income_weight"])
    assert cfg.population.labour_force == round(draws.iloc[3]["labour_force"])
    assert not cfg.policy.workshops.enabled and cfg.policy.training.enabled


@pytest.mark.model
def test_shapley_orders_run_the_model_and_telescope():
    from sim.experiments import shapley

    orders = shapley.orders(2, seed=3)
    marginal = shapley.marginal_effects(orders, ("population.scale=0.004",
                                                 "scenario.burn_in_months=12"))
    for _k, part in marginal[marginal.metric == "in_work"].groupby("order"):
        levers = part[part.lever != "whole mix"]
        assert len(levers) == 10 and set(levers.lever) == set(shapley.LEVERS)
        whole = part[part.lever == "whole mix"]["effect"].iloc[0]
        assert levers["effect"].sum() == pytest.approx(whole, rel=1e-9, abs=1e-6)
        assert whole > 0  # the 2021 mix puts people in work


@pytest.mark.model
@pytest.mark.parametrize("lever", ["training", "workshops", "public_welfare", "hiring_subsidy"])
def test_one_costing_a_lever_off_costs_and_employs_the_same_whichever_study_switched_it(lever):
    """The ablation switches a lever off (`enabled=false`), the grids set its scale to 0: at the
    same population and seed both give the same people in work, job-months and fiscal cost, so the
    cost per job of a lever (one function, cost_effectiveness) is the same in every study."""
    from sim.experiments.runner import simulate

    from .conftest import small_config

    def year(*overrides):
        return simulate(small_config(*overrides)).recorder.year_summary(2021)

    off, zero = year(f"policy.{lever}.enabled=false"), year(f"policy.{lever}.scale=0")
    on, one = year(), year(f"policy.{lever}.scale=1")
    for metric in ("in_work", "job_months", "cost_total", f"cost_{lever}"):
        assert off[metric] == zero[metric], (metric, off[metric], zero[metric])
        assert on[metric] == one[metric], (metric, on[metric], one[metric])
    assert on[f"cost_{lever}"] > 0 == off[f"cost_{lever}"]
