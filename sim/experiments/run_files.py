"""Writing a run's files: `summary.json` and `timeseries.parquet`, each written atomically.

A file is written to a temporary name in the same directory and renamed into place, so a job
killed mid-write never leaves a half-written file under the final name. The summary's `run`
section says what produced it (`result_key`): seed, package version, the config hash
(`sim.core.params.config_hash`), a hash of the configs the job ran (the posterior draws' values
applied) and a hash of the model's source, so a number cited from it can be reproduced, and a
rerun sweep can tell a finished job from one that today's code and posterior would give
differently. A metric that is undefined (a share of nobody) is written as null, not NaN.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import time
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.compiled import sources_hash
from ..core.params import Config, config_hash

if TYPE_CHECKING:  # pandas is imported by the writers only: bad input is answered fast
    import pandas as pd

SUMMARY = "summary.json"
TIMESERIES = "timeseries.parquet"
YEARLY = "yearly.parquet"
GROUPS = "groups.parquet"  # a run's outcomes by group; a sweep's, gathered (sim-collect)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _umask()


def atomic_write(path: Path, write) -> None:
    """`write(tmp)` writes the file under a temporary name beside `path`; it is then renamed into
    place, with the permissions a plain file would get (mkstemp's are owner-only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def finite_or_none(value):
    """JSON has no NaN: an undefined number (a share of nobody) is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite_or_none(v) for v in value]
    return value


def write_json(path: Path, doc: dict) -> Path:
    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(finite_or_none(doc), f, indent=2, sort_keys=False, ensure_ascii=False,
                      allow_nan=False)
            f.write("\n")

    atomic_write(Path(path), write)
    return Path(path)


def write_summary(out_dir: Path, summary: dict) -> Path:
    return write_json(Path(out_dir) / SUMMARY, summary)


def write_timeseries(out_dir: Path, frame: pd.DataFrame, name: str = TIMESERIES) -> Path:
    path = Path(out_dir) / name
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    return path


def move_aside(folder: Path, names: list[str], into: Path, stem: str) -> Path:
    """Move the entries `names` of `folder` into a new folder `into/<stem>-<time>` (earlier
    results are kept, never deleted). Returns the new folder."""
    stamp = time.strftime("%Y-%m-%d_%H-%M-%S")
    target, k = Path(into) / f"{stem}-{stamp}", 1
    while target.exists():
        target, k = Path(into) / f"{stem}-{stamp}-{k}", k + 1
    target.mkdir(parents=True)
    for name in names:
        os.replace(Path(folder) / name, target / name)
    return target


def version() -> str:
    try:
        return metadata.version("sim")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


# the files whose code or data make a run's numbers: the model core, the run and its summary, the
# posterior's use, and the figures the summary compares with (its config is in config_hash)
MODEL_SOURCES = ("core", "experiments/runner.py", "experiments/targets.py",
                 "experiments/posterior.py", "experiments/compose.py", "experiments/run_files.py")


@lru_cache(maxsize=1)
def source_hash() -> str:
    """A short hash of the model's source (MODEL_SOURCES) and the seed figures: results made by
    other code are never taken for today's."""
    package = Path(__file__).resolve().parents[1]
    files = []
    for name in MODEL_SOURCES:
        path = package / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    seeds = Path(str(resources.files("sim.seeds")))
    return sources_hash(package, files) + sources_hash(seeds, sorted(seeds.glob("*.yaml")))


def result_key(cfg: Config) -> dict:
    """Everything that made a job's results: its config, the configs it ran (the posterior
    draws' values applied to it), the package version and the model's source."""
    from .posterior import job_configs

    runs = json.dumps([config_hash(one) for _, one in job_configs(cfg)])
    return {"config_hash": config_hash(cfg),
            "runs_hash": hashlib.sha256(runs.encode()).hexdigest()[:16],
            "version": version(), "source_hash": source_hash()}


def run_facts(cfg: Config) -> dict:
    """What reproduces a run: the seed and its result key."""
    return {"seed": cfg.seed, **result_key(cfg)}


def made_with(summary: dict, cfg: Config) -> bool:
    """Whether a job's summary was made by this config with today's code and posterior."""
    run = summary.get("run") if isinstance(summary, dict) else None
    if not isinstance(run, dict):
        return False
    return all(run.get(k) == v for k, v in result_key(cfg).items())


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
