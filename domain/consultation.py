"""Consultations: a committee asks a Russian agency before it spends (resolution, point 4).

A consultation may be asked for any category of spending (famine relief still buys food and
medicine, and the committee may want an agency's word on those too), but only the productive
categories the resolution names — machines, raw materials and tools — can be procured under one.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import require_text
from domain.errors import RuleBroken
from domain.ids import derive_id
from domain.money import Money, require_positive
from domain.roles import Actor, Role, require_role


class ProcurementCategory(StrEnum):
    """What the money is spent on; only the first three are productive (see ``PRODUCTIVE``)."""

    MACHINES = "machines"
    RAW_MATERIALS = "raw_materials"
    TOOLS = "tools"
    FOOD = "food"
    MEDICINE = "medicine"
    ADMINISTRATION = "administration"
    OTHER = "other"


PRODUCTIVE = frozenset(
    {ProcurementCategory.MACHINES, ProcurementCategory.RAW_MATERIALS, ProcurementCategory.TOOLS}
)


class Consultation(Aggregate):
    """A committee's request for a Russian agency's opinion on spending up to a ceiling."""

    class Requested(Aggregate.Created):
        actor: Actor
        country: str
        reference: str
        purpose: str
        category: ProcurementCategory
        ceiling: Money
        agency_id: UUID
        agency_name: str
        requested_on: date

    class Closed(Aggregate.Event):
        actor: Actor
        reason: str
        closed_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.closed_on = self.closed_on

    def __init__(
        self,
        actor: Actor,
        country: str,
        reference: str,
        purpose: str,
        category: ProcurementCategory,
        ceiling: Money,
        agency_id: UUID,
        agency_name: str,
        requested_on: date,
    ) -> None:
        self.country = country
        self.reference = reference
        self.purpose = purpose
        self.category = ProcurementCategory(category)
        self.ceiling = ceiling
        self.agency_id = agency_id
        self.agency_name = agency_name
        self.requested_on = requested_on
        self.closed_on: date | None = None

    @staticmethod
    def id_for(country: str, reference: str) -> UUID:
        """The consultation's id, derived from the committee's country and its reference."""
        return derive_id("consultation", country, reference)

    @classmethod
    def request(
        cls,
        *,
        country: str,
        reference: str,
        purpose: str,
        category: ProcurementCategory,
        ceiling: Money,
        agency_id: UUID,
        agency_name: str,
        on: date,
        actor: Actor,
    ) -> Consultation:
        """Ask the agency for its opinion on spending up to ``ceiling`` for ``purpose``."""
        require_role(actor, Role.SECRETARY, action="requesting a consultation")
        reference = require_text(reference, "consultation reference")
        return cls._create(
            cls.Requested,
            id=cls.id_for(country, reference),
            actor=actor,
            country=country,
            reference=reference,
            purpose=require_text(purpose, "purpose"),
            category=ProcurementCategory(category),
            ceiling=require_positive(ceiling, "the ceiling"),
            agency_id=agency_id,
            agency_name=require_text(agency_name, "agency name"),
            requested_on=on,
        )

    @property
    def is_open(self) -> bool:
        """True until the consultation is closed."""
        return self.closed_on is None

    @property
    def covers_procurement(self) -> bool:
        """True when the category is one the resolution allows procurement for."""
        return self.category in PRODUCTIVE

    def close(self, *, reason: str, on: date, actor: Actor) -> None:
        """Close the consultation; no further procurement may be committed under it."""
        require_role(actor, Role.SECRETARY, action="closing a consultation")
        if not self.is_open:
            raise RuleBroken(
                "consultation.closed",
                f"consultation {self.reference} was closed on {self.closed_on}",
            )
        if on < self.requested_on:
            raise RuleBroken(
                "consultation.closed_before_requested",
                f"consultation {self.reference} was requested on {self.requested_on}; "
                f"it cannot close on {on}",
            )
        self.trigger_event(
            self.Closed, actor=actor, reason=require_text(reason, "reason"), closed_on=on
        )
