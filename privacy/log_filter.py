"""Masks personal data in every log line a process writes, with privacy.masking's `mask()`.

Rasa at `--debug` (or LOG_LEVEL=DEBUG) logs each message's text, its parse data, the tracker's
events and slots; Sanic and rasa-sdk log request bodies with their errors. Each entry point
(`python -m rasa_server`, `python -m actions`, `python -m review`, `python -m privacy.retention`)
calls `install()` first thing, so every line is masked before any handler writes it.

How: a log record factory (`logging.setLogRecordFactory`). Every record any logger creates is a
record whose message (`msg % args`), exception text and stack are masked the first time
anything reads them (the first handler that formats it, a filter, `handleError`): loggers with
`propagate=False`, handlers and formatters added later, and structlog's JSON lines (Rasa writes
them through the standard loggers) included. A record no handler reads is never masked, and
a call below the logger's level creates no record at all: at INFO, Rasa's debug calls cost
what they did. Not masked: fields passed with `extra=` and formatted by name (Sanic's access
log formats the request line so: method and URL), and formatters that print `%(msg)s`
instead of `%(message)s` see the masked text only once a handler has read the record.
"""
from __future__ import annotations

import logging
import re
import threading
from typing import Any, Callable, Dict, Optional, Type

from privacy.masking import NAME, mask, placeholder, replace_findings

MASKED_FLAG = "_forlop_masked"  # in a record's __dict__: its msg holds the masked message, args ()
FACTORY_MARK = "_forlop_masks_personal_data"

# JSON written with ensure_ascii (structlog's JSONRenderer) escapes æøå and «»: the masker reads
# them decoded. Only non-ASCII characters are decoded, so a JSON line stays valid JSON.
_UNICODE_ESCAPE = re.compile(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})|\\u([0-9a-f]{4})", re.IGNORECASE)
# "hei\\njeg heter Kari" in a JSON string or a repr: read as a line break (same length, so the
# spans found in the view are the spans in the line)
_ESCAPED_BREAK = re.compile(r"\\[nrt]")
_BREAKS = {"n": " \n", "r": " \r", "t": " \t"}
# Object addresses in reprs ("<SessionStarted object at 0x7fe341234567>") are no phone numbers
_HEX_LITERAL = re.compile(r"\b0x[0-9a-fA-F]+\b")
# While the masker itself logs (loading its lists, a broken contact file): no second masker
# call in the same thread, only these patterns
_FALLBACK_PATTERNS = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), placeholder("e-post")),
    (re.compile(r"\d(?:[\d .-]{3,}\d)"), placeholder("nummer")),
)
WITHHELD = "[log line withheld: masking failed ({})]"
# Words of these processes' own log lines that the name lists hold as names ("Starting Rasa
# server", Sanic's banner "Build Fast. Run Fast."): no resident's name in a log line
SOFTWARE_WORDS = frozenset({"Rasa", "Sanic", "Fast"})
# Lines in which the masker found nothing, remembered for the process: at DEBUG most lines of a
# turn are the same every turn ("Node 'x' running 'y'."), and the masker costs 0.1-0.5 ms a line.
# Only clean lines (nothing personal, by the masker's own judgement, as in the database).
_CLEAN_LINES: Dict[str, bool] = {}
MAX_CLEAN_LINES = 4096  # emptied when full
MAX_REMEMBERED_LINE = 1000  # characters; longer lines are masked every time

_masking = threading.local()


def _decode_unicode_escapes(text: str) -> str:
    def decoded(match: "re.Match[str]") -> str:
        if match.group(1):
            high, low = int(match.group(1), 16), int(match.group(2), 16)
            return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        code = int(match.group(3), 16)
        return match.group() if code < 0x80 or 0xD800 <= code <= 0xDFFF else chr(code)

    return _UNICODE_ESCAPE.sub(decoded, text)


