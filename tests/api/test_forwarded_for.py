"""Issue 9, finding 2 (second half): ``X-Forwarded-For`` is believed only from configured proxies.

Believed from anyone, a client sends a new made-up address with every attempt and the
per-address lockout never comes. It is believed only when the direct peer is listed in
``OPENKAMP_TRUSTED_PROXIES`` (empty by default), and uvicorn's own proxy-header handling (which
believes 127.0.0.1) is off in ``openkamp serve``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from openkamp.accounts.clients import client_address
from openkamp.api import create_app
from openkamp.platform import Platform

PASSWORD = "correct horse battery"
FAST = {
    "password_hash_memory_kib": 1024,
    "password_hash_time_cost": 1,
    "duckdb_memory_limit": "256MB",
}


def _spray(c: TestClient, n: int) -> list[int]:
    """Wrong passwords for many logins, each claiming another address."""
    return [
        c.post(
            "/api/v1/auth/login",
            json={"login": f"user{i}", "password": "a wrong guess"},
            headers={"X-Forwarded-For": f"203.0.113.{i % 250 + 1}"},
        ).status_code
        for i in range(n)
    ]


def test_forwarded_for_from_an_untrusted_peer_does_not_escape_the_address_lockout(
    tmp_path: Path,
) -> None:
    kamp = Platform.at(tmp_path, **FAST)
    limit = kamp.settings.login_client_max_failures
    try:
        with TestClient(create_app(platform=kamp), client=("198.51.100.9", 40000)) as c:
            codes = _spray(c, limit + 3)
    finally:
        kamp.close()
    assert codes[:limit] == [401] * limit
    assert codes[limit:] == [429] * 3  # the peer's address is locked, whatever it claims


def test_forwarded_for_from_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    kamp = Platform.at(tmp_path, trusted_proxies="10.0.0.0/8", **FAST)
    limit = kamp.settings.login_client_max_failures
    try:
        with TestClient(create_app(platform=kamp), client=("10.1.2.3", 40000)) as c:
            codes = _spray(c, limit + 3)  # every attempt from another client behind the proxy
            assert set(codes) == {401}
            one = [
                c.post(
                    "/api/v1/auth/login",
                    json={"login": f"other{i}", "password": "a wrong guess"},
                    headers={"X-Forwarded-For": "198.51.100.77, 10.9.9.9"},
                ).status_code
                for i in range(limit + 1)
            ]
            assert one[-1] == 429  # one client behind two proxies is still one client
    finally:
        kamp.close()


def test_client_address() -> None:
    xff = {"x-forwarded-for": "1.2.3.4, 198.51.100.7"}
    assert client_address("10.0.0.1", xff, "") == "10.0.0.1"  # default: never believed
    assert client_address("127.0.0.1", xff, "") == "127.0.0.1"
    assert client_address("192.0.2.1", xff, "10.0.0.0/8") == "192.0.2.1"
    assert client_address("10.0.0.1", xff, "10.0.0.0/8") == "198.51.100.7"  # right-most hop
    assert client_address("10.0.0.1", {}, "10.0.0.0/8") == "10.0.0.1"
    chain = {"x-forwarded-for": "198.51.100.7, 10.0.0.5"}
    assert client_address("10.0.0.1", chain, "10.0.0.1, 10.0.0.5") == "198.51.100.7"


def test_openkamp_serve_turns_off_uvicorns_proxy_headers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from openkamp.cli import main
    from openkamp.settings import Settings

    seen: dict[str, Any] = {}

    def fake_run(self: uvicorn.Server, *a: Any, **kw: Any) -> None:
        seen["config"] = self.config

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    monkeypatch.setattr(main, "settings", lambda: Settings(data_dir=tmp_path, port=8765, **FAST))
    main._serve(None)
    assert seen["config"].proxy_headers is False
