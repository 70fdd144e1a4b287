"""Gathering a sweep: one row per job into `results.parquet` (overrides, seed, metrics, status).

`collect(DIR)` (the command `sim-collect DIR`) reads the job folders of a sweep (the ones Hydra's
multirun made, each with `.hydra/overrides.yaml`); a job that finished has `summary.json`, a job
that failed has `status.json` with its error. The collector also runs at the end of a sweep (a Hydra callback,
`sim.commands.callbacks`), but it never needs the sweep to have ended well: run it on a sweep that
failed part-way, or on folders copied together from several machines.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from .run_files import GROUPS, SUMMARY

RESULTS = "results.parquet"
STATUS = "status.json"


def job_row(job: Path) -> dict | None:
    overrides_file = job / ".hydra" / "overrides.yaml"
    if not overrides_file.exists():
        return None
    overrides = yaml.safe_load(overrides_file.read_text()) or []
    row: dict = {"job": job.name, "overrides": " ".join(overrides)}
    for item in overrides:
        key, _, value = item.lstrip("+~").partition("=")
        if not key.startswith("hydra"):
            row[f"override.{key}"] = value
    row.update(_choices(job))
    summary, status = job / SUMMARY, job / STATUS
    if summary.exists():
        doc = json.loads(summary.read_text())
        row["status"] = "ok"
        row["error"] = ""
        row["seed"] = doc.get("run", {}).get("seed")
        row["posterior_draw"] = doc.get("run", {}).get("posterior_draw", -1)
        row["wall_seconds"] = doc.get("run", {}).get("wall_seconds")
        for key, value in doc.items():
            if isinstance(value, (int, float)):
                row[key] = float(value)
        for fid, target in doc.get("targets", {}).items():
            row[f"{fid}.rel_error"] = target["rel_error"]
    elif status.exists():
        info = json.loads(status.read_text())
        row["status"] = info.get("status", "failed")
        row["error"] = info.get("error", "")
    else:
        row["status"] = "missing"
        row["error"] = "no summary.json and no status.json (still running, or killed)"
    return row


def _choices(job: Path) -> dict[str, str]:
    """The config group options the job ran with (`choice.scenario`, `choice.policy/training`...),
    whether chosen on the command line, by an experiment config or by default; Hydra's own
    groups (the launcher among them) are left out, so launchers give the same row."""
    hydra_file = job / ".hydra" / "hydra.yaml"
    if not hydra_file.exists():
        return {}
    choices = (yaml.safe_load(hydra_file.read_text()) or {}).get("hydra", {}).get(
        "runtime", {}).get("choices", {}) or {}
    return {f"choice.{group}": str(option) for group, option in choices.items()
            if not group.startswith("hydra/")}


def collect(sweep_dir: Path) -> pd.DataFrame:
    """All jobs below `sweep_dir`, one row each, sorted by job; written atomically."""
    sweep_dir = Path(sweep_dir)
    jobs = sorted((p for p in sweep_dir.rglob(".hydra") if p.is_dir()), key=lambda p: str(p))
    rows = [r for r in (job_row(p.parent) for p in jobs) if r is not None]
    frame = pd.DataFrame(rows)
    if not frame.empty:
        frame = frame.sort_values("job", key=lambda s: s.map(_job_key)).reset_index(drop=True)
    _write_atomically(frame, sweep_dir / RESULTS)
    by_group = gather_groups([p.parent for p in jobs], frame)
    if by_group is not None:
        _write_atomically(by_group, sweep_dir / GROUPS)
    return frame


def gather_groups(job_dirs: list[Path], frame: pd.DataFrame) -> pd.DataFrame | None:
    """The finished jobs' outcomes by group (their groups.parquet), long: job, year,
    dimension, group, metric, value (the job's mean), low, high."""
    finished = set(frame.loc[frame["status"] == "ok", "job"]) if "status" in frame else set()
    parts = []
    for job in job_dirs:
        path = job / GROUPS
        if job.name in finished and path.exists():
            part = pd.read_parquet(path)
            part.insert(0, "job", job.name)
            parts.append(part)
    return pd.concat(parts, ignore_index=True) if parts else None


def _write_atomically(frame: pd.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _job_key(name: str):
    return (0, int(name)) if name.isdigit() else (1, name)
