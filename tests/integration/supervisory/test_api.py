"""The supervisory API's contract: every table pages and downloads as CSV, filters it does not
take are refused, only supervisors resolve and rebuild, and OpenAPI describes it all."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from domain.roles import Actor, Role
from federation.api.app import create_app
from federation.api.routers.supervisory_tables import LIST_DOCS
from federation.node.base import Context
from federation.node.committee import CommitteeApplication
from federation.node.international import InternationalApplication
from federation.node.liaison import LiaisonApplication
from federation.settings import NodeKind
from federation.sync.state import FollowerState, FollowerStates
from tests.conftest import SettingsFactory
from tests.integration.supervisory import world
from tests.support.servers import serving

SUPERVISOR = {"X-Actor": quote("Willi Münzenberg"), "X-Role": "supervisor"}
TREASURER = {"X-Actor": quote("Hugo Eberlein"), "X-Role": "treasurer"}


@pytest.fixture(params=["sqlite"])
def persistence(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@dataclass
class Api:
    http: httpx.Client
    intl: InternationalApplication


@pytest.fixture
def api(node_settings: SettingsFactory) -> Iterator[Api]:
    us = CommitteeApplication(node_settings("US"))
    liaison = LiaisonApplication(node_settings("RU-LIAISON", NodeKind.LIAISON))
    app = create_app(node_settings("INTL", NodeKind.INTERNATIONAL, follow=False))
    try:
        with (
            serving(app) as base,
            httpx.Client(base_url=base, timeout=60, headers=SUPERVISOR) as http,
        ):
            intl = app.state.node
            world.united_states(us, liaison)
            world.relay_all(intl, us, liaison)
            yield Api(http, intl)
    finally:
        us.close()
        liaison.close()


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_every_table_pages_and_downloads(api: Api) -> None:
    for name in LIST_DOCS:
        page = ok(api.http.get(f"/v1/supervisory/{name}", params={"limit": 1}))
        assert (page["limit"], page["offset"]) == (1, 0)
        assert len(page["items"]) <= 1
        assert page["watermark"]["nodes"]
        download = api.http.get(f"/v1/supervisory/{name}", params={"format": "csv"})
        assert download.status_code == 200, name
        header = next(csv.reader(io.StringIO(download.text)))
        if page["items"]:
            assert header == list(page["items"][0]), name


def test_pages_follow_each_other(api: Api) -> None:
    everything = ok(api.http.get("/v1/supervisory/procurements"))["items"]
    assert len(everything) == 1
    second = ok(api.http.get("/v1/supervisory/procurements", params={"offset": 1}))
    assert second["items"] == []


def test_filters_narrow_a_list(api: Api) -> None:
    machines = {"category": "machines", "agency": "NARKOMZEM", "from": "1922-04-01"}
    [tractors] = ok(api.http.get("/v1/supervisory/procurements", params=machines))["items"]
    assert tractors["reference"] == "PO-17"
    tools = ok(api.http.get("/v1/supervisory/procurements", params={"category": "tools"}))
    assert tools["items"] == []
    later = {"from": "1922-04-02"}
    assert ok(api.http.get("/v1/supervisory/procurements", params=later))["items"] == []


def test_a_filter_a_list_does_not_take_is_refused(api: Api) -> None:
    refused(
        api.http.get("/v1/supervisory/specialists", params={"currency": "USD"}),
        422,
        "supervisory.filter_not_supported",
    )
    refused(
        api.http.get("/v1/supervisory/overview", params={"from": "1922-05-01", "to": "1922-04-01"}),
        422,
        "supervisory.period_inverted",
    )
    refused(
        api.http.get("/v1/supervisory/overview", params={"reporting_currency": "ZZZ"}),
        422,
        "money.unknown_currency",
    )


def test_a_query_parameter_no_endpoint_takes_is_refused_naming_those_it_takes(api: Api) -> None:
    # A mistyped period ('since' for 'from') would otherwise answer for all time.
    mistyped = api.http.get("/v1/supervisory/overview", params={"since": "1922-05-01"})
    refused(mistyped, 422, "request.unknown_parameter")
    message = mistyped.json()["error"]["message"]
    assert "unknown query parameter 'since'" in message
    assert "from, rate_max_age_days, reporting_currency, to" in message
    both = api.http.get("/v1/supervisory/receipts", params={"sort": "amount", "zz": "1"})
    refused(both, 422, "request.unknown_parameter")
    assert "unknown query parameters 'sort', 'zz'" in both.json()["error"]["message"]
    node = api.http.get("/v1/node", params={"verbose": "1"})
    refused(node, 422, "request.unknown_parameter")
    assert "this endpoint takes no query parameters" in node.json()["error"]["message"]
    period = {"from": "1922-04-01", "to": "1922-12-31"}  # the documented ones still answer
    assert ok(api.http.get("/v1/supervisory/overview", params=period))["since"] == "1922-04-01"


def test_only_a_supervisor_resolves_and_only_what_exists(api: Api) -> None:
    body = {"resolution": "explained", "resolved_on": "1922-09-05"}
    path = "/v1/supervisory/exceptions/3f0c7d2e-1922-4a52-9d0e-000000000017/resolve"
    refused(api.http.post(path, json=body, headers=TREASURER), 403, "role.not_permitted")
    refused(api.http.post(path, json=body, headers=SUPERVISOR), 404, "exception.not_found")


def test_a_rebuild_over_http_answers_the_live_digest(api: Api) -> None:
    live = ok(api.http.get("/v1/supervisory/digest"))
    refused(api.http.post("/v1/supervisory/rebuild", headers=TREASURER), 403, "role.not_permitted")
    rebuilt = ok(api.http.post("/v1/supervisory/rebuild", headers=SUPERVISOR))
    assert rebuilt["digest"] == live["digest"]
    assert rebuilt["replayed"] == sum(n["ingested"] for n in live["watermark"]["nodes"])
    # The rebuild forgot the kept answers and computed them again before answering.
    assert api.intl.supervisory.rules.kept.nodes() == ["RU-LIAISON", "US"]
    assert api.intl.supervisory.overview.kept


def test_openapi_describes_the_view(api: Api) -> None:
    spec = ok(api.http.get("/openapi.json"))
    paths = spec["paths"]
    for name in ("overview", "exceptions", "consultations", "coverage", "in-transit", *LIST_DOCS):
        operation = paths[f"/v1/supervisory/{name}"]["get"]
        assert operation["description"] or operation["summary"], name
    receipts = paths["/v1/supervisory/receipts"]["get"]
    assert "Filters: country, currency, kind, organisation_type, status" in receipts["description"]
    row = spec["components"]["schemas"]["ReceiptsRow"]
    assert {"contributor", "amount", "value_date", "status"} <= set(row["properties"])
    parameters = {p["name"] for p in paths["/v1/supervisory/overview"]["get"]["parameters"]}
    assert {"reporting_currency", "from", "to", "country", "currency", "format"} <= parameters


def test_the_watermark_prefers_the_followers_verified_sync(api: Api) -> None:
    size = api.intl.ingestor.cursor("US")
    verified = FollowerState("US", size=size, head=size + 3, last_success="1922-09-01T12:00:00")
    FollowerStates(api.intl.db).put(verified)
    nodes = {n["node"]: n for n in ok(api.http.get("/v1/supervisory/watermark"))["nodes"]}
    us = nodes["US"]
    assert (us["included"], us["verified"], us["upstream_head"]) == (size, size, size + 3)
    assert (us["last_synced"], us["synced_by"]) == ("1922-09-01T12:00:00", "follower")
    assert nodes["RU-LIAISON"]["synced_by"] == "ingest"


def test_the_watermark_includes_the_internationals_own_latest_records(api: Api) -> None:
    api.intl.recognise_committee(
        Context(Actor("Willi Münzenberg", Role.SUPERVISOR)),
        country="NO",
        committee_name="Norges Arbeiderhjelp",
        on=date(1922, 3, 1),
    )
    own = api.intl.recorder.max_notification_id()
    assert own
    answer = ok(api.http.get("/v1/supervisory/watermark"))
    assert answer["international_read_to"] == own
