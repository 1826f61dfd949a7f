"""Idempotency keys: the same key and input give the same result; nothing is recorded twice."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidInput, RuleBroken
from federation.persistence.database import Database
from federation.persistence.records import IDEMPOTENCY_TABLE, IdempotencyRecord

Result = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Idempotency:
    """A client's idempotency key and a fingerprint of the command it came with."""

    key: str
    fingerprint: str

    @classmethod
    def of(cls, key: str, command: str, payload: Any) -> Idempotency:
        """Fingerprint ``payload`` of ``command`` under ``key``."""
        key = key.strip()
        if not key or len(key) > 200:
            raise InvalidInput(
                "idempotency.invalid_key", "an Idempotency-Key is 1 to 200 characters"
            )
        body = json.dumps([command, payload], sort_keys=True, default=str)
        return cls(key, hashlib.sha256(body.encode()).hexdigest())

    def record(self, result: Result) -> IdempotencyRecord:
        """The record saved with the command's events."""
        return IdempotencyRecord(self.key, self.fingerprint, json.dumps(result, default=str))


def previous_result(db: Database, idem: Idempotency) -> Result | None:
    """The result already recorded under this key, or None; another input under it is refused."""
    rows = db.query(
        f"SELECT fingerprint, result FROM {IDEMPOTENCY_TABLE} WHERE key = ?", [idem.key]
    )
    if not rows:
        return None
    if rows[0]["fingerprint"] != idem.fingerprint:
        raise RuleBroken(
            "idempotency.key_reused",
            f"Idempotency-Key {idem.key!r} was already used for a different command; "
            "use a new key for a new command",
        )
    result: Result = json.loads(rows[0]["result"])
    return result
