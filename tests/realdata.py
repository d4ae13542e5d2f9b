"""Where the real public event logs are: JOURNEY_REALDATA, default ../shared/data beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def real_data_file(name: str) -> Path:
    folder = Path(os.environ.get("JOURNEY_REALDATA", REPOSITORY.parent / "shared" / "data"))
    path = folder / name
    if not path.exists():
        pytest.skip(f"real log {name} not found in {folder} (set JOURNEY_REALDATA to the folder holding it)")
    return path
