"""The command line: a run writes its files; bad input gets one clear paragraph, exit 2, no files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.core import metrics
from sim.experiments.compose import load

RUN = [sys.executable, "-m", "sim.commands.run"]
ROOT = Path(__file__).resolve().parents[1]
FAST = ["population.scale=0.004", "scenario.burn_in_months=12", "quiet=true"]
METRICS = ["in_work", "out_of_province", "in_province", "in_county", "local_job", "workshop",
           "workshop_paired", "public_welfare", "training", "not_working", "trained",
           "trained_employed_share", "startup_jobs", "brand_jobs", "transported",
           "zero_employment_households", "households_below_line"]


def sim(tmp_path, *args):
    return subprocess.run(RUN + list(args), cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)


def test_run_writes_summary_and_timeseries(tmp_path):
    out = tmp_path / "run"
    res = sim(tmp_path, *FAST, f"hydra.run.dir={out}")
    assert res.returncode == 0, res.stderr
    summary = json.loads((out / "summary.json").read_text())
    for name in METRICS + list(metrics.COST_METRICS):
        assert name in summary, name
    # the fit table compares the article's figures (read here from seeds/ directly) with the
    # run's own metrics (its arithmetic is tested in tests/test_targets.py)
    figures = yaml.safe_load((ROOT / "seeds" / "figures.yaml").read_text(encoding="utf-8"))
    evidence = yaml.safe_load((ROOT / "seeds" / "evidence.yaml").read_text(encoding="utf-8"))
    ids = {f["id"] for f in figures["targets"] + evidence["evidence"]
           if f["kind"] in ("input", "fitted", "check", "spent")}
    assert ids <= set(summary["targets"])  # and the inputs the table derives (T9n: course places)
    for figure in figures["targets"]:
        row = summary["targets"][figure["id"]]
        assert row["article"] == figure["value"] and row["kind"] == figure["kind"]
        assert row["model"] == summary[figure["metric"]]
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert list(ts.columns) == ["month", "metric", "group", "value", "low", "high"]
    # one replicate: the band is the value itself
    assert (ts["low"] == ts["value"]).all() and (ts["high"] == ts["value"]).all()
    assert set(ts.month) == {f"2021-{m:02d}" for m in range(1, 13)} | {"2020-12"}
    assert {"all", "region=south", "sex=female", "capacity=weak"} <= set(ts.group)
    dec = ts[(ts.month == "2021-12") & (ts.group == "all")].set_index("metric")["value"]
    assert dec["in_work"] == pytest.approx(summary["in_work"])
    # the statuses (the labour force's and outside it) add up to the same people every month
    status = ts[ts.metric.isin(metrics.STATUSES) & (ts.group == "all")]
    totals = status.groupby("month")["value"].sum()
    assert totals.max() - totals.min() < 1e-6
    # yearly totals: 2021's end-of-year stocks and summed flows, as in the summary
    yearly = pd.read_parquet(out / "yearly.parquet")
    yearly = yearly[yearly.group == "all"].set_index(["year", "metric"])["value"]
    assert set(yearly.index.get_level_values("year")) == {2021}
    for name in ("in_work", "transported", "cost_total"):
        assert yearly[(2021, name)] == pytest.approx(summary[name])
    # weak and over-age labour in work are within their labour and add to the capacity groups
    for cap in ("weak", "over_age"):
        assert 0 < summary[f"in_work_{cap}"] <= summary[f"labour_{cap}"]
        assert summary[f"in_work_{cap}"] == pytest.approx(
            ts[(ts.month == "2021-12") & (ts.group == f"capacity={cap}")
               & (ts.metric == "in_work")]["value"].iloc[0])


@pytest.mark.parametrize("override, key", [
    ("population.labour_force_typo=3", "population.labour_force_typo"),
    ("population.labour_force=lots", "population.labour_force"),
    ("policy.training.trainees_per_year=-5", "policy.training.trainees_per_year"),
    ("population.age_shares=[0.5,0.5,0.5,0.1]", "population.age_shares"),
    ("policy/training=maybe", "policy/training"),
    ("policy.workshops.enabled=perhaps", "policy.workshops.enabled"),
    ("scenario.end=2030-01", "scenario.end"),
])
def test_bad_input_gets_a_clear_error_and_no_files(tmp_path, override, key):
    res = sim(tmp_path, *FAST, override)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr + res.stdout
    assert key in res.stderr and "allowed" in res.stderr.lower()
    assert len(res.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_sweep_runs_out_of_the_box(tmp_path):
    res = sim(tmp_path, "-m", *FAST, "seed=0,1", f"hydra.sweep.dir={tmp_path / 'sweep'}")
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "sweep").iterdir() if p.is_dir()) == ["0", "1"]
    for job in ("0", "1"):
        assert (tmp_path / "sweep" / job / "summary.json").exists()


def test_a_labour_force_the_fit_was_not_made_for_is_flagged(tmp_path):
    changed = sim(tmp_path, *FAST[:-1], "population.labour_force=2200000",
                  f"hydra.run.dir={tmp_path / 'a'}")
    assert changed.returncode == 0, changed.stderr
    fitted = load([]).fitted_for_labour_force
    assert f"the point fit goes with a labour force of {fitted:,}, not 2,200,000" in changed.stderr
    # a posterior draw sets its own labour force with its behaviour: nothing to flag
    draw = sim(tmp_path, *FAST[:-1], "posterior_draw=3", f"hydra.run.dir={tmp_path / 'b'}")
    assert draw.returncode == 0, draw.stderr
    assert "goes with a labour force" not in draw.stderr


# a run whose disk fills while it writes its results (ENOSPC from the writer)
_FULL_DISK = """
import errno, sys
from sim.commands import run
from sim.experiments import run_files

