"""Campaigns: collections, special events, donation and loan drives, expansion and agitation."""

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


class CampaignKind(StrEnum):
    """The means of raising funds named by the resolution, plus expansion and agitation."""

    COLLECTION = "collection"
    SPECIAL_EVENT = "special_event"
    DONATION_DRIVE = "donation_drive"
    LOAN_DRIVE = "loan_drive"
    EXPANSION = "expansion"
    AGITATION = "agitation"


class Campaign(Aggregate):
    """A campaign of a committee; every receipt cites one."""

    class Opened(Aggregate.Created):
        actor: Actor
        country: str
        code: str
        title: str
        kind: CampaignKind
        national_section: str | None
        opened_on: date

    class Closed(Aggregate.Event):
        actor: Actor
        closed_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.closed_on = self.closed_on

    def __init__(
        self,
        actor: Actor,
        country: str,
        code: str,
        title: str,
        kind: CampaignKind,
        national_section: str | None,
        opened_on: date,
    ) -> None:
        self.country = country
        self.code = code
        self.title = title
        self.kind = CampaignKind(kind)
        self.national_section = national_section
        self.opened_on = opened_on
        self.closed_on: date | None = None

    @staticmethod
    def id_for(country: str, code: str) -> UUID:
        """The campaign's id, derived from the committee's country and the campaign code."""
        return derive_id("campaign", country, code)

    @classmethod
    def open(
        cls,
        *,
        country: str,
        code: str,
        title: str,
        kind: CampaignKind,
        national_section: str | None,
        on: date,
        actor: Actor,
    ) -> Campaign:
        """Open a campaign; agitation campaigns are held with the national section."""
        require_role(actor, Role.SECRETARY, action="opening a campaign")
        code = require_text(code, "campaign code")
        kind = CampaignKind(kind)
        section = national_section.strip() if national_section else None
        if kind is CampaignKind.AGITATION and not section:
            raise RuleBroken(
                "campaign.agitation_without_section",
                "an agitation campaign is held with the national section: name the section",
            )
        return cls._create(
            cls.Opened,
            id=cls.id_for(country, code),
            actor=actor,
            country=country,
            code=code,
            title=require_text(title, "campaign title"),
            kind=kind,
            national_section=section,
            opened_on=on,
        )

    @property
    def is_open(self) -> bool:
        """True until the campaign is closed."""
        return self.closed_on is None

    def require_open(self) -> None:
        """Refuse recording against a closed campaign."""
        if not self.is_open:
            raise RuleBroken(
                "campaign.closed",
                f"campaign {self.code!r} was closed on {self.closed_on}; open a new one",
            )

    def close(self, *, on: date, actor: Actor) -> None:
        """Close the campaign; later receipts must cite another."""
        require_role(actor, Role.SECRETARY, action="closing a campaign")
        self.require_open()
        if on < self.opened_on:
            raise RuleBroken(
                "campaign.closed_before_opened",
                f"campaign {self.code!r} opened on {self.opened_on}; it cannot close on {on}",
            )
        self.trigger_event(self.Closed, actor=actor, closed_on=on)
