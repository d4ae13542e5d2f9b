"""What-if settings of the demo simulation, for the pilot-evaluation honesty tests.

The default scenario is the demo itself (the same seed gives byte-identical data): the pilot shortens the
piloted waits and the customers' chasing for every journey opened on or after the pilot date.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """pilot_effect: False simulates a null pilot (nothing changes on the pilot date).
    pilot_teams: only journeys handled by one of these teams get the pilot (the pilot group); the others
    are a control group. None: every journey.
    trend: every wait of every journey opened on or after the pilot date is multiplied by it (a shared
    trend, e.g. 0.8: both groups improve); 1.0 = no trend."""

    pilot_effect: bool = True
    pilot_teams: tuple[str, ...] | None = None
    trend: float = 1.0

    @property
    def is_default(self) -> bool:
        return self == Scenario()

    def as_dict(self) -> dict[str, object]:
        return {
            "pilot_effect": self.pilot_effect,
            "pilot_teams": list(self.pilot_teams) if self.pilot_teams is not None else None,
            "trend_after_pilot_date": self.trend,
        }
