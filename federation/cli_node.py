"""``aidfed node``, ``aidfed peer``, ``aidfed sync`` and ``aidfed status``: running a federation."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import psycopg
import typer
import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from domain.errors import InvalidInput, NotFound, RuleBroken
from domain.roles import Role
from federation.api.app import KINDS, create_app
from federation.api.users import UserBook
from federation.node import setup
from federation.node.base import NodeApplication
from federation.settings import NodeKind, Settings
from federation.signedlog.keys import load_or_create_key
from federation.signedlog.note import NoteSigner
from federation.sync.peers import Peer, PeerBook, digest, new_token
from federation.sync.runner import followed, make_follower
from federation.sync.status import exit_code, status_row

console = Console()
node_app = typer.Typer(help="Create and run a node.")
peer_app = typer.Typer(help="The peers a node follows and lets follow it.")
STATUS_COLUMNS = (
    "upstream",
    "cursor",
    "upstream_head",
    "lag",
    "last_success",
    "verification",
    "reason",
)

DataDir = Annotated[Path, typer.Option(help="the node's data folder", envvar="AIDFED_DATA_DIR")]


def load_settings(data_dir: Path) -> Settings:
    """The settings of the node in ``data_dir``, or a usage error saying what to do."""
    try:
        return setup.load_settings(data_dir)
    except NotFound as missing:
        raise typer.BadParameter(missing.message) from None


def known_peer(data_dir: Path, node_id: str, option: str) -> Peer:
    """The node's peer ``node_id``, or a usage error naming ``option``."""
    try:
        return PeerBook(data_dir).get(node_id.upper())
    except NotFound as missing:
        raise typer.BadParameter(missing.message, param_hint=option) from None


def database_reached(settings: Settings) -> None:
    """A PostgreSQL node's database answers, or exit 2 saying what to check (instead of the
    library's traceback after its retries). A SQLite file needs no check."""
    if settings.database in ("sqlite", "memory"):
        return
    env = settings.eventsourcing_env()
    try:
        psycopg.connect(
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
            connect_timeout=5,
        ).close()
    except psycopg.Error as error:  # its message names host and port, never the password
        console.print(
            f"[red]the node's database cannot be reached: {error}\n"
            f"(AIDFED_DATABASE in {settings.data_dir / setup.ENV_FILE} or the environment)[/]"
        )
        raise typer.Exit(2) from None


def open_node(data_dir: Path) -> NodeApplication:
    """The application of the node in ``data_dir``."""
    settings = load_settings(data_dir)
    database_reached(settings)
    application_class, _ = KINDS[settings.kind]
    return application_class(settings)


# The settings a ``node init`` option gives, for naming the option a bad value came from.
INIT_OPTIONS = {"node_id": "--id", "name": "--name", "database": "--database", "host": "--host"}


@node_app.command("init")
def init(
    kind: Annotated[NodeKind, typer.Option(help="committee, international or liaison")],
    node_id: Annotated[str, typer.Option("--id", help="DE, FR, US, INTL, RU-LIAISON, ...")],
    name: Annotated[str, typer.Option(help="the node's display name")],
    data_dir: DataDir,
    database: Annotated[str, typer.Option(help="'sqlite' or a postgresql:// URL")] = "sqlite",
    host: Annotated[str, typer.Option(help="the address to serve on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port to serve on")] = 8000,
) -> None:
    """Create a node's data folder: its settings and its Ed25519 key pair; print its vkey."""
    try:
        settings = Settings(
            node_id=node_id,
            kind=kind,
            name=name,
            data_dir=data_dir.resolve(),
            database=database,
            host=host,
            port=port,
        )
    except ValidationError as invalid:
        first = invalid.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        option = INIT_OPTIONS.get(field, field)
        raise typer.BadParameter(
            first["msg"].removeprefix("Value error, "), param_hint=option
        ) from None
    try:
        signer = setup.init_node(settings)
    except RuleBroken as refused:
        raise typer.BadParameter(refused.message, param_hint="--data-dir") from None
    console.print(f"node {settings.node_id} ({kind.value}) in {settings.data_dir}")
    console.print(f"vkey: {signer.vkey}")


