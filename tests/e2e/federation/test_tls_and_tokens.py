"""Peers authenticate with bearer tokens, and TLS works when certificate files are configured."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.e2e.federation.conftest import FederationFactory
from tests.support.backlog import record_receipts
from tests.support.tls import self_signed

FEED = ("/v1/log/checkpoint", "/v1/log/entries?after=0&limit=10")


def test_a_follower_syncs_over_https_with_the_configured_ca(
    federation: FederationFactory, tmp_path: Path
) -> None:
    nodes = federation(["DE"], international="sqlite", follows={"INTL": ["DE"]}, start=False)
    de, intl = nodes["DE"], nodes["INTL"]
    cert, key = self_signed(tmp_path)
    de.env |= {"AIDFED_TLS_CERTFILE": str(cert), "AIDFED_TLS_KEYFILE": str(key)}
    de.scheme = "https"
    nodes.wire({"INTL": ["DE"]})  # INTL's peer entry now names DE's https URL
    record_receipts(de.data_dir, 50, found=True)
    de.start()

    # Without DE's CA the follower refuses the connection: TLS is verified, not just used.
    refused = intl.cli("sync", "--peer", "DE")
    assert "CERTIFICATE_VERIFY_FAILED" in refused.stdout, refused.stdout
    assert intl.db.cursor("DE") == 0

    intl.env["AIDFED_TLS_CA"] = str(cert)
    intl.start()
    nodes.wait_synced(30)
    assert intl.db.compare("DE", de.db).exact
    with (
        httpx.Client(base_url=de.url.replace("https", "http"), timeout=5) as plain,
        pytest.raises(httpx.RemoteProtocolError),
    ):
        plain.get("/healthz")  # no plain HTTP beside TLS


def test_the_feed_is_closed_to_all_but_the_peers_holding_its_token(
    federation: FederationFactory,
) -> None:
    # The default topology without the liaison, wired with 'aidfed peer add'.
    nodes = federation(["DE", "FR"], international="sqlite", start=False)
    nodes.tokens.clear()
    nodes.wire(cli=True)
    de = nodes["DE"]
    record_receipts(de.data_dir, 20, found=True)
    nodes.start()
    nodes.wait_synced(30)

    others = {
        "no token": {},
        "another scheme": {"Authorization": f"Basic {nodes.tokens[('INTL', 'DE')]}"},
        "no token after the scheme": {"Authorization": "Bearer"},
        "INTL's token for FR": bearer(nodes.tokens[("INTL", "FR")]),
        "DE's own token for INTL": bearer(nodes.tokens[("DE", "INTL")]),
        "FR's token for INTL": bearer(nodes.tokens[("FR", "INTL")]),
    }
    with httpx.Client(base_url=de.url, timeout=10) as http:
        for path in FEED:
            assert http.get(path, headers=bearer(nodes.tokens[("INTL", "DE")])).status_code == 200
            for who, headers in others.items():
                answer = http.get(path, headers=headers)
                assert answer.status_code == 401, (who, path, answer.text)
                assert answer.headers["WWW-Authenticate"] == "Bearer"
                assert "entries" not in answer.json()
                assert "aidfed.example" not in answer.text
        cosignature = http.put("/v1/log/cosignatures/1", content=b"x", headers=others["no token"])
        assert cosignature.status_code == 401


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
