"""The folder a run or a sweep writes: what it may reuse, what it owns, and who writes it now.

- **Manifest.** Before Hydra writes anything, `manifest.json` records what the folder is for:
  each job's overrides and result key (`sim.experiments.run_files.result_key`: config, the
  posterior draws' values, version, model source). A folder that holds an earlier run or sweep
  is reused only when its manifest is the same: a sweep then resumes (finished jobs are kept), a
  run is made again. Otherwise the command is refused with what differs, before anything is
  written; `existing_results=move_aside` moves the earlier results to a sibling folder instead.
- **Footprint.** A run that stops before it finishes (Ctrl-C, a failed write) removes only what
  this process made: the files and folders that did not exist before it started, never a parent
  and never a folder it found.
- **Lock.** A sweep folder is locked while a sweep writes it; a second sweep into it is refused.
"""

from __future__ import annotations

import fcntl
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..core.params import Config
from ..core.validation import ConfigError
from ..experiments import run_files

MANIFEST = "manifest.json"
LOCK = ".sim.lock"
# what sim and Hydra write in a run folder, or at the top of a sweep folder
RUN_FILES = (".hydra", run_files.SUMMARY, run_files.TIMESERIES, run_files.YEARLY,
             run_files.GROUPS, "status.json", MANIFEST)
SWEEP_FILES = ("multirun.yaml", "results.parquet", run_files.GROUPS, MANIFEST, LOCK)


def manifest(jobs: list[tuple[list[str], Config | ConfigError]], multirun: bool) -> dict:
    """What a folder is for: its jobs in order, with their overrides and result keys (a job
    whose config is invalid, with its error instead)."""
    rows = []
    for overrides, cfg in jobs:
        shown = [o for o in overrides if not o.lstrip("+~").startswith("hydra")]
        key = run_files.result_key(cfg) if isinstance(cfg, Config) else {"invalid": str(cfg)}
        rows.append({"overrides": shown, "key": key})
    return {"kind": "sweep" if multirun else "run", "jobs": rows}


def _earlier(folder: Path, multirun: bool) -> list[str]:
    """What sim made in `folder` before (names at its top), empty for a new or foreign folder."""
    if not folder.is_dir():
        return []
    names = SWEEP_FILES if multirun else RUN_FILES
    found = [p.name for p in folder.iterdir() if p.name in names]
    if multirun:
        found += [p.name for p in folder.iterdir() if (p / ".hydra").is_dir()]
    return sorted(set(found) - {LOCK})


def _read_manifest(folder: Path) -> dict | None:
    try:
        doc = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def difference(earlier: dict | None, now: dict) -> str | None:
    """What differs between a folder's manifest and this command's (None: the same)."""
    if earlier is None:
        return "the folder holds results without a manifest (made by an older sim, or by hand)"
    if earlier.get("kind") != now["kind"]:
        return f"the folder holds a {earlier.get('kind')}, this command makes a {now['kind']}"
    old, new = earlier.get("jobs") or [], now["jobs"]
    if len(old) != len(new):
        return f"the earlier {now['kind']} has {len(old)} job(s), this one {len(new)}"
    for k, (a, b) in enumerate(zip(old, new)):
        if a.get("key") != b["key"]:
            what = [word for part, word in _KEY_WORDS.items()
                    if (a.get("key") or {}).get(part) != b["key"].get(part)]
            if "its config" in what:  # the configs it runs follow from it
                what.remove(_KEY_WORDS["runs_hash"])
            was, now_ = " ".join(a.get("overrides") or []), " ".join(b["overrides"])
            told = f" (it was {was or 'the defaults'}, now {now_ or 'the defaults'})" if was != now_ else ""
            return f"job {k}: {', '.join(what) or 'its config'} changed{told}"
    return None


_KEY_WORDS = {"config_hash": "its config", "runs_hash": "the posterior draws' values",
              "version": "the sim version", "source_hash": "the model's source code"}


def check(folder: Path, jobs: list[tuple[list[str], Config | ConfigError]], multirun: bool,
          existing: str) -> list[str]:
    """Whether `folder` may take these jobs: ConfigError naming what differs if it holds other
    results (unless they are to be moved aside). Returns sim's earlier files in it; writes
    nothing."""
    found = _earlier(folder, multirun)
    why = difference(_read_manifest(folder), manifest(jobs, multirun)) if found else None
    if why is not None and existing != "move_aside":
        key = "hydra.sweep.dir" if multirun else "hydra.run.dir"
        raise ConfigError(
            f"The folder '{folder}' holds an earlier {('sweep' if multirun else 'run')} that "
            f"differs from this one: {why}. Its results are kept; allowed: a new folder "
            f"({key}=DIR), the same command as before to resume it, or "
            "existing_results=move_aside to move the earlier results to a folder beside it "
            "and start afresh.")
    return found


def prepare(folder: Path, jobs: list[tuple[list[str], Config | ConfigError]], multirun: bool,
            existing: str) -> None:
    """`check` the folder, move earlier results aside when asked, and write the manifest."""
    found = check(folder, jobs, multirun, existing)
    if found and existing == "move_aside":
        moved = run_files.move_aside(folder, found, folder.parent,
                                     f"{folder.resolve().name}.replaced")
        print(f"sim: the earlier results in '{folder}' were moved to '{moved}'.",
              file=sys.stderr, flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    run_files.write_json(folder / MANIFEST, manifest(jobs, multirun))


@dataclass
class Footprint:
    """What existed at and inside a folder before this process wrote to it."""

    folder: Path
    new_parents: list[Path] = field(default_factory=list)  # made by this process, deepest first
    found: set[Path] | None = None  # what was inside the folder; None: the folder was new

    @classmethod
    def before(cls, folder: Path) -> Footprint:
        folder = folder.absolute()
        new_parents = []
        parent = folder.parent
        while not parent.exists() and parent != parent.parent:
            new_parents.append(parent)
            parent = parent.parent
        found = set(folder.rglob("*")) | {folder} if folder.exists() else None
        return cls(folder, new_parents, found)

    def remove_made(self) -> None:
        """Remove what this process made in the folder, then the folder and its parents if this
        process made them and they are empty. Never anything that was there before."""
        if not self.folder.exists():
            return
        made = [p for p in self.folder.rglob("*") if self.found is None or p not in self.found]
        for path in sorted(made, key=lambda p: len(p.parts), reverse=True):
            try:
                path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
            except OSError:
                pass  # not empty: it holds something this process did not make
        for folder in ([self.folder] if self.found is None else []) + self.new_parents:
            try:
                folder.rmdir()
            except OSError:
                break  # not empty: someone else's files are there


class SweepLock:
    """An exclusive lock on a sweep folder while this process runs the sweep (released when the
    process ends, however it ends)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.handle = None

    def acquire(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle = open(self.folder / LOCK, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise ConfigError(f"The folder '{self.folder}' is being written by another sweep "
                              "that is still running; allowed: wait for it to end, or choose a "
                              "new folder (hydra.sweep.dir=DIR).") from None
        self.handle = handle  # held open to the end of the process: the lock goes with it
