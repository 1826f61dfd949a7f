"""The transit rule: money in transit longer than the set limit, as of a day.

A sent transfer's finding says the same whatever the day but for its reason (how long, as of
when): ``SentTransfer`` holds what does not depend on the day, read once from the row, so a
transfer judged again for another day is only dated and worded (see
``federation.node.supervisory_transit``, which judges a node's transfers day by day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from projections.supervisory.exceptions import Finding, events_of, money_text

Row = dict[str, Any]
RULE = "transfer.in_transit_too_long"


def transfer_head(t: Row) -> str:
    """How a finding about the transfer ``t`` begins."""
    return f"transfer of {money_text(t['amount_minor'], t['currency'])} to {t['recipient']}: "


@dataclass(frozen=True, slots=True)
class SentTransfer:
    """A sent transfer as the transit rule reads it."""

    node: str
    transfer_id: str
    sent_on: str
    sent: date
    confirmed: date | None
    head: str
    events: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, t: Row) -> SentTransfer:
        return cls(
            t["country"],
            t["transfer_id"],
            t["sent_on"],
            date.fromisoformat(t["sent_on"]),
            date.fromisoformat(t["confirmed_on"]) if t["confirmed_on"] else None,
            transfer_head(t),
            events_of((t["country"], t["sent_ref"]), (t["country"], t["confirmed_ref"])),
        )

    def finding(self, as_of: date, limit_days: int) -> Finding | None:
        """The finding as of ``as_of``, if its transit (to confirmation, or to ``as_of`` if
        not yet) exceeded the limit."""
        confirmed = self.confirmed
        end = confirmed if confirmed is not None and confirmed <= as_of else as_of
        days = (end - self.sent).days
        if self.sent > as_of or days <= limit_days:
            return None
        state = f"confirmed after {days} days" if end is confirmed else f"{days} days in transit"
        why = f"sent on {self.sent_on}, {state} (limit {limit_days} days, as of {as_of})"
        on, head = self.sent_on, self.head
        return Finding(RULE, self.node, self.transfer_id, "transfer", on, head + why, self.events)


def transit_findings(rows: Iterable[Row], as_of: date, limit_days: int) -> list[Finding]:
    """Transfers whose transit (to confirmation, or to ``as_of`` if not yet) exceeded the limit."""
    found = (SentTransfer.of(t).finding(as_of, limit_days) for t in rows)
    return [f for f in found if f is not None]
