"""The project's exception tree: catch `JourneyMiningError` for anything this package raises on purpose."""

from __future__ import annotations


class JourneyMiningError(Exception):
    """Base of every error journey-mining raises deliberately."""


class ConfigError(JourneyMiningError):
    """A configuration or specification file is missing, malformed or inconsistent."""


class SourceError(JourneyMiningError):
    """A source system could not be read (missing file, unreachable database, wrong shape)."""


class StoreError(JourneyMiningError):
    """The DuckDB event store could not be opened, created or written."""


class AnalysisError(JourneyMiningError):
    """An analysis was asked for something the data cannot answer (for example: no events)."""


class SourcesFailedError(SourceError):
    """A run loaded, mined and reported what it could, but these sources failed: the run must not look
    successful. `outcome` holds what the run produced all the same (report path, bottleneck, ...)."""

    def __init__(self, failed: dict[str, str], outcome: dict[str, object] | None = None) -> None:
        self.failed = dict(failed)
        self.outcome = dict(outcome or {})
        named = "; ".join(f"{name}: {reason}" for name, reason in self.failed.items())
        super().__init__(f"{len(self.failed)} source(s) failed and were not loaded: {named}")

    def __reduce__(self) -> tuple[type[SourcesFailedError], tuple[dict[str, str], dict[str, object]]]:
        # Prefect keeps a failed run's exception as its result: it must survive pickling with its fields
        return (type(self), (self.failed, self.outcome))
