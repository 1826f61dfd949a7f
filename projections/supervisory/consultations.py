"""Consultation records with the Russian agencies, and whether a procurement was covered.

A procurement is covered by a prior concurring consultation when all of this holds on the day
it was committed: the committee had asked (on or before that day) the same agency about the same
category, and had not closed the consultation; the liaison — not the committee — had recorded
that agency's opinion; the version of the opinion in force that day concurred (with or without
conditions), was still valid and not withdrawn; and the consultation's commitments, in the order
they were made, stay within the ceiling (the agency's, when it concurred for less).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

Row = dict[str, Any]

# Procurements with their consultation and the liaison's opinion on it (param: liaison id).
PROCUREMENTS_SQL = """
SELECT p.country, p.procurement_id, p.reference, p.consultation_id, p.category, p.agency_id,
  p.currency, p.amount_minor, p.paid_minor, p.status, p.committed_on, p.committed_ref,
  p.enterprise, p.description,
  c.reference AS consultation_reference, c.category AS consultation_category,
  c.agency_id AS consultation_agency_id, c.currency AS ceiling_currency, c.ceiling_minor,
  c.requested_on, c.closed_on, c.requested_ref,
  o.opinion_id, o.agency_id AS opinion_agency_id, o.withdrawn_on, o.upstream AS opinion_upstream
FROM sv_procurements AS p
LEFT JOIN sv_consultations AS c
  ON c.country = p.country AND c.consultation_id = p.consultation_id
LEFT JOIN sv_opinions AS o ON o.consultation_id = p.consultation_id AND o.upstream = ?
"""
VERSIONS_SQL = (
    "SELECT opinion_id, version, verdict, conditions, valid_until, recorded_on, "
    "ceiling_currency, ceiling_minor, recorded_ref FROM sv_opinion_versions WHERE upstream = ?"
)
CONSULTATIONS_SQL = """
SELECT c.country, c.consultation_id, c.reference, c.purpose, c.category, c.agency_id,
  c.agency_name, c.currency, c.ceiling_minor, c.requested_on, c.closed_on,
  CASE WHEN c.closed_on IS NULL THEN 'open' ELSE 'closed' END AS status,
  o.verdict, o.conditions, o.valid_until, o.recorded_on AS opinion_recorded_on,
  o.first_recorded_on, o.ceiling_currency AS opinion_ceiling_currency,
  o.ceiling_minor AS opinion_ceiling_minor, o.notes AS opinion_notes, o.revisions,
  o.withdrawn_on, o.withdrawal_reason
FROM sv_consultations AS c
LEFT JOIN sv_opinions AS o ON o.consultation_id = c.consultation_id AND o.upstream = ?
"""

PRODUCTIVE = ("machines", "raw_materials", "tools")


def in_force(versions: Sequence[Row], day: str) -> Row | None:
    """The version of an opinion in force on ``day``: the last one recorded on or before it."""
    found = None
    for version in sorted(versions, key=lambda v: int(v["version"])):
        if version["recorded_on"] <= day:
            found = version
    return found


def uncovered(p: Row, versions: Sequence[Row], already_minor: int) -> str | None:
    """Why procurement ``p`` (a row of PROCUREMENTS_SQL) lacks cover, or None when covered.

    ``already_minor`` is what the consultation's earlier commitments took of its ceiling.
    """
    day = p["committed_on"]
    if p["consultation_reference"] is None:
        return "no consultation of the committee with this id reached the International"
    ref = f"consultation {p['consultation_reference']}"
    checks = (
        (p["requested_on"] > day, f"{ref} was requested after the commitment"),
        (bool(p["closed_on"]) and p["closed_on"] < day, f"{ref} was closed on {p['closed_on']}"),
        (p["consultation_category"] != p["category"], f"{ref} is about another category"),
        (p["consultation_agency_id"] != p["agency_id"], f"{ref} was held with another agency"),
        (p["opinion_id"] is None, f"the liaison recorded no opinion on {ref}"),
    )
    for broken, reason in checks:
        if broken:
            return reason
    return _opinion_reason(p, ref, day, in_force(versions, day), already_minor)


def _opinion_reason(p: Row, ref: str, day: str, v: Row | None, already: int) -> str | None:
    if p["opinion_agency_id"] != p["consultation_agency_id"]:
        return f"the opinion on {ref} is another agency's"
    if v is None:
        return f"the opinion on {ref} was recorded after the commitment of {day}"
    if p["withdrawn_on"] is not None and p["withdrawn_on"] <= day:
        return f"the opinion on {ref} was withdrawn on {p['withdrawn_on']}"
    if v["verdict"] == "object":
        return f"the agency objected to {ref}"
    if day > v["valid_until"]:
        return f"the opinion on {ref} was valid until {v['valid_until']}"
    if p["currency"] != p["ceiling_currency"]:
        return f"the commitment is in {p['currency']}, the ceiling of {ref} in another currency"
    ceiling = int(p["ceiling_minor"])
    if v["ceiling_minor"] is not None and v["ceiling_currency"] == p["currency"]:
        ceiling = min(ceiling, int(v["ceiling_minor"]))
    if already + int(p["amount_minor"]) > ceiling:
        return f"the commitments under {ref} exceed its ceiling"
    return None


def judge(rows: Iterable[Row], versions: Iterable[Row]) -> dict[tuple[str, str], str | None]:
    """Every procurement's cover, keyed by (country, procurement_id): None or why not.

    Commitments under one consultation take its ceiling in the order they were made.
    """
    by_opinion: dict[str, list[Row]] = defaultdict(list)
    for version in versions:
        by_opinion[version["opinion_id"]].append(version)
    taken: dict[tuple[str, str], int] = defaultdict(int)
    verdicts: dict[tuple[str, str], str | None] = {}
    ordered = sorted(rows, key=lambda r: (r["committed_on"], r["reference"], r["procurement_id"]))
    for p in ordered:
        under = (p["country"], p["consultation_id"])
        reason = uncovered(p, by_opinion.get(p["opinion_id"], []), taken[under])
        if p["status"] != "cancelled":
            taken[under] += int(p["amount_minor"])
        verdicts[(p["country"], p["procurement_id"])] = reason
    return verdicts


def coverage(rows: Iterable[Row], verdicts: dict[tuple[str, str], str | None]) -> list[Row]:
    """Per agency and currency: procurement paid, the part covered, and the covered share."""
    sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for p in rows:
        entry = sums[(p["agency_id"], p["currency"])]
        paid = int(p["paid_minor"])
        entry[0] += paid
        entry[1] += paid if verdicts.get((p["country"], p["procurement_id"])) is None else 0
        entry[2] += 1
    return [
        {
            "agency_id": agency,
            "currency": code,
            "paid_minor": paid,
            "covered_minor": covered,
            "procurements": count,
        }
        for (agency, code), (paid, covered, count) in sorted(sums.items())
    ]
