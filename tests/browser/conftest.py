"""Fixtures for the browser checks: one headless Chromium per session, pages that record events.

Nothing here imports Playwright at module level, so the default `pytest` run (which deselects the
`browser` marker) collects this folder without needing the browser extra or Chromium.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_RUN = "Run `make test-browser`, which installs Debian's chromium and the browser extra."

# Every div.chart holds an <svg> whose data-mark groups (g.role-mark) hold at least one drawn
# item (role graphics-symbol: a bar's <path>, a line's <path>, a point's <path>, a text mark).
CHARTS_DRAWN_JS = """
() => {
  const charts = [...document.querySelectorAll('div.chart')];
  const specs = document.querySelectorAll('script[type="application/json"][id^="spec-"]');
  if (charts.length !== specs.length) return false;
  return charts.every((chart) => {
    const svg = chart.querySelector('svg');
    return svg !== null
      && svg.querySelectorAll('g.role-mark [role="graphics-symbol"]').length > 0;
  });
}
"""


def chromium_path() -> str:
    return shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright; fails (never skips) when missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # pragma: no cover - depends on the environment
        pytest.fail(f"Playwright is not installed ({error}). {HOW_TO_RUN}", pytrace=False)
    executable = chromium_path()
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        pytest.fail(f"Chromium not found (looked for {executable!r}). {HOW_TO_RUN}", pytrace=False)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class WatchedPage:
    """A page plus everything it reported: console messages, errors, requests, dialogs."""

    page: Page
    url: str = ""
    console: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[tuple[str, str]] = field(default_factory=list)

    def open(self, path: Path, timeout: float = 20.0) -> None:
        """Load a local page and wait until every chart has drawn its marks.

        Fails early when the page reports a problem while waiting (a chart that cannot be
        embedded logs "chart failed" and would otherwise only show up as a timeout).
        """
        self.url = path.resolve().as_uri()
        self.page.goto(self.url, wait_until="load")
        deadline = time.monotonic() + timeout
        while not self.page.evaluate(CHARTS_DRAWN_JS):
            if self.problems() or time.monotonic() > deadline:
                pytest.fail(
                    f"charts on {path.name} did not render "
                    f"(waited {timeout - max(deadline - time.monotonic(), 0):.1f} s); "
                    f"problems: {self.problems()}",
                    pytrace=False,
                )
            self.page.wait_for_timeout(50)
        # Charts sized to their container may re-render once after layout; let that settle.
        self.page.evaluate(
            "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )

    def problems(self) -> list[str]:
        """Console errors/warnings, uncaught errors, and any request that left the page."""
        found = [f"console {kind}: {text}" for kind, text in self.console if kind in _BAD_CONSOLE]
        found += [f"page error: {text}" for text in self.page_errors]
        found += [
            f"network request: {url}"
            for url in self.requests
            if url != self.url and not url.startswith(("data:", "blob:"))
        ]
        found += [f"dialog {kind}: {message}" for kind, message in self.dialogs]
        return found


_BAD_CONSOLE = {"error", "warning", "assert"}


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., WatchedPage]]:
    """`open_page(path, width=1440)`: a fresh context at that viewport, with the page loaded."""
    contexts: list[Any] = []

    def _open(path: Path, width: int = 1440, height: int = 900) -> WatchedPage:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        watched = WatchedPage(page)
        page.on("console", lambda message: watched.console.append((message.type, message.text)))
        page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
        page.on("request", lambda request: watched.requests.append(request.url))

        def _dialog(dialog: Any) -> None:
            watched.dialogs.append((dialog.type, dialog.message))
            dialog.dismiss()

        page.on("dialog", _dialog)
        watched.open(path)
        return watched

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from crmreports.demo import build_demo

    return build_demo(tmp_path_factory.mktemp("demo"), size=3000)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
