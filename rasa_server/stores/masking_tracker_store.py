"""The tracker store endpoints.yml names: masks personal data before any event is written.

Rasa's SQLTrackerStore.save() writes each not-yet-stored event as one row, with the event's
`as_dict()` serialised into the `data` column. The events it writes come from
`_additional_events()`; this class hands it masked COPIES of those events, so every copy of
what a resident typed (UserUttered text, parse_data text, entity values, slot values, metadata,
bot replies that echo it) is masked in the row, while the in-memory tracker of the running
turn keeps the original text until the turn ends. Events sent to an event broker are masked
the same way.

The tracker kept in memory between turns (rasa_server/stores/tracker_store.py) is rebuilt from
these masked copies after each save, not the running turn's tracker: the next turn starts from
the same masked events and slot values whether the tracker comes from memory or from the
database (another server, a restart), and no resident text stays in memory after its turn.
"""
from __future__ import annotations

import itertools
import logging
import re
from typing import Any, Dict, Iterable, Iterator, List, Optional, Set, Tuple

from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from privacy.masking import PLACEHOLDER_PATTERN, Masker, MaskResult, default_masker, placeholder
from rasa_server.stores.tracker_store import ConfiguredSQLTrackerStore

# On a tracker object: (id(tracker), n) when its first n events are masked copies (read from
# the rows or rebuilt from them). id() because tracker.copy() deep-copies the attribute.
MASKED_EVENTS_ATTRIBUTE = "_forlop_masked_events"

logger = logging.getLogger(__name__)

# Keys of a serialised event that hold Rasa's own structure, never user text: left untouched
# so the stored event still deserialises (intent and action names, policy, offsets, ...).
STRUCTURAL_KEYS = frozenset(
    {
        "event", "timestamp", "name", "policy", "confidence", "intent", "intent_ranking",
        "input_channel", "message_id", "entity", "extractor", "role", "group", "processors",
        "confidence_entity", "start", "end", "response_selector", "action_name",
        "use_text_for_featurization", "hide_rule_turn", "rule_only", "date_time", "kill_on_user_msg",
        "model_id", "assistant_id", "additional_info",
    }
)
# Subtrees filled by channels and actions (widget metadata, bot reply buttons): masked whole.
FREE_FORM_KEYS = frozenset({"metadata", "data"})
USER_EVENT = "user"
BOT_EVENTS = frozenset({"bot", "agent"})
UNKNOWN_ECHO = "«skjult»"  # only if case folding and IGNORECASE ever disagree
MIN_ECHO_LENGTH = 2  # shorter pieces are not searched for in other values


# bot texts (masked without the name rule) in which the default masker found nothing
_CLEAN_BOT_TEXTS: Dict[str, MaskResult] = {}
MAX_CLEAN_BOT_TEXTS = 2048  # the domain has far fewer responses; a bound all the same
# Rasa writes its model id and assistant id into every event's metadata: machine identifiers,
# no resident's data. In the forms Rasa gives them (a model id is uuid4().hex, an assistant id
# Rasa generates "<%Y%m%d-%H%M%S>-<random name>") they are stored unchanged: the masker took a
# model id's digit runs for a «nummer», and `cluster deploy-model` could not tell its model.
# Any other value under these keys is masked (Rasa adds its ids only where a channel's message
# metadata has none, so a client can set them); those in which nothing was found (config.yml's
# assistant_id) are remembered for the process, like clean bot texts (docs/performance.md).
RASA_METADATA_IDS = frozenset({"model_id", "assistant_id"})
RASA_ID_FORM = re.compile(r"[0-9a-f]{32}|\d{8}-\d{6}(?:-[a-z]+)+")
_CLEAN_IDENTIFIERS: Set[str] = set()
MAX_CLEAN_IDENTIFIERS = 64  # one pair per loaded model


