"""In-process tests of every page: both languages, sign-in redirects, CSRF on every form post."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openkamp.core.errors import Unauthenticated
from openkamp.i18n import MESSAGES

from .support import ADMIN, PASSWORD, VIEWER, Site, csrf_of, load_platform, sign_in

PAGES = [
    "/",
    "/signals",
    "/import",
    "/import/1",
    "/models",
    "/models/new",
    "/models/new?problem=classify",
    "/models/new?problem=anomaly",
    "/models/new?problem=rul",
    "/models/new?problem=regress",
    "/models/new?problem=forecast",
    "/models/new?problem=optimise",
    "/models/inj01_defect/1",
    "/settings",
]
NAV = {"ko": ["공장 현황", "데이터 가져오기", "신호 탐색", "AI 모델", "설정"],
       "en": ["Overview", "Import", "Signals", "Models", "Settings"]}  # fmt: skip


def test_every_web_key_has_both_languages() -> None:
    keys = [k for k in MESSAGES if k.startswith("web.")]
    assert len(keys) > 100
    for key in keys:
        assert MESSAGES[key].get("ko") and MESSAGES[key].get("en"), key


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_page_renders_in_both_languages(site: Site, lang: str) -> None:
    with site.client() as c:
        sign_in(c)
        switched = c.get(f"/lang/{lang}?next=/models")
        assert switched.status_code == 303 and switched.headers["location"] == "/models"
        for path in PAGES:
            page = c.get(path)
            assert page.status_code == 200, (path, page.text[:500])
            html = page.text
            assert f'<html lang="{lang}">' in html, path
            for word in NAV[lang]:
                assert word in html, (path, word)
            assert csrf_of(html), path
            # No external resource: air-gapped factories load nothing from outside.
            assert not re.search(r'(src|href)="(https?:)?//', html), path
            for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S):
                assert 'name="csrf_token"' in form or 'name="pre_token"' in form, (path, form)


def test_the_language_stays_chosen_and_defaults_to_korean(site: Site) -> None:
    with site.client() as c:
        sign_in(c)
        assert '<html lang="ko">' in c.get("/").text
        c.get("/lang/en")
        assert '<html lang="en">' in c.get("/import").text
        assert c.get("/lang/xx").status_code == 303  # an unknown language changes nothing
        assert '<html lang="en">' in c.get("/").text
        # Only local paths to go back to: never another site.
        for bad in ("//evil.example/", "https://evil.example/", "/\\evil"):
            assert c.get("/lang/ko", params={"next": bad}).headers["location"] == "/"


def test_signed_out_pages_redirect_to_sign_in(site: Site) -> None:
    with site.client() as c:
        for path in PAGES:
            page = c.get(path)
            assert page.status_code == 303, path
            assert page.headers["location"].startswith("/login"), path
        assert c.get("/models").headers["location"] == "/login?next=%2Fmodels"
        assert c.get("/static/app.css").status_code == 200  # the sign-in page needs its style
        assert c.get("/login").status_code == 200


def test_first_run_goes_to_set_up_then_signs_in(tmp_path: Path) -> None:
    fresh = load_platform(tmp_path, with_admin=False, with_model=False)
    try:
        with fresh.client() as c:
            assert c.get("/").headers["location"] == "/setup"
            assert c.get("/login").headers["location"] == "/setup"
            form = c.get("/setup")
            assert form.status_code == 200 and "처음 설정" in form.text
            pre = re.search(r'name="pre_token" value="([^"]+)"', form.text)
            assert pre
            data = {"login": "lee", "pre_token": pre.group(1), "display_name": "이 과장"}
            weak = c.post("/setup", data={**data, "password": "short", "password2": "short"})
            assert weak.status_code == 422 and "비밀번호가 너무 짧습니다" in weak.text
            differ = c.post("/setup", data={**data, "password": PASSWORD, "password2": "x" * 12})
            assert differ.status_code == 422 and "두 비밀번호가 다릅니다" in differ.text
            done = c.post("/setup", data={**data, "password": PASSWORD, "password2": PASSWORD})
            assert done.status_code == 303 and done.headers["location"] == "/"
            home = c.get("/")
            assert home.status_code == 200 and "lee" in home.text
            assert c.get("/setup").headers["location"] == "/login"  # set-up happens once
    finally:
        fresh.kamp.close()


def test_sign_in_failures_and_sign_out(site: Site) -> None:
    with site.client() as c:
        page = c.get("/login?next=/models")
        pre = re.search(r'name="pre_token" value="([^"]+)"', page.text)
        assert pre
        wrong = c.post(
            "/login", data={"login": ADMIN, "password": "wrong password", "pre_token": pre.group(1)}
        )
        assert wrong.status_code == 401 and "아이디 또는 비밀번호가 틀렸습니다" in wrong.text
        forged = c.post("/login", data={"login": ADMIN, "password": PASSWORD, "pre_token": "x"})
        assert forged.status_code == 403  # another site's form: no matching double-submit token
        ok = c.post(
            "/login",
            data={
                "login": ADMIN,
                "password": PASSWORD,
                "pre_token": pre.group(1),
                "next": "/models",
            },
        )
        assert ok.status_code == 303 and ok.headers["location"] == "/models"
        csrf = csrf_of(c.get("/").text)
        assert c.post("/logout").status_code == 403  # without the CSRF token
        out = c.post("/logout", data={"csrf_token": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert c.get("/").status_code == 303


def test_form_posts_without_csrf_are_refused(site: Site) -> None:
    with site.client() as c:
        csrf = sign_in(c)
        posts = [
            ("/logout", {}),
            ("/models/train", {"task": "classify", "name": "x", "equipment": "plant1"}),
            ("/models/inj01_defect/1/stage", {"stage": "production"}),
            ("/models/inj01_defect/1/score", {"start": "2026-03-04"}),
            ("/settings/tokens", {"name": "t"}),
            ("/settings/users", {"login": "x1", "password": PASSWORD}),
            ("/import/preview", {}),
            ("/import/run", {}),
        ]
        for path, data in posts:
            assert c.post(path, data=data).status_code == 403, path
            forged = c.post(path, data={**data, "csrf_token": "not-the-token"})
            assert forged.status_code == 403, path
        assert c.post("/import/stage", files={"file": ("a.csv", b"t,v\n1,2\n")}).status_code == 403
        # The API refuses it too, with the same session and no token.
        assert c.post("/api/v1/models/inj01_defect/versions/1/stage", json={}).status_code == 403
        assert c.get("/settings").status_code == 200 and csrf


def test_a_viewer_sees_pages_but_cannot_change(site: Site) -> None:
    with site.client() as c:
        csrf = sign_in(c, VIEWER)
        assert c.get("/models/inj01_defect/1").status_code == 200
        assert 'data-testid="deploy"' not in c.get("/models/inj01_defect/1").text
        denied = c.post(
            "/models/inj01_defect/1/stage", data={"csrf_token": csrf, "stage": "production"}
        )
        assert denied.status_code == 403 and '<html lang="ko">' in denied.text


def test_errors_are_pages_for_pages_and_json_for_the_api(site: Site) -> None:
    with site.client() as c:
        sign_in(c)
        missing = c.get("/models/nope/1")
        assert missing.status_code == 404 and "<html" in missing.text
        api = c.get("/api/v1/models/nope/versions/1")
        assert api.status_code == 404 and api.json()["error"]["type"] == "NotFound"
        assert c.get("/import/999").status_code == 404


def test_an_admin_deactivates_and_reactivates_a_user(site: Site) -> None:
    kamp = site.kamp
    viewer = kamp.meta.lookup("user", login=VIEWER)
    assert viewer is not None
    with site.client() as c:
        csrf = sign_in(c)
        page = c.get("/settings").text
        assert f'action="/settings/users/{viewer["id"]}/active"' in page
        url = f"/settings/users/{viewer['id']}/active"
        assert c.post(url, data={"active": "0"}).status_code == 403  # no CSRF token
        assert c.post(url, data={"csrf_token": csrf, "active": "0"}).status_code == 303
    assert not kamp.meta.lookup("user", login=VIEWER)["active"]
    with pytest.raises(Unauthenticated):  # a deactivated user cannot sign in
        kamp.accounts.login(VIEWER, PASSWORD, client="test")
    with site.client() as c:
        csrf = sign_in(c)
        assert c.post(url, data={"csrf_token": csrf, "active": "1"}).status_code == 303
    assert kamp.meta.lookup("user", login=VIEWER)["active"]
