"""The console in a real browser (Debian's Chromium driven by Playwright for Python).

Logs in, filters, opens a transcript, tags it, exports a training example, and checks that a
<script> a resident typed is shown as text and never runs. axe-core (the web chat's copy) checks
every page against WCAG 2.1 A/AA, the municipality and language filters, the training export's
language choice and the admin's municipality boxes included.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import yaml
from werkzeug.serving import make_server

from settings import PROJECT_ROOT
from tests.review.conftest import PASSWORD, XSS, make_app

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags this machine's closed network and root user need (see the machine notes)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

AXE_SCRIPT = PROJECT_ROOT / "webchat" / "node_modules" / "axe-core" / "axe.min.js"  # webchat/build.sh
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"Chromium not found at {CHROMIUM}"),
]


@pytest.fixture
def console(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'tracker.db'}", tmp_path)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.config["TEST_ENGINE"].dispose()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors
        try:
            yield page
        finally:
            context.close()
            browser.close()


def test_review_flow_in_chromium(console, page, tmp_path):
    page.goto(console + "/")
    assert page.url.startswith(console + "/login")
    page.get_by_label("Brukernavn").fill("rita")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(console + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Samtaler"

    # filter: only conversations the bot did not understand
    page.get_by_label("der boten ikke forstod").check()
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url("**fallback=1**")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    assert "gjelder dette barn under 18" in rows.first.inner_text()

    # open the transcript and tag it
    rows.first.get_by_role("link").click()
    page.wait_for_url("**/conversations/view?id=conv-child")
    assert page.locator(".turn.user").count() == 2
    page.get_by_label("Nytt stikkord").fill("feil svar")
    page.get_by_role("button", name="Legg til stikkord").click()
    assert page.locator("ul.tags .tag").all_inner_texts() == ["feil svar"]

    # the misunderstood message becomes a training example for ask_contact
    misunderstood = page.locator(".turn.user", has_text="bussbillett")
    misunderstood.get_by_label("Riktig intensjon for meldingen").select_option("ask_contact")
    misunderstood.get_by_role("button", name="Lag treningseksempel").click()
    assert "treningseksempel for «ask_contact»" in page.locator(".messages").inner_text()

    page.get_by_role("link", name="Treningseksempler").click()
    page.get_by_label("Språk").select_option("nb")  # the message's language (no slot: the municipality's)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Last ned NLU-fil (YAML)").click()
    target = tmp_path / "nlu.yml"
    download_info.value.save_as(target)
    assert download_info.value.suggested_filename.startswith("nlu_review_nb_")
    assert yaml.safe_load(target.read_text()) == {"version": "3.1", "nlu": [
        {"intent": "ask_contact", "examples": "- kan jeg få refusjon for bussbillett\n"}]}

    # a <script> typed by a resident is shown as text and does not run
    page.goto(console + "/conversations/view?id=conv-xss")
    message = page.locator(".turn.user .text").first
    assert message.inner_text() == XSS
    assert page.locator("main script").count() == 0
    assert page.title() != "pwned"
    assert page.errors == []

    # the statistics charts load as images under the content security policy
    page.get_by_role("link", name="Statistikk").click()
    page.wait_for_url("**/stats/")
    page.wait_for_load_state("load")
    widths = page.eval_on_selector_all("img.chart", "imgs => imgs.map(i => i.complete && i.naturalWidth)")
    assert len(widths) == 5 and all(w and w > 0 for w in widths)


def _axe(page) -> list:
    page.add_script_tag(content=AXE_SCRIPT.read_text())
    return page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return r.violations.map(v => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }",
        AXE_TAGS,
    )


@pytest.mark.skipif(not AXE_SCRIPT.is_file(), reason="axe-core is missing: run webchat/build.sh")
def test_every_page_passes_axe(console, tmp_path):
    """As an admin (every municipality: the list's and the statistics' municipality filter, the
    per-municipality table, the users page's municipality boxes) and as a reviewer of one."""
    from playwright.sync_api import sync_playwright

    pages = ["/", "/?municipality=kommune-a&fallback=1&language=en", "/?language=none", "/conversations/view?id=conv-child", "/training/",
             "/crisis/", "/stats/", "/conversations/delete?id=conv-child", "/admin/users", "/admin/audit"]
    failures = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for username, paths in (("ada", pages), ("rita", pages[:7])):
                # bypass_csp: axe is injected as an inline script, which the console's CSP forbids
                context = browser.new_context(bypass_csp=True)
                page = context.new_page()
                page.goto(console + "/login")
                page.get_by_label("Brukernavn").fill(username)
                page.get_by_label("Passord").fill(PASSWORD)
                page.get_by_role("button", name="Logg inn").click()
                page.wait_for_url(console + "/")
                if username == "ada":
                    assert page.get_by_label("Kommune").count() == 1  # the filter is there to check
                for path in paths:
                    page.goto(console + path)
                    violations = _axe(page)
                    if violations:
                        failures[f"{username} {path}"] = violations
                context.close()
        finally:
            browser.close()
    assert not failures, failures
