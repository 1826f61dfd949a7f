"""``aidfed audit``: export a bundle, verify it offline, replay it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, cast

import httpx
import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from domain.errors import InvalidInput
from domain.money import currency
from federation.audit.bundle import BundleError, read_bundle
from federation.audit.drift import DriftWatch
from federation.audit.export import export_bundle
from federation.audit.readmodel import ReadModel, ReadModelError
from federation.audit.report import file_digest, replay_report, write_html, write_json
from federation.audit.source import bundle_records
from federation.audit.verify import verify_bundle
from federation.cli_node import DataDir, open_node
from federation.node.international import InternationalApplication
from projections.audit.moment import Moment, parse_at, parse_instant

console = Console()
audit_app = typer.Typer(help="Audit bundles: export, verify offline, replay.")


@audit_app.command("export")
def export(
    out: Annotated[Path, typer.Option(help="the bundle file to write, e.g. intl.aidfed.gz")],
    data_dir: Annotated[
        Path | None, typer.Option(help="the node's data folder", envvar="AIDFED_DATA_DIR")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="or a running node's URL (needs an auditor's token)")
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="API token for --url", envvar="AIDFED_TOKEN")
    ] = None,
) -> None:
    """Export every node's entries, checkpoints, cosignatures and pinned keys held by a node."""
    if (data_dir is None) == (url is None):
        raise typer.BadParameter("give either --data-dir or --url")
    if url is not None:
        download_bundle(url, token, out)
        manifest, _ = read_bundle(out)
    else:
        check_bundle_path(cast(Path, data_dir), out)
        app = open_node(cast(Path, data_dir))
        try:
            manifest = export_bundle(app, out)
        finally:
            app.close()
    sizes = ", ".join(f"{n['node']}={n['size']}" for n in manifest.nodes)
    console.print(f"wrote {out}: {sizes} ({manifest.code_version})")


def download_bundle(url: str, token: str | None, out: Path) -> None:
    """Fetch ``GET /v1/audit/bundle`` into ``out``; a refusal is a usage error, nothing kept."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    partial = out.with_name(out.name + ".part")
    try:
        with httpx.stream(
            "GET", url.rstrip("/") + "/v1/audit/bundle", headers=headers, timeout=600
        ) as response:
            if response.status_code != 200:
                response.read()
                console.print(f"[red]{url} refused: HTTP {response.status_code} {response.text}[/]")
                raise typer.Exit(2)
            with partial.open("wb") as handle:
                for block in response.iter_bytes():
                    handle.write(block)
    except httpx.HTTPError as error:
        console.print(f"[red]{url} unreachable: {error}[/]")
        raise typer.Exit(2) from None
    partial.replace(out)


def check_bundle_path(data_dir: Path, out: Path) -> None:
    """Refuse a bundle path that would overwrite the node's own files or cannot be written."""
    target, folder = out.resolve(), data_dir.resolve()
    if target == folder or folder in target.parents:
        raise typer.BadParameter(
            f"{out} is inside the node's data folder {data_dir}: a bundle written there could "
            "overwrite the node's own files (its key, its database); write it elsewhere",
            param_hint="--out",
        )
    if target.is_dir():
        raise typer.BadParameter(f"{out} is a folder: name the bundle file", param_hint="--out")
    if not target.parent.is_dir():
        raise typer.BadParameter(
            f"the folder {out.parent} does not exist: create it first", param_hint="--out"
        )


def pins(given: list[str]) -> dict[str, str]:
    """NODE=VKEY options as a mapping, or a usage error naming the malformed one."""
    pinned = {}
    for option in given:
        node, sep, vkey = option.partition("=")
        if not sep or not node.strip() or not vkey.strip():
            raise typer.BadParameter(f"{option!r} is not NODE=VKEY", param_hint="--pin")
        pinned[node.strip()] = vkey.strip()
    return pinned


