"""A node's data folder: its settings file (node.env) and its key pair."""

from __future__ import annotations

import json
from pathlib import Path

from dotenv import dotenv_values

from domain.errors import NotFound, RuleBroken
from federation.settings import Settings
from federation.signedlog.keys import load_or_create_key, write_vkey
from federation.signedlog.note import NoteSigner

ENV_FILE = "node.env"


def init_node(settings: Settings) -> NoteSigner:
    """Write the node's settings into its data folder and create its key; return its signer.

    A folder that already holds a node keeps its id and kind: its log's origin, its key and its
    peers' pins name them, and its database holds that node's events. Its other settings (name,
    address, database URL) may be written again.
    """
    held = _written(settings.data_dir / ENV_FILE)
    node_id, kind = held.get("AIDFED_NODE_ID"), held.get("AIDFED_KIND")
    if held and (node_id, kind) != (settings.node_id, settings.kind.value):
        raise RuleBroken(
            "node.identity_fixed",
            f"{settings.data_dir} already holds node {node_id} ({kind}); a node's id and kind "
            "never change: initialise another folder",
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lines = {
        "AIDFED_NODE_ID": settings.node_id,
        "AIDFED_KIND": settings.kind.value,
        "AIDFED_NAME": settings.name,
        "AIDFED_DATA_DIR": str(settings.data_dir.resolve()),
        "AIDFED_DATABASE": settings.database,
        "AIDFED_HOST": settings.host,
        "AIDFED_PORT": str(settings.port),
        "AIDFED_MODE": settings.mode,
    }
    path = settings.data_dir / ENV_FILE
    path.write_text("".join(f"{k}={json.dumps(v)}\n" for k, v in lines.items()), encoding="utf-8")
    path.chmod(0o600)  # it may hold a database password
    signer = NoteSigner(settings.log_origin, load_or_create_key(settings.data_dir))
    write_vkey(settings.data_dir, signer.verifier)
    return signer


def _written(path: Path) -> dict[str, str | None]:
    """The settings ``init_node`` wrote (not the environment's), or none: read as pydantic-settings
    reads the file."""
    return dotenv_values(path) if path.exists() else {}


def load_settings(data_dir: Path) -> Settings:
    """The settings of the node in ``data_dir`` (its node.env, then the environment)."""
    env_file = data_dir / ENV_FILE
    if not env_file.exists():
        raise NotFound("node.not_initialised", f"{data_dir} holds no node: run 'aidfed node init'")
    return Settings(_env_file=env_file)
