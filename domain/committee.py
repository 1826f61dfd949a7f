"""The national committee: delegates of diverse workers' organisations and its officers."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from eventsourcing.domain import Aggregate

from domain.errors import InvalidInput, RuleBroken
from domain.ids import derive_id
from domain.roles import Actor, Role, require_role


class OrganisationType(StrEnum):
    """The kinds of workers' organisation the resolution names (and 'other' for the rest)."""

    PARTY_BRANCH = "party_branch"
    TRADE_UNION = "trade_union"
    COOPERATIVE = "cooperative"
    WORKERS_CIRCLE = "workers_circle"
    OTHER = "other"


class Office(StrEnum):
    """The committee offices that carry duties of their own."""

    TREASURER = "treasurer"
    SECRETARY = "secretary"


def require_text(value: str, what: str) -> str:
    """Refuse an empty or blank text field, naming the field."""
    if not value or not value.strip():
        raise InvalidInput("input.missing", f"{what} is required")
    return value.strip()


class NationalCommittee(Aggregate):
    """A country's committee of delegates, run under the supervision of the International."""

    class Constituted(Aggregate.Created):
        actor: Actor
        country: str
        name: str
        national_section: str
        constituted_on: date

    class DelegateAdmitted(Aggregate.Event):
        actor: Actor
        delegate: str
        organisation: str
        organisation_type: OrganisationType

        def apply(self, aggregate: Any) -> None:
            aggregate.delegates[self.delegate] = (self.organisation, self.organisation_type)

    class OfficerAppointed(Aggregate.Event):
        actor: Actor
        person: str
        office: Office

        def apply(self, aggregate: Any) -> None:
            aggregate.officers[self.office] = self.person

    def __init__(
        self, actor: Actor, country: str, name: str, national_section: str, constituted_on: date
    ) -> None:
        self.country = country
        self.name = name
        self.national_section = national_section
        self.constituted_on = constituted_on
        self.delegates: dict[str, tuple[str, OrganisationType]] = {}
        self.officers: dict[Office, str] = {}

    @staticmethod
    def id_for(country: str) -> Any:
        """The committee's id, derived from its country code."""
        return derive_id("committee", country)

    @classmethod
    def constitute(
        cls, *, country: str, name: str, national_section: str, on: date, actor: Actor
    ) -> NationalCommittee:
        """Constitute the committee of ``country`` (done once, by its secretary)."""
        require_role(actor, Role.SECRETARY, action="constituting a committee")
        country = require_text(country, "country").upper()
        return cls._create(
            cls.Constituted,
            id=cls.id_for(country),
            actor=actor,
            country=country,
            name=require_text(name, "committee name"),
            national_section=require_text(national_section, "national section"),
            constituted_on=on,
        )

    def admit_delegate(
        self,
        *,
        delegate: str,
        organisation: str,
        organisation_type: OrganisationType,
        actor: Actor,
    ) -> None:
        """Admit a delegate of a workers' organisation to the committee."""
        require_role(actor, Role.SECRETARY, action="admitting a delegate")
        delegate = require_text(delegate, "delegate")
        if delegate in self.delegates:
            raise RuleBroken(
                "committee.delegate_already_admitted",
                f"{delegate} is already a delegate of {self.name}",
            )
        self.trigger_event(
            self.DelegateAdmitted,
            actor=actor,
            delegate=delegate,
            organisation=require_text(organisation, "organisation"),
            organisation_type=OrganisationType(organisation_type),
        )

    def appoint_officer(self, *, person: str, office: Office, actor: Actor) -> None:
        """Appoint the treasurer or the secretary; one person never holds both offices."""
        require_role(actor, Role.SECRETARY, action="appointing an officer")
        person = require_text(person, "officer")
        other = Office.SECRETARY if office is Office.TREASURER else Office.TREASURER
        if self.officers.get(other) == person:
            raise RuleBroken(
                "committee.treasurer_is_secretary",
                f"{person} is already the {other.value}: the treasurer and the secretary "
                "must be different people",
            )
        self.trigger_event(self.OfficerAppointed, actor=actor, person=person, office=office)
