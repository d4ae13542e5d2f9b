"""A section of a configuration file whose keys know their line, read through one set of typed accessors.

Every error names the file, the line and the key, in the words of the file's format (see names.py).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventlogs.durations import parse_duration_hours
from eventlogs.errors import ConfigError
from eventlogs.located_config.names import KeyPath, PlaceNames


@dataclass(frozen=True)
class Document:
    """One file: its name, how its format names places, the line of each path and, for YAML, each scalar
    as written (a holiday `2026-04-06` is text to us, not the date YAML would make of it)."""

    file: Path
    names: PlaceNames
    line_of: Callable[[KeyPath], int | None]
    source_text: str
    written: dict[KeyPath, str] | None = field(default=None)  # None: string values are the text (TOML)
    # per section read so far: its keys as written and the keys the readers asked for (see unread_keys)
    opened: dict[KeyPath, dict[str, Any]] = field(default_factory=dict)
    asked: dict[KeyPath, set[str]] = field(default_factory=dict)

    def at(self, path: KeyPath) -> str:
        """file:line of `path` (or of its nearest written enclosing entry)."""
        line = self.line_of(path)
        return f"{self.file}:{line}" if line else str(self.file)

    def error(self, path: KeyPath, sentence: str) -> ConfigError:
        return ConfigError(f"{self.at(path)}: {sentence}")

    def text_of(self, path: KeyPath, value: object) -> str | None:
        if self.written is None:
            return value if isinstance(value, str) else None
        return self.written.get(path)

    def unknown_key(self, section: KeyPath, key: str, known: Iterable[str], known_as: str = "allowed") -> ConfigError:
        """The one unknown-key message: the closest known key when one is close (a typo), else the known keys."""
        names = sorted(known)
        closest = difflib.get_close_matches(key, names, n=1)
        hint = f"did you mean '{closest[0]}'?" if closest else f"{known_as}: {', '.join(names) or 'none'}"
        return self.error((*section, key), f"{self.names.unknown(section, key)} ({hint})")


class Located:
    """The keys of one table (TOML) or mapping (YAML); `values` holds them as read, None meaning absent."""

    def __init__(self, document: Document, path: KeyPath, values: object) -> None:
        self.document, self.path = document, path
        self.file = document.file
        if not isinstance(values, dict):
            raise self.error(f"must be a {document.names.mapping}, not {values!r}")
        self.values: dict[str, Any] = values
        document.opened.setdefault(path, values)
        self._asked = document.asked.setdefault(path, set())

    def _get(self, key: str) -> Any:
        """The value of `key` (None: absent), remembering that a reader knows the key."""
        self._asked.add(key)
        return self.values.get(key)

    def __contains__(self, key: str) -> bool:
        return self._get(key) is not None

    def key_names(self) -> list[str]:
        """Every key, read as a name (a table of departments, say): none of them is unknown."""
        self._asked.update(str(key) for key in self.values)
        return [str(key) for key in self.values]

    # --- errors ---------------------------------------------------------------------------------------------

    def at(self, key: str | None = None) -> str:
        """file:line of `key` (of this section when the key is not written)."""
        return self.document.at(self.path if key is None else (*self.path, key))

    def error(self, problem: str, at: str | None = None) -> ConfigError:
        """A problem of this section as a whole, reported at the line of key `at` when given."""
        names = self.document.names
        return self.document.error(
            self.path if at is None else (*self.path, at), names.sentence(names.place(self.path), problem)
        )

    def error_at(self, subpath: KeyPath, problem: str) -> ConfigError:
        """A problem of the entry at `subpath` below this section (a key, a list item, ...)."""
        path = (*self.path, *subpath)
        names = self.document.names
        return self.document.error(path, names.sentence(names.key_place(path), problem))

    def key_error(self, key: str, problem: str) -> ConfigError:
        return self.error_at((key,), problem)

    def missing(self, key: str) -> ConfigError:
        """A required key not given; a given key close to it is named, as it is likely a typo of it."""
        sentence = self.document.names.missing(self.path, key)
        typo = difflib.get_close_matches(key, [name for name in self.values if name not in self._asked], n=1)
        return self.document.error(self.path, f"{sentence} (is '{typo[0]}' a typo of it?)" if typo else sentence)

    def _wrong(self, key: str, expected: str) -> ConfigError:
        return self.key_error(key, f"must be {expected}, not {self.values[key]!r}")

    def check_keys(self, allowed: set[str], known_as: str = "allowed") -> None:
        """An unknown key (a typo, mostly) is an error naming it, not a setting silently ignored."""
        for key in self.values:
            if key not in allowed:
                raise self.document.unknown_key(self.path, str(key), allowed, known_as)

    def reject_unread_keys(self) -> None:
        """After this section has been read: a key of it, or of any section read below it, that no reader
        asked for is unknown (a typo, mostly: `departement`), an error rather than a setting silently
        ignored. The keys the readers asked for are the known ones, so no list of them can drift from the
        code; a table no reader opened is an unknown key of its parent."""
        depth = len(self.path)
        for path, values in self.document.opened.items():
            if path[:depth] != self.path:
                continue
            asked = self.document.asked[path]
            for key in values:
                if key not in asked:
                    raise self.document.unknown_key(path, str(key), asked)

    # --- typed values ---------------------------------------------------------------------------------------

    def text(self, key: str, default: str | None = None) -> str:
        """A non-empty text; without a default the key is required."""
        if key not in self:
            if default is None:
                raise self.missing(key)
            return default
        text = self.document.text_of((*self.path, key), self.values[key])
        if not text:
            raise self._wrong(key, "a non-empty string")
        return text

    def optional_text(self, key: str) -> str | None:
        return self.text(key) if key in self else None

    def string(self, key: str, default: str) -> str:
        """A text that may be empty (a separator, say)."""
        if key not in self:
            return default
        text = self.document.text_of((*self.path, key), self.values[key])
        if text is None:
            raise self._wrong(key, "a string")
        return text

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key)
        value = default if value is None else value
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false")
        return value

    def number(
        self, key: str, default: float, *, at_least: float | None = None, at_most: float | None = None,
        above: float | None = None, whole: bool = False, expected: str = "must be a number",
    ) -> float:  # fmt: skip
        """A number within the bounds; `expected` is the sentence an error gives (", not <value>" follows)."""
        value = self._get(key)
        value = default if value is None else value
        fits = (
            not isinstance(value, bool)
            and isinstance(value, int if whole else int | float)
            and (at_least is None or value >= at_least)
            and (at_most is None or value <= at_most)
            and (above is None or value > above)
        )
        if not fits:
            raise self.key_error(key, f"{expected}, not {value!r}")
        return float(value)

    def time_zone(self, key: str, default: str | None = None) -> str:
        """An IANA time zone name (Europe/Amsterdam, UTC); without a default it is required. The one check
        of a configured zone: an unknown one (Mars/Olympus) would otherwise fail far later, or not at all."""
        name = self.text(key, default)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise self.key_error(key, f"must be an IANA time zone (such as Europe/Amsterdam), not '{name}'") from error
        return name

    def duration_hours(
        self, key: str, default: str | None = None, day_hours: float = 24.0, week_days: float = 7.0
    ) -> float:
        """'36h', '2d', '1d12h', '1w' as hours (eventlogs/durations.py); without a default it is required."""
        where = f"{self.at(key)}: {self.document.names.key_place((*self.path, key))}"
        return parse_duration_hours(self.text(key, default), where, day_hours, week_days)

    def text_list(
        self, key: str, *, non_empty: bool = False, one_allowed: bool = False, expected: str = "a list of texts"
    ) -> list[str]:
        """A list of non-empty texts (absent: empty, unless `non_empty`); `one_allowed` takes a lone text too."""
        if key not in self:
            if non_empty:
                raise self.missing(key)
            return []
        value = self.values[key]
        if not isinstance(value, list):
            lone = self.document.text_of((*self.path, key), value) if one_allowed else None
            if not lone:
                raise self._wrong(key, expected)
            return [lone]
        if non_empty and not value:
            raise self._wrong(key, expected)
        texts = [self.document.text_of((*self.path, key, index), item) for index, item in enumerate(value)]
        for index, text in enumerate(texts):
            if not text:
                raise self.error_at((key, index), f"must be a non-empty string, not {value[index]!r}")
        return [text for text in texts if text]

    def text_map(self, key: str) -> dict[str, str]:
        """A table of texts, such as a mapping of source values to activity names."""
        inner = self.section(key)
        return {name: inner.string(name, "") for name in inner.key_names()}

    # --- nested sections ------------------------------------------------------------------------------------

    def section(self, key: str) -> Located:
        if key not in self:
            raise self.error(f"is missing the {self.document.names.mapping} '{key}'")
        return Located(self.document, (*self.path, key), self.values[key])

    def sections(self, key: str, non_empty: bool = False) -> list[Located]:
        """A list of tables (absent: empty, unless `non_empty`)."""
        value = self._get(key)
        if value is None and not non_empty:
            return []
        if not isinstance(value, list) or (non_empty and not value):
            expected = f"a {'non-empty ' if non_empty else ''}list of {self.document.names.mapping}s"
            raise self.missing(key) if value is None else self._wrong(key, expected)
        return [Located(self.document, (*self.path, key, index), item) for index, item in enumerate(value)]
