"""Where the built-in demo's configuration files are shipped (beside this module)."""

from __future__ import annotations

from pathlib import Path

DEMO_PACKAGE = Path(__file__).resolve().parent
DEMO_SOURCE_CONFIG = DEMO_PACKAGE / "demo_sources.toml"
DEMO_DESIGNED_JOURNEY = DEMO_PACKAGE / "laptop_request.journey.yaml"
DEMO_TIME_RULES = DEMO_PACKAGE / "time_rules.yaml"
