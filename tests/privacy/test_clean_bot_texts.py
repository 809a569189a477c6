"""The masker remembers bot replies in which it found nothing, process-wide, and nothing else:
a reply that holds personal data is masked every time and never kept in memory."""
import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

import rasa_server.stores.masking_tracker_store as module
from rasa_server.stores.masking_tracker_store import mask_events


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


MODEL_ID = "d3380e7eb72f428f99b4c017969ce8f4"  # Rasa writes the model's id into every event
ASSISTANT_ID = "forlopsassistenten"  # config.yml's


def _with_rasa_ids(event, model_id=MODEL_ID, assistant_id=ASSISTANT_ID):
    event.metadata = {"model_id": model_id, "assistant_id": assistant_id}
    return event


def test_rasas_ids_in_event_metadata_are_searched_once_per_process_or_not_at_all(monkeypatch):
    from privacy.masking import default_masker

    module._CLEAN_IDENTIFIERS.discard(ASSISTANT_ID)
    searched = []
    masker = default_masker()
    original = masker.mask
    monkeypatch.setattr(masker, "mask", lambda text, *a, **k: searched.append(text) or original(text, *a, **k))
    for _ in range(3):  # three saves
        events = mask_events([_with_rasa_ids(ActionExecuted("action_listen")), _with_rasa_ids(UserUttered("hei"))])
        assert all(event.metadata == {"model_id": MODEL_ID, "assistant_id": ASSISTANT_ID} for event in events)
    assert searched.count(ASSISTANT_ID) == 1 and ASSISTANT_ID in module._CLEAN_IDENTIFIERS
    assert MODEL_ID not in searched  # Rasa's form of a model id: never searched


def test_a_model_id_with_digit_runs_is_stored_unchanged_while_the_phone_number_is_masked():
    # what `cluster deploy-model` compares (cluster/rolling.py); once stored as "708e…b7a94f«nummer»"
    model_id, assistant_id = "708e7708431c4913b7a94f1374396732", "20230405-114328-tranquil-mustard"
    user, bot = mask_events([_with_rasa_ids(UserUttered("ring meg på 912 34 567"), model_id, assistant_id),
                             _with_rasa_ids(BotUttered("Takk!"), model_id, assistant_id)])
    assert user.text == "ring meg på «telefonnummer»"
    for event in (user, bot):
        assert event.metadata == {"model_id": model_id, "assistant_id": assistant_id}


@pytest.mark.parametrize("planted", ["ring meg på 912 34 567", "91234567", "12345678901234567890123"])
def test_personal_data_under_rasas_id_keys_is_still_masked_and_not_remembered(planted):
    for _ in range(2):
        [event] = mask_events([_with_rasa_ids(ActionExecuted("action_listen"), model_id=planted,
                                              assistant_id=planted)])
        assert planted not in event.metadata["model_id"] and planted not in event.metadata["assistant_id"]
    assert planted not in module._CLEAN_IDENTIFIERS


def test_an_id_is_not_remembered_from_a_save_whose_messages_held_personal_data():
    assistant_id = "kommunens-assistent"
    module._CLEAN_IDENTIFIERS.discard(assistant_id)
    mask_events([_with_rasa_ids(UserUttered("jeg heter Kari Nordmann"), assistant_id=assistant_id)])
    assert assistant_id not in module._CLEAN_IDENTIFIERS
    [event] = mask_events([_with_rasa_ids(ActionExecuted("action_listen"), assistant_id=assistant_id)])
    assert assistant_id in module._CLEAN_IDENTIFIERS and event.metadata["assistant_id"] == assistant_id
