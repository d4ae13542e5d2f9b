"""The project's exception tree: catch `JourneyMiningError` for anything this package raises on purpose."""


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
