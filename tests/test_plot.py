"""A 2 x 2 x 2-seed sweep with the joblib launcher gives 8 rows that sim-plot turns into figures;
a run folder gives series with bands; bad input is a clear error."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from sim.commands import plot as plot_command


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("sweep")
    res = subprocess.run(
        [sys.executable, "-m", "sim.commands.run", "-m", "hydra/launcher=joblib",
         "population.scale=0.01", "scenario.burn_in_months=12", "quiet=true",
         "policy.training.scale=0,2", "policy.hiring_subsidy.scale=0,2", "seed=0,1",
         f"hydra.sweep.dir={root / 'sweep'}"], cwd=root, capture_output=True, text=True,
        timeout=900)
    assert res.returncode == 0, res.stderr
    return root / "sweep"


def test_joblib_sweep_gathers_eight_rows(joblib_sweep):
    table = pd.read_parquet(joblib_sweep / "results.parquet")
    assert len(table) == 8
    assert set(table.status) == {"ok"}
    assert table.groupby(["override.policy.training.scale",
                          "override.policy.hiring_subsidy.scale"]).size().tolist() == [2] * 4
    # the training lever trains: more trainees with scale 2 than with none, every seed
    by = table.set_index(["seed", "override.policy.training.scale",
                          "override.policy.hiring_subsidy.scale"])["trainees"]
    for seed in (0, 1):
        assert by[(seed, "0", "0")] == 0 < by[(seed, "2", "0")]


def figures(out):
    return sorted(p.name for p in out.iterdir())


def test_sim_plot_draws_the_sweep(joblib_sweep, tmp_path):
    plot_command.main([str(joblib_sweep), "--out", str(tmp_path / "auto")])
    names = figures(tmp_path / "auto")
    for stem in ("series_in_work", "sweep", "heatmap_in_work"):
        for fmt in ("png", "svg"):
            assert f"{stem}.{fmt}" in names
            assert (tmp_path / "auto" / f"{stem}.{fmt}").stat().st_size > 5_000
    plot_command.main([str(joblib_sweep), "--kind", "cost", "--out", str(tmp_path / "cost"),
               "--reference", "policy.training.scale=0,policy.hiring_subsidy.scale=0"])
    cost = pd.read_csv(tmp_path / "cost" / "cost.csv")
    assert len(cost) == 3  # every setting but the reference
    both = cost[cost.setting == "training.scale=2, hiring_subsidy.scale=2"].iloc[0]
    assert both["additional_cost"] > 0


def test_sim_plot_draws_a_run_with_bands(tmp_path):
    res = subprocess.run([sys.executable, "-m", "sim.commands.run", "population.scale=0.004",
                          "scenario.burn_in_months=12", "replicates=3", "quiet=true",
                          f"hydra.run.dir={tmp_path / 'run'}"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    ts = pd.read_parquet(tmp_path / "run" / "timeseries.parquet")
    # three replicates: the band holds the mean and is not empty everywhere
    assert (ts["low"] <= ts["value"] + 1e-6).all() and (ts["value"] <= ts["high"] + 1e-6).all()
    assert (ts["high"] > ts["low"]).any()
    plot_command.main([str(tmp_path / "run")])
    assert {"series.png", "series.svg"} <= set(figures(tmp_path / "run" / "figures"))


@pytest.mark.parametrize("args, message", [
    (["--kind", "heatmap"], "needs --x"),
    (["--kind", "sweep", "--x", "policy.nothing"], "swept keys: "),
    (["--metric", "happiness"], "No metric 'happiness'"),
    (["--kind", "cost", "--reference", "policy.training.scale=9"], "No finished job"),
])
def test_sim_plot_bad_input_is_a_clear_error(joblib_sweep, tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        plot_command.main([str(joblib_sweep), "--out", str(tmp_path), *args])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_sim_plot_names_a_folder_it_cannot_read(tmp_path, capsys):
    with pytest.raises(SystemExit):
        plot_command.main([str(tmp_path)])
    assert "neither a run folder" in capsys.readouterr().err


def test_transition_run_gives_yearly_totals_and_their_figure(tmp_path):
    res = subprocess.run([sys.executable, "-m", "sim.commands.run", "population.scale=0.004",
                          "scenario.burn_in_months=12", "scenario=transition_withdraw", "quiet=true",
                          f"hydra.run.dir={tmp_path / 'run'}"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    yearly = pd.read_parquet(tmp_path / "run" / "yearly.parquet").set_index(["year", "metric"])
    assert sorted(set(yearly.index.get_level_values("year"))) == [2021, 2022, 2023, 2024, 2025]
    cost = yearly["value"].xs("cost_total", level="metric")
    assert (cost.loc[2022:] < cost.loc[2021]).all()  # support withdrawn after 2021
    plot_command.main([str(tmp_path / "run")])
    assert {"yearly.png", "yearly.svg"} <= set(figures(tmp_path / "run" / "figures"))
