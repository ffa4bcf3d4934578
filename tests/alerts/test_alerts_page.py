"""The alerts page as a browser uses it (forms with the session's CSRF token), in Korean and
English: live alerts with their explanation, acknowledge with a comment, close, history; rules
and channels added by an engineer, a refused setting said in words; a viewer only reads."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from fastapi.testclient import TestClient
from tests.web.language_scan import untranslated
from tests.web.support import sign_in

from openkamp.api import create_app
from openkamp.core.assets import SignalSpec
from openkamp.core.tenancy import Role
from openkamp.platform import Platform

PASSWORD = "correct horse battery"
T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
#: Protocol and product names the page may show in Latin letters, and the test's own data.
WORDS = frozenset(
    {"overheat", "SMTP", "STARTTLS", "HMAC", "kim", "vera", "press", "temp", "p", "l"}
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Platform]:
    kamp = Platform.at(tmp_path / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    kim = kamp.accounts.create_first_admin(kamp.default_org_id, "kim", PASSWORD)
    kamp.accounts.create_user(kamp.accounts.principal_of(kim), "vera", PASSWORD, role=Role.VIEWER)
    me = kamp.principal()
    site = kamp.assets.create_node(me, "site", "p")
    line = kamp.assets.create_node(me, "line", "l", site.id)
    eq = kamp.assets.create_node(me, "equipment", "press", line.id)
    sig = kamp.assets.create_signal(me, eq.id, SignalSpec("temp", max_value=80.0))
    kamp.alert_rules.create(me, name="overheat", kind="limit", signal_id=sig.id)
    times = [T0 + timedelta(seconds=i) for i in range(3)]
    kamp.alert_engine.process(
        kamp.default_org_id,
        pa.table({
            "signal_id": pa.array([sig.id] * 3, pa.int64()),
            "ts": pa.array(times, pa.timestamp("us", tz="UTC")),
            "value": pa.array([50.0, 95.0, 96.0]),
        }),
    )  # fmt: skip
    yield kamp
    kamp.close()


def test_alerts_page_acknowledge_close_history_in_korean(site: Platform) -> None:
    (alert,) = site.alerts.list(site.principal())
    aid = alert["id"]
    with TestClient(create_app(platform=site), follow_redirects=False) as client:
        csrf = sign_in(client, "kim", PASSWORD)
        page = client.get("/alerts")
        assert page.status_code == 200
        html = page.text
        assert 'href="/alerts"' in html  # the menu entry
        assert f'data-testid="alert-{aid}"' in html and "overheat" in html and "한계" in html
        # a signal without a display name is shown by its key
        assert re.search(rf'data-testid="signals-{aid}" title="temp">temp<', html)
        assert untranslated(html, "ko", "alerts", WORDS) == []
        done = client.post(f"/alerts/{aid}/handle", data={
            "csrf_token": csrf, "action": "acknowledge", "comment": "냉각수 확인"})  # fmt: skip
        assert done.status_code == 303
        rec = site.alerts.get(site.principal(), aid)
        assert rec["status"] == "acknowledged" and rec["comment"] == "냉각수 확인"
        assert rec["acknowledged_by"] == "kim"
        assert "냉각수 확인" in client.get("/alerts").text
        client.post(f"/alerts/{aid}/handle", data={"csrf_token": csrf, "action": "close"})
        assert site.alerts.get(site.principal(), aid)["status"] == "closed"
        assert f'data-testid="alert-{aid}"' not in client.get("/alerts").text
        history = client.get("/alerts?history=true").text
        assert f'data-testid="alert-{aid}"' in history and "닫음: kim" in history
        # without the CSRF token nothing happens
        assert client.post(f"/alerts/{aid}/handle", data={"action": "close"}).status_code == 403


def test_an_alerts_signals_are_shown_by_their_names_in_the_pages_language(
    site: Platform,
) -> None:
    """The alerts page and the overview's alert list name the related signals as the rest of
    the page does (the key stays in the title and in data-signals, what selectors use)."""
    me = site.principal()
    (sig,) = site.assets.list_signals(me)
    site.assets.update_signal(me, sig.id, name_ko="온도", name_en="Temperature")
    (alert,) = site.alerts.list(me)
    aid = alert["id"]
    with TestClient(create_app(platform=site), follow_redirects=False) as client:
        sign_in(client, "kim", PASSWORD)
        assert re.search(
            rf'data-testid="signals-{aid}" title="temp">온도<', client.get("/alerts").text
        )
        overview = client.get("/").text
        assert 'data-signals="temp"' in overview
        assert re.search(r'data-testid="alert-signals" title="temp">온도<', overview)
        client.cookies.set("okp_lang", "en")
        page = client.get("/alerts").text
        assert re.search(rf'data-testid="signals-{aid}" title="temp">Temperature<', page)
        overview = client.get("/").text
        assert re.search(r'data-testid="alert-signals" title="temp">Temperature<', overview)


def test_rules_and_channels_from_the_page(site: Platform) -> None:
    sig = site.assets.list_signals(site.principal())[0]
    with TestClient(create_app(platform=site), follow_redirects=False) as client:
        csrf = sign_in(client, "kim", PASSWORD)
        made = client.post("/alerts/rules", data={
            "csrf_token": csrf, "name": "급변", "kind": "rate", "signal_id": str(sig.id),
            "high": "5", "per_s": "1", "severity": "critical"})  # fmt: skip
        assert made.status_code == 200 and 'data-testid="rule-급변"' in made.text
        rule = next(r for r in site.alert_rules.list(site.principal()) if r["name"] == "급변")
        assert rule["config"] == {"high": 5.0, "per_s": 1.0} and rule["severity"] == "critical"
        refused = client.post("/alerts/rules", data={
            "csrf_token": csrf, "name": "x", "kind": "rate", "signal_id": str(sig.id)})  # fmt: skip
        assert refused.status_code == 422 and "변화율 규칙에는 상한" in refused.text
        not_number = client.post("/alerts/rules", data={
            "csrf_token": csrf, "name": "y", "kind": "limit", "signal_id": str(sig.id),
            "high": "많이"})  # fmt: skip
        assert not_number.status_code == 422 and "숫자" in not_number.text
        hook = client.post("/alerts/channels", data={
            "csrf_token": csrf, "name": "현장", "kind": "webhook",
            "url": "http://127.0.0.1:9/none", "secret": "abc"})  # fmt: skip
        assert hook.status_code == 200 and 'data-testid="channel-현장"' in hook.text
        assert "abc" not in hook.text
        (channel,) = site.channels.list(site.principal())
        tested = client.post(f"/alerts/channels/{channel['id']}/test", data={"csrf_token": csrf})
        assert tested.status_code == 200 and "시험 알림을 보내지 못했습니다" in tested.text
        client.post(f"/alerts/rules/{rule['id']}/toggle", data={"csrf_token": csrf})
        assert not site.alert_rules.get(site.principal(), rule["id"])["enabled"]
        client.post(f"/alerts/rules/{rule['id']}/delete", data={"csrf_token": csrf})
        assert all(r["name"] != "급변" for r in site.alert_rules.list(site.principal()))
        client.cookies.set("okp_lang", "en")
        english = client.get("/alerts").text
        assert "Alert rules" in english and "beyond its limit" in english
        assert untranslated(english, "en", "alerts-en", frozenset({"현장"})) == []


def test_a_viewer_reads_but_changes_nothing(site: Platform) -> None:
    (alert,) = site.alerts.list(site.principal())
    with TestClient(create_app(platform=site), follow_redirects=False) as client:
        csrf = sign_in(client, "vera", PASSWORD)
        page = client.get("/alerts")
        assert page.status_code == 200 and "overheat" in page.text
        assert 'data-testid="add-rule"' not in page.text
        assert f'data-testid="handle-{alert["id"]}"' not in page.text
        refused = client.post(f"/alerts/{alert['id']}/handle",
                              data={"csrf_token": csrf, "action": "close"})  # fmt: skip
        assert refused.status_code == 403
        assert site.alerts.get(site.principal(), alert["id"])["status"] == "open"
        assert (
            client.post(
                "/alerts/rules", data={"csrf_token": csrf, "name": "z", "kind": "limit"}
            ).status_code
            == 403
        )


def test_rules_and_channels_are_edited_and_switched_from_the_page(site: Platform) -> None:
    me = site.principal()
    (rule,) = site.alert_rules.list(me)
    sig = site.assets.list_signals(me)[0]
    # a setting only the API sets (clear_for_s) survives an edit from the page
    site.alert_rules.update(me, rule["id"], config={"high": 90.0, "clear_for_s": 30.0})
    hook = site.channels.create(me, name="현장", kind="webhook", config={
        "url": "http://127.0.0.1:9/a", "secret": "abc", "timeout_s": 3.0})  # fmt: skip
    mail = site.channels.create(me, name="메일", kind="email", config={
        "host": "127.0.0.1", "port": 25, "sender": "kamp@x.kr", "to": ["a@x.kr"],
        "password": "pw1"})  # fmt: skip
    with TestClient(create_app(platform=site), follow_redirects=False) as client:
        csrf = sign_in(client, "kim", PASSWORD)
        page = client.get("/alerts").text
        form = page.split(f'data-testid="edit-rule-{rule["id"]}"', 1)[1].split("</form>", 1)[0]
        assert 'name="high" inputmode="decimal" size="7" value="90.0"' in form
        assert f'<option value="{sig.id}" selected>' in form
        channel_form = page.split(f'data-testid="edit-channel-{hook["id"]}"', 1)[1]
        channel_form = channel_form.split("</form>", 1)[0]
        assert 'value="http://127.0.0.1:9/a"' in channel_form and "abc" not in page
        assert "비워 두면 그대로" in channel_form
        found = untranslated(page, "ko", "alerts-edit", WORDS)
        assert found == [], [str(f) for f in found]

        # the rule: every field of its form; enabled left unchecked switches it off
        edited = client.post(f"/alerts/rules/{rule['id']}", data={
            "csrf_token": csrf, "name": "과열", "kind": "limit", "signal_id": str(sig.id),
            "high": "95", "clear_high": "85", "for_s": "10", "severity": "critical"})  # fmt: skip
        assert edited.status_code == 200 and "저장했습니다" in edited.text
        got = site.alert_rules.get(me, rule["id"])
        assert (got["name"], got["severity"], bool(got["enabled"])) == ("과열", "critical", False)
        assert got["config"] == {"high": 95.0, "clear_high": 85.0, "for_s": 10.0,
                                 "clear_for_s": 30.0}  # fmt: skip
        bad = client.post(f"/alerts/rules/{rule['id']}", data={
            "csrf_token": csrf, "name": "과열", "kind": "limit", "signal_id": str(sig.id),
            "high": "많이", "enabled": "on"})  # fmt: skip
        assert bad.status_code == 422 and "숫자" in bad.text
        assert site.alert_rules.get(me, rule["id"]) == got  # nothing changed
        assert client.post(f"/alerts/rules/{rule['id']}", data={
            "name": "x", "kind": "limit"}).status_code == 403  # fmt: skip
        assert client.post("/alerts/rules/9999", data={
            "csrf_token": csrf, "name": "x", "kind": "limit"}).status_code == 404  # fmt: skip
        client.post(f"/alerts/rules/{rule['id']}/toggle", data={"csrf_token": csrf})
        assert site.alert_rules.get(me, rule["id"])["enabled"]

        # the webhook: a new address; the secret left empty stays, so does its timeout
        done = client.post(f"/alerts/channels/{hook['id']}", data={
            "csrf_token": csrf, "name": "현장2", "url": "http://127.0.0.1:9/b", "secret": "",
            "min_severity": "critical", "enabled": "on", "on_clear": "on"})  # fmt: skip
        assert done.status_code == 200 and 'data-testid="channel-현장2"' in done.text
        got = site.channels.get(me, hook["id"])
        assert got["config"] == {"url": "http://127.0.0.1:9/b", "secret": "abc",
                                 "on_clear": True, "timeout_s": 3.0, "retries": 3}  # fmt: skip
        assert got["min_severity"] == "critical" and got["kind"] == "webhook"
        # the e-mail channel: new receivers and port, the password kept; switched off
        client.post(f"/alerts/channels/{mail['id']}", data={
            "csrf_token": csrf, "name": "메일", "host": "127.0.0.1", "port": "2525",
            "sender": "kamp@x.kr", "to": "a@x.kr, b@x.kr", "min_severity": "warning"})  # fmt: skip
        got = site.channels.get(me, mail["id"])
        assert got["config"]["to"] == ["a@x.kr", "b@x.kr"] and got["config"]["port"] == 2525
        assert got["config"]["password"] == "pw1" and not got["enabled"]
        assert got["config"]["starttls"] is False  # unchecked in the form
        client.post(f"/alerts/channels/{mail['id']}/toggle", data={"csrf_token": csrf})
        assert site.channels.get(me, mail["id"])["enabled"]
        client.post(f"/alerts/channels/{hook['id']}/toggle", data={"csrf_token": csrf})
        assert not site.channels.get(me, hook["id"])["enabled"]
        row = client.get("/alerts").text.split('data-testid="channel-현장2"', 1)[1]
        assert "사용 안 함" in row.split("</tr>", 1)[0]
        taken = client.post(f"/alerts/channels/{mail['id']}", data={
            "csrf_token": csrf, "name": "현장2", "host": "127.0.0.1", "port": "25",
            "sender": "kamp@x.kr", "to": "a@x.kr"})  # fmt: skip
        assert taken.status_code == 422 and "이미 있습니다" in taken.text

        client.cookies.set("okp_lang", "en")
        english = client.get("/alerts").text
        assert 'Edit: <span translate="no">과열</span>' in english and ">Save</button>" in english
        assert untranslated(english, "en", "alerts-edit-en",
                            frozenset({"현장2", "메일", "과열"})) == []  # fmt: skip

    with TestClient(create_app(platform=site), follow_redirects=False) as viewer:
        csrf = sign_in(viewer, "vera", PASSWORD)
        assert 'data-testid="edit-rule-' not in viewer.get("/alerts").text
        refused = viewer.post(f"/alerts/channels/{hook['id']}/toggle", data={"csrf_token": csrf})
        assert refused.status_code == 403