@node_app.command("show")
def show(data_dir: DataDir) -> None:
    """Print the node's id, kind, origin and vkey (what peers must pin)."""
    settings = load_settings(data_dir)
    signer = NoteSigner(settings.log_origin, load_or_create_key(settings.data_dir))
    console.print_json(
        json.dumps(
            {
                "node_id": settings.node_id,
                "kind": settings.kind.value,
                "name": settings.name,
                "origin": settings.log_origin,
                "vkey": signer.vkey,
                "url": f"http://{settings.host}:{settings.port}",
            }
        )
    )


@node_app.command("serve")
def serve(
    data_dir: DataDir,
    follow: Annotated[bool, typer.Option(help="also follow the node's upstreams")] = True,
) -> None:
    """Serve the node over HTTP(S) and follow its upstreams until stopped."""
    settings = load_settings(data_dir)
    database_reached(settings)
    settings = settings.model_copy(update={"follow": follow})
    cert, key = settings.tls_certfile, settings.tls_keyfile
    api = create_app(settings)
    api.state.freeze_heap = True  # this process serves this node alone (see node/heap.py)
    config = uvicorn.Config(
        api,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        ssl_certfile=str(cert) if cert and key else None,
        ssl_keyfile=str(key) if cert and key else None,
    )
    NodeServer(config, api).run()


class NodeServer(uvicorn.Server):
    """Uvicorn, ending its followers' long-polls when told to stop.

    On SIGTERM or Ctrl-C uvicorn waits for every open request before it shuts down, and a
    follower's long-poll stays open for up to its wait (20 s): answer those at once instead.
    """

    def __init__(self, config: uvicorn.Config, api: FastAPI) -> None:
        super().__init__(config)
        self.api = api

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        node = getattr(self.api.state, "node", None)
        if node is not None:
            node.signed_log.end_waits()
        super().handle_exit(sig, frame)


@peer_app.command("add")
def peer_add(
    data_dir: DataDir,
    node_id: Annotated[str, typer.Option("--id", help="the peer's node id")],
    url: Annotated[str, typer.Option(help="the peer's base URL, e.g. http://10.0.0.5:8001")],
    vkey: Annotated[str, typer.Option(help="the peer's pinned vkey ('aidfed node show')")],
    token: Annotated[str | None, typer.Option(help="the token to present to the peer")] = None,
    accept_token: Annotated[
        str | None, typer.Option(help="the token the peer presents to read this node's feed")
    ] = None,
    follow: Annotated[bool, typer.Option(help="follow this peer's log")] = True,
) -> None:
    """Add or replace a peer: its URL, pinned key and tokens.

    Pinning another key lifts a quarantine for a changed key (the follower then verifies with
    the new key, and quarantines again if the peer does not sign with it either).
    """
    load_settings(data_dir)
    accepts = digest(accept_token) if accept_token else None
    try:
        PeerBook(data_dir).add(Peer(node_id.upper(), url, vkey.strip(), follow, token, accepts))
    except InvalidInput as refused:
        hint = "--vkey" if refused.code == "peer.bad_key" else "--url"
        raise typer.BadParameter(refused.message, param_hint=hint) from None
    console.print(f"peer {node_id.upper()} at {url} ({'followed' if follow else 'not followed'})")


@peer_app.command("list")
def peer_list(data_dir: DataDir) -> None:
    """The node's peers (tokens are never shown)."""
    load_settings(data_dir)  # a folder that holds no node is said to, not listed as empty
    console.print_json(json.dumps([p.public() for p in PeerBook(data_dir).all()]))


@peer_app.command("release")
def peer_release(
    data_dir: DataDir, node_id: Annotated[str, typer.Option("--id", help="the quarantined peer")]
) -> None:
    """Follow a quarantined upstream again, from what is held (an operator's decision, once the
    upstream is repaired: if it still contradicts what is held, it is quarantined again)."""
    app = open_node(data_dir)
    try:
        make_follower(app, known_peer(data_dir, node_id, "--id")).release()
    finally:
        app.close()
    console.print(f"{node_id.upper()} released from quarantine")


