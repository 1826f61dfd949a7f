"""A large bundle replayed by several processes at once, merged into one read model.

The nodes are shared out among the processes by size. This process replays its share into
the read model itself; each other process replays its share into a throw-away SQLite file of
its own, whose rows are then copied into the read model.

Why the shares can be projected apart and merged: every row of the International's views
belongs to one node. The supervisory view's rows are keyed by the node they come from (the
``country`` or ``upstream`` column, see ``projections.supervisory``) and its ops read only rows
of the same node (``projections.supervisory.ops``); the International's own records come from
its own events alone; the ingested entries and positions are per node; a moment judges a
node's entries by that node's alone (``projections.audit.moment``). So a node's rows depend
only on its own log, read in full and in order by the one process that has the node, and the
merged rows are those one process would write. A key met twice at the merge would break that
rule: the merge then fails (primary key) instead of keeping either row.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from federation.audit.bundle import BundleError, read_manifest
from federation.audit.indexes import without_indexes
from federation.audit.pages import Covered, Replayed, replay_pages
from federation.audit.readmodel import ReadModel
from federation.audit.source import BundleRecords
from federation.audit.state import TABLES
from federation.node.ingest import INGESTED
from federation.node.projection import POSITIONS
from projections.audit.moment import Moment

# Below this many events a replay stays in one process: a fork, a second read model and the
# merge cost more than they save.
PARALLEL_FROM = 50_000
# The tables a replay writes, all of them keyed by node (see above).
MERGED = (*TABLES, INGESTED, POSITIONS)
# What this process does after its share, per event of the other processes (merging its rows,
# indexing them), costs about 16 % of replaying an event: held back by 8 %, it still took 35.8 s
# of CPU to the other process's 33.1 s (985,550 events in two processes).
MERGE_COST = 0.16
WAIT = 1.0  # seconds between looks at the other processes while waiting for them
# A process reports after every page (seconds of work): one silent this long has hung.
SILENT_AT_MOST = 600.0

Share = frozenset[str]


def plan(
    records: BundleRecords, model: ReadModel, moment: Moment, parts: int | None
) -> list[Share]:
    """The nodes of each process, the smallest share first (this process's: it merges the
    others' rows when they are done); [] to replay in this process.

    Only a replay into SQLite is shared out (where processes can be forked), and by default
    only a large one.
    """
    if model.app.db.dialect != "sqlite" or "fork" not in multiprocessing.get_all_start_methods():
        return []
    sizes = {
        str(n["node"]): min(int(n["size"]), moment.at.get(str(n["node"]), int(n["size"])))
        for n in records.manifest.nodes
    }
    if parts is None:
        if sum(sizes.values()) < PARALLEL_FROM:
            return []
        parts = os.cpu_count() or 1
    shares: list[tuple[float, set[str]]] = [(0, set()) for _ in range(max(1, parts))]
    # This process merges the others' rows after its own share: it starts that much behind
    # (the others hold about all but one share of the events).
    shares[0] = (MERGE_COST * sum(sizes.values()) * (1 - 1 / len(shares)), set())
    for node, size in sorted(sizes.items(), key=lambda item: (-item[1], item[0])):
        lightest = min(range(len(shares)), key=lambda i: shares[i][0])
        total, nodes = shares[lightest]
        shares[lightest] = (total + size, nodes | {node})
    others = sorted(shares[1:], key=lambda s: s[0])
    used = [frozenset(nodes) for _, nodes in [shares[0], *others] if nodes]
    return used if len(used) > 1 and shares[0][1] else []


def replay_in_parts(
    records: BundleRecords,
    shares: list[Share],
    model: ReadModel,
    moment: Moment,
    progress: Callable[[int], None] | None,
) -> Replayed:
    """Replay each share but the first in a process of its own, the rest here; merge."""
    # "fork": the other processes start at once with everything imported, whatever the main
    # module (spawn would run an unguarded script again). They touch nothing of this process
    # but the queue: each opens its own read model, and ends without running finalizers.
    context = multiprocessing.get_context("fork")
    messages: Any = context.Queue()
    international = model.app.settings.node_id
    with tempfile.TemporaryDirectory(prefix="aidfed-replay-parts-") as scratch:
        folders = [Path(scratch) / f"part-{i}" for i in range(1, len(shares))]
        workers = [
            context.Process(
                target=_replay_part,
                args=(records.path, share, international, moment, folder, messages),
                daemon=True,
            )
            for share, folder in zip(shares[1:], folders, strict=True)
        ]
        for worker in workers:
            worker.start()
        try:
            waiting = _Waiting(messages, workers, progress)
            others = frozenset().union(*shares[1:])
            out = replay_pages(records.besides(others), model, moment, waiting.advance)
            for lines in waiting.results():
                for node, covered in lines.items():
                    out.nodes[node] = Covered(**covered)
            for folder in folders:
                _merge(model, folder / "events.sqlite")
        finally:
            for worker in workers:
                if worker.is_alive():
                    worker.terminate()
                worker.join(WAIT * 10)
            messages.close()
    return out


class _Waiting:
    """The other processes' messages: progress passed on, their results, their failures."""

    def __init__(
        self, messages: Any, workers: list[Any], progress: Callable[[int], None] | None
    ) -> None:
        self.messages = messages
        self.workers = workers
        self.progress = progress
        self.done: list[dict[str, dict[str, Any]]] = []

    def advance(self, count: int) -> None:
        """This process's progress, and the others' so far (never waits)."""
        self._take(count)
        while True:
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                return
            self._handle(message)

    def results(self) -> list[dict[str, dict[str, Any]]]:
        """Wait for every other process's result (each process is bounded by its share)."""
        silent = 0.0
        while len(self.done) < len(self.workers):
            try:
                self._handle(self.messages.get(timeout=WAIT))
                silent = 0.0
            except queue.Empty:
                silent += WAIT
                if any(w.exitcode not in (None, 0) for w in self.workers):
                    raise RuntimeError("a replay process ended without its result") from None
                if silent >= SILENT_AT_MOST:
                    raise RuntimeError(
                        f"a replay process said nothing for {silent:.0f} s"
                    ) from None
        return self.done

    def _take(self, count: int) -> None:
        if self.progress is not None and count:
            self.progress(count)

    def _handle(self, message: tuple[str, Any]) -> None:
        kind, body = message
        if kind == "progress":
            self._take(body)
        elif kind == "done":
            self.done.append(body)
        elif kind == "bundle-error":
            raise BundleError(body)
        else:
            raise RuntimeError(f"a replay process failed:\n{body}")


def _replay_part(
    path: Path, share: Share, international: str, moment: Moment, folder: Path, messages: Any
) -> None:
    """One other process: replay ``share`` into a SQLite file in ``folder``, report, close."""
    try:
        records = BundleRecords(path, read_manifest(path)).of(share)
        model = ReadModel(international, folder=folder)
        try:
            without_indexes(model.app.db)
            out = replay_pages(records, model, moment, lambda n: messages.put(("progress", n)))
        finally:
            model.close()
        lines = {
            node: {**c.line(node), "inputs": c.inputs_digest()} for node, c in out.nodes.items()
        }
        for line in lines.values():
            line.pop("node")
        messages.put(("done", lines))
    except BundleError as error:
        messages.put(("bundle-error", str(error)))
    except BaseException:
        messages.put(("error", traceback.format_exc()))


def _merge(model: ReadModel, part: Path) -> None:
    """Copy every row the replay wrote in ``part`` into the read model, in one transaction."""
    with model.sqlite_connection() as raw:
        raw.execute("ATTACH DATABASE ? AS part", (str(part),))
        try:
            raw.execute("BEGIN IMMEDIATE")
            try:
                for table in MERGED:
                    # In key order: each row lands next to the one before in the key's B-tree.
                    columns = ", ".join(table.columns)
                    raw.execute(
                        f"INSERT INTO main.{table.name} ({columns}) "
                        f"SELECT {columns} FROM part.{table.name} ORDER BY {', '.join(table.key)}"
                    )
            except BaseException:
                raw.execute("ROLLBACK")
                raise
            raw.execute("COMMIT")
        finally:
            raw.execute("DETACH DATABASE part")
