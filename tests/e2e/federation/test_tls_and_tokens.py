"""Peers authenticate with bearer tokens, and TLS works when certificate files are configured."""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.e2e.federation.conftest import FederationFactory
from tests.support.backlog import record_receipts

FEED = ("/v1/log/checkpoint", "/v1/log/entries?after=0&limit=10")


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (its own CA), and that key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aidfed test node")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "node.crt", folder / "node.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


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
