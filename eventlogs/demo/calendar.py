"""Working-time arithmetic on a minute grid, vectorised so millions of waits can be placed at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class WorkingHours:
    """When a department works, in its local time zone."""

    weekdays: tuple[int, ...]  # Monday = 0
    opens_hour: int
    closes_hour: int
    timezone: str = "Europe/Amsterdam"


class MinuteCalendar:
    """Maps UTC epoch minutes to cumulative working minutes and back, over a fixed horizon."""

    def __init__(self, hours: WorkingHours, first_minute: int, last_minute: int) -> None:
        self.first_minute = first_minute
        minutes = np.arange(first_minute, last_minute + 1, dtype=np.int64)
        local = pd.DatetimeIndex(minutes * 60_000_000_000, tz="UTC").tz_convert(hours.timezone)
        working = np.isin(local.dayofweek, hours.weekdays) & (local.hour >= hours.opens_hour)
        working &= local.hour < hours.closes_hour
        # cumulative[i] = working minutes strictly before minute first_minute + i
        self.cumulative = np.concatenate(([0], np.cumsum(working, dtype=np.int64)))
        self.working = working

    def add_working_minutes(self, start_minute: np.ndarray, work_minutes: np.ndarray) -> np.ndarray:
        """The minute at which `work_minutes` of working time after `start_minute` have passed."""
        index = np.clip(start_minute - self.first_minute, 0, len(self.working) - 1)
        target = self.cumulative[index] + np.maximum(np.rint(work_minutes).astype(np.int64), 1)
        target = np.minimum(target, self.cumulative[-1])
        # the end of the minute in which the last working minute is completed
        position = np.searchsorted(self.cumulative, target, side="left")
        return self.first_minute + np.clip(position, 0, len(self.working))

    def next_working_minute(self, minute: np.ndarray) -> np.ndarray:
        """The minute itself when it is working time, else the next working minute."""
        index = np.clip(minute - self.first_minute, 0, len(self.working) - 1)
        target = self.cumulative[index] + 1
        target = np.minimum(target, self.cumulative[-1])
        return self.first_minute + np.searchsorted(self.cumulative, target, side="left") - 1
