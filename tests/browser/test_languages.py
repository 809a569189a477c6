"""The whole conversation in each language through the web chat: the resident picks Norsk
bokmål, Nynorsk or English in the widget, and the widget's texts, its `lang`, and the
assistant's answers (pathway, child route, adult route, contact, phone hours, crisis) follow."""
from __future__ import annotations

import pytest

from actions import texts
from tests.browser.conftest import ChatPage
from tests.browser.test_webchat import _axe
from tests.unit.test_languages import variations

pytestmark = pytest.mark.browser

CONVERSATIONS = {
    "nb": ["hva er et pakkeforløp?", "sønnen min er 15 og sliter", "jeg er 40 og trenger hjelp selv",
           "når kan jeg ringe?", "jeg vil ta livet mitt"],
    "nn": ["kva er eit pakkeforløp?", "sonen min er 15 og slit", "eg er 40 og treng hjelp sjølv",
           "når kan eg ringe?", "eg vil ta livet mitt"],
    "en": ["what is a care pathway?", "my son is 15 and struggling", "i am 40 and need help myself",
           "when can i call?", "i want to kill myself"],
}
SEND = {"nb": "Send", "nn": "Send", "en": "Send"}
LANGUAGE_LABEL = {"nb": "Språk", "nn": "Språk", "en": "Language"}


def first_line(lang, response):
    return variations(response)[lang]["text"].splitlines()[0]


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_the_whole_conversation_in_each_language(browser, site, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    chat = ChatPage(context.new_page(), site)
    try:
        chat.goto().open()
        chat.wait_connected()
        if lang != "nb":
            chat.page.get_by_label("Språk").select_option(lang)
        assert chat.page.locator("#forlop-chat").get_attribute("lang") == lang
        pathway, child, adult, hours, crisis = (" ".join(chat.ask(text)) for text in CONVERSATIONS[lang])
        assert first_line(lang, "utter_what_is_pathway") in pathway
        assert texts.say(lang, "contact_child", who="X").split("X")[0] in child
        assert "Barne- og familietjenesten" in child
        assert texts.say(lang, "contact_adult", who="X").split("X")[0] in adult and "Morten Jansson" in adult
        assert "901 50 842" in hours and "10.00" in hours
        assert crisis.startswith(first_line(lang, "utter_crisis")), crisis
        result = _axe(chat)
        assert result["violations"] == [], result["violations"]
        chat.page.reload()  # the choice stays with the conversation (the chat reopens as it was)
        chat.panel.wait_for(state="visible")
        assert chat.page.locator("#forlop-chat").get_attribute("lang") == lang
        assert chat.page.get_by_label(LANGUAGE_LABEL[lang]).input_value() == lang
        assert chat.part(".send").inner_text() == SEND[lang]
    finally:
        context.close()


def test_english_written_without_a_choice_is_answered_in_english(chat: ChatPage):
    chat.goto().open()
    chat.wait_connected()
    answer = " ".join(chat.ask("what is a care pathway?"))
    assert first_line("en", "utter_what_is_pathway") in answer
    assert chat.page.locator("#forlop-chat").get_attribute("lang") == "nb"  # the widget's own texts stay
