"""Hostile input to `sim` and `sim-study`: config files that try to run code, folders that hold
other files or earlier results, interruptions, values the model cannot use. Each refusal is exit
status 2 and one paragraph, and every file that was there before is still there, byte for byte;
an interrupted run removes only what it made."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.core.validation import InputError
from sim.experiments import posterior, run_files, studies

from .hostile import assert_kept, assert_refused, command, snapshot

pytestmark = pytest.mark.hostile

FAST = ["population.scale=0.002", "scenario.burn_in_months=12", "quiet=true"]
MARK = "PWNED"  # the file a hostile config tries to make


def sim(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return command("sim", *args, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    """A folder holding a finished run and a finished sweep, made once: copied into each test."""
    root = tmp_path_factory.mktemp("earlier")
    assert sim(root, *FAST, "hydra.run.dir=run").returncode == 0
    assert sim(root, "-m", *FAST, "seed=0,1", "hydra.sweep.dir=sweep").returncode == 0
    return root


@pytest.fixture
def work(tmp_path, earlier) -> Path:
    """A user's folder: their own file, an earlier run and an earlier sweep."""
    shutil.copytree(earlier, tmp_path, dirs_exist_ok=True)
    (tmp_path / "notes.txt").write_text("the user's own notes\n")
    return tmp_path


# ---- configs are data ---------------------------------------------------------------------

def _config_dir(work: Path, files: dict[str, str]) -> Path:
    folder = work / "shared_configs"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


CALLBACK_SCENARIO = """# @package _global_
defaults:
  - /scenario/baseline_2021@scenario
hydra:
  callbacks:
    innocent:
      _target_: pathlib.Path.touch
      self: {mark}
"""
LOGGING_SCENARIO = """# @package _global_
defaults:
  - /scenario/baseline_2021@scenario
hydra:
  job_logging:
    handlers:
      file:
        class: logging.FileHandler
        filename: {mark}
    root:
      handlers: [file]
"""
LAUNCHER_OPTION = """_target_: pathlib.Path.touch
self: {mark}
"""
LAUNCHER_BY_DEFAULTS = """# @package _global_
defaults:
  - /scenario/baseline_2021@scenario
  - override /hydra/launcher: evil
"""
SWEEP_PARAM_EXPERIMENT = """# @package _global_
hydra:
  sweeper:
    params:
      +hydra.callbacks.x._target_: pathlib.Path.touch
      seed: 0,1
"""
SEARCHPATH_SCENARIO = """# @package _global_
defaults:
  - /scenario/baseline_2021@scenario
hydra:
  searchpath: [file:///]
"""
ENV_SCENARIO = """# @package _global_
defaults:
  - /scenario/baseline_2021@scenario
hydra:
  job:
    env_set:
      PYTHONSTARTUP: {mark}
"""


@pytest.mark.parametrize("files, args, key", [
    ({"scenario/shared.yaml": CALLBACK_SCENARIO}, ["scenario=shared"], "hydra.callbacks"),
    ({"scenario/shared.yaml": LOGGING_SCENARIO}, ["scenario=shared"], "hydra.job_logging"),
    ({"hydra/launcher/evil.yaml": LAUNCHER_OPTION}, ["-m", "hydra/launcher=evil", "seed=0,1"],
     "hydra/launcher"),
    ({"hydra/launcher/evil.yaml": LAUNCHER_OPTION, "scenario/shared.yaml": LAUNCHER_BY_DEFAULTS},
     ["-m", "scenario=shared", "seed=0,1"], "hydra/launcher"),
    ({"experiment/shared.yaml": SWEEP_PARAM_EXPERIMENT}, ["-m", "+experiment=shared"],
     "hydra.callbacks"),
    ({"scenario/shared.yaml": SEARCHPATH_SCENARIO}, ["scenario=shared"], "hydra.searchpath"),
    ({"scenario/shared.yaml": ENV_SCENARIO}, ["scenario=shared"], "hydra.job.env_set"),
])
def test_a_shared_config_file_never_runs_code(work, files, args, key):
    mark = work / MARK
    folder = _config_dir(work, {n: t.format(mark=mark) for n, t in files.items()})
    before = snapshot(work)
    res = sim(work, "--config-dir", str(folder), *args, *FAST)
    assert_refused(res, "sim", key, "allowed")
    assert not mark.exists()
    assert_kept(before, work)
    assert set(snapshot(work)) == set(before)  # and nothing new


