"""The explorer's journey filter: what the page's chips and the URL hold, parsed from and written back to
query parameters, and turned into a SQL condition over the explorer's in-memory `journeys` table whose
values (attribute names too) travel only as bound parameters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from typing import Any, Literal

Status = Literal["open", "finished"]
ATTRIBUTE_PREFIX = "attr."
_SINGLE_DATES = ("opened_from", "opened_to", "active_from", "active_to")
_SINGLE_HOURS = ("lead_min_hours", "lead_max_hours")
# query parameter -> field, for the repeatable ones
_REPEATED = {
    "journey_type": "journey_types",
    "variant": "variants",
    "through": "through",
    "through_department": "through_departments",
}
KNOWN_PARAMETERS = (*_SINGLE_DATES, *_SINGLE_HOURS, *_REPEATED, "status")


class FilterError(ValueError):
    """A query parameter the filter cannot take; the message names the parameter and the bad value."""


@dataclass(frozen=True)
class JourneyFilter:
    """Which journeys the explorer looks at; every condition must hold (an empty filter keeps them all).
    Dates are inclusive UTC days; `active_*` keeps journeys with a work event in the period; `through`
    and `through_departments` need every one named; lead hours of an open journey are its age at the
    extraction; `attributes` are (key, value) pairs of the journeys' attributes, compared as text."""

    opened_from: date | None = None
    opened_to: date | None = None
    active_from: date | None = None
    active_to: date | None = None
    journey_types: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    through: tuple[str, ...] = ()
    through_departments: tuple[str, ...] = ()
    status: Status | None = None
    lead_min_hours: float | None = None
    lead_max_hours: float | None = None
    attributes: tuple[tuple[str, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, field.name) in (None, ()) for field in fields(self))

    @classmethod
    def from_query(cls, params: Mapping[str, Sequence[str]], prefix: str = "") -> JourneyFilter:
        """The filter in `params` (name -> values, as a query string parses), those names starting with
        `prefix` ("a." / "b." for compare); other names are ignored (they belong to the view)."""
        values: dict[str, Any] = {}
        attributes: list[tuple[str, str]] = []
        for full_name, given in params.items():
            if not full_name.startswith(prefix):
                continue
            name = full_name[len(prefix) :]
            if name.startswith(ATTRIBUTE_PREFIX):
                key = name[len(ATTRIBUTE_PREFIX) :]
                if not key:
                    raise FilterError(f"query parameter '{full_name}' names no attribute (attr.NAME=value)")
                attributes.extend((key, value) for value in given)
            elif name in _REPEATED:
                values[_REPEATED[name]] = tuple(value for value in given if value != "")
            elif name in _SINGLE_DATES:
                values[name] = _date(full_name, _single(full_name, given))
            elif name in _SINGLE_HOURS:
                values[name] = _hours(full_name, _single(full_name, given))
            elif name == "status":
                status = _single(full_name, given)
                if status not in ("open", "finished", ""):
                    raise FilterError(f"query parameter '{full_name}' must be open or finished, not {status!r}")
                values["status"] = status or None
        _check_order(values, "opened_from", "opened_to", prefix)
        _check_order(values, "active_from", "active_to", prefix)
        _check_order(values, "lead_min_hours", "lead_max_hours", prefix)
        return cls(**values, attributes=tuple(attributes))

    def to_query(self, prefix: str = "") -> list[tuple[str, str]]:
        """The query parameters `from_query` reads back into this filter."""
        pairs: list[tuple[str, str]] = []
        for name in (*_SINGLE_DATES, *_SINGLE_HOURS, "status"):
            value = getattr(self, name)
            if value is not None:
                pairs.append((prefix + name, value.isoformat() if isinstance(value, date) else str(value)))
        for parameter, field in _REPEATED.items():
            pairs.extend((prefix + parameter, value) for value in getattr(self, field))
        pairs.extend((f"{prefix}{ATTRIBUTE_PREFIX}{key}", value) for key, value in self.attributes)
        return pairs


