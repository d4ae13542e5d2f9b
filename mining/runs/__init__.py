"""The steps that open a store, run the analyses, and write the results to files: what the command line
(flows/cli.py) and the Prefect flows (flows/journey_flow.py) both call.

analysis.py: the whole analysis for the nightly report (analyse, add_pilot, write_tables); mine.py:
`journey mine`; compare.py: `journey compare`; pilot.py: the pilot's files; table_files.py: Parquet.
"""

# the public modules; import them by name (no eager imports: a package stays cheap to enter)
__all__ = ["analysis", "compare", "mine", "pilot", "table_files"]
