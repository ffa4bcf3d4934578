"""Settings › data retention: the organisation default and per-signal policies in Korean and
English, changed by administrators only, refusals in words."""

from __future__ import annotations

from .support import ADMIN, VIEWER, Site, csrf_of, sign_in


def test_retention_page_sets_default_and_signal_policies(site: Site) -> None:
    kamp = site.kamp
    admin = kamp.accounts.principal_of(kamp.meta.lookup("user", login=ADMIN))
    client = site.client()
    csrf = sign_in(client)
    assert 'href="/settings/retention"' in client.get("/settings").text
    page = client.get("/settings/retention")
    assert page.status_code == 200 and "데이터 보관 기간" in page.text and "영구" in page.text
    saved = client.post("/settings/retention", data={
        "csrf_token": csrf, "raw_days": "30", "minute_days": "365", "hour_days": "",
    })  # fmt: skip
    assert saved.status_code == 200 and 'data-testid="retention-saved"' in saved.text
    assert "30일" in saved.text and "365일" in saved.text
    assert kamp.retention.organisation(admin).raw_days == 30
    wrong = client.post("/settings/retention", data={
        "csrf_token": csrf, "raw_days": "400", "minute_days": "30",
    })  # fmt: skip
    assert wrong.status_code == 422 and "원시 ≤ 분 단위 ≤ 시간 단위" in wrong.text
    junk = client.post("/settings/retention", data={"csrf_token": csrf, "raw_days": "a week"})
    assert junk.status_code == 422 and "숫자로" in junk.text
    assert kamp.retention.organisation(admin).raw_days == 30  # refusals changed nothing
    sig = kamp.assets.list_signals(admin)[0]
    own = client.post("/settings/retention/signals", data={
        "csrf_token": csrf, "signal": str(sig.id), "raw_days": "7", "minute_days": "7",
    })  # fmt: skip
    assert own.status_code == 200 and f'data-testid="retention-signal-{sig.id}"' in own.text
    assert kamp.retention.signal(admin, sig.id).raw_days == 7
    cleared = client.post(f"/settings/retention/signals/{sig.id}/clear", data={"csrf_token": csrf})
    assert cleared.status_code == 303
    assert kamp.retention.signal(admin, sig.id).source == "organisation"
    client.cookies.set("okp_lang", "en")
    english = client.get("/settings/retention").text
    assert "Data retention" in english and "Per-minute aggregates (days)" in english
    # A viewer sees the policies but no form, and a post of theirs is refused.
    reader = site.client()
    rcsrf = sign_in(reader, VIEWER)
    seen = reader.get("/settings/retention").text
    assert "관리자가 바꿀 수 있습니다" in seen and 'action="/settings/retention"' not in seen
    refused = reader.post("/settings/retention", data={"csrf_token": rcsrf, "raw_days": "1"})
    assert refused.status_code == 403
    assert kamp.retention.organisation(admin).raw_days == 30
    assert csrf_of(page.text)
    kamp.retention.set_organisation(admin, None, None, None)


def test_retention_page_has_no_untranslated_text(site: Site) -> None:
    """The page with a default and a signal's own policy, scanned in both languages as
    test_language scans every page (it reaches this one too, through the settings router)."""
    from .language_scan import untranslated
    from .test_language import _data_words

    kamp = site.kamp
    admin = kamp.accounts.principal_of(kamp.meta.lookup("user", login=ADMIN))
    sig = kamp.assets.list_signals(admin)[0]
    kamp.retention.set_organisation(admin, 30, 365, None)
    kamp.retention.set_signal(admin, sig.id, 7, 30, 3650)
    words = _data_words(site)
    try:
        for lang in ("ko", "en"):
            with site.client() as c:
                sign_in(c)
                c.get(f"/lang/{lang}")
                html = c.get("/settings/retention").text
                bad = c.post("/settings/retention", data={"csrf_token": csrf_of(html),
                                                          "raw_days": "9", "minute_days": "1"})  # fmt: skip
                assert bad.status_code == 422
                found = untranslated(html, lang, "/settings/retention", words)
                found += untranslated(bad.text, lang, "/settings/retention (refused)", words)
                assert not found, found
    finally:
        kamp.retention.set_organisation(admin, None, None, None)
        kamp.retention.clear_signal(admin, sig.id)
