"""Compiled (numba) code of the model core.

Importing this package first sets where numba caches what it compiles: a non-editable install may
sit in a read-only folder, so the cache goes to the user's cache folder unless NUMBA_CACHE_DIR says
otherwise. Every module that compiles imports it before numba (`from . import compiled`).

- `hints`: two LLVM intrinsics the compiled loops use (a prefetch hint, the lowest set bit);
- `choice`: the logit probabilities of the deciders and the rounds of a month's choice;
- `allocation`: room-limited places, served group by group;
- `scans`: the passes that find a month's few affected rows, and the household pass.
"""

from __future__ import annotations

import os

if "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "sim-numba")
