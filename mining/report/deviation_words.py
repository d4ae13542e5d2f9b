"""Deviations from the designed journey in plain words, for the pages and the written conformance tables."""

from __future__ import annotations

import pandas as pd

from mining.design.conformance import (
    OTHER_DEPARTMENT,
    REWORK_LOOP,
    SKIPPED_STAGE,
    UNEXPECTED_ACTIVITY,
    WRONG_ORDER,
    Conformance,
)


def _what(stage: str, activity: str) -> str:
    """'B' (s2), or stage 's2' when the stage is given by patterns (no activity)."""
    return f"'{activity}' ({stage})" if activity else f"stage '{stage}'"


def deviation_words(kind: str, stage: str | None, activity: str, department: str | None, designed: str | None) -> str:
    """One deviation (a row of Conformance.deviations) as a sentence part."""
    if kind == UNEXPECTED_ACTIVITY:
        return f"'{activity}' happened, but it is in no stage of the design"
    if kind == OTHER_DEPARTMENT:
        return f"'{activity}' ({stage}) was done by {department} instead of {designed}"
    if kind == REWORK_LOOP:
        return f"{_what(str(stage), activity)} was repeated: rework the design has no loop for"
    if kind == WRONG_ORDER:
        return f"{_what(str(stage), activity)} was done out of the designed order"
    if kind == SKIPPED_STAGE:
        if department is not None:  # the activity was done, but by a department the design does not give it to
            return f"stage '{stage}' was skipped: '{activity}' was done by {department}, not by {designed}"
        return f"stage '{stage}' was skipped" + (f": no '{activity}'" if activity else "")
    raise ValueError(f"no words for the deviation type {kind!r}")


def _text(value: object) -> str | None:
    return None if value is None or pd.isna(value) else str(value)  # a table holds a missing name as NaN


def _words(deviations: pd.DataFrame) -> list[str]:
    return [
        deviation_words(row.type, _text(row.stage), row.activity, _text(row.department), _text(row.designed_department))
        for row in deviations.itertuples()
    ]


def worded_conformance_tables(fit: Conformance) -> dict[str, pd.DataFrame]:
    """The variants with their deviations in words (`deviations`, '; '-separated, '' when it conforms) and
    the deviations with theirs (`words`), as `journey compare` and the flow write them."""
    deviations = fit.deviations.copy()
    deviations["words"] = _words(deviations)
    per_variant = deviations.groupby("variant_id", sort=False)["words"].agg("; ".join)
    variants = fit.variants.copy()
    variants.insert(
        list(variants.columns).index("deviating"),
        "deviations",
        variants["variant_id"].map(per_variant).fillna(""),
    )
    written = deviations.drop(columns=["department", "designed_department"])
    order = ["variant_id", "variant", "type", "stage", "activity", "words", "journeys"]
    return {
        "conformance_variants": variants.drop(columns=["deviating"]),
        "conformance_deviations": written[order],
    }
