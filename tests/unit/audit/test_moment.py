"""Which events a replay as of a moment includes: the day each event happened, and the forms
the auditor gives a moment in."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from domain.committee import OrganisationType
from domain.money import Money
from domain.receipt import CashReceipt
from domain.roles import Actor, Role
from domain.transfer import Transfer
from projections.audit.moment import Moment, MomentError, happened_on, parse_at, parse_instant

TREASURER = Actor("Hugo Eberlein", Role.TREASURER)
SECRETARY = Actor("Clara Zetkin", Role.SECRETARY)
PAYMASTER = Actor("Emil Eichhorn", Role.TREASURER)


def receipt(on: date) -> list[object]:
    made = CashReceipt.receive(
        receipt_id=uuid4(),
        campaign_id=uuid4(),
        contributor="Deutscher Metallarbeiter-Verband",
        organisation_type=OrganisationType.TRADE_UNION,
        amount=Money.of("400000.00", "XPM"),
        value_date=on,
        actor=TREASURER,
    )
    made.reverse(reason="counted twice", on=on + timedelta(days=20), actor=TREASURER)
    return list(made.collect_events())


def transfer(initiated: date, sent: date) -> list[object]:
    made = Transfer.initiate(
        transfer_id=uuid4(),
        sender="DE",
        recipient="INTL",
        amount=Money.of("300000.00", "XPM"),
        available=Money.of("500000.00", "XPM"),
        purpose="for the tractor column",
        on=initiated,
        actor=TREASURER,
    )
    made.countersign(actor=SECRETARY)
    made.send(on=sent, actor=PAYMASTER)
    return list(made.collect_events())


def test_an_event_happened_on_its_value_date_or_its_own_date() -> None:
    received, reversed_ = receipt(date(1922, 3, 10))
    assert happened_on(received) == date(1922, 3, 10)
    assert happened_on(reversed_) == date(1922, 3, 30)


def test_an_undated_event_happened_when_its_aggregate_last_acted() -> None:
    initiated, countersigned, sent = transfer(date(1922, 3, 28), date(1922, 4, 1))
    assert happened_on(countersigned) is None
    moment = Moment(as_of_value_date=date(1922, 3, 31))
    included = [
        moment.includes("DE", n, e) for n, e in enumerate([initiated, countersigned, sent], 1)
    ]
    # Countersigned with no date of its own: on the day it was initiated, within the cut-off.
    assert included == [True, True, False]


def test_a_reversal_after_the_cut_off_is_not_included_but_the_receipt_is() -> None:
    received, reversed_ = receipt(date(1922, 3, 10))
    moment = Moment(as_of_value_date=date(1922, 3, 25))
    assert moment.includes("DE", 1, received)
    assert not moment.includes("DE", 2, reversed_)


def test_as_known_at_uses_the_recording_time() -> None:
    received, _ = receipt(date(1922, 3, 10))
    assert Moment(as_known_at=datetime.now(UTC)).includes("DE", 1, received)
    assert not Moment(as_known_at=datetime.now(UTC) - timedelta(hours=1)).includes(
        "DE", 1, received
    )


def test_per_node_sizes_stop_only_the_named_nodes() -> None:
    received, _ = receipt(date(1922, 3, 10))
    moment = Moment(at=parse_at("de=2, FR=0"))
    assert moment.at == {"DE": 2, "FR": 0}
    assert moment.includes("DE", 2, received)
    assert not moment.includes("DE", 3, received)
    assert not moment.includes("FR", 1, received)
    assert moment.includes("US", 900, received)


@pytest.mark.parametrize("text", ["DE", "DE=", "=12", "DE=twelve", "DE=-1", ","])
def test_a_malformed_size_list_is_refused(text: str) -> None:
    with pytest.raises(MomentError):
        parse_at(text)


def test_an_instant_without_a_zone_is_utc_and_a_bad_one_refused() -> None:
    assert parse_instant("1923-03-31T12:00:00") == datetime(1923, 3, 31, 12, tzinfo=UTC)
    with pytest.raises(MomentError):
        parse_instant("31 March 1923")
