"""Writing a run's files: `summary.json` and `timeseries.parquet`, each written atomically.

A file is written to a temporary name in the same directory and renamed into place, so a job
killed mid-write never leaves a half-written file under the final name.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

SUMMARY = "summary.json"
TIMESERIES = "timeseries.parquet"


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


def write_timeseries(out_dir: Path, frame: pd.DataFrame) -> Path:
    path = Path(out_dir) / TIMESERIES
    _atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return path


def summary_document(result_summary: dict) -> dict:
    """The summary as written: end-of-2021 metrics by name at the top, then the fit table."""
    doc = dict(result_summary["metrics"])
    doc["targets"] = result_summary["targets"]
    for key in ("interval90", "replicate_metrics", "run"):
        if key in result_summary:
            doc[key] = result_summary[key]
    return doc
