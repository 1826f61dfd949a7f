"""A TCP proxy on 127.0.0.1 that puts network faults between a follower and its upstream.

The kernel here has no netem, so faults are injected by a proxy the follower is pointed at. The
proxy reads HTTP just enough to aim: requests for entries are recognised (and may be rewritten),
and a fault aimed at an answer hits the answer to the request that armed it. Faults switch at run
time with `Proxy.set`; each may be limited to a number of times, after which the proxy passes
again. Everything is bounded: connections to the upstream time out, silent connections are
closed after ``max_hold`` seconds, and `Proxy.stop` closes everything.
"""

from __future__ import annotations

import asyncio
import re
import socket
import struct
import threading
from collections import Counter
from dataclasses import dataclass, replace
from enum import StrEnum
from types import TracebackType

ENTRIES = re.compile(rb"(GET /v1/log/entries\?after=)(\d+)")
ENCODING = re.compile(rb"(?im)^accept-encoding:[^\r\n]*")
CHUNK = 65536


class Fault(StrEnum):
    """What the proxy does to the traffic."""

    PASS = "pass"  # forward everything as it comes
    DELAY = "delay"  # hold every chunk of every answer `delay` seconds: a slow peer
    BLACKHOLE = "blackhole"  # accept, read, never answer: a silent peer (read time-out)
    RESET = "reset"  # reset the connection (RST) when a request arrives
    TRUNCATE = "truncate"  # cut an entries answer after `cut` bytes and close
    FLIP = "flip"  # flip the low bit of byte `flip_at` of an entries answer's body
    REWIND = "rewind"  # ask for entries `rewind` positions before those asked for: overlap
    REPEAT = "repeat"  # ask again for the page asked for before: a repeated page


@dataclass
class _Plan:
    fault: Fault = Fault.PASS
    times: int | None = None  # None: until the next `set`
    delay: float = 0.0
    cut: int = 200
    flip_at: int = 40
    rewind: int = 100


@dataclass
class _Connection:
    """One client connection: a fault armed for the answer in flight, and how far it got."""

    armed: _Plan | None = None  # the plan as it was when the request armed it
    seen: int = 0  # bytes of the armed answer forwarded so far
    head: bytes = b""
    body_at: int | None = None
    silent: bool = False


