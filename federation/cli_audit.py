"""``aidfed audit``: export a bundle, verify it offline, replay it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from federation.audit.export import export_bundle
from federation.audit.verify import verify_bundle
from federation.cli_node import DataDir, open_node

console = Console()
audit_app = typer.Typer(help="Audit bundles: export, verify offline, replay.")


@audit_app.command("export")
def export(
    data_dir: DataDir,
    out: Annotated[Path, typer.Option(help="the bundle file to write, e.g. intl.aidfed.gz")],
) -> None:
    """Export every node's entries, checkpoints, cosignatures and pinned keys held here."""
    app = open_node(data_dir)
    try:
        manifest = export_bundle(app, out)
    finally:
        app.close()
    sizes = ", ".join(f"{n['node']}={n['size']}" for n in manifest.nodes)
    console.print(f"wrote {out}: {sizes} ({manifest.code_version})")


@audit_app.command("verify")
def verify(
    bundle: Annotated[Path, typer.Argument(help="the bundle file")],
    pin: Annotated[
        list[str] | None, typer.Option(help="NODE=VKEY: trust this key for NODE, not the bundle's")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Verify a bundle offline; exit 1 naming node, position and fault if anything is wrong."""
    pinned = dict(p.split("=", 1) for p in pin or [])
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
