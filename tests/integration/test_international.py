"""The International's node on memory, SQLite and PostgreSQL: supervision refused and allowed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.errors import DomainError, InvalidInput, NotFound, NotPermitted, RuleBroken
from domain.ids import derive_id
from domain.money import Money
from domain.roles import Actor, Role
from federation.node.base import Context
from federation.node.idempotency import Idempotency
from federation.node.international import InternationalApplication
from federation.settings import NodeKind
from projections import supervision
from tests.conftest import SettingsFactory
from tests.support.story import SECRETARY, SUPERVISOR, TREASURER

AUDITOR = Context(Actor("Eva Lindqvist", Role.AUDITOR))
BREMEN_RECEIPT = derive_id("cash-receipt", "DE", "Bremen list 4")


@pytest.fixture
def intl(node_settings: SettingsFactory) -> Iterator[InternationalApplication]:
    app = InternationalApplication(node_settings("INTL", NodeKind.INTERNATIONAL))
    app.recognise_committee(
        SUPERVISOR,
        country="de",
        committee_name="Komitee Arbeiterhilfe Deutschland",
        on=date(1921, 9, 12),
    )
    app.recognise_committee(
        SUPERVISOR,
        country="FR",
        committee_name="Comité de secours ouvrier",
        on=date(1921, 9, 20),
    )
    app.observe_rate(
        SUPERVISOR,
        currency="XPM",
        reporting_currency="USD",
        rate=Decimal("0.0022"),
        value_date=date(1922, 6, 1),
        source="Berlin exchange, noon fixing",
    )
    app.authorise_loan_issue(
        SUPERVISOR,
        code="wl-1922",
        name="Workers' loan of 1922",
        coupon_rate=Decimal("0.05"),
        term_years=5,
        denominations=[Money.of("25", "FRF"), Money.of("100", "FRF"), Money.of("5", "USD")],
        on=date(1922, 10, 1),
    )
    app.raise_exception(
        AUDITOR,
        rule="receipt.pledge_in_totals",
        node="de",
        subject_id=BREMEN_RECEIPT,
        detail="a pledge of the Bremen dockers was reported as money received",
        on=date(1922, 11, 2),
    )
    yield app
    app.close()


def event_count(app: InternationalApplication) -> int:
    return int(app.db.scalar("SELECT COUNT(*) FROM log_positions"))


def exception_id(app: InternationalApplication) -> UUID:
    [row] = app.exceptions()
    return UUID(row["exception_id"])


def test_a_committee_is_suspended_and_reinstated(intl: InternationalApplication) -> None:
    suspended = intl.suspend_committee(
        SUPERVISOR, country="DE", reason="no period report for 1922", on=date(1923, 2, 1)
    )
    assert (suspended["standing"], suspended["as_of"]) == ("suspended", "1923-02-01")
    assert [r["country"] for r in intl.recognitions(standing="suspended")] == ["DE"]
    intl.reinstate_committee(
        SUPERVISOR, country="de", reason="report received", on=date(1923, 3, 1)
    )
    de, fr = intl.recognitions()
    assert (de["country"], de["standing"], de["as_of"], de["reason"]) == (
        "DE",
        "recognised",
        "1923-03-01",
        "report received",
    )
    assert (fr["country"], fr["committee_name"]) == ("FR", "Comité de secours ouvrier")


def test_rates_are_dated_corrected_with_a_reason_and_found_as_of_a_day(
    intl: InternationalApplication,
) -> None:
    intl.observe_rate(
        SUPERVISOR,
        currency="xpm",
        reporting_currency="usd",
        rate=Decimal("0.00014"),
        value_date=date(1922, 11, 1),
        source="Berlin exchange, noon fixing",
    )
    intl.observe_rate(
        SUPERVISOR,
        currency="FRF",
        reporting_currency="USD",
        rate=Decimal("0.0714"),
        value_date=date(1922, 11, 1),
        source="Paris bourse",
    )
    corrected = intl.correct_rate(
        SUPERVISOR,
        currency="XPM",
        reporting_currency="USD",
        value_date=date(1922, 11, 1),
        rate=Decimal("0.00013"),
        reason="the fixing of 1 November was misread",
    )
    assert corrected["rate"] == "0.00013"
    marks = intl.rates(currency="XPM")
    assert [(r["value_date"], r["rate"]) for r in marks] == [
        ("1922-06-01", "0.0022"),
        ("1922-11-01", "0.00013"),
    ]
    assert marks[1]["correction_reason"] == "the fixing of 1 November was misread"
    autumn = intl.rates(since=date(1922, 10, 1), until=date(1922, 12, 31))
    assert [r["currency"] for r in autumn] == ["FRF", "XPM"]
    summer = intl.rate_on(currency="XPM", reporting_currency="USD", on=date(1922, 10, 31))
    assert summer["rate"] == "0.0022"
    with pytest.raises(NotFound) as missing:
        intl.rate_on(currency="XPM", reporting_currency="USD", on=date(1922, 5, 31))
    assert missing.value.code == "rate.not_found"


def test_a_loan_issue_lists_its_face_values_per_currency(intl: InternationalApplication) -> None:
    [issue] = intl.loan_issues()
    assert (issue["code"], issue["coupon_rate"], issue["term_years"]) == ("WL-1922", "0.05", 5)
    assert issue["denominations"] == [
        {"amount": "25.00", "currency": "FRF"},
        {"amount": "100.00", "currency": "FRF"},
        {"amount": "5.00", "currency": "USD"},
    ]


def test_directives_are_found_by_their_addressees(intl: InternationalApplication) -> None:
    intl.issue_directive(
        SUPERVISOR,
        reference="IAH-1922-14",
        addressees=["de", "FR", "DE"],
        text="Report machines bought per enterprise, not per shipment.",
        on=date(1922, 12, 1),
    )
    intl.issue_directive(
        SUPERVISOR,
        reference="IAH-1922-15",
        addressees=["FR"],
        text="Open the loan drive with the national section.",
        on=date(1922, 12, 2),
    )
    assert [d["reference"] for d in intl.directives()] == ["IAH-1922-14", "IAH-1922-15"]
    [to_germany] = intl.directives(addressee="de")
    assert to_germany["addressees"] == ["DE", "FR"]


def test_exceptions_are_raised_once_and_resolved_by_a_supervisor(
    intl: InternationalApplication,
) -> None:
    [raised] = intl.exceptions(status="open")
    assert (raised["rule"], raised["node"], raised["raised_by"]) == (
        "receipt.pledge_in_totals",
        "DE",
        "Eva Lindqvist",
    )
    intl.resolve_exception(
        SUPERVISOR,
        exception_id=exception_id(intl),
        resolution="the report was corrected and resubmitted",
        on=date(1922, 11, 20),
    )
    assert intl.exceptions(status="open") == []
    [resolved] = intl.exceptions(status="resolved", node="de")
    assert (resolved["resolved_on"], resolved["resolved_by"]) == ("1922-11-20", "Willi Münzenberg")


Step = Callable[[InternationalApplication], Any]
ON = date(1922, 12, 1)


def recognise(a: InternationalApplication, country: str, **kw: Any) -> Any:
    terms: dict[str, Any] = {"actor": SUPERVISOR, "committee_name": "Hulpcomité", "on": ON} | kw
    return a.recognise_committee(terms.pop("actor"), country=country, **terms)


def suspend(a: InternationalApplication, country: str, on: date = ON) -> Any:
    return a.suspend_committee(SUPERVISOR, country=country, reason="no report", on=on)


def observe(a: InternationalApplication, rate: str = "0.0021", **kw: Any) -> Any:
    terms: dict[str, Any] = {"currency": "XPM", "reporting_currency": "USD"} | kw
    terms.setdefault("value_date", date(1922, 6, 1))
    return a.observe_rate(SUPERVISOR, rate=Decimal(rate), source="a paper", **terms)


def correct(a: InternationalApplication, rate: str, **kw: Any) -> Any:
    terms: dict[str, Any] = {"actor": SUPERVISOR, "currency": "XPM"} | kw
    return a.correct_rate(
        terms.pop("actor"),
        reporting_currency="USD",
        value_date=date(1922, 6, 1),
        rate=Decimal(rate),
        reason="misread",
        **terms,
    )


def authorise(a: InternationalApplication, code: str = "WL-1923", **kw: Any) -> Any:
    terms: dict[str, Any] = {"coupon_rate": Decimal("0.05"), "term_years": 5} | kw
    terms.setdefault("denominations", [Money.of("25", "FRF")])
    return a.authorise_loan_issue(SUPERVISOR, code=code, name="a loan", on=ON, **terms)


def direct(a: InternationalApplication, *addressees: str) -> Any:
    return a.issue_directive(SUPERVISOR, reference="D-1", addressees=addressees, text="x", on=ON)


def raise_(a: InternationalApplication, actor: Context = SUPERVISOR, rule: str = "x") -> Any:
    return a.raise_exception(
        actor, rule=rule, node="DE", subject_id=BREMEN_RECEIPT, detail="again", on=ON
    )


def resolve(a: InternationalApplication, actor: Context = SUPERVISOR, on: date = ON) -> Any:
    return a.resolve_exception(actor, exception_id=exception_id(a), resolution="x", on=on)


def resolve_unknown(a: InternationalApplication) -> Any:
    return a.resolve_exception(SUPERVISOR, exception_id=BREMEN_RECEIPT, resolution="x", on=ON)


# Each refusal by its code (its first word); the kind of refusal it is.
REFUSALS: dict[str, tuple[Step, type[DomainError]]] = {
    "recognition.already_recognised": (lambda a: recognise(a, "DE"), RuleBroken),
    "recognition.not_found": (lambda a: suspend(a, "NL"), NotFound),
    "recognition.before_last_change": (lambda a: suspend(a, "DE", date(1921, 1, 1)), RuleBroken),
    "recognition.not_suspended": (
        lambda a: a.reinstate_committee(SUPERVISOR, country="DE", reason="x", on=ON),
        RuleBroken,
    ),
    "rate.already_observed": (observe, RuleBroken),
    "rate.same_currency": (lambda a: observe(a, "1", currency="USD"), InvalidInput),
    "rate.not_positive": (lambda a: observe(a, "-0.07", currency="FRF"), InvalidInput),
    "rate.not_found": (lambda a: correct(a, "0.07", currency="FRF"), NotFound),
    "rate.unchanged": (lambda a: correct(a, "0.00220"), RuleBroken),
    "loan.issue_exists": (lambda a: authorise(a, "wl-1922"), RuleBroken),
    "loan.invalid_coupon_rate": (lambda a: authorise(a, coupon_rate=Decimal(0)), InvalidInput),
    "loan.invalid_term": (lambda a: authorise(a, term_years=0), InvalidInput),
    "loan.no_denominations": (lambda a: authorise(a, denominations=[]), InvalidInput),
    "directive.addressee_not_recognised": (lambda a: direct(a, "DE", "GER"), RuleBroken),
    "directive.no_addressees": (lambda a: direct(a, " "), InvalidInput),
    "exception.already_raised": (lambda a: raise_(a, rule="receipt.pledge_in_totals"), RuleBroken),
    "exception.resolved_before_raised": (lambda a: resolve(a, on=date(1922, 11, 1)), RuleBroken),
    "exception.not_found": (resolve_unknown, NotFound),
    "role.not_permitted (secretary recognising)": (
        lambda a: recognise(a, "NL", actor=SECRETARY),
        NotPermitted,
    ),
    "role.not_permitted (treasurer correcting a rate)": (
        lambda a: correct(a, "0.0021", actor=TREASURER),
        NotPermitted,
    ),
    "role.not_permitted (treasurer raising an exception)": (
        lambda a: raise_(a, TREASURER),
        NotPermitted,
    ),
    "role.not_permitted (auditor resolving)": (lambda a: resolve(a, AUDITOR), NotPermitted),
}


@pytest.mark.parametrize(
    ("command", "code", "error"),
    [pytest.param(s, i.split()[0], e, id=i) for i, (s, e) in REFUSALS.items()],
)
def test_a_refused_command_names_its_rule_and_records_nothing(
    intl: InternationalApplication, command: Step, code: str, error: type[DomainError]
) -> None:
    before = event_count(intl)
    with pytest.raises(error) as refused:
        command(intl)
    assert refused.value.code == code, refused.value.message
    assert event_count(intl) == before


def test_a_second_suspension_and_a_second_resolution_are_refused(
    intl: InternationalApplication,
) -> None:
    intl.suspend_committee(SUPERVISOR, country="FR", reason="x", on=date(1922, 5, 1))
    intl.resolve_exception(
        SUPERVISOR, exception_id=exception_id(intl), resolution="x", on=date(1922, 12, 1)
    )
    before = event_count(intl)
    with pytest.raises(RuleBroken) as again:
        intl.suspend_committee(SUPERVISOR, country="FR", reason="y", on=date(1922, 6, 1))
    assert again.value.code == "recognition.already_suspended"
    with pytest.raises(RuleBroken) as twice:
        intl.resolve_exception(
            SUPERVISOR, exception_id=exception_id(intl), resolution="y", on=date(1922, 12, 2)
        )
    assert twice.value.code == "exception.already_resolved"
    assert event_count(intl) == before


def test_a_repeated_command_with_its_key_is_recorded_once(intl: InternationalApplication) -> None:
    key = Idempotency.of("rate-frf-1922-12-01", "observe_rate", {"rate": "0.07"})
    ctx = Context(SUPERVISOR.actor, key)
    observe: dict[str, Any] = {
        "currency": "FRF",
        "reporting_currency": "USD",
        "rate": Decimal("0.07"),
        "value_date": date(1922, 12, 1),
        "source": "Paris bourse",
    }
    first = intl.observe_rate(ctx, **observe)
    before = event_count(intl)
    assert intl.observe_rate(ctx, **observe) == first
    assert event_count(intl) == before


def test_the_view_rebuilds_from_zero_to_the_same_rows(intl: InternationalApplication) -> None:
    intl.issue_directive(
        SUPERVISOR, reference="D-7", addressees=["DE"], text="x", on=date(1922, 12, 1)
    )
    intl.view.catch_up()
    tables = [t.name for t in supervision.TABLES]
    live = {t: intl.db.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables}
    with intl.db.transaction() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM projection_positions WHERE projection = 'supervision'")
    intl.view.catch_up()
    assert {t: intl.db.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in tables} == live
    assert all(live.values())
