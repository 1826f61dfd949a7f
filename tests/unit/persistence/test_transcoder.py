"""The orjson transcoder writes exactly the bytes eventsourcing's JSONTranscoder writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import IntEnum
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from hypothesis import given
from hypothesis import strategies as st

from domain.committee import OrganisationType
from domain.money import Money
from domain.pledge import Instalment
from domain.roles import Actor, Role
from federation.node.transcodings import VALUE_OBJECTS
from federation.persistence.transcoder import OrjsonTranscoder


class Priority(IntEnum):
    URGENT = 1


def registered(transcoder: JSONTranscoder) -> JSONTranscoder:
    for transcoding in [UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), *VALUE_OBJECTS]:
        transcoder.register(transcoding)
    return transcoder


LIBRARY = registered(JSONTranscoder())
FAST = registered(OrjsonTranscoder())

money = st.builds(
    lambda cents, code: Money(Decimal(cents).scaleb(-2), code),
    st.integers(min_value=1, max_value=10**15),
    st.sampled_from(["USD", "FRF", "XPM"]),
)
leaves = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too: left to the library
    | st.floats()  # NaN, inf, 1e+16: left to the library
    | st.text()  # control characters, line separators, astral planes
    | st.uuids()
    | st.dates()
    | st.datetimes(timezones=st.just(UTC))
    | st.decimals(allow_nan=False, places=4)
    | money
    | st.builds(Actor, st.text().map("Delegate {}".format), st.sampled_from(Role))
    | st.sampled_from(OrganisationType)
    | st.just(Priority.URGENT)
    | st.builds(Instalment, st.dates(), money)
)
values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(st.dictionaries(st.text(max_size=12), values, max_size=8))
def test_same_bytes_as_the_library_for_any_event_state(state: dict[str, Any]) -> None:
    assert FAST.encode(state) == LIBRARY.encode(state)
    assert FAST.decode(FAST.encode(state)) == LIBRARY.decode(LIBRARY.encode(state))


def test_a_cash_receipt_state_byte_for_byte() -> None:
    state = {
        "timestamp": datetime(1922, 1, 5, 10, 30, tzinfo=UTC),
        "originator_topic": "domain.receipt:CashReceipt",
        "actor": Actor("Alfred Wagenknecht", Role.TREASURER),
        "campaign_id": UUID("b5b74058-db5e-5827-8df8-1f2d4c37d77d"),
        "contributor": "Métallurgistes de Saint-Étienne",
        "organisation_type": OrganisationType.TRADE_UNION,
        "amount": Money.of("2.25", "USD"),
        "value_date": date(1922, 1, 5),
        "pledge_id": None,
    }
    assert (
        FAST.encode(state)
        == (
            '{"timestamp":{"_type_":"datetime_iso","_data_":"1922-01-05T10:30:00+00:00"},'
            '"originator_topic":"domain.receipt:CashReceipt",'
            '"actor":{"_type_":"actor","_data_":["Alfred Wagenknecht","treasurer"]},'
            '"campaign_id":{"_type_":"uuid_hex","_data_":"b5b74058db5e58278df81f2d4c37d77d"},'
            '"contributor":"Métallurgistes de Saint-Étienne","organisation_type":"trade_union",'
            '"amount":{"_type_":"money","_data_":"2.25 USD"},'
            '"value_date":{"_type_":"date_iso","_data_":"1922-01-05"},"pledge_id":null}'
        ).encode()
    )


def test_keys_that_are_not_text_are_written_as_the_library_writes_them() -> None:
    state = {1: "one", None: "none", OrganisationType.COOPERATIVE: "enum key"}
    assert (
        FAST.encode(state)
        == LIBRARY.encode(state)
        == (b'{"1":"one","null":"none","cooperative":"enum key"}')
    )


def test_an_unregistered_type_is_refused_as_the_library_refuses_it() -> None:
    with pytest.raises(TranscodingNotRegisteredError, match="not serializable"):
        FAST.encode({"when": object()})


@given(st.dictionaries(st.text(max_size=12), values, max_size=8))
def test_reads_what_the_library_reads_for_any_event_state(state: dict[str, Any]) -> None:
    data = LIBRARY.encode(state)
    assert FAST.decode(data) == LIBRARY.decode(data)


@pytest.mark.parametrize(
    "data",
    [
        b'{"a":NaN,"b":Infinity}',  # orjson refuses these; the stdlib reads them
        b'{"big":123456789012345678901234567890}',
        b'{"_type_":"uuid_hex","_data_":"b5b74058db5e58278df81f2d4c37d77d","x":1}',
        b'{"_type_":"not_data"}',
        b'{"small":-9223372036854775809,"f":1.5e300,"g":0.1}',
        b'[{"_type_":"date_iso","_data_":"1922-01-05"},{"_data_":"1923-03-31","_type_":"date_iso"}]',
    ],
)
def test_edge_cases_read_as_the_library_reads_them(data: bytes) -> None:
    expected = LIBRARY.decode(data)
    got = FAST.decode(data)
    assert repr(got) == repr(expected)


def outcome(decode: Any, data: bytes) -> str:
    try:
        return repr(decode(data))
    except Exception as error:  # the error's kind is the outcome compared
        return type(error).__name__


@pytest.mark.parametrize(
    "data",
    [
        # one registered value whose data is text, a list, or itself a registered value
        b'{"x":{"_type_":"date_iso","_data_":"1922-01-05"},'
        b'"y":[{"_type_":"money","_data_":"1.50 USD"}]}',
        b'{"x":{"_type_":"actor","_data_":["Clara Zetkin","secretary"]}}',
        b'{"x":{"_type_":"instalment","_data_":{"due_on":{"_type_":"date_iso","_data_":"1922-01-05"},'
        b'"amount":{"_type_":"money","_data_":"1.00 USD"}}}}',
        # and the shapes the shortcut must leave to the general path
        b'{"x":{"_type_":1,"_data_":"a"}}',
        b'{"x":{"_type_":null,"_data_":"a"}}',
        b'{"x":{"_type_":"date_iso","_data_":1.5}}',
        b'{"x":{"_type_":"date_iso","_data_":"not a date"}}',
        b'{"x":{"_type_":"nobody","_data_":{"_type_":"date_iso","_data_":"1922-01-05"}}}',
        b'{"x":{"_type_":"uuid_hex",'
        b'"_data_":{"_type_":"uuid_hex","_data_":"b5b74058db5e58278df81f2d4c37d77d"}}}',
        b'{"x":{"_type_":"date_iso","_data_":"1922-01-05","more":1}}',
        b'{"x":{"_type_":"date_iso"},"y":{"_data_":"1922-01-05"}}',
        b'{"x":{"_type_":"date_iso","_data_":null}}',
        b'{"x":{"_type_":"date_iso","_data_":["1922-01-05"]}}',
        # values read from their text by the transcodings' own way (decode_text), and theirs
        # that are refused: each as the library's hook reads or refuses it
        b'{"x":{"_type_":"datetime_iso","_data_":"1922-01-05T10:30:00+00:00"}}',
        b'{"x":{"_type_":"datetime_iso","_data_":"1922-01-05T25:30:00"}}',
        b'{"x":{"_type_":"uuid_hex","_data_":"b5b74058db5e58278df81f2d4c37d77d"}}',
        b'{"x":{"_type_":"uuid_hex","_data_":"not an id"}}',
        b'{"x":{"_type_":"money","_data_":"526.32 FRF"},"y":{"_type_":"money","_data_":"5 JPY"}}',
        b'{"x":{"_type_":"money","_data_":"1E+3 USD"}}',
        b'{"x":{"_type_":"money","_data_":"0.105 USD"}}',
        b'{"x":{"_type_":"money","_data_":"1.50 ZZZ"}}',
        b'{"x":{"_type_":"money","_data_":"1.50USD"}}',
        b'{"x":{"_type_":"money","_data_":"abc USD"}}',
        b'{"x":{"_type_":"decimal_str","_data_":"0.05"}}',
        # two texts, read without a pass over them, and the lists that need one or are refused
        b'{"x":{"_type_":"actor","_data_":["Clara Zetkin","treasurer"]}}',
        b'{"x":{"_type_":"actor","_data_":["Clara Zetkin","no such role"]}}',
        b'{"x":{"_type_":"actor","_data_":["Clara Zetkin"]}}',
        b'{"x":{"_type_":"actor","_data_":["Clara Zetkin","secretary","more"]}}',
        b'{"x":{"_type_":"actor","_data_":[1,"secretary"]}}',
        b'{"x":{"_type_":"actor","_data_":["Clara Zetkin",null]}}',
        b'{"x":{"_type_":"actor","_data_":[{"_type_":"date_iso","_data_":"1922-01-05"},"x"]}}',
        b'{"x":{"_type_":"date_iso","_data_":["1922-01-05","1922-01-06"]}}',
        b'{"x":{"_type_":"money","_data_":["1.00","USD"]}}',
        b'{"x":{"_type_":"nobody","_data_":["a","b"]}}',
    ],
)
def test_registered_values_and_their_near_misses_read_as_the_library_reads_them(
    data: bytes,
) -> None:
    assert outcome(FAST.decode, data) == outcome(LIBRARY.decode, data)


def test_an_unregistered_type_name_is_refused_as_the_library_refuses_it() -> None:
    with pytest.raises(TranscodingNotRegisteredError, match="not deserializable"):
        FAST.decode(b'{"x":{"_type_":"nobody","_data_":1}}')
