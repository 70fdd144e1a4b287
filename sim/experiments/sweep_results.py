"""Gathering a sweep: one row per job into `results.parquet` (overrides, seed, metrics, status).

`collect(DIR)` (the command `sim-collect DIR`) reads the job folders of a sweep (the ones Hydra's
multirun made, each with `.hydra/overrides.yaml`); a job that finished has `summary.json`, a job
that failed has `status.json` with its error. The collector also runs at the end of a sweep (a Hydra callback,
`sim.commands.callbacks`), but it never needs the sweep to have ended well: run it on a sweep that
failed part-way, or on folders copied together from several machines.

Every file of a job is checked as it is read (sim.experiments.input_files); a job whose files are
garbled or foreign is a row with status `failed` and an error that names the file, and the other
jobs keep their results.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..core.validation import InputError
from . import input_files
from .run_files import GROUPS, SUMMARY, TIMESERIES, YEARLY
from .tables import written_together

RESULTS = "results.parquet"
STATUS = "status.json"
HYDRA = ".hydra"
MULTIRUN = "multirun.yaml"  # Hydra's record of the sweep, in the sweep folder
# a finished job's tables, checked (footer and columns) when its row is made
JOB_TABLES = ((TIMESERIES, input_files.TIMESERIES), (YEARLY, input_files.YEARLY),
              (GROUPS, input_files.GROUPS))


def job_row(job: Path) -> dict | None:
    """The job's row; None for a folder that is not a job (no .hydra folder). A job whose
    .hydra/overrides.yaml is gone is a failed row that says so."""
    overrides_file = job / HYDRA / "overrides.yaml"
    if not (job / HYDRA).is_dir():
        return None
    row: dict = {"job": job.name, "overrides": ""}
    try:  # each step adds to the row only once its file has been read whole
        row = _settings(job.name, input_files.read_overrides(overrides_file))
        row.update(_choices(job))
        return _finished_or_not(job, dict(row))
    except InputError as e:  # a garbled or foreign file: this job failed, the sweep goes on
        return {**row, "status": "failed", "error": str(e)}


def _settings(name: str, overrides: list[str]) -> dict:
    row: dict = {"job": name, "overrides": " ".join(overrides)}
    for item in overrides:
        key, _, value = item.lstrip("+~").partition("=")
        if not key.startswith("hydra"):
            row[f"override.{key}"] = value
    return row


def _finished_or_not(job: Path, row: dict) -> dict:
    summary, status = job / SUMMARY, job / STATUS
    if summary.exists():
        doc = input_files.read_summary(summary)
        for name, table in JOB_TABLES:
            if (job / name).exists():
                input_files.check_table(job / name, table)
        row["status"] = "ok"
        row["error"] = ""
        row["seed"] = doc["run"]["seed"]
        row["posterior_draw"] = doc["run"].get("posterior_draw", -1)
        row["wall_seconds"] = doc["run"].get("wall_seconds")
        for key, value in doc.items():
            if key not in input_files.SUMMARY_SECTIONS:
                row[key] = float(value)
        for fid, target in doc["targets"].items():
            row[f"{fid}.rel_error"] = target["rel_error"]
    elif status.exists():
        info = input_files.read_status(status)
        row["status"] = info["status"]
        row["error"] = info.get("error", "")
    else:
        row["status"] = "missing"
        row["error"] = "no summary.json and no status.json (still running, or killed)"
    return row


def _choices(job: Path) -> dict[str, str]:
    """The config group options the job ran with (`choice.scenario`, `choice.policy/training`...),
    whether chosen on the command line, by an experiment config or by default; Hydra's own
    groups (the launcher among them) are left out, so launchers give the same row."""
    hydra_file = job / HYDRA / "hydra.yaml"
    if not hydra_file.exists():
        return {}
    return {f"choice.{group}": str(option)
            for group, option in input_files.read_choices(hydra_file).items()
            if not group.startswith("hydra/")}


def job_folders(sweep_dir: Path) -> list[Path]:
    """The folders below `sweep_dir` that Hydra made for a job (each has a .hydra folder)."""
    return sorted((p.parent for p in Path(sweep_dir).rglob(HYDRA) if p.is_dir()), key=str)


def check_sweep(sweep_dir: Path) -> None:
    """`sweep_dir` is a sweep: Hydra made it (its multirun.yaml, or job folders with .hydra)."""
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / MULTIRUN).exists() and not job_folders(sweep_dir):
        raise InputError(f"Cannot read '{sweep_dir}' as a sweep: nothing in it was made by Hydra "
                         f"(no {MULTIRUN} and no job folder with {HYDRA}/); allowed: the folder "
                         "a sweep (`sim -m ...`) printed, e.g. multirun/<date_time>.")


def collect(sweep_dir: Path) -> pd.DataFrame:
    """All jobs below `sweep_dir`, one row each, sorted by job; results.parquet and the finished
    jobs' groups.parquet written together (both, or neither)."""
    sweep_dir = Path(sweep_dir)
    jobs = job_folders(sweep_dir)
    rows = [r for r in (job_row(p) for p in jobs) if r is not None]
    by_group = gather_groups(jobs, rows)
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.sort_values("job", key=lambda s: s.map(_job_key)).reset_index(drop=True)
    with written_together(sweep_dir) as staging:
        frame.to_parquet(staging / RESULTS, index=False)
        if by_group is not None:
            by_group.to_parquet(staging / GROUPS, index=False)
    return frame


def gather_groups(job_dirs: list[Path], rows: list[dict]) -> pd.DataFrame | None:
    """The finished jobs' outcomes by group (their groups.parquet), long: job, year,
    dimension, group, metric, value (the job's mean), low, high. A finished job whose file
    cannot be read becomes a failed row (`rows` is updated) and adds nothing."""
    finished = {r["job"]: r for r in rows if r.get("status") == "ok"}
    parts = []
    for job in job_dirs:
        path = job / GROUPS
        if job.name in finished and path.exists():
            try:
                part = input_files.read_table(path, input_files.GROUPS)
            except InputError as e:
                finished[job.name].update(status="failed", error=str(e))
                continue
            part.insert(0, "job", job.name)
            parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else None


def _job_key(name: str):
    return (0, int(name)) if name.isdigit() else (1, name)