@pytest.mark.parametrize("override, key", [
    ("+hydra.callbacks.x._target_=pathlib.Path.touch", "hydra.callbacks.x._target_"),
    ("hydra.launcher._target_=pathlib.Path.touch", "hydra.launcher._target_"),
    ("hydra.sweeper._target_=pathlib.Path.touch", "hydra.sweeper._target_"),
    ("+hydra.job_logging.handlers.f.class=logging.FileHandler", "hydra.job_logging"),
    ("hydra/launcher=ray_aws", "hydra/launcher"),
    ("hydra/output=default", "hydra/output"),
    ("+hydra.launcher.setup=[touch_a_file]", "hydra.launcher.setup"),
    ("hydra.searchpath=[file:///]", "hydra.searchpath"),
    ("+hydra.job.env_set.PYTHONSTARTUP=x", "hydra.job.env_set"),
    ("~hydra.callbacks.collect", "hydra.callbacks.collect"),
])
def test_hydra_settings_that_run_code_are_refused_on_the_command_line(work, override, key):
    before = snapshot(work)
    res = sim(work, *FAST, override)
    assert_refused(res, "sim", key, "allowed")
    assert_kept(before, work)
    assert set(snapshot(work)) == set(before)


def test_a_users_own_primary_config_cannot_add_callbacks(work):
    folder = _config_dir(work, {"mine.yaml": "defaults:\n  - config\n  - _self_\nhydra:\n"
                                             "  callbacks:\n    x:\n      _target_: "
                                             f"pathlib.Path.touch\n      self: {work / MARK}\n"})
    res = sim(work, "--config-dir", str(folder), "--config-name", "mine", *FAST)
    assert_refused(res, "sim", "hydra.callbacks")
    assert not (work / MARK).exists()


def test_a_pickled_config_is_never_loaded(work):
    class Touch:  # unpickling this would make the mark
        def __reduce__(self):
            return (Path.touch, (work / MARK,))

    (work / "config.pickle").write_bytes(pickle.dumps(Touch()))
    before = snapshot(work)
    res = sim(work, "--experimental-rerun", str(work / "config.pickle"))
    assert_refused(res, "sim", "--experimental-rerun")
    assert not (work / MARK).exists()
    assert_kept(before, work)


def test_settings_a_user_may_give_are_accepted(tmp_path):
    """The allow-list is not a wall: output folders, a sweep's launcher and its resources."""
    res = sim(tmp_path, "-m", *FAST, "seed=0,1", "hydra/launcher=joblib", "hydra.launcher.n_jobs=1",
              f"hydra.sweep.dir={tmp_path / 's'}", "hydra.sweep.subdir=job${hydra.job.num}")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "s" / "job1" / run_files.SUMMARY).exists()


# ---- a run owns only what it made ---------------------------------------------------------

@pytest.mark.parametrize("folder", [".", "run", "sweep", "new/deeper"])
def test_a_typo_leaves_every_folder_as_it_was(work, folder):
    before = snapshot(work)
    res = sim(work, *FAST, "policy.training.scael=2", f"hydra.run.dir={folder}")
    assert_refused(res, "sim", "policy.training.scael")
    assert_kept(before, work)
    assert set(snapshot(work)) == set(before)


