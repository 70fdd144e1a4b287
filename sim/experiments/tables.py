"""Outputs an analyst opens: the studies' tables as CSV with readable numbers (no scientific
notation: yuan and people whole, other values to six significant digits) and, where a table has
one metric per row, the metric's unit beside it; texts a spreadsheet would run as formulas kept
as texts; and a set of files written together (`written_together`: all of them, or none)."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..core.validation import InputError
from .run_files import atomic_write

# what a spreadsheet reads as the start of a formula (a tab or carriage return before one hides it)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    """A text a spreadsheet would run as a formula (a run folder named `=HYPERLINK(...)`); a
    plain number such as -0.5 is not one, and stays a number."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return False
    try:
        float(value)
    except ValueError:
        return True
    return False


def as_text(value):
    """The value as a CSV cell a spreadsheet shows as text: a formula-like text behind a quote."""
    return "'" + value if formula_like(value) else value


def unit(metric: str) -> str:
    """The unit a metric is counted in."""
    if metric.startswith("cost_per") or metric.startswith("cost_"):
        return "yuan"
    if metric in ("income_per_person",):
        return "yuan a year per household member"
    if "income" in metric or metric.endswith("_mean"):
        return "yuan"
    if metric.endswith("share") or metric.endswith("growth") or metric == "fit_error":
        return "ratio"
    if metric.endswith("_months") or "job_months" in metric:  # job_months_<status>(_change)
        return "person-months"
    if "households" in metric:
        return "households"
    return "people"


def _number(value: float) -> str:
    if pd.isna(value):
        return ""
    if abs(value) >= 1e5:
        return f"{value:.0f}"
    return f"{value:.6g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.6f}"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """`frame` as CSV with readable numbers, and a `unit` column after `metric` if it has one;
    written under a temporary name and renamed (never half a table)."""
    out = frame.copy()
    if "metric" in out and "unit" not in out:
        out.insert(out.columns.get_loc("metric") + 1, "unit", out["metric"].map(unit))
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].map(_number)
        elif not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(as_text)
    out.columns = [as_text(str(c)) for c in out.columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: out.to_csv(tmp, index=False))
    return path


@contextmanager
def written_together(folder: Path) -> Iterator[Path]:
    """A staging folder inside `folder`: what the block writes there is moved into `folder` when
    it ends, all files together; after an error none is, and the staging folder (and any folder
    made for it) is removed. A set of figures or a report is whole, or not there at all."""
    folder = Path(folder)
    made = [p for p in (folder, *folder.parents) if not p.exists()]  # deepest first
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder, prefix=".staging-"))
    try:
        yield staging
        moves = [(p, folder / p.relative_to(staging)) for p in sorted(staging.rglob("*"))
                 if p.is_file()]
        blocked = [target for _, target in moves if target.is_dir()]
        if blocked:
            raise InputError(f"Cannot write '{blocked[0]}': a folder of that name is in the way; "
                             "allowed: an output path where no folder of that name is.")
        for source, target in moves:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for p in made:
            try:
                p.rmdir()
            except OSError:
                break
        raise
    shutil.rmtree(staging, ignore_errors=True)
