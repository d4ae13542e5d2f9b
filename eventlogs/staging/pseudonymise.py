"""Pseudonymisation of people in staged data, before it reaches the store.

Resources (who did a step) and callers (who asked) are replaced by a keyed hash, so reports can be
shared under works-council rules while the same person still maps to the same pseudonym across runs
and sources. The key comes from the environment variable JOURNEY_PSEUDONYM_KEY, or a secret store the
caller passes in (the flows: a Prefect Secret block, flows/secrets.py); without either, a random key is
created once beside the store (`<store>.pseudonym-key`, readable by its owner only), so runs stay
consistent.

The pseudonyms are written as the staged files are written (`pseudonymising` around an extraction), in
the same pass: no second rewrite of the staged data, and no staged events or journeys file holds a name,
neither in the people columns nor in the attributes (a value under a key that names a person, such as
XES `org:resource`, or equal to the row's own resource or caller). A rejected record is kept as the
source held it, so that it can be fixed: raw names stay in the store's `rejects` table only.

A local key file is written whole under a temporary name and then linked into place, so a parallel
extraction either finds no key file or a complete one; an empty or short key is refused, never used (an
empty key would switch the hash off in all but name).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from eventlogs.errors import ConfigError
from eventlogs.sql_text import sql_literal

KEY_ENVIRONMENT_VARIABLE = "JOURNEY_PSEUDONYM_KEY"
PREFIX = "p-"
# the people columns of the staged tables: who did a step, who asked
PEOPLE_COLUMNS = {"staged_events": "resource", "staged_journeys": "caller"}

# The key of the extraction running in this thread (a ContextVar: Prefect runs extractions side by side).
_staging_key: ContextVar[str | None] = ContextVar("journey_pseudonym_staging_key", default=None)


MIN_KEY_LENGTH = 16
# attribute keys whose values are people, whatever the source (XES's standard resource attribute)
PEOPLE_ATTRIBUTE_KEYS = ("org:resource",)


def _checked(key: str, where: str) -> str:
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"pseudonym key from {where} is {'empty' if not key else 'too short'} ({len(key)} characters, "
            f"at least {MIN_KEY_LENGTH} needed): names would not be hidden. Remove or fix it."
        )
    return key


def _local_key(key_file: Path) -> str:
    """The key beside the store, created once: written whole under a temporary name, then hard-linked to
    its real name (atomic; fails when another process got there first, whose key is then read)."""
    try:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            descriptor, temporary = tempfile.mkstemp(prefix=key_file.name + ".", dir=key_file.parent)
            try:
                with os.fdopen(descriptor, "w") as file:  # mkstemp: mode 600, readable by the owner only
                    file.write(secrets.token_hex(32))
                    file.flush()
                    os.fsync(file.fileno())
                with contextlib.suppress(FileExistsError):
                    os.link(temporary, key_file)
            finally:
                os.unlink(temporary)
        return _checked(key_file.read_text().strip(), str(key_file))
    except OSError as error:
        raise ConfigError(f"pseudonym key file {key_file}: {error.strerror or error}") from error


# A secret store the caller knows of (the flows: a Prefect Secret block): (where, key), or None when it
# holds no key; it raises ConfigError when it cannot be read.
SecretLookup = Callable[[], tuple[str, str] | None]


def pseudonym_key(store: Path, secret: SecretLookup | None = None) -> str:
    """The key: JOURNEY_PSEUDONYM_KEY, else the caller's secret store, else the key file beside the store
    (created once). Raises ConfigError for an empty or short key from any of them."""
    if KEY_ENVIRONMENT_VARIABLE in os.environ:
        return _checked(os.environ[KEY_ENVIRONMENT_VARIABLE], KEY_ENVIRONMENT_VARIABLE)
    found = secret() if secret is not None else None
    if found is not None:
        where, key = found
        return _checked(key, where)
    return _local_key(store.with_name(store.name + ".pseudonym-key"))


def pseudonym_sql(column: str) -> str:
    """A stable 12-hex-digit pseudonym of `column`, keyed by the prepared parameter $key."""
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE '{PREFIX}' || left(sha256($key || '|' || {column}), 12) END"


def _attributes_sql(person: str) -> str:
    """`attributes` with every string value that names a person pseudonymised: under a people key, or
    equal to the row's own `person` column (the raw name, before that column is replaced). Rows whose
    attributes mention neither keep their JSON untouched (the common case, without unpacking it)."""
    keys = ", ".join(sql_literal(key) for key in PEOPLE_ATTRIBUTE_KEYS)
    mentions = " OR ".join(
        [f"contains(attributes::VARCHAR, '\"{key}\"')" for key in PEOPLE_ATTRIBUTE_KEYS]
        + [f"({person} IS NOT NULL AND contains(attributes::VARCHAR, {person}))"]
    )
    value = "json_extract_string(j.value, '$')"
    rewritten = f"""coalesce((
        SELECT json_group_object(j.key, CASE WHEN j.type = 'VARCHAR' AND (j.key IN ({keys}) OR {value} = {person})
                                             THEN to_json({pseudonym_sql(value)}) ELSE j.value END)
        FROM json_each(attributes) AS j), '{{}}'::JSON)"""
    return f"CASE WHEN attributes IS NULL OR NOT ({mentions}) THEN attributes ELSE {rewritten} END"


def pseudonymised_select(relation: str) -> str | None:
    """SELECT of a staged table with its people replaced by pseudonyms (needs $key); None for a table
    that holds no people."""
    person = PEOPLE_COLUMNS.get(relation)
    if person is None:
        return None
    return (
        f"SELECT * REPLACE ({pseudonym_sql(person)} AS {person}, {_attributes_sql(person)} AS attributes) "
        f"FROM {relation}"
    )


@contextmanager
def pseudonymising(key: str) -> Iterator[None]:
    """Within the block, staging.write_staged replaces people by their pseudonyms as it writes."""
    token = _staging_key.set(key)
    try:
        yield
    finally:
        _staging_key.reset(token)


def staging_key() -> str | None:
    """The key to pseudonymise staged data with; None when the source keeps names (or outside a load)."""
    return _staging_key.get()
