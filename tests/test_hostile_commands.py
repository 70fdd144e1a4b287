"""Bad, garbled, foreign and hostile input to the helper commands (sim-collect, sim-plot,
sim-report, sim-validate, sim-calibrate, sim-bench, sim-dashboard): each is answered with one
paragraph on stderr naming the thing and what is allowed, exit status 2, no traceback, no
half-written result, and every file that was there before is still there, byte for byte.

Each case runs the command in its own process (tests/hostile.py) on a copy of a real run or sweep
folder (tests/conftest.py: `finished_run`, `finished_sweep`, made once per session) with one file
broken the way it is named. Outputs are made unwritable by putting their parent under a regular
file: the tests may run as root, whom file permissions do not stop.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from .hostile import assert_kept, assert_refused, command, snapshot

pytestmark = pytest.mark.hostile

PRIORS = Path(__file__).parents[1] / "conf" / "calibration" / "priors.yaml"
IDENTIFICATION = PRIORS.with_name("identification.csv")


# ---- ways to break a file --------------------------------------------------------------------------


def truncated(path: Path) -> None:
    """Cut in the middle, as a copy or a write stopped part-way leaves it."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def binary(path: Path) -> None:
    """Not the file's format at all."""
    path.write_bytes(b"\x00\xff\xfe\x01 not this kind of file \x89PNG\x00" * 4)


def removed(path: Path) -> None:
    path.unlink()


def text(content: str):
    def write(path: Path) -> None:
        path.write_text(content, encoding="utf-8")
    write.__name__ = f"text({content[:20]!r})"
    return write


def copy_of(other: str):
    """Another file of the run under this name: well-formed, but foreign."""
    def write(path: Path) -> None:
        shutil.copyfile(path.parent / other, path)
    write.__name__ = f"copy_of({other})"
    return write


def summary_edited(change):
    def write(path: Path) -> None:
        doc = json.loads(path.read_text())
        change(doc)
        path.write_text(json.dumps(doc))
    write.__name__ = f"summary_edited({change.__name__})"
    return write


def no_run_section(doc: dict) -> None:
    del doc["run"]


def no_targets(doc: dict) -> None:
    del doc["targets"]


def metric_as_text(doc: dict) -> None:
    doc["in_work"] = "1,255,000"


def _id(value) -> str:
    return getattr(value, "__name__", str(value))


@pytest.fixture
def run(finished_run, tmp_path) -> Path:
    return Path(shutil.copytree(finished_run, tmp_path / "run"))


@pytest.fixture
def sweep(finished_sweep, tmp_path) -> Path:
    return Path(shutil.copytree(finished_sweep, tmp_path / "sweep"))


@pytest.fixture
def a_file(tmp_path) -> Path:
    """A regular file: a path under it can be neither made nor written, whoever runs the test."""
    path = tmp_path / "a_file"
    path.write_text("in the way\n")
    return path


def refused(prog: str, *args: str, cwd: Path, kept: list[Path], words: tuple[str, ...] = ()):
    """Run `prog args`, assert the clean refusal naming `words`, and that everything under
    `kept` is as it was."""
    before = snapshot(*kept)
    proc = command(prog, *args, cwd=cwd)
    err = assert_refused(proc, prog, *words)
    assert_kept(before, *kept)
    assert snapshot(*kept).keys() == before.keys(), "a refused command wrote something"
    return err


# ---- a run's files, garbled or foreign: sim-plot and sim-report refuse them by name --------------

RUN_FILES = [
    ("summary.json", truncated), ("summary.json", text("[1, 2, 3]")),
    ("summary.json", summary_edited(no_run_section)), ("summary.json", summary_edited(no_targets)),
    ("summary.json", summary_edited(metric_as_text)),
    ("timeseries.parquet", truncated), ("timeseries.parquet", binary),
    ("timeseries.parquet", copy_of("yearly.parquet")),
]
PLOT_ONLY = [("yearly.parquet", truncated), ("yearly.parquet", copy_of("timeseries.parquet"))]
REPORT_ONLY = [("groups.parquet", truncated), ("groups.parquet", copy_of("timeseries.parquet")),
               (".hydra/config.yaml", text("population: [unclosed\n")),
               (".hydra/config.yaml", text("- a list\n- not a mapping\n"))]


