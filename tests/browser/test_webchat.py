"""The resident web chat end to end: demo page + widget in Chromium, real Rasa and action server.

Covers the issue "Web chat for residents": answers, quick replies, persistence over reload and
lost connections, deleting a conversation (checked in the tracker database), feedback, keyboard
use, axe-core WCAG 2.1 A/AA, text-only rendering of messages, the origin allow-list, and
screenshots for people to look at (test-artifacts/).
"""
from __future__ import annotations

import re

import pytest
import requests

from tests.browser.conftest import ARTIFACTS, AXE_SCRIPT, STORAGE_PREFIX, ChatPage

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAX_TABS_TO_WIDGET = 60
XSS = "<img src=x onerror=alert(1)>"


def test_answers_a_question_and_a_quick_reply(chat: ChatPage):
    chat.goto().open()
    assert chat.part(".notice").first.inner_text().startswith("Dette er en automatisk assistent")
    emergency = chat.part(".emergency a")
    assert emergency.get_attribute("href") == "tel:113"
    assert "Akutt hjelp? Ring" in chat.part(".emergency").inner_text()
    chat.wait_connected()

    answer = chat.ask("hva er et pakkeforløp")
    assert answer and re.search(r"forløp", " ".join(answer), re.IGNORECASE), answer

    chat.ask("hva er været i morgen")
    assert chat.part(".quick button").count() > 0, "an out-of-scope question is answered with quick replies"
    title, answer = chat.click_quick_reply(0)
    assert chat.part(".msg-user p").last.inner_text() == title
    assert answer, "the quick reply got an answer"
    assert chat.part(".typing").is_hidden()


def test_links_in_answers_are_safe(chat: ChatPage):
    chat.goto().open()
    chat.wait_connected()
    chat.ask("hva er et pakkeforløp")
    chat.ask("hvor finner jeg mer informasjon om pakkeforløp")
    for link in chat.part(".msg a").all():
        assert link.get_attribute("href").startswith(("https://", "http://"))
        assert link.get_attribute("rel") == "noopener noreferrer"
        assert link.get_attribute("target") == "_blank"


def test_reload_and_lost_connection_continue_the_conversation(chat: ChatPage, site):
    chat.goto().open()
    session_id = chat.wait_connected()
    chat.ask("hei")
    shown = chat.part(".msg p").all_inner_texts()

    chat.page.reload()
    chat.panel.wait_for(state="visible")  # it was open before the reload
    assert chat.wait_connected() == session_id
    assert chat.part(".msg p").all_inner_texts() == shown
    chat.ask("hva er en forløpskoordinator")

    # lose the connection: offline, and the transport dropped
    chat.page.context.set_offline(True)
    chat.page.evaluate("() => window.__forlopChat.socket.io.engine.close()")
    banner = chat.part(".banner")
    banner.filter(has_text="Kobler til igjen …").wait_for()
    chat.page.context.set_offline(False)
    chat.page.wait_for_function(
        "() => document.querySelector('#forlop-chat').shadowRoot.querySelector('.banner').textContent === ''"
    )
    assert chat.session_id() == session_id
    chat.ask("hvem kan henvise")

    assert site.user_texts(session_id)[-3:] == ["hei", "hva er en forløpskoordinator", "hvem kan henvise"]


def test_feedback_is_stored_and_delete_removes_the_conversation(chat: ChatPage, site):
    chat.goto().open()
    session_id = chat.wait_connected()
    chat.ask("hva er et pakkeforløp")
    chat.part(".feedback").last.get_by_role("button", name="Ja, svaret var nyttig").click()
    chat.part(".feedback-question", ).filter(has_text="Takk for tilbakemeldingen.").wait_for()
    rows = site.rows("conversation_feedback", session_id)
    assert len(rows) == 1 and "up" in rows[0]
    assert site.rows("events", session_id)

    chat.part(".link-button").click()  # "Slett samtalen"
    assert chat.active_element()["label"] == "Avbryt", "focus starts on the safe choice"
    chat.part(".confirm-button").click()  # "Ja, slett"
    chat.part(".notice").filter(has_text="Samtalen er slettet").wait_for()

    assert site.rows("events", session_id) == []
    assert site.rows("conversation_feedback", session_id) == []
    assert chat.part(".msg").count() == 0
    assert chat.page.evaluate(f"() => sessionStorage.getItem('{STORAGE_PREFIX}transcript')") is None
    new_session = chat.wait_connected()
    assert new_session != session_id
    assert chat.active_element()["tag"] == "TEXTAREA"
    chat.ask("hei")
    assert site.rows("events", new_session)
    assert site.rows("events", session_id) == []


