"""Outside test mode, only users with an API token act; the token names the person and role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from domain.roles import Role
from federation.api.app import create_app
from federation.api.users import UserBook
from federation.settings import Settings
from tests.support.peers import bearer
from tests.support.servers import serving

CONSTITUTE = {"name": "FSR", "national_section": "WPA", "constituted_on": "1921-08-09"}


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[httpx.Client, UserBook]]:
    settings = Settings(node_id="US", data_dir=tmp_path / "US", database="sqlite", mode="demo")
    users = UserBook(settings.data_dir)
    users.add(
        "harrison", "Caleb Harrison", Role.SECRETARY, "correct horse battery", "tok-secretary"
    )
    users.add("wagenknecht", "Alfred Wagenknecht", Role.TREASURER, None, "tok-treasurer")
    with serving(create_app(settings)) as base, httpx.Client(base_url=base, timeout=30) as client:
        yield client, users


def test_a_token_acts_as_its_user_and_role(node: tuple[httpx.Client, UserBook]) -> None:
    client, _ = node
    created = client.post("/v1/committee", json=CONSTITUTE, headers=bearer("tok-secretary"))
    assert created.status_code == 201, created.text
    refused = client.post(
        "/v1/committee/delegates",
        headers=bearer("tok-treasurer"),
        json={"delegate": "x", "organisation": "y", "organisation_type": "other"},
    )
    assert refused.status_code == 403
    assert "Alfred Wagenknecht acts as treasurer" in refused.json()["error"]["message"]


def test_no_token_a_wrong_token_or_declared_headers_are_refused(
    node: tuple[httpx.Client, UserBook],
) -> None:
    client, _ = node
    for headers in (
        {},
        bearer("not-a-token"),
        {"X-Actor": "Caleb Harrison", "X-Role": "secretary"},
    ):
        response = client.post("/v1/committee", json=CONSTITUTE, headers=headers)
        assert response.status_code == 401, response.text
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert "not-a-token" not in response.text
    assert client.get("/v1/campaigns", headers=bearer("tok-secretary")).json()["items"] == []


def test_passwords_are_hashed_and_checked(node: tuple[httpx.Client, UserBook]) -> None:
    _, users = node
    stored = users.path.read_text()
    assert "correct horse battery" not in stored
    assert "tok-secretary" not in stored
    assert users.by_password("harrison", "correct horse battery") is not None
    assert users.by_password("harrison", "wrong horse battery") is None
    assert users.by_password("nobody", "correct horse battery") is None
    assert oct(users.path.stat().st_mode & 0o777) == "0o600"


def test_insecure_settings_are_refused_in_production(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="feed_open"):
        Settings(node_id="US", data_dir=tmp_path, feed_open=True)
    with pytest.raises(ValueError, match="in-memory"):
        Settings(node_id="US", data_dir=tmp_path, database="memory")
