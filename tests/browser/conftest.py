"""Fixtures for the web chat browser tests: real Rasa + action server, the demo page, Chromium.

The Rasa server runs with ALLOWED_ORIGINS set to the origin of the demo page served by
webchat/serve.py on a free port; a second copy of the page on another port is the "foreign"
origin that must be refused. Chromium is Debian's (/usr/bin/chromium), driven by Playwright
for Python; Playwright's own browser download does not work here.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest

from cluster.local_assistant import ROOT, free_port, running_assistant

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEBCHAT = ROOT / "webchat"
DIST = WEBCHAT / "dist"
AXE_SCRIPT = WEBCHAT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
STORAGE_ROOT = "forlopsassistenten:"  # webchat/src/widget.js: then the page's municipality
STORAGE_PREFIX = STORAGE_ROOT + "kommune-a:"  # the demo page's default (index.html)
ANSWER_TIMEOUT_MS = 30_000  # a real model on a busy 2-core CI machine


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the web chat in headless Chromium (needs /usr/bin/chromium)")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium (CI installs it)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def _build_widget() -> None:
    if (DIST / "forlop-chat.js").is_file() and AXE_SCRIPT.is_file():
        return
    subprocess.run(["bash", str(WEBCHAT / "build.sh")], check=True)


class _StaticServer:
    def __init__(self, port: int, chat_server: str) -> None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("webchat_serve", WEBCHAT / "serve.py")
        serve = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(serve)
        self.httpd = serve.make_server("127.0.0.1", port, DIST, chat_server)
        self.url = f"http://127.0.0.1:{port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "_StaticServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Site:
    page_url: str  # the demo page on an allowed origin
    foreign_url: str  # the same page on an origin the Rasa server does not allow
    origin: str
    bot: object  # cluster.local_assistant.Assistant
    db: Path

    def rows(self, table: str, sender_id: str) -> List[tuple]:
        with sqlite3.connect(self.db) as conn:
            exists = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
            if not exists:
                return []
            return conn.execute(f"SELECT * FROM {table} WHERE sender_id = ?", (sender_id,)).fetchall()

    def user_texts(self, sender_id: str) -> List[str]:
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender_id,)
            ).fetchall()
        return [json.loads(data).get("text") for (data,) in rows]


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    _build_widget()
    port, foreign_port = free_port(), free_port()
    origin = f"http://127.0.0.1:{port}"
    workdir = tmp_path_factory.mktemp("webchat")
    with running_assistant(workdir, env_overrides={"ALLOWED_ORIGINS": origin}) as bot:
        with _StaticServer(port, bot.base_url) as allowed, _StaticServer(foreign_port, bot.base_url) as foreign:
            yield Site(allowed.url, foreign.url, origin, bot, Path(bot.env["TRACKER_DB"]))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


class ChatPage:
    """The demo page with the widget, driven as a resident would."""

    def __init__(self, page, site: Site) -> None:
        self.page = page
        self.site = site
        self.prefix = STORAGE_PREFIX
        self.dialogs: List[str] = []
        self.errors: List[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # the demo page sends a strict CSP: the widget must work without inline script or style
        page.on(
            "console",
            lambda message: self.errors.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None,
        )
        page.set_default_timeout(ANSWER_TIMEOUT_MS)

    # widget parts (Playwright's CSS and role locators pierce the open shadow root)
    def part(self, selector: str):
        return self.page.locator(f"#forlop-chat {selector}")

    @property
    def launcher(self):
        return self.part(".launcher")

    @property
    def panel(self):
        return self.part(".panel")

    @property
    def input(self):
        return self.part("textarea")

    def goto(self, url: str | None = None, municipality: str = "kommune-a") -> "ChatPage":
        """The demo page of this municipality: kommune-b.html, else index.html (kommune-a's page)."""
        self.prefix = f"{STORAGE_ROOT}{municipality}:"
        page = f"{municipality}.html" if municipality == "kommune-b" else ""
        self.page.goto(url or self.site.page_url + page)
        self.launcher.wait_for()
        return self

    def open(self) -> "ChatPage":
        self.launcher.click()
        self.panel.wait_for(state="visible")
        return self

    def wait_connected(self) -> str:
        self.page.wait_for_function(
            f"() => !!sessionStorage.getItem('{self.prefix}session')"
            " && document.querySelector('#forlop-chat').shadowRoot.querySelector('.banner').textContent === ''"
        )
        return self.session_id()

    def session_id(self):
        raw = self.page.evaluate(f"() => sessionStorage.getItem('{self.prefix}session')")
        return json.loads(raw) if raw else None

    def ask(self, text: str) -> List[str]:
        """Types a message, sends it with Enter and returns the bot messages of the answer."""
        before = self.part(".msg-bot").count()
        feedback_before = self.part(".feedback").count()
        self.input.fill(text)
        self.input.press("Enter")
        return self._answer(before, feedback_before)

    def click_quick_reply(self, index: int = 0) -> tuple[str, List[str]]:
        before = self.part(".msg-bot").count()
        feedback_before = self.part(".feedback").count()
        button = self.part(".quick button").nth(index)
        title = button.inner_text()
        button.click()
        return title, self._answer(before, feedback_before)

    def _answer(self, bot_before: int, feedback_before: int) -> List[str]:
        # the thumbs appear once the answer's burst of messages has settled
        self.part(".feedback").nth(feedback_before).wait_for()
        texts = self.part(".msg-bot p").all_inner_texts()
        return texts[bot_before:]

    def active_element(self) -> dict:
        return self.page.evaluate(
            """() => {
                const root = document.querySelector('#forlop-chat').shadowRoot;
                const el = root.activeElement;
                if (!el) return {inWidget: false, tag: document.activeElement && document.activeElement.tagName};
                const style = getComputedStyle(el);
                return {inWidget: true, tag: el.tagName, cls: el.className, label: el.getAttribute('aria-label') || el.textContent.trim(),
                        outline: style.outlineStyle, outlineWidth: style.outlineWidth};
            }"""
        )


@pytest.fixture
def chat(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nb-NO")
    page = context.new_page()
    chat_page = ChatPage(page, site)
    yield chat_page
    context.close()
    assert not chat_page.errors, chat_page.errors
