"""A pilot evaluation as the pages show it (templates _pilot.html.j2 and pilot_report.html.j2): its
sentences, its comparison and case-mix tables formatted, and its difference map drawn."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mining.pilot.evaluation import stage_label
from mining.report.difference_map import difference_map_svg
from mining.report.pilot_wording import PilotWords, display_row, evaluation_words, pilot_words, stage_display_row

if TYPE_CHECKING:
    from mining.pilot.definition import PilotDefinition
    from mining.pilot.evaluation import PilotEvaluation
    from mining.pilot.windows import PilotScope


@dataclass(frozen=True)
class PilotView:
    """What the pilot templates read; built by pilot_view."""

    evaluation: PilotEvaluation
    words: PilotWords
    units: dict[str, Any]  # how hours read (unit_words)

    @property
    def definition(self) -> PilotDefinition:
        return self.evaluation.definition

    @property
    def scope(self) -> PilotScope:
        return self.evaluation.scope

    @property
    def title(self) -> str:
        return self.words.title

    @property
    def comparability(self) -> str:
        """'Before and after are not comparable: ...' or '... comparable on volume, case mix and censoring'."""
        return self.words.comparability

    @property
    def comparable(self) -> bool:
        return self.evaluation.comparable

    @property
    def verdict(self) -> list[str]:
        return self.words.verdict

    @property
    def improvements(self) -> list[str]:
        return self.words.improvements

    @property
    def worsenings(self) -> list[str]:
        return self.words.worsenings

    @property
    def notes(self) -> list[str]:
        return self.words.notes

    @cached_property
    def difference_map_svg(self) -> str:
        """Drawn once, when a page first shows it ('' when evaluated without the map)."""
        data = self.evaluation.difference_map
        return "" if data is None else difference_map_svg(data, self.units)

    def display_rows(self, family: str) -> list[dict[str, str]]:
        """The comparisons of one family ('journey', 'handover' or 'stage'), formatted for the report; the
        stages are every designed stage in the designed order, those not compared saying why."""
        comparisons = self.evaluation.comparisons
        chosen = comparisons[comparisons["family"] == family]
        rows = {row["key"]: display_row(row, self.units) for row in chosen.to_dict("records")}
        if family != "stage" or not self.evaluation.stages:
            return list(rows.values())
        return [
            rows[f"stage:{reach.stage}"] if reach.compared else stage_display_row(reach, stage_label(reach.stage))
            for reach in self.evaluation.stages
        ]

    def case_mix_table(self) -> tuple[list[str], list[dict]]:
        """Attribute values down, group and side across, each cell 'share (journeys)'."""
        return case_mix_table(self.evaluation)


def pilot_view(evaluation: PilotEvaluation) -> PilotView:
    return PilotView(evaluation, pilot_words(evaluation), evaluation_words(evaluation))


def case_mix_table(evaluation: PilotEvaluation) -> tuple[list[str], list[dict]]:
    """Attribute values down, group and side across (the pilot group first, before ahead of after), each
    cell 'share (journeys)'."""
    case_mix = evaluation.case_mix
    mix = case_mix.assign(column=case_mix["cohort"] + " " + case_mix["side"])
    mix["cell"] = [f"{share:.0%} ({count:,})" for share, count in zip(mix["share"], mix["journeys"], strict=True)]
    table = mix.pivot_table(index=["attribute", "value"], columns="column", values="cell", aggfunc="first")
    columns = sorted(
        table.columns, key=lambda name: (name.split()[0] != "pilot", name.split()[0], name.split()[1] != "before")
    )
    rows = [
        {
            "attribute": attribute,
            "value": value,
            "cells": [_text(table.loc[(attribute, value)].get(c)) for c in columns],
        }
        for attribute, value in table.index
    ]
    return columns, rows


def _text(cell: object) -> str:
    return cell if isinstance(cell, str) else "–"
