"""The masker remembers bot replies in which it found nothing, process-wide, and nothing else:
a reply that holds personal data is masked every time and never kept in memory."""
from rasa.shared.core.events import BotUttered, UserUttered

import privacy.tracker_store as module
from privacy.tracker_store import mask_events


def test_a_clean_bot_reply_is_remembered_and_masked_the_same():
    reply = "Forløpskoordinatoren for barn og unge når du i Barne- og familietjenesten."
    module._CLEAN_BOT_TEXTS.pop(reply, None)
    first = mask_events([BotUttered(reply)])[0]
    assert reply in module._CLEAN_BOT_TEXTS
    second = mask_events([BotUttered(reply)])[0]
    assert first.text == second.text == reply


def test_a_bot_reply_with_personal_data_is_masked_and_not_remembered():
    reply = "Jeg noterte nummeret ditt: 912 34 567."
    masked = [mask_events([BotUttered(reply)])[0].text for _ in range(2)]
    assert all("912 34 567" not in text for text in masked)
    assert reply not in module._CLEAN_BOT_TEXTS


def test_a_name_the_resident_typed_is_still_masked_where_the_bot_echoes_it():
    events = mask_events([UserUttered("jeg heter Kari Nordmann"), BotUttered("Hei Kari Nordmann!")])
    assert "Kari" not in events[1].text
    assert "Hei Kari Nordmann!" not in module._CLEAN_BOT_TEXTS