@audit_app.command("verify")
def verify(
    bundle: Annotated[
        Path, typer.Argument(help="the bundle file", exists=True, dir_okay=False, readable=True)
    ],
    pin: Annotated[
        list[str] | None, typer.Option(help="NODE=VKEY: trust this key for NODE, not the bundle's")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Verify a bundle offline; exit 1 naming node, position and fault if anything is wrong."""
    pinned = pins(pin or [])
    report = verify_bundle(bundle, pinned)
    if as_json:
        print(
            json.dumps(
                {"ok": report.ok, "nodes": report.nodes, "faults": [str(f) for f in report.faults]},
                indent=2,
            )
        )
    else:
        for node, figures in report.nodes.items():
            mark = "ok" if figures["verified"] else "FAILED"
            console.print(
                f"{node}: {figures['size']} entries, {figures['checkpoints']} checkpoints,"
                f" {figures['cosignatures']} cosignatures — {mark}"
            )
        for fault in report.faults:
            console.print(f"[red]fault: {fault}[/]", markup=True)
    raise typer.Exit(0 if report.ok else 1)


def _moment(as_of_value_date: str | None, as_known_at: str | None, at: str | None) -> Moment:
    try:
        return Moment(
            as_of_value_date=date.fromisoformat(as_of_value_date) if as_of_value_date else None,
            as_known_at=parse_instant(as_known_at) if as_known_at else None,
            at=parse_at(at) if at else {},
        )
    except ValueError as error:  # MomentError is a ValueError, and so is a bad date
        raise typer.BadParameter(str(error)) from None


def _moment_within(moment: Moment, sizes: dict[str, int]) -> None:
    """Refuse ``--at`` sizes the bundle cannot give: a node it does not hold, or more entries
    than it holds of one (the report would otherwise cover less than was asked, silently)."""
    for node, size in sorted(moment.at.items()):
        if node not in sizes:
            raise typer.BadParameter(
                f"{node} is not a node of this bundle (it holds {', '.join(sorted(sizes))})",
                param_hint="--at",
            )
        if size > sizes[node]:
            raise typer.BadParameter(
                f"{node}={size} is beyond the {sizes[node]} entries of {node} in this bundle",
                param_hint="--at",
            )


@audit_app.command("replay")
def replay(
    bundle: Annotated[Path, typer.Argument(help="the bundle file")],
    as_of_value_date: Annotated[
        str | None, typer.Option(help="what had happened by this day (YYYY-MM-DD)")
    ] = None,
    as_known_at: Annotated[
        str | None, typer.Option(help="what had been recorded by this time (ISO 8601, UTC)")
    ] = None,
    at: Annotated[str | None, typer.Option(help="per-node log sizes, e.g. DE=1200,FR=300")] = None,
    database: Annotated[
        str, typer.Option(help="the throw-away read model: 'sqlite' or an empty postgresql:// db")
    ] = "sqlite",
    reporting_currency: Annotated[
        str | None, typer.Option(help="also convert the figures into this currency")
    ] = None,
    out: Annotated[Path, typer.Option(help="folder for report.html and report.json")] = Path(
        "replay-report"
    ),
) -> None:
    """Rebuild every projection of the International from a bundle, as of a moment; report."""
    moment = _moment(as_of_value_date, as_known_at, at)
    if reporting_currency is not None:
        try:
            currency(reporting_currency)
        except InvalidInput as unknown:
            raise typer.BadParameter(unknown.message, param_hint="--reporting-currency") from None
    try:
        manifest, records = bundle_records(bundle)
        sizes = {n["node"]: int(n["size"]) for n in manifest.nodes}
        _moment_within(moment, sizes)
        total = sum(min(size, moment.at.get(node, size)) for node, size in sizes.items())
        source = {
            "kind": "bundle",
            "path": str(bundle),
            "sha256": file_digest(bundle),
            "exported_by": manifest.exported_by,
            "created_at": manifest.created_at,
            "bundle_code_version": manifest.code_version,
            "bundle_sizes": sizes,
        }
        with ReadModel(manifest.exported_by, database) as model, _progress(total) as advance:
            report = replay_report(records, model, moment, source, reporting_currency, advance)
    except (BundleError, ReadModelError) as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(2) from None
    except PersistenceError as error:  # the URL is not shown: it may hold a password
        console.print(
            f"[red]the read model's database cannot be used: {error} (--database: 'sqlite', or "
            "an empty PostgreSQL database this user may write)[/]"
        )
        raise typer.Exit(2) from None
    out.mkdir(parents=True, exist_ok=True)
    write_json(report, out / "report.json")
    write_html(report, out / "report.html")
    covered = ", ".join(f"{c['node']}={c['included']}" for c in report["covered"])
    console.print(f"replayed {covered}; state digest {report['digests']['state']}")
    console.print(f"wrote {out / 'report.html'} and {out / 'report.json'}")


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on the console (rich), advanced page by page."""
    with Progress(
        TextColumn("replaying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=total < 20_000,  # short runs need no bar
    ) as progress:
        task = progress.add_task("replay", total=total)
        yield lambda n: progress.advance(task, n)


@audit_app.command("drift")
def drift(
    data_dir: DataDir,
    as_json: Annotated[bool, typer.Option("--json", help="print the outcome as JSON")] = False,
) -> None:
    """Rebuild the International's projections and compare them with the live ones; exit 1 on
    drift, naming the first differing row (also recorded as a compliance exception)."""
    app = open_node(data_dir)
    try:
        if not isinstance(app, InternationalApplication):
            console.print(f"[red]{app.settings.node_id} is not the International[/]")
            raise typer.Exit(2)
        result = DriftWatch(app).check()
    finally:
        app.close()
    if as_json:
        print(json.dumps(result.line(), indent=2, default=str))
    else:
        console.print(f"{result.status}: state digest live {result.live.get('state')}")
        if result.difference is not None:
            console.print(f"[red]first differing row: {result.difference}[/]")
            console.print(f"recorded as compliance exception {result.exception_id}")
    raise typer.Exit(1 if result.status == "drift" else 0)
