"""A sweep is gathered into results.parquet, one row per job; a job that fails is a row with its
error and never costs the finished jobs their results."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from sim.experiments.sweep_results import collect

FAST = ["population.scale=0.004", "scenario.burn_in_months=12", "quiet=true"]


def sweep(tmp_path, *args):
    return subprocess.run([sys.executable, "-m", "sim.commands.run", "-m", *FAST, *args,
                           f"hydra.sweep.dir={tmp_path / 'sweep'}"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)


def test_a_finished_sweep_is_gathered_at_its_end(tmp_path):
    res = sweep(tmp_path, "seed=0,1", "policy.training.scale=1,2")
    assert res.returncode == 0, res.stderr
    # the progress log: one line as each job ends
    assert sum(line.startswith("sim: job ") and " finished in " in line
               for line in res.stdout.splitlines()) == 4
    table = pd.read_parquet(tmp_path / "sweep" / "results.parquet")
    assert len(table) == 4
    assert set(table.status) == {"ok"}
    assert sorted(table.seed) == [0, 0, 1, 1]
    assert set(table["override.policy.training.scale"]) == {"1", "2"}
    # the config group options each job ran with, chosen or by default; not the launcher
    assert set(table["choice.scenario"]) == {"baseline_2021"}
    assert set(table["choice.policy/training"]) == {"y2021"}
    assert not any(c.startswith("choice.hydra") for c in table.columns)
    # twice the training, about twice the trainees, same seed
    by = table.set_index(["seed", "override.policy.training.scale"])["trainees"]
    for seed in (0, 1):
        assert 1.8 < by[(seed, "2")] / by[(seed, "1")] < 2.2


def test_a_failed_job_is_a_row_and_the_others_keep_their_results(tmp_path):
    # 0.0001 of 2.5 million is 250 workers, fewer than the model allows: that job fails
    res = sweep(tmp_path, "population.scale=0.004,0.0001")
    assert res.returncode != 0
    table = collect(tmp_path / "sweep")
    assert len(table) == 2
    ok = table[table.status == "ok"]
    failed = table[table.status == "failed"]
    assert len(ok) == 1 and ok["in_work"].iloc[0] > 0
    assert len(failed) == 1 and "population.scale" in failed["error"].iloc[0]
