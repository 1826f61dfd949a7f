"""Replaying a bundle as of a moment gives the state the live International had at that moment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from federation.audit.readmodel import ReadModel
from federation.audit.report import replay_report
from federation.audit.source import bundle_records
from projections.audit.moment import Moment
from tests.integration.audit.history import CUT_OFF, LATE_CONTRIBUTOR, History


def run(bundle: Path, moment: Moment, database: str = "sqlite") -> tuple[dict[str, Any], list[str]]:
    """The report of a replay, and the contributors of the United States' receipts in it."""
    manifest, records = bundle_records(bundle)
    with ReadModel(manifest.exported_by, database) as model:
        report = replay_report(records, model, moment, {"kind": "bundle"})
        rows = model.app.db.query(
            "SELECT contributor FROM sv_receipts WHERE country = 'US' ORDER BY contributor"
        )
    return report, [r["contributor"] for r in rows]


def test_replay_as_known_at_a_moment_equals_the_live_view_captured_then(history: History) -> None:
    report, _ = run(history.bundle, Moment(as_known_at=history.first))
    assert report["digests"] == history.live_at_first
    assert report["digests"] != history.live_at_end


def test_replay_of_everything_equals_the_live_view_at_the_end(history: History) -> None:
    report, _ = run(history.bundle, Moment())
    assert report["digests"] == history.live_at_end
    covered = {c["node"]: c["included"] for c in report["covered"]}
    assert covered == history.sizes


def test_a_late_receipt_happened_by_the_cut_off_but_was_not_known_then(history: History) -> None:
    happened, happened_rows = run(history.bundle, Moment(as_of_value_date=CUT_OFF))
    _known, known_rows = run(history.bundle, Moment(as_known_at=history.first))
    assert LATE_CONTRIBUTOR in happened_rows
    assert LATE_CONTRIBUTOR not in known_rows
    # What had happened by March 1922 leaves out 1923's receipts, late or not.
    assert "United Mine Workers, District 2" not in happened_rows
    assert happened["moment"]["as_of_value_date"] == CUT_OFF.isoformat()


def test_the_same_bundle_replayed_twice_gives_the_same_state_digest(history: History) -> None:
    first, _ = run(history.bundle, Moment(as_of_value_date=CUT_OFF))
    second, _ = run(history.bundle, Moment(as_of_value_date=CUT_OFF))
    assert first["digests"]["state"] == second["digests"]["state"]
    assert first["source"]["events_digest"] == second["source"]["events_digest"]


def test_sqlite_and_postgresql_read_models_give_the_same_state_digest(
    history: History, pg_url: str
) -> None:
    on_sqlite, _ = run(history.bundle, Moment(as_of_value_date=CUT_OFF))
    on_postgres, _ = run(history.bundle, Moment(as_of_value_date=CUT_OFF), pg_url)
    assert on_postgres["digests"] == on_sqlite["digests"]
    assert on_postgres["headline"] == on_sqlite["headline"]


def test_replay_at_per_node_log_sizes_reads_no_further(history: History) -> None:
    report, rows = run(history.bundle, Moment(at={"US": 5, "DE": 3}))
    covered = {c["node"]: c for c in report["covered"]}
    assert covered["US"]["included"] == 5
    assert covered["US"]["last_position"] == 5
    assert covered["DE"]["included"] == 3
    assert covered["FR"]["included"] == history.sizes["FR"]
    assert LATE_CONTRIBUTOR not in rows
