"""C2SP signed notes, checkpoints and Ed25519 cosignatures, byte for byte as specified.

Specifications: c2sp.org/signed-note (notes, key IDs, vkeys), c2sp.org/tlog-checkpoint (the
checkpoint body) and c2sp.org/tlog-cosignature (timestamped Ed25519 cosignatures, type 0x04).
Texts are `str`; what is signed is always their UTF-8 encoding.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

SIGNATURE_TYPE_ED25519: Final = 0x01
SIGNATURE_TYPE_COSIGNATURE_V1: Final = 0x04
MAX_SIGNATURES: Final = 100  # the spec requires at least 16; Go's reference allows 100
MAX_TIMESTAMP: Final = 2**63 - 1
MAX_TREE_SIZE: Final = 2**64 - 1
ROOT_HASH_SIZE: Final = 32

_SIGNATURE_PREFIX: Final = "\u2014 "  # em dash, space
_KEY_ID_SIZE: Final = 4
_ED25519_SIGNATURE_SIZE: Final = 64
_PUBLIC_KEY_SIZE: Final = 32
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # ASCII controls other than newline
_TREE_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_HEX_KEY_ID = re.compile(r"[0-9a-f]{8}")


class NoteError(ValueError):
    """A signed note, checkpoint, cosignature or key is malformed or does not verify."""


# ---------------------------------------------------------------------------------------------
# Encodings shared by notes, vkeys and checkpoints.


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    # Standard alphabet with padding, and only the canonical encoding, so one value has one
    # spelling (a signed text must not have look-alike variants).
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as error:
        raise NoteError(f"{what} is not valid base64: {text!r}") from error
    if _b64encode(data) != text:
        raise NoteError(f"{what} is not canonical base64: {text!r}")
    return data


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise NoteError(f"{what} is not valid UTF-8") from error
    match = _CONTROL.search(text)
    if match:
        raise NoteError(
            f"{what} contains control character U+{ord(match.group()):04X} "
            f"at offset {match.start()}; only newline is allowed"
        )


def check_key_name(name: str) -> None:
    """Raise NoteError unless `name` is a valid key name: non-empty, no spaces, no plus."""
    if not name:
        raise NoteError("key name is empty")
    _check_text(name, f"key name {name!r}")
    if "+" in name or any(char.isspace() for char in name):
        raise NoteError(f"key name {name!r} contains a space, newline or plus sign")


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """Return the 4-byte key ID SHA-256(name || 0x0A || type || public key)[:4]."""
    data = name.encode("utf-8") + b"\n" + bytes([signature_type]) + public_key
    return hashlib.sha256(data).digest()[:_KEY_ID_SIZE]


# ---------------------------------------------------------------------------------------------
# Keys.


def generate_key() -> Ed25519PrivateKey:
    """Return a new random Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def write_private_key(path: str | os.PathLike[str], private_key: Ed25519PrivateKey) -> None:
    """Write the key as unencrypted PKCS#8 PEM to a new file readable by its owner only."""
    pem = private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # O_EXCL: never overwrite a node's identity; the mode is set at creation, so the key is
    # never readable by others, not even for an instant.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        Path(path).unlink(missing_ok=True)
        raise


