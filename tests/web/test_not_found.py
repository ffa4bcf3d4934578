"""Every page for an id or name that does not exist says so: a 404 page in the user's language,
never a 500, never another object (a wrong equipment id once showed another machine)."""

from __future__ import annotations

import re

import pytest

from openkamp.api import create_app

from .flows_support import log_in
from .support import Site, app_routes

#: Bogus values per path parameter; ids far above any stored one, names never used.
BOGUS = {"int": ["987654", "abc", "-1"], "str": ["no-such-thing"]}
#: Pages whose query names an object; a wrong value is a 404 too.
BOGUS_QUERIES = [
    "/models/new?problem=classify&equipment=987654",
    "/signals?equipment=987654",
    "/models/new?problem=classify&dataset=no_such_dataset",
]


def _ui_get_routes(site: Site) -> list[tuple[str, dict[str, str]]]:
    app = create_app(platform=site.kamp)
    out = []
    for path, route in app_routes(app):
        if "GET" not in route.methods or path.startswith("/api/") or "{" not in path:
            continue
        params = {
            p.name: ("int" if p.field_info.annotation is int else "str")
            for p in route.dependant.path_params
        }
        out.append((path, params))
    return out


def _urls(site: Site) -> list[str]:
    urls = []
    for path, params in _ui_get_routes(site):
        variants = [""]
        for name, kind in params.items():
            if name == "code":  # the language switch: any code redirects back
                variants = []
                break
            if name == "kind":  # the delete confirmation's kinds
                variants = [path.replace("{kind}", k) for k in ("node", "signal", "label")]
                continue
            variants = [v or path for v in variants]
            variants = [
                v.replace("{" + name + "}", value) for v in variants for value in BOGUS[kind]
            ]
        urls.extend(variants)
    return sorted(set(urls)) + BOGUS_QUERIES + ["/no/such/page", "/models/x/1/2/3"]


def test_the_ui_routes_are_all_covered(site: Site) -> None:
    paths = {p for p, _ in _ui_get_routes(site)}
    # The pages of one object each; a new one is tested by the test below without a change.
    assert {"/import/{import_id}", "/jobs/{job_id}", "/models/{name}/{version}",
            "/assets/equipment/{node_id}"} <= paths  # fmt: skip


@pytest.mark.parametrize("lang,words", [("ko", "없습니다"), ("en", "There is no")])
def test_every_page_for_a_missing_object_is_a_404_in_words(
    site: Site, lang: str, words: str
) -> None:
    with site.client() as c:
        log_in(c)
        c.cookies.set("okp_lang", lang)
        failures = []
        for url in _urls(site):
            page = c.get(url)
            ok = (
                page.status_code == 404
                and page.headers["content-type"].startswith("text/html")
                and words in page.text
                and f'<html lang="{lang}">' in page.text
            )
            if not ok:
                text = re.sub(r"\s+", " ", page.text)[:160]
                failures.append(f"{url}: {page.status_code} {text}")
        assert not failures, "\n".join(failures)


def test_the_404_page_of_a_signed_out_browser(site: Site) -> None:
    with site.client() as c:
        page = c.get("/no/such/page")
        assert page.status_code == 404 and "찾는 페이지가 없습니다" in page.text


def test_api_misses_stay_json(site: Site) -> None:
    with site.client() as c:
        log_in(c)
        missing = c.get("/api/v1/assets/nodes/987654", headers={"Accept-Language": "en"})
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "record.not_found.node"
        assert c.get("/api/v1/no-such-route").headers["content-type"].startswith("application/json")