def test_keyboard_only(chat: ChatPage):
    chat.goto()
    keyboard = chat.page.keyboard
    for _ in range(MAX_TABS_TO_WIDGET):
        keyboard.press("Tab")
        if chat.active_element().get("cls") == "launcher":
            break
    else:
        pytest.fail("Tab never reached the chat launcher")
    focused = chat.active_element()
    assert focused["outline"] != "none" and focused["outlineWidth"] != "0px", "visible focus"

    keyboard.press("Enter")
    chat.panel.wait_for(state="visible")
    assert chat.active_element()["tag"] == "TEXTAREA", "opening moves focus to the message field"
    chat.wait_connected()
    keyboard.type("hei")
    before = chat.part(".feedback").count()
    keyboard.press("Enter")
    chat.part(".feedback").nth(before).wait_for()

    # Shift+Tab walks back from the field into the conversation: thumbs and quick replies
    seen = []
    for _ in range(12):
        keyboard.press("Shift+Tab")
        seen.append(chat.active_element())
        if seen[-1].get("label") == "Ja, svaret var nyttig":
            break
    assert seen[-1].get("label") == "Ja, svaret var nyttig", seen
    assert seen[-1]["outline"] != "none"
    keyboard.press("Space")
    chat.part(".feedback-question").filter(has_text="Takk for tilbakemeldingen.").wait_for()

    if chat.part(".quick button").count():
        chat.part(".quick button").first.focus()
        before = chat.part(".feedback").count()
        keyboard.press("Enter")
        chat.part(".feedback").nth(before).wait_for()
        assert chat.active_element()["tag"] == "TEXTAREA"

    keyboard.press("Escape")
    chat.panel.wait_for(state="hidden")
    assert chat.active_element().get("cls") == "launcher", "closing returns focus to the launcher"
    keyboard.press("Enter")
    chat.panel.wait_for(state="visible")
    assert chat.active_element()["tag"] == "TEXTAREA"


def _axe(chat: ChatPage) -> list:
    chat.page.add_script_tag(content=AXE_SCRIPT.read_text())
    result = chat.page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
        " return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})), passes: r.passes.map(p => p.id)}; }",
        AXE_TAGS,
    )
    return result


@pytest.mark.parametrize("viewport,municipality", [
    ({"width": 1280, "height": 800}, "kommune-a"),
    ({"width": 320, "height": 640}, "kommune-a"),
    ({"width": 1280, "height": 800}, "kommune-b"),
], ids=["desktop", "320px", "kommune-b"])
def test_axe_finds_no_wcag21_aa_violations(browser, site, viewport, municipality):
    # bypass_csp: axe is injected as an inline script, which the page's CSP rightly forbids
    context = browser.new_context(viewport=viewport, bypass_csp=True, locale="nb-NO")
    chat = ChatPage(context.new_page(), site)
    try:
        chat.goto(municipality=municipality).open()
        chat.wait_connected()
        chat.ask("hei")
        chat.ask("hva er et pakkeforløp")
        chat.part(".feedback").last.get_by_role("button", name="Nei, svaret var ikke nyttig").click()
        chat.part(".feedback-question").filter(has_text="Takk").wait_for()
        result = _axe(chat)
        assert "color-contrast" in result["passes"], "axe checked colour contrast"
        assert result["violations"] == [], result["violations"]
    finally:
        context.close()


def test_each_municipality_s_page_answers_with_its_own_facts_and_switching_starts_anew(chat: ChatPage):
    chat.goto(municipality="kommune-b").open()
    b_session = chat.wait_connected()
    answer = " ".join(chat.ask("samarbeider kommunen med sykehuset?"))
    assert "helseforetakene" in answer and "Vestre Viken" not in answer
    contact = " ".join(chat.ask("hvem kan jeg kontakte? jeg er 40"))
    assert "ingen kontaktperson" in contact and "901 50 842" not in contact
    chat.page.get_by_role("navigation", name="Velg demokommune").get_by_role("link", name="Kommune A").click()
    chat.prefix = STORAGE_PREFIX
    chat.launcher.wait_for()
    chat.open()
    assert chat.wait_connected() != b_session, "another municipality is another conversation"
    assert "Vestre Viken" in " ".join(chat.ask("samarbeider kommunen med sykehuset?"))
    assert chat.site.rows("events", b_session), "kommune-b's conversation is stored under its own id"


