"""Accounts in the browser: change one's own password, an administrator's reset shown once, the
lockout message with its duration, and the same through the API."""

from __future__ import annotations

import re

from openkamp.core.tenancy import Role

from .support import ADMIN, PASSWORD, Site, csrf_of, sign_in


def test_change_own_password_keeps_this_session_and_ends_the_others(site: Site) -> None:
    kamp = site.kamp
    admin = kamp.accounts.principal_of(kamp.meta.lookup("user", login=ADMIN))
    kamp.accounts.create_user(admin, "park", PASSWORD, role=Role.ENGINEER)
    here, elsewhere = site.client(), site.client()
    csrf = sign_in(here, "park")
    sign_in(elsewhere, "park")
    page = here.get("/settings")
    assert "내 비밀번호 바꾸기" in page.text
    wrong = here.post("/settings/password", data={
        "csrf_token": csrf, "old_password": "not my password",
        "new_password": "a brand new secret", "new_password2": "a brand new secret",
    })  # fmt: skip
    assert wrong.status_code == 422 and "현재 비밀번호가 틀렸습니다" in wrong.text
    differ = here.post("/settings/password", data={
        "csrf_token": csrf, "old_password": PASSWORD,
        "new_password": "a brand new secret", "new_password2": "a brand new secreT",
    })  # fmt: skip
    assert differ.status_code == 422 and "서로 다릅니다" in differ.text
    weak = here.post("/settings/password", data={
        "csrf_token": csrf, "old_password": PASSWORD, "new_password": "short",
        "new_password2": "short",
    })  # fmt: skip
    assert weak.status_code == 422 and "10자" in weak.text
    done = here.post("/settings/password", data={
        "csrf_token": csrf, "old_password": PASSWORD,
        "new_password": "a brand new secret", "new_password2": "a brand new secret",
    })  # fmt: skip
    assert done.status_code == 200 and 'data-testid="password-changed"' in done.text
    assert here.get("/settings").status_code == 200  # this session goes on
    assert elsewhere.get("/settings").status_code == 303  # the other one ended
    fresh = site.client()
    sign_in(fresh, "park", "a brand new secret")


def test_an_admin_resets_a_password_shown_once(site: Site) -> None:
    kamp = site.kamp
    admin = kamp.accounts.principal_of(kamp.meta.lookup("user", login=ADMIN))
    lee = kamp.accounts.create_user(admin, "lee", PASSWORD, role=Role.VIEWER)
    client = site.client()
    csrf = sign_in(client)
    page = client.post(f"/settings/users/{lee['id']}/password", data={"csrf_token": csrf})
    assert page.status_code == 200
    shown = re.search(r'data-testid="reset-password">([^<]+)<', page.text)
    assert shown and "lee" in page.text
    sign_in(site.client(), "lee", shown.group(1))
    assert shown.group(1) not in client.get("/settings").text  # only once
    # a viewer cannot reset anyone
    viewer = site.client()
    vcsrf = sign_in(viewer, "lee", shown.group(1))
    refused = viewer.post(f"/settings/users/{lee['id']}/password", data={"csrf_token": vcsrf})
    assert refused.status_code == 403
    # the API does the same, with the password in its answer only
    token = kamp.accounts.create_token(admin, "ops", ["admin"])[1]
    api = client.post(
        f"/api/v1/users/{lee['id']}/password/reset", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200 and api.json()["login"] == "lee"
    sign_in(site.client(), "lee", api.json()["password"])


def test_the_lockout_page_says_for_how_long(site: Site) -> None:
    client = site.client()
    page = client.get("/login")
    pre = re.search(r'name="pre_token" value="([^"]+)"', page.text)
    assert pre
    for _ in range(6):
        answer = client.post(
            "/login", data={"login": "nobody-here", "password": "x" * 12, "pre_token": pre.group(1)}
        )
    assert answer.status_code == 429
    assert re.search(r"약 \d+분 후에 다시 시도하세요", answer.text), answer.text
    assert csrf_of(answer.text) == ""


def test_the_api_changes_a_password_and_keeps_the_calling_session(site: Site) -> None:
    kamp = site.kamp
    admin = kamp.accounts.principal_of(kamp.meta.lookup("user", login=ADMIN))
    kamp.accounts.create_user(admin, "han", PASSWORD, role=Role.VIEWER)
    here, elsewhere = site.client(), site.client()
    csrf = sign_in(here, "han")
    sign_in(elsewhere, "han")
    wrong = here.post(
        "/api/v1/users/me/password",
        json={"old_password": "nope nope nope", "new_password": "another long secret"},
        headers={"X-CSRF-Token": csrf, "Accept-Language": "ko"},
    )
    assert (
        wrong.status_code == 422
        and "현재 비밀번호가 틀렸습니다" in wrong.json()["error"]["message"]
    )
    done = here.post(
        "/api/v1/users/me/password",
        json={"old_password": PASSWORD, "new_password": "another long secret"},
        headers={"X-CSRF-Token": csrf},
    )
    assert done.status_code == 204
    assert here.get("/api/v1/auth/me").status_code == 200
    assert elsewhere.get("/api/v1/auth/me").status_code == 401
