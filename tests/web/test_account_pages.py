"""Accounts in the browser: change one's own password, an administrator's reset shown once, the
lockout message with its duration, and the same through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from openkamp.core.tenancy import Role

from .chromium import launched, shot
from .support import ADMIN, PASSWORD, Served, Site, csrf_of, sign_in


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


def _organisation_admin(site: Site, login: str) -> None:
    """An administrator of the default organisation who is not the platform operator: the
    logins they create end in ``@default``."""
    kamp = site.kamp
    operator = kamp.accounts.principal_of(kamp.meta.lookup("user", login=ADMIN))
    kamp.accounts.create_user(operator, login, PASSWORD, role=Role.ADMIN)


def _suffix_hint(html: str) -> str:
    found = re.search(r'data-testid="login-suffix"[^>]*>(.*?)</p>', html, re.S)
    return "" if found is None else found.group(1)


def test_the_add_user_form_says_which_login_the_person_gets(site: Site) -> None:
    """Issue 9, finding 9: an organisation's administrator creates ``hong`` and the account is
    ``hong@default``; the form says so before, in Korean and English, and the page shows the
    full login after, to pass on. The operator's logins get no ending and no such hint."""
    _organisation_admin(site, "yoon")
    client = site.client()
    csrf = sign_in(client, "yoon")
    hint = _suffix_hint(client.get("/settings").text)
    assert "@default" in hint and "붙습니다" in hint, hint
    made = client.post(
        "/settings/users",
        data={"csrf_token": csrf, "login": "hong", "password": PASSWORD, "role": "viewer"},
    )
    assert made.status_code == 201, made.text
    shown = re.search(r'data-testid="created-login">([^<]+)<', made.text)
    assert shown and shown.group(1) == "hong@default"
    sign_in(site.client(), "hong@default")
    # A look-alike of it is refused in words, in Korean.
    again = client.post(
        "/settings/users",
        data={"csrf_token": csrf, "login": "ｈｏｎｇ", "password": PASSWORD, "role": "viewer"},
    )
    assert again.status_code == 409 and "똑같아 보입니다" in again.text
    client.get("/lang/en?next=/settings")
    hint = _suffix_hint(client.get("/settings").text)
    assert "@default" in hint and "is added" in hint, hint
    operator = site.client()
    sign_in(operator)
    assert _suffix_hint(operator.get("/settings").text) == ""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as b:  # skips without chromium (fails under CI)
        yield b


def test_the_add_user_form_in_a_browser(browser: Any, served: Served) -> None:
    """The same in chromium, in Korean: the hint is visible beside the login field and the full
    login is shown after adding (screenshots ko-settings-add-user, ko-settings-user-added)."""
    _organisation_admin(served.site, "seo")
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served.url + "/login")
    page.fill("input[name=login]", "seo")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(served.url + "/")
    page.goto(served.url + "/settings")
    assert page.locator("html").get_attribute("lang") == "ko"
    hint = page.locator("[data-testid=login-suffix]")
    assert hint.is_visible() and "@default" in hint.inner_text()
    form = page.locator('form[action="/settings/users"]')
    shot(page, "ko-settings-add-user")
    form.locator("input[name=login]").fill("jung")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    created = page.locator("[data-testid=created-login]")
    assert created.inner_text() == "jung@default"
    assert created.is_visible()
    shot(page, "ko-settings-user-added")
    assert errors == []
