"""Properties of a committee's books over any sequence of valid commands (hypothesis).

Whatever receipts, reversals, pledges and transfers happen, in whatever order: money is conserved
per currency (what came in is on hand, committed, in transit or transferred — never created or
lost), the books equal the sum of the stored events, and pledges never count as money.
"""

from __future__ import annotations

import os
from collections import defaultdict
from contextlib import suppress
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.committee import OrganisationType
from domain.errors import DomainError
from domain.money import Money
from domain.pledge import Instalment
from domain.receipt import CashReceipt, Reversible
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.settings import Settings
from tests.support import liaison_story as story
from tests.support.story import CAMPAIGN, SECOND_TREASURER, SECRETARY, TREASURER

CURRENCIES = ("USD", "FRF", "GBP")
ON = date(1922, 3, 1)

# Few, colliding amounts: transfers then spend exactly what came in, reversals meet transfers.
cents = st.one_of(st.sampled_from([100, 250, 1_000, 5_000_000]), st.integers(1, 500_000))
command = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from(CURRENCIES), cents),
    st.tuples(st.just("reverse"), st.integers(0, 30)),
    st.tuples(st.just("pledge"), st.sampled_from(CURRENCIES), cents),
    st.tuples(st.just("transfer"), st.sampled_from(CURRENCIES), cents, st.integers(0, 3)),
)
PROPERTY = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "30")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def money(currency: str, minor: int) -> Money:
    places = 2
    return Money.of(str(Decimal(minor).scaleb(-places)), currency)


class Ledger:
    """The commands accepted, as a model: what each currency should show."""

    def __init__(self) -> None:
        self.received: dict[str, Decimal] = defaultdict(Decimal)
        self.pledged: dict[str, Decimal] = defaultdict(Decimal)
        self.left: dict[str, Decimal] = defaultdict(Decimal)  # committed, in transit or sent
        self.receipts: list[tuple[UUID, Money]] = []


def run(app: CommitteeApplication, commands: list[tuple[Any, ...]]) -> Ledger:
    ledger = Ledger()
    ledger.received["USD"] += Decimal("50000.00")  # the founding receipt
    for step in commands:
        with suppress(DomainError):  # refused: nothing recorded, the model does not move
            apply(app, ledger, step)
    return ledger


def apply(app: CommitteeApplication, ledger: Ledger, step: tuple[Any, ...]) -> None:
    kind = step[0]
    if kind == "receive":
        amount = money(step[1], step[2])
        line = CashReceiptLine(CAMPAIGN, "Local 22", OrganisationType.TRADE_UNION, amount, ON)
        receipt_id = UUID(app.record_cash_receipt(TREASURER, line)["receipt_id"])
        ledger.receipts.append((receipt_id, amount))
        ledger.received[amount.currency] += amount.amount
    elif kind == "reverse" and step[1] < len(ledger.receipts):
        receipt_id, amount = ledger.receipts.pop(step[1])
        app.reverse_receipt(TREASURER, receipt_id=receipt_id, reason="entered twice", on=ON)
        ledger.received[amount.currency] -= amount.amount
    elif kind == "pledge":
        total = money(step[1], step[2])
        app.record_pledge(
            TREASURER,
            campaign_code=CAMPAIGN,
            pledger="Cooperative of Lyon",
            organisation_type=OrganisationType.COOPERATIVE,
            total=total,
            schedule=[Instalment(date(1922, 6, 1), total)],
            on=ON,
        )
        ledger.pledged[total.currency] += total.amount
    elif kind == "transfer":
        transfer(app, ledger, money(step[1], step[2]), stage=step[3])


def transfer(app: CommitteeApplication, ledger: Ledger, amount: Money, stage: int) -> None:
    """Initiate, then perhaps countersign, send, or cancel: the money leaves once committed."""
    done = app.initiate_transfer(
        TREASURER, recipient="INTL", amount=amount, purpose="tractors", on=ON
    )
    transfer_id = UUID(done["transfer_id"])
    ledger.left[amount.currency] += amount.amount
    if stage == 0:
        app.cancel_transfer(SECRETARY, transfer_id=transfer_id, reason="not now")
        ledger.left[amount.currency] -= amount.amount
        return
    app.countersign_transfer(SECRETARY, transfer_id=transfer_id)
    if stage >= 2:
        app.send_transfer(SECOND_TREASURER, transfer_id=transfer_id, on=ON)


def from_events(app: CommitteeApplication) -> dict[str, Decimal]:
    """Cash received per currency, summed from the stored events themselves."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    amounts: dict[UUID, Money] = {}
    for notification in app.recorder.select_notifications(start=1, limit=100_000):
        event = app.mapper.to_domain_event(notification)
        if isinstance(event, CashReceipt.Received):
            amounts[event.originator_id] = event.amount
            totals[event.amount.currency] += event.amount.amount
        elif isinstance(event, Reversible.Reversed) and event.originator_id in amounts:
            reversed_amount = amounts[event.originator_id]
            totals[reversed_amount.currency] -= reversed_amount.amount
    return totals


@PROPERTY
@given(commands=st.lists(command, max_size=25))
def test_money_is_conserved_per_currency_and_pledges_never_count(
    commands: list[tuple[Any, ...]],
) -> None:
    app = CommitteeApplication(Settings(node_id="US", database="memory", mode="test"))
    try:
        story.found_committee(app)
        ledger = run(app, commands)
        events = from_events(app)
        for row in app.balances():
            code = row["currency"]
            received = Decimal(row["cash_received"])
            assert received == ledger.received[code] == events[code], row
            # Conservation: every unit received is available, committed, in transit or sent.
            accounted = (
                Decimal(row["available"])
                + Decimal(row["committed"])
                + Decimal(row["in_transit"])
                + Decimal(row["transferred"])
            )
            assert accounted == received, row
            assert received - Decimal(row["available"]) == ledger.left[code], row
            # Pledges are shown apart and never enter what was received.
            assert Decimal(row["pledged"]) == ledger.pledged[code], row
        shown = {row["currency"] for row in app.balances()}
        assert {c for c, v in ledger.received.items() if v} <= shown
    finally:
        app.close()
