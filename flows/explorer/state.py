"""The data the explorer answers from, kept fresh: the store's snapshot (eventlogs.store.snapshot) when there
is one, else the store itself read-only; reopened when a load swaps in a new snapshot.

No request waits for a rebuild: the check runs at most every `check_every` seconds, one at a time, in a
thread of its own, and requests answer from the current copy until the new one is complete.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from eventlogs.store.snapshot import snapshot_path
from mining.design.journey import DesignedJourney
from mining.explore import ExplorerData
from mining.scope.time_rules import TimeRules

log = logging.getLogger(__name__)

REOPEN_CHECK_SECONDS = 3.0


def explorer_source(store: Path) -> Path:
    """The file the explorer reads for `store`: its snapshot when there is one, else the store itself."""
    snapshot = snapshot_path(store)
    return snapshot if snapshot.exists() else store


@dataclass
class ExplorerState:
    store: Path  # the store as the user named it (--store)
    journey: DesignedJourney | None
    time_rules: TimeRules | None
    check_every: float = REOPEN_CHECK_SECONDS
    data: ExplorerData = field(init=False)
    _checked_at: float = field(init=False, default=0.0)
    _checking: threading.Lock = field(init=False, default_factory=threading.Lock)
    _refresher: threading.Thread | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.data = ExplorerData.open(explorer_source(self.store), self.journey, self.time_rules)
        self._checked_at = time.monotonic()

    @property
    def reads_snapshot(self) -> bool:
        return self.data.store == snapshot_path(self.store)

    def current(self) -> ExplorerData:
        """The data as copied last; when a check is due, starts one in the background (`refresh`)."""
        if time.monotonic() - self._checked_at >= self.check_every and self._checking.acquire(blocking=False):
            self._refresher = threading.Thread(target=self.refresh, name="explorer-refresh", daemon=True)
            self._refresher.start()
        return self.data

    def settle(self) -> None:
        """Waits for a check under way (tests; a clean stop)."""
        if self._refresher is not None:
            self._refresher.join()

    def refresh(self) -> None:
        """Reopens the data when its file was replaced, or switches to a snapshot that appeared beside a store
        read directly. Runs holding `_checking` (taken by `current`)."""
        try:
            self._checked_at = time.monotonic()
            if not self.reads_snapshot and snapshot_path(self.store).exists():
                self.data = ExplorerData.open(snapshot_path(self.store), self.journey, self.time_rules)
                log.info("explorer: now reading the snapshot %s", self.data.store)
            elif self.data.reopen_if_changed():
                log.info("explorer: %s was replaced, reopened", self.data.store)
        except Exception:  # a half-written or vanished file: keep answering from the data we have
            log.exception(
                "explorer: could not reopen %s; still answering from the copy of %s", self.store, self.data.built_at
            )
        finally:
            self._checking.release()
