"""Pseudonymisation of people in staged data, before it reaches the store.

Resources (who did a step) and callers (who asked) are replaced by a keyed hash, so reports can be
shared under works-council rules while the same person still maps to the same pseudonym across runs
and sources. The key comes from the environment variable JOURNEY_PSEUDONYM_KEY, or a Prefect Secret
block named `journey-pseudonym-key`; without either, a random key is created once beside the store
(`<store>.pseudonym-key`, readable by its owner only), so runs stay consistent.

The pseudonyms are written as the staged files are written (`pseudonymising` around an extraction), in
the same pass: no second rewrite of the staged data, and no staged events or journeys file holds a name
(a rejected record is kept as the source held it, so that it can be fixed).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

KEY_ENVIRONMENT_VARIABLE = "JOURNEY_PSEUDONYM_KEY"
KEY_SECRET_BLOCK = "journey-pseudonym-key"
PREFIX = "p-"
# the people columns of the staged tables: who did a step, who asked
PEOPLE_COLUMNS = {"staged_events": "resource", "staged_journeys": "caller"}

# The key of the extraction running in this thread (a ContextVar: Prefect runs extractions side by side).
_staging_key: ContextVar[str | None] = ContextVar("journey_pseudonym_staging_key", default=None)


def _from_prefect_secret() -> str | None:
    try:
        from prefect.blocks.system import Secret

        return str(Secret.load(KEY_SECRET_BLOCK).get())
    except Exception:
        return None


def pseudonym_key(store: Path, use_prefect_secret: bool = False) -> str:
    key = os.environ.get(KEY_ENVIRONMENT_VARIABLE) or (_from_prefect_secret() if use_prefect_secret else None)
    if key:
        return key
    key_file = store.with_name(store.name + ".pseudonym-key")
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:  # parallel extractions race to create it; exactly one wins, the others read its key
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def pseudonym_sql(column: str) -> str:
    """A stable 12-hex-digit pseudonym of `column`, keyed by the prepared parameter $key."""
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE '{PREFIX}' || left(sha256($key || '|' || {column}), 12) END"


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
