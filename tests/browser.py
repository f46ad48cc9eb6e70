"""Headless Chromium for the tests that look at a page as a person would.

Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them); selenium is given
both paths, so it never downloads a browser or a driver.

    .venv/bin/python -m tests.browser data/report/index.html docs/report.png

writes a full-page screenshot of a page, like the one in the README.
"""

from __future__ import annotations

import base64
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selenium.webdriver import Chrome as WebDriver

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# No network beyond the page itself: no background updates, sync, QUIC probes or first-run pages.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
]


def missing() -> str:
    """Why the browser tests cannot run here, or "" when they can."""
    absent = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if absent:
        return (
            f"{' and '.join(absent)} missing: `make browser` installs Debian's chromium and "
            "chromium-driver (needs root and apt-get)"
        )
    return ""


@contextmanager
def chromium() -> Iterator[WebDriver]:
    """A selenium Chrome driver on Debian's Chromium, with a new empty profile, console logged."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def full_page_screenshot(driver: WebDriver, out: Path) -> None:
    """The whole page, not just the window: Chrome's own capture beyond the viewport."""
    width, height = driver.execute_script(
        "const e = document.documentElement; return [e.scrollWidth, e.scrollHeight];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(base64.b64decode(shot["data"]))


def wait_for_charts(driver: WebDriver, timeout: float = 30.0) -> str:
    """Wait until the report's script says the charts are drawn (or failed); return which."""
    from selenium.webdriver.support.ui import WebDriverWait

    return str(
        WebDriverWait(driver, timeout).until(
            lambda d: d.execute_script("return document.body.dataset.charts")
        )
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m tests.browser PAGE.html OUT.png", file=sys.stderr)
        return 2
    reason = missing()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    page, out = Path(argv[0]).resolve(), Path(argv[1])
    with chromium() as driver:
        driver.get(page.as_uri())
        wait_for_charts(driver)
        full_page_screenshot(driver, out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