class EventMasker:
    """Masks the serialised form of a batch of events (one save)."""

    def __init__(self, masker: Optional[Masker] = None) -> None:
        self._masker = masker or default_masker()
        self._results: Dict[Tuple[str, bool], MaskResult] = {}
        # original pieces of personal data found in this batch's user texts -> placeholder,
        # so a slot or entity value copied out of a message ("ola") is masked even where the
        # value alone would not be recognised
        self._seen: Dict[str, str] = {}
        self._echo: Optional["re.Pattern[str]"] = None

    def _mask_text(self, text: str, names: bool = True) -> MaskResult:
        if (text, names) not in self._results:
            self._results[(text, names)] = self._mask_uncached(text, names)
        return self._results[(text, names)]

    def _mask_uncached(self, text: str, names: bool) -> MaskResult:
        # The bot's replies are the same few texts in every conversation: the ones in which
        # the default masker found nothing are remembered for the whole process (nothing
        # personal in them, by the masker's own judgement).
        shared = not names and self._masker is default_masker()
        if shared and text in _CLEAN_BOT_TEXTS:
            return _CLEAN_BOT_TEXTS[text]
        result = self._masker.mask(text, names=names)
        # not when this save's messages held personal data: the reply may echo it ("Hei Kari!")
        if shared and not result.findings and not self._seen and len(_CLEAN_BOT_TEXTS) < MAX_CLEAN_BOT_TEXTS:
            _CLEAN_BOT_TEXTS[text] = result
        return result

    def learn(self, text: str) -> None:
        result = self._mask_text(text)
        for finding in result.findings:
            self._seen[text[finding.start:finding.end].strip().casefold()] = placeholder(finding.kind)
        self._echo = None

    def mask_value(self, value: str, names: bool = True) -> str:
        key = value.strip().casefold()
        if key and key in self._seen:
            return self._seen[key]
        masked = self._mask_text(value, names).text
        if self._seen:
            # a piece found in a message and echoed elsewhere ("Hei Ola!") goes too
            masked = self._echo_pattern().sub(
                lambda m: self._seen.get(m.group().casefold(), UNKNOWN_ECHO), masked
            )
        return masked

    def _echo_pattern(self) -> "re.Pattern[str]":
        if self._echo is None:
            self._echo = self._build_echo_pattern()
        return self._echo

    def _build_echo_pattern(self) -> "re.Pattern[str]":
        pieces = sorted((p for p in self._seen if len(p) > MIN_ECHO_LENGTH), key=len, reverse=True)
        if not pieces:
            return re.compile(r"(?!)")
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(p) for p in pieces) + r")(?!\w)", re.IGNORECASE)

    def mask_tree(self, node: Any, structural: bool = True, names: bool = True) -> Any:
        if isinstance(node, str):
            return node if PLACEHOLDER_PATTERN.fullmatch(node) else self.mask_value(node, names)
        if isinstance(node, dict):
            masked = {}
            for key, value in node.items():
                if structural and key in STRUCTURAL_KEYS:
                    masked[key] = value
                elif key in RASA_METADATA_IDS and isinstance(value, str):
                    masked[key] = self._mask_identifier(value)
                else:
                    masked[key] = self.mask_tree(value, structural and key not in FREE_FORM_KEYS, names)
            return masked
        if isinstance(node, (list, tuple)):
            return [self.mask_tree(item, structural, names) for item in node]
        return node

    def _mask_identifier(self, value: str) -> str:
        """mask_value for Rasa's ids in event metadata, remembered when nothing was found (and
        not used while this save's messages held personal data, which could be echoed)."""
        if RASA_ID_FORM.fullmatch(value):
            return value
        shared = self._masker is default_masker() and not self._seen
        if shared and value in _CLEAN_IDENTIFIERS:
            return value
        masked = self.mask_value(value)
        if shared and masked == value and not self._mask_text(value).findings and len(_CLEAN_IDENTIFIERS) < MAX_CLEAN_IDENTIFIERS:
            _CLEAN_IDENTIFIERS.add(value)
        return masked

    def mask_user_event(self, data: Dict[str, Any]) -> Dict[str, Any]:
        masked = self.mask_tree(data)
        parse_data = data.get("parse_data") or {}
        parse_text = parse_data.get("text")
        entities = parse_data.get("entities")
        if isinstance(parse_text, str) and isinstance(entities, list):
            # entity offsets point into the masked text, so the review console can highlight them
            result = self._mask_text(parse_text)
            for original, copy in zip(entities, masked["parse_data"]["entities"]):
                if isinstance(original, dict) and isinstance(original.get("start"), int) and isinstance(original.get("end"), int):
                    copy["start"] = result.map_offset(original["start"])
                    copy["end"] = result.map_end(original["end"])
        return masked

    def mask_events(self, events: Iterable[Event]) -> List[Event]:
        serialised = [event.as_dict() for event in events]
        for data in serialised:
            if data.get("event") == USER_EVENT:
                for text in (data.get("text"), (data.get("parse_data") or {}).get("text")):
                    if isinstance(text, str):
                        self.learn(text)
        masked_events = []
        for data in serialised:
            if data.get("event") == USER_EVENT:
                masked = self.mask_user_event(data)
            else:
                # The bot's own words name no residents; a name it echoes was learned above.
                masked = self.mask_tree(data, names=data.get("event") not in BOT_EVENTS)
            event = Event.from_parameters(masked)
            if event is None:  # pragma: no cover - every Rasa event type deserialises
                raise ValueError(f"cannot rebuild a masked {data.get('event')!r} event")
            masked_events.append(event)
        return masked_events


