"""`aidfed record`: a committee's treasurers and secretary record receipts, a pledge and a
transfer from the command line against their node (served on loopback), and are refused as the
API refuses.

The Friends of Soviet Russia, New York, 1922: Alfred Wagenknecht initiates a transfer to the
International, Caleb Harrison countersigns, Rose Baron sends it.
"""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.cli import app as aidfed
from federation.settings import Settings
from tests.support.peers import bearer
from tests.support.processes import free_port
from tests.support.servers import serving

PEOPLE = {
    "harrison": ("Caleb Harrison", Role.SECRETARY),
    "wagenknecht": ("Alfred Wagenknecht", Role.TREASURER),
    "baron": ("Rose Baron", Role.TREASURER),
}


@pytest.fixture
def us(tmp_path: Path) -> Iterator[str]:
    settings = Settings(node_id="US", data_dir=tmp_path / "US", database="sqlite", mode="demo")
    users = UserBook(settings.data_dir)
    for username, (person, role) in PEOPLE.items():
        users.add(username, person, role, None, f"token-of-{username}")
    secretary = bearer("token-of-harrison")
    with (
        serving(create_app(settings)) as base,
        httpx.Client(base_url=base, timeout=30, headers=secretary) as http,
    ):
        founded = http.post(
            "/v1/committee",
            json={
                "name": "Friends of Soviet Russia",
                "national_section": "Workers Party of America",
                "constituted_on": "1921-08-09",
            },
        )
        assert founded.status_code == 201, founded.text
        campaign = {
            "code": "famine",
            "title": "Famine relief",
            "kind": "collection",
            "opened_on": "1921-08-09",
        }
        assert http.post("/v1/campaigns", json=campaign).status_code == 201
        yield base


class Done:
    def __init__(self, exit_code: int, stdout: str) -> None:
        self.returncode, self.stdout = exit_code, stdout


def record(url: str, who: str, *args: str) -> Done:
    """``aidfed record ...`` as ``who``, with the node and token from the environment."""
    env = {"AIDFED_URL": url, "AIDFED_TOKEN": f"token-of-{who}", "COLUMNS": "240"}
    result = CliRunner().invoke(aidfed, ["record", *args], env=env)
    return Done(result.exit_code, result.stdout)


def answer(done: Done) -> Any:
    assert done.returncode == 0, done.stdout
    return json.loads(done.stdout)


def listed(url: str, path: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}{path}", headers=bearer("token-of-harrison"), timeout=30)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


RECEIPT = (
    *("receipt", "--campaign", "famine", "--contributor", "Amalgamated Clothing Workers"),
    *("--type", "trade_union", "--amount", "5000.00 USD", "--on", "1922-02-01"),
)


def test_receipts_and_a_pledge_are_recorded_once_and_refused_to_the_wrong_role(
    us: str,
) -> None:
    answer(record(us, "wagenknecht", *RECEIPT))
    answer(record(us, "wagenknecht", *RECEIPT))  # run again: recorded once
    refused = record(us, "harrison", *RECEIPT, "--key", "harrisons-try")
    assert refused.returncode == 1
    assert "refused (role.not_permitted)" in refused.stdout
    assert "Caleb Harrison acts as secretary" in refused.stdout
    [receipt] = listed(us, "/v1/receipts")
    assert (receipt["contributor"], receipt["amount"]) == (
        "Amalgamated Clothing Workers",
        "5000.00",
    )

    pledged = record(
        us, "harrison", "pledge", "--campaign", "famine", "--pledger", "Workmen's Circle",
        "--type", "workers_circle", "--total", "600.00 USD", "--instalment", "1922-03-01=200.00",
        "--instalment", "1922-04-01=400.00", "--on", "1922-02-10",
    )  # fmt: skip
    assert "pledge_id" in answer(pledged)
    uneven = record(
        us, "harrison", "pledge", "--campaign", "famine", "--pledger", "Finnish federation",
        "--type", "other", "--total", "600.00 USD", "--instalment", "1922-03-01=200.00",
        "--on", "1922-02-10",
    )  # fmt: skip
    assert uneven.returncode == 1
    assert "refused (" in uneven.stdout
    assert len(listed(us, "/v1/pledges")) == 1


def test_a_transfer_needs_three_people_and_says_why_when_refused(us: str) -> None:
    answer(record(us, "wagenknecht", *RECEIPT))
    transfer_to_intl = (
        *("transfer", "--recipient", "INTL", "--amount", "3000.00 USD"),
        *("--purpose", "tractor column for Toikino", "--on", "1922-03-01"),
    )
    initiated = answer(record(us, "wagenknecht", *transfer_to_intl))
    transfer = initiated["transfer_id"]
    own = record(us, "wagenknecht", "countersign", transfer)
    assert own.returncode == 1
    assert "someone other than Alfred Wagenknecht" in own.stdout
    assert answer(record(us, "harrison", "countersign", transfer))["status"] == "countersigned"
    signer_sends = record(us, "wagenknecht", "send", transfer, "--on", "1922-03-02")
    assert signer_sends.returncode == 1
    assert "refused (" in signer_sends.stdout
    sent = answer(record(us, "baron", "send", transfer, "--on", "1922-03-02"))
    assert sent["status"] == "sent"
    [shown] = listed(us, "/v1/transfers")
    assert (shown["status"], shown["amount"]) == ("sent", "3000.00")


class NotANode(http.server.BaseHTTPRequestHandler):
    """A web server that is not a node: a wrong --url."""

    def do_POST(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html>a wiki</html>")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def not_a_node() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotANode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_node_that_does_not_answer_or_an_address_that_is_no_node_is_said_so(
    not_a_node: str, tmp_path: Path
) -> None:
    collection = tmp_path / "list-7.csv"
    collection.write_text("contributor,organisation_type,amount,currency,value_date\n")
    nobody = f"http://127.0.0.1:{free_port()}"
    answers = {
        nobody: f"the node at {nobody} did not answer",
        not_a_node: f"{not_a_node} answered HTTP 200 but not as a node does",
    }
    for url, said in answers.items():
        for command in (["record", *RECEIPT], ["import", "receipts", str(collection)]):
            env = {"AIDFED_URL": url, "AIDFED_TOKEN": "token-of-wagenknecht", "COLUMNS": "240"}
            result = CliRunner().invoke(aidfed, command, env=env)
            assert result.exit_code == 2, result.stdout
            assert said in result.stdout
            assert result.exception is None or isinstance(result.exception, SystemExit)
