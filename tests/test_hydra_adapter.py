"""What sim.commands.hydra_adapter relies on in Hydra's internals, pinned: if a Hydra upgrade
changes any of it, the test of that function fails, by name."""

from __future__ import annotations

import inspect

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.plugins.sweeper import Sweeper
from hydra.utils import get_class
from omegaconf import OmegaConf

from sim.commands import hydra_adapter
from sim.commands.input_checks import CONFIG_NAME, CONFIG_PATH
from sim.experiments.compose import register


def test_the_argument_parser_reads_hydra_flags_and_overrides():
    args = hydra_adapter.argument_parser().parse_args(
        ["-m", "--config-dir", "mine", "seed=1,2", "policy/training=off"])
    assert args.multirun and args.config_dir == "mine"
    assert args.overrides == ["seed=1,2", "policy/training=off"]
    assert hydra_adapter.argument_parser().parse_args(["--help"]).help


def test_composition_searches_the_users_folder_after_the_shipped_configs(tmp_path):
    """A user's scenario/NAME.yaml is found; one named as a shipped file does not replace it
    (Hydra's --config-dir does the same in a run)."""
    register()
    (tmp_path / "scenario").mkdir()
    (tmp_path / "scenario" / "mine.yaml").write_text("defaults:\n  - baseline_2021\n  - _self_\n"
                                                     "name: mine\n")
    (tmp_path / "scenario" / "epidemic_2020.yaml").write_text(
        "defaults:\n  - baseline_2021\n  - _self_\nname: users_own\n")
    with hydra_adapter.hydra_for(CONFIG_PATH, str(tmp_path)) as hy:
        mine = hydra_adapter.compose(hy, CONFIG_NAME, ["scenario=mine"], multirun=False)
        own = hydra_adapter.compose(hy, CONFIG_NAME, ["scenario=epidemic_2020"], multirun=False)
        sweep = hydra_adapter.compose(hy, CONFIG_NAME, ["+experiment=ablation"], multirun=True)
    assert mine.scenario.name == "mine" and own.scenario.name == "epidemic_2020"
    assert "seed" in sweep.hydra.sweeper.params  # the sweep's own parameters are composed


def test_value_overrides_are_applied_as_hydra_applies_them():
    cfg = OmegaConf.create({"a": {"b": 1}, "m": {"x": 1}, "gone": 3})
    parsed = OverridesParser.create().parse_overrides(["a.b=2", "++m={y:2}", "~gone", "+new=5"])
    hydra_adapter.apply_overrides(cfg, parsed)
    assert OmegaConf.to_container(cfg) == {"a": {"b": 2}, "m": {"x": 1, "y": 2}, "new": 5}


def test_a_basic_sweep_is_the_cross_product_in_launch_order():
    parsed = OverridesParser.create().parse_overrides(["a=1,2", "b=x,y", "c=3"])
    assert hydra_adapter.sweep_jobs(parsed) == [["a=1", "b=x", "c=3"], ["a=1", "b=y", "c=3"],
                                                ["a=2", "b=x", "c=3"], ["a=2", "b=y", "c=3"]]


def test_the_sweeper_validates_each_batch_through_the_method_that_is_switched_off():
    basic = get_class(hydra_adapter.BASIC_SWEEPER)
    assert "self.validate_batch_is_legal(" in inspect.getsource(basic.sweep)
    original = Sweeper.validate_batch_is_legal
    try:
        hydra_adapter.skip_batch_validation()
        assert Sweeper.validate_batch_is_legal is hydra_adapter._valid_batch
    finally:
        Sweeper.validate_batch_is_legal = original


def test_the_class_paths_name_hydras_basic_plugins():
    """The paths the callback and the checks compare a config's `_target_` with."""
    register()
    for path in (hydra_adapter.BASIC_LAUNCHER, hydra_adapter.BASIC_SWEEPER):
        cls = get_class(path)
        assert f"{cls.__module__}.{cls.__qualname__}" == path
    with hydra_adapter.hydra_for(CONFIG_PATH, None) as hy:
        cfg = hydra_adapter.compose(hy, CONFIG_NAME, [], multirun=True)
    assert cfg.hydra.launcher._target_ == hydra_adapter.BASIC_LAUNCHER
    assert cfg.hydra.sweeper._target_ == hydra_adapter.BASIC_SWEEPER