class Proxy:
    """Forwards 127.0.0.1:<port> to an upstream port, injecting the planned faults."""

    def __init__(
        self, upstream_port: int, *, identity: bool = False, max_hold: float = 60.0
    ) -> None:
        self.upstream_port = upstream_port
        self.identity = identity  # ask for uncompressed answers: flips then hit the JSON
        self.max_hold = max_hold
        self.port = 0
        self.injected: Counter[Fault] = Counter()  # faults that took effect
        self.entries_requests = 0
        self._plan = _Plan()
        self._lock = threading.Lock()
        self._previous: int | None = None  # the `after` of the last entries request
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Proxy:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._serve, "127.0.0.1", 0), self._loop
        )
        self._server = started.result(10)
        self.port = int(self._server.sockets[0].getsockname()[1])

    def stop(self) -> None:
        """Close the listener and every connection; end the proxy's thread."""
        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def set(self, fault: Fault, *, times: int | None = None, **params: float) -> None:
        """From now on, inject ``fault`` (``times`` times, or until set again)."""
        plan = _Plan(fault, times)
        for name, value in params.items():
            setattr(plan, name, type(getattr(plan, name))(value))
        with self._lock:
            self._plan = plan

    def _take(self, fault: Fault, hit: bool = True) -> _Plan | None:
        """A copy of the plan if it injects ``fault`` now, counted against its times (and as
        injected, unless the caller only arms it and counts it when it takes effect)."""
        with self._lock:
            plan = self._plan
            if plan.fault is not fault:
                return None
            if plan.times is not None:
                plan.times -= 1
                if plan.times <= 0:
                    self._plan = _Plan()
            if hit:
                self.injected[fault] += 1
            return replace(plan)

    def _hit(self, fault: Fault) -> None:
        with self._lock:
            self.injected[fault] += 1

    # --- connections ----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        upstream: asyncio.StreamWriter | None = None
        try:
            if self._take(Fault.BLACKHOLE):
                await asyncio.wait_for(_swallow(reader), self.max_hold)
                return
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.upstream_port), 5
            )
            upstream = up_writer
            conn = _Connection()
            pumps = [
                asyncio.ensure_future(self._requests(reader, up_writer, writer, conn)),
                asyncio.ensure_future(self._answers(up_reader, writer, up_writer, conn)),
            ]
            _, pending = await asyncio.wait(
                pumps, timeout=self.max_hold * 10, return_when=asyncio.FIRST_COMPLETED
            )
            for task in pending:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
        except (OSError, TimeoutError):
            pass
        finally:
            self._writers.discard(writer)
            for w in (writer, upstream):
                if w is not None:
                    w.transport.abort()

    async def _requests(
        self,
        reader: asyncio.StreamReader,
        upstream: asyncio.StreamWriter,
        client: asyncio.StreamWriter,
        conn: _Connection,
    ) -> None:
        while data := await reader.read(CHUNK):
            if conn.silent or self._take(Fault.BLACKHOLE):
                conn.silent = True  # the request is eaten; no answer will ever come
                continue
            if self._take(Fault.RESET):
                _reset(client)
                _reset(upstream)
                return
            if ENTRIES.search(data):
                data = self._rewrite(data, conn)
            upstream.write(data)
            await upstream.drain()

    def _rewrite(self, request: bytes, conn: _Connection) -> bytes:
        match = ENTRIES.search(request)
        assert match is not None
        after = int(match.group(2))
        with self._lock:
            self.entries_requests += 1
            previous, self._previous = self._previous, after
        asked = after
        if after > 0 and (plan := self._take(Fault.REWIND)):
            asked = max(0, after - plan.rewind)
        elif previous is not None and previous < after and self._take(Fault.REPEAT):
            asked = previous
        request = ENTRIES.sub(match.group(1) + str(asked).encode(), request, count=1)
        if self.identity:
            request = ENCODING.sub(b"Accept-Encoding: identity", request)
        for fault in (Fault.TRUNCATE, Fault.FLIP):
            if armed := self._take(fault, hit=False):
                conn.armed, conn.seen, conn.head, conn.body_at = armed, 0, b"", None
        return request

    async def _answers(
        self,
        reader: asyncio.StreamReader,
        client: asyncio.StreamWriter,
        upstream: asyncio.StreamWriter,
        conn: _Connection,
    ) -> None:
        while data := await reader.read(CHUNK):
            if conn.silent:
                continue
            if delayed := self._take(Fault.DELAY):
                await asyncio.sleep(delayed.delay)
            armed = conn.armed
            if armed is not None and armed.fault is Fault.TRUNCATE:
                if conn.seen + len(data) >= armed.cut:
                    self._hit(Fault.TRUNCATE)
                    client.write(data[: max(0, armed.cut - conn.seen)])
                    await client.drain()
                    client.transport.close()
                    upstream.transport.abort()
                    return
                conn.seen += len(data)
            elif armed is not None and armed.fault is Fault.FLIP:
                data = _flip(conn, data, armed.flip_at)
                if conn.armed is None:
                    self._hit(Fault.FLIP)
            client.write(data)
            await client.drain()


async def _swallow(reader: asyncio.StreamReader) -> None:
    while await reader.read(CHUNK):
        pass


def _reset(writer: asyncio.StreamWriter) -> None:
    """Abort with SO_LINGER 0: the peer gets a TCP RST, not a clean close."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


def _flip(conn: _Connection, data: bytes, at: int) -> bytes:
    """Flip the low bit of body byte ``at`` of the armed answer, if it is in ``data``."""
    start = conn.seen
    conn.seen += len(data)
    if conn.body_at is None:
        conn.head += data
        end = conn.head.find(b"\r\n\r\n")
        if end < 0:
            return data
        conn.body_at = end + 4
    target = conn.body_at + at
    if start <= target < conn.seen:
        changed = bytearray(data)
        changed[target - start] ^= 0x01
        conn.armed = None
        return bytes(changed)
    return data
