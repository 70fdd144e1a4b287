"""Compiled (numba) code of the model core.

Importing this package first sets where numba caches what it compiles: a non-editable install may
sit in a read-only folder, so the cache goes to the user's cache folder unless NUMBA_CACHE_DIR says
otherwise. Every module that compiles imports it before numba (`from . import compiled`).

Numba checks a cached function against its own file only, not against the files of the compiled
functions it calls (the choice rounds call the transport and post-priority rules of
`sim.core.levers`), so a change there would leave a stale copy in use. The cache folder is
therefore named by a hash of every source file of the model core, inside the folder a user sets
with NUMBA_CACHE_DIR as well: any change to them starts a fresh cache (about 25 s to compile,
once).

- `hints`: two LLVM intrinsics the compiled loops use (a prefetch hint, the lowest set bit);
- `choice`: the logit probabilities of the deciders and the rounds of a month's choice;
- `allocation`: room-limited places, served group by group;
- `scans`: the passes that find a month's few affected rows, and the household pass;
- `waiting`: the month each worker leaves the labour force, drawn once as a waiting time.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path


def sources_hash(root: Path, files: list[Path]) -> str:
    """A short hash of source files: their paths below `root`, in order, and their bytes."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _core_sources_hash() -> str:
    """A short hash of the model core's source files (sim/core/**/*.py)."""
    core = Path(__file__).resolve().parents[1]
    return sources_hash(core, sorted(core.rglob("*.py")))


COMPILE_SECONDS = 30  # about, on a 2-core laptop: said when the cache is cold


def cache_is_warm() -> bool:
    """Whether numba's cache holds compiled code for this version of the model core."""
    folder = Path(os.environ.get("NUMBA_CACHE_DIR", ""))
    return folder.is_dir() and any(folder.rglob("*.nbi"))


def compile_notice() -> str | None:
    """What to tell a user before the first run compiles (None when nothing is to compile)."""
    if cache_is_warm():
        return None
    return (f"sim: compiling the model's inner loops for this machine (once per version of the "
            f"model, about {COMPILE_SECONDS} s); later runs start at once.")


def _cache_folder() -> str:
    """The cache folder of this version of the model core: a folder named by its hash, inside
    the user's NUMBA_CACHE_DIR if set (so a folder the user chose never serves compiled code of
    other sources) or the user's cache folder. A child process (a sweep's worker) inherits the
    keyed folder and keeps it."""
    key = _core_sources_hash()
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    if chosen and Path(chosen).name == key:
        return chosen
    base = chosen or os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                                  "sim-numba")
    return os.path.join(base, key)


os.environ["NUMBA_CACHE_DIR"] = _cache_folder()
if "numba" in sys.modules:  # numba read the variable when it was imported: read it again
    from numba.core import config as _numba_config

    _numba_config.reload_config()
