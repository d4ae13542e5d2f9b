"""Where staged files live while a run extracts and loads: a private temporary folder, never the output
folder (staged rejects hold records as the source had them, names included, and outputs are shared).

The folder is removed however the run ends; a run that was killed cannot remove its own, so each folder
carries its process id and the next run removes the folders of processes that are gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "journey-staging-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive, and not ours to clean up
        return True
    return True


def remove_abandoned(root: Path | None = None) -> list[Path]:
    """Removes staging folders whose process no longer runs; returns them."""
    removed = []
    for folder in Path(root or tempfile.gettempdir()).glob(f"{PREFIX}*-*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


@contextmanager
def staging_folder(purpose: str = "staging") -> Iterator[Path]:
    """A new folder, readable by its owner only (mkdtemp: mode 700), removed on every exit path."""
    remove_abandoned()
    with tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-{purpose}-") as folder:
        yield Path(folder)
