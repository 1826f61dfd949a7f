"""The federation the fault schedules run on, and the hands that inject each kind of fault.

Two committees and the liaison on SQLite, the International on a PostgreSQL server of its own
(so that it can be restarted), every node a real ``aidfed node serve`` process wired in the
default topology. The International follows each upstream through a `Proxy` (network faults);
one committee's data folder sits on a small tmpfs (full disk) where the machine allows it.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import replace
from pathlib import Path
from types import TracebackType

from federation.sync.peers import PeerBook
from tests.support.backlog import record_receipts
from tests.support.faults import disk
from tests.support.faults.schedule import NETWORK, Kind, Shape, Step
from tests.support.postgres import PostgresServer
from tests.support.processes import COMMITTEE, INTERNATIONAL, LIAISON, NodeProcess
from tests.support.proxy import Fault, Proxy
from tests.support.topology import Federation

COMMITTEES = ("DE", "FR")
LIAISON_ID, INTERNATIONAL_ID = "RU-LIAISON", "INTL"
DELAY = 0.3  # seconds a slowed link holds each chunk


class FaultCluster:
    """A started federation with a proxy per upstream of the International; always torn down."""

    def __init__(self, root: Path, pg: PostgresServer, database: str) -> None:
        self.root = root
        self.pg = pg
        self.small_disk = disk.mount_small_disk(root / COMMITTEES[0])
        nodes = [NodeProcess(c, COMMITTEE, root) for c in COMMITTEES]
        nodes.append(NodeProcess(LIAISON_ID, LIAISON, root))
        nodes.append(NodeProcess(INTERNATIONAL_ID, INTERNATIONAL, root, database=database))
        self.federation = Federation(nodes)
        self.proxies: dict[str, Proxy] = {}
        self.shape = Shape(
            COMMITTEES, LIAISON_ID, INTERNATIONAL_ID, COMMITTEES[0] if self.small_disk else None
        )

    def __enter__(self) -> FaultCluster:
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _build(self) -> None:
        self.federation.init()
        self.federation.wire()
        for committee in COMMITTEES:  # constituted, a treasurer, the famine campaign open
            record_receipts(self.node(committee).data_dir, 0, found=True)
        book = PeerBook(self.node(INTERNATIONAL_ID).data_dir)
        for upstream in self.shape.upstreams:
            proxy = Proxy(self.node(upstream).port, max_hold=10.0)
            proxy.start()
            self.proxies[upstream] = proxy
            book.add(replace(book.get(upstream), url=proxy.url))
        self.federation.start()

    def close(self) -> None:
        for node in self.federation.nodes.values():
            if node.process is not None and node.running:
                node.process.send_signal(signal.SIGCONT)  # a paused node cannot die
        self.federation.kill()
        for proxy in self.proxies.values():
            proxy.stop()
        if self.small_disk:
            disk.unmount(self.root / COMMITTEES[0])

    def node(self, node_id: str) -> NodeProcess:
        return self.federation[node_id]

    @property
    def committee_urls(self) -> dict[str, str]:
        return {c: self.node(c).url for c in COMMITTEES}

    # --- injecting ------------------------------------------------------------------------

    def inject(self, step: Step) -> None:
        """Inject ``step``'s fault, hold it, and heal it (always, even if the hold fails)."""
        if step.kind is Kind.KILL:
            self._kill(step)
        elif step.kind is Kind.PAUSE:
            self._pause(step)
        elif step.kind is Kind.POSTGRES_RESTART:
            self.pg.restart(down=step.hold)
        elif step.kind is Kind.DISK_FULL:
            self._fill(step)
        else:
            self._network(step)

    def _kill(self, step: Step) -> None:
        node = self.node(step.target)
        node.kill()
        time.sleep(step.hold)
        node.start()

    def _pause(self, step: Step) -> None:
        node = self.node(step.target)
        assert node.process is not None, f"{step.target} is not running"
        pid = node.process.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(step.hold)
        finally:
            os.kill(pid, signal.SIGCONT)

    def _fill(self, step: Step) -> None:
        folder = self.node(step.target).data_dir
        disk.ensure_headroom(folder)
        try:
            disk.fill(folder)
            time.sleep(step.hold)
        finally:
            disk.free(folder)

    def _network(self, step: Step) -> None:
        proxy = self.proxies[step.target]
        fault = NETWORK[step.kind]
        if fault is Fault.FLIP:  # one flipped answer: a second in a row is read as a fork
            proxy.set(fault, times=1, flip_at=step.amount)
        elif fault is Fault.TRUNCATE:
            proxy.set(fault, cut=step.amount)
        else:
            proxy.set(fault, delay=DELAY)
        try:
            time.sleep(step.hold)
        finally:
            proxy.set(Fault.PASS)