@pytest.mark.parametrize("name, damage", RUN_FILES + PLOT_ONLY, ids=_id)
def test_sim_plot_refuses_a_damaged_run_file(run, tmp_path, name, damage):
    damage(run / name)
    refused("sim-plot", str(run), cwd=tmp_path, kept=[tmp_path], words=(name, "allowed:"))
    assert not (run / "figures").exists()


@pytest.mark.parametrize("name, damage", RUN_FILES + REPORT_ONLY, ids=_id)
def test_sim_report_refuses_a_damaged_run_file(run, tmp_path, name, damage):
    damage(run / name)
    refused("sim-report", str(run), "--out", str(tmp_path / "out" / "page"), cwd=tmp_path,
            kept=[tmp_path], words=(Path(name).name, "allowed:"))
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where, damage", [("results.parquet", truncated),
                                           ("results.parquet", copy_of("0/timeseries.parquet")),
                                           ("0/timeseries.parquet", truncated),
                                           ("1/timeseries.parquet", copy_of("groups.parquet"))],
                         ids=_id)
def test_sim_plot_refuses_a_damaged_sweep_file(sweep, tmp_path, where, damage):
    damage(sweep / where)
    refused("sim-plot", str(sweep), "--out", str(tmp_path / "figures"), cwd=tmp_path,
            kept=[tmp_path], words=(where, "allowed:"))
    assert not (tmp_path / "figures").exists()


def test_sim_plot_refuses_a_damaged_groups_table_of_a_sweep(sweep, tmp_path):
    truncated(sweep / "groups.parquet")
    refused("sim-plot", str(sweep), "--kind", "groups", "--out", str(tmp_path / "f"),
            cwd=tmp_path, kept=[tmp_path], words=("groups.parquet", "allowed:"))


# ---- sim-collect: a damaged job is a failed row naming its file; the sweep goes on --------------

JOB_FILES = [("summary.json", truncated), ("summary.json", text('{"in_work": "many"}')),
             (".hydra/overrides.yaml", text("{seed: 1}\n")), (".hydra/overrides.yaml", binary),
             (".hydra/overrides.yaml", removed),
             (".hydra/hydra.yaml", text("hydra: [\n")), ("timeseries.parquet", truncated),
             ("groups.parquet", copy_of("summary.json")), ("status.json", text("{not json"))]


