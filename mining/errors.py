"""Errors of the analysis layer (re-exported from the project's exception tree)."""

from eventlogs.errors import AnalysisError, ConfigError

__all__ = ["AnalysisError", "ConfigError"]
