"""What the recorders write beside the events, in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass

# Dense log positions 1..n in commit order. eventsourcing's notification ids may have gaps on
# PostgreSQL (rolled-back inserts consume the sequence), so the log numbers events itself.
LOG_POSITIONS_TABLE = "log_positions"
IDEMPOTENCY_TABLE = "idempotency_keys"


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A command's idempotency key, the fingerprint of its input and the result it produced."""

    key: str
    fingerprint: str
    result: str
