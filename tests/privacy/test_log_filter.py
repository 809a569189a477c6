"""privacy/log_filter.py: every log record is masked when it is read, whatever logger, handler or
formatter writes it; each entry point installs it. The real servers' logs: test_log_masking_end_to_end.py."""
from __future__ import annotations

import io
import json
import logging
import pickle
from typing import Iterator

import pytest

from privacy import log_filter

PHONE = "412 34 567"
EMAIL = "kari.nordmann@example.no"
NATIONAL_ID = "01010750160"  # valid check digits
SECRETS = (PHONE, EMAIL, NATIONAL_ID, "Bjørn", "Bj\\u00f8rn", "Storgata")
MESSAGE = f"jeg heter Bjørn, bor i Storgata 12, mobil {PHONE}, e-post {EMAIL}, fnr {NATIONAL_ID}"
PLACEHOLDERS = ("«navn»", "«adresse»", "«telefonnummer»", "«e-post»", "«fødselsnummer»")


@pytest.fixture
def installed() -> Iterator[None]:
    """The filter for one test; the record factory as it was afterwards (entry points install it
    for the whole process)."""
    before = logging.getLogRecordFactory()
    log_filter.install()
    yield
    log_filter.uninstall()
    logging.setLogRecordFactory(before)


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What a logger that does not propagate writes, through a handler added after install()."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s - %(message)s"))
    logger = logging.getLogger("tests.log_filter")
    logger.propagate, logger.level = False, logging.DEBUG
    logger.addHandler(handler)
    yield stream
    logger.removeHandler(handler)


def _assert_masked(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret
    for placeholder in PLACEHOLDERS:
        assert placeholder in text, placeholder


def test_every_kind_of_record_is_masked(installed, written):
    logger = logging.getLogger("tests.log_filter")
    logger.debug("Received user message '%s'", MESSAGE)  # args
    logger.info("%(text)s", {"text": MESSAGE})  # a mapping
    logger.info({"parse_data": {"text": MESSAGE}})  # not a string
    logger.info(json.dumps({"event": "processor.message.parse", "text": MESSAGE}))  # JSON, æøå escaped
    logger.info(repr("hei\n" + MESSAGE))  # a repr with "\n" in it
    try:
        raise ValueError(f"cannot parse {MESSAGE!r}")
    except ValueError:
        logger.exception("failed")  # the traceback
    logger.info(MESSAGE, stack_info=True)
    lines = written.getvalue()
    _assert_masked(lines)
    assert lines.count("«telefonnummer»") >= 7
    # a JSON line stays valid JSON
    json_line = [line for line in lines.splitlines() if "processor.message.parse" in line][0]
    assert json.loads(json_line.split(" - ", 1)[1])["text"].startswith("jeg heter «navn»")


def test_records_are_masked_for_handlers_filters_and_copies(installed):
    logger = logging.getLogger("tests.log_filter.record")
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "message %s", (MESSAGE,), None)
    assert isinstance(record, log_filter.MaskedLogRecord)
    assert "«telefonnummer»" in record.msg and record.args == ()  # also read directly
    copy = pickle.loads(pickle.dumps(record))  # a QueueHandler to another process
    assert copy.getMessage() == record.getMessage()
    _assert_masked(copy.getMessage() + " «navn» «adresse» «e-post» «fødselsnummer»")
    record.msg, record.args = "again %s", (PHONE,)  # set later: masked when read again
    assert record.getMessage() == "again «telefonnummer»"


def test_nothing_is_masked_below_the_level_or_for_no_handler(installed, written, monkeypatch):
    calls = []
    real_mask = log_filter.mask
    monkeypatch.setattr(log_filter, "mask", lambda text: calls.append(text) or real_mask(text))
    logger = logging.getLogger("tests.log_filter")
    logger.setLevel(logging.INFO)
    logger.debug("not logged: %s", MESSAGE)
    assert calls == []  # no record at all
    quiet = logging.getLogger("tests.log_filter.quiet")
    quiet.propagate = False
    quiet.addHandler(logging.NullHandler())
    quiet.info("created, never formatted: %s", MESSAGE)
    assert calls == []
    logger.info("logged: %s", MESSAGE)
    assert len(calls) == 1