def _interrupt(work: Path, folder: str, appears: str) -> subprocess.CompletedProcess:
    """Start a run into `folder`, press Ctrl-C once `appears` exists in it, wait for the end."""
    code = ("import sys; sys.argv[0] = 'sim'; from sim.commands.run import main; main()")
    proc = subprocess.Popen([sys.executable, "-c", code, "population.scale=0.3",
                             "scenario.burn_in_months=12", "quiet=true", f"hydra.run.dir={folder}"],
                            cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    end = time.monotonic() + 120
    while not (work / folder / appears).exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("folder", [".", "outputs", "fresh/run"])
def test_ctrl_c_removes_only_what_the_run_made(work, folder):
    (work / "outputs" / "earlier").mkdir(parents=True)
    (work / "outputs" / "earlier" / "summary.txt").write_text("an earlier result")
    before = snapshot(work)
    res = _interrupt(work, folder, ".hydra/config.yaml")
    assert res.returncode == 130, res.stderr
    assert "Traceback" not in res.stderr and "interrupted" in res.stderr
    assert_kept(before, work)
    assert set(snapshot(work)) == set(before)  # what it made is gone, and only that


# ---- results are keyed by what made them --------------------------------------------------

def test_a_run_into_a_folder_of_another_run_is_refused(work):
    before = snapshot(work)
    res = sim(work, *FAST, "seed=7", "hydra.run.dir=run")
    assert_refused(res, "sim", "'", "run", "its config changed", "existing_results=move_aside")
    assert_kept(before, work)
    assert set(snapshot(work)) == set(before)


def test_a_sweep_into_a_folder_of_another_sweep_is_refused(work):
    before = snapshot(work)
    res = sim(work, "-m", *FAST, "seed=0,1,2", "hydra.sweep.dir=sweep")
    assert_refused(res, "sim", "2 job(s), this one 3", "hydra.sweep.dir=DIR")
    res = sim(work, "-m", *FAST, "seed=5,6", "hydra.sweep.dir=sweep")
    assert_refused(res, "sim", "job 0", "its config changed")
    assert_kept(before, work)
    assert set(snapshot(work)) == set(before)


@pytest.mark.parametrize("part, words", [("source_hash", "the model's source code changed"),
                                         ("version", "the sim version changed"),
                                         ("runs_hash", "the posterior draws' values changed")])
def test_a_sweep_made_by_other_code_or_posterior_is_not_resumed(work, part, words):
    from sim.commands import run_folder

    manifest = work / "sweep" / run_folder.MANIFEST
    doc = json.loads(manifest.read_text())
    doc["jobs"][1]["key"][part] = "earlier"
    manifest.write_text(json.dumps(doc))
    before = snapshot(work)
    res = sim(work, "-m", *FAST, "seed=0,1", "hydra.sweep.dir=sweep")
    assert_refused(res, "sim", "job 1", words)
    assert_kept(before, work)


def test_the_same_sweep_resumes_and_move_aside_keeps_the_earlier_one(work):
    from sim.commands import run_folder

    summaries = snapshot(*(work / "sweep").glob(f"*/{run_files.SUMMARY}"))
    same = sim(work, "-m", *FAST, "seed=0,1", "hydra.sweep.dir=sweep")
    assert same.returncode == 0, same.stderr
    assert same.stdout.count("finished in an earlier run") == 2
    assert_kept(summaries, *(work / "sweep").glob(f"*/{run_files.SUMMARY}"))  # not run again
    before = snapshot(work / "sweep")
    other = sim(work, "-m", *FAST, "seed=3,4,5", "hydra.sweep.dir=sweep",
                "existing_results=move_aside")
    assert other.returncode == 0, other.stderr
    (moved,) = [p for p in work.iterdir() if p.name.startswith("sweep.replaced-")]
    for path, data in before.items():  # the earlier sweep, whole, beside the new one
        if data is not None and not path.endswith(run_folder.LOCK):
            assert (moved / Path(path).relative_to(work / "sweep")).read_bytes() == data


def test_a_sweep_folder_in_use_is_refused(work):
    from sim.commands import run_folder

    lock = run_folder.SweepLock(work / "busy")
    lock.acquire()  # another sweep holds it
    try:
        res = sim(work, "-m", *FAST, "seed=0,1", "hydra.sweep.dir=busy")
        assert_refused(res, "sim", "another sweep", "still running")
    finally:
        lock.handle.close()
    assert not (work / "busy" / "0").exists()


def test_the_compiled_cache_is_keyed_by_the_source_in_a_folder_the_user_chose(tmp_path):
    from sim.core import compiled

    show = "import os, sim.core.compiled; print(os.environ['NUMBA_CACHE_DIR'])"
    chosen = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True,
                            env={**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}).stdout.strip()
    assert Path(chosen) == tmp_path / compiled._core_sources_hash()
    again = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True,
                           env={**os.environ, "NUMBA_CACHE_DIR": chosen}).stdout.strip()
    assert again == chosen  # a sweep's worker inherits it and keeps it


# ---- values the model cannot use are refused before the run --------------------------------

@pytest.mark.parametrize("override, key", [
    ("scenario.burn_in_months=0", "scenario.burn_in_months"),
    ("scenario.burn_in_months=11", "scenario.burn_in_months"),
    ("scenario.end=2021-01", "scenario.end"),
    ("scenario.end=2021-11", "scenario.end"),
    ("wages.out_of_province=0.01", "wages.out_of_province"),
    ("scenario.disruption_scale=4", "scenario.disruption_scale"),  # 2022's events above 1
    ("existing_results=delete", "existing_results"),
    ("events=nonesuch", "events"),
    ("series=nonesuch", "series"),
    ("posterior_draw=100000", "posterior_draw"),
    ("behaviour.income_weight=100", "behaviour.income_weight"),  # utilities beyond the kernel's range
])
def test_values_outside_what_the_model_allows_are_refused_before_the_run(work, override, key):
    before = snapshot(work)
    res = sim(work, *FAST, override)
    assert_refused(res, "sim", f"'{key}'", "allowed")
    assert_kept(before, work)
    assert set(snapshot(work)) == set(before)


BAD_EVENTS = """defaults:
  - y2022
  - _self_
early:
  month: "2021-06"
  strength: 0.2
  place: a place
  what: an outbreak before the calendar after 2021
  source: a test
"""


