"""The dashboard (`sim-dashboard`): its model and command line, then the page in a real browser.

The browser test serves the page on a free localhost port and drives Debian's headless Chromium
through Selenium and Debian's chromedriver. It is skipped when Chromium or chromedriver is
missing, except in CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.commands import dashboard
from sim.core.population import STATUS_LABELS, STATUSES

from .browser import browser_paths, missing, start_browser

SCALE = 0.004  # about 11,000 workers: a Reset answers in about a second


# ---------------------------------------------------------------------------------------------
# the model behind the page and the command line (no browser)
# ---------------------------------------------------------------------------------------------


def test_controls_become_config_values():
    cfg, notes = dashboard.config_of({"population_scale": SCALE, "training": 2.0,
                                      "public_welfare": 0.0, "hiring_subsidy": 4000.0,
                                      "epidemic": 0.0, "referral": False})
    assert cfg.population.scale == SCALE
    assert cfg.policy.training.scale == 2.0 and cfg.policy.training.enabled
    assert not cfg.policy.public_welfare.enabled  # a size of 0 switches the lever off
    assert cfg.policy.hiring_subsidy.amount == 4000.0
    assert cfg.scenario.disruption_scale == 0.0
    assert not cfg.policy.referral.enabled and cfg.policy.monitoring.enabled
    assert notes == []


def test_controls_come_from_the_shipped_config_and_scenarios():
    """Labels and defaults are read from conf/, not written into the page: a control for every
    keyword, the scenario list of conf/scenario/, the 2021 sizes in the labels."""
    base = dashboard.base_config("baseline_2021")
    params = dashboard.model_params(SCALE)
    assert params["scenario_name"]["values"] == sorted(
        p.stem for p in (Path(__file__).parents[1] / "conf" / "scenario").glob("*.yaml"))
    assert f"{base.policy.public_welfare.posts:,}" in params["public_welfare"]["label"]
    assert f"{base.policy.training.trainees_per_year:,}" in params["training"]["label"]
    assert params["hiring_subsidy"]["value"] == base.policy.hiring_subsidy.amount
    model = dashboard.DashboardModel(population_scale=SCALE)
    assert set(model.controls) == set(params)


def test_epidemic_strength_is_capped_where_a_month_would_exceed_full_closure():
    cfg, notes = dashboard.config_of({"population_scale": SCALE, "scenario_name": "epidemic_2020",
                                      "epidemic": 3.0})
    peak = max(cfg.scenario.disruption.values())
    assert peak * cfg.scenario.disruption_scale == pytest.approx(1.0)
    assert len(notes) == 1 and "capped" in notes[0]


def test_model_stops_at_the_end_of_its_scenario():
    model = dashboard.DashboardModel(population_scale=dashboard.scale_label(SCALE))
    assert model.running and model.label == "2020-12"
    assert dashboard.fit_rows(model) == []  # no 2021 month yet
    for _ in range(12):
        model.step()
    assert model.label == "2021-12" and not model.running
    model.step()  # a step past the end changes nothing
    assert model.label == "2021-12" and len(model.recorder.months) == 13
    rows = {row["id"]: row for row in dashboard.fit_rows(model)}
    assert sorted(rows, key=lambda k: int(k[1:])) == [f"T{i}" for i in range(1, 13)]
    for status in STATUSES:
        assert len(dashboard.series(model, status)) == 13
    page = dashboard.fit_html(model)
    workers = round(model.p.population.labour_force * SCALE)
    assert "data-id='T8'" in page and f"1:250 ({workers:,} workers)" in page


@pytest.mark.parametrize("text, scale", [("0.02", 0.02), ("1:50 (50,000 workers)", 0.02),
                                         ("full (2,500,000 workers)", 1.0), ("1", 1.0)])
def test_scale_labels_round_trip(text, scale):
    assert dashboard.parse_scale(text) == pytest.approx(scale)
    assert dashboard.parse_scale(dashboard.scale_label(scale)) == pytest.approx(scale)


def test_the_page_says_which_scale_it_runs_at():
    assert dashboard.scale_note(0.02).startswith("Reduced scale")
    assert "1:50 (50,000 workers)" in dashboard.scale_note(0.02)
    assert dashboard.scale_note(1.0).startswith("Full scale")


@pytest.mark.parametrize("args, option", [
    (["--scale", "2"], "--scale"), (["--scale", "lots"], "--scale"),
    (["--scale", "0.0001"], "--scale"), (["--scale", "nan"], "--scale"),
    (["--port", "http"], "--port"), (["--port", "70000"], "--port"),
])
def test_bad_input_is_one_line_naming_the_option(args, option, capsys):
    with pytest.raises(SystemExit) as stop:
        dashboard.main(args)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("sim-dashboard: ")
    assert f"'{option}'" in err and "allowed:" in err


def test_unknown_option_is_one_line(capsys):
    with pytest.raises(SystemExit) as stop:
        dashboard.main(["--sacle", "0.1"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--sacle" in err


def test_browser_packages_match_the_installed_solara():
    """The npm packages `ensure_assets` fetches are the ones solara's page asks for."""
    root = Path(importlib.util.find_spec("solara").origin).parent  # without importing it
    text = (root / "server" / "templates" / "solara.html.j2").read_text(encoding="utf-8")
    text += (root / "widgets" / "vue" / "gridlayout.vue").read_text(encoding="utf-8")
    text += (root / "server" / "settings.py").read_text(encoding="utf-8")  # font-awesome
    for name, version in dashboard.SOLARA_CDN_PACKAGES:
        assert f"{name}@{version}/" in text, f"solara no longer asks for {name}@{version}"


