"""A committee node with a few hundred real events, for the signed log's tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from domain.campaign import CampaignKind
from domain.committee import OrganisationType
from domain.money import Money
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.settings import Settings

SECRETARY = Context(Actor("Caleb Harrison", Role.SECRETARY))
TREASURER = Context(Actor("Alfred Wagenknecht", Role.TREASURER))
CAMPAIGN = "famine-relief-1922"


def settings(database: str, data_dir: Path, node_id: str = "US") -> Settings:
    """A committee node's settings on SQLite ('sqlite'), in memory, or a PostgreSQL URL."""
    return Settings(
        node_id=node_id, name=f"node {node_id}", data_dir=data_dir, database=database, mode="test"
    )


def founded(app: CommitteeApplication) -> None:
    """Constitute the committee and open its campaign (2 events)."""
    app.constitute(
        SECRETARY, name="Friends of Soviet Russia", national_section="WPA", on=date(1921, 8, 9)
    )
    app.open_campaign(
        SECRETARY,
        code=CAMPAIGN,
        title="Famine relief",
        on=date(1921, 8, 10),
        kind=CampaignKind.COLLECTION,
        national_section=None,
    )


def receipts(app: CommitteeApplication, count: int, tag: str) -> None:
    """Record `count` cash receipts in one transaction (one event each)."""
    lines = [
        CashReceiptLine(
            campaign_code=CAMPAIGN,
            contributor=f"Local {n} ({tag})",
            organisation_type=OrganisationType.TRADE_UNION,
            amount=Money.of(f"{n % 50 + 1}.25", "USD"),
            value_date=date(1922, 3, 1),
            reference=f"{tag}-{n}",
        )
        for n in range(count)
    ]
    app.record_cash_receipts(TREASURER, lines)


def story(app: CommitteeApplication, batches: int = 6, size: int = 50) -> int:
    """Found the committee and record batches of receipts, signing a checkpoint after each."""
    founded(app)
    app.signed_log.checkpoint()
    for batch in range(batches):
        receipts(app, size, f"b{batch}")
        app.signed_log.checkpoint()
    return 2 + batches * size
