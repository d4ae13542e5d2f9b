"""Working-time arithmetic of the simulator, checked against a calendar by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from eventlogs.demo.calendar import MinuteCalendar, WorkingHours

OFFICE = WorkingHours(weekdays=(0, 1, 2, 3, 4), opens_hour=8, closes_hour=17, timezone="UTC")


def _minute(text: str) -> int:
    return int(pd.Timestamp(text, tz="UTC").timestamp() // 60)


def _calendar() -> MinuteCalendar:
    return MinuteCalendar(OFFICE, _minute("2026-03-02 00:00"), _minute("2026-03-20 00:00"))


def test_waits_skip_nights_and_weekends() -> None:
    calendar = _calendar()
    starts = np.array([_minute("2026-03-06 16:00"), _minute("2026-03-02 09:00"), _minute("2026-03-07 12:00")])
    ends = calendar.add_working_minutes(starts, np.array([120.0, 30.0, 60.0]))
    # Fri 16:00 + 2 h: one hour on Friday, one on Monday -> Mon 09:00
    # Mon 09:00 + 30 min -> Mon 09:30; Saturday noon + 1 h -> Mon 09:00
    assert list(ends) == [
        _minute("2026-03-09 09:00"),
        _minute("2026-03-02 09:30"),
        _minute("2026-03-09 09:00"),
    ]


def test_next_working_minute() -> None:
    calendar = _calendar()
    minutes = np.array([_minute("2026-03-02 07:10"), _minute("2026-03-02 10:00"), _minute("2026-03-06 17:30")])
    assert list(calendar.next_working_minute(minutes)) == [
        _minute("2026-03-02 08:00"),
        _minute("2026-03-02 10:00"),
        _minute("2026-03-09 08:00"),
    ]
