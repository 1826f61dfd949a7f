"""The workers' loan: issued by the International, subscribed through the committees.

Money subscribed to the loan is a liability to the subscriber, never income: it is owed back as
coupons and principal. Books and projections count it under ``outstanding_principal``, apart from
receipts and never in the totals raised.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from math import gcd
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.committee import require_text
from domain.errors import InvalidInput, RuleBroken
from domain.ids import derive_id
from domain.money import Money, require_positive, total
from domain.roles import Actor, Role, require_role


def _units(money: Money) -> int:
    """The amount in whole minor units (exact: Money never holds finer amounts)."""
    return int(money.amount.scaleb(money.minor_units))


def fewest_pieces(amount: int, pieces: Sequence[int]) -> dict[int, int] | None:
    """How many of each of ``pieces`` make up ``amount`` in the fewest pieces; None if none do.

    An optimal split uses each smaller piece fewer than ``largest`` times (``largest`` of them
    could be swapped for fewer largest pieces), so all but a bounded rest is largest pieces and
    only the rest needs the search: the work does not grow with the amount.
    """
    step = gcd(*pieces)
    if amount % step:
        return None
    units = sorted({p // step for p in pieces})
    largest, wanted = units[-1], amount // step
    fixed = max(0, -(-(wanted - (largest - 1) * sum(units[:-1])) // largest))
    rest = wanted - fixed * largest
    count: list[int | None] = [0] + [None] * rest
    last = [0] * (rest + 1)
    for value in range(1, rest + 1):
        for unit in units:
            prior = count[value - unit] if unit <= value else None
            current = count[value]
            if prior is not None and (current is None or prior + 1 < current):
                count[value], last[value] = prior + 1, unit
    if count[rest] is None:
        return None
    split = {largest: fixed} if fixed else {}
    while rest:
        split[last[rest]] = split.get(last[rest], 0) + 1
        rest -= last[rest]
    return {unit * step: split[unit] for unit in sorted(split, reverse=True)}


@dataclass(frozen=True, slots=True)
class LoanTerms:
    """The terms of a loan issue, as the committees receive them from the International."""

    issue_id: UUID
    name: str
    coupon_rate: Decimal
    term_years: int
    denominations: tuple[Money, ...]
    authorised_on: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "denominations", tuple(self.denominations))

    def denominations_in(self, code: str) -> tuple[Money, ...]:
        """The face values issued in currency ``code``."""
        return tuple(d for d in self.denominations if d.currency == code)

    def bonds_for(self, amount: Money) -> dict[Money, int]:
        """How many bonds of each face value make up ``amount`` in the fewest bonds.

        Refuses a currency the loan is not issued in and an amount no sum of bonds makes up.
        """
        faces = self.denominations_in(amount.currency)
        if not faces:
            issued = ", ".join(sorted({d.currency for d in self.denominations}))
            raise RuleBroken(
                "loan.currency_not_issued",
                f"the {self.name} is not issued in {amount.currency}; it is issued in {issued}",
            )
        split = fewest_pieces(_units(amount), [_units(f) for f in faces])
        if split is None:
            raise RuleBroken(
                "loan.not_in_denominations",
                f"{amount} cannot be made up of bonds of "
                f"{', '.join(str(f) for f in faces)}; subscribe a sum of whole bonds",
            )
        scale = Decimal(1).scaleb(-amount.minor_units)
        return {
            Money(Decimal(units) * scale, amount.currency).normalised(): count
            for units, count in split.items()
        }

    def breakdown(self, amount: Money) -> tuple[Money, ...]:
        """The face values of the fewest bonds that make up ``amount``, largest first."""
        return tuple(face for face, count in self.bonds_for(amount).items() for _ in range(count))


@dataclass(frozen=True, slots=True)
class Certificate:
    """One bond certificate: its number and face value."""

    number: str
    face_value: Money


class LoanIssue(Aggregate):
    """A loan issue authorised by the International (e.g. the workers' loan of 1922)."""

    class Authorised(Aggregate.Created):
        actor: Actor
        code: str
        name: str
        coupon_rate: Decimal
        term_years: int
        denominations: tuple[Money, ...]
        authorised_on: date

    def __init__(
        self,
        actor: Actor,
        code: str,
        name: str,
        coupon_rate: Decimal,
        term_years: int,
        denominations: tuple[Money, ...],
        authorised_on: date,
    ) -> None:
        self.code = code
        self.name = name
        self.coupon_rate = coupon_rate
        self.term_years = term_years
        self.denominations = tuple(denominations)
        self.authorised_on = authorised_on

    @staticmethod
    def id_for(code: str) -> UUID:
        """The issue's id, derived from its code."""
        return derive_id("loan-issue", code.strip().upper())

    @classmethod
    def authorise(
        cls,
        *,
        code: str,
        name: str,
        coupon_rate: Decimal,
        term_years: int,
        denominations: Sequence[Money],
        on: date,
        actor: Actor,
    ) -> LoanIssue:
        """Authorise a loan issue: its coupon rate, term and face values per currency."""
        require_role(actor, Role.SUPERVISOR, action="authorising a loan issue")
        if (
            not isinstance(coupon_rate, Decimal)
            or not coupon_rate.is_finite()
            or not 0 < coupon_rate < 1
        ):
            raise InvalidInput(
                "loan.invalid_coupon_rate",
                f"the coupon rate is an exact fraction above 0 and below 1 (0.05 for 5 %), "
                f"not {coupon_rate!r}",
            )
        if isinstance(term_years, bool) or not isinstance(term_years, int) or term_years < 1:
            raise InvalidInput("loan.invalid_term", f"the term is whole years, not {term_years!r}")
        code = require_text(code, "loan code").upper()
        return cls._create(
            cls.Authorised,
            id=cls.id_for(code),
            actor=actor,
            code=code,
            name=require_text(name, "loan name"),
            coupon_rate=coupon_rate,
            term_years=term_years,
            denominations=check_denominations(denominations),
            authorised_on=on,
        )

    def terms(self) -> LoanTerms:
        """The terms the committees need to record subscriptions."""
        return LoanTerms(
            issue_id=self.id,
            name=self.name,
            coupon_rate=self.coupon_rate,
            term_years=self.term_years,
            denominations=self.denominations,
            authorised_on=self.authorised_on,
        )


def check_denominations(denominations: Sequence[Money]) -> tuple[Money, ...]:
    """Refuse no face values, a zero or negative one, or the same one twice."""
    if not denominations:
        raise InvalidInput("loan.no_denominations", "a loan issue needs at least one face value")
    faces = [require_positive(d, "a face value").normalised() for d in denominations]
    if len(set(faces)) != len(faces):
        raise InvalidInput("loan.duplicate_denomination", "a face value is given twice")
    return tuple(sorted(faces, key=lambda f: (f.currency, f.amount)))


class SubscriberType(StrEnum):
    """Who subscribes: the organisations the loan was aimed at, and individual workers."""

    TRADE_UNION = "trade_union"
    COOPERATIVE = "cooperative"
    HEALTH_INSURANCE_FUND = "health_insurance_fund"
    PARTY_BRANCH = "party_branch"
    WORKERS_CIRCLE = "workers_circle"
    INDIVIDUAL = "individual"
    OTHER = "other"


class LoanSubscription(Aggregate):
    """An organisation's subscription to a loan issue, recorded by its committee.

    The amount subscribed is a liability to the subscriber, never income: ``outstanding_principal``
    is what the loan still owes it.
    """

    class Recorded(Aggregate.Created):
        actor: Actor
        country: str
        reference: str
        terms: LoanTerms
        subscriber: str
        subscriber_type: SubscriberType
        amount: Money
        subscribed_on: date

    class CertificatesIssued(Aggregate.Event):
        actor: Actor
        certificates: tuple[Certificate, ...]
        issued_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.certificates = tuple(self.certificates)

    class CouponPaid(Aggregate.Event):
        actor: Actor
        year: int
        amount: Money
        paid_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.coupons_paid[self.year] = self.amount

    class PrincipalRedeemed(Aggregate.Event):
        actor: Actor
        amount: Money
        redeemed_on: date

        def apply(self, aggregate: Any) -> None:
            aggregate.redeemed = aggregate.redeemed + self.amount

    def __init__(
        self,
        actor: Actor,
        country: str,
        reference: str,
        terms: LoanTerms,
        subscriber: str,
        subscriber_type: SubscriberType,
        amount: Money,
        subscribed_on: date,
    ) -> None:
        self.country = country
        self.reference = reference
        self.terms = terms
        self.subscriber = subscriber
        self.subscriber_type = SubscriberType(subscriber_type)
        self.amount = amount
        self.subscribed_on = subscribed_on
        self.certificates: tuple[Certificate, ...] = ()
        self.coupons_paid: dict[int, Money] = {}
        self.redeemed = Money.zero(amount.currency)

    @staticmethod
    def id_for(country: str, reference: str) -> UUID:
        """The subscription's id, derived from the committee's country and its reference."""
        return derive_id("loan-subscription", country, reference)

    @classmethod
    def record(
        cls,
        *,
        country: str,
        reference: str,
        terms: LoanTerms,
        subscriber: str,
        subscriber_type: SubscriberType,
        amount: Money,
        on: date,
        actor: Actor,
    ) -> LoanSubscription:
        """Record a subscription of whole bonds of the issue's face values in one currency."""
        require_role(actor, Role.TREASURER, action="recording a loan subscription")
        require_positive(amount, "the amount subscribed")
        if on < terms.authorised_on:
            raise RuleBroken(
                "loan.before_authorisation",
                f"the {terms.name} was authorised on {terms.authorised_on}, after {on}",
            )
        terms.bonds_for(amount)
        reference = require_text(reference, "subscription reference")
        return cls._create(
            cls.Recorded,
            id=cls.id_for(country, reference),
            actor=actor,
            country=country,
            reference=reference,
            terms=terms,
            subscriber=require_text(subscriber, "subscriber"),
            subscriber_type=SubscriberType(subscriber_type),
            amount=amount,
            subscribed_on=on,
        )

    @property
    def outstanding_principal(self) -> Money:
        """What the loan still owes the subscriber: a liability, never income."""
        return self.amount - self.redeemed

    def issue_certificates(
        self, *, certificates: Sequence[Certificate], on: date, actor: Actor
    ) -> None:
        """Issue the bond certificates, one per bond, together making up the amount subscribed.

        ``terms.breakdown(amount)`` proposes the fewest bonds, largest first.
        """
        require_role(actor, Role.TREASURER, action="issuing loan certificates")
        if self.certificates:
            raise RuleBroken(
                "loan.certificates_already_issued",
                f"the certificates of subscription {self.reference} are already issued",
            )
        self.trigger_event(
            self.CertificatesIssued,
            actor=actor,
            certificates=self._check_certificates(certificates),
            issued_on=on,
        )

    def _check_certificates(self, certificates: Sequence[Certificate]) -> tuple[Certificate, ...]:
        numbers = [require_text(c.number, "certificate number") for c in certificates]
        if len(set(numbers)) != len(numbers):
            raise InvalidInput(
                "loan.duplicate_certificate_number", "a certificate number is given twice"
            )
        faces = {f.normalised() for f in self.terms.denominations_in(self.amount.currency)}
        for certificate in certificates:
            if certificate.face_value.normalised() not in faces:
                raise RuleBroken(
                    "loan.not_in_denominations",
                    f"certificate {certificate.number} of {certificate.face_value} is not a "
                    f"face value of the {self.terms.name}",
                )
        issued = total([c.face_value for c in certificates], self.amount.currency)
        if issued.amount != self.amount.amount:
            raise RuleBroken(
                "loan.certificates_do_not_sum",
                f"the certificates make {issued}; the subscription is {self.amount}",
            )
        return tuple(
            Certificate(number=n, face_value=c.face_value)
            for n, c in zip(numbers, certificates, strict=True)
        )

    def pay_coupon(self, *, year: int, amount: Money, on: date, actor: Actor) -> None:
        """Pay the coupon for year ``year``: the outstanding principal times the coupon rate."""
        require_role(actor, Role.TREASURER, action="paying a loan coupon")
        if not 1 <= year <= self.terms.term_years:
            raise InvalidInput(
                "loan.coupon_outside_term",
                f"the {self.terms.name} runs {self.terms.term_years} years; "
                f"there is no coupon for year {year}",
            )
        if year in self.coupons_paid:
            raise RuleBroken(
                "loan.coupon_already_paid",
                f"the coupon for year {year} was paid: {self.coupons_paid[year]}",
            )
        if not self.outstanding_principal.is_positive:
            raise RuleBroken("loan.fully_redeemed", f"subscription {self.reference} is redeemed")
        due = self.outstanding_principal.amount * self.terms.coupon_rate
        if amount.currency != self.amount.currency or amount.amount != due:
            raise RuleBroken(
                "loan.wrong_coupon",
                f"the coupon is {self.outstanding_principal} x {self.terms.coupon_rate} = "
                f"{due} {self.amount.currency} exactly, not {amount}",
            )
        self.trigger_event(self.CouponPaid, actor=actor, year=year, amount=amount, paid_on=on)

    def redeem(self, *, amount: Money, on: date, actor: Actor) -> None:
        """Repay principal to the subscriber, at most what is outstanding."""
        require_role(actor, Role.TREASURER, action="redeeming loan principal")
        require_positive(amount, "the principal redeemed")
        if amount > self.outstanding_principal:
            raise RuleBroken(
                "loan.over_redemption",
                f"{amount} is more than the {self.outstanding_principal} outstanding",
            )
        self.trigger_event(self.PrincipalRedeemed, actor=actor, amount=amount, redeemed_on=on)
