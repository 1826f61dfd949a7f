"""The HTTP client of another node's feed: bearer token, time-outs, retries with backoff."""

from __future__ import annotations

import base64
import json
import random
import ssl
import time
from binascii import a2b_base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from federation.sync.peers import Peer


class PeerUnavailable(Exception):
    """The peer did not answer usefully this time; try again later (``retry_after`` seconds)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MalformedPage(PeerUnavailable):
    """The answer is not a well-formed page (not JSON, bad base64, fields missing, more entries
    than asked, too large): nothing from it is used; ask again later."""


# The most a page may weigh once decompressed: MAX_PAGE entries of a few kB each fit easily; a
# peer (or a box on the wire) sending more is cut off rather than read into memory.
MAX_PAGE_BYTES = 64 * 1024 * 1024


class PeerRefused(Exception):
    """The peer refused the request (a 4xx other than 429): retrying will not help."""


@dataclass(frozen=True, slots=True)
class ServedEntry:
    """One entry as the peer served it."""

    position: int
    entry: bytes


@dataclass(frozen=True, slots=True)
class ServedPage:
    """A page of entries with the signed checkpoint the peer says covers them."""

    checkpoint: str
    entries: list[ServedEntry]


def backoff(attempt: int, base: float = 0.2, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter: a random wait up to base * 2**attempt, capped."""
    return random.uniform(0, min(cap, base * 2**attempt))


class FeedClient:
    """Reads one peer's feed."""

    def __init__(
        self,
        peer: Peer,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        verify: ssl.SSLContext | bool = True,
        max_page_bytes: int = MAX_PAGE_BYTES,
    ) -> None:
        self.max_page_bytes = max_page_bytes
        self.timeout = timeout
        headers = {"Authorization": f"Bearer {peer.token}"} if peer.token else {}
        self.http = httpx.Client(
            base_url=peer.url, headers=headers, timeout=timeout, transport=transport, verify=verify
        )

    def close(self) -> None:
        self.http.close()

    def _get(
        self, path: str, params: dict[str, Any], timeout: float | None = None
    ) -> httpx.Response:
        try:
            response = self.http.get(path, params=params, timeout=timeout or self.http.timeout)
        except httpx.HTTPError as error:
            raise PeerUnavailable(f"{type(error).__name__}: {error}") from None
        _check(response)
        return response

    def entries(self, after: int, limit: int, wait: float = 0) -> ServedPage:
        """Entries after ``after``; with ``wait`` the peer holds the request until it has some."""
        params: dict[str, Any] = {"after": after, "limit": limit}
        if wait:
            params["wait"] = wait
        body = self._bounded("/v1/log/entries", params, timeout=wait + 10 if wait else None)
        try:
            answer = orjson.loads(body)
            # Strict: only the base64 alphabet with correct padding (as b64decode(validate=True)
            # checks, at a third of its cost).
            entries = [
                ServedEntry(int(e["position"]), a2b_base64(e["entry"], strict_mode=True))
                for e in answer["entries"]
            ]
            page = ServedPage(str(answer["checkpoint"]), entries)
        except (KeyError, TypeError, ValueError) as error:
            raise MalformedPage(f"malformed entries page: {error}") from None
        if len(entries) > limit:
            raise MalformedPage(f"{len(entries)} entries served, {limit} asked for")
        return page

    def _bounded(self, path: str, params: dict[str, Any], timeout: float | None) -> bytes:
        """The answer's body, read no further than ``max_page_bytes``."""
        body = bytearray()
        try:
            with self.http.stream(
                "GET", path, params=params, timeout=timeout or self.http.timeout
            ) as response:
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_page_bytes:
                        raise MalformedPage(f"the answer exceeds {self.max_page_bytes} bytes")
        except httpx.HTTPError as error:
            raise PeerUnavailable(f"{type(error).__name__}: {error}") from None
        _check_answer(response.status_code, response.headers, bytes(body))
        return bytes(body)

    def consistency(self, first: int, second: int) -> list[bytes]:
        """The peer's consistency proof between two of its tree sizes."""
        body = _json(self._get("/v1/log/proof/consistency", {"first": first, "second": second}))
        try:
            return [base64.b64decode(h, validate=True) for h in body["hashes"]]
        except (KeyError, TypeError, ValueError) as error:
            raise MalformedPage(f"malformed consistency proof: {error}") from None

    def cosign(self, size: int, line: str) -> None:
        """Give the peer this node's cosignature of its checkpoint ``size``."""
        try:
            response = self.http.put(
                f"/v1/log/cosignatures/{size}",
                content=line.encode(),
                headers={"Content-Type": "text/plain"},
            )
        except httpx.HTTPError as error:
            raise PeerUnavailable(f"{type(error).__name__}: {error}") from None
        _check(response)


def _check(response: httpx.Response) -> None:
    _check_answer(response.status_code, response.headers, response.content)


def _check_answer(status: int, headers: httpx.Headers, body: bytes) -> None:
    if status == 429 or status >= 500:
        raise PeerUnavailable(f"HTTP {status}{_refusal(body)}", retry_after=_retry_after(headers))
    if status >= 400:
        raise PeerRefused(f"HTTP {status}: {body[:300].decode('utf-8', 'replace')}")


def _refusal(body: bytes) -> str:
    """The peer's own words for an error ('': none, or not in the federation's error shape)."""
    try:
        error = json.loads(body)["error"]
        return f" {str(error['code'])[:60]}: {str(error['message'])[:300]}"
    except (ValueError, KeyError, TypeError):
        return ""


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise MalformedPage("the answer is not JSON (truncated?)") from None


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def retrying(
    call: Callable[[], Any], attempts: int, sleep: Callable[[float], None] = time.sleep
) -> Any:
    """Call, retrying unavailability with backoff and jitter, honouring Retry-After."""
    for attempt in range(attempts):
        try:
            return call()
        except PeerUnavailable as error:
            if attempt == attempts - 1:
                raise
            sleep(error.retry_after if error.retry_after is not None else backoff(attempt))
    raise AssertionError("unreachable")
