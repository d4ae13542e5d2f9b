"""Data frames a query reads by name: registered on the connection for one block, gone after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from eventlogs.sql_connection import SqlConnection


@contextmanager
def registered(connection: SqlConnection, **frames: pd.DataFrame) -> Iterator[None]:
    """Within the block, each frame is a relation named by its keyword; unregistered however it ends."""
    for name, frame in frames.items():
        connection.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            connection.unregister(name)
