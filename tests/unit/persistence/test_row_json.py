"""The digests write each row as ``json.dumps(list(row), ensure_ascii=False)`` writes it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from federation.node.supervisory_store import row_json

values = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too
    | st.floats()  # NaN and the infinities too
    | st.text()  # quotes, backslashes, control characters, line separators, astral planes
)


def written(encode: Any, row: Any) -> str:
    try:
        return str(encode(row))
    except Exception as error:  # the error's kind is the outcome compared
        return type(error).__name__


@given(st.lists(values, max_size=20).map(tuple))
def test_a_row_is_written_as_json_dumps_writes_it(row: tuple[Any, ...]) -> None:
    assert row_json()(row) == json.dumps(list(row), ensure_ascii=False)


def test_rows_of_one_encoder_are_written_alike_and_what_json_refuses_is_refused() -> None:
    encode = row_json()
    rows: list[tuple[Any, ...]] = [
        ("C01", 'Organisation "Rote Hilfe"\n\t\\', 52632, None, "\u2028\x7f\x00", 10**30),
        ("FR", "Métallurgistes de Saint-Étienne", -1, True, float("nan"), 0.1),
        (b"not text",),
        ({"a": 1},),  # only scalars are in rows; a dict is written as json writes it
    ]
    for row in rows:
        assert written(encode, row) == written(
            lambda r: json.dumps(list(r), ensure_ascii=False), row
        )
