"""The library's JSON transcoding, byte for byte, written by orjson on the hot path.

Stored event bytes are signed into the node's log and read by other nodes, so the format must
not move: an event's state is encoded exactly as eventsourcing's ``JSONTranscoder`` does (the
``{"_type_": name, "_data_": ...}`` wrapping of registered types, compact separators, UTF-8 text).
What changes is who writes the JSON. The plain values and registered types are turned into
dicts, lists and strings in one pass, then orjson writes them; anything the pass does not know
for certain how the library would write (floats, integers beyond 64 bits, keys that are not
text, unregistered types) is handed back to the library's encoder whole, so its bytes and its
errors are the library's.

Reading is the mirror image: orjson parses, then one pass replaces every two-key
``{"_type_", "_data_"}`` object, innermost first, as the library's ``object_hook`` does. What
orjson refuses and the stdlib accepts (NaN, integers beyond 64 bits, lone surrogates) goes to the
library's decoder whole, so its values and its errors are the library's; so does anything orjson
reads as a float, as it reads an integer beyond 64 bits as a float where the library keeps it
exact.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding


class _NotPlain(Exception):
    """A value the fast path leaves to the library's encoder."""


class OrjsonTranscoder(JSONTranscoder):
    """``JSONTranscoder`` with the same bytes out, several times faster to encode."""

    def __init__(self) -> None:
        super().__init__()
        # Per registered name, how its value is decoded when its data is text: the
        # transcoding's ``decode_text`` where it offers one (a C function, a cache's lookup:
        # no Python frame for the values that recur in every event), else its ``decode``.
        self._from_text: dict[str, Callable[[str], Any]] = {}

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        decode = getattr(transcoding, "decode_text", None)
        self._from_text[transcoding.name] = transcoding.decode if decode is None else decode

    def encode(self, obj: Any) -> bytes:
        try:
            return orjson.dumps(self._plain(obj))
        except (_NotPlain, TypeError, RecursionError):
            # orjson raises TypeError for what it refuses (an integer beyond 64 bits, a key
            # that is not exactly text); a cycle is the library's to report.
            return super().encode(obj)

    def decode(self, data: bytes) -> Any:
        try:
            parsed = orjson.loads(data)
            kind = type(parsed)
            if kind is dict or kind is list:
                return self._typed(parsed)
            if kind is float:
                raise _NotPlain
            return parsed
        except (orjson.JSONDecodeError, _NotPlain):
            return super().decode(data)

    def _typed(self, o: Any) -> Any:
        # In place: orjson's containers are fresh and this pass is their only user.
        if type(o) is dict:
            from_text = self._from_text
            for key, value in o.items():
                kind = type(value)
                if kind is dict:
                    # A registered value whose data is text (an id, a date, an amount) or two
                    # texts (the actor), decoded here: two texts need no pass of their own.
                    # Anything else is _wrapped's, as are all the near misses.
                    if len(value) == 2:
                        data = value.get("_data_", value)
                        name = value.get("_type_")
                        if type(name) is str:
                            if type(data) is str:
                                decode = from_text.get(name)
                                if decode is not None:
                                    o[key] = decode(data)
                                    continue
                            elif (
                                type(data) is list
                                and len(data) == 2
                                and type(data[0]) is str
                                and type(data[1]) is str
                            ):
                                transcoding = self.names.get(name)
                                if transcoding is not None:
                                    o[key] = transcoding.decode(data)
                                    continue
                    o[key] = self._wrapped(value)
                elif kind is list:
                    o[key] = self._typed(value)
                elif kind is float:
                    raise _NotPlain
            if len(o) == 2 and "_type_" in o and "_data_" in o:
                return self._decode_obj(o)  # the library's hook: its errors too
            return o
        for n, value in enumerate(o):
            kind = type(value)
            if kind is dict:
                o[n] = self._wrapped(value)
            elif kind is list:
                o[n] = self._typed(value)
            elif kind is float:
                raise _NotPlain
        return o

    def _wrapped(self, o: dict[str, Any]) -> Any:
        # Most objects in an event are one registered value (an id, a date, an amount, the
        # actor): decoded here with one lookup, its data first as the library's innermost-first
        # hook would. Anything else (an unknown name, a name that is not text, an object that
        # is not exactly the two keys) takes the general path, so its result and its errors are
        # the library's.
        if len(o) == 2:
            name = o.get("_type_")
            if type(name) is str and "_data_" in o:
                transcoding = self.names.get(name)
                if transcoding is not None:
                    data = o["_data_"]
                    kind = type(data)
                    if kind is dict or kind is list:
                        data = self._typed(data)
                    elif kind is float:
                        raise _NotPlain
                    return transcoding.decode(data)
        return self._typed(o)

    def _plain(self, o: Any) -> Any:
        # The order of the checks is the stdlib encoder's: the JSON kinds (and their
        # subclasses) first, the registered transcodings only for what is none of them.
        kind = type(o)
        if kind is str or kind is int or kind is bool or o is None:
            return o
        if kind is dict:
            return {key: self._plain(value) for key, value in o.items()}
        if kind is list or kind is tuple:
            return [self._plain(value) for value in o]
        if isinstance(o, str):
            return str.__str__(o)  # a text enum: the stdlib writes its text
        if isinstance(o, int):
            return int.__int__(o)  # an integer enum: the stdlib writes its number
        if isinstance(o, dict):
            return {key: self._plain(value) for key, value in o.items()}
        if isinstance(o, (list, tuple)):
            return [self._plain(value) for value in o]
        if isinstance(o, float):
            raise _NotPlain  # the two encoders may write a float differently (1e+16, 1e16)
        transcoding = self.types.get(kind)
        if transcoding is None:
            raise _NotPlain
        return {"_type_": transcoding.name, "_data_": self._plain(transcoding.encode(o))}
