"""The Russian agencies the liaison keeps a registry of: state bodies and workers' organisations."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import require_text
from domain.errors import RuleBroken
from domain.ids import derive_id
from domain.roles import Actor, Role, require_role


class AgencyKind(StrEnum):
    """The Russian state and workers' organisations a committee may consult."""

    STATE_BODY = "state_body"
    TRUST = "trust"
    TRADE_UNION = "trade_union"
    COOPERATIVE_UNION = "cooperative_union"
    WORKERS_ORGANISATION = "workers_organisation"


class RussianAgency(Aggregate):
    """A Russian economic agency, state trust, trade union or cooperative union."""

    class Registered(Aggregate.Created):
        actor: Actor
        code: str
        name: str
        kind: AgencyKind
        parent_id: UUID | None
        registered_on: date

    class Deregistered(Aggregate.Event):
        actor: Actor
        reason: str
        deregistered_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.deregistered_on = self.deregistered_on

    def __init__(
        self,
        actor: Actor,
        code: str,
        name: str,
        kind: AgencyKind,
        parent_id: UUID | None,
        registered_on: date,
    ) -> None:
        self.code = code
        self.name = name
        self.kind = AgencyKind(kind)
        self.parent_id = parent_id
        self.registered_on = registered_on
        self.deregistered_on: date | None = None

    @staticmethod
    def id_for(code: str) -> UUID:
        """The agency's id, derived from its short code (e.g. ``NARKOMZEM``)."""
        return derive_id("agency", code.strip().upper())

    @classmethod
    def register(
        cls,
        *,
        code: str,
        name: str,
        kind: AgencyKind,
        on: date,
        actor: Actor,
        parent: RussianAgency | None = None,
    ) -> RussianAgency:
        """Register an agency, under a registered parent (a union under VTsSPS) if it has one."""
        require_role(actor, Role.LIAISON_OFFICER, action="registering a Russian agency")
        code = require_text(code, "agency code").upper()
        if parent is not None:
            parent.require_active()
        return cls._create(
            cls.Registered,
            id=cls.id_for(code),
            actor=actor,
            code=code,
            name=require_text(name, "agency name"),
            kind=AgencyKind(kind),
            parent_id=parent.id if parent else None,
            registered_on=on,
        )

    @property
    def is_active(self) -> bool:
        """True until the agency is deregistered."""
        return self.deregistered_on is None

    @property
    def is_union(self) -> bool:
        """True for a trade union, whose approval specialists need."""
        return self.kind is AgencyKind.TRADE_UNION

    def require_active(self) -> None:
        """Refuse decisions of, or registrations under, a deregistered agency."""
        if not self.is_active:
            raise RuleBroken(
                "agency.deregistered",
                f"the {self.name} was deregistered on {self.deregistered_on}",
            )

    def deregister(self, *, reason: str, on: date, actor: Actor) -> None:
        """Deregister the agency; its earlier decisions stand."""
        require_role(actor, Role.LIAISON_OFFICER, action="deregistering a Russian agency")
        self.require_active()
        self.trigger_event(
            self.Deregistered,
            actor=actor,
            reason=require_text(reason, "reason for deregistering"),
            deregistered_on=on,
        )
