"""A federation of node processes for one test: who follows whom, the tokens between them.

`Federation` initialises its nodes with ``aidfed node init``, wires them as peers in DESIGN's
default topology (or any other), starts them side by side and kills them all on exit.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from types import TracebackType

from federation.sync.peers import Peer, PeerBook, digest, new_token
from tests.support.processes import (
    AIDFED,
    CLI_TIMEOUT,
    COMMITTEE,
    INTERNATIONAL,
    LIAISON,
    NodeProcess,
    environment,
    wait_until,
)


def default_topology(kinds: Mapping[str, str]) -> dict[str, list[str]]:
    """Who follows whom (DESIGN §3, issue 5): the International follows every node; the
    committees follow the International and the liaison; the liaison follows everyone."""
    follows: dict[str, list[str]] = {}
    for node_id, kind in kinds.items():
        if kind == COMMITTEE:
            follows[node_id] = [n for n, k in kinds.items() if k in (INTERNATIONAL, LIAISON)]
        else:
            follows[node_id] = [n for n in kinds if n != node_id]
    return follows


class Federation:
    """The nodes of one test: initialised, wired as peers, started and always stopped together."""

    def __init__(self, nodes: Sequence[NodeProcess]) -> None:
        self.nodes = {node.node_id: node for node in nodes}
        self.follows: dict[str, list[str]] = {}
        self.tokens: dict[tuple[str, str], str] = {}  # (follower, upstream) -> bearer token

    def __getitem__(self, node_id: str) -> NodeProcess:
        return self.nodes[node_id]

    def __enter__(self) -> Federation:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.kill()

    def init(self, timeout: float = CLI_TIMEOUT) -> None:
        """``aidfed node init`` for every node, all at once."""
        running = [
            subprocess.Popen(n.init_command(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for n in self.nodes.values()
        ]
        for process in running:
            output, _ = process.communicate(timeout=timeout)
            assert process.returncode == 0, output.decode(errors="replace")

    def wire(self, follows: Mapping[str, Sequence[str]] | None = None, cli: bool = False) -> None:
        """Make every node a peer of the nodes it follows or is followed by: URL, pinned vkey, a
        token for each upstream it follows, the token each follower presents. With ``cli``
        through ``aidfed peer add``; otherwise by writing the same peers.json directly."""
        kinds = {n.node_id: n.kind for n in self.nodes.values()}
        self.follows = {k: list(v) for k, v in (follows or default_topology(kinds)).items()}
        for follower, upstreams in self.follows.items():
            for upstream in upstreams:
                self.tokens.setdefault((follower, upstream), new_token())
        if cli:
            self._wire_by_cli()
            return
        for me in self.nodes.values():
            for other in self.nodes.values():
                mine, theirs = self._tokens(me, other)
                if mine or theirs:
                    accepts = digest(theirs) if theirs else None
                    peer = Peer(other.node_id, other.url, other.vkey, bool(mine), mine, accepts)
                    PeerBook(me.data_dir).add(peer)

    def _tokens(self, me: NodeProcess, other: NodeProcess) -> tuple[str | None, str | None]:
        """The token ``me`` presents to ``other``, and the one ``other`` presents to ``me``."""
        if me is other:
            return None, None
        return (
            self.tokens.get((me.node_id, other.node_id)),
            self.tokens.get((other.node_id, me.node_id)),
        )

    def _wire_by_cli(self) -> None:
        # One `peer add` at a time per node (each rewrites its peers.json), nodes side by side.
        commands = {me.node_id: self._peer_adds(me) for me in self.nodes.values()}
        for round_ in range(max(len(c) for c in commands.values())):
            batch = [c[round_] for c in commands.values() if round_ < len(c)]
            env = environment()
            running = [subprocess.Popen(c, stdout=subprocess.PIPE, env=env) for c in batch]
            for process in running:
                output, _ = process.communicate(timeout=CLI_TIMEOUT)
                assert process.returncode == 0, output

    def _peer_adds(self, me: NodeProcess) -> list[list[str]]:
        commands = []
        for other in self.nodes.values():
            mine, theirs = self._tokens(me, other)
            if mine or theirs:
                commands.append(
                    [
                        *(AIDFED, "peer", "add", "--data-dir", str(me.data_dir)),
                        *("--id", other.node_id, "--url", other.url, "--vkey", other.vkey),
                        *(("--token", mine) if mine else ()),
                        *(("--accept-token", theirs) if theirs else ()),
                        "--follow" if mine else "--no-follow",
                    ]
                )
        return commands

    def start(self, *node_ids: str) -> None:
        """Serve the given nodes (default: all), starting them side by side."""
        chosen = [self.nodes[i] for i in node_ids] if node_ids else list(self.nodes.values())
        for node in chosen:
            node.start(wait=False)
        for node in chosen:
            node.wait_started()

    def kill(self) -> None:
        """SIGKILL every node still running."""
        for node in self.nodes.values():
            node.kill()

    def pairs(self) -> list[tuple[str, str]]:
        """(follower, upstream) for every follow."""
        return [(f, u) for f, upstreams in self.follows.items() for u in upstreams]

    def lags(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(follower, upstream) -> (the follower's cursor, the upstream's log size)."""
        return {
            (f, u): (self.nodes[f].db.cursor(u), self.nodes[u].db.log_size())
            for f, u in self.pairs()
        }

    def caught_up(self, follower: str, upstream: str) -> bool:
        """Whether ``follower`` holds everything ``upstream`` has recorded."""
        size = self.nodes[upstream].db.log_size()
        return self.nodes[follower].db.cursor(upstream) >= size

    def wait_caught_up(self, follower: str, upstream: str, timeout: float = 30) -> None:
        """Wait until ``follower`` holds everything ``upstream`` has recorded so far."""
        what = f"{follower} to catch up with {upstream}"
        wait_until(lambda: self.caught_up(follower, upstream), timeout, what, every=0.05)

    def wait_synced(self, timeout: float = 60) -> None:
        """Wait until every follower's cursor equals its upstreams' log sizes."""
        last: dict[tuple[str, str], tuple[int, int]] = {}

        def level() -> bool:
            nonlocal last
            last = self.lags()
            return all(cursor == size for cursor, size in last.values())

        try:
            wait_until(level, timeout, "every follower to catch up", every=0.1)
        except AssertionError as error:
            behind = {k: v for k, v in last.items() if v[0] != v[1]}
            raise AssertionError(f"{error}; behind (cursor, size): {behind}") from None
