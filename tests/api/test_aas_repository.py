"""The AAS repository API (``/api/aas/v3.0``), checked by IDTA's aas-test-engines on a real server.

The platform holds the simulator's asset tree in organisation A, one machine with a complete
nameplate (so a Digital Nameplate submodel), and nothing in organisation B.
aas-test-engines runs its server checks for the two read profiles the repository implements, and
its submodel checks against every submodel (the profile runs look at the first one only, which
holds no entities or lists). The other tests cover what the tool does not: authentication, one
organisation not seeing another's model, refused writes, and that the repository serves exactly
what the AAS export holds.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aas_test_engines import api as aas_api
from aas_test_engines import config as aas_config
from aas_test_engines import http as aas_http
from aas_test_engines.result import AasTestResult, Level
from aas_test_engines.test_cases.v3_0 import api as aas_v30

from openkamp.api import create_app
from openkamp.assets.aas import export_context, export_json
from openkamp.core.tenancy import Role, system_principal
from openkamp.platform import Platform
from openkamp.sim import Factory

PASSWORD = "correct horse battery"
PREFIX = "/api/aas/v3.0"
SSP = "https://admin-shell.io/aas/API/3/0/"
NAMEPLATE = {
    "manufacturer_name": "엥겔코리아", "product_designation": "전동식 사출성형기",
    "product_type": "e-mac 180/50", "serial_number": "E-2019-00815",
    "year_of_construction": "2019", "product_uri": "https://www.engel.example/p/E-2019-00815",
    "street": "경기도 안산시 단원구 산단로 123", "zipcode": "15434", "city": "안산시",
    "country": "KR", "email": "service@engel.example",
}  # fmt: skip
PROFILES = [
    "AssetAdministrationShellRepositoryServiceSpecification/SSP-002",
    "SubmodelRepositoryServiceSpecification/SSP-002",
]


@dataclass
class Served:
    kamp: Platform
    url: str  # the repository's base URL
    tokens: dict[str, str]

    def get(self, path: str, who: str | None = "kim", **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return httpx.get(self.url + path, headers=headers | kw.pop("headers", {}), **kw)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    import uvicorn

    root = tmp_path_factory.mktemp("aas_repository")
    kamp = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    kamp.assets.apply_tree(kamp.principal(), [Factory(seed=5).asset_model()])
    machine = kamp.assets.resolve(kamp.principal(), "plant1/line1/inj01")
    kamp.assets.update_node(kamp.principal(), machine.id, nameplate=NAMEPLATE)
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    me_kim = kamp.accounts.principal_of(kim)
    org_b = kamp.meta.create_org("other-factory")["id"]
    lee = kamp.accounts.create_user(system_principal(org_b), "lee", PASSWORD, role=Role.ADMIN)
    tokens = {
        "kim": kamp.accounts.create_token(me_kim, "aas", ["read"])[1],
        "kim_admin": kamp.accounts.create_token(me_kim, "aas-admin", ["admin"])[1],
        "lee": kamp.accounts.create_token(kamp.accounts.principal_of(lee), "aas", ["admin"])[1],
    }
    port = _free_port()
    config = uvicorn.Config(
        create_app(platform=kamp), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield Served(kamp, f"http://127.0.0.1:{port}{PREFIX}", tokens)
    server.should_exit = True
    thread.join(timeout=10)
    kamp.close()


def _b64(identifier: str) -> str:
    return base64.urlsafe_b64encode(identifier.encode()).decode().rstrip("=")


class _BearerClient(aas_http.HttpClient):
    """aas-test-engines' HTTP client, sending its ``additional_headers``: version 1.0.3 keeps them
    (``check_server --header``) but its ``send`` never adds them to a request."""

    def descend(self, prefix: str) -> _BearerClient:
        child = _BearerClient(
            self.host, self.verify, self.remove_path_prefix, self.additional_headers
        )
        child.prefixes = [*self.prefixes, prefix]
        return child

    def send(self, request: aas_http.Request) -> Any:
        request.headers = {**self.additional_headers, **request.headers}
        return super().send(request)


def _run_suite(served: Served, suite: str) -> tuple[AasTestResult, Any]:
    client = _BearerClient(
        served.url, additional_headers={"Authorization": f"Bearer {served.tokens['kim']}"}
    )
    return aas_api.execute_tests(client, aas_config.CheckApiConfig(suite=suite))


def _failures(result: AasTestResult, path: tuple[str, ...] = ()) -> list[str]:
    """The failed checks (errors and worse, not warnings) of a result tree, with their path."""
    here = (*path, " ".join(result.message.split())[:120])
    if not result.sub_results:
        return [" > ".join(here[-5:])] if result.level.value >= Level.ERROR.value else []
    return [f for sub in result.sub_results for f in _failures(sub, here)]


@pytest.mark.parametrize("profile", PROFILES)
def test_aas_test_engines_server_checks_pass(served: Served, profile: str) -> None:
    result, counts = _run_suite(served, SSP + profile)
    failures = _failures(result)
    summary = (
        f"{profile}: negative {counts.invalid_rejected}/"
        f"{counts.invalid_rejected + counts.invalid_accepted}, positive "
        f"{counts.valid_accepted}/{counts.valid_accepted + counts.valid_rejected}"
    )
    print(summary)
    assert not failures, "\n".join([summary, *failures[:20]])
    assert result.ok()
    assert counts.invalid_accepted == 0 and counts.valid_rejected == 0, summary
    # Every operation of the profile ran (a setup that fails skips its operation silently).
    assert counts.invalid_rejected >= 30 and counts.valid_accepted >= 70, summary


def test_every_kind_of_submodel_passes_the_submodel_checks(served: Served) -> None:
    """The profile's checks of one submodel's elements, run on one submodel of each kind: the
    hierarchy's entities and relationships, the label lists, the time series' collections …"""
    kinds: dict[str, dict[str, Any]] = {}
    for sm in served.get("/submodels").json()["result"]:
        kinds.setdefault(sm["idShort"], sm)
    submodels = list(kinds.values())
    assert {"HierarchicalStructures", "OperationalData", "Labels", "Nameplate"} <= set(kinds)
    per_submodel = [
        suite
        for prefix, suite in aas_v30.available_suites[SSP + PROFILES[1]]
        if prefix is aas_v30.submodel_repo_submodel_prefix
    ]
    assert len(per_submodel) >= 10
    name = "openkamp: every kind of submodel"
    aas_v30.available_suites[name] = [
        ((lambda _client, sid=sm["id"]: f"/submodels/{_b64(sid)}"), suite)
        for sm in submodels
        for suite in per_submodel
    ]
    try:
        result, counts = _run_suite(served, name)
    finally:
        del aas_v30.available_suites[name]
    failures = _failures(result)
    assert not failures, "\n".join(failures[:20])
    assert counts.invalid_accepted == 0 and counts.valid_rejected == 0
    assert counts.valid_accepted >= 40 * len(submodels)


def _message(response: httpx.Response) -> dict[str, Any]:
    """The one message of an AAS ``Result`` error body (and nothing else in it)."""
    body = response.json()
    assert set(body) == {"messages"} and len(body["messages"]) == 1, body
    message: dict[str, Any] = body["messages"][0]
    assert set(message) == {"code", "messageType", "text", "timestamp"}, message
    assert message["messageType"] == "Error" and message["timestamp"].endswith("Z")
    return message


def test_without_credentials_the_repository_answers_401(served: Served) -> None:
    shell_id = served.get("/shells?limit=1").json()["result"][0]["id"]
    for path in ["/shells", f"/shells/{_b64(shell_id)}", "/submodels", "/description",
                 "/concept-descriptions", "/serialization"]:  # fmt: skip
        anonymous = served.get(path, who=None)
        assert anonymous.status_code == 401, path
        assert anonymous.headers["www-authenticate"] == "Bearer"
        assert "token" in _message(anonymous)["text"]
        forged = httpx.get(served.url + path, headers={"Authorization": "Bearer okp_forged"})
        assert forged.status_code == 401, path
        _message(forged)
    # A browser session reads it like a token does (what the web UI's own scripts would use).
    with httpx.Client() as browser:
        root = served.url.removesuffix(PREFIX)
        signed_in = browser.post(
            f"{root}/api/v1/auth/login", json={"login": "kim", "password": PASSWORD}
        )
        assert signed_in.status_code == 200
        assert browser.get(served.url + "/shells").json()["result"][0]["id"] == shell_id


def test_another_organisation_sees_none_of_the_models(served: Served) -> None:
    shells = served.get("/shells").json()["result"]
    submodels = served.get("/submodels").json()["result"]
    cds = served.get("/concept-descriptions").json()["result"]
    assert shells and submodels and cds
    for path in ["/shells", "/shells/$reference", "/submodels", "/submodels/$reference",
                 "/concept-descriptions"]:  # fmt: skip
        answer = served.get(path, who="lee")
        assert answer.status_code == 200, path
        assert answer.json() == {"paging_metadata": {}, "result": []}, path
    assert served.get("/serialization", who="lee").json() == {}

    missing = "urn:openkamp:no-such-thing"
    for template, theirs_id in [
        ("/shells/{id}", shells[0]["id"]),
        ("/shells/{id}/asset-information", shells[0]["id"]),
        ("/shells/{id}/submodel-refs", shells[0]["id"]),
        ("/submodels/{id}", submodels[0]["id"]),
        ("/submodels/{id}/$value", submodels[0]["id"]),
        ("/submodels/{id}/submodel-elements", submodels[0]["id"]),
        ("/concept-descriptions/{id}", cds[0]["id"]),
        ("/serialization?aasIds={id}", shells[0]["id"]),
    ]:
        foreign = template.format(id=_b64(theirs_id))
        assert served.get(foreign).status_code == 200, foreign  # A's own model
        theirs = served.get(foreign, who="lee")
        nowhere = served.get(template.format(id=_b64(missing)), who="lee")
        assert theirs.status_code == nowhere.status_code == 404, foreign
        # The same answer as for an id that exists nowhere, but for the id it repeats.
        seen, unseen = _message(theirs), _message(nowhere)
        assert seen["code"] == unseen["code"], foreign
        assert seen["text"].replace(theirs_id, "?") == unseen["text"].replace(missing, "?")


def test_write_methods_are_refused(served: Served) -> None:
    before = served.get("/serialization").json()
    shell = _b64(before["assetAdministrationShells"][0]["id"])
    sm = _b64(before["submodels"][0]["id"])
    element = before["submodels"][0]["submodelElements"][0]["idShort"]
    auth = {"Authorization": f"Bearer {served.tokens['kim_admin']}"}  # a token that may write
    body = {"id": "urn:x", "idShort": "X", "modelType": "AssetAdministrationShell"}
    for method, path in [
        ("POST", "/shells"), ("PUT", f"/shells/{shell}"), ("DELETE", f"/shells/{shell}"),
        ("PUT", f"/shells/{shell}/asset-information"), ("POST", f"/shells/{shell}/submodel-refs"),
        ("POST", "/submodels"), ("PUT", f"/submodels/{sm}"), ("PATCH", f"/submodels/{sm}"),
        ("DELETE", f"/submodels/{sm}"), ("POST", f"/submodels/{sm}/submodel-elements"),
        ("PUT", f"/submodels/{sm}/submodel-elements/{element}"),
        ("PATCH", f"/submodels/{sm}/submodel-elements/{element}/$value"),
        ("DELETE", f"/shells/{shell}/submodels/{sm}"),
        ("POST", "/concept-descriptions"),
    ]:  # fmt: skip
        answer = httpx.request(method, served.url + path, headers=auth, json=body)
        assert answer.status_code == 405, (method, path, answer.status_code)
        assert _message(answer)["code"] == "http.method"
        assert "GET" in answer.headers["allow"]
    assert served.get("/serialization").json() == before


def test_the_repository_serves_what_the_export_holds(served: Served) -> None:
    kamp = served.kamp
    me = kamp.principal()
    buf = io.StringIO()
    export_json(kamp.assets.export_tree(me), buf, **export_context(kamp, me))
    exported = json.loads(buf.getvalue())
    served_env = served.get("/serialization").json()
    for key in ("assetAdministrationShells", "submodels", "conceptDescriptions"):
        assert [o["id"] for o in served_env[key]] == [o["id"] for o in exported[key]], key
    # Objects as the export writes them (an exported entity's empty specificAssetIds, which the
    # schema forbids, is left out by the repository; shells list their submodels in a fixed order).
    by_id = {o["id"]: o for o in served_env["submodels"]}
    for sm in exported["submodels"]:
        assert _without_empty_asset_ids(sm) == by_id[sm["id"]], sm["id"]
    # Every submodel of the repository is reachable from a shell, as in the export.
    referenced = {
        ref["keys"][0]["value"]
        for s in served_env["assetAdministrationShells"]
        for ref in s["submodels"]
    }
    assert referenced == set(by_id)
    assert served.get("/serialization?includeConceptDescriptions=false").json().keys() == {
        "assetAdministrationShells", "submodels"
    }  # fmt: skip


def _without_empty_asset_ids(data: Any) -> Any:
    if isinstance(data, list):
        return [_without_empty_asset_ids(x) for x in data]
    if isinstance(data, dict):
        return {
            k: _without_empty_asset_ids(v)
            for k, v in data.items()
            if not (k == "specificAssetIds" and v == [])
        }
    return data


def test_pages_follow_the_cursor_to_every_submodel(served: Served) -> None:
    everything = [sm["id"] for sm in served.get("/submodels").json()["result"]]
    seen, cursor = [], None
    while True:
        params = {"limit": 2} if cursor is None else {"limit": 2, "cursor": cursor}
        page = served.get("/submodels/$reference", params=params).json()
        assert 1 <= len(page["result"]) <= 2
        seen += [ref["keys"][0]["value"] for ref in page["result"]]
        cursor = page["paging_metadata"].get("cursor")
        if cursor is None:
            break
    assert seen == everything
    bad = served.get("/submodels", params={"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and _message(bad)["code"] == "aas.bad_cursor"


def test_values_paths_and_errors_read_as_the_specification_says(served: Served) -> None:
    hierarchy = next(
        sm for sm in served.get("/submodels").json()["result"]
        if sm["idShort"] == "HierarchicalStructures"
    )  # fmt: skip
    sm = f"/submodels/{_b64(hierarchy['id'])}"
    value = served.get(f"{sm}/$value").json()
    assert value["ArcheType"] == "Full"
    entry = value["EntryNode"]
    assert entry["entityType"] == "SelfManagedEntity" and entry["statements"]
    core = served.get(f"{sm}/$value", params={"level": "core"}).json()
    assert core["EntryNode"]["statements"] == {}  # level=core: children, not grandchildren
    paths = served.get(f"{sm}/$path").json()
    assert "EntryNode" in paths and any(p.startswith("EntryNode.Line_") for p in paths)
    line = next(p for p in paths if p.count(".") == 1 and p.startswith("EntryNode.Line_"))
    element = served.get(f"{sm}/submodel-elements/{line}").json()
    assert element["modelType"] == "Entity"
    assert served.get(f"{sm}/submodel-elements/{line}/$reference").json()["keys"][-1] == {
        "type": "Entity", "value": line.split(".")[-1]
    }  # fmt: skip
    metadata = served.get(f"{sm}/submodel-elements/{line}/$metadata").json()
    assert "statements" not in metadata and metadata["entityType"] == "CoManagedEntity"
    # A Property has no children to list; a missing element is 404, in the reader's language.
    name = f"{line}.Name"
    assert served.get(f"{sm}/submodel-elements/{name}/$path").status_code == 400
    missing = served.get(
        f"{sm}/submodel-elements/EntryNode.Nope", headers={"Accept-Language": "ko"}
    )
    assert missing.status_code == 404
    assert _message(missing)["code"] == "aas.no_element"
    assert "요소가 없습니다" in _message(missing)["text"]
    bad_id = served.get("/shells/invalid-base64url=====")
    assert bad_id.status_code == 400 and _message(bad_id)["code"] == "aas.bad_id"


def test_the_repository_is_outside_the_api_description(served: Served) -> None:
    schema = httpx.get(served.url.removesuffix(PREFIX) + "/api/v1/openapi.json").json()
    assert schema["paths"] and not [p for p in schema["paths"] if "aas/v3" in p]
    assert served.get("/description").json()["profiles"] == [SSP + p for p in PROFILES]
    # The security headers of every answer hold here too.
    answer = served.get("/shells")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "no-store" in answer.headers["cache-control"]


def test_an_unexpected_error_answers_a_result_without_detail(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    import openkamp.api.aas_repository as repository

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(repository, "to_aas", broken)
    auth = {"Authorization": f"Bearer {served.tokens['kim']}"}
    with TestClient(create_app(platform=served.kamp), raise_server_exceptions=False) as client:
        answer = client.get(PREFIX + "/shells", headers=auth)
    assert answer.status_code == 500
    assert _message(answer)["code"] == "aas.internal"
    assert "secret" not in answer.text


def test_the_digital_nameplate_is_served_as_exported(served: Served) -> None:
    nameplate_sem = "https://admin-shell.io/zvei/nameplate/2/0/Nameplate"
    found = served.get("/submodels", params={"semanticId": _b64(nameplate_sem)}).json()["result"]
    assert [sm["id"] for sm in found] == [
        sm["id"] for sm in served.get("/submodels").json()["result"] if sm["idShort"] == "Nameplate"
    ]
    (plate,) = found
    assert plate["id"].endswith("plant1/line1/inj01/Nameplate")
    value = served.get(f"/submodels/{_b64(plate['id'])}/$value").json()
    assert value["ManufacturerName"] == [{"ko": "엥겔코리아"}]
    assert value["YearOfConstruction"] == "2019" and value["URIOfTheProduct"].startswith("https")
    assert value["ContactInformation"]["NationalCode"] == [{"en": "KR"}]
    assert value["ContactInformation"]["Email"] == {"EmailAddress": "service@engel.example"}
    shell = next(
        s for s in served.get("/shells").json()["result"] if s["id"].endswith("/inj01")
    )  # fmt: skip
    refs = served.get(f"/shells/{_b64(shell['id'])}/submodel-refs").json()["result"]
    assert plate["id"] in [r["keys"][0]["value"] for r in refs]