def read_private_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """Read an Ed25519 private key written by `write_private_key` (PKCS#8 PEM)."""
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoteError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    """Return the 32-byte RFC 8032 encoding of an Ed25519 public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_to_base64(public_key: Ed25519PublicKey) -> str:
    """Return the standard base64 of the 32-byte public key."""
    return _b64encode(public_key_bytes(public_key))


def public_key_from_base64(text: str) -> Ed25519PublicKey:
    """Parse the standard base64 of a 32-byte Ed25519 public key."""
    raw = _b64decode(text, "public key")
    if len(raw) != _PUBLIC_KEY_SIZE:
        raise NoteError(f"public key is {len(raw)} bytes, expected {_PUBLIC_KEY_SIZE}")
    return Ed25519PublicKey.from_public_bytes(raw)


# ---------------------------------------------------------------------------------------------
# Verifiers and signers.


class Verifier(Protocol):
    """Anything that can check note signatures for one (key name, key ID)."""

    @property
    def name(self) -> str:
        """The key name in signature lines."""
        ...

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID in signatures."""
        ...

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Return whether `signature` (without the key ID) is valid for the note text."""
        ...


class _Ed25519Key(ABC):
    """An Ed25519 public key under a key name, for one signature type."""

    signature_type: int = SIGNATURE_TYPE_ED25519

    def __init__(self, name: str, public_key: Ed25519PublicKey) -> None:
        check_key_name(name)
        self._name = name
        self._public_key = public_key
        self._raw = public_key_bytes(public_key)
        self._key_id = key_id(name, self.signature_type, self._raw)

    @property
    def name(self) -> str:
        """The key name in signature lines."""
        return self._name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID in signatures."""
        return self._key_id

    @property
    def public_key(self) -> Ed25519PublicKey:
        """The Ed25519 public key."""
        return self._public_key

    @property
    def vkey(self) -> str:
        """The verifier key text `<name>+<hex key ID>+<base64(type || public key)>`."""
        material = bytes([self.signature_type]) + self._raw
        return f"{self._name}+{self._key_id.hex()}+{_b64encode(material)}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.vkey!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Ed25519Key) and type(other) is type(self) and self.vkey == other.vkey
        )

    def __hash__(self) -> int:
        return hash(self.vkey)

    @abstractmethod
    def verify(self, text: bytes, signature: bytes) -> bool:
        """Return whether `signature` (without the key ID) is valid for the note text."""

    def _verify_raw(self, message: bytes, signature: bytes) -> bool:
        try:
            self._public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class NoteVerifier(_Ed25519Key):
    """Verifies Ed25519 (type 0x01) note signatures by one named key."""

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Return whether the 64-byte Ed25519 `signature` is valid for `text`."""
        return len(signature) == _ED25519_SIGNATURE_SIZE and self._verify_raw(text, signature)


class CosignatureVerifier(_Ed25519Key):
    """Verifies timestamped Ed25519 cosignatures (type 0x04, cosignature/v1) by one cosigner."""

    signature_type = SIGNATURE_TYPE_COSIGNATURE_V1

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Return whether `signature` (timestamp || Ed25519 signature) is valid for `text`."""
        if len(signature) != 8 + _ED25519_SIGNATURE_SIZE:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > MAX_TIMESTAMP:
            return False
        return self._verify_raw(_cosigned_message(text, timestamp), signature[8:])

    def verify_cosignature(self, checkpoint_text: str, line: str) -> int:
        """Check a cosignature line (final newline optional) on a checkpoint; return its time."""
        signature = parse_signature_line(line.removesuffix("\n"))
        if (signature.name, signature.key_id) != (self.name, self.key_id):
            raise NoteError(
                f"cosignature is by {signature.name} key {signature.key_id.hex()}, "
                f"not by {self.name} key {self.key_id.hex()}"
            )
        Checkpoint.parse(checkpoint_text)
        if not self.verify(checkpoint_text.encode("utf-8"), signature.signature):
            raise NoteError(f"cosignature by {self.name} does not verify for this checkpoint")
        return int.from_bytes(signature.signature[:8], "big")


def _cosigned_message(text: bytes, timestamp: int) -> bytes:
    # tlog-cosignature: header line, timestamp line, then the whole checkpoint body.
    return b"cosignature/v1\ntime %d\n" % timestamp + text


class NoteSigner:
    """Signs note texts with an Ed25519 (type 0x01) key under a key name."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self._verifier = NoteVerifier(name, private_key.public_key())

    @property
    def name(self) -> str:
        """The key name in signature lines."""
        return self._verifier.name

    @property
    def key_id(self) -> bytes:
        """The 4-byte key ID in signatures."""
        return self._verifier.key_id

    @property
    def verifier(self) -> NoteVerifier:
        """The matching verifier."""
        return self._verifier

    @property
    def vkey(self) -> str:
        """The matching verifier key text."""
        return self._verifier.vkey

    def signature_line(self, text: str) -> str:
        """Return this key's signature line for `text`, ending in a newline."""
        check_note_text(text)
        signature = self._private_key.sign(text.encode("utf-8"))
        return format_signature_line(self.name, self.key_id, signature)

    def sign(self, text: str) -> str:
        """Return the signed note: text, blank line, this key's signature line."""
        return text + "\n" + self.signature_line(text)


