"""The explorer's query parameters other than the filters (those are mining.explore.JourneyFilter's), each
checked here so a bad one answers 400 naming it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from starlette.datastructures import QueryParams

from mining.explore import FilterError

Choice = TypeVar("Choice", bound=str)


def query_lists(params: QueryParams) -> Mapping[str, Sequence[str]]:
    """Every parameter with all its values (filters such as journey_type repeat)."""
    return {key: params.getlist(key) for key in params}


def choice(params: QueryParams, name: str, allowed: Sequence[Choice], default: Choice | None = None) -> Choice:
    """One of `allowed`; `default` when absent (without a default the parameter is needed)."""
    value = params.get(name)
    if value is None or value == "":
        if default is None:
            raise FilterError(f"{name}: needed, one of {', '.join(allowed)}")
        return default
    for option in allowed:
        if value == option:
            return option
    raise FilterError(f"{name}: {value!r} is not one of {', '.join(allowed)}")


def whole(params: QueryParams, name: str, default: int | None, low: int = 0, high: int | None = None) -> int | None:
    """An integer parameter within [low, high], or `default` when absent."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise FilterError(f"{name}: {value!r} is not a whole number") from None
    if number < low or (high is not None and number > high):
        bounds = f"from {low}" + (f" to {high}" if high is not None else " on")
        raise FilterError(f"{name}: {number} is out of range ({bounds})")
    return number


def share(params: QueryParams, name: str, default: float) -> float:
    """A share from 0 to 1."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise FilterError(f"{name}: {value!r} is not a number") from None
    if not 0.0 <= number <= 1.0:  # also refuses nan
        raise FilterError(f"{name}: {value!r} is not a share from 0 to 1")
    return number


def text(params: QueryParams, name: str) -> str | None:
    value = params.get(name)
    return value if value else None
