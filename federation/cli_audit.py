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
    check_bundle_path(data_dir, out)
    app = open_node(data_dir)
    try:
        manifest = export_bundle(app, out)
    finally:
        app.close()
    sizes = ", ".join(f"{n['node']}={n['size']}" for n in manifest.nodes)
    console.print(f"wrote {out}: {sizes} ({manifest.code_version})")


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
