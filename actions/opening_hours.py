"""Is the phone line open now, and if not, when does it open next?

Pure logic, no Rasa. Phone hours are given as "HH:MM-HH:MM" on working days (Monday to
Friday) that are not Norwegian public holidays; holidays come from the `holidays` library.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Optional, Tuple
from zoneinfo import ZoneInfo

import holidays

from actions.texts import say, text, words

HOURS_FORMAT = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")
SEARCH_DAYS = 14  # Easter plus a weekend is the longest run of closed days in Norway
OSLO = ZoneInfo("Europe/Oslo")


class HoursFormatError(ValueError):
    pass


def parse_hours(text: str) -> Tuple[time, time]:
    match = HOURS_FORMAT.match(text or "")
    if not match:
        raise HoursFormatError(f"'{text}' is not of the form HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        start, end = time(h1, m1), time(h2, m2)
    except ValueError as error:
        raise HoursFormatError(f"'{text}': {error}") from None
    if start >= end:
        raise HoursFormatError(f"'{text}': the line must open before it closes")
    return start, end


HOLIDAY_LANGUAGES = {"en": "en_US"}  # the library names Norway's holidays in Norwegian or English


@lru_cache(maxsize=8)
def _norwegian_holidays(year: int, lang: str = "nb") -> holidays.HolidayBase:
    return holidays.country_holidays("NO", years=year, language=HOLIDAY_LANGUAGES.get(lang, "no"))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _norwegian_holidays(day.year)


def holiday_name(day: date, lang: str = "nb") -> Optional[str]:
    return _norwegian_holidays(day.year, lang).get(day)


@dataclass(frozen=True)
class LineStatus:
    open_now: bool
    opens: time
    closes: time
    next_open: Optional[datetime]  # None while open


def line_status(now: datetime, hours: str) -> LineStatus:
    """Status of a line with `hours` at `now` (aware datetimes are converted to Oslo time)."""
    start, end = parse_hours(hours)
    local = now.astimezone(OSLO) if now.tzinfo else now.replace(tzinfo=OSLO)
    today = local.date()
    if is_working_day(today) and start <= local.time() < end:
        return LineStatus(True, start, end, None)
    day = today if local.time() < start else today + timedelta(days=1)
    for _ in range(SEARCH_DAYS):
        if is_working_day(day):
            return LineStatus(False, start, end, datetime.combine(day, start, tzinfo=OSLO))
        day += timedelta(days=1)
    return LineStatus(False, start, end, None)


def clock(value: time) -> str:
    """Norwegian clock format: 10.00."""
    return f"{value.hour:02d}.{value.minute:02d}"


def describe_day(day: date, today: date, lang: str = "nb") -> str:
    if day == today:
        return text(lang, "today")
    if day == today + timedelta(days=1):
        return text(lang, "tomorrow")
    return say(lang, "date", weekday=words(lang, "weekdays")[day.weekday()], day=str(day.day),
               month=words(lang, "months")[day.month - 1])


def describe(status: LineStatus, now: datetime, lang: str = "nb") -> str:
    """One sentence: open now, or when it opens next (actions/texts.yml)."""
    span = say(lang, "hours_span", opens=clock(status.opens), closes=clock(status.closes))
    if status.open_now:
        return say(lang, "line_open", span=span)
    if status.next_open is None:
        return say(lang, "line_closed_no_next", span=span)
    local_today = (now.astimezone(OSLO) if now.tzinfo else now).date()
    when = describe_day(status.next_open.date(), local_today, lang)
    today_holiday = holiday_name(local_today, lang)
    if today_holiday:
        return say(lang, "line_closed_holiday", holiday=today_holiday, when=when, opens=clock(status.opens), span=span)
    return say(lang, "line_closed", when=when, opens=clock(status.opens), span=span)
