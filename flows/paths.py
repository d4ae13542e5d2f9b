"""Where the built-in demo's files are shipped: named once in eventlogs.demo.files, offered here to the flows."""

from __future__ import annotations

from eventlogs.demo.files import DEMO_DESIGNED_JOURNEY, DEMO_SOURCE_CONFIG, DEMO_TIME_RULES

__all__ = ["DEMO_DESIGNED_JOURNEY", "DEMO_SOURCE_CONFIG", "DEMO_TIME_RULES"]
