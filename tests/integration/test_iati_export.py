"""The International's IATI export: well-formed 2.03 XML with the right transaction types."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.node.committee import CommitteeApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind, Settings
from tests.support import liaison_story as story
from tests.support.peers import bearer
from tests.support.relay import relay
from tests.support.servers import serving


@pytest.fixture
def iati(tmp_path: Path) -> Iterator[ET.Element]:
    settings = Settings(
        node_id="INTL", kind=NodeKind.INTERNATIONAL, data_dir=tmp_path / "INTL", mode="demo"
    )
    UserBook(settings.data_dir).add("zetkin", "Clara Zetkin", Role.AUDITOR, None, "tok")
    us = CommitteeApplication(Settings(node_id="US", data_dir=tmp_path / "US", mode="test"))
    liaison = LiaisonApplication(
        Settings(node_id="RU-LIAISON", kind=NodeKind.LIAISON, data_dir=tmp_path / "L", mode="test")
    )
    story.register_agencies(liaison)
    story.found_committee(us)
    consultation = story.consult(us, "C-1")
    relay(us, liaison)
    story.concur(liaison, consultation)
    relay(liaison, us)
    story.procure(us, "P-1", "C-1")
    story.transfer(us, "INTL", "500.00")
    api = create_app(settings)
    with serving(api) as base, httpx.Client(base_url=base, headers=bearer("tok")) as client:
        relay(us, api.state.node)
        response = client.get("/v1/exports/iati.xml")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/xml")
        yield ET.fromstring(response.content)
    us.close()
    liaison.close()


def test_the_export_is_well_formed_iati_2_03(iati: ET.Element) -> None:
    assert iati.tag == "iati-activities"
    assert iati.get("version") == "2.03"
    [activity] = iati.findall("iati-activity")
    assert activity.findtext("iati-identifier") == "XM-AIDFED-US"
    assert activity.find("reporting-org") is not None


def test_each_transaction_carries_its_type_code_currency_and_value_date(iati: ET.Element) -> None:
    transactions = iati.findall("iati-activity/transaction")
    by_code: dict[str, list[ET.Element]] = {}
    for t in transactions:
        by_code.setdefault(t.find("transaction-type").get("code", ""), []).append(t)  # type: ignore[union-attr]
    assert sorted(by_code) == ["1", "2", "3"]  # funds in, commitment, disbursement
    [commitment] = by_code["2"]
    value = commitment.find("value")
    assert value is not None
    assert (value.text, value.get("currency"), value.get("value-date")) == (
        "20000.00",
        "USD",
        "1922-04-01",
    )
    [disbursement] = by_code["3"]
    assert disbursement.findtext("receiver-org/narrative") == "INTL"
    assert all(t.find("value").get("value-date") for t in transactions)  # type: ignore[union-attr]
