"""The resident's own copy and the privacy notice in the web chat (issue #16).

«Last ned samtalen» saves the conversation as stored (masked) as a .txt file made from the
socket's answer; «Personvern» opens a notice whose retention period is the municipality's
`retention_days` as the server reads it.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cluster.local_assistant import ROOT
from tests.browser.conftest import ARTIFACTS, ChatPage
from tests.browser.test_webchat import _axe

pytestmark = pytest.mark.browser

PHONE = "98765432"
NEW_TAB = " (åpnes i ny fane)"  # the screen reader hint after a link, in the bubble's inner text


def retention_days(municipality: str = "kommune-a") -> int:
    facts = ROOT / "content" / "municipalities" / municipality / "municipality.yml"
    return yaml.safe_load(facts.read_text(encoding="utf-8"))["retention_days"]


def download(chat: ChatPage, button: str) -> tuple:
    with chat.page.expect_download() as info:
        chat.page.get_by_role("button", name=button).click()
    saved = info.value
    return saved, Path(saved.path()).read_text(encoding="utf-8")


def test_download_gives_the_conversation_as_stored(chat: ChatPage):
    chat.goto().open()
    session_id = chat.wait_connected()
    answer = chat.ask("hva er et pakkeforløp")
    chat.ask(f"kan dere ringe meg på {PHONE}?")

    saved, text = download(chat, "Last ned samtalen")
    assert saved.url.startswith("blob:") and session_id not in saved.url
    assert saved.suggested_filename.startswith("samtale-forlopsassistenten-")
    assert saved.suggested_filename.endswith(".txt")
    assert text.startswith("Samtale med Forløpsassistenten – Kommune A\n")
    assert "slik samtalen er lagret" in text and "«telefonnummer»" in text.split("\n\n")[0]
    assert "Du: hva er et pakkeforløp" in text
    assert "Du: kan dere ringe meg på «telefonnummer»?" in text, text
    assert PHONE not in text
    assert answer and all(f"{part.replace(NEW_TAB, '')}" in text for part in answer), (answer, text)
    assert "Assistenten: " in text
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "webchat-own-copy.txt").write_text(text, encoding="utf-8")  # for people to look at

    # in the widget's current language; the widget is rebuilt by the choice
    chat.page.get_by_label("Språk").select_option("en")
    _, english = download(chat, "Download the conversation")
    assert english.startswith("Conversation with Forløpsassistenten")
    assert "You: hva er et pakkeforløp" in english and "Assistant: " in english
    assert PHONE not in english


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 320, "height": 640}],
                         ids=["desktop", "320px"])
def test_privacy_notice_states_the_retention_days_and_is_accessible(browser, site, viewport):
    # bypass_csp: axe is injected as an inline script, which the page's CSP rightly forbids
    context = browser.new_context(viewport=viewport, bypass_csp=True, locale="nb-NO")
    chat = ChatPage(context.new_page(), site)
    try:
        chat.goto().open()
        chat.wait_connected()
        toggle = chat.page.get_by_role("button", name="Personvern", exact=True)
        notice = chat.part("#fa-privacy")
        toggle.click()
        notice.wait_for(state="visible")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert chat.active_element()["tag"] == "H3", "focus moves to the notice's heading"
        days = retention_days()
        chat.part(".privacy-kept").filter(has_text=f"slettes automatisk {days} dager etter").wait_for()
        assert "Kommune A" in chat.part(".privacy-readers").inner_text()
        text = notice.inner_text()
        for words in ("telefonnummer", "fødselsnummer", "navn", "adresser", "logget", "«Slett samtalen»"):
            assert words in text, words

        result = _axe(chat)
        assert result["violations"] == [], result["violations"]
        ARTIFACTS.mkdir(exist_ok=True)
        chat.page.screenshot(path=str(ARTIFACTS / f"webchat-privacy-{viewport['width']}.png"))

        chat.page.keyboard.press("Escape")
        notice.wait_for(state="hidden")
        assert chat.panel.is_visible(), "Escape closes the notice first, not the chat"
        assert chat.active_element()["label"] == "Personvern", "focus returns to the button"
        assert toggle.get_attribute("aria-expanded") == "false"

        chat.page.keyboard.press("Enter")  # the focused button opens it again
        notice.wait_for(state="visible")
        chat.page.get_by_label("Språk").select_option("nn")  # the widget is rebuilt: the notice stays open
        chat.part(".privacy-kept").filter(has_text=f"{days} dagar etter").wait_for()
        chat.page.get_by_label("Språk").select_option("en")
        chat.part(".privacy-kept").filter(has_text=f"{days} days after the last message").wait_for()
        assert chat.part("#fa-privacy h3").inner_text() == "Privacy"
        chat.page.get_by_role("button", name="Close the privacy information").click()
        notice.wait_for(state="hidden")
        assert chat.active_element()["label"] == "Privacy"
        assert chat.errors == []
    finally:
        context.close()