def mask_events(events: Iterable[Event], masker: Optional[Masker] = None) -> List[Event]:
    """Masked copies of `events` (the originals are not changed)."""
    return EventMasker(masker).mask_events(events)


class MaskingSQLTrackerStore(ConfiguredSQLTrackerStore):
    """ConfiguredSQLTrackerStore that never writes unmasked personal data."""

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Optional[EventBroker] = None,
        masker: Optional[Masker] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain=domain, event_broker=event_broker, **kwargs)
        self._masker = masker

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        new_events = list(super()._additional_events(session, tracker))
        return iter(mask_events(new_events, self._masker))

    async def _stream_new_events(
        self, event_broker: EventBroker, new_events: List[Event], sender_id: str
    ) -> None:
        await super()._stream_new_events(event_broker, mask_events(new_events, self._masker), sender_id)

    def _retrieve_latest_session(self, sender_id: str) -> "tuple[Optional[DialogueStateTracker], Optional[int]]":
        tracker, last_event_id = super()._retrieve_latest_session(sender_id)
        _mark_masked(tracker)  # every event read from the rows is a masked copy
        return tracker, last_event_id

    def _tracker_to_keep(self, tracker: DialogueStateTracker, written: List[Event]) -> Optional[DialogueStateTracker]:
        """A tracker replayed from the masked events: those it was read with and the masked copies
        just written (a replay of a session's events costs well under a millisecond; a fresh
        read costs the JSON and event objects as well). None, so the next turn reads the rows,
        when the events before `written` are not known to be masked copies (a tracker saved
        twice: its first save's events are the running turn's own)."""
        before = len(tracker.events) - len(written)
        if self.domain is None or _masked_count(tracker) < before:
            return None
        events = [*itertools.islice(tracker.events, before), *written]
        kept = DialogueStateTracker.from_events(tracker.sender_id, events, self.domain.slots)
        _mark_masked(kept)
        return kept


def _mark_masked(tracker: Optional[DialogueStateTracker]) -> None:
    if tracker is not None:
        setattr(tracker, MASKED_EVENTS_ATTRIBUTE, (id(tracker), len(tracker.events)))


def _masked_count(tracker: DialogueStateTracker) -> int:
    """How many of the tracker's first events are masked copies (0: not known)."""
    mark = getattr(tracker, MASKED_EVENTS_ATTRIBUTE, None)
    return mark[1] if mark is not None and mark[0] == id(tracker) else 0