# ---------------------------------------------------------------------------------------------
# the page in headless Chromium
# ---------------------------------------------------------------------------------------------


_missing = missing
_browser_paths = browser_paths


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`sim-dashboard` on a free localhost port, stopped at the end."""
    port = _free_port()
    script = Path(sys.executable).with_name("sim-dashboard")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sim.commands.dashboard"]
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(command + ["--port", str(port), "--scale", str(SCALE)],
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://localhost:{port}/"
    try:
        deadline = time.monotonic() + 240  # first start fetches the browser packages
        while True:
            if proc.poll() is not None:
                pytest.fail(f"sim-dashboard exited ({proc.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"sim-dashboard did not answer at {url}:\n{log.read_text()}")
            time.sleep(0.5)
        yield url, log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server's own process group
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_browser(tmp_path_factory.mktemp("chromium"))
    yield driver
    driver.quit()


CHARTS = ("status", "in-county", "households")
TIMEOUT = 90


def _wait(driver, condition, what: str, timeout: float = TIMEOUT):
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:  # elements that solara redraws while we look are looked up again
        return WebDriverWait(driver, timeout, poll_frequency=0.2,
                             ignored_exceptions=[StaleElementReferenceException]).until(condition)
    except TimeoutException as error:  # say what did not happen
        raise AssertionError(f"timed out waiting for {what}") from error


def _months(driver) -> list[str | None]:
    """The month each chart and the comparison panel show."""
    return driver.execute_script(
        "const charts = arguments[0].map(n => document.querySelector(`.sim-chart-${n} svg`));"
        "const fit = document.querySelector('.sim-fit [data-month]');"
        "return [...charts, fit].map(e => e ? e.getAttribute('data-month') : null);", list(CHARTS))


def _show(driver, month: str) -> None:
    _wait(driver, lambda d: _months(d) == [month] * (len(CHARTS) + 1),
          f"every chart and the comparison panel to show {month} (they show {_months(driver)})")


def _charts(driver) -> dict[str, str]:
    """Each chart's drawing: the geometry of all its paths."""
    return driver.execute_script(
        "const out = {};"
        "for (const n of arguments[0]) {"
        "  const svg = document.querySelector(`.sim-chart-${n} svg`);"
        "  out[n] = Array.from(svg.querySelectorAll('path')).map(p => p.getAttribute('d')).join('|');"
        "}"
        "return out;", list(CHARTS))


def _chart_facts(driver) -> dict[str, dict]:
    """Each chart's size on the page, its text and how many paths it draws."""
    return driver.execute_script(
        "const out = {};"
        "for (const n of arguments[0]) {"
        "  const svg = document.querySelector(`.sim-chart-${n} svg`);"
        "  const box = svg.getBoundingClientRect();"
        "  out[n] = {width: box.width, height: box.height, text: svg.textContent,"
        "            paths: svg.querySelectorAll('path').length};"
        "}"
        "return out;", list(CHARTS))


def _retry(action, tries: int = 20):
    """Run an action on elements that solara may redraw meanwhile; look them up again then."""
    from selenium.common.exceptions import StaleElementReferenceException

    for attempt in range(tries):
        try:
            return action()
        except StaleElementReferenceException:
            if attempt == tries - 1:
                raise
            time.sleep(0.2)


