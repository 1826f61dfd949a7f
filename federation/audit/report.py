"""Replay a bundle (or the node's own data) as of a moment and write the report, JSON and HTML.

``replay_report`` is the one entry point the CLI, the dashboard and the drift check share.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from federation.audit.bundle import code_version
from federation.audit.readmodel import ReadModel
from federation.audit.replay import replay
from federation.audit.source import Record
from federation.audit.state import digests
from projections.audit.moment import Moment
from projections.audit.report import LABELS, compose

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)
LIMIT = 10_000  # rows of each list a report carries


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            hasher.update(block)
    return hasher.hexdigest()


def replay_report(
    records: Iterable[Record],
    model: ReadModel,
    moment: Moment,
    source: dict[str, Any],
    reporting_currency: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Replay ``records`` into ``model`` as of ``moment`` and compose the report of its state."""
    replayed = replay(records, model, moment, progress)
    service = model.app.supervisory
    latest = model.app.db.scalar("SELECT MAX(value_date) FROM sv_flows")
    as_of = moment.judged_at(date.fromisoformat(latest) if latest else None)
    overview = service.overview.overview(reporting_currency=reporting_currency)
    overview.pop("watermark", None)  # the throw-away node's own sync times: not the history's
    inputs = {**source, "events_digest": replayed.inputs_digest(), "events_read": replayed.read}
    return compose(
        code_version=code_version(),
        source=inputs,
        moment=moment.describe(),
        as_of=as_of.isoformat() if as_of else None,
        covered=replayed.covered(),
        digests=digests(model.app.db),
        overview=overview,
        consultations=service.rules.consultations({}, LIMIT, 0),
        coverage=service.rules.coverage(),
        exceptions=service.rules.exceptions(as_of=as_of or date.max, limit=LIMIT),
    )


def write_json(report: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")


def render_html(report: dict[str, Any]) -> str:
    """The report as one printable HTML page (no scripts, no external assets)."""
    return TEMPLATES.get_template("replay_report.html").render(r=report, labels=LABELS)


def write_html(report: dict[str, Any], path: Path) -> None:
    path.write_text(render_html(report), encoding="utf-8")
