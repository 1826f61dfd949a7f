"""The procurement cover rule judged per consultation, for the findings kept per node.

Commitments under one consultation take its ceiling in order, so the procurements a committee
made under one consultation id are always judged together, with the liaison's opinions on it
and their versions: those rows are all a group's verdicts depend on. Each group's findings are
kept with those rows, as values, and a group whose rows are all the same as when it was last
judged keeps its findings: after a page of one node, most of that node's consultations are
read again but not judged again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from projections.supervisory import consultations as cons
from projections.supervisory import exceptions as ex

if TYPE_CHECKING:
    from federation.node.supervisory import SupervisoryService

CHUNK = 500  # ids per IN (...) list
Group = tuple[list[ex.Finding], frozenset[str]]  # the findings, and the opinion ids read
Inputs = tuple[frozenset[tuple[Any, ...]], tuple[tuple[Any, ...], ...]]


class Cover:
    """Judges the cover of procurements, consultation by consultation, keeping the verdicts."""

    def __init__(self, service: SupervisoryService) -> None:
        self.service = service
        self._judged: dict[tuple[str, str | None], tuple[Inputs, Group]] = {}

    def clear(self) -> None:
        self._judged.clear()

    def judge(self, where: str, params: Sequence[Any]) -> dict[str, dict[str | None, Group]]:
        """The cover of the procurements ``where`` selects (whole consultations of a node),
        per node and consultation id."""
        liaison = self.service.liaison
        names, rows = self.service.table(
            cons.PROCUREMENTS_SQL + f" WHERE {where}", [liaison, *params]
        )
        if not rows:
            return {}
        country_at, consultation_at, opinion_at = (
            names.index(c) for c in ("country", "consultation_id", "opinion_id")
        )
        groups: dict[tuple[str, str | None], list[tuple[Any, ...]]] = defaultdict(list)
        for r in rows:
            groups[(r[country_at], r[consultation_at])].append(r)
        opinions = {str(r[opinion_at]) for r in rows if r[opinion_at] is not None}
        version_names, versions = self._versions(opinions)
        out: dict[str, dict[str | None, Group]] = defaultdict(dict)
        for (country, consultation), members in groups.items():
            used = frozenset(str(r[opinion_at]) for r in members if r[opinion_at] is not None)
            read = [v for opinion in sorted(used) for v in versions.get(opinion, [])]
            inputs = (frozenset(members), tuple(read))
            held = self._judged.get((country, consultation))
            if held is None or held[0] != inputs:
                # Judged only now: the rows become mappings for the rule's pure functions.
                procurements = [dict(zip(names, r, strict=True)) for r in members]
                opinions_read = [dict(zip(version_names, v, strict=True)) for v in read]
                verdicts = cons.judge(procurements, opinions_read)
                found = ex.procurement_findings(procurements, verdicts, liaison)
                held = self._judged[(country, consultation)] = (inputs, (found, used))
            out[country][consultation] = held[1]
        return out

    def consultations_of(self, opinions: set[str]) -> set[str | None]:
        """The consultations the liaison's ``opinions`` are about."""
        out: set[str | None] = set()
        ids = sorted(opinions)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = self._read(
                "SELECT consultation_id FROM sv_opinions "
                f"WHERE upstream = ? AND opinion_id IN ({marks})",
                [self.service.liaison, *chunk],
            )
            out.update(r["consultation_id"] for r in rows)
        return out

    def _versions(self, opinions: set[str]) -> tuple[list[str], dict[str, list[tuple[Any, ...]]]]:
        """Every version of the liaison's ``opinions``, per opinion (and the column names)."""
        out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        names: list[str] = []
        ids = sorted(opinions)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join("?" for _ in chunk)
            query = cons.VERSIONS_SQL + f" AND opinion_id IN ({marks})"
            names, rows = self.service.table(query, [self.service.liaison, *chunk])
            at = names.index("opinion_id")
            for v in rows:
                out[str(v[at])].append(v)
        return names, out

    def _read(self, sql: str, params: list[Any]) -> list[Any]:
        return self.service.records(sql, params)


__all__ = ["Cover", "Group"]
