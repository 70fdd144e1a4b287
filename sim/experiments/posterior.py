"""The calibration's parameters and its posterior: the priors (conf/calibration/priors.yaml), how
a parameter's value is set on a config, and the posterior draws (conf/calibration/posterior.csv)
that `posterior_draw=k` and `ensemble=N` run."""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import pandas as pd

from ..core.params import Config
from .input_files import read_draws, read_priors


@dataclass(frozen=True)
class Parameter:
    """A calibrated quantity: its name, the config keys it sets (one value for all), its prior
    range (uniform), its role (a behaviour parameter, or an uncertain input such as the labour
    force), and why the prior is what it is."""

    name: str
    keys: tuple[str, ...]
    low: float
    high: float
    role: str = "behaviour"
    why: str = ""
    integer: bool = False

    @property
    def width(self) -> float:
        return self.high - self.low


def priors(path: Path | None = None) -> list[Parameter]:
    """The priors of conf/calibration/priors.yaml (or another file in its layout), checked
    (sim.experiments.input_files.read_priors)."""
    out = []
    for name, spec in read_priors(path)["parameters"].items():
        out.append(Parameter(name=name, keys=tuple(spec.get("keys", [name])), low=float(spec["low"]),
                             high=float(spec["high"]), role=spec.get("role", "behaviour"),
                             why=" ".join(str(spec.get("why", "")).split()),
                             integer=bool(spec.get("integer", False))))
    return out


@dataclass(frozen=True)
class Constraint:
    """A bound the prior puts on a ratio of two parameters (the uniform box cut by it): what
    evidence says of a combination that neither range can say alone."""

    name: str
    numerator: str
    denominator: str
    at_most: float
    why: str = ""

    def applies(self, names) -> bool:
        return self.numerator in names and self.denominator in names

    def holds(self, frame: pd.DataFrame):
        """Which rows of a frame of parameter values meet it."""
        return (frame[self.numerator] / frame[self.denominator]).to_numpy() <= self.at_most


def constraints(path: Path | None = None) -> list[Constraint]:
    """The prior's constraints in conf/calibration/priors.yaml (or another file in its layout)."""
    specs = read_priors(path).get("constraints") or {}
    return [Constraint(name=name, numerator=spec["numerator"], denominator=spec["denominator"],
                       at_most=float(spec["at_most"]), why=" ".join(str(spec.get("why", "")).split()))
            for name, spec in specs.items()]


def _set(cfg, key: str, value):
    """A copy of cfg with one dotted key set (dataclasses replaced level by level)."""
    head, _, rest = key.partition(".")
    node = getattr(cfg, head)
    if rest:
        return replace(cfg, **{head: _set(node, rest, value)})
    return replace(cfg, **{head: type(node)(round(value) if isinstance(node, int) else value)})


def with_values(cfg: Config, params: list[Parameter], values: dict[str, float]) -> Config:
    """A copy of cfg with each parameter's keys set to its value."""
    for p in params:
        if p.name in values:
            for key in p.keys:
                cfg = _set(cfg, key, values[p.name])
    return cfg


def load_draws(path: Path | None = None) -> pd.DataFrame:
    """The shipped posterior draws (conf/calibration/posterior.csv), or another file, checked
    against the priors: a `draw` column numbering the rows 0, 1, ..., and for every parameter a
    column of finite values inside its prior range (a draw outside it was never fitted)."""
    if path is None:
        with resources.as_file(resources.files("sim.conf").joinpath("calibration", "posterior.csv")) as p:
            return read_draws(p, priors())
    return read_draws(Path(path), priors())


def apply_draw(cfg: Config, draw: int, params: list[Parameter] | None = None,
               draws: pd.DataFrame | None = None) -> Config:
    """The config with posterior draw `draw`'s values."""
    params = params or priors()
    draws = load_draws() if draws is None else draws
    if not 0 <= draw < len(draws):
        raise IndexError(f"posterior draw {draw} of {len(draws)}")
    row = draws.iloc[draw]
    return with_values(cfg, params, {p.name: float(row[p.name]) for p in params if p.name in row})


def job_configs(cfg: Config) -> list[tuple[int, Config]]:
    """The configs a job runs, with their draw (-1: the point fit): its replicates (seeds seed,
    seed+1, ...) of the point fit, of one posterior draw (`posterior_draw`), or of each of the
    first `ensemble` draws."""
    draws = list(range(cfg.ensemble)) if cfg.ensemble else [cfg.posterior_draw]
    table = load_draws() if draws != [-1] else None
    out = []
    for draw in draws:
        base = cfg if draw < 0 else apply_draw(cfg, draw, draws=table)
        out += [(draw, replace(base, seed=cfg.seed + r)) for r in range(cfg.replicates)]
    return out