@pytest.mark.parametrize("name, damage", JOB_FILES, ids=_id)
def test_sim_collect_makes_a_damaged_job_a_failed_row_and_keeps_the_others(sweep, tmp_path,
                                                                             name, damage):
    job = sweep / "1"
    if name == "status.json":  # a job that failed, then its status was garbled
        (job / "summary.json").unlink()
        (job / "status.json").write_text('{"status": "failed", "error": "x"}')
    damage(job / name)
    before = snapshot(tmp_path)
    for gathered in ("results.parquet", "groups.parquet"):  # what sim-collect rewrites
        before.pop(str(sweep / gathered))
    proc = command("sim-collect", str(sweep), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert_kept(before, tmp_path)
    table = pd.read_parquet(sweep / "results.parquet").set_index("job")
    assert table.loc["0", "status"] == "ok" and table.loc["0", "in_work"] > 0
    assert table.loc["1", "status"] == "failed"
    assert str(job / name) in table.loc["1", "error"]
    assert f"job 1 failed: Cannot read '{job / name}'" in proc.stderr
    gathered = pd.read_parquet(sweep / "groups.parquet")
    assert set(gathered["job"]) == {"0"}  # only the finished job's outcomes by group


def test_sim_collect_refuses_a_folder_no_sweep_made(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text("not a sweep\n")
    refused("sim-collect", str(folder), cwd=tmp_path, kept=[tmp_path],
            words=(str(folder), "Hydra", "allowed:"))
    assert not (folder / "results.parquet").exists()


@pytest.mark.parametrize("args, words", [
    ([], ("sweep_dir",)), (["no/such/sweep"], ("'sweep_dir'", "no/such/sweep", "existing folder")),
    ([".", "--frobnicate"], ("--frobnicate",)),
])
def test_sim_collect_refuses_bad_arguments(tmp_path, args, words):
    refused("sim-collect", *args, cwd=tmp_path, kept=[tmp_path], words=words)


def test_sim_collect_refuses_an_output_it_cannot_write(sweep, tmp_path):
    (sweep / "results.parquet").unlink()
    (sweep / "results.parquet").mkdir()  # in the way of the file
    (sweep / "results.parquet" / "keep.txt").write_text("mine\n")
    refused("sim-collect", str(sweep), cwd=tmp_path, kept=[tmp_path],
            words=("results.parquet", "allowed:"))
    assert not list(sweep.glob(".staging-*"))


# ---- sim-plot and sim-report: arguments and outputs ----------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["no/such/run"], ("'path'", "existing folder")),
    (["{run}", "--kind", "bogus"], ("--kind", "bogus")),
    (["{run}", "--kind", "heatmap"], ("--kind heatmap", "one run", "allowed")),
    (["{run}", "--metric", "happiness"], ("happiness",)),
    (["{empty}"], ("neither a run folder", "allowed:")),
    (["{run}", "--out", "{a_file}/figures"], ("'--out'", "a_file", "allowed:")),
    (["{run}", "--out", "{a_file}"], ("'--out'", "a_file", "allowed:")),
])
def test_sim_plot_refuses_bad_arguments(run, a_file, tmp_path, args, words):
    (tmp_path / "empty").mkdir()
    names = {"run": run, "a_file": a_file, "empty": tmp_path / "empty"}
    args = [a.format(**names) for a in args]
    refused("sim-plot", *args, cwd=tmp_path, kept=[tmp_path], words=words)
    assert not (run / "figures").exists()


@pytest.mark.parametrize("args, words", [
    ([], ("run",)),
    (["{empty}"], ("summary.json", "not a run folder", "allowed:")),
    (["{run}", "--against", "{run}"], ("itself", "allowed:")),
    (["{run}", "--against", "no/such/run"], ("'--against'", "existing folder")),
    (["{run}", "--out", "{a_file}/page"], ("'--out'", "a_file", "allowed:")),
])
def test_sim_report_refuses_bad_arguments(run, a_file, tmp_path, args, words):
    (tmp_path / "empty").mkdir()
    names = {"run": run, "a_file": a_file, "empty": tmp_path / "empty"}
    refused("sim-report", *[a.format(**names) for a in args], cwd=tmp_path, kept=[tmp_path],
            words=words)
    assert not list(tmp_path.rglob("*.html"))


def test_sim_report_leaves_no_page_when_the_workbook_cannot_be_written(run, tmp_path):
    (tmp_path / "page.xlsx").mkdir()  # the workbook's path is a folder
    refused("sim-report", str(run), "--out", str(tmp_path / "page"), cwd=tmp_path,
            kept=[tmp_path], words=("page.xlsx", "allowed:"))
    assert not (tmp_path / "page.html").exists()


# ---- sim-report: what a folder's name can do to the page and the workbook ------------------------


