"""Where compiled (numba) code is cached: imported before numba by every module that compiles.

A non-editable install may sit in a read-only folder, so the cache goes to the user's cache
folder unless NUMBA_CACHE_DIR says otherwise.
"""

from __future__ import annotations

import os

if "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "sim-numba")