class Cosigner:
    """Cosigns checkpoints with timestamped Ed25519 cosignatures (cosignature/v1)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self._verifier = CosignatureVerifier(name, private_key.public_key())

    @property
    def name(self) -> str:
        """The cosigner's key name."""
        return self._verifier.name

    @property
    def key_id(self) -> bytes:
        """The 4-byte cosignature key ID."""
        return self._verifier.key_id

    @property
    def verifier(self) -> CosignatureVerifier:
        """The matching verifier."""
        return self._verifier

    @property
    def vkey(self) -> str:
        """The matching verifier key text (signature type 0x04)."""
        return self._verifier.vkey

    def cosign(self, checkpoint_text: str, timestamp: int) -> str:
        """Return the cosignature line (ending in newline) for a checkpoint body at `timestamp`."""
        Checkpoint.parse(checkpoint_text)
        if not 0 <= timestamp <= MAX_TIMESTAMP:
            raise NoteError(f"cosignature timestamp {timestamp} is outside 0..2**63-1")
        message = _cosigned_message(checkpoint_text.encode("utf-8"), timestamp)
        signature = timestamp.to_bytes(8, "big") + self._private_key.sign(message)
        return format_signature_line(self.name, self.key_id, signature)


def _parse_vkey(vkey: str, signature_type: int) -> tuple[str, Ed25519PublicKey]:
    parts = vkey.split("+", 2)  # base64 may contain '+', names and hex may not
    if len(parts) != 3:
        raise NoteError(f"vkey {vkey!r} does not have the form name+keyid+key")
    name, hex_id, encoded = parts
    check_key_name(name)
    if not _HEX_KEY_ID.fullmatch(hex_id):
        raise NoteError(f"vkey key ID {hex_id!r} is not 8 lowercase hex digits")
    material = _b64decode(encoded, "vkey key")
    if len(material) != 1 + _PUBLIC_KEY_SIZE or material[0] != signature_type:
        raise NoteError(
            f"vkey {vkey!r} is not an Ed25519 key of signature type 0x{signature_type:02x}"
        )
    if key_id(name, signature_type, material[1:]).hex() != hex_id:
        raise NoteError(f"vkey {vkey!r} has a key ID that does not match its name and key")
    return name, Ed25519PublicKey.from_public_bytes(material[1:])


def parse_vkey(vkey: str) -> NoteVerifier:
    """Parse an Ed25519 (type 0x01) verifier key, checking that its key ID matches."""
    return NoteVerifier(*_parse_vkey(vkey, SIGNATURE_TYPE_ED25519))


def parse_cosignature_vkey(vkey: str) -> CosignatureVerifier:
    """Parse a cosignature/v1 (type 0x04) verifier key, checking that its key ID matches."""
    return CosignatureVerifier(*_parse_vkey(vkey, SIGNATURE_TYPE_COSIGNATURE_V1))


def format_vkey(verifier: NoteVerifier | CosignatureVerifier) -> str:
    """Return the verifier key text `<name>+<hex key ID>+<base64(type || public key)>`."""
    return verifier.vkey


# ---------------------------------------------------------------------------------------------
# Notes.


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID and the signature bytes after the key ID."""

    name: str
    key_id: bytes
    signature: bytes

    @property
    def line(self) -> str:
        """The signature line, ending in a newline."""
        return format_signature_line(self.name, self.key_id, self.signature)


@dataclass(frozen=True)
class Note:
    """An opened note: its text, the verified signatures and those by unknown keys."""

    text: str
    signatures: tuple[Signature, ...]
    unverified: tuple[Signature, ...] = ()


def check_note_text(text: str) -> None:
    """Raise NoteError unless `text` can be the text of a signed note."""
    if not text.endswith("\n"):
        raise NoteError("note text does not end in a newline")
    _check_text(text, "note text")


def format_signature_line(name: str, key_id: bytes, signature: bytes) -> str:
    """Return `— <name> <base64(key ID || signature)>` followed by a newline."""
    check_key_name(name)
    if len(key_id) != _KEY_ID_SIZE:
        raise NoteError(f"key ID is {len(key_id)} bytes, expected {_KEY_ID_SIZE}")
    return f"{_SIGNATURE_PREFIX}{name} {_b64encode(key_id + signature)}\n"


def parse_signature_line(line: str) -> Signature:
    """Parse one signature line, without its final newline."""
    if not line.startswith(_SIGNATURE_PREFIX):
        raise NoteError(f"signature line does not start with an em dash and space: {line!r}")
    name, space, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
    if not space or not encoded:
        raise NoteError(f"signature line has no signature after the key name: {line!r}")
    check_key_name(name)
    data = _b64decode(encoded, f"signature by {name}")
    if len(data) <= _KEY_ID_SIZE:
        raise NoteError(f"signature by {name} is too short ({len(data)} bytes)")
    return Signature(name, data[:_KEY_ID_SIZE], data[_KEY_ID_SIZE:])


def split_note(note: str | bytes) -> tuple[str, list[Signature]]:
    """Split a signed note into its text and its parsed signature lines, unverified."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as error:
            raise NoteError("note is not valid UTF-8") from error
    _check_text(note, "note")
    # The text ends at the last blank line; signature lines can never contain one.
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line between its text and its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteError("note has no signature lines")
    if not block.endswith("\n"):
        raise NoteError("note's last signature line does not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has {len(lines)} signatures, more than {MAX_SIGNATURES}")
    return text, [parse_signature_line(line) for line in lines]


