"""The workers' loan: issued by the International, subscribed through the committees."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import InvalidInput, NotPermitted
from domain.loan import (
    Certificate,
    LoanIssue,
    LoanSubscription,
    LoanTerms,
    SubscriberType,
    fewest_pieces,
)
from domain.money import Money
from tests.unit.domain import (
    SECRETARY,
    SUPERVISOR,
    TREASURER,
    day,
    refused,
    replayed,
    topics,
)

NAME = "Internationale Arbeiteranleihe 1922"
FACES = [Money.of(a, c) for a, c in [("100", "FRF"), ("25", "FRF"), ("10", "USD"), ("50", "USD")]]


def authorise(**changes: Any) -> LoanIssue:
    kwargs: dict[str, Any] = {
        "code": "IAA-1922",
        "name": NAME,
        "coupon_rate": Decimal("0.05"),
        "term_years": 10,
        "denominations": FACES,
        "on": day(8, 22),
        "actor": SUPERVISOR,
    }
    kwargs.update(changes)
    return LoanIssue.authorise(**kwargs)


TERMS = authorise().terms()


def subscribe(amount: str = "125", code: str = "FRF", **changes: Any) -> LoanSubscription:
    kwargs: dict[str, Any] = {
        "country": "FR",
        "reference": "IAA-FR-0042",
        "terms": TERMS,
        "subscriber": "Fédération des métaux, Paris",
        "subscriber_type": SubscriberType.TRADE_UNION,
        "amount": Money.of(amount, code),
        "on": day(10, 1),
        "actor": TREASURER,
    }
    kwargs.update(changes)
    return LoanSubscription.record(**kwargs)


def bonds(subscription: LoanSubscription) -> list[Certificate]:
    faces = subscription.terms.breakdown(subscription.amount)
    return [Certificate(f"FR-{n:05d}", face) for n, face in enumerate(faces, start=1)]


# --- splitting into bonds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "pieces", "split"),
    [
        (125, [25, 100], {100: 1, 25: 1}),
        (130, [25, 100], None),
        (0, [25, 100], {}),
        (6, [1, 3, 4], {3: 2}),
        (7, [3, 5], None),
        (8, [3, 5], {5: 1, 3: 1}),
        (500, [100, 25], {100: 5}),
    ],
)
def test_the_fewest_bonds_make_up_an_amount(
    amount: int, pieces: list[int], split: dict[int, int] | None
) -> None:
    assert fewest_pieces(amount, pieces) == split


def test_a_huge_amount_is_split_without_searching_all_of_it() -> None:
    assert fewest_pieces(10**15 + 2500, [2500, 10000]) == {10000: 10**11, 2500: 1}


def test_the_terms_propose_the_fewest_bonds_largest_first() -> None:
    assert TERMS.bonds_for(Money.of("225", "FRF")) == {
        Money.of("100", "FRF"): 2,
        Money.of("25", "FRF"): 1,
    }
    assert TERMS.breakdown(Money.of("70", "USD")) == (
        Money.of("50", "USD"),
        Money.of("10", "USD"),
        Money.of("10", "USD"),
    )


# --- the issue ---------------------------------------------------------------------------------


def test_a_supervisor_authorises_the_issue_with_its_terms() -> None:
    issue = authorise(code="iaa-1922")
    assert issue.id == LoanIssue.id_for("IAA-1922")
    terms = replayed(issue).terms()
    assert (terms.issue_id, terms.coupon_rate, terms.term_years) == (
        issue.id,
        Decimal("0.05"),
        10,
    )
    assert terms.denominations_in("FRF") == (Money.of("25", "FRF"), Money.of("100", "FRF"))
    assert topics(issue) == ["LoanIssue.Authorised"]


def test_only_a_supervisor_authorises_an_issue() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        authorise(actor=TREASURER)


@pytest.mark.parametrize("rate", [0.05, Decimal("0"), Decimal("1"), Decimal("NaN"), "0.05"])
def test_the_coupon_rate_is_an_exact_fraction(rate: Any) -> None:
    with refused("loan.invalid_coupon_rate", error=InvalidInput):
        authorise(coupon_rate=rate)


@pytest.mark.parametrize("term", [0, True, 10.0])
def test_the_term_is_whole_years(term: Any) -> None:
    with refused("loan.invalid_term", error=InvalidInput):
        authorise(term_years=term)


def test_an_issue_has_distinct_positive_face_values() -> None:
    with refused("loan.no_denominations", error=InvalidInput):
        authorise(denominations=[])
    with refused("loan.duplicate_denomination", error=InvalidInput):
        authorise(denominations=[Money.of("25", "FRF"), Money.of("25.00", "FRF")])
    with refused("money.not_positive"):
        authorise(denominations=[Money.of("0", "FRF")])


def test_terms_decoded_with_a_list_of_face_values_keep_a_tuple() -> None:
    faces: Any = list(FACES)
    terms = LoanTerms(TERMS.issue_id, NAME, Decimal("0.05"), 10, faces, day(8, 22))
    assert isinstance(terms.denominations, tuple)


# --- subscriptions -----------------------------------------------------------------------------


def test_a_subscription_of_whole_bonds_is_a_liability_to_the_subscriber() -> None:
    subscription = subscribe()
    assert subscription.id == LoanSubscription.id_for("FR", "IAA-FR-0042")
    assert subscription.outstanding_principal == Money.of("125", "FRF")
    assert subscription.terms == TERMS
    assert topics(subscription) == ["LoanSubscription.Recorded"]


def test_an_amount_that_is_no_sum_of_bonds_is_refused() -> None:
    with refused("loan.not_in_denominations"):
        subscribe("130")
    with refused("loan.not_in_denominations"):
        subscribe("15", "USD")
    assert subscribe("60", "USD").amount == Money.of("60", "USD")


def test_a_currency_the_loan_is_not_issued_in_is_refused() -> None:
    with refused("loan.currency_not_issued"):
        subscribe("100", "GBP")


def test_no_subscription_before_the_issue_is_authorised() -> None:
    with refused("loan.before_authorisation"):
        subscribe(on=day(8, 21))


def test_a_subscription_is_above_zero() -> None:
    with refused("money.not_positive"):
        subscribe("0")


def test_only_a_treasurer_records_a_subscription() -> None:
    with refused("role.not_permitted", error=NotPermitted):
        subscribe(actor=SECRETARY)


# --- certificates ------------------------------------------------------------------------------


def test_certificates_are_issued_one_per_bond() -> None:
    subscription = subscribe()
    subscription.issue_certificates(
        certificates=bonds(subscription), on=day(10, 2), actor=TREASURER
    )
    issued = replayed(subscription).certificates
    assert [(c.number, c.face_value) for c in issued] == [
        ("FR-00001", Money.of("100", "FRF")),
        ("FR-00002", Money.of("25", "FRF")),
    ]
    assert topics(subscription)[-1] == "LoanSubscription.CertificatesIssued"


def test_five_25_franc_bonds_are_as_good_as_one_100_and_one_25() -> None:
    subscription = subscribe()
    five = [Certificate(f"FR-1{n}", Money.of("25", "FRF")) for n in range(5)]
    subscription.issue_certificates(certificates=five, on=day(10, 2), actor=TREASURER)
    assert len(subscription.certificates) == 5


def test_certificates_are_issued_once() -> None:
    subscription = subscribe()
    subscription.issue_certificates(
        certificates=bonds(subscription), on=day(10, 2), actor=TREASURER
    )
    with refused("loan.certificates_already_issued", subscription):
        subscription.issue_certificates(
            certificates=bonds(subscription), on=day(10, 3), actor=TREASURER
        )


def test_a_certificate_has_a_face_value_of_the_issue() -> None:
    subscription = subscribe()
    fifty = [Certificate("FR-1", Money.of("50", "FRF")), Certificate("FR-2", Money.of("75", "FRF"))]
    with refused("loan.not_in_denominations", subscription):
        subscription.issue_certificates(certificates=fifty, on=day(10, 2), actor=TREASURER)


def test_the_certificates_make_up_the_subscription() -> None:
    subscription = subscribe()
    short = [Certificate("FR-1", Money.of("100", "FRF"))]
    with refused("loan.certificates_do_not_sum", subscription):
        subscription.issue_certificates(certificates=short, on=day(10, 2), actor=TREASURER)


def test_a_certificate_number_is_used_once() -> None:
    subscription = subscribe()
    twice = [
        Certificate("FR-1", Money.of("100", "FRF")),
        Certificate("FR-1", Money.of("25", "FRF")),
    ]
    with refused("loan.duplicate_certificate_number", subscription, InvalidInput):
        subscription.issue_certificates(certificates=twice, on=day(10, 2), actor=TREASURER)


def test_only_a_treasurer_issues_certificates() -> None:
    subscription = subscribe()
    with refused("role.not_permitted", subscription):
        subscription.issue_certificates(
            certificates=bonds(subscription), on=day(10, 2), actor=SECRETARY
        )


# --- coupons and redemption --------------------------------------------------------------------


def test_the_coupon_is_the_principal_times_the_rate_exactly() -> None:
    subscription = subscribe()
    subscription.pay_coupon(
        year=1, amount=Money.of("6.25", "FRF"), on=day(10, 1, 1923), actor=TREASURER
    )
    assert replayed(subscription).coupons_paid == {1: Money.of("6.25", "FRF")}
    assert subscription.outstanding_principal == Money.of("125", "FRF")
    assert topics(subscription)[-1] == "LoanSubscription.CouponPaid"


@pytest.mark.parametrize("amount", [Money.of("6.00", "FRF"), Money.of("6.25", "USD")])
def test_a_wrong_coupon_is_refused(amount: Money) -> None:
    subscription = subscribe()
    with refused("loan.wrong_coupon", subscription):
        subscription.pay_coupon(year=1, amount=amount, on=day(10, 1, 1923), actor=TREASURER)


@pytest.mark.parametrize("year", [0, 11])
def test_a_coupon_falls_within_the_term(year: int) -> None:
    subscription = subscribe()
    with refused("loan.coupon_outside_term", subscription, InvalidInput):
        subscription.pay_coupon(
            year=year, amount=Money.of("6.25", "FRF"), on=day(10, 1, 1923), actor=TREASURER
        )


def test_a_coupon_is_paid_once_a_year() -> None:
    subscription = subscribe()
    subscription.pay_coupon(
        year=1, amount=Money.of("6.25", "FRF"), on=day(10, 1, 1923), actor=TREASURER
    )
    with refused("loan.coupon_already_paid", subscription):
        subscription.pay_coupon(
            year=1, amount=Money.of("6.25", "FRF"), on=day(10, 2, 1923), actor=TREASURER
        )


def test_after_a_partial_redemption_the_coupon_is_on_what_is_outstanding() -> None:
    subscription = subscribe()
    subscription.redeem(amount=Money.of("100", "FRF"), on=day(10, 1, 1927), actor=TREASURER)
    assert replayed(subscription).outstanding_principal == Money.of("25", "FRF")
    subscription.pay_coupon(
        year=6, amount=Money.of("1.25", "FRF"), on=day(10, 1, 1928), actor=TREASURER
    )
    assert topics(subscription)[-2:] == [
        "LoanSubscription.PrincipalRedeemed",
        "LoanSubscription.CouponPaid",
    ]


def test_no_coupon_once_fully_redeemed() -> None:
    subscription = subscribe()
    subscription.redeem(amount=Money.of("125", "FRF"), on=day(10, 1, 1932), actor=TREASURER)
    with refused("loan.fully_redeemed", subscription):
        subscription.pay_coupon(
            year=10, amount=Money.of("0", "FRF"), on=day(10, 1, 1932), actor=TREASURER
        )


def test_no_more_principal_is_redeemed_than_outstanding() -> None:
    subscription = subscribe()
    with refused("loan.over_redemption", subscription):
        subscription.redeem(amount=Money.of("125.01", "FRF"), on=day(10, 1, 1932), actor=TREASURER)


def test_only_a_treasurer_pays_coupons_and_redeems() -> None:
    subscription = subscribe()
    with refused("role.not_permitted", subscription):
        subscription.pay_coupon(
            year=1, amount=Money.of("6.25", "FRF"), on=day(10, 1, 1923), actor=SUPERVISOR
        )
    with refused("role.not_permitted", subscription):
        subscription.redeem(amount=Money.of("25", "FRF"), on=day(10, 1, 1932), actor=SECRETARY)
