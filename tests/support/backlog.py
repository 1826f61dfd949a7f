"""Writing straight into a committee node's data folder: a backlog, or events while it is down.

The node's own application does the writing (as its server would), so every event gets its log
position in the same transaction; the serving process integrates and signs them when it runs.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from domain.committee import OrganisationType
from domain.money import Money
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.settings import Settings
from tests.support.liaison_story import found_committee
from tests.support.story import CAMPAIGN, TREASURER

ENV_FILE = "node.env"


def committee(data_dir: Path) -> CommitteeApplication:
    """The application of the committee node in ``data_dir`` (as ``aidfed node init`` set it)."""
    return CommitteeApplication(Settings(_env_file=data_dir / ENV_FILE))


def contribution(n: int) -> CashReceiptLine:
    """The n-th collection-list line: a dollar or two from a union local."""
    return CashReceiptLine(
        CAMPAIGN,
        f"Local {n} of the Amalgamated Clothing Workers",
        OrganisationType.TRADE_UNION,
        Money.of(f"{n % 2 + 1}.00", "USD"),
        date(1922, 2, 1),
    )


def record_receipts(
    data_dir: Path, count: int, *, found: bool = False, batch: int = 100, first: int = 0
) -> int:
    """Record ``count`` cash receipts (after founding the committee if asked); the log size."""
    app = committee(data_dir)
    try:
        if found:
            found_committee(app)
        for start in range(first, first + count, batch):
            stop = min(start + batch, first + count)
            app.record_cash_receipts(TREASURER, [contribution(n) for n in range(start, stop)])
        return int(app.db.scalar("SELECT COALESCE(MAX(position), 0) FROM log_positions"))
    finally:
        app.close()