def test_the_page_escapes_run_names_that_are_html(finished_run, tmp_path):
    script = tmp_path / "<script>alert(1)</script>"  # a folder '<script>alert(1)<' with 'script>'
    shutil.copytree(finished_run, script)
    quoted = shutil.copytree(finished_run, tmp_path / 'x" onmouseover="alert(2)<img src=x>')
    proc = command("sim-report", str(script), "--against", str(quoted), "--out",
                   str(tmp_path / "page"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img src=x" not in page and '" onmouseover' not in page
    assert page.count("<img") == 1  # the page's own figure, and no other element
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the path, shown as text
    assert "&lt;img src=x&gt;" in page and "onmouseover=&#34;alert(2)" in page
    assert "<title>sim report: script&gt; against x&#34; onmouseover" in page


def test_the_workbook_keeps_a_formula_named_run_as_text(finished_run, tmp_path):
    import openpyxl

    name = '=HYPERLINK("#x","click")'
    shutil.copytree(finished_run, tmp_path / name)
    shutil.copytree(finished_run, tmp_path / "-2+3")
    proc = command("sim-report", name, "--against=-2+3", "--out", "page", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    book = openpyxl.load_workbook(tmp_path / "page.xlsx")
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row
             if c.value in (name, "-2+3")]
    assert {c.value for c in cells} == {name, "-2+3"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    plain = [c for row in book["headline"].iter_rows(min_row=2) for c in row
             if isinstance(c.value, (int, float))]
    assert plain, "numbers stay numbers"


def test_csv_tables_keep_formula_like_texts_as_text_and_numbers_as_numbers(tmp_path):
    from sim.experiments.tables import write_csv

    frame = pd.DataFrame({"setting": ["=1+2", "@SUM(A1)", "+cmd", "training.scale=2"],
                          "override.scenario.destination_demand_growth": ["-0.03"] * 4,
                          "effect": [1.5, -2.0, 3.0, 4.0]})
    table = pd.read_csv(write_csv(frame, tmp_path / "t.csv"), dtype=str)
    assert list(table["setting"]) == ["'=1+2", "'@SUM(A1)", "'+cmd", "training.scale=2"]
    assert set(table["override.scenario.destination_demand_growth"]) == {"-0.03"}
    assert list(table["effect"]) == ["1.5", "-2", "3", "4"]


def test_two_runs_in_folders_of_the_same_name_are_told_apart(finished_run, tmp_path):
    for parent in ("a", "b"):
        shutil.copytree(finished_run, tmp_path / parent / "run")
    proc = command("sim-report", "a/run", "--against", "b/run", "--out", "page", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    head = pd.read_excel(tmp_path / "page.xlsx", sheet_name="headline")
    assert {"a/run", "b/run"} <= set(head.columns)
    assert (head["difference"] == 0).all()  # the same run twice: no difference


def test_files_written_together_are_all_there_or_none(tmp_path):
    from sim.experiments.tables import written_together

    out = tmp_path / "new" / "figures"
    with pytest.raises(RuntimeError):
        with written_together(out) as staging:
            (staging / "one.png").write_bytes(b"figure")
            raise RuntimeError("the second figure could not be drawn")
    assert not (tmp_path / "new").exists()  # nothing written, the folders made for it removed
    with written_together(out) as staging:
        (staging / "one.png").write_bytes(b"figure")
        (staging / "two.png").write_bytes(b"figure")
    assert sorted(p.name for p in out.iterdir()) == ["one.png", "two.png"]


# ---- sim-validate --------------------------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["--draws", "0"], ("'--draws'", "got '0'", "from 1")),
    (["--draws", "-3"], ("'--draws'", "from 1")),
    (["--draws", "many"], ("'--draws'", "whole number")),
    (["--workers", "100"], ("'--workers'", "from 500")),
    (["--workers", "-5"], ("'--workers'", "from 500")),
    (["--point-seeds", "0"], ("'--point-seeds'", "from 1")),
    (["--procs", "0"], ("'--procs'", "from 1")),
    (["--identification", "no/such.csv"], ("'--identification'", "existing file")),
    (["--report", "{a_file}/validation.md"], ("'--report'", "a_file")),
    (["--summary", "{a_file}/validation.json"], ("'--summary'", "a_file")),
])
def test_sim_validate_refuses_bad_arguments_before_running(tmp_path, a_file, args, words):
    args = [a.format(a_file=a_file) for a in args]
    if "--identification" not in args:
        args += ["--identification", str(IDENTIFICATION)]
    refused("sim-validate", *args, cwd=tmp_path, kept=[tmp_path], words=words)


@pytest.mark.parametrize("damage", [truncated, binary, copy_of("priors.yaml"),
                                    text("parameter,role,identified\nx,behaviour,maybe\n")],
                         ids=_id)
def test_sim_validate_refuses_a_damaged_identification_table(tmp_path, damage):
    table = tmp_path / "identification.csv"
    shutil.copyfile(IDENTIFICATION, table)
    shutil.copyfile(PRIORS, tmp_path / "priors.yaml")
    damage(table)
    refused("sim-validate", "--identification", str(table), "--report", "v.md", "--summary",
            "v.json", cwd=tmp_path, kept=[tmp_path], words=("identification.csv", "allowed:"))


# ---- sim-calibrate -------------------------------------------------------------------------------


@pytest.fixture
def calibration_db(tmp_path) -> Path:
    """An existing database that a refused command must leave where it is."""
    db = tmp_path / "abc.db"
    db.write_bytes(b"an earlier calibration\n")
    return db


@pytest.mark.parametrize("args, words", [
    (["population.labour_force=lots"], ("population.labour_force", "lots", "allowed")),
    (["nosuch.key=1"], ("nosuch.key",)),
    (["policy/training=nope"], ("nope", "policy/training", "allowed")),
    (["scenario.burn_in_months=-2"], ("scenario.burn_in_months", "allowed")),
    (["--particles", "0"], ("'--particles'",)),
    (["--quantile", "0"], ("'--quantile'",)),
    (["--walltime", "0"], ("'--walltime'",)),
    (["--seed", "-1"], ("'--seed'",)),
    (["--workers", "10"], ("'--workers'", "from 500")),
    (["--priors", "no/such.yaml"], ("'--priors'", "existing file")),
    (["--from-db", "--resume"], ("--from-db", "--resume")),
    (["--output-dir", "{a_file}/out"], ("'--output-dir'", "a_file")),
    (["--report", "{a_file}/report.md"], ("'--report'", "a_file")),
    (["--method", "mcmc"], ("--method", "mcmc", "npe", "smc")),
    (["--rounds", "10"], ("'--rounds'", "500")),
    (["--rounds", "2500,lots"], ("'--rounds'", "comma-separated")),
    (["--dask", "tcp://nowhere:1"], ("--dask", "ABC-SMC", "allowed")),
    (["--recover"], ("--recover", "simulation-based calibration")),
    (["--tables", "{a_file}/tables"], ("'--tables'", "a_file")),
])
def test_sim_calibrate_refuses_bad_arguments_and_touches_nothing(tmp_path, calibration_db,
                                                                  a_file, args, words):
    args = [a.format(a_file=a_file) for a in args]
    refused("sim-calibrate", "--db", str(calibration_db), "--output-dir", "out", *args,
            cwd=tmp_path, kept=[tmp_path], words=words)


def _pyabc_run(path: Path, parameter: str) -> Path:
    """A real pyabc database of one population, of a calibration of another model."""
    import pyabc

    prior = pyabc.Distribution(**{parameter: pyabc.RV("uniform", 0, 1)})
    abc = pyabc.ABCSMC(lambda p: {"x": p[parameter]}, prior, lambda x, y: abs(x["x"] - y["x"]),
                       population_size=10, sampler=pyabc.sampler.SingleCoreSampler())
    abc.new(f"sqlite:///{path}", {"x": 0.5})
    abc.run(max_nr_populations=1)
    return path


def _sqlite_of_another_program(path: Path) -> Path:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE notes (text TEXT)")
    return path


@pytest.mark.parametrize("flag", ["--resume", "--from-db"])
@pytest.mark.parametrize("make, words", [
    (lambda p: p, ("no such file",)),
    (lambda p: (p.write_bytes(b""), p)[1], ("empty",)),
    (lambda p: (p.write_text("not a database\n"), p)[1], ("not an SQLite database",)),
    (_sqlite_of_another_program, ("not pyabc's",)),
    (lambda p: _pyabc_run(p, "another_parameter"), ("other parameters", "another_parameter")),
], ids=["missing", "empty", "text", "foreign sqlite", "foreign calibration"])
def test_sim_calibrate_refuses_a_database_that_is_not_its_own(tmp_path, flag, make, words):
    db = make(tmp_path / "abc.db")
    refused("sim-calibrate", "--method", "smc", flag, "--db", str(db), "--output-dir", "out", cwd=tmp_path,
            kept=[tmp_path], words=("abc.db", *words, "allowed:"))


@pytest.mark.parametrize("priors, words", [
    ("parameters: [unclosed\n", ("not YAML",)),
    ("constraints: {}\n", ("no 'parameters'",)),
    ("parameters:\n  a:\n    keys: [behaviour.habit]\n    low: 2\n    high: 1\n", ("not below",)),
    ("parameters:\n  a:\n    keys: [behaviour.nothing]\n    low: 0\n    high: 1\n",
     ("behaviour.nothing",)),
    ("parameters:\n  a:\n    keys: [behaviour.habit]\n    low: 0\n    hihg: 1\n", ("hihg",)),
    ("parameters:\n  a:\n    keys: [behaviour.habit]\n    low: 0\n    high: 1\n"
     "constraints:\n  c: {numerator: a, denominator: b, at_most: 1}\n", ("'c'", "denominator")),
])
def test_sim_calibrate_refuses_a_bad_priors_file(tmp_path, calibration_db, priors, words):
    path = tmp_path / "priors.yaml"
    path.write_text(priors)
    refused("sim-calibrate", "--priors", str(path), "--db", str(calibration_db), cwd=tmp_path,
            kept=[tmp_path], words=("priors.yaml", *words, "allowed:"))


def test_a_database_in_the_way_of_a_new_run_is_set_aside_never_deleted(calibration_db):
    """The rule sim-calibrate applies without --resume (tests/test_calibration.py runs the
    command through it)."""
    from sim.experiments.calibration import set_aside

    old = calibration_db.read_bytes()
    first = set_aside(calibration_db)
    calibration_db.write_bytes(b"a second one\n")
    second = set_aside(calibration_db)
    assert not calibration_db.exists() and first != second
    assert first.read_bytes() == old and second.read_bytes() == b"a second one\n"
    assert first.name.startswith("abc.db.") and set_aside(calibration_db) is None


# ---- sim-bench and sim-dashboard -----------------------------------------------------------------


@pytest.mark.parametrize("args, words", [
    (["--repeats", "0"], ("'--repeats'", "from 1")),
    (["--scales", "0"], ("'--scales'", "above 0")),
    (["--scales", "1.5"], ("'--scales'",)),
    (["--scales", "0.00001"], ("'--scales'", "500 workers")),
    (["--scales"], ("--scales",)),
    (["--reference-workers", "10"], ("'--reference-workers'", "from 1,000")),
    (["--scales", "0.01", "--report", "{a_file}/performance.md"], ("'--report'", "a_file")),
])
def test_sim_bench_refuses_bad_arguments_before_timing(tmp_path, a_file, args, words):
    refused("sim-bench", *[a.format(a_file=a_file) for a in args], cwd=tmp_path,
            kept=[tmp_path], words=words)


@pytest.mark.parametrize("args, words", [  # more in tests/test_dashboard.py, in one process
    (["--port", "70000"], ("'--port'", "65,535")),
    (["--scale", "0.0001"], ("'--scale'", "0.0002 or more")),
])
def test_sim_dashboard_refuses_bad_arguments(tmp_path, args, words):
    refused("sim-dashboard", *args, cwd=tmp_path, kept=[tmp_path], words=words)


def test_sim_dashboard_refuses_a_port_in_use(tmp_path):
    with socket.socket() as taken:
        taken.bind(("localhost", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        refused("sim-dashboard", "--port", port, cwd=tmp_path, kept=[tmp_path],
                words=("'--port'", port, "in use"))