def mask_log_text(text: str) -> str:
    """`text` with every piece of personal data replaced by its placeholder ("«telefonnummer»")."""
    if not text or text in _CLEAN_LINES:
        return text
    if getattr(_masking, "active", False):
        for pattern, replacement in _FALLBACK_PATTERNS:
            text = pattern.sub(replacement, text)
        return text
    _masking.active = True
    try:
        view = text
        if "\\" in text:
            text = _decode_unicode_escapes(text)
            view = _ESCAPED_BREAK.sub(lambda m: _BREAKS[m.group()[1]], text)
        if "0x" in view:
            view = _HEX_LITERAL.sub(lambda m: "0x" + "_" * (len(m.group()) - 2), view)
        findings = [f for f in mask(view).findings if f.kind != NAME or view[f.start:f.end] not in SOFTWARE_WORDS]
        if not findings:
            if len(text) <= MAX_REMEMBERED_LINE:
                if len(_CLEAN_LINES) >= MAX_CLEAN_LINES:
                    _CLEAN_LINES.clear()
                _CLEAN_LINES[text] = True
            return text
        return replace_findings(text, findings)
    except Exception as error:  # fail closed: a line is lost, never written unmasked
        return WITHHELD.format(type(error).__name__)
    finally:
        _masking.active = False


def _mask_message(record: logging.LogRecord) -> None:
    state = record.__dict__
    if state.get(MASKED_FLAG):
        return
    msg, args = state.get("msg"), state.get("args")
    try:
        text = str(msg)
        if args:
            text = text % args
    except Exception:  # logging would report a "Logging error" and print msg and args: masked too
        text = f"{msg} {args!r}"
    state["msg"], state["args"], state[MASKED_FLAG] = mask_log_text(text), (), True


class _MaskedFields:
    """Mixed into the record class: msg and args read masked; exception text and stack are
    masked when they are set (a formatter sets exc_text once, from exc_info)."""

    @property
    def msg(self) -> Any:
        _mask_message(self)
        return self.__dict__["msg"]

    @msg.setter
    def msg(self, value: Any) -> None:
        self.__dict__["msg"], self.__dict__[MASKED_FLAG] = value, False

    @property
    def args(self) -> Any:
        _mask_message(self)
        return self.__dict__["args"]

    @args.setter
    def args(self, value: Any) -> None:
        self.__dict__["args"], self.__dict__[MASKED_FLAG] = value, False

    @property
    def exc_text(self) -> Optional[str]:
        return self.__dict__.get("exc_text")

    @exc_text.setter
    def exc_text(self, value: Optional[str]) -> None:
        self.__dict__["exc_text"] = mask_log_text(value) if isinstance(value, str) else value

    @property
    def stack_info(self) -> Optional[str]:
        return self.__dict__.get("stack_info")

    @stack_info.setter
    def stack_info(self, value: Optional[str]) -> None:
        self.__dict__["stack_info"] = mask_log_text(value) if isinstance(value, str) else value


class MaskedLogRecord(_MaskedFields, logging.LogRecord):
    """The record every logger creates once install() ran (a module-level class, so records
    still pickle for a QueueHandler)."""


_masked_classes: Dict[type, Type[logging.LogRecord]] = {logging.LogRecord: MaskedLogRecord}


def _masked_class(record_class: type) -> Type[logging.LogRecord]:
    if record_class not in _masked_classes:
        _masked_classes[record_class] = type(f"Masked{record_class.__name__}", (_MaskedFields, record_class), {})
    return _masked_classes[record_class]


def _wrapping(previous: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """A factory around another library's record factory: its records, of a masked class."""

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if not isinstance(record, _MaskedFields):
            stack = record.__dict__.get("stack_info")
            record.__class__ = _masked_class(type(record))
            record.stack_info = stack  # masked
        return record

    setattr(factory, FACTORY_MARK, True)
    return factory


_previous_factory: Optional[Callable[..., logging.LogRecord]] = None


def install() -> None:
    """Masks every log record created from now on, in every thread. Idempotent."""
    global _previous_factory
    current = logging.getLogRecordFactory()
    if installed():
        return
    _previous_factory = current
    logging.setLogRecordFactory(MaskedLogRecord if current is logging.LogRecord else _wrapping(current))


def installed() -> bool:
    current = logging.getLogRecordFactory()
    return current is MaskedLogRecord or getattr(current, FACTORY_MARK, False)


def uninstall() -> None:
    """Restores the record factory install() replaced (for tests)."""
    global _previous_factory
    if installed() and _previous_factory is not None:
        logging.setLogRecordFactory(_previous_factory)
        _previous_factory = None
