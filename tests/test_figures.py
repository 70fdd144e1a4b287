"""The figures say what their data say: each test draws a figure from known numbers, catches it
before it is saved, and reads its drawn labels and values back (bar under the right name, error
bars inside the axes, units and thousands separators in the text)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.experiments import plots, sensitivity

from .test_effects import grid


@pytest.fixture
def drawn(monkeypatch):
    """The figures drawn, instead of files."""
    figures = []

    def keep(fig, out_dir, name):
        figures.append(fig)
        return []

    monkeypatch.setattr(plots, "save_figure", keep)
    monkeypatch.setattr(sensitivity, "save_figure", keep)
    return figures


def _bars(ax) -> dict[str, float]:
    """Each y tick label with the width of the bar drawn at that tick."""
    labels = {round(t, 6): lab.get_text() for t, lab in zip(ax.get_yticks(), ax.get_yticklabels())}
    out = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2, 6)
        if y in labels:
            out[labels[y]] = patch.get_width()
    return out


def test_every_morris_panel_puts_each_bar_under_its_own_name(drawn, tmp_path):
    # the two outputs rank the parameters in opposite orders
    screen = pd.DataFrame({
        "output": ["a"] * 3 + ["b"] * 3,
        "parameter": ["p1", "p2", "p3"] * 2,
        "mu_star": [1.0, 2.0, 3.0, 30.0, 20.0, 10.0],
        "mu_star_conf": [0.1] * 6, "sigma": [0.0] * 6})
    sensitivity.morris_figure(screen, ["a", "b"], tmp_path)
    axes = drawn[0].axes
    for ax, out in zip(axes, ["a", "b"]):
        expected = screen[screen.output == out].set_index("parameter")["mu_star"].to_dict()
        assert _bars(ax) == pytest.approx(expected), out


def test_sobol_error_bars_are_not_cut(drawn, tmp_path):
    indices = pd.DataFrame({"output": ["a", "a"], "parameter": ["p1", "p2"], "S1": [0.9, 0.05],
                            "S1_conf": [0.3, 0.02], "ST": [1.1, 0.1], "ST_conf": [0.4, 0.05]})
    sensitivity.sobol_figure(indices, ["a"], tmp_path)
    low, high = drawn[0].axes[0].get_xlim()
    assert low <= 0.6 - 1e-9 and high >= 1.5


def test_cost_bars_are_the_ratios_with_their_intervals_and_readable_numbers(drawn, tmp_path):
    frame = grid(effect_jobs=4_000, effect_cost=2e8, noise=600.0, seeds=range(8))
    reference = {"override.lever.scale": "0"}
    plots.cost_figure(frame, reference, tmp_path)
    table = pd.read_csv(tmp_path / "cost.csv")
    ax = drawn[0].axes[0]
    assert _bars(ax) == pytest.approx(
        dict(zip(table["setting"], table["cost_per_additional_job"])))
    texts = [t.get_text() for t in ax.texts]
    assert any(f"{table['cost_per_additional_job'].iloc[0]:,.0f}" in t for t in texts)
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert not any("e+" in t for t in ticks)  # no scientific notation on a yuan axis
    for col in ("cost_per_additional_job", "cost_per_job_year", "cost_per_household_kept"):
        assert {f"{col}_low", f"{col}_high"} <= set(table.columns)


def test_an_ablation_shows_each_levers_contribution_under_its_name(drawn, tmp_path):
    frame = grid(effect_jobs=-5_000, effect_cost=-1e8, noise=0.0)  # switching it off costs jobs
    frame["override.ablation"] = frame.pop("override.lever.scale").map({"0": "none",
                                                                        "1": "training"})
    plots.contributions_figure(frame, {"override.ablation": "none"}, tmp_path, ["in_work"])
    ax = drawn[0].axes[0]
    assert _bars(ax) == pytest.approx({"training": 5_000})  # the lever adds 5,000 jobs
    assert "every lever on - that lever off" in drawn[0]._suptitle.get_text()


def test_a_grid_shows_setting_minus_reference(drawn, tmp_path):
    frame = grid(effect_jobs=4_000, effect_cost=1e8, noise=0.0)
    plots.contributions_figure(frame, {"override.lever.scale": "0"}, tmp_path, ["in_work"])
    assert _bars(drawn[0].axes[0]) == pytest.approx({"lever.scale=1": 4_000})


def test_yearly_effects_are_drawn_with_their_intervals(drawn, tmp_path):
    effects = pd.DataFrame({
        "setting": ["withdraw"] * 2, "year": [2022, 2023], "metric": ["job_months"] * 2,
        "effect": [-1.2e6, -0.6e6], "low": [-1.5e6, -0.9e6], "high": [-0.9e6, -0.3e6],
        "interval": ["posterior draws and seeds (5th-95th percentile)"] * 2})
    plots.yearly_effects_figure(effects, ["job_months"], "continue", tmp_path)
    ax = drawn[0].axes[0]
    line = ax.lines[0]
    assert np.allclose(line.get_ydata(), [-1.2e6, -0.6e6])
    assert "person-months" in ax.get_title()
    assert "posterior draws and seeds" in drawn[0]._suptitle.get_text()


def test_a_heatmap_of_differences_writes_each_cell_with_its_interval(drawn, tmp_path):
    rows = []
    for seed in range(4):
        for x in ("0", "1"):
            for y in ("0", "1"):
                rows.append({"seed": seed, "override.seed": str(seed), "override.a.scale": x,
                             "override.b.scale": y, "status": "ok",
                             "household_income": 1e11 + 2e9 * int(x) + 1e9 * int(y) + 1e7 * seed})
    frame = pd.DataFrame(rows)
    plots.heatmap_figure(frame, "a.scale", "b.scale", "household_income", tmp_path,
                         reference={"a.scale": "0", "b.scale": "0"})
    ax = drawn[0].axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert "3.00\n[3.00, 3.00]" in texts  # both levers: 3 billion yuan more, no noise left
    assert not any("e+" in t for t in texts)
    assert drawn[0].axes[1].get_ylabel() == "billion yuan"
    assert "90% interval over seeds" in ax.get_title()


def test_twelve_ablation_settings_get_twelve_colours_and_a_lever_keeps_its_own():
    from sim.core.params import LEVERS
    from sim.experiments.style import LEVER_COLOURS

    settings = ["every lever on", "every lever off"] + [f"{lever} off" for lever in LEVERS]
    colours = plots.setting_colours(settings)
    assert len({str(c) for c in colours.values()}) == 12
    assert all(colours[f"{lever} off"] == LEVER_COLOURS[lever] for lever in LEVERS)
    grid = plots.setting_colours([f"x={i}" for i in range(16)])
    assert len({str(c) for c in grid.values()}) == 16


def test_tables_write_numbers_in_full_with_their_units(tmp_path):
    from sim.experiments.tables import write_csv

    frame = pd.DataFrame({"setting": ["a", "a", "a"],
                          "metric": ["household_income", "in_work", "trained_employed_share"],
                          "effect": [1.02e11, 4321.5, 0.0123456789]})
    text = write_csv(frame, tmp_path / "t.csv").read_text()
    assert "e+" not in text and "102000000000" in text and "0.0123457" in text
    table = pd.read_csv(tmp_path / "t.csv")
    assert table["unit"].tolist() == ["yuan", "people", "ratio"]
