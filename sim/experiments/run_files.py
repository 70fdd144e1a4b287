"""Writing a run's files: `summary.json` and `timeseries.parquet`, each written atomically.

A file is written to a temporary name in the same directory and renamed into place, so a job
killed mid-write never leaves a half-written file under the final name. The summary's `run`
section says what produced it: seed, package version and config hash (`sim.core.params.config_hash`),
so a number cited from it can be reproduced, and a rerun sweep can tell a finished job.
"""

from __future__ import annotations

import json
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.params import Config, config_hash

if TYPE_CHECKING:  # pandas is imported by the writers only: bad input is answered fast
    import pandas as pd

SUMMARY = "summary.json"
TIMESERIES = "timeseries.parquet"
YEARLY = "yearly.parquet"
GROUPS = "groups.parquet"  # a run's outcomes by group; a sweep's, gathered (sim-collect)


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_summary(out_dir: Path, summary: dict) -> Path:
    path = Path(out_dir) / SUMMARY

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=2, sort_keys=False, ensure_ascii=False)
            f.write("\n")

    _atomic_write(path, write)
    return path


def write_timeseries(out_dir: Path, frame: pd.DataFrame, name: str = TIMESERIES) -> Path:
    path = Path(out_dir) / name
    _atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return path


def version() -> str:
    try:
        return metadata.version("sim")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def run_facts(cfg: Config) -> dict:
    """What reproduces a run: the seed, the package version and the config hash."""
    return {"seed": cfg.seed, "version": version(), "config_hash": config_hash(cfg)}


def summary_document(result_summary: dict, cfg: Config | None = None) -> dict:
    """The summary as written: end-of-2021 metrics by name at the top, then the fit table;
    with `cfg`, the run section also records the version and the config hash."""
    doc = dict(result_summary["metrics"])
    doc["targets"] = result_summary["targets"]
    for key in ("interval90", "replicate_metrics", "run"):
        if key in result_summary:
            doc[key] = result_summary[key]
    if cfg is not None:
        doc["run"] = {**doc.get("run", {}), **run_facts(cfg)}
    return doc
