"""Signed notes, checkpoints and cosignatures, checked against the C2SP texts and references."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation.signedlog.note import (
    MAX_SIGNATURES,
    Checkpoint,
    Cosigner,
    NoteError,
    NoteSigner,
    NoteVerifier,
    format_vkey,
    generate_key,
    key_id,
    open_checkpoint,
    open_note,
    parse_cosignature_vkey,
    parse_vkey,
    public_key_bytes,
    public_key_from_base64,
    public_key_to_base64,
    read_private_key,
    write_private_key,
)

# golang.org/x/mod/sumdb/note documentation example: key, text and the exact signed note.
GO_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n— PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)

# The example in signed-note.md ("Verifier keys").
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n— example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)

# A cosignature/v1 note made by github.com/transparency-dev/formats/note, as published in the
# test vectors of github.com/yaglo/signed_note (test/support/vectors/typed_notes.tsv).
REF_COSIGNER_VKEY = "vec.example/cosigv10+c12688da+BLMSTPoQj0PojM8eKiPf9xUT8g6b0OuMyvYb5sSu9JH5"
REF_CHECKPOINT = "vec.example/cosigv10\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
REF_COSIGNATURE = (
    "— vec.example/cosigv10 wSaI2gAAAABqbL5Q3HjbTCJeqMg3tmpdYGAg05ijTi7k0pyreJSULmtv3g+yXH+G"
    "/Ko87JG+QkLF6af9+GVVNlEIgf6T0bw0wQyMDw==\n"
)

ROOT = hashlib.sha256(b"the Berlin metalworkers' union pledged 20 tractors").digest()
ORIGIN = "aidfed.example/DE"


@pytest.fixture
def signer() -> NoteSigner:
    return NoteSigner(ORIGIN, generate_key())


@pytest.fixture
def cosigner() -> Cosigner:
    return Cosigner("aidfed.example/INTL", generate_key())


def checkpoint_text(size: int = 42) -> str:
    return Checkpoint(ORIGIN, size, ROOT).to_text()


# --- reference and specification examples ----------------------------------------------------


def test_signing_reproduces_the_go_reference_note_byte_for_byte() -> None:
    signer = NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(GO_SEED))
    assert signer.sign(GO_TEXT) == GO_NOTE
    assert signer.vkey == GO_VKEY
    assert signer.key_id.hex() == "c74f20a3"


def test_the_go_reference_note_opens_with_its_vkey() -> None:
    note = open_note(GO_NOTE, [parse_vkey(GO_VKEY)])
    assert note.text == GO_TEXT
    assert [signature.name for signature in note.signatures] == ["PeterNeumann"]


def test_the_spec_example_note_opens_with_the_spec_vkey() -> None:
    verifier = parse_vkey(SPEC_VKEY)
    note = open_note(SPEC_NOTE, [verifier])
    assert note.text == "This is an example message.\n"
    assert format_vkey(verifier) == SPEC_VKEY


def test_a_reference_cosignature_verifies_and_yields_its_timestamp() -> None:
    verifier = parse_cosignature_vkey(REF_COSIGNER_VKEY)
    assert verifier.vkey == REF_COSIGNER_VKEY
    timestamp = verifier.verify_cosignature(REF_CHECKPOINT, REF_COSIGNATURE)
    assert timestamp == int.from_bytes(base64.b64decode(REF_COSIGNATURE.split()[-1])[4:12], "big")
    note = open_note(REF_CHECKPOINT + "\n" + REF_COSIGNATURE, [verifier])
    assert note.text == REF_CHECKPOINT


def test_key_id_is_the_first_four_bytes_of_the_hash_of_name_newline_type_and_key() -> None:
    private_key = generate_key()
    raw = public_key_bytes(private_key.public_key())
    name = "aidfed.example/FR"
    expected_note = hashlib.sha256(name.encode() + b"\x0a\x01" + raw).digest()[:4]
    expected_cosignature = hashlib.sha256(name.encode() + b"\x0a\x04" + raw).digest()[:4]
    assert NoteSigner(name, private_key).key_id == expected_note
    assert Cosigner(name, private_key).key_id == expected_cosignature
    assert key_id(name, 0x01, raw) == expected_note


# --- signing and opening ---------------------------------------------------------------------


def test_a_signed_note_opens_with_its_verifier(signer: NoteSigner) -> None:
    text = checkpoint_text()
    signed = signer.sign(text)
    assert signed.startswith(text + "\n— " + ORIGIN + " ")
    note = open_note(signed, [signer.verifier])
    assert note.text == text
    assert note.signatures[0].key_id == signer.key_id
    assert note.unverified == ()


def test_bytes_are_accepted_as_utf8(signer: NoteSigner) -> None:
    signed = signer.sign("Comité de secours ouvrier\n")
    assert open_note(signed.encode(), [signer.verifier]).text == "Comité de secours ouvrier\n"


def test_a_note_signed_only_by_an_unknown_key_is_refused(signer: NoteSigner) -> None:
    stranger = NoteSigner("aidfed.example/XX", generate_key())
    with pytest.raises(NoteError, match="no signature by a known key"):
        open_note(stranger.sign(checkpoint_text()), [signer.verifier])


def test_a_same_named_key_with_another_id_counts_as_unknown(signer: NoteSigner) -> None:
    impostor = NoteSigner(ORIGIN, generate_key())
    with pytest.raises(NoteError, match="no signature by a known key"):
        open_note(impostor.sign(checkpoint_text()), [signer.verifier])


def test_unknown_signatures_beside_a_known_one_are_kept_unverified(signer: NoteSigner) -> None:
    stranger = NoteSigner("aidfed.example/XX", generate_key())
    text = checkpoint_text()
    signed = signer.sign(text) + stranger.signature_line(text)
    note = open_note(signed, [signer.verifier])
    assert [signature.name for signature in note.signatures] == [ORIGIN]
    assert [signature.name for signature in note.unverified] == ["aidfed.example/XX"]


def test_tampering_with_one_character_of_the_text_is_refused(signer: NoteSigner) -> None:
    signed = signer.sign(checkpoint_text(42))
    tampered = signed.replace("\n42\n", "\n43\n", 1)
    with pytest.raises(NoteError, match="does not verify"):
        open_note(tampered, [signer.verifier])


def test_a_bad_signature_by_a_known_key_rejects_the_note(signer: NoteSigner) -> None:
    text = checkpoint_text()
    other_text = checkpoint_text(43)
    forged = signer.sign(text) + signer.signature_line(other_text)
    with pytest.raises(NoteError, match="does not verify"):
        open_note(forged, [signer.verifier])


@pytest.mark.parametrize(
    ("note", "problem"),
    [
        (GO_TEXT, "no blank line"),
        (GO_TEXT + "\n", "no signature lines"),
        (GO_NOTE.removesuffix("\n"), "does not end in a newline"),
        ("\x01" + GO_NOTE, "control character"),
        (GO_NOTE.replace("\n\n", "\r\n\n"), "control character"),
        (
            GO_TEXT + "\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFY=\n",
            "base64",
        ),
        (GO_NOTE + "Unexpected line.\n", "em dash"),
        (GO_NOTE.replace("— PeterNeumann x08go", "— PeterNeumann x08g!"), "not valid base64"),
        (GO_NOTE.replace("RyyBwJnAM=", "RyyBwJnAM"), "not valid base64"),
        (GO_NOTE.replace("PeterNeumann x08go", "PeterNeumann"), "no signature after"),
        (GO_TEXT + "\n— PeterNeumann x08g\n", "too short"),
        ("text\ud800\n\n" + GO_NOTE.split("\n\n")[1], "UTF-8"),
    ],
)
def test_malformed_notes_are_refused(note: str, problem: str) -> None:
    with pytest.raises(NoteError, match=problem):
        open_note(note, [parse_vkey(GO_VKEY)])


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(NoteError, match="not valid UTF-8"):
        open_note(b"\xff" + GO_NOTE.encode(), [parse_vkey(GO_VKEY)])


def test_up_to_the_signature_limit_is_accepted_and_more_refused() -> None:
    line = GO_NOTE.split("\n\n")[1]
    verifier = parse_vkey(GO_VKEY)
    assert open_note(GO_TEXT + "\n" + line * MAX_SIGNATURES, [verifier]).text == GO_TEXT
    with pytest.raises(NoteError, match="more than"):
        open_note(GO_TEXT + "\n" + line * (MAX_SIGNATURES + 1), [verifier])


def test_the_text_is_split_at_the_last_blank_line(signer: NoteSigner) -> None:
    text = "first paragraph\n\nsecond paragraph\n"
    assert open_note(signer.sign(text), [signer.verifier]).text == text


@pytest.mark.parametrize(
    "text", ["no final newline", "", "tab\there\n", "carriage\r\n", "nul\x00\n"]
)
def test_signing_refuses_text_that_cannot_be_a_note(signer: NoteSigner, text: str) -> None:
    with pytest.raises(NoteError):
        signer.sign(text)


@pytest.mark.parametrize("name", ["", "has space", "has+plus", "new\nline", "nbsp\u00a0name"])
def test_invalid_key_names_are_refused(name: str) -> None:
    with pytest.raises(NoteError, match="key name"):
        NoteSigner(name, generate_key())


def test_ambiguous_verifiers_are_refused_when_used(signer: NoteSigner) -> None:
    twin = NoteVerifier(signer.name, signer.verifier.public_key)
    with pytest.raises(NoteError, match="share name"):
        open_note(signer.sign(checkpoint_text()), [signer.verifier, twin])


# --- verifier keys ---------------------------------------------------------------------------


def test_vkeys_round_trip(signer: NoteSigner, cosigner: Cosigner) -> None:
    assert parse_vkey(signer.vkey) == signer.verifier
    assert format_vkey(parse_vkey(signer.vkey)) == signer.vkey
    assert parse_cosignature_vkey(cosigner.vkey) == cosigner.verifier
    assert cosigner.vkey.split("+")[2].startswith("B")  # base64 of 0x04 || key


@pytest.mark.parametrize(
    ("vkey", "problem"),
    [
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "lowercase hex"),
        ("Peter+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeumann+c74f20a3", "form"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "base64"),
        ("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", "base64"),
        ("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "type"),
        (REF_COSIGNER_VKEY, "type 0x01"),
    ],
)
def test_bad_vkeys_are_refused(vkey: str, problem: str) -> None:
    with pytest.raises(NoteError, match=problem):
        parse_vkey(vkey)


def test_a_note_vkey_is_not_a_cosignature_vkey() -> None:
    with pytest.raises(NoteError, match="type 0x04"):
        parse_cosignature_vkey(GO_VKEY)


# --- checkpoints -----------------------------------------------------------------------------


def test_checkpoint_text_is_exact() -> None:
    root_b64 = base64.b64encode(ROOT).decode()
    assert Checkpoint("example.com/origin", 42, ROOT).to_text() == (
        f"example.com/origin\n42\n{root_b64}\n"
    )
    assert Checkpoint("example.com/origin", 0, ROOT, ("ext one", "ext two")).to_text() == (
        f"example.com/origin\n0\n{root_b64}\next one\next two\n"
    )


def test_the_spec_example_checkpoint_parses() -> None:
    text = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    checkpoint = Checkpoint.parse(text)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert checkpoint.to_text() == text


def test_checkpoints_round_trip_with_extensions() -> None:
    checkpoint = Checkpoint(ORIGIN, 7, ROOT, ("Timestamp: 1679315147",))
    assert Checkpoint.parse(checkpoint.to_text()) == checkpoint


ROOT_LINE = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (f"{ORIGIN}\n042\n{ROOT_LINE}\n", "leading zeros"),
        (f"{ORIGIN}\n00\n{ROOT_LINE}\n", "leading zeros"),
        (f"{ORIGIN}\n-1\n{ROOT_LINE}\n", "leading zeros"),
        (f"{ORIGIN}\n+1\n{ROOT_LINE}\n", "leading zeros"),
        (f"{ORIGIN}\n 1\n{ROOT_LINE}\n", "leading zeros"),
        (f"{ORIGIN}\n\uff14\uff12\n{ROOT_LINE}\n", "leading zeros"),
        (f"{ORIGIN}\n{2**64}\n{ROOT_LINE}\n", "outside"),
        (f"{ORIGIN}\n42\n{ROOT_LINE}", "newline"),
        (f"{ORIGIN}\n42\n", "at least 3"),
        (f"\n42\n{ROOT_LINE}\n", "origin is empty"),
        (f"{ORIGIN}\n42\n\n", "root line is empty"),
        (f"{ORIGIN}\n42\n{ROOT_LINE[:-1]}\n", "base64"),
        (f"{ORIGIN}\n42\n{ROOT_LINE}=\n", "base64"),
        (f"{ORIGIN}\n42\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes"),
        (f"{ORIGIN}\n42\n{ROOT_LINE}\n\n", "extension line is empty"),
        (f"{ORIGIN}\r\n42\n{ROOT_LINE}\n", "control character"),
    ],
)
def test_checkpoint_parsing_is_strict(text: str, problem: str) -> None:
    with pytest.raises(NoteError, match=problem):
        Checkpoint.parse(text)


def test_a_signed_checkpoint_opens(signer: NoteSigner) -> None:
    checkpoint, note = open_checkpoint(signer.sign(checkpoint_text(9)), [signer.verifier])
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (ORIGIN, 9, ROOT)
    assert note.signatures[0].name == ORIGIN


# --- cosignatures ----------------------------------------------------------------------------


def test_a_cosignature_round_trips_with_its_timestamp(cosigner: Cosigner) -> None:
    line = cosigner.cosign(checkpoint_text(), 1679315147)
    assert line.startswith("— aidfed.example/INTL ")
    assert line.endswith("\n")
    assert cosigner.verifier.verify_cosignature(checkpoint_text(), line) == 1679315147


def test_the_cosigned_message_is_the_spec_format(cosigner: Cosigner) -> None:
    text = checkpoint_text()
    payload = base64.b64decode(cosigner.cosign(text, 1679315147).split()[-1])
    assert len(payload) == 4 + 8 + 64
    assert payload[:4] == cosigner.key_id
    assert payload[4:12] == (1679315147).to_bytes(8, "big")
    message = b"cosignature/v1\ntime 1679315147\n" + text.encode()
    cosigner.verifier.public_key.verify(payload[12:], message)  # raises if not


def test_a_cosignature_on_a_tampered_checkpoint_is_refused(cosigner: Cosigner) -> None:
    line = cosigner.cosign(checkpoint_text(42), 1679315147)
    with pytest.raises(NoteError, match="does not verify"):
        cosigner.verifier.verify_cosignature(checkpoint_text(43), line)


def test_a_cosignature_with_a_changed_timestamp_is_refused(cosigner: Cosigner) -> None:
    line = cosigner.cosign(checkpoint_text(), 1679315147)
    payload = bytearray(base64.b64decode(line.split()[-1]))
    payload[11] ^= 1
    forged = f"— {cosigner.name} {base64.b64encode(bytes(payload)).decode()}\n"
    with pytest.raises(NoteError, match="does not verify"):
        cosigner.verifier.verify_cosignature(checkpoint_text(), forged)


def test_a_cosignature_by_another_cosigner_is_refused(cosigner: Cosigner) -> None:
    other = Cosigner("aidfed.example/FR", generate_key())
    line = other.cosign(checkpoint_text(), 1679315147)
    with pytest.raises(NoteError, match=r"not by aidfed\.example/INTL"):
        cosigner.verifier.verify_cosignature(checkpoint_text(), line)


def test_a_note_signature_is_not_a_cosignature() -> None:
    private_key = generate_key()
    note_signature = NoteSigner("aidfed.example/INTL", private_key).signature_line(
        checkpoint_text()
    )
    with pytest.raises(NoteError, match="not by"):
        Cosigner("aidfed.example/INTL", private_key).verifier.verify_cosignature(
            checkpoint_text(), note_signature
        )


@pytest.mark.parametrize("timestamp", [-1, 2**63])
def test_cosignature_timestamps_must_fit(cosigner: Cosigner, timestamp: int) -> None:
    with pytest.raises(NoteError, match="timestamp"):
        cosigner.cosign(checkpoint_text(), timestamp)


def test_only_checkpoints_are_cosigned(cosigner: Cosigner) -> None:
    with pytest.raises(NoteError):
        cosigner.cosign("just a note\n", 1679315147)


def test_a_cosigned_checkpoint_opens_with_log_and_cosigner_keys(
    signer: NoteSigner, cosigner: Cosigner
) -> None:
    text = checkpoint_text()
    cosigned = signer.sign(text) + cosigner.cosign(text, 1679315147)
    note = open_note(cosigned, [signer.verifier, cosigner.verifier])
    assert [signature.name for signature in note.signatures] == [signer.name, cosigner.name]
    assert open_note(cosigned, [cosigner.verifier]).unverified[0].name == signer.name


# --- key files -------------------------------------------------------------------------------


def test_a_private_key_file_is_private_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    private_key = generate_key()
    write_private_key(path, private_key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    restored = read_private_key(path)
    assert public_key_bytes(restored.public_key()) == public_key_bytes(private_key.public_key())


def test_an_existing_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    write_private_key(path, generate_key())
    before = path.read_bytes()
    with pytest.raises(FileExistsError):
        write_private_key(path, generate_key())
    assert path.read_bytes() == before


def test_public_keys_round_trip_through_base64() -> None:
    public_key = generate_key().public_key()
    encoded = public_key_to_base64(public_key)
    assert len(base64.b64decode(encoded)) == 32
    assert public_key_bytes(public_key_from_base64(encoded)) == public_key_bytes(public_key)
    with pytest.raises(NoteError, match="31 bytes"):
        public_key_from_base64(base64.b64encode(b"\x00" * 31).decode())
