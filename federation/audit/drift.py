"""Drift detection: the International's projections rebuilt from what it ingested, into a
throw-away read model, and compared row by row with the live projections.

A difference is an alert: the ``aidfed_audit_drift`` metric turns to 1, and a compliance
exception (rule ``audit.drift``) naming the first differing row is recorded in the
International's own log. Runs on demand (``aidfed audit drift``, ``POST /v1/audit/drift``) and
on a schedule inside a served International (``AIDFED_AUDIT_DRIFT_INTERVAL_SECONDS``).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.errors import RuleBroken
from domain.ids import derive_id
from domain.roles import Actor, Role
from domain.supervision import ComplianceException
from federation.audit.readmodel import ReadModel
from federation.audit.replay import replay
from federation.audit.source import live_positions, live_records
from federation.audit.state import Difference, digests, first_difference
from federation.node.base import Context
from projections.audit.moment import Moment

if TYPE_CHECKING:
    from federation.node.international import InternationalApplication

logger = logging.getLogger(__name__)

RULE = "audit.drift"
CHECKER = Actor("drift check", Role.AUDITOR)
ATTEMPTS = 3  # rebuilds tried while sync keeps moving the live view on


class AuditSettings(BaseSettings):
    """How often a served International checks its projections for drift (AIDFED_AUDIT_*)."""

    model_config = SettingsConfigDict(env_prefix="AIDFED_AUDIT_", env_file=".env", extra="ignore")

    drift_interval_seconds: float = 3600.0  # 0 turns the scheduled check off


@dataclass(slots=True)
class DriftCheck:
    """The outcome of one check: consistent, drift (with the first differing row), or busy
    (the live view moved on during every attempt, so nothing could be compared)."""

    status: str
    checked_at: str
    positions: dict[str, int]
    live: dict[str, str] = field(default_factory=dict)
    rebuilt: dict[str, str] = field(default_factory=dict)
    difference: Difference | None = None
    exception_id: str | None = None

    def line(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "checked_at": self.checked_at,
            "positions": self.positions,
            "live": self.live,
            "rebuilt": self.rebuilt,
            "first_difference": self.difference.line() if self.difference else None,
            "first_difference_text": str(self.difference) if self.difference else None,
            "exception_id": self.exception_id,
        }


class DriftWatch:
    """Checks one International for drift; keeps the last outcome and counts for the metrics."""

    def __init__(self, app: InternationalApplication) -> None:
        self.app = app
        self.last: DriftCheck | None = None
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self, record: bool = True) -> DriftCheck:
        """Rebuild and compare now; on drift, record the compliance exception (if ``record``)."""
        with self._lock:
            result = self._check()
            if result.difference is not None and record:
                result.exception_id = self._raise(result.difference)
            self.last = result
            self.counts[result.status] += 1
            return result

    def _check(self) -> DriftCheck:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        before: dict[str, int] = {}
        for _ in range(ATTEMPTS):
            before = live_positions(self.app)
            with ReadModel(self.app.settings.node_id) as model:
                replay(live_records(self.app, before), model, Moment())
                difference = first_difference(self.app.db, model.app.db)
                rebuilt = digests(model.app.db)
            live = digests(self.app.db)
            if live_positions(self.app) == before:
                status = "drift" if difference is not None else "consistent"
                return DriftCheck(status, now, before, live, rebuilt, difference)
        return DriftCheck("busy", now, before)

    def _raise(self, difference: Difference) -> str:
        key = json.dumps(difference.key, sort_keys=True, default=str)
        subject = derive_id("audit-drift", difference.table, key)
        own = self.app.settings.node_id
        # Already raised by an earlier check (and still on record): nothing more to record.
        with suppress(RuleBroken):
            self.app.raise_exception(
                Context(CHECKER),
                rule=RULE,
                node=own,
                subject_id=subject,
                detail=f"the live projection differs from its rebuild: {difference}",
                on=datetime.now(UTC).date(),
            )
        self.app.view.catch_up()
        return str(ComplianceException.id_for(RULE, own, subject))

    # --- the schedule ---------------------------------------------------------------------

    def start(self, interval: float) -> None:
        """Check every ``interval`` seconds in a background thread (0: never)."""
        if interval <= 0:
            return
        self._thread = threading.Thread(
            target=self._run, args=(interval,), name="drift-check", daemon=True
        )
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                result = self.check()
            except Exception:  # a failed check must not end the schedule; it is logged
                logger.exception("the scheduled drift check failed")
                continue
            if result.status == "drift":
                logger.error("drift detected: %s", result.difference)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
