"""The shipped studies run from their one command: a sweep study end to end (at a tiny scale), and
the sensitivity study's Morris and Sobol stages on a small design."""

from __future__ import annotations

import numpy as np
import pandas as pd
import yaml

from sim.experiments import sensitivity, studies


def test_transition_study_runs_and_draws_its_yearly_totals(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    paths = studies.run_study("transition", ["population.scale=0.004", "scenario.burn_in_months=2"],
                            root=tmp_path)
    names = {p.name for p in paths}
    assert {"yearly.png", "yearly.svg", "yearly.csv", "series_in_work.png"} <= names
    table = pd.read_parquet(tmp_path / "transition" / "results.parquet")
    assert len(table) == 9 and set(table.status) == {"ok"}
    yearly = pd.read_csv(tmp_path / "transition" / "yearly.csv")
    cost = yearly[yearly.metric == "cost_total"].pivot(index="year", columns="setting",
                                                        values="value")
    # the paths share 2021; afterwards support withdrawn costs least and continued costs most
    assert cost.loc[2021].nunique() == 1
    for year in range(2022, 2026):
        row = cost.loc[year]
        assert (row["scenario=transition_withdraw"] < row["scenario=transition_taper"]
                < row["scenario=transition_continue"])


def test_sensitivity_screens_then_decomposes(tmp_path):
    design = {
        "scale": 0.002, "seed": 0, "morris_trajectories": 2, "morris_levels": 4, "sobol_top": 2,
        "sobol_base": 8, "outputs": ["in_work", "in_county", "fit_error"],
        "parameters": {"population.labour_force": [2_200_000, 3_000_000],
                       "behaviour.peer_weight": [2.15, 6.45],
                       "policy.training.job_finding_boost": [0.0, 0.2]}}
    path = tmp_path / "design.yaml"
    path.write_text(yaml.safe_dump(design))
    out = tmp_path / "out"
    paths = sensitivity.study(out, design_file=path)
    assert {"morris.png", "sobol.png", "morris.csv", "sobol.csv"} <= {p.name for p in paths}
    screen = pd.read_csv(out / "morris.csv")
    assert len(screen) == 3 * 3 and (screen["mu_star"] >= 0).all()
    # the labour force sets the scale of every count: it leads the screening of in_work
    in_work = screen[screen.output == "in_work"].set_index("parameter")["mu_star"]
    assert in_work.idxmax() == "population.labour_force"
    indices = pd.read_csv(out / "sobol.csv")
    assert "population.labour_force" in set(indices.parameter)
    assert np.isfinite(indices[["S1", "ST"]].to_numpy()).all()