def open_note(note: str | bytes, verifiers: Sequence[Verifier]) -> Note:
    """Parse a signed note and verify it: at least one known key must have signed it.

    Signatures by unknown keys (name and key ID not both known) are kept unverified, as the
    spec requires them to be ignored; a signature by a known key that fails rejects the note.
    """
    text, signatures = split_note(note)
    known: dict[tuple[str, bytes], list[Verifier]] = {}
    for verifier in verifiers:
        known.setdefault((verifier.name, verifier.key_id), []).append(verifier)
    message = text.encode("utf-8")
    verified: dict[Signature, None] = {}
    unverified: dict[Signature, None] = {}
    for signature in signatures:
        candidates = known.get((signature.name, signature.key_id))
        if candidates is None:
            unverified[signature] = None
            continue
        if len(candidates) > 1:
            raise NoteError(
                f"{len(candidates)} verifiers share name {signature.name} "
                f"and key ID {signature.key_id.hex()}"
            )
        if not candidates[0].verify(message, signature.signature):
            raise NoteError(
                f"signature by {signature.name} (key ID {signature.key_id.hex()}) does not verify"
            )
        verified[signature] = None
    if not verified:
        names = ", ".join(sorted({signature.name for signature in signatures}))
        raise NoteError(f"note has no signature by a known key (signed by: {names})")
    return Note(text, tuple(verified), tuple(unverified))


# ---------------------------------------------------------------------------------------------
# Checkpoints.


@dataclass(frozen=True)
class Checkpoint:
    """A tlog-checkpoint note body: origin, tree size, root hash and extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin:
            raise NoteError("checkpoint origin is empty")
        _check_line(self.origin, "checkpoint origin")
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise NoteError(f"checkpoint size {self.size} is outside 0..2**64-1")
        if len(self.root) != ROOT_HASH_SIZE:
            raise NoteError(f"checkpoint root is {len(self.root)} bytes, expected {ROOT_HASH_SIZE}")
        for extension in self.extensions:
            if not extension:
                raise NoteError("checkpoint extension line is empty")
            _check_line(extension, "checkpoint extension line")

    def to_text(self) -> str:
        """Return the note text: origin, size, base64 root, extensions, each newline-ended."""
        lines = [self.origin, str(self.size), _b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text strictly, refusing any variant spelling."""
        if not text.endswith("\n"):
            raise NoteError("checkpoint text does not end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise NoteError(f"checkpoint has {len(lines)} lines, needs at least 3")
        origin, size, root, *extensions = lines
        if not _TREE_SIZE.fullmatch(size):
            raise NoteError(f"checkpoint size {size!r} is not a decimal without leading zeros")
        if not root:
            raise NoteError("checkpoint root line is empty")
        return cls(origin, int(size), _b64decode(root, "checkpoint root"), tuple(extensions))


def _check_line(line: str, what: str) -> None:
    if "\n" in line:
        raise NoteError(f"{what} contains a newline")
    _check_text(line, what)


def open_checkpoint(note: str | bytes, verifiers: Sequence[Verifier]) -> tuple[Checkpoint, Note]:
    """Open a signed note (see `open_note`) and parse its text as a checkpoint."""
    opened = open_note(note, verifiers)
    return Checkpoint.parse(opened.text), opened
