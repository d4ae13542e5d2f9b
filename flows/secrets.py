"""The pseudonym key from a Prefect Secret block, for flows run on a Prefect server."""

from __future__ import annotations

from typing import cast

from prefect.blocks.system import Secret
from prefect.exceptions import ObjectNotFound

from eventlogs.errors import ConfigError

KEY_SECRET_BLOCK = "journey-pseudonym-key"


def pseudonym_key_from_prefect() -> tuple[str, str] | None:
    """(where, key) from the Secret block; None only when no such block exists (any other failure is an
    error: a misconfigured secret must not silently turn into a local key file)."""
    try:
        # sync_compatible: called outside an event loop, load returns the block itself, no coroutine
        block = cast("Secret[str]", Secret.load(KEY_SECRET_BLOCK))
        return f"Prefect Secret block {KEY_SECRET_BLOCK!r}", str(block.get())
    except (ObjectNotFound, ValueError) as error:
        if isinstance(error, ObjectNotFound) or "Unable to find block document" in str(error):
            return None
        raise ConfigError(f"Prefect Secret block {KEY_SECRET_BLOCK!r} could not be read: {error}") from error
