"""Phone line status in Oslo time with Norwegian public holidays (actions/opening_hours.py)."""
from datetime import datetime, timezone

import pytest

from actions.opening_hours import OSLO, HoursFormatError, describe, line_status, parse_hours

HOURS = "10:00-14:00"


def oslo(text):
    return datetime.fromisoformat(text).replace(tzinfo=OSLO)


@pytest.mark.parametrize("moment,open_now,next_open", [
    ("2026-11-23 09:59", False, "2026-11-23 10:00"),  # Monday before opening
    ("2026-11-23 10:00", True, None),
    ("2026-11-23 13:59", True, None),
    ("2026-11-23 14:00", False, "2026-11-24 10:00"),  # closes at 14.00 sharp
    ("2026-11-27 15:00", False, "2026-11-30 10:00"),  # Friday afternoon -> Monday
    ("2026-11-28 11:00", False, "2026-11-30 10:00"),  # Saturday
    ("2026-12-25 11:00", False, "2026-12-28 10:00"),  # Christmas Day, then a weekend
    ("2027-03-24 15:00", False, "2027-03-30 10:00"),  # before Easter: Maundy Thursday .. Easter Monday
    ("2026-05-17 11:00", False, "2026-05-18 10:00"),  # Constitution Day (a Sunday)
    ("2027-05-17 11:00", False, "2027-05-18 10:00"),  # Constitution Day on a Monday
    ("2026-05-01 11:00", False, "2026-05-04 10:00"),  # May Day (Friday)
])
def test_line_status(moment, open_now, next_open):
    status = line_status(oslo(moment), HOURS)
    assert status.open_now is open_now
    assert status.next_open == (oslo(next_open) if next_open else None)


def test_utc_input_is_converted_to_oslo_time():
    # 09:30 UTC on a winter Monday is 10:30 in Oslo
    assert line_status(datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc), HOURS).open_now
    # 12:30 UTC in summer is 14:30 in Oslo (CEST)
    assert not line_status(datetime(2026, 6, 15, 12, 30, tzinfo=timezone.utc), HOURS).open_now


@pytest.mark.parametrize("moment,expected", [
    ("2026-11-23 11:00", "Telefonen er åpen nå (telefontid kl. 10.00–14.00 på hverdager)."),
    ("2026-11-23 08:00", "Den åpner igjen i dag kl. 10.00"),
    ("2026-11-23 15:00", "Den åpner igjen i morgen kl. 10.00"),
    ("2026-11-27 15:00", "Den åpner igjen mandag 30. november kl. 10.00"),
    ("2026-12-25 11:00", "Telefonen er stengt i dag (Første juledag)"),
])
def test_describe_in_norwegian(moment, expected):
    now = oslo(moment)
    assert expected in describe(line_status(now, HOURS), now)


@pytest.mark.parametrize("text", ["", "10-14", "14:00-10:00", "10:00-10:00", "25:00-26:00", "kl 10"])
def test_bad_hours_are_refused(text):
    with pytest.raises(HoursFormatError):
        parse_hours(text)


@pytest.mark.parametrize("text", ["10:00-14:00", "10.00-14.00", " 10:00 – 14:00 "])
def test_hours_formats(text):
    start, end = parse_hours(text)
    assert (start.hour, end.hour) == (10, 14)
