"""Configs from the shipped Hydra tree: the schema registered, a composed config turned into the
model's validated dataclasses (`to_params`), and `load()` for use without the command line (tests,
calibration, notebooks)."""

from __future__ import annotations

from typing import Any

from hydra import compose, initialize_config_module
from hydra.core.config_store import ConfigStore
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from ..core.params import Config
from ..core.validation import ConfigError, validate


def register() -> None:
    """Register the schema so `conf/config.yaml` can extend it (defaults: `- schema`)."""
    ConfigStore.instance().store(name="schema", node=Config)


def to_params(cfg: Any) -> Config:
    """Turn a composed DictConfig (or a Config) into plain, validated dataclasses."""
    if not isinstance(cfg, Config):
        if OmegaConf.get_type(cfg) is not Config:  # untyped: type-check it against the schema
            cfg = OmegaConf.merge(OmegaConf.structured(Config), cfg)
        cfg = OmegaConf.to_object(cfg)
    validate(cfg)
    _check_posterior(cfg)
    return cfg


def _check_posterior(cfg: Config) -> None:
    """A posterior draw or an ensemble asks for draws the shipped posterior has."""
    if cfg.posterior_draw < 0 and not cfg.ensemble:
        return
    from .posterior import load_draws

    try:
        n = len(load_draws())
    except FileNotFoundError:
        raise ConfigError(f"Invalid value for '{'ensemble' if cfg.ensemble else 'posterior_draw'}': "
                          "this installation has no posterior (conf/calibration/posterior.csv); "
                          "allowed: posterior_draw=-1 and ensemble=0 (the point fit), or run "
                          "sim-calibrate first.") from None
    if cfg.posterior_draw >= n:
        raise ConfigError(f"Invalid value for 'posterior_draw': got {cfg.posterior_draw}; allowed: "
                          f"-1 (the point fit) or a draw from 0 to {n - 1}.")
    if cfg.ensemble > n:
        raise ConfigError(f"Invalid value for 'ensemble': got {cfg.ensemble}; allowed: 0 or a "
                          f"number of posterior draws from 1 to {n}.")


def load(overrides: list[str] | None = None) -> Config:
    """The baseline config with Hydra-style overrides applied, validated, as dataclasses."""
    register()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_module(config_module="sim.conf", version_base="1.3"):
        cfg = compose(config_name="config", overrides=list(overrides or []))
    cfg = {k: v for k, v in cfg.items() if k != "hydra"}
    return to_params(OmegaConf.create(cfg))
