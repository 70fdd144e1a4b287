"""A reference table: parameter sets drawn from the prior (or a box inside it) and the fitted
figures the model gives at each, kept on disk chunk by chunk.

One table serves every data set: the posterior for the article's figures, and the posteriors of
the synthetic data sets that simulation-based calibration draws from the same prior
(sim.experiments.npe). Each chunk is written whole under a temporary name and
renamed, so an interrupted table resumes from its last whole chunk and never holds half a chunk.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from ..core.params import Config
from ..core.validation import ConfigError
from .calibration import Simulator, distance_figures
from .posterior import Parameter
from .run_files import atomic_write

PAR, STAT = "par_", "stat_"


@dataclass(frozen=True)
class Box:
    """Where a round draws its parameter sets: per parameter a range inside its prior."""

    low: dict[str, float]
    high: dict[str, float]

    @classmethod
    def prior(cls, params: list[Parameter]) -> "Box":
        return cls({p.name: p.low for p in params}, {p.name: p.high for p in params})

    def draw(self, params: list[Parameter], n: int, rng: np.random.Generator) -> pd.DataFrame:
        """n parameter sets, uniform in the box (integers rounded). Drawn row by row, so that
        the first rows are the same whatever n is."""
        u = rng.uniform(size=(n, len(params)))
        out = pd.DataFrame({p.name: self.low[p.name] + u[:, j] * (self.high[p.name] - self.low[p.name])
                            for j, p in enumerate(params)})
        for p in params:
            if p.integer:
                out[p.name] = out[p.name].round()
        return out

    def volume_share(self, params: list[Parameter]) -> float:
        """The box's share of the prior's volume."""
        return float(np.prod([(self.high[p.name] - self.low[p.name]) / p.width for p in params]))

    def to_json(self) -> dict:
        return {"low": self.low, "high": self.high}


def _row(simulator: Simulator, values: dict[str, float]) -> dict[str, float]:
    """One parameter set's figures; a set the model refuses (a utility it cannot evaluate)
    gives no figures (NaN), and is dropped when the table is read."""
    try:
        figures = simulator.figures(values)
    except ConfigError:
        figures = {f["id"]: float("nan") for f in distance_figures()}
    return {**{PAR + k: v for k, v in values.items()}, **{STAT + k: v for k, v in figures.items()}}


def simulate(base: Config, params: list[Parameter], box: Box, n: int, folder: Path,
             workers: int, seed: int, procs: int = 2, chunk: int = 250, progress=None) -> Path:
    """Draw n parameter sets in `box` (from `seed`) and write their figures to `folder` in
    chunks of `chunk` rows; chunks already there are kept, and a table already begun goes on
    with its own seed (a resumed table is the table an uninterrupted run gives)."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "table.json"
    if manifest.exists():
        kept = json.loads(manifest.read_text())
        if (kept["box"] != box.to_json() or kept["workers"] != workers or kept["chunk"] != chunk
                or kept["parameters"] != [p.name for p in params]):
            raise ConfigError(f"{folder} holds a table of other parameters, drawn in another box, "
                              "at another number of agents or in other chunks; allowed: a new "
                              "folder for it")
        seed = kept["seed"]
    about = {"workers": workers, "seed": seed, "n": n, "chunk": chunk, "box": box.to_json(),
             "parameters": [p.name for p in params]}
    atomic_write(manifest, lambda tmp: Path(tmp).write_text(json.dumps(about, indent=1)))
    thetas = box.draw(params, n, np.random.default_rng(seed))
    simulator = Simulator(base, params, workers)
    with Parallel(n_jobs=procs) as pool:
        for k, start in enumerate(range(0, n, chunk)):
            path = folder / f"chunk-{k:05d}.parquet"
            if path.exists():
                continue
            rows = pool(delayed(_row)(simulator, thetas.iloc[i].to_dict())
                        for i in range(start, min(start + chunk, n)))
            frame = pd.DataFrame(rows, index=pd.RangeIndex(start, start + len(rows), name="row"))
            atomic_write(path, lambda tmp, f=frame: f.to_parquet(tmp))
            if progress:
                progress(min(start + chunk, n), n)
    return folder


def stored_box(folder: Path) -> Box | None:
    """The box a table in `folder` was drawn in, or None where there is no table yet."""
    manifest = Path(folder) / "table.json"
    if not manifest.exists():
        return None
    return Box(**json.loads(manifest.read_text())["box"])


def read(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The table's parameter sets and figures (rows the model refused left out)."""
    chunks = sorted(Path(folder).glob("chunk-*.parquet"))
    if not chunks:
        raise ConfigError(f"{folder} holds no reference table (chunk-*.parquet)")
    table = pd.concat([pd.read_parquet(c) for c in chunks])
    stats = table[[c for c in table.columns if c.startswith(STAT)]]
    table = table[np.isfinite(stats.to_numpy(float)).all(axis=1)]
    theta = table[[c for c in table.columns if c.startswith(PAR)]].rename(columns=lambda c: c[len(PAR):])
    figures = table[[c for c in table.columns if c.startswith(STAT)]].rename(columns=lambda c: c[len(STAT):])
    return theta, figures
