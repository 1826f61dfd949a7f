"""The node's Ed25519 key: created once beside its data, readable by its owner only.

``data_dir/node.key`` holds the private key (PKCS#8 PEM, mode 0600, never overwritten) and
``data_dir/node.vkey`` the C2SP verifier key (``<origin>+<key id>+<public key>``), which the
offline verifier reads. Trust in that public key must come from outside the data folder:
anyone able to rewrite the folder could replace both files, so auditors compare the vkey
with the one pinned by followers or published by ``GET /v1/node``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.settings import Settings
from federation.signedlog.note import (
    NoteSigner,
    NoteVerifier,
    generate_key,
    parse_vkey,
    read_private_key,
    write_private_key,
)

KEY_FILE: Final = "node.key"
VKEY_FILE: Final = "node.vkey"


def load_or_create_key(data_dir: Path) -> Ed25519PrivateKey:
    """Read `data_dir/node.key`, creating it on a node's first start; never overwrite it."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        temporary = data_dir / f".{KEY_FILE}.{os.getpid()}.{threading.get_ident()}"
        write_private_key(temporary, generate_key())
        try:
            # A hard link appears complete or not at all, and fails if the key exists: two
            # processes starting at once agree on one key, and a reader never sees half a file.
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink()
    return read_private_key(path)


def node_signer(settings: Settings) -> NoteSigner:
    """The signer of this node's checkpoints: key name = log origin, as C2SP recommends."""
    if settings.database == "memory":
        return NoteSigner(settings.log_origin, generate_key())  # an ephemeral node
    signer = NoteSigner(settings.log_origin, load_or_create_key(settings.data_dir))
    write_vkey(settings.data_dir, signer.verifier)
    return signer


def write_vkey(data_dir: Path, verifier: NoteVerifier) -> None:
    """Write the public verifier key beside the private key, if it is not there already."""
    path = data_dir / VKEY_FILE
    text = verifier.vkey + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    temporary = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # atomic: concurrent starters never see half a file


def read_verifier(source: str | Path) -> NoteVerifier:
    """Parse a vkey given as text, or read it from a file or from a data folder."""
    path = Path(source)
    if path.is_dir():
        path = path / VKEY_FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else str(source)
    return parse_vkey(text.strip())