def test_a_users_events_file_is_accepted_and_checked(work):
    good = _config_dir(work, {"events/mine.yaml": BAD_EVENTS.replace("2021-06", "2023-06")})
    res = sim(work, "--config-dir", str(good), *FAST, "events=mine", "scenario.end=2023-12",
              "hydra.run.dir=mine")
    assert res.returncode == 0, res.stderr
    (good / "events" / "mine.yaml").write_text(BAD_EVENTS)
    before = snapshot(work)
    res = sim(work, "--config-dir", str(good), *FAST, "events=mine", "hydra.run.dir=mine2")
    assert_refused(res, "sim", "events.early.month", "from 2022-01")
    assert_kept(before, work)


@pytest.mark.parametrize("text, words", [
    ("calibration:\n  behaviour: [", "line"),
    ("# @package _global_\nbehaviour:\n  income_weigth: 1.0\n", "income_weigth"),
    ("# @package _global_\nbehaviour:\n  income_weight: heavy\n", "behaviour.income_weight"),
])
def test_a_garbled_fitted_point_is_refused(work, text, words):
    folder = _config_dir(work, {"calibration/mine.yaml": text})
    before = snapshot(work)
    res = sim(work, "--config-dir", str(folder), *FAST, "calibration=mine")
    assert_refused(res, "sim", words)
    assert_kept(before, work)


def _draws_file(tmp_path: Path, change) -> Path:
    frame = posterior.load_draws().reset_index()
    frame = change(frame)
    path = tmp_path / "posterior.csv"
    if isinstance(frame, str):
        path.write_text(frame)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("change, words", [
    (lambda f: f.drop(columns="income_weight"), "no column income_weight"),
    (lambda f: f.assign(income_weight=f.income_weight.where(f.index != 3)), "draw 3"),
    (lambda f: f.assign(relative_pay=f.relative_pay * 100), "relative_pay"),
    (lambda f: f.assign(draw=f.draw + 1), "draw column"),
    (lambda f: f.iloc[:0], "draw column"),
    (lambda f: "\x00\x01 not a csv \xff", "draw"),
])
def test_a_garbled_posterior_is_refused_with_what_is_wrong(tmp_path, change, words):
    path = _draws_file(tmp_path, change)
    with pytest.raises(InputError) as e:
        posterior.load_draws(path)
    assert words in str(e.value) and "posterior.csv" in str(e.value) and "allowed" in str(e.value)


def test_an_undefined_share_is_written_as_null_not_nan(tmp_path):
    """A share of nobody (no migrants to count the women among) is undefined: summary.json
    stays valid JSON, with null where the number is undefined."""
    doc = {"women_share_away": float("nan"), "targets": {"M5a": {"model": float("nan")}},
           "run": {"interval90": [float("inf"), 1.0]}}
    run_files.write_summary(tmp_path, doc)

    def no_nan(token):
        raise AssertionError(f"{token} in summary.json")

    back = json.loads((tmp_path / run_files.SUMMARY).read_text(), parse_constant=no_nan)
    assert back == {"women_share_away": None, "targets": {"M5a": {"model": None}},
                    "run": {"interval90": [None, 1.0]}}


# ---- studies check before they touch --------------------------------------------------------

@pytest.fixture
def study(tmp_path) -> Path:
    """outputs/ablation holding earlier runs (stand-ins: only their bytes matter here)."""
    runs = tmp_path / "outputs" / "ablation" / "runs" / "0"
    (runs / ".hydra").mkdir(parents=True)
    (runs / run_files.SUMMARY).write_text('{"run": {}}')
    (tmp_path / "outputs" / "ablation" / "shapley_marginal.parquet").write_bytes(b"earlier")
    return tmp_path


@pytest.mark.parametrize("args, words", [
    (["ablation", "population.scael=0.1"], "population.scael"),
    (["ablation", "policy/training=maybe"], "maybe"),
    (["ablation", "--resume"], "differs"),
    (["ablation", "--into", "outputs/ablation/runs/0/summary.json"], "--into"),
    (["sensitivity", "population.scale=0.1"], "sensitivity"),
    (["nonesuch"], "nonesuch"),
])
def test_a_study_checks_its_input_before_it_touches_anything(study, args, words):
    before = snapshot(study)
    res = command("sim-study", *args, cwd=study)
    assert_refused(res, "sim-study", words)
    assert_kept(before, study)
    assert set(snapshot(study)) == set(before)


def test_a_fresh_study_moves_its_earlier_runs_aside(study):
    before = snapshot(study / "outputs" / "ablation")
    moved = studies.set_aside(study / "outputs" / "ablation")
    for path, data in before.items():
        rel = Path(path).relative_to(study / "outputs" / "ablation")
        if data is not None:
            assert (moved / rel).read_bytes() == data
