"""A busy writer for the concurrency tests: saves, deliberate rollbacks and checkpoints.

Run in threads of the test process, or as a process of its own:
``python -m tests.integration.signedlog._writer DATABASE DATA_DIR NAME ROUNDS``; it prints
how many events it committed.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from domain.committee import OrganisationType
from domain.money import Money
from domain.receipt import CashReceipt
from federation.node.base import Context
from federation.node.committee import CashReceiptLine, CommitteeApplication
from federation.node.idempotency import Idempotency
from federation.persistence.records import IdempotencyRecord
from tests.integration.signedlog._story import CAMPAIGN, TREASURER, receipts, settings

BATCH = 20


def _line(reference: str) -> CashReceiptLine:
    return CashReceiptLine(
        campaign_code=CAMPAIGN,
        contributor=f"Circle {reference}",
        organisation_type=OrganisationType.WORKERS_CIRCLE,
        amount=Money.of("3.00", "USD"),
        value_date=date(1922, 4, 1),
        reference=reference,
    )


def _rolled_back_by_idempotency(app: CommitteeApplication, taken: str) -> None:
    # The events and their positions are inserted, then the taken key aborts the transaction.
    receipt = CashReceipt.receive(
        receipt_id=uuid4(),
        campaign_id=app.campaign(CAMPAIGN).id,
        contributor="nobody",
        organisation_type=OrganisationType.OTHER,
        amount=Money.of("1.00", "USD"),
        value_date=date(1922, 4, 1),
        actor=TREASURER.actor,
    )
    try:
        app.save(receipt, idempotency=IdempotencyRecord(taken, "other", "{}"))
    except IntegrityError:
        return
    raise AssertionError("a save with a taken idempotency key was committed")


def _rolled_back_by_conflict(app: CommitteeApplication, receipt_id: UUID) -> None:
    # Two copies of one receipt both reversed: optimistic concurrency refuses the second.
    first: CashReceipt = app.repository.get(receipt_id)
    second: CashReceipt = app.repository.get(receipt_id)
    first.reverse(reason="entered twice", on=date(1922, 4, 2), actor=TREASURER.actor)
    second.reverse(reason="entered twice", on=date(1922, 4, 2), actor=TREASURER.actor)
    app.save(first)
    try:
        app.save(second)
    except IntegrityError:
        return
    raise AssertionError("a stale copy of a receipt was saved")


def write(app: CommitteeApplication, name: str, rounds: int) -> int:
    """Record `rounds` batches with rollbacks in between; return the events committed."""
    key = f"{name}-key"
    result = app.record_cash_receipt(
        Context(TREASURER.actor, Idempotency.of(key, "receipt", name)), _line(f"{name}-keyed")
    )
    committed = 1
    for round_ in range(rounds):
        receipts(app, BATCH, f"{name}-{round_}")
        _rolled_back_by_idempotency(app, key)
        if round_ % 3 == 0:
            _rolled_back_by_conflict(app, UUID(result["receipt_id"]))
            result = app.record_cash_receipt(TREASURER, _line(f"{name}-{round_}-again"))
            committed += 2
        if round_ % 2 == 0:
            app.signed_log.checkpoint()
        committed += BATCH
    return committed


def main(database: str, data_dir: str, name: str, rounds: str) -> None:
    """Write as one process of the node and print how many events were committed."""
    folder = Path(data_dir)
    app = CommitteeApplication(settings(database, folder))
    try:
        # Say we are ready, then start with everyone else, so that the writers overlap.
        (folder / f"ready-{name}").touch()
        deadline = time.monotonic() + 60
        while not (folder / "go").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the test never said go")
            time.sleep(0.01)
        print(write(app, name, int(rounds)))
    finally:
        app.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
