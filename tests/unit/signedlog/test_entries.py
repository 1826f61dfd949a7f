"""Canonical entry bytes: one spelling per event, parsed back exactly, everything else refused."""

from __future__ import annotations

from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from federation.signedlog.entries import (
    Entry,
    EntryBuilder,
    EntryError,
    decode,
    encode,
    parse_strictly,
)

AGGREGATE = UUID("0b6c3f2e-8f1d-4a55-9f27-2d4c0f3a9e10")
STATE = b'{"amount":"25.00 USD"}'
EXAMPLE = (
    b"aidfed-entry/v1\n"
    b"node DE\n"
    b"position 17\n"
    b"aggregate 0b6c3f2e-8f1d-4a55-9f27-2d4c0f3a9e10\n"
    b"version 3\n"
    b"topic domain.receipt:CashReceipt.Received\n"
    b"state-length 22\n"
    b"\n" + STATE
)


def test_the_documented_format_byte_for_byte() -> None:
    entry = encode("DE", 17, AGGREGATE, 3, "domain.receipt:CashReceipt.Received", STATE)
    assert entry == EXAMPLE
    assert decode(entry) == Entry(
        "DE", 17, AGGREGATE, 3, "domain.receipt:CashReceipt.Received", STATE
    )


def test_sqlite_hex_ids_and_uuids_give_the_same_bytes() -> None:
    build = EntryBuilder("DE")
    topic = "domain.receipt:CashReceipt.Received"
    assert build(17, AGGREGATE.hex, 3, topic, STATE) == EXAMPLE
    assert build(17, AGGREGATE, 3, topic, STATE) == EXAMPLE
    assert build(17, str(AGGREGATE).upper(), 3, topic, STATE) == EXAMPLE


def test_state_bytes_are_kept_exactly_even_when_they_look_like_a_header() -> None:
    state = b"\n\nstate-length 1\n\x00\xff"
    entry = encode("US", 1, AGGREGATE, 1, "t:T", state)
    assert decode(entry).state == state


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        (b"aidfed-entry/v1", b"aidfed-entry/v2", "another format"),
        (b"position 17", b"position 017", "leading zero"),
        (b"position 17", b"position +17", "sign"),
        (b"version 3", b"version 3 ", "trailing space"),
        (b"0b6c3f2e-8f1d", b"0B6C3F2E-8F1D", "uppercase id"),
        (
            b"aggregate 0b6c3f2e-8f1d-4a55-9f27-2d4c0f3a9e10",
            b"aggregate 0b6c3f2e8f1d4a559f272d4c0f3a9e10",
            "id without hyphens",
        ),
        (b"node DE", b"node de", "lowercase node"),
        (b"topic domain", b"topic  domain", "space in topic"),
        (b"state-length 22", b"state-length 21", "length too short"),
        (b"state-length 22", b"state-length 23", "length too long"),
        (b"node DE\nposition 17\n", b"position 17\nnode DE\n", "fields reordered"),
        (b"version 3\n", b"", "field missing"),
        (b"\n\n{", b"\n{", "no blank line"),
        (b"node DE", b"node D\xff", "not UTF-8"),
        (b"position 17", b"position 0", "position 0"),
    ],
)
def test_every_other_spelling_is_refused(old: bytes, new: bytes, why: str) -> None:
    assert old in EXAMPLE, why
    with pytest.raises(EntryError):
        decode(EXAMPLE.replace(old, new, 1))


def test_bytes_after_the_state_are_refused() -> None:
    with pytest.raises(EntryError):
        decode(EXAMPLE + b"x")


@pytest.mark.parametrize(
    ("node", "aggregate", "topic"),
    [
        ("de", AGGREGATE, "t:T"),
        ("DE", "not-a-uuid", "t:T"),
        ("DE", AGGREGATE, "a b"),
        ("DE", AGGREGATE, ""),
    ],
)
def test_events_that_cannot_be_entries_are_refused(
    node: str, aggregate: UUID | str, topic: str
) -> None:
    with pytest.raises(EntryError):
        encode(node, 1, aggregate, 1, topic, b"")


nodes = st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,11}", fullmatch=True)
topics = st.from_regex(r"[a-z_.]{1,20}:[A-Za-z_.]{1,20}", fullmatch=True)


@given(
    node=nodes,
    position=st.integers(1, 2**63),
    aggregate=st.uuids(),
    version=st.integers(0, 2**63),
    topic=topics,
    state=st.binary(max_size=300),
)
def test_every_event_round_trips(
    node: str, position: int, aggregate: UUID, version: int, topic: str, state: bytes
) -> None:
    entry = Entry(node, position, aggregate, version, topic, state)
    data = entry.to_bytes()
    assert decode(data) == entry
    assert EntryBuilder(node)(position, aggregate.hex, version, topic, state) == data


@given(state=st.binary(max_size=40), offset=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_a_flipped_bit_never_decodes_to_the_same_entry(state: bytes, offset: int, bit: int) -> None:
    entry = Entry("DE", 5, AGGREGATE, 2, "t:T", state)
    data = bytearray(entry.to_bytes())
    data[offset % len(data)] ^= 1 << bit
    try:
        other = decode(bytes(data))
    except EntryError:
        return
    assert other != entry


topics_any = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters=" \x7f"), min_size=1
).filter(lambda t: all(ord(c) > 0x20 for c in t))


@given(
    topic=topics_any,
    version=st.integers(0, 10**6),
    state=st.binary(max_size=60),
    offset=st.integers(0, 10_000),
    edit=st.sampled_from(["flip", "insert", "delete", "none"]),
    byte=st.integers(0, 255),
)
def test_the_fast_decode_agrees_with_the_field_by_field_parse(
    topic: str, version: int, state: bytes, offset: int, edit: str, byte: int
) -> None:
    data = bytearray(Entry("DE-1", 7, AGGREGATE, version, topic, state).to_bytes())
    at = offset % len(data)
    if edit == "flip":
        data[at] ^= byte or 1
    elif edit == "insert":
        data.insert(at, byte)
    elif edit == "delete":
        del data[at]
    outcomes: list[Entry | None] = []
    for parse in (decode, parse_strictly):
        try:
            outcomes.append(parse(bytes(data)))
        except EntryError:
            outcomes.append(None)
    assert outcomes[0] == outcomes[1]
