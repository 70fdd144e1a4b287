"""Composing the shipped configs without the command line (tests, calibration, notebooks)."""

from __future__ import annotations

from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra

from .config import Config, register, to_params


def load(overrides: list[str] | None = None) -> Config:
    """The baseline config with Hydra-style overrides applied, validated, as dataclasses."""
    register()
    if GlobalHydra.instance().is_initialized():
        GlobalHydra.instance().clear()
    with initialize_config_module(config_module="sim.conf", version_base="1.3"):
        cfg = compose(config_name="config", overrides=list(overrides or []))
    cfg = {k: v for k, v in cfg.items() if k != "hydra"}
    from omegaconf import OmegaConf
    return to_params(OmegaConf.create(cfg))
