"""Analysis over the event store, in layers that import downwards only:

scope/ (which journeys, how time counts) <- discovery/ (how journeys run) <- design/ (against the designed
journey) <- pilot/ (before versus after) <- report/ (words and pictures) <- runs/ (open a store, write
files; called by flows/). errors.py names the analysis errors. No Prefect here.
"""

__all__ = ["design", "discovery", "errors", "pilot", "report", "runs", "scope"]