def test_clean_lines_stay_as_they_were(installed, written):
    logger = logging.getLogger("tests.log_filter")
    for line in ("Starting Rasa server on http://127.0.0.1:5005", "deleted 3 conversation(s) older than 30 day(s)",
                 "Predicted next action 'utter_greet' with confidence 1.00.", "Build Fast. Run Fast.",
                 '{"rasa_events": ["<rasa.shared.core.events.SessionStarted object at 0x7fe341234567>"]}'):
        logger.info(line)
        assert written.getvalue().splitlines()[-1].endswith(" - " + line)


def test_the_masker_logging_while_it_masks_does_not_recurse(installed, written, monkeypatch):
    real_mask = log_filter.mask

    def logging_mask(text):
        logging.getLogger("tests.log_filter").warning("masker: cannot read %s (%s)", "contacts.yml", EMAIL)
        return real_mask(text)

    monkeypatch.setattr(log_filter, "mask", logging_mask)
    log_filter._CLEAN_LINES.clear()
    logging.getLogger("tests.log_filter").info("hei %s", PHONE)
    lines = written.getvalue()
    assert "cannot read contacts.yml («e-post»)" in lines and "hei «telefonnummer»" in lines
    assert EMAIL not in lines and PHONE not in lines


def test_a_failing_masker_withholds_the_line(installed, written, monkeypatch):
    def broken(text):
        raise RuntimeError(text)

    monkeypatch.setattr(log_filter, "mask", broken)
    logging.getLogger("tests.log_filter").error("for %s", MESSAGE)
    assert written.getvalue().strip() == "ERROR tests.log_filter - " + log_filter.WITHHELD.format("RuntimeError")


def test_a_record_factory_installed_before_is_kept(written):
    before = logging.getLogRecordFactory()

    def tagging(*args, **kwargs):
        record = before(*args, **kwargs)
        record.tag = "kept"
        return record

    logging.setLogRecordFactory(tagging)
    try:
        log_filter.install()
        log_filter.install()  # once only
        record = logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1, "ring %s", (PHONE,), None)
        assert record.tag == "kept" and record.getMessage() == "ring «telefonnummer»"
    finally:
        log_filter.uninstall()
        assert logging.getLogRecordFactory() is tagging
        logging.setLogRecordFactory(before)


# --- each entry point installs it ------------------------------------------------------------


@pytest.fixture
def factory_restored() -> Iterator[None]:
    before = logging.getLogRecordFactory()
    log_filter.uninstall()
    assert not log_filter.installed()
    yield
    log_filter.uninstall()
    logging.setLogRecordFactory(before)


def test_the_retention_sweep_masks_its_log(factory_restored, tmp_path, caplog):
    from privacy import retention

    caplog.set_level(logging.INFO)
    assert retention.main(["--days", "30", "--database-url", f"sqlite:///{tmp_path / 'tracker.db'}"]) == 0
    assert log_filter.installed()
    assert "deleted 0 conversation(s) older than 30 day(s)" in caplog.messages  # its own line unchanged
    try:
        raise OSError(f"database unreachable while deleting {MESSAGE}")
    except OSError:
        logging.getLogger("privacy.retention").exception("retention sweep failed; retrying in %.0f s", 3600)
    _assert_masked(caplog.text)


def test_the_review_console_masks_its_log(factory_restored, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from review.__main__ import cli

    monkeypatch.setenv("TRACKER_DIALECT", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    monkeypatch.delenv("REVIEW_DATABASE_URL", raising=False)
    result = CliRunner().invoke(cli, ["init-db"])
    assert result.exit_code == 0, result.output
    assert log_filter.installed()
    # what waitress logs for a request that failed: the message and its traceback
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    waitress = logging.getLogger("waitress")
    waitress.addHandler(handler)
    try:
        raise KeyError(MESSAGE)
    except KeyError:
        waitress.exception("Exception while serving /conversations/c1")
    finally:
        waitress.removeHandler(handler)
    _assert_masked(stream.getvalue())


def test_the_rasa_server_and_action_server_install_it_first(factory_restored, monkeypatch):
    import actions.__main__ as actions_main
    import rasa_server.__main__ as rasa_main

    assert rasa_main.main(["no-such-command"]) == 2
    assert log_filter.installed()
    log_filter.uninstall()
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    assert actions_main.main(["--check"]) == 0
    assert log_filter.installed()
