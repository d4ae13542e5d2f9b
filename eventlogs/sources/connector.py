"""What a connector is: a configured source (`Source`) and the module that reads its configuration table
and extracts it (`Connector`). The registry of kinds is eventlogs.source_kinds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

from eventlogs.located_config import Located
from eventlogs.staging import StagedSource


class Source(Protocol):
    """What every configured source has; each kind adds its own fields (see eventlogs.source_kinds)."""

    name: str
    kind: str


# invariant: a connector's reader returns the very type its extract takes
SourceT = TypeVar("SourceT")


class Connector(Protocol[SourceT]):
    """A connector module: its frozen config dataclass (with `name` and `kind`) is SourceT."""

    def read_config(self, section: Located, name: str, data_folder: Path) -> SourceT:
        """The source named `name` from its table [sources.<name>]; relative paths against `data_folder`."""
        ...

    def extract(self, source: SourceT, staging_folder: Path, since: datetime | None = None) -> StagedSource:
        """Stages the source under `staging_folder`. `since`: the source's watermark minus its look-back
        (None: read everything); kinds that cannot read incrementally ignore it and rely on the idempotent
        merge."""
        ...
