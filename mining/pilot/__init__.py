"""Did a pilot work? Before versus after (or pilot versus control), with honest uncertainty: results only.

definition.py reads the pilot (config or flags); windows.py defines the cohorts, windows and censoring;
survival.py holds the weighted Kaplan-Meier estimates; statistics.py the bootstrap intervals, p-values,
rate-ratio test and Benjamini-Hochberg; stages.py and conformance.py the per-stage times and fitness;
evaluation.py compares every measure, handover and stage (evaluate_pilot, PilotEvaluation); comparability.py
says whether before and after are comparable at all (volume, case mix, censoring).
"""

# the public modules; import them by name (no eager imports: a package stays cheap to enter)
__all__ = ["comparability", "conformance", "definition", "evaluation", "stages", "statistics", "survival", "windows"]