def no_space(out_dir, doc):
    raise OSError(errno.ENOSPC, "No space left on device")

run_files.write_summary = no_space
sys.argv = ["sim", *sys.argv[1:]]
run.main()
"""


@pytest.mark.parametrize("folder, reason", [("/proc/sim-cannot-be-here", "cannot write in"),
                                            ("README.md/inside", "is a file, not a folder")])
def test_an_output_folder_that_cannot_be_made_is_a_clear_error(tmp_path, folder, reason):
    (tmp_path / "README.md").write_text("a file")
    res = sim(tmp_path, *FAST, f"hydra.run.dir={folder}")
    assert res.returncode == 2
    assert res.stderr.startswith("sim: Invalid value for 'hydra.run.dir'") and reason in res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr


def test_a_full_disk_is_a_clear_error_and_leaves_no_half_result(tmp_path):
    out = tmp_path / "run"
    res = subprocess.run([sys.executable, "-c", _FULL_DISK, *FAST, f"hydra.run.dir={out}"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2, res.stderr
    assert res.stderr.startswith("sim: Cannot write the results to") and "No space left" in res.stderr
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert not out.exists()  # neither the time series written before the failure nor the folder


def test_a_counterfactual_prints_the_figures_for_reference_without_errors(tmp_path):
    res = sim(tmp_path, "population.scale=0.004", "scenario.burn_in_months=12",
              "policy/training=off", f"hydra.run.dir={tmp_path / 'off'}")
    assert res.returncode == 0, res.stderr
    assert "counterfactual — article figures for reference" in res.stdout
    fitted = res.stdout.split("Fitted")[1]
    assert "%" not in fitted and "rel.error" not in fitted  # no error column, no colouring
    shipped = sim(tmp_path, "population.scale=0.004", "scenario.burn_in_months=12",
                  f"hydra.run.dir={tmp_path / 'on'}")
    assert "for reference" not in shipped.stdout and "rel.error" in shipped.stdout


def test_the_first_run_announces_the_compile(tmp_path, monkeypatch):
    from sim.core import compiled

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "empty"))
    assert "compiling" in compiled.compile_notice() and "30 s" in compiled.compile_notice()
    warm = tmp_path / "warm" / "sim_core"
    warm.mkdir(parents=True)
    (warm / "kernel.choice-1.py312.nbi").write_bytes(b"")
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "warm"))
    assert compiled.compile_notice() is None