def _single(name: str, given: Sequence[str]) -> str:
    if len(given) != 1:
        raise FilterError(f"query parameter '{name}' is given {len(given)} times; it takes one value")
    return given[0]


def _date(name: str, text: str) -> date | None:
    if text == "":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FilterError(f"query parameter '{name}' must be a date (YYYY-MM-DD), not {text!r}") from None


def _hours(name: str, text: str) -> float | None:
    if text == "":
        return None
    try:
        hours = float(text)
    except ValueError:
        raise FilterError(f"query parameter '{name}' must be a number of hours, not {text!r}") from None
    if not hours >= 0 or hours == float("inf"):  # also refuses NaN
        raise FilterError(f"query parameter '{name}' must be a finite number of hours >= 0, not {text!r}")
    return hours


def _check_order(values: dict[str, Any], low: str, high: str, prefix: str) -> None:
    if values.get(low) is not None and values.get(high) is not None and values[low] > values[high]:
        raise FilterError(f"query parameter '{prefix}{low}' ({values[low]}) is after '{prefix}{high}' ({values[high]})")


def _day_start(day: date) -> str:
    return f"{day.isoformat()} 00:00:00+00"


def selection_sql(selection: JourneyFilter) -> tuple[str, list[Any]]:
    """A condition over the in-memory `journeys` table (alias j) and its parameters, in order (positional
    `?`): every value bound, never written into the text."""
    conditions: list[str] = []
    params: list[Any] = []

    def add(condition: str, *values: Any) -> None:
        conditions.append(condition)
        params.extend(values)

    if selection.opened_from is not None:
        add("j.opened_at >= ?::TIMESTAMPTZ", _day_start(selection.opened_from))
    if selection.opened_to is not None:  # inclusive: before the next midnight
        add("j.opened_at < ?::TIMESTAMPTZ", _day_start(selection.opened_to + timedelta(days=1)))
    if selection.active_from is not None or selection.active_to is not None:
        first = _day_start(selection.active_from) if selection.active_from else None
        after = _day_start(selection.active_to + timedelta(days=1)) if selection.active_to else None
        add(
            "j.jid IN (SELECT jid FROM steps WHERE (?::TIMESTAMPTZ IS NULL OR ts >= ?::TIMESTAMPTZ)"
            " AND (?::TIMESTAMPTZ IS NULL OR ts < ?::TIMESTAMPTZ))",
            first,
            first,
            after,
            after,
        )
    if selection.journey_types:
        add("list_contains(?, j.journey_type)", list(selection.journey_types))
    if selection.variants:
        add("list_contains(?, j.variant_id)", list(selection.variants))
    for activity in selection.through:
        add("j.jid IN (SELECT jid FROM steps WHERE act = (SELECT code FROM activities WHERE name = ?))", activity)
    for department in selection.through_departments:
        add("j.jid IN (SELECT jid FROM steps WHERE dep = (SELECT code FROM departments WHERE name = ?))", department)
    if selection.status is not None:
        add("j.is_open = ?", selection.status == "open")
    if selection.lead_min_hours is not None:
        add("j.lead_time_hours >= ?", selection.lead_min_hours)
    if selection.lead_max_hours is not None:
        add("j.lead_time_hours <= ?", selection.lead_max_hours)
    for key, value in selection.attributes:
        add("j.jid IN (SELECT jid FROM journey_attributes WHERE key = ? AND value = ?)", key, value)
    return (" AND ".join(conditions) or "TRUE"), params


def selected_steps_sql(selection: JourneyFilter, alias: str = "s") -> tuple[str, list[Any]]:
    """A condition over `steps` (or any table with jid, as `alias`) keeping the selected journeys."""
    if selection.is_empty:
        return "TRUE", []
    condition, params = selection_sql(selection)
    return f"{alias}.jid IN (SELECT j.jid FROM journeys j WHERE {condition})", params
