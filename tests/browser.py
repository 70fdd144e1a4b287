"""Headless Chromium for the tests that render a page (the dashboard, sim-report): Debian's
chromium and chromedriver, never a download. Missing, they skip the test, except in CI
(CI=true), where they fail it."""

from __future__ import annotations

import os
import shutil

import pytest


def missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (required in CI: install Debian's chromium and chromium-driver)")
    pytest.skip(reason)


def browser_paths() -> tuple[str, str]:
    browser = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                                "/usr/bin/chromium") if p and os.path.exists(p)), None)
    driver = next((p for p in (shutil.which("chromedriver"), "/usr/bin/chromedriver")
                   if p and os.path.exists(p)), None)
    if browser is None or driver is None:
        missing("headless Chromium and chromedriver not found")
    return browser, driver


def start_browser(profile_dir, window: str = "1500,1400"):
    browser_path, driver_path = browser_paths()
    from selenium import webdriver  # the dev dependency group, as pytest is
    from selenium.webdriver.chrome.service import Service
    os.environ["SE_OFFLINE"] = "true"  # never let Selenium download a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-quic", f"--window-size={window}",
                f"--user-data-dir={profile_dir}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(120)
    return driver
