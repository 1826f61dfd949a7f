"""Replaying events into a throw-away read model, as of a moment.

The records are projected page by page (``federation.audit.pages``); a large bundle replayed
into SQLite is shared out among processes by node (``federation.audit.parallel``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from federation.audit import parallel
from federation.audit.indexes import with_indexes, without_indexes
from federation.audit.pages import Covered, Replayed, replay_pages
from federation.audit.readmodel import ReadModel
from federation.audit.source import BundleRecords, Record
from projections.audit.moment import Moment

__all__ = ["Covered", "Replayed", "replay"]


def replay(
    records: Iterable[Record],
    model: ReadModel,
    moment: Moment,
    progress: Callable[[int], None] | None = None,
    parts: int | None = None,
) -> Replayed:
    """Project every record the moment includes into ``model``; ``progress(n)`` after each page.

    A large bundle replayed into SQLite is shared out among ``parts`` processes (default: one
    per core), see ``federation.audit.parallel``; anything else is replayed here, in order.
    """
    db = model.app.db
    without_indexes(db)
    bundle = records if isinstance(records, BundleRecords) else None
    if bundle is not None and (shares := parallel.plan(bundle, model, moment, parts)):
        out = parallel.replay_in_parts(bundle, shares, model, moment, progress)
    else:
        out = replay_pages(records, model, moment, progress)
    with_indexes(db)
    return out
