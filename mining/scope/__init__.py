"""Which journeys and events an analysis looks at, and how time is counted.

scope.py defines the scope (journey type, period) as views over the store and adds the waits in calendar
and, with time rules, in working time; it returns a `Scope` (its views, time basis and extraction
moment), which the analyses take instead of a bare connection; time_rules.py reads the business
calendars and pause activities (YAML); working_time.py is the working-hours arithmetic (one definition,
in SQL); journey_attributes.py is the journey-attributes view that user conditions (pilot and control
groups) are checked against; date_range.py parses FROM..TO periods; provenance.py says what an output
was made from (load runs, period, configuration hashes, code version).
"""

# the public modules; import them by name (no eager imports: a package stays cheap to enter)
__all__ = ["date_range", "journey_attributes", "provenance", "scope", "time_rules", "working_time"]
