"""Open the report of ``spinpair reproduce`` in a real headless Chromium (Selenium with the
system's chromium and chromedriver) and check what a reader sees: every image loaded, no
literal HTML entities in the rendered text, no console errors, no horizontal overflow at a
desktop and a phone width, a printable page. A full-page screenshot is kept as a test
artefact in ``test-artifacts/`` (ignored by git; not under ``results/``, the default folder
of ``spinpair reproduce``, which refuses a folder holding other files) and in pytest's
temporary folder.

Skipped with a reason when chromium or chromedriver is missing, except under ``CI=true``,
where it fails instead (``.ci/run`` installs them).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

# starting Chromium and rendering the report takes ~15 s: with the slow tests (CI runs them)
pytestmark = pytest.mark.slow


def _find(*names: str) -> str | None:
    for n in names:
        if p := shutil.which(n):
            return p
    return None


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI=true requires the browser test to run (see .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    chromium = _find("chromium", "chromium-browser", "google-chrome")
    driver_bin = _find("chromedriver")
    if chromium is None or driver_bin is None:
        _missing(
            "chromium and chromedriver not installed (apt-get install chromium chromium-driver)"
        )
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover
        _missing("selenium not installed (pip install -e '.[test]')")
    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(options=opts, service=Service(executable_path=driver_bin))
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


@pytest.fixture(scope="session")
def loaded(browser, report_dir):  # type: ignore[no-untyped-def]
    """The report opened at a desktop width, with every image finished loading."""
    out = report_dir
    browser.set_window_size(1280, 1000)
    browser.get((out / "report.html").as_uri())
    browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all([...document.images].map(i => i.complete ? 1 :"
        " new Promise(r => { i.onload = r; i.onerror = r; }))).then(() => done(1));"
    )
    return browser


def test_every_image_loaded(loaded):
    imgs = loaded.execute_script(
        "return [...document.images].map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]);"
    )
    assert len(imgs) >= 7
    broken = [src for src, complete, w in imgs if not complete or w <= 0]
    assert not broken, f"broken images: {broken}"
    assert "fig2b_data.png" in [src for src, _, _ in imgs]


def test_no_literal_entities_in_rendered_text(loaded):
    text = loaded.execute_script("return document.body.innerText;")
    found = sorted(set(re.findall(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);", text)))
    assert not found, f"literal HTML entities on the page: {found}"
    assert "T = 5 µs" in text
    assert "Contents" in text


def test_no_console_errors(loaded):
    logs = loaded.get_log("browser")
    errors = [e for e in logs if e.get("level") == "SEVERE"]
    assert not errors, json.dumps(errors, indent=1)


@pytest.mark.parametrize("width", [1280, 400])
def test_no_horizontal_overflow(loaded, width):
    loaded.set_window_size(width, 1000)
    # all parameter tables open: the widest content the page can show
    loaded.execute_script("document.querySelectorAll('details').forEach(d => d.open = true);")
    scroll, inner = loaded.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    assert scroll <= inner, f"page is {scroll}px wide in a {inner}px window"
    loaded.execute_script("document.querySelectorAll('details').forEach(d => d.open = false);")
    loaded.set_window_size(1280, 1000)


@pytest.mark.parametrize("width", [1280, 400])
def test_numbers_never_wrap(loaded, width):
    """Table S1 once read "3.1e-/07": no number cell may break over two lines."""
    loaded.set_window_size(width, 1000)
    wrapped = loaded.execute_script(
        "return [...document.querySelectorAll('td.num')].filter(td => {"
        " const r = document.createRange(); r.selectNodeContents(td);"
        " const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));"
        " return tops.size > 1; }).map(td => td.innerText);"
    )
    loaded.set_window_size(1280, 1000)
    assert not wrapped, f"number cells wrapped: {wrapped[:10]}"


def test_contents_links_and_parameter_tables(loaded):
    ids = loaded.execute_script(
        "return [...document.querySelectorAll('nav a')].map(a => a.getAttribute('href'));"
    )
    assert len(ids) >= 8
    for href in ids:
        assert loaded.execute_script(f"return document.querySelector('{href}') !== null;")
    n = loaded.execute_script("return document.querySelectorAll('details table').length;")
    assert n >= 7


def test_printable_and_screenshot(loaded, tmp_path):
    from selenium.webdriver.common.print_page_options import PrintOptions

    pdf = base64.b64decode(loaded.print_page(PrintOptions()))
    assert pdf[:4] == b"%PDF" and len(pdf) > 50_000
    height = loaded.execute_script("return document.documentElement.scrollHeight;")
    shot = loaded.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": 1280, "height": min(height, 16000), "scale": 1},
        },
    )
    png = base64.b64decode(shot["data"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    (tmp_path / "report.png").write_bytes(png)
    (tmp_path / "report.pdf").write_bytes(pdf)
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "report.png", ARTIFACTS / "report-screenshot.png")
        shutil.copy(tmp_path / "report.pdf", ARTIFACTS / "report-print.pdf")
    except OSError:  # pragma: no cover - a read-only checkout keeps the tmp copy only
        pass
