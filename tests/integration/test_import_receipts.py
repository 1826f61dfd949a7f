"""Importing a collection list: every bad line reported, nothing recorded; twice records once."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.settings import Settings
from tests.support import liaison_story as story
from tests.support.peers import bearer
from tests.support.servers import serving
from tests.support.story import CAMPAIGN

HEADER = "reference,campaign_code,contributor,organisation_type,amount,currency,value_date\n"
GOOD = HEADER + "".join(
    f"L7-{n},{CAMPAIGN},Contributor {n},trade_union,{n}.50,USD,1922-04-0{n}\n" for n in range(1, 6)
)
MIXED = HEADER + (
    f"L8-1,{CAMPAIGN},Anna Louise Strong,workers_circle,5.00,USD,1922-04-01\n"
    f"L8-2,{CAMPAIGN},Ruhr miners,miners_guild,5.00,USD,1922-04-01\n"
    f"L8-3,{CAMPAIGN},Metal workers,trade_union,1e3,USD,1922-04-01\n"
    f"L8-4,{CAMPAIGN},Seamen,trade_union,0.105,USD,1922-04-01\n"
    f"L8-5,no-such-campaign,Dockers,trade_union,5.00,USD,1922-04-01\n"
    f"L8-6,{CAMPAIGN},Weavers,trade_union,5.00,USD,31 April 1922\n"
    f"L8-1,{CAMPAIGN},Twice,trade_union,5.00,USD,1922-04-01\n"
    f"L8-8,{CAMPAIGN},,trade_union,5.00,ZZZ,1922-04-01\n"
)


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[httpx.Client, str]]:
    settings = Settings(node_id="US", data_dir=tmp_path / "US", mode="demo")
    UserBook(settings.data_dir).add(
        "wagenknecht", "Alfred Wagenknecht", Role.TREASURER, None, "tok"
    )
    api = create_app(settings)
    with serving(api) as base, httpx.Client(base_url=base, timeout=30, headers=bearer("tok")) as c:
        story.found_committee(api.state.node)
        yield c, base


def receipts(client: httpx.Client) -> list[dict[str, object]]:
    return list(client.get("/v1/receipts", params={"limit": 500}).json()["items"])


def test_a_file_with_bad_lines_is_reported_line_by_line_and_records_nothing(
    node: tuple[httpx.Client, str],
) -> None:
    client, _ = node
    before = receipts(client)
    response = client.post(
        "/v1/receipts/import", content=MIXED, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 422
    lines = {p["line"]: p["reason"] for p in response.json()["lines"]}
    assert sorted(lines) == [3, 4, 5, 6, 7, 8, 9]
    assert "organisation_type 'miners_guild'" in lines[3]
    assert "plain decimal" in lines[4]
    assert "never rounded" in lines[5]
    assert "no campaign" in lines[6]
    assert "not a date" in lines[7]
    assert "also on line 2" in lines[8]
    assert "contributor is empty" in lines[9]
    assert receipts(client) == before


def test_a_good_file_records_every_line_once_also_when_imported_twice(
    node: tuple[httpx.Client, str],
    tmp_path: Path,
) -> None:
    client, base = node
    first = client.post("/v1/receipts/import", content=GOOD, headers={"Content-Type": "text/csv"})
    assert first.status_code == 201, first.text
    assert (first.json()["recorded"], first.json()["already_recorded"]) == (5, 0)
    file = tmp_path / "collection-list-7.csv"
    file.write_text(GOOD)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "federation",
            "import",
            "receipts",
            str(file),
            "--url",
            base,
            "--token",
            "tok",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 receipt(s) recorded, 5 already recorded" in run.stdout
    imported = [r for r in receipts(client) if str(r["reference"]).startswith("L7-")]
    assert len(imported) == 5
    assert {r["amount"] for r in imported} == {"1.50", "2.50", "3.50", "4.50", "5.50"}


def test_an_import_repeated_with_its_key_answers_the_same(
    node: tuple[httpx.Client, str],
) -> None:
    """Found by the fuzzer: the repeat answered only the receipt ids, which broke the CLI
    (it sends the file's digest as its key) on a second import of the same file."""
    client, _ = node
    headers = {"Content-Type": "text/csv", "Idempotency-Key": "collection-list-7"}
    first = client.post("/v1/receipts/import", content=GOOD, headers=headers)
    again = client.post("/v1/receipts/import", content=GOOD, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert first.json()["recorded"] == 5
    assert len([r for r in receipts(client) if str(r["reference"]).startswith("L7-")]) == 5


def test_the_books_export_as_csv(node: tuple[httpx.Client, str]) -> None:
    client, _ = node
    client.post("/v1/receipts/import", content=GOOD, headers={"Content-Type": "text/csv"})
    csv_text = client.get("/v1/books/receipts.csv").text
    assert csv_text.splitlines()[0].startswith("receipt_id,kind,campaign_id")
    assert sum("L7-" in line for line in csv_text.splitlines()) == 5
    assert "cash_received" in client.get("/v1/books/balances.csv").text
    assert client.get("/v1/books/nothing.csv").status_code == 404
