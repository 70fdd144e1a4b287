"""Every shipped study runs from its runner at a tiny scale and on a small grid, and what it draws
and tabulates says what the study is for: each test checks an effect the study exists to show."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.experiments import sensitivity, studies

TINY = ["population.scale=0.002", "scenario.burn_in_months=12", "seed=0,1", "posterior_draw=0"]


def _study(tmp_path, monkeypatch, name: str, *grid: str) -> tuple[set[str], pd.DataFrame]:
    monkeypatch.chdir(tmp_path)
    paths = studies.run_study(name, [*TINY, *grid], root=tmp_path)
    table = pd.read_parquet(tmp_path / name / "results.parquet")
    assert set(table.status) == {"ok"}
    return {p.name for p in paths}, table


@pytest.mark.long
def test_ablation_study_measures_each_lever_against_the_whole_mix(tmp_path, monkeypatch):
    names, table = _study(tmp_path, monkeypatch, "ablation", "+ablation=none,all,public_welfare")
    assert {"contributions.png", "cost.csv", "effects.csv", "series_in_work.png"} <= names
    assert len(table) == 6
    effects = pd.read_csv(tmp_path / "ablation" / "effects.csv")
    posts = effects[(effects.setting == "public_welfare off") & (effects.metric == "in_work")]
    # without posts fewer people are in work, in both seeds
    assert posts["high"].iloc[0] < 0 and posts["effect"].iloc[0] < 0
    # the net effects: each lever as what it adds (every lever on less it off), the whole mix by
    # status only; the job-months by status are among the paired effects
    assert {"net_effects.csv", "net_effects.md"} <= names
    assert "job_months_public_welfare" in set(effects.metric)
    net = pd.read_csv(tmp_path / "ablation" / "net_effects.csv").set_index("setting")
    assert net.loc["public_welfare off", "direction"] == "every lever on - public_welfare off"
    assert net.loc["public_welfare off", "gross_job_months"] > 0
    assert pd.isna(net.loc["every lever off", "own_statuses"])


def test_training_subsidy_study_costs_more_with_more_training(tmp_path, monkeypatch):
    names, table = _study(tmp_path, monkeypatch, "training_subsidy",
                          "policy.training.scale=0,2", "policy.hiring_subsidy.scale=0,2")
    assert {"heatmap_in_work.png", "summary.csv", "cost.csv", "sweep.png", "net_effects.csv",
            "net_effects.md"} <= names
    assert len(table) == 8
    cost = table.groupby("override.policy.training.scale")["cost_training"].mean()
    assert cost["0"] == 0 and cost["2"] > 0


def test_workshops_posts_study_shows_posts_employ_weak_labour(tmp_path, monkeypatch):
    names, table = _study(tmp_path, monkeypatch, "workshops_posts",
                          "policy.workshops.scale=0,1", "policy.public_welfare.scale=0,1")
    assert {"heatmap_in_work_weak.png", "summary.csv"} <= names
    weak = table.groupby(["override.policy.workshops.scale",
                          "override.policy.public_welfare.scale"])["in_work_weak"].mean()
    for workshops in ("0", "1"):
        assert weak[(workshops, "1")] > weak[(workshops, "0")]
    # posts draw some of their holders out of other work: the net is less than the gross
    net = pd.read_csv(tmp_path / "workshops_posts" / "net_effects.csv").set_index("setting")
    posts = net.loc["workshops.scale=0, public_welfare.scale=1"]
    assert posts["own_statuses"] == "public_welfare"
    assert 0 < posts["net_job_months"] < posts["gross_job_months"]
    assert posts["displaced_job_months"] == pytest.approx(
        posts["gross_job_months"] - posts["net_job_months"])
    assert "public-welfare posts" in (tmp_path / "workshops_posts" / "net_effects.md").read_text()


def test_epidemic_transport_study_shows_the_disruption_cut_migrant_work(tmp_path, monkeypatch):
    names, table = _study(tmp_path, monkeypatch, "epidemic_transport",
                          "scenario.disruption_scale=0,3", "policy.transport.scale=0,2")
    assert {"heatmap_migrant_months.png", "summary.csv"} <= names
    months = table.groupby("override.scenario.disruption_scale")["migrant_months"].mean()
    assert months["3"] < months["0"]
    # transport's net effect against none at the same disruption strength
    net = pd.read_csv(tmp_path / "epidemic_transport" / "net_effects.csv")
    assert set(net.setting) == {"disruption_scale=0, transport.scale=2",
                                "disruption_scale=3, transport.scale=2"}
    assert set(net.levers) == {"transport"}


def test_transition_study_runs_and_draws_its_yearly_totals(tmp_path, monkeypatch):
    names, table = _study(tmp_path, monkeypatch, "transition")
    assert {"yearly.png", "yearly.svg", "yearly.csv", "series_in_work.png", "net_effects.csv",
            "net_effects.md"} <= names
    assert len(table) == 6
    net = pd.read_csv(tmp_path / "transition" / "net_effects.csv")
    assert set(net.year) == set(range(2022, 2026))
    assert set(net.direction) == {"scenario=transition_continue - scenario=transition_taper",
                                  "scenario=transition_continue - scenario=transition_withdraw"}
    yearly = pd.read_csv(tmp_path / "transition" / "yearly.csv")
    cost = yearly[yearly.metric == "cost_total"].pivot(index="year", columns="setting",
                                                        values="value")
    # the paths share 2021; afterwards support withdrawn costs least and continued costs most
    assert cost.loc[2021].nunique() == 1
    for year in range(2022, 2026):
        row = cost.loc[year]
        assert (row["scenario=transition_withdraw"] < row["scenario=transition_taper"]
                < row["scenario=transition_continue"])


@pytest.mark.long
def test_sensitivity_screens_then_decomposes(tmp_path):
    """Morris over three parameters, one of which acts only after 2021 (the taper): its
    elementary effects on 2021 outputs are exactly zero, while the labour force, which sets the
    scale of every count, leads in_work; Sobol then runs on the leaders."""
    design = {
        "scale": 0.002, "seed": 0, "morris_trajectories": 2, "morris_levels": 4, "sobol_top": 2,
        "sobol_base": 8, "outputs": ["in_work", "in_county", "fit_error", "effect.public_welfare"],
        "parameters": {"population.labour_force": [2_200_000, 3_000_000],
                       "behaviour.peer_weight": [2.15, 6.45],
                       "scenario.taper_per_year": [0.0, 1.0]}}
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(design))
    out = tmp_path / "out"
    paths = sensitivity.study(out, design_file=path)
    assert {"morris.png", "sobol.png", "morris.csv", "sobol.csv", "convergence.csv"} <= {
        p.name for p in paths}
    screen = pd.read_csv(out / "morris.csv")
    assert len(screen) == 3 * 4
    taper = screen[screen.parameter == "scenario.taper_per_year"]
    assert (taper["mu_star"] == 0).all() and (screen.groupby("output")["mu_star"].max() > 0).all()
    in_work = screen[screen.output == "in_work"].set_index("parameter")["mu_star"]
    assert in_work.idxmax() == "population.labour_force"
    indices = pd.read_csv(out / "sobol.csv")
    assert "population.labour_force" in set(indices.parameter)
    assert "scenario.taper_per_year" not in set(indices.parameter)
    assert np.isfinite(indices[["S1", "ST"]].to_numpy()).all()
    # the posts' effect (with posts less without, same seed) is an output like a level
    posts = screen[screen.output == "effect.public_welfare"].set_index("parameter")["mu_star"]
    assert posts["scenario.taper_per_year"] == 0 and posts.max() > 0
    convergence = pd.read_csv(out / "convergence.csv")
    assert set(convergence.output) == set(design["outputs"])
    assert (convergence["max_change_of_ST_from_half"] >= 0).all()


def test_sim_study_writes_to_outputs_unless_told_into_experiments(monkeypatch):
    from pathlib import Path

    from sim.commands import study as command

    seen = []
    monkeypatch.setattr(command, "run_study",
                        lambda name, overrides, into, resume, sweep: seen.append(into) or [])
    command.main(["ablation"])
    command.main(["ablation", "--into", "experiments"])
    assert seen == [Path("outputs"), Path("experiments")]


def test_decomposition_study_takes_the_path_apart(tmp_path, monkeypatch):
    names, table = _study(tmp_path, monkeypatch, "decomposition")
    assert {"decomposition.png", "decomposition.csv"} <= names and len(table) == 10
    parts = pd.read_csv(tmp_path / "decomposition" / "decomposition.csv")
    lf = parts[parts.metric == "labour_force"].set_index("driver")["part"]
    # only demography moves the labour force: its part is the whole change
    assert lf["change 2021-2023"] < 0
    assert lf["demography"] == pytest.approx(lf["change 2021-2023"])
    assert abs(lf["growth of demand and pay"]) < 1e-6 and abs(lf["the levers after 2021"]) < 1e-6
