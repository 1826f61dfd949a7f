"""The demo federation: which nodes, on which ports, who follows whom, who may log in.

Demo tokens and passwords are fixed strings so the printed logins work on every run; nodes in
demo mode accept them, and nothing outside the demo does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from domain.roles import Role
from federation.api.users import UserBook
from federation.node import setup
from federation.settings import NodeKind, Settings
from federation.sync.peers import Peer, PeerBook, digest

PASSWORD = "solidarity-1922"


@dataclass(frozen=True, slots=True)
class DemoNode:
    """One node of the demo."""

    node_id: str
    kind: NodeKind
    name: str
    offset: int
    users: tuple[tuple[str, str, Role], ...]

    def port(self, base: int) -> int:
        return base + self.offset

    def url(self, base: int) -> str:
        return f"http://127.0.0.1:{self.port(base)}"

    def token(self, username: str) -> str:
        return f"demo-{self.node_id}-{username}"


def _committee(node_id: str, name: str, offset: int, people: tuple[str, str, str]) -> DemoNode:
    secretary, treasurer, payer = people
    return DemoNode(
        node_id,
        NodeKind.COMMITTEE,
        name,
        offset,
        (
            ("secretary", secretary, Role.SECRETARY),
            ("treasurer", treasurer, Role.TREASURER),
            ("cashier", payer, Role.TREASURER),
        ),
    )


NODES = (
    DemoNode(
        "INTL",
        NodeKind.INTERNATIONAL,
        "Internationale Arbeiterhilfe (IAH), Berlin",
        0,
        (
            ("supervisor", "Willi Münzenberg", Role.SUPERVISOR),
            ("auditor", "Clara Zetkin", Role.AUDITOR),
        ),
    ),
    DemoNode(
        "RU-LIAISON",
        NodeKind.LIAISON,
        "Liaison with the Russian economic agencies",
        1,
        (
            ("liaison", "Alexander Eiduk", Role.LIAISON_OFFICER),
            ("union", "Mikhail Tomsky", Role.UNION_REPRESENTATIVE),
        ),
    ),
    _committee(
        "DE",
        "Komitee Arbeiterhilfe für Sowjetrußland, Deutschland",
        2,
        ("Willi Münzenberg", "Hugo Eberlein", "Franz Dahlem"),
    ),
    _committee(
        "FR",
        "Comité de secours ouvrier international, France",
        3,
        ("Marcel Cachin", "Henri Gourdeaux", "Marthe Bigot"),
    ),
    _committee(
        "US",
        "Friends of Soviet Russia",
        4,
        ("Caleb Harrison", "Alfred Wagenknecht", "Rose Karsner"),
    ),
    _committee(
        "NO",
        "Arbeidernes Russlandshjelp, Norge",
        5,
        ("Martin Tranmæl", "Olav Scheflo", "Eugène Olaussen"),
    ),
    _committee(
        "CS",
        "Dělnická pomoc Sovětskému Rusku, Československo",
        6,
        ("Bohumír Šmeral", "Antonín Zápotocký", "Marie Švermová"),
    ),
)
BY_ID = {n.node_id: n for n in NODES}


def upstreams(node: DemoNode) -> list[DemoNode]:
    """DESIGN's default topology: the International follows everyone, everyone follows it and
    the liaison, the liaison follows the committees."""
    if node.kind is NodeKind.INTERNATIONAL:
        return [n for n in NODES if n is not node]
    if node.kind is NodeKind.LIAISON:
        return [n for n in NODES if n is not node]
    return [BY_ID["INTL"], BY_ID["RU-LIAISON"]]


def feed_token(follower: DemoNode, upstream: DemoNode) -> str:
    return f"demo-feed-{follower.node_id}-{upstream.node_id}"


def prepare(root: Path, base_port: int) -> None:
    """Create every node's folder, key, users and peers (again is harmless: same result)."""
    vkeys = {}
    for node in NODES:
        settings = Settings(
            node_id=node.node_id,
            kind=node.kind,
            name=node.name,
            data_dir=(root / node.node_id).resolve(),
            database="sqlite",
            port=node.port(base_port),
            mode="demo",
        )
        vkeys[node.node_id] = setup.init_node(settings).vkey
        users = UserBook(settings.data_dir)
        for username, person, role in node.users:
            users.add(username, person, role, PASSWORD, node.token(username))
    for node in NODES:
        book = PeerBook(root / node.node_id)
        followers = [n for n in NODES if node in upstreams(n)]
        follows = upstreams(node)
        for peer in {*follows, *followers}:
            book.add(
                Peer(
                    peer.node_id,
                    peer.url(base_port),
                    vkeys[peer.node_id],
                    follow=peer in follows,
                    token=feed_token(node, peer) if peer in follows else None,
                    accepts=digest(feed_token(peer, node)) if peer in followers else None,
                )
            )
