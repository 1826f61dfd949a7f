"""The money flow diagram: who sent money to whom, per currency, read from the supervisory view.

The links follow the view's boundary, so a sum is counted once where it moves:
  committee -> International        transfers inside the federation (internal)
  sender -> liaison or an agency     transfers leaving the federation (outgoing)
  committee -> procurement           procurement paid, by category and agency (outgoing)
  committee -> specialists' journeys journeys funded (outgoing)
Nothing here is recomputed: the rows are the view's own transfer, procurement and per-country
figures, grouped for drawing. Currencies are never added together: one diagram per currency.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from federation.node.international import InternationalApplication

ROW_LIMIT = 500  # a list page of the view; the diagram says when a list was longer

NodeKey = tuple[str, str]  # (kind, label): kind places the node in its column


def flows(app: InternationalApplication) -> dict[str, Any]:
    """Per currency: the diagram's nodes and links, and the links as table rows."""
    service = app.supervisory
    listed = service.rows("agencies", {}, ROW_LIMIT).items
    # A transfer names its recipient agency by code, a procurement by id.
    agencies = {r["agency_id"]: r["name"] for r in listed} | {r["code"]: r["name"] for r in listed}
    committees = {r["country"]: r["name"] for r in service.rows("committees", {}, ROW_LIMIT).items}
    links: dict[tuple[str, NodeKey, NodeKey, str], Decimal] = defaultdict(Decimal)
    truncated = False

    def node(code: str) -> NodeKey:
        if code == "INTL":
            return ("international", "International (Berlin)")
        if code in agencies:
            return ("agency", agencies[code])
        if code in committees:
            return ("committee", f"{code} · {committees[code]}")
        return ("liaison", "Russian liaison" if "LIAISON" in code else code)

    transfers = service.rows("transfers", {}, ROW_LIMIT).items
    truncated |= len(transfers) == ROW_LIMIT
    for t in transfers:
        if t["status"] in ("sent", "confirmed"):
            links[(t["currency"], node(t["sender"]), node(t["recipient"]), t["flow"])] += Decimal(
                t["amount"]
            )
    procurement = service.rows("procurement-totals", {}, ROW_LIMIT).items
    truncated |= len(procurement) == ROW_LIMIT
    for p in procurement:
        if Decimal(p["paid"]):
            target = f"procurement · {p['category']} · {agencies.get(p['agency_id'], 'no agency')}"
            links[(p["currency"], node(p["country"]), ("procurement", target), "outgoing")] += (
                Decimal(p["paid"])
            )
    for c in service.overview.overview()["countries"]:
        for line in c["currencies"]:
            if Decimal(line["spent_emigration"]):
                journeys = ("procurement", "specialists' journeys")
                key = (line["currency"], node(c["country"]), journeys, "outgoing")
                links[key] += Decimal(line["spent_emigration"])
    return {"currencies": _per_currency(links), "truncated": truncated}


COLOURS = {
    "committee": "#a4161a",
    "international": "#1d1d1b",
    "liaison": "#6b645a",
    "agency": "#2b6cb0",
    "procurement": "#2b7a0b",
}


def _per_currency(
    links: dict[tuple[str, NodeKey, NodeKey, str], Decimal],
) -> list[dict[str, Any]]:
    out = []
    for currency in sorted({key[0] for key in links}):
        mine = sorted((k, v) for k, v in links.items() if k[0] == currency)
        nodes: list[NodeKey] = []
        for (_, source, target, _), _amount in mine:
            nodes += [n for n in (source, target) if n not in nodes]
        index = {n: i for i, n in enumerate(nodes)}
        out.append(
            {
                "currency": currency,
                "nodes": [label for _, label in nodes],
                "colours": [COLOURS[kind] for kind, _ in nodes],
                "source": [index[s] for (_, s, _, _), _ in mine],
                "target": [index[t] for (_, _, t, _), _ in mine],
                "value": [str(v) for _, v in mine],
                "rows": [
                    {
                        "from": s[1],
                        "to": t[1],
                        "flow": flow,
                        "amount": str(v),
                        "currency": currency,
                    }
                    for (_, s, t, flow), v in mine
                ],
            }
        )
    return out