def sync(
    data_dir: DataDir,
    peer: Annotated[str | None, typer.Option(help="only this upstream")] = None,
    continuous: Annotated[bool, typer.Option(help="keep following until Ctrl-C")] = False,
    audit: Annotated[bool, typer.Option(help="re-read and compare everything held")] = False,
) -> None:
    """Pull from the node's upstreams: once (default), continuously, or as a full audit."""
    load_settings(data_dir)  # a folder that holds no node is named before an unknown peer
    if peer is not None and not known_peer(data_dir, peer, "--peer").follow:
        raise typer.BadParameter(
            f"this node does not follow {peer.upper()} (added with --no-follow): "
            "'aidfed peer add ... --follow' to follow it",
            param_hint="--peer",
        )
    app = open_node(data_dir)
    followers = [make_follower(app, p) for p in followed(app, peer.upper() if peer else None)]
    if not followers:
        console.print("this node follows no upstream: add one with 'aidfed peer add'")
    try:
        if continuous:
            stop = threading.Event()
            threads = [threading.Thread(target=f.run, args=(stop,), daemon=True) for f in followers]
            for t in threads:
                t.start()
            try:
                while any(t.is_alive() for t in threads):
                    threads[0].join(0.5)
            except KeyboardInterrupt:
                stop.set()
            return
        for f in followers:
            outcome = f.audit() if audit else f.sync_once()
            console.print(
                f"{outcome.upstream}: +{outcome.ingested} → {outcome.size}/{outcome.head} "
                f"{outcome.status}{' — ' + outcome.error if outcome.error else ''}"
            )
    finally:
        for f in followers:
            f.close()
        app.close()


def status(
    data_dir: DataDir,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Per upstream: cursor, upstream head, lag, last success, verification, quarantine.

    Exit code 0 when every upstream verifies, 3 when one is quarantined (fork, regression, key
    changed), 4 when the last page of one was rejected (damaged or malformed); also with --json.
    """
    app = open_node(data_dir)
    try:
        rows = [status_row(s) for s in app.follower_states.all()]
    finally:
        app.close()
    if as_json:
        console.print_json(json.dumps(rows))
        raise typer.Exit(exit_code(rows))
    table = Table(title=f"sync status of {app.settings.node_id}")
    for column in STATUS_COLUMNS:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c] if row[c] is not None else "") for c in STATUS_COLUMNS))
    console.print(table)
    raise typer.Exit(exit_code(rows))


user_app = typer.Typer(help="The people who may act on a node.")


@user_app.command("add")
def user_add(
    data_dir: DataDir,
    username: Annotated[str, typer.Option(help="login name, e.g. zetkin")],
    person: Annotated[str, typer.Option(help="the person's name, recorded on every event")],
    role: Annotated[Role, typer.Option(help="treasurer, secretary, supervisor, ...")],
    password: Annotated[str | None, typer.Option(help="dashboard password (8+ characters)")] = None,
    token: Annotated[
        str | None, typer.Option(help="API token to accept (default: a new one, printed once)")
    ] = None,
) -> None:
    """Add or replace a user; prints the API token once (it is stored only as a digest)."""
    load_settings(data_dir)
    token = token or new_token()
    try:
        user = UserBook(data_dir).add(username, person, role, password, token)
    except InvalidInput as refused:
        hint = "--password" if refused.code == "user.weak_password" else "--username / --person"
        raise typer.BadParameter(refused.message, param_hint=hint) from None
    console.print(f"user {user.username} ({user.person}, {user.role}); API token: {token}")


@user_app.command("list")
def user_list(data_dir: DataDir) -> None:
    """The node's users (never a password or a token)."""
    load_settings(data_dir)
    console.print_json(json.dumps([u.public() for u in UserBook(data_dir).all()]))
