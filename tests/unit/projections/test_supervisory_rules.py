"""The compliance judgements and the figures, as pure functions of the projection's rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from projections.supervisory import consultations as cons
from projections.supervisory import exceptions_money as mx
from projections.supervisory.queries import figures

Row = dict[str, Any]


def procurement(**kw: Any) -> Row:
    row: Row = {
        "country": "US",
        "procurement_id": "p1",
        "reference": "PO-17",
        "consultation_id": "c1",
        "category": "machines",
        "agency_id": "narkomzem",
        "currency": "USD",
        "amount_minor": 2000000,
        "paid_minor": 2000000,
        "status": "committed",
        "committed_on": "1922-04-01",
        "consultation_reference": "FSR-1922-03",
        "consultation_category": "machines",
        "consultation_agency_id": "narkomzem",
        "ceiling_currency": "USD",
        "ceiling_minor": 3000000,
        "requested_on": "1922-03-01",
        "closed_on": None,
        "opinion_id": "o1",
        "opinion_agency_id": "narkomzem",
        "withdrawn_on": None,
    }
    return row | kw


def version(number: int, recorded_on: str, verdict: str = "concur", **kw: Any) -> Row:
    row: Row = {
        "opinion_id": "o1",
        "version": number,
        "verdict": verdict,
        "valid_until": "1922-12-31",
        "recorded_on": recorded_on,
        "ceiling_currency": None,
        "ceiling_minor": None,
    }
    return row | kw


CONCURRED = [version(1, "1922-03-10")]


def test_covered_by_a_prior_concurring_valid_opinion() -> None:
    assert cons.uncovered(procurement(), CONCURRED, 0) is None


def test_the_opinion_in_force_on_the_day_of_the_commitment_decides() -> None:
    revised = [version(1, "1922-03-10", "object"), version(2, "1922-03-20")]
    assert cons.uncovered(procurement(), revised, 0) is None
    assert "objected" in str(cons.uncovered(procurement(committed_on="1922-03-15"), revised, 0))
    tightened = [version(1, "1922-03-10"), version(2, "1922-05-01", "object")]
    assert cons.uncovered(procurement(), tightened, 0) is None


def test_reasons_a_procurement_is_not_covered() -> None:
    cases = {
        "was requested after": procurement(requested_on="1922-04-02"),
        "was closed on 1922-03-30": procurement(closed_on="1922-03-30"),
        "about another category": procurement(consultation_category="tools"),
        "held with another agency": procurement(consultation_agency_id="vsnkh"),
        "no opinion": procurement(opinion_id=None),
        "withdrawn on 1922-03-31": procurement(withdrawn_on="1922-03-31"),
        "in another currency": procurement(currency="FRF"),
        "no consultation of the committee": procurement(consultation_reference=None),
    }
    for why, row in cases.items():
        assert why in str(cons.uncovered(row, CONCURRED, 0)), why


def test_the_agencys_lower_ceiling_applies() -> None:
    lower = [version(1, "1922-03-10", ceiling_currency="USD", ceiling_minor=1500000)]
    assert "exceed its ceiling" in str(cons.uncovered(procurement(), lower, 0))
    assert cons.uncovered(procurement(), CONCURRED, 1000000) is None
    assert "exceed its ceiling" in str(cons.uncovered(procurement(), CONCURRED, 1000001))


def test_commitments_take_the_ceiling_in_the_order_made_and_cancelled_ones_free_it() -> None:
    first = procurement(procurement_id="p1", reference="PO-1", committed_on="1922-04-01")
    second = procurement(procurement_id="p2", reference="PO-2", committed_on="1922-04-02")
    verdicts = cons.judge([second, first], CONCURRED)
    assert verdicts[("US", "p1")] is None
    assert "ceiling" in str(verdicts[("US", "p2")])
    verdicts = cons.judge([second, first | {"status": "cancelled"}], CONCURRED)
    assert verdicts[("US", "p2")] is None


def test_coverage_is_the_share_of_spending_paid_under_cover() -> None:
    rows = [
        procurement(procurement_id="p1", paid_minor=2000000),
        procurement(procurement_id="p2", paid_minor=500000),
    ]
    [row] = cons.coverage(rows, {("US", "p1"): None, ("US", "p2"): "no opinion"})
    assert (row["paid_minor"], row["covered_minor"], row["procurements"]) == (2500000, 2000000, 2)


def transfer(**kw: Any) -> Row:
    row: Row = {
        "country": "DE",
        "transfer_id": "t1",
        "recipient": "RU-LIAISON",
        "currency": "USD",
        "amount_minor": 600000,
        "available_minor": 1000000,
        "initiated_on": "1922-05-02",
        "initiated_by": "Hugo Eberlein",
        "initiated_key": "hugo eberlein",
        "countersigned_by": "Clara Zetkin",
        "countersigned_key": "clara zetkin",
        "sent_by": "Emil Eichhorn",
        "sent_key": "emil eichhorn",
        "sent_on": "1922-05-03",
        "confirmed_on": None,
        "received_minor": None,
        "difference_minor": None,
        "initiated_ref": "t1/1",
        "countersigned_ref": "t1/2",
        "sent_ref": "t1/3",
        "confirmed_ref": None,
    }
    return row | kw


def test_in_transit_is_measured_to_the_arrival_or_to_the_day_asked() -> None:
    assert mx.transit_findings([transfer()], date(1922, 8, 1), 90) == []
    [late] = mx.transit_findings([transfer()], date(1922, 8, 2), 90)
    assert "91 days in transit" in late.detail
    arrived = transfer(confirmed_on="1922-06-01")
    assert mx.transit_findings([arrived], date(1923, 1, 1), 90) == []
    assert mx.transit_findings([transfer()], date(1922, 5, 1), 90) == []  # not yet sent


def test_a_difference_is_cured_only_by_booking_it_exactly() -> None:
    arrived = transfer(confirmed_on="1922-06-01", received_minor=594000)
    assert len(mx.difference_findings([arrived])) == 1
    assert mx.difference_findings([arrived | {"difference_minor": 6000}]) == []
    assert len(mx.difference_findings([arrived | {"difference_minor": 5000}])) == 1


def test_three_different_people_sign() -> None:
    assert mx.single_signed_findings([transfer()]) == []
    one = transfer(countersigned_key="hugo eberlein", countersigned_by="Hugo Eberlein")
    assert "countersigned by its initiator" in mx.single_signed_findings([one])[0].detail


def test_administration_within_its_share() -> None:
    paid = [{"country": "DE", "currency": "USD", "paid_minor": 200000, "committed_ref": "a/1"}]
    received = {("DE", "USD"): 1000000}
    assert mx.administration_findings(paid, received, Decimal("0.20")) == []
    [over] = mx.administration_findings(paid, received, Decimal("0.19"))
    assert "above the limit of 19 % of income" in over.detail
    assert over.events == (("DE", "a/1"),)


def test_figures_follow_the_boundary_and_never_count_pledges_or_loans_as_income() -> None:
    got = figures(
        {
            "received": 500,
            "in_kind": 30,
            "pledged": 200,
            "pledge_settled": 50,
            "loan_subscribed": 175,
            "loan_redeemed": 25,
            "transferred_internal": 300,
            "in_transit_outgoing": 60,
            "spent_procurement": 100,
            "committed": 10,
        }
    )
    assert (got["incoming"], got["internal"], got["outgoing"]) == (530, 300, 160)
    assert (got["pledges_outstanding"], got["loan_outstanding"]) == (150, 150)
    assert got["cash_on_hand"] == 500 + 175 - 25 - 300 - 60 - 100
    assert got["available"] == got["cash_on_hand"] - 10


def test_a_figure_missing_a_rate_is_none_and_so_is_what_is_built_from_it() -> None:
    got = figures({"received": None, "in_kind": Decimal("99.00")})
    assert (got["received"], got["incoming"], got["cash_on_hand"]) == (None, None, None)
    assert got["in_kind"] == Decimal("99.00")
