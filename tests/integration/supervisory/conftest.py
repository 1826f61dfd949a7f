"""A German committee node running modified software, the liaison and the International.

The modified node saves whatever events it likes (``Bypass.record``): aggregates made through
the domain's own methods where those allow it, and crafted (``world.crafted`` or
``trigger_event``) where the real commands would refuse.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.campaign import Campaign, CampaignKind
from domain.committee import OrganisationType
from domain.money import Money
from domain.receipt import CashReceipt
from domain.roles import Actor, Role
from federation.node.base import NodeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind
from tests.conftest import SettingsFactory
from tests.support import liaison_story as story
from tests.support.relay import relay

SECRETARY = Actor("Clara Zetkin", Role.SECRETARY)
TREASURER = Actor("Hugo Eberlein", Role.TREASURER)
PAYMASTER = Actor("Emil Eichhorn", Role.TREASURER)
AT_YEAR_END = date(1922, 12, 31)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


@dataclass
class Bypass:
    """The modified German node ("DE"), the liaison and the International."""

    node: NodeApplication
    liaison: LiaisonApplication
    intl: InternationalApplication

    def record(self, *aggregates: Any) -> None:
        """Save on the modified node and deliver to the liaison and the International."""
        self.node.save(*aggregates)
        relay(self.node, self.liaison)
        relay(self.node, self.intl)

    def decide(self) -> None:
        """Deliver the liaison's decisions to the International."""
        relay(self.liaison, self.intl)

    def found(self, rule: str, as_of: date = AT_YEAR_END) -> list[dict[str, Any]]:
        """The exceptions of ``rule`` the International finds."""
        return self.intl.supervisory.rules.exceptions(as_of=as_of, rule=rule)

    def campaign(self, code: str, kind: CampaignKind = CampaignKind.COLLECTION) -> Campaign:
        """The campaign ``code``, opened the first time it is named."""
        if self.node.exists(Campaign.id_for("DE", code)):
            found: Campaign = self.node.repository.get(Campaign.id_for("DE", code))
            return found
        campaign = Campaign.open(
            country="DE",
            code=code,
            title=code,
            kind=kind,
            national_section="KPD",
            on=date(1922, 1, 2),
            actor=SECRETARY,
        )
        self.record(campaign)
        return campaign

    def receive(
        self, campaign: Campaign, amount: Money, on: date = date(1922, 1, 10), **kw: Any
    ) -> CashReceipt:
        receipt = CashReceipt.receive(
            receipt_id=kw.pop("receipt_id", None) or uuid4(),
            campaign_id=campaign.id,
            contributor=kw.pop("contributor", "Deutscher Metallarbeiter-Verband"),
            organisation_type=OrganisationType.TRADE_UNION,
            amount=amount,
            value_date=on,
            actor=TREASURER,
            **kw,
        )
        self.record(receipt)
        return receipt


@pytest.fixture(params=["memory", "sqlite"])
def persistence(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def bypass(node_settings: SettingsFactory) -> Iterator[Bypass]:
    node = NodeApplication(node_settings("DE"))
    liaison = LiaisonApplication(node_settings("RU-LIAISON", NodeKind.LIAISON))
    intl = InternationalApplication(node_settings("INTL", NodeKind.INTERNATIONAL))
    story.register_agencies(liaison)
    relay(liaison, intl)
    try:
        yield Bypass(node, liaison, intl)
    finally:
        for app in (node, liaison, intl):
            app.close()
