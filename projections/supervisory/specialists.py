"""Specialists nominated by the committees, one person each, approved by a Russian union.

The union's own decision is the liaison's (``liaison.UNION_DECISIONS``); the row here keeps what
the committee noted, so the rules can compare the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.specialist import SpecialistNomination
from projections.rows import Change, Put, Table, to_minor
from projections.supervisory.flows import flow
from projections.supervisory.ops import SvOp, ref

SPECIALISTS = Table(
    "sv_specialists",
    {
        "country": "TEXT",
        "nomination_id": "TEXT",
        "reference": "TEXT",
        "person": "TEXT",
        "persons_named": "BIGINT",
        "trade": "TEXT",
        "enterprise": "TEXT",
        "urgency": "TEXT",
        "union_id": "TEXT",
        "union_name": "TEXT",
        "status": "TEXT",
        "nominated_on": "TEXT",
        "approval_requested_on": "TEXT",
        "noted_approved": "BIGINT",
        "noted_decided_on": "TEXT",
        "currency": "TEXT",
        "funded_minor": "BIGINT",
        "funded_on": "TEXT",
        "departed_on": "TEXT",
        "nominated_ref": "TEXT",
        "departed_ref": "TEXT",
    },
    ("country", "nomination_id"),
    indexes=(("status",), ("nominated_on",)),
)
TABLES = (SPECIALISTS,)

Projector = Callable[[str, Any], list[SvOp]]


def _id(e: Any) -> str:
    return str(e.originator_id)


# What joins two people's names in one nomination ("Ware and Kilpatrick"). A comma does not:
# "Ware, Harold" is one person.
_JOINERS = (";", "&", "\n", " and ", " und ", " et ", " и ")


def persons_named(person: str) -> int:
    """How many people a nomination names: more than one is a group, which the rule forbids."""
    text = f" {person.casefold()} "
    for joiner in _JOINERS:
        text = text.replace(joiner, "\n")
    return max(1, len([part for part in text.split("\n") if part.strip()]))


def _nomination_key(country: str, e: Any) -> dict[str, str]:
    return {"country": country, "nomination_id": _id(e)}


def nominated(country: str, e: SpecialistNomination.Nominated) -> list[SvOp]:
    row = _nomination_key(country, e) | {
        "reference": e.reference,
        "person": e.person,
        "persons_named": persons_named(e.person),
        "trade": e.trade,
        "enterprise": e.enterprise,
        "urgency": str(e.urgency),
        "union_id": str(e.union_id),
        "union_name": e.union_name,
        "status": "nominated",
        "nominated_on": e.nominated_on.isoformat(),
        "approval_requested_on": None,
        "noted_approved": None,
        "noted_decided_on": None,
        "currency": None,
        "funded_minor": None,
        "funded_on": None,
        "departed_on": None,
        "nominated_ref": ref(e),
        "departed_ref": None,
    }
    return [Put(SPECIALISTS, row)]


def approval_requested(country: str, e: SpecialistNomination.ApprovalRequested) -> list[SvOp]:
    values = {"status": "approval_requested", "approval_requested_on": e.requested_on.isoformat()}
    return [Change(SPECIALISTS, _nomination_key(country, e), values)]


def decision_noted(country: str, e: SpecialistNomination.UnionDecisionNoted) -> list[SvOp]:
    approved = e.decision.approved
    values = {
        "status": "approved" if approved else "refused",
        "noted_approved": 1 if approved else 0,
        "noted_decided_on": e.decision.decided_on.isoformat(),
    }
    return [Change(SPECIALISTS, _nomination_key(country, e), values)]


def funded(country: str, e: SpecialistNomination.EmigrationFunded) -> list[SvOp]:
    values = {
        "status": "funded",
        "currency": e.amount.currency,
        "funded_minor": to_minor(e.amount),
        "funded_on": e.funded_on.isoformat(),
    }
    return [
        Change(SPECIALISTS, _nomination_key(country, e), values),
        *flow(country, "spent_emigration", e.amount, e.funded_on),
    ]


def departed(country: str, e: SpecialistNomination.Departed) -> list[SvOp]:
    values = {
        "status": "departed",
        "departed_on": e.departed_on.isoformat(),
        "departed_ref": ref(e),
    }
    return [Change(SPECIALISTS, _nomination_key(country, e), values)]


PROJECTORS: dict[type[Any], Projector] = {
    SpecialistNomination.Nominated: nominated,
    SpecialistNomination.ApprovalRequested: approval_requested,
    SpecialistNomination.UnionDecisionNoted: decision_noted,
    SpecialistNomination.EmigrationFunded: funded,
    SpecialistNomination.Departed: departed,
}
