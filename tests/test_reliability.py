"""Nothing lost, everything reproducible: the same sweep gives the same numbers with either
launcher and in any job order; a sweep killed part-way and rerun into its folder ends with every
job done once; Ctrl-C keeps the finished jobs and gathers them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from importlib import metadata
from pathlib import Path

import pandas as pd

from sim.commands import input_checks, run
from sim.commands.collect import main as collect_main
from sim.core.params import config_hash
from sim.experiments import posterior, run_files, runner
from sim.experiments.sweep_results import RESULTS, collect

from .conftest import SMALL, small_config

FAST = ["population.scale=0.002", "scenario.burn_in_months=12", "quiet=true"]
SWEEP = ["-m", *FAST, "seed=0,1", "policy.training.scale=0,2"]  # 2 x 2 jobs
TIMING = ["wall_seconds"]
OUTPUTS = (run_files.TIMESERIES, run_files.YEARLY)


def sim(cwd: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.commands.run", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def start(cwd: Path, *args: str) -> subprocess.Popen:
    """A sweep in its own process group, as a terminal runs a command (signals reach it all)."""
    return subprocess.Popen([sys.executable, "-m", "sim.commands.run", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def summary(job: Path) -> dict:
    doc = json.loads((job / run_files.SUMMARY).read_text())
    doc["run"].pop("wall_seconds")
    return doc


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"the sweep ended before {path} appeared: {proc.stderr.read()}"
        assert time.monotonic() < end, f"{path} did not appear"
        time.sleep(0.05)


def test_basic_and_joblib_launchers_give_identical_results(tmp_path):
    basic = sim(tmp_path, *SWEEP, f"hydra.sweep.dir={tmp_path / 'basic'}")
    assert basic.returncode == 0, basic.stderr
    joblib = sim(tmp_path, *SWEEP, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
                 f"hydra.sweep.dir={tmp_path / 'joblib'}")
    assert joblib.returncode == 0, joblib.stderr
    a = pd.read_parquet(tmp_path / "basic" / RESULTS)
    b = pd.read_parquet(tmp_path / "joblib" / RESULTS)
    assert len(a) == 4 and set(a.status) == {"ok"}
    assert a["in_work"].nunique() == 4  # four different jobs, not one repeated
    pd.testing.assert_frame_equal(a.drop(columns=TIMING), b.drop(columns=TIMING))
    for job, overrides in zip(a.job, a.overrides):  # every file of every job, byte for byte
        x, y = tmp_path / "basic" / job, tmp_path / "joblib" / job
        assert summary(x) == summary(y)
        for name in OUTPUTS:
            assert (x / name).read_bytes() == (y / name).read_bytes(), (job, name)
        # the summary says what reproduces it: seed, package version, hash of the config, of
        # the configs it ran (posterior draws applied) and of the model's source
        (cfg,) = input_checks.check_command_line(overrides.split())
        assert summary(x)["run"] == {"seed": cfg.seed, "replicates": 1,
                                     "posterior_draw": cfg.posterior_draw,
                                     "ensemble": cfg.ensemble, "interval_covers": "1 seed",
                                     "version": metadata.version("sim"),
                                     "config_hash": config_hash(cfg),
                                     "runs_hash": run_files.result_key(cfg)["runs_hash"],
                                     "source_hash": run_files.source_hash()}


def test_results_do_not_depend_on_what_ran_before_in_the_process(tmp_path):
    """The basic launcher runs jobs one after another in one process: a job's files must be
    the same whichever jobs ran before it."""
    a, b = small_config("seed=3"), small_config("seed=4", "policy.training.scale=2")
    first = _files(tmp_path / "first", b)
    _files(tmp_path / "other", a)
    again = _files(tmp_path / "again", b)
    assert first == again


def _files(out: Path, cfg) -> dict[str, bytes]:
    result = runner.run(cfg)
    doc = run_files.summary_document(result.summary, cfg)
    doc["run"].pop("wall_seconds")
    run_files.write_timeseries(out, result.timeseries)
    run_files.write_timeseries(out, result.yearly, run_files.YEARLY)
    run_files.write_summary(out, doc)
    return {p.name: p.read_bytes() for p in out.iterdir()}


def test_a_sweep_killed_part_way_and_rerun_does_every_job_once(tmp_path):
    sweep = tmp_path / "sweep"
    args = ["-m", *FAST, "seed=0,1,2,3", f"hydra.sweep.dir={sweep}"]
    proc = start(tmp_path, *args)
    first = sweep / "0" / run_files.SUMMARY
    wait_for(first, proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert not (sweep / "3" / run_files.SUMMARY).exists(), "killed part-way"
    # whatever the kill interrupted, the collector reads only complete files
    partial = collect(sweep)
    assert (partial.status == "ok").sum() >= 1
    for job in partial[partial.status == "ok"].job:
        assert summary(sweep / job)["run"]["seed"] == int(job)
        for name in OUTPUTS:
            pd.read_parquet(sweep / job / name)
    kept = first.stat().st_mtime_ns, first.read_bytes()

    rerun = sim(tmp_path, *args)
    assert rerun.returncode == 0, rerun.stderr
    assert "job 0 finished in an earlier run" in rerun.stdout
    table = pd.read_parquet(sweep / RESULTS)
    assert sorted(table.job) == ["0", "1", "2", "3"]  # each job once
    assert set(table.status) == {"ok"} and sorted(table.seed) == [0, 1, 2, 3]
    assert (first.stat().st_mtime_ns, first.read_bytes()) == kept  # not rerun
    assert not list(sweep.rglob(".*.tmp"))  # a killed writer's leftovers are cleared


def test_a_job_counts_as_finished_only_with_the_same_config_posterior_and_code(tmp_path,
                                                                              monkeypatch):
    cfg = small_config("seed=3", "posterior_draw=1")
    assert not run.finished(tmp_path, cfg)  # nothing written yet
    _files(tmp_path, cfg)
    assert run.finished(tmp_path, cfg)
    assert run.finished(tmp_path, replace(cfg, quiet=not cfg.quiet))
    assert not run.finished(tmp_path, replace(cfg, seed=4))
    policy = replace(cfg.policy, training=replace(cfg.policy.training, scale=2.0))
    assert not run.finished(tmp_path, replace(cfg, policy=policy))
    # the posterior changed under the same config: draw 1's values are not those it ran
    draws = posterior.load_draws()
    draws.loc[1, "income_weight"] = draws.loc[1, "income_weight"] * 1.01
    with monkeypatch.context() as m:
        m.setattr(posterior, "load_draws", lambda path=None: draws)
        assert not run.finished(tmp_path, cfg)
    with monkeypatch.context() as m:  # another model source: run it again
        m.setattr(run_files, "source_hash", lambda: "another")
        assert not run.finished(tmp_path, cfg)
    monkeypatch.setattr(run_files, "version", lambda: "another")
    assert not run.finished(tmp_path, cfg)  # another version: run it again


def test_ctrl_c_keeps_the_finished_jobs_and_gathers_them(tmp_path):
    sweep = tmp_path / "sweep"
    proc = start(tmp_path, "-m", *FAST, "seed=0,1,2,3", f"hydra.sweep.dir={sweep}")
    wait_for(sweep / "0" / run_files.SUMMARY, proc)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == run.EXIT_INTERRUPTED, err
    assert "Traceback" not in err and "interrupted" in err
    table = pd.read_parquet(sweep / RESULTS)  # gathered on the way out
    assert "0" in set(table[table.status == "ok"].job)
    assert set(table.status) <= {"ok", "interrupted", "missing"}
    assert len(table) < 4 or set(table.status) != {"ok"}, "stopped before the end"
    collect_main([str(sweep)])  # sim-collect, run by hand later, gathers the same
    pd.testing.assert_frame_equal(pd.read_parquet(sweep / RESULTS), table)


# Ctrl-C while the basic launcher composes job 1 (once job 0 has finished): the signal is sent
# from inside Hydra's composition, where an exception would leave OmegaConf's objects half-built.
_CTRL_C_WHILE_COMPOSING = """
import os, signal, sys
from pathlib import Path
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from sim.commands import run