def test_an_unknown_municipality_is_told_in_the_widget_never_answered_for_another(chat: ChatPage):
    # a page set up with a wrong id: the attribute is changed while the page is parsed, before
    # the deferred widget script reads it (a routed page would be another address space to Chromium)
    chat.page.add_init_script("""
        new MutationObserver(() => {
          const tag = document.querySelector('script[data-municipality]');
          if (tag) tag.dataset.municipality = 'kommune-x';
        }).observe(document, {childList: true, subtree: true});
    """)
    chat.goto(municipality="kommune-x")
    chat.open()
    chat.wait_connected()
    answer = " ".join(chat.ask("samarbeider kommunen med sykehuset?"))
    assert "Ukjent kommune: «kommune-x»" in answer and "Vestre Viken" not in answer
    assert chat.errors == []


def test_message_markup_is_shown_as_text(chat: ChatPage):
    chat.goto().open()
    chat.wait_connected()
    chat.ask(XSS)
    assert chat.part(".msg-user p").last.inner_text() == XSS
    assert chat.page.locator("#forlop-chat img").count() == 0
    assert chat.page.locator("img").count() == 0
    chat.page.reload()  # re-rendered from sessionStorage: still text
    chat.panel.wait_for(state="visible")
    assert chat.part(".msg-user p").first.inner_text() == XSS
    assert chat.page.locator("#forlop-chat img").count() == 0
    assert chat.dialogs == []


def test_foreign_origin_is_refused(chat: ChatPage, site):
    handshake = f"{site.bot.base_url}/socket.io/?EIO=4&transport=polling"
    assert requests.get(handshake, headers={"Origin": "http://evil.example"}, timeout=10).status_code == 400
    assert requests.get(handshake, headers={"Origin": site.origin}, timeout=10).status_code == 200

    chat.goto(site.foreign_url).open()
    chat.part(".banner").filter(has_text="Får ikke kontakt med assistenten").wait_for()
    chat.page.wait_for_timeout(1500)
    assert chat.session_id() is None
    assert chat.page.evaluate("() => window.__forlopChat.socket.connected") is False


def test_small_screens_zoom_and_reduced_motion(browser, site):
    ARTIFACTS.mkdir(exist_ok=True)
    shots = [
        ("desktop", {"viewport": {"width": 1280, "height": 800}}),
        ("mobile-360", {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}),
        # 200 % browser zoom of a 1280 x 800 window is a 640 x 400 CSS-pixel viewport
        ("zoom-200", {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}),
        ("width-320", {"viewport": {"width": 320, "height": 568}}),
    ]
    for name, options in shots:
        context = browser.new_context(locale="nb-NO", reduced_motion="reduce", **options)
        chat = ChatPage(context.new_page(), site)
        try:
            chat.goto().open()
            chat.wait_connected()
            chat.ask("hei")
            width = options["viewport"]["width"]
            box = chat.panel.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (name, box)
            for part in (".send", "textarea", ".link-button", ".close", ".emergency a"):
                part_box = chat.part(part).bounding_box()
                assert part_box and part_box["x"] + part_box["width"] <= width + 0.5, (name, part)
            scroll_width = chat.page.evaluate("() => document.documentElement.scrollWidth")
            assert scroll_width <= width, (name, scroll_width)
            chat.page.screenshot(path=str(ARTIFACTS / f"webchat-{name}.png"))
            animation = chat.page.evaluate(
                "() => getComputedStyle(document.querySelector('#forlop-chat').shadowRoot"
                ".querySelector('.dots span')).animationName"
            )
            assert animation == "none", "prefers-reduced-motion stops the typing animation"
        finally:
            context.close()


def test_full_screen_dialog_keeps_focus_inside(browser, site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nb-NO")
    chat = ChatPage(context.new_page(), site)
    try:
        chat.goto().open()
        chat.wait_connected()
        assert chat.panel.get_attribute("aria-modal") == "true"
        for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
            chat.page.keyboard.press(key)
            assert chat.active_element()["inWidget"], f"{key} left the full-screen dialog"
        assert chat.errors == []
    finally:
        context.close()
    desktop = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        wide = ChatPage(desktop.new_page(), site).goto().open()
        assert wide.panel.get_attribute("aria-modal") == "false", "beside the page the dialog is not modal"
    finally:
        desktop.close()
