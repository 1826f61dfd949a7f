"""The liaison's node on memory, SQLite and PostgreSQL, following a real committee node.

The American committee consults, procures, nominates and transfers on its own node; its events
reach the liaison through the ingest door, and the liaison decides only on what has arrived.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from domain.decisions import OpinionVerdict
from domain.errors import RuleBroken
from federation.node.liaison import LiaisonApplication
from projections import liaison_records
from tests.conftest import SettingsFactory
from tests.support.liaison_steps import deliver, grant, produce, receive
from tests.support.liaison_story import (
    LIAISON_OFFICER,
    TOIKINO,
    UNION_REP,
    World,
    procure,
    sync,
    usd,
)
from tests.support.liaison_story import world as story_world
from tests.support.relay import relay
from tests.support.story import SECRETARY, TREASURER


@pytest.fixture
def world(node_settings: SettingsFactory) -> Iterator[World]:
    with story_world(node_settings) as told:
        yield told


def event_count(app: LiaisonApplication) -> int:
    return int(app.db.scalar("SELECT COUNT(*) FROM log_positions"))


# --- what the liaison allows ---------------------------------------------------------------


def test_the_registry_keeps_unions_under_their_central_council(world: World) -> None:
    liaison = world.liaison
    unions = liaison.agencies(kind="trade_union")
    assert [(a["code"], a["parent_code"]) for a in unions] == [
        ("METALLIST", "VTSSPS"),
        ("VTSSPS", None),
    ]
    liaison.deregister_agency(
        LIAISON_OFFICER, code="metallist", reason="merged", on=date(1923, 1, 1)
    )
    assert [a["code"] for a in liaison.agencies(active=False)] == ["METALLIST"]
    assert [a["code"] for a in liaison.agencies(parent_code="vtssps")] == ["METALLIST"]


def test_tractors_go_from_consultation_to_an_enterprise_in_production(world: World) -> None:
    committee, liaison = world.committee, world.liaison
    [answered, asked] = liaison.consultations(country="US")
    assert (answered["opinion_status"], answered["verdict"], answered["ceiling"]) == (
        "answered",
        "concur",
        "30000.00",
    )
    assert (asked["opinion_status"], asked["agency_code"]) == ("awaiting_opinion", "NARKOMZEM")
    delivered = liaison.confirm_delivery(
        LIAISON_OFFICER,
        procurement_id=world.shipped,
        delivered_on=date(1922, 6, 20),
        on=date(1922, 6, 22),
    )
    assert delivered["enterprise"] == TOIKINO
    liaison.bring_enterprise_into_production(
        LIAISON_OFFICER, name=TOIKINO, procurement_ids=[world.shipped], on=date(1922, 7, 1)
    )
    sync(committee, liaison)
    committee.note_delivery(SECRETARY, procurement_id=world.shipped)
    assert committee.note_production(SECRETARY, procurement_id=world.shipped)["status"] == (
        "in_production"
    )
    statuses = {p["reference"]: p["status"] for p in liaison.procurements()}
    assert statuses == {"PO-17": "in_production", "PO-18": "committed"}
    [delivery] = liaison.deliveries()
    assert (delivery["procurement_reference"], delivery["delivered_on"]) == ("PO-17", "1922-06-20")
    [toikino] = liaison.enterprises()
    assert toikino["procurement_ids"] == [str(world.shipped)]


def test_an_opinion_is_revised_then_withdrawn_and_the_committee_sees_each(world: World) -> None:
    committee, liaison = world.committee, world.liaison
    relay(committee, liaison)
    liaison.record_opinion(
        LIAISON_OFFICER,
        consultation_id=world.asked,
        agency_code="narkomzem",
        verdict=OpinionVerdict.CONCUR_WITH_CONDITIONS,
        conditions="tractors with spare parts for two seasons",
        ceiling=usd("12000.00"),
        valid_until=date(1922, 9, 30),
        on=date(1922, 3, 12),
    )
    revised = liaison.revise_opinion(
        LIAISON_OFFICER,
        consultation_id=world.asked,
        verdict=OpinionVerdict.CONCUR,
        valid_until=date(1922, 12, 31),
        on=date(1922, 4, 2),
    )
    assert (revised["verdict"], revised["valid_until"]) == ("concur", "1922-12-31")
    liaison.withdraw_opinion(
        LIAISON_OFFICER, consultation_id=world.asked, reason="harvest failed", on=date(1922, 8, 1)
    )
    opinion = next(o for o in liaison.opinions() if o["consultation_id"] == str(world.asked))
    assert (opinion["revisions"], opinion["withdrawn_on"], opinion["ceiling"]) == (
        1,
        "1922-08-01",
        None,
    )
    relay(liaison, committee)
    with pytest.raises(RuleBroken) as refused:
        procure(committee, "PO-19", "FSR-1922-04", amount="100.00", ship=False)
    assert refused.value.code == "procurement.opinion_withdrawn"
    assert liaison.consultations(opinion_status="withdrawn")[0]["reference"] == "FSR-1922-04"


def test_the_metalworkers_union_approves_and_the_committee_notes_it(world: World) -> None:
    committee, liaison = world.committee, world.liaison
    granted = liaison.grant_union_approval(
        UNION_REP, nomination_id=world.awaiting, union_code="METALLIST", on=date(1922, 5, 1)
    )
    assert granted["decision"] == "granted"
    relay(liaison, committee)
    assert committee.note_union_decision(SECRETARY, nomination_id=world.awaiting)["status"] == (
        "approved"
    )
    statuses = {n["reference"]: n["status"] for n in liaison.nominations()}
    assert statuses == {"SP-1": "granted", "SP-2": "approval_not_requested"}
    [decision] = liaison.union_decisions(union_code="metallist")
    assert (decision["person"], decision["decided_by"]) == ("Harold Ware", "Mikhail Tomsky")


def test_a_union_refuses_with_its_reason(world: World) -> None:
    refused = world.liaison.refuse_union_approval(
        UNION_REP,
        nomination_id=world.awaiting,
        union_code="METALLIST",
        reason="the Perm works can train a mechanic locally",
        on=date(1922, 5, 1),
    )
    assert refused["decision"] == "refused"
    relay(world.liaison, world.committee)
    assert world.committee.note_union_decision(SECRETARY, nomination_id=world.awaiting)[
        "status"
    ] == ("refused")


def test_a_transfer_is_confirmed_with_what_arrived(world: World) -> None:
    committee, liaison = world.committee, world.liaison
    confirmed = liaison.confirm_transfer_receipt(
        LIAISON_OFFICER, transfer_id=world.sent, received=usd("985.00"), on=date(1922, 6, 30)
    )
    assert (confirmed["receiver"], confirmed["received"]) == ("NARKOMZEM", "985.00 USD")
    [receipt] = liaison.transfer_receipts()
    assert (receipt["sent"], receipt["received"], receipt["sender"]) == ("1000.00", "985.00", "US")
    statuses = {t["recipient"]: t["status"] for t in liaison.transfers()}
    assert statuses == {
        "NARKOMZEM": "confirmed",
        "People's Commissariat of Agriculture": "initiated",
        "INTL": "in_transit",
    }
    relay(liaison, committee)
    noted = committee.note_transfer_receipt(
        TREASURER, transfer_id=world.sent, receiver="RU-LIAISON"
    )
    assert noted["difference"] == "15.00 USD"


def test_the_records_rebuild_from_zero_to_the_same_rows(world: World) -> None:
    deliver(world, world.shipped)
    produce(world, world.shipped)
    grant(world, world.awaiting)
    receive(world, world.sent)
    world.liaison.records.catch_up()
    tables = [t.name for t in liaison_records.TABLES]
    live = {t: world.liaison.db.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}
    with world.liaison.db.transaction() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM projection_positions WHERE projection = 'liaison_records'")
    world.liaison.records.catch_up()
    assert {t: world.liaison.db.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables} == live
    assert all(live.values())
