"""rasa_server.patches.event_types answers exactly as Rasa's own class-tree walk."""
import pytest
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.utils.common import all_subclasses

from rasa_server.patches import event_types


@pytest.fixture(autouse=True)
def installed():
    event_types.install()


@pytest.mark.parametrize("cls", all_subclasses(Event), ids=lambda c: c.__name__)
def test_every_event_class_is_found_by_its_name_twice(cls):
    expected = event_types._stock_resolve_by_type(cls.type_name)
    assert Event.resolve_by_type(cls.type_name) is expected
    assert Event.resolve_by_type(cls.type_name) is expected  # from the table


def test_unknown_names_keep_rasas_answers():
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    assert "no_such_event" not in event_types._found


def test_events_deserialise_through_the_table():
    event = Event.from_parameters({"event": "user", "text": "hei", "parse_data": {}})
    assert isinstance(event, UserUttered) and event.text == "hei"