def _text(driver, selector: str) -> str:
    """The text of a panel, looked up again if solara redraws it while it is read."""
    from selenium.webdriver.common.by import By

    return _retry(lambda: driver.find_element(By.CSS_SELECTOR, selector).text)


def _click(driver, label: str) -> None:
    from selenium.webdriver.common.by import By

    xpath = f"//button[normalize-space(.)='{label}']"
    _wait(driver, lambda d: d.find_element(By.XPATH, xpath).is_enabled(), f"the {label} button")
    _retry(lambda: driver.find_element(By.XPATH, xpath).click())


def _press(driver, label: str, month: str) -> None:
    """Press a button until the page shows `month`. A click that reaches a button while solara
    replaces it is dropped, so a button that had no effect after a while is pressed again (a
    step takes well under a second here)."""
    for _ in range(3):
        before = _months(driver)
        _click(driver, label)
        try:
            _wait(driver, lambda d, before=before: _months(d) != before,
                  f"{label} to take effect", timeout=20)
            break
        except AssertionError:
            continue
    _show(driver, month)


def _step(driver, months: list[str]) -> None:
    for month in months:
        _press(driver, "Step", month)


def _reset(driver) -> None:
    _press(driver, "Reset", "2020-12")


def _model_value(driver, figure: str) -> float:
    return float(driver.execute_script(
        "return document.querySelector(`.sim-fit tr[data-id='${arguments[0]}']`)"
        ".getAttribute('data-model');", figure))


def _slider_value(driver, label: str) -> str:
    return driver.execute_script(
        "return document.querySelector(`[role='slider'][aria-label^='${arguments[0]}']`)"
        ".getAttribute('aria-valuenow');", label)


def test_page_loads_charts_render_and_a_lever_changes_them(server, browser):
    url, log = server
    try:
        _drive(browser, url)
    except AssertionError as error:  # with what the page showed and the server said
        page = browser.execute_script("return document.body ? document.body.innerText : ''")
        raise AssertionError(f"{error}\n--- the page ---\n{page[:1500]}\n"
                             f"--- sim-dashboard's log ---\n{log.read_text()[-3000:]}") from error


def _drive(browser, url: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(url)
    _show(browser, "2020-12")
    # the page says it runs a reduced sample
    note = _text(browser, ".sim-scale-note")
    assert "Reduced scale" in note and "1:250 (10,000 workers)" in note
    assert "step the model into 2021" in _text(browser, ".sim-fit")

    # the charts are drawn: on the page at a readable size, with their axes and legends
    facts = _chart_facts(browser)
    for name in CHARTS:
        assert facts[name]["width"] > 200 and facts[name]["height"] > 120, (name, facts[name])
        assert facts[name]["paths"] > 10, (name, facts[name]["paths"])
        assert "2021-12" in facts[name]["text"]  # the month axis runs to the scenario's end
    assert "Workers by status" in facts["status"]["text"]
    for name in STATUSES:  # every status, by the label of the model's table of statuses
        assert STATUS_LABELS[name][0] in facts["status"]["text"]
    assert "Working in the home county" in facts["in-county"]["text"]
    assert "Households with nobody in work" in facts["households"]["text"]

    # stepping the model draws the new months
    at_start = _charts(browser)
    _step(browser, ["2021-01"])
    baseline = _charts(browser)
    assert all(baseline[n] != at_start[n] for n in CHARTS)
    posts_before = _model_value(browser, "T8")
    assert posts_before > 100_000  # the 2021 posts are there (214,300 in the article)

    # the same levers give the same run: the charts are a function of the levers
    _reset(browser)
    _step(browser, ["2021-01"])
    assert _charts(browser) == baseline

    # move the public-welfare posts lever to 0, Reset, step: the charts change
    posts = "Public-welfare posts"
    assert _slider_value(browser, posts) == "1"
    thumb = f"[role='slider'][aria-label^='{posts}'] .v-slider__thumb"
    _retry(lambda: browser.find_element(By.CSS_SELECTOR, thumb).click())  # takes the focus
    ActionChains(browser).send_keys(Keys.HOME).perform()  # to the slider's minimum
    _wait(browser, lambda d: _slider_value(d, posts) == "0", "the posts slider at 0")
    _reset(browser)
    _step(browser, ["2021-01"])
    moved = _charts(browser)
    assert moved["in-county"] != baseline["in-county"]
    assert moved["status"] != baseline["status"]
    assert _model_value(browser, "T8") < 0.1 * posts_before  # the posts are gone
    assert "public welfare ×0" in _text(browser, ".sim-fit")
