"""The committees' transactions as an IATI activity file (standard 2.03).

One ``iati-activity`` per committee, its transactions typed with the IATI TransactionType codes:
1 incoming funds (cash and goods received; loan money with finance type 410, a loan), 2 outgoing
commitment (procurement committed), 3 disbursement (transfer sent), 4 expenditure (procurement
paid, emigration funded), 5 interest payment (loan coupon), 6 loan repayment (principal
redeemed), 13 incoming pledge (pledge recorded). Every value carries its currency and value date.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from domain.loan import LoanSubscription
from domain.money import Money
from domain.pledge import Pledge
from domain.procurement import Procurement
from domain.receipt import CashReceipt, InKindReceipt
from domain.specialist import SpecialistNomination
from domain.transfer import Transfer

PREFIX = "XM-AIDFED"


@dataclass(frozen=True, slots=True)
class Transaction:
    """One IATI transaction of a committee."""

    code: int
    money: Money
    day: date
    description: str
    provider: str | None = None
    receiver: str | None = None
    finance_type: str | None = None


def transaction(event: Any, sent: dict[str, Transfer.Initiated]) -> Transaction | None:
    """The IATI transaction an event of a committee makes, if any."""
    match event:
        case CashReceipt.Received():
            return Transaction(1, event.amount, event.value_date, "collection", event.contributor)
        case InKindReceipt.Received():
            return Transaction(
                1,
                event.valuation,
                event.value_date,
                f"in kind: {event.description}",
                event.contributor,
            )
        case LoanSubscription.Recorded():
            return Transaction(
                1,
                event.amount,
                event.subscribed_on,
                "workers' loan subscription",
                event.subscriber,
                finance_type="410",
            )
        case Pledge.Recorded():
            return Transaction(13, event.total, event.pledged_on, "pledge", event.pledger)
        case Procurement.Committed():
            return Transaction(
                2, event.amount, event.committed_on, event.description, receiver=event.supplier
            )
        case Procurement.Paid():
            return Transaction(4, event.amount, event.paid_on, "procurement payment")
        case SpecialistNomination.EmigrationFunded():
            return Transaction(4, event.amount, event.funded_on, "specialist's emigration")
        case LoanSubscription.CouponPaid():
            return Transaction(5, event.amount, event.paid_on, f"loan coupon, year {event.year}")
        case LoanSubscription.PrincipalRedeemed():
            return Transaction(6, event.amount, event.redeemed_on, "loan principal redeemed")
        case Transfer.Sent():
            initiated = sent.get(str(event.originator_id))
            if initiated is None:
                return None
            return Transaction(
                3, initiated.amount, event.sent_on, initiated.purpose, receiver=initiated.recipient
            )
    return None


def activities(committees: Mapping[str, Iterable[Any]], reporting_org: str) -> bytes:
    """The IATI activities XML of each committee's events (country -> events in log order)."""
    root = ET.Element(
        "iati-activities",
        {"version": "2.03", "generated-datetime": datetime.now(UTC).isoformat(timespec="seconds")},
    )
    for country, events in committees.items():
        _activity(root, country, events, reporting_org)
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def _activity(root: ET.Element, country: str, events: Iterable[Any], reporting_org: str) -> None:
    activity = ET.SubElement(root, "iati-activity", {"default-currency": "USD"})
    ET.SubElement(activity, "iati-identifier").text = f"{PREFIX}-{country}"
    org = ET.SubElement(activity, "reporting-org", {"ref": f"{PREFIX}-INTL", "type": "21"})
    ET.SubElement(org, "narrative").text = reporting_org
    title = ET.SubElement(activity, "title")
    ET.SubElement(title, "narrative").text = f"Workers' aid committee {country}"
    ET.SubElement(activity, "activity-status", {"code": "2"})
    participating = ET.SubElement(activity, "participating-org", {"role": "2", "type": "22"})
    ET.SubElement(participating, "narrative").text = f"National committee {country}"
    ET.SubElement(activity, "recipient-country", {"code": "RU", "percentage": "100"})
    initiated: dict[str, Transfer.Initiated] = {}
    for event in events:
        if isinstance(event, Transfer.Initiated):
            initiated[str(event.originator_id)] = event
        if (t := transaction(event, initiated)) is not None:
            _transaction(activity, t)


def _transaction(activity: ET.Element, t: Transaction) -> None:
    element = ET.SubElement(activity, "transaction")
    ET.SubElement(element, "transaction-type", {"code": str(t.code)})
    ET.SubElement(element, "transaction-date", {"iso-date": t.day.isoformat()})
    value = ET.SubElement(
        element, "value", {"currency": t.money.currency, "value-date": t.day.isoformat()}
    )
    value.text = str(t.money.amount)
    description = ET.SubElement(element, "description")
    ET.SubElement(description, "narrative").text = t.description
    for tag, name in (("provider-org", t.provider), ("receiver-org", t.receiver)):
        if name:
            ET.SubElement(ET.SubElement(element, tag), "narrative").text = name
    if t.finance_type:
        ET.SubElement(element, "finance-type", {"code": t.finance_type})
