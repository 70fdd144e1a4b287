"""Outcomes by group from a sweep (`groups.parquet`, `sim-plot --kind groups`) and `sim-report`:
one run against another as a page that headless Chromium renders (inline figure, nothing
fetched, the headline with its paired intervals) and a workbook of the same tables."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest

from .browser import start_browser

RUN = [sys.executable, "-m", "sim.commands.run"]
TINY = ["population.scale=0.004", "scenario.burn_in_months=12", "quiet=true"]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """Training on and off, two seeds each: the done-line's sweep at a smaller scale."""
    root = tmp_path_factory.mktemp("groups")
    res = subprocess.run(RUN + ["-m", *TINY, "seed=0,1", "policy.training.scale=0,1",
                                f"hydra.sweep.dir={root / 'sweep'}"],
                         cwd=root, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    return root / "sweep"


def test_a_sweep_gathers_outcomes_by_group_and_county(sweep):
    groups = pd.read_parquet(sweep / "groups.parquet")
    assert {"job", "dimension", "group", "metric", "value"} <= set(groups.columns)
    assert {"region", "sex", "age_band", "county", "county_type", "relocated", "monitored",
            "capacity"} <= set(groups["dimension"])
    assert groups["job"].nunique() == 4
    results = pd.read_parquet(sweep / "results.parquet").set_index("job")
    # every dimension splits the same people: its groups add up to the run's totals
    for (job, dimension), part in groups[groups.year == 2021].groupby(["job", "dimension"]):
        values = part.set_index(["group", "metric"])["value"]
        in_work = values.xs("in_work", level="metric").sum()
        assert in_work == pytest.approx(results.loc[job, "in_work"]), (job, dimension)
    assert groups[groups.dimension == "county"]["group"].nunique() == 107


def test_sim_plot_draws_who_gains(sweep, tmp_path):
    res = subprocess.run([sys.executable, "-m", "sim.commands.plot", str(sweep), "--kind",
                          "groups", "--out", str(tmp_path)], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stderr
    table = pd.read_csv(tmp_path / "groups.csv")
    assert {"age_band", "sex", "region"} <= set(table["dimension"])
    assert table["share"].between(0, 1).all() and (tmp_path / "groups.png").exists()


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """Training on against off, three seeds each (so the difference has an interval)."""
    root = tmp_path_factory.mktemp("report")
    for name, scale in (("on", 1), ("off", 0)):
        res = subprocess.run(RUN + [*TINY, "replicates=3", f"policy.training.scale={scale}",
                                    f"hydra.run.dir={root / name}"],
                             cwd=root, capture_output=True, text=True, timeout=600)
        assert res.returncode == 0, res.stderr[-2000:]
    res = subprocess.run([sys.executable, "-m", "sim.commands.report", str(root / "on"),
                          "--against", str(root / "off"), "--out", str(root / "page")],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return root


def test_the_report_renders_in_a_browser_with_nothing_fetched(reported, tmp_path):
    page = reported / "page.html"
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # self-contained
    driver = start_browser(tmp_path / "profile")
    try:
        driver.get(page.as_uri())
        assert driver.execute_script("return document.images.length") == 1
        assert driver.execute_script("return document.images[0].naturalWidth") > 300
        rows = driver.execute_script(
            "return Array.from(document.querySelectorAll('#headline tr'))"
            ".map(r => Array.from(r.cells).map(c => c.innerText))")
        header, body = rows[0], {r[0]: r for r in rows[1:]}
        assert {"difference", "low", "high", "interval"} <= set(header)
        in_work = dict(zip(header, body["In work"]))
        assert "3 seeds" in in_work["interval"]
        for table in ("costs", "config_difference", "groups", "fit"):
            assert driver.execute_script(f"return document.querySelectorAll('#{table} tr').length") > 1
        text = driver.execute_script("return document.body.innerText")
        assert "policy.training.scale" in text and "age_band" in text
    finally:
        driver.quit()


def test_the_workbook_has_the_same_tables_with_units(reported):
    book = pd.read_excel(reported / "page.xlsx", sheet_name=None, engine="openpyxl")
    assert {"headline", "costs", "groups", "fit", "config_difference"} <= set(book)
    assert "unit" in book["headline"] and "unit" in book["costs"] and "unit" in book["groups"]
    head = book["headline"].set_index("metric")
    assert head.loc["cost_total", "difference"] > 0  # training costs money
    assert head.loc["in_work", "low"] <= head.loc["in_work", "difference"] <= head.loc["in_work", "high"]
    # the net effect: what training adds in wage work, what posts lose, the net, in the
    # workbook and in words on the page
    net = book["net_effect"].set_index("metric")
    assert set(net["direction"]) == {"on - off"} and "unit" in book["net_effect"]
    assert net.loc["net_job_months", "change"] == pytest.approx(
        net.loc["gross_job_months", "change"] - net.loc["displaced_job_months", "change"])
    assert net.loc["cost_change", "change"] == pytest.approx(head.loc["cost_total", "difference"])
    assert net.loc["net_job_months", "interval"] == "seeds (t-interval of the mean)"
    assert "per-pair ratio" in net.loc["cost_per_net_job_year", "interval"]
    html = (reported / "page.html").read_text(encoding="utf-8")
    assert 'id="net-effect-words">on - off (training), 2021: adds' in html