original = ConfigLoaderImpl.load_sweep_config
JOB_0_DONE = Path(sys.argv[-1].split("=", 1)[1]) / "0" / "summary.json"

def load_sweep_config(self, master_config, sweep_overrides):
    if "seed=1" in sweep_overrides and JOB_0_DONE.exists():
        os.kill(os.getpid(), signal.SIGINT)
    return original(self, master_config, sweep_overrides)

ConfigLoaderImpl.load_sweep_config = load_sweep_config
sys.argv = ["sim", *sys.argv[1:]]
run.main()
"""


def test_ctrl_c_while_hydra_composes_a_job_waits_for_the_composition(tmp_path):
    driver = tmp_path / "driver.py"
    driver.write_text(_CTRL_C_WHILE_COMPOSING)
    sweep = tmp_path / "sweep"
    done = subprocess.run([sys.executable, str(driver), "-m", *FAST, "seed=0,1,2",
                           f"hydra.sweep.dir={sweep}"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == run.EXIT_INTERRUPTED, done.stderr
    assert "Traceback" not in done.stderr and "full_key" not in done.stderr, done.stderr
    table = pd.read_parquet(sweep / RESULTS).set_index("job")
    # job 0 ran to its end; job 1 was composed whole, then stopped as it began; job 2 never ran
    assert table.loc["0", "status"] == "ok"
    assert table.loc["1", "status"] == "interrupted"
    assert "2" not in table.index or table.loc["2", "status"] == "missing"


def test_a_sweep_copying_its_start_gives_what_single_runs_give(tmp_path):
    """Through the command line: the jobs of a sweep after the first copy its start; each gives
    the files a run of its own gives."""
    fast = [*SMALL, "quiet=true"]
    cmd = [sys.executable, "-m", "sim.commands.run"]
    sweep = subprocess.run([*cmd, "-m", *fast, "policy.public_welfare.scale=1,0.5",
                            f"hydra.sweep.dir={tmp_path / 'sweep'}"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert sweep.returncode == 0, sweep.stderr
    alone = subprocess.run([*cmd, *fast, "policy.public_welfare.scale=0.5",
                            f"hydra.run.dir={tmp_path / 'alone'}"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert alone.returncode == 0, alone.stderr

    def summary(path):
        doc = json.loads((path / run_files.SUMMARY).read_text())
        doc["run"].pop("wall_seconds")
        return doc

    job = tmp_path / "sweep" / "1"
    assert summary(job) == summary(tmp_path / "alone")
    for name in (run_files.TIMESERIES, run_files.YEARLY):
        assert (job / name).read_bytes() == (tmp_path / "alone" / name).read_bytes()
