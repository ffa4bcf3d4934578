"""``Platform.sharing``'s delivery and settlement wiring (issue 11, items 4 and 6), below the API:
the platform secret, the organisation's industry, the offer's transforms and the default ones,
a refused export that leaves nothing, the delete duty's date, leak tracing among several
contracts, the month's usage counted from the ledger (not the cumulative counters), the contract
sweep, and every new error's Korean and English text."""

from __future__ import annotations

import os
import re
import stat
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from openkamp.core.errors import Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, system_principal
from openkamp.i18n import MESSAGES
from openkamp.platform import Platform
from openkamp.sharing import delivery as D
from openkamp.sharing import earnings as E
from openkamp.sharing import org_industry as O
from openkamp.sharing.platform_secret import PlatformSecret
from openkamp.sharing.policy import Access
from openkamp.sharing.settlement import Period

from .shot_data import PART, PROCESS, TIME, shot_table

COLUMNS = [
    {"name": TIME, "kind": "time", "role": "time"},
    {"name": PART, "kind": "text", "role": "id"},
    {"name": "설비", "kind": "text", "role": "group"},
    {"name": "작업자", "kind": "text", "role": "input"},
    *({"name": c, "kind": "number", "role": "input"} for c in PROCESS),
]
PRICE = {"model": "metered", "rates": [{"unit": "rows_1000", "amount": "1000"}]}


@dataclass
class W:
    kamp: Platform
    acme: Principal
    beta: Principal
    gamma: Principal
    data: pd.DataFrame

    def offer(self, name: str = "shots-offer", dataset: str = "shots", **kw: Any) -> int:
        cat = self.kamp.sharing.catalog
        fields: dict[str, Any] = {
            "title_ko": "사출 샷", "title_en": "Shots", "description_ko": "샷 데이터",
            "description_en": "Shot data", "equipment_type": "injection", "industry": "C22",
            "problem": "defect", "price": PRICE, "policy": {"purposes": ["quality"]},
        }  # fmt: skip
        fields.update(kw)
        rec = cat.create(self.acme, name, dataset, **fields)
        cat.publish(self.acme, rec["id"])
        return int(rec["id"])

    def contract(self, offer: int, who: Principal | None = None) -> int:
        s = self.kamp.sharing
        c = s.contracts.request(who or self.beta, offer, "quality")
        return s.contracts.approve(self.acme, c.id).id


@pytest.fixture
def w(tmp_path: Path) -> Iterator[W]:
    kamp = Platform.at(tmp_path / "data", duckdb_memory_limit="256MB")
    try:
        acme, beta, gamma = (system_principal(kamp.principal(n).org_id)
                             for n in ("acme", "beta", "gamma"))  # fmt: skip
        data = shot_table(2000, seed=3)
        kamp.datasets.create(acme, "shots", data, COLUMNS)
        yield W(kamp, acme, beta, gamma, data)
    finally:
        kamp.close()


def test_the_platform_secret_is_made_once_private_and_kept(tmp_path: Path) -> None:
    secret = PlatformSecret.at(tmp_path)
    value = secret.value()
    assert len(value) == 32 and secret.path == tmp_path / "keys" / "sharing" / "secret"
    assert stat.S_IMODE(os.stat(secret.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(secret.path.parent).st_mode) == 0o700
    os.chmod(secret.path, 0o644)
    again = PlatformSecret.at(tmp_path)
    assert again.value() == value and stat.S_IMODE(os.stat(secret.path).st_mode) == 0o600
    secret.path.write_bytes(b"short")
    with pytest.raises(Exception, match="32"):
        PlatformSecret.at(tmp_path).value()


def test_industry_is_set_by_administrators_and_checked(w: W) -> None:
    s = w.kamp.sharing
    assert s.industry(w.beta) is None
    assert s.set_industry(w.beta, "C29") == "C29" and s.industry(w.beta) == "C29"
    with pytest.raises(InvalidInput) as info:
        s.set_industry(w.beta, "car")
    assert info.value.code == "sharing.org.industry"
    viewer = Principal(w.beta.org_id, "viewer")
    with pytest.raises(Forbidden):
        O.set_industry(w.kamp.meta, viewer, "C30")
    assert s.set_industry(w.beta, None) is None and s.industry(w.beta) is None


def test_the_default_export_pseudonymises_ids_and_drops_free_text(w: W) -> None:
    s = w.kamp.sharing
    cid = w.contract(w.offer())
    d = s.deliver(w.beta, cid)
    assert d.path is not None and d.path.exists()
    out = pd.read_csv(d.path, encoding="utf-8-sig")
    assert "작업자" not in out.columns and len(out) == len(w.data)
    assert not out[PART].isin(w.data[PART]).any() and not out["설비"].isin(w.data["설비"]).any()
    assert out[PART].nunique() == w.data[PART].nunique()  # pseudonyms keep equal values equal
    again = s.deliver(w.beta, cid, columns=["사출압력[bar]"], limit=100)
    two = pd.read_csv(again.path, encoding="utf-8-sig")  # type: ignore[arg-type]
    # the row key comes along (to trace it), and the same rows get the same values
    assert list(two.columns) == [TIME, "사출압력[bar]"] and len(two) == 100
    assert (two["사출압력[bar]"].to_numpy() == out["사출압력[bar]"].to_numpy()[:100]).all()
    assert [x.id for x in s.deliveries(w.acme, cid)] == [d.id, again.id]
    with pytest.raises(NotFound):
        s.deliveries(w.gamma, cid)
    with pytest.raises(InvalidInput):
        s.deliver(w.beta, cid, columns=["작업자"])


def test_a_formula_in_a_text_cell_is_neutralised_in_the_file(w: W) -> None:
    frame = w.data.head(300).copy()
    frame["판정"] = ['=HYPERLINK("http://x")' if i % 2 else "OK" for i in range(len(frame))]
    cols = [*COLUMNS, {"name": "판정", "kind": "text", "role": "label"}]
    w.kamp.datasets.create(w.acme, "labelled", frame, cols)
    offer = w.offer(dataset="labelled")
    d = w.kamp.sharing.deliver(w.beta, w.contract(offer))
    out = pd.read_csv(d.path, encoding="utf-8-sig")  # type: ignore[arg-type]
    assert set(out["판정"]) == {"OK", '\'=HYPERLINK("http://x")'}


def test_the_offer_s_transforms_are_checked_and_applied(w: W) -> None:
    s = w.kamp.sharing
    spec = {"version": 1, "transforms": [{"op": "drop", "columns": ["설비", "작업자"]},
                                         {"op": "pseudonymise", "columns": [PART]},
                                         {"op": "generalise", "column": "보압[bar]",
                                          "bin_width": 10}]}  # fmt: skip
    with pytest.raises(InvalidInput) as info:
        w.offer("bad", transforms={"version": 1, "transforms": [
            {"op": "drop", "columns": ["없는열"]}]})  # fmt: skip
    assert info.value.code == "sharing.catalog.transform_column"
    offer = w.offer(transforms=spec)
    assert s.catalog.get(w.beta, offer)["transforms"] == s.catalog.get(w.acme, offer)["transforms"]
    d = s.deliver(w.beta, w.contract(offer))
    out = pd.read_csv(d.path, encoding="utf-8-sig")  # type: ignore[arg-type]
    assert "설비" not in out.columns and "작업자" not in out.columns
    assert ((out["보압[bar]"] - 5) % 10 == 0).all()  # bins, written as their middle
    entry = s.ledger.entry(d.ledger_index)  # type: ignore[arg-type]
    assert entry.kind == "export" and entry.details["sha256"] == d.sha256
    assert [t["op"] for t in entry.details["transforms"]["steps"]] == [
        "drop", "pseudonymise", "generalise"]  # fmt: skip


def test_a_refused_export_leaves_no_file_and_the_delete_duty_has_a_date(w: W) -> None:
    s = w.kamp.sharing
    offer = w.offer(policy={"purposes": ["quality"], "max_rows": 2500, "delete_within_days": 7})
    cid = w.contract(offer)
    d = s.deliver(w.beta, cid)
    assert d.delete_by is not None
    assert timedelta(days=6) < d.delete_by - d.delivered_at <= timedelta(days=7, seconds=5)
    assert s.contracts.usage(w.beta, cid).oldest_undeleted == d.delivered_at
    before = sorted((w.kamp.settings.data_dir / "tmp" / "deliveries").iterdir())
    with pytest.raises(Forbidden) as info:
        s.deliver(w.beta, cid)  # 2,000 + 2,000 > 2,500
    assert info.value.params["clause"].endswith("#max-rows")
    assert sorted((w.kamp.settings.data_dir / "tmp" / "deliveries").iterdir()) == before
    assert s.confirm_deleted(w.beta, d.id).deleted_at is not None
    assert s.contracts.usage(w.beta, cid).oldest_undeleted is None
    with pytest.raises(Forbidden):  # the owner does not confirm the consumer's deletion
        s.confirm_deleted(w.acme, d.id)
    with pytest.raises(NotFound):
        s.confirm_deleted(w.gamma, d.id)
    with pytest.raises(Forbidden):  # the owner receives nothing of its own contract
        s.deliver(w.acme, cid)


def test_a_leak_is_traced_among_several_contracts(w: W) -> None:
    s = w.kamp.sharing
    offer = w.offer()
    c_beta, c_gamma = w.contract(offer), w.contract(offer, w.gamma)
    s.deliver(w.gamma, c_gamma)
    d = s.deliver(w.beta, c_beta)
    leaked = pd.read_csv(d.path, encoding="utf-8-sig").sample(frac=0.2, random_state=1)  # type: ignore[arg-type]
    leaked = leaked.drop(columns=[PART, "설비"])
    found = s.trace_leak(w.acme, offer, leaked)
    assert found.identified == c_beta and found.consumer == "beta"
    assert {c["contract_id"] for c in found.candidates} == {c_beta, c_gamma}
    assert [c["matched"] for c in found.candidates] == [True, False]
    csv_bytes = leaked.to_csv(index=False).encode()
    assert s.trace_leak(w.acme, offer, csv_bytes).identified == c_beta
    assert s.trace_leak(w.acme, offer, w.data.sample(400, random_state=2)).identified is None
    for who in (w.beta, w.gamma):  # only the offer's owner traces
        with pytest.raises(NotFound):
            s.trace_leak(who, offer, leaked)
    with pytest.raises(InvalidInput) as info:
        s.trace_leak(w.acme, offer, b"\x00\xff\xfe")
    assert info.value.code.startswith("sharing.delivery.leak")


def test_the_month_is_counted_from_its_ledger_entries(w: W) -> None:
    s = w.kamp.sharing
    cid = w.contract(w.offer())
    month = Period.of(datetime.now(UTC))
    clock = s.contracts.clock
    try:
        # a use last month counts for last month, not this one
        s.contracts.clock = lambda: datetime.now(UTC) - timedelta(days=40)
        s.authorize(w.beta, cid, Access.READ, rows=7000)
    finally:
        s.contracts.clock = clock
    s.authorize(w.beta, cid, Access.READ, rows=3000)
    with pytest.raises(Forbidden):
        s.authorize(w.beta, cid, Access.REDISTRIBUTE, rows=1)  # refused: not counted
    usage = E.month_usage(s.ledger, w.acme.org_id, month, s.settlement.tz)
    assert (usage[cid].rows, usage[cid].queries) == (3000, 1)
    assert s.contracts.usage(w.beta, cid).rows == 10_000  # the counters hold both months
    st = s.settle(w.acme, month.key)
    assert st.statement.revenue == 3000  # 3,000 rows at 1,000 won per 1,000 rows
    [inv] = s.invoices(w.beta)
    assert inv.total == 3000 and inv.period == month
    assert s.earnings(w.acme)["by_consumer"] == {str(w.beta.org_id): "3000"}
    assert [x.id for x in s.statements(w.acme)] == [st.id] and s.statements(w.gamma) == []


def test_the_sweep_expires_contracts_and_runs_on_a_thread(w: W) -> None:
    s = w.kamp.sharing
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    cid = w.contract(w.offer(policy={"purposes": ["quality"], "valid_until": until}))
    assert s.sweep() == []
    clock = s.contracts.clock
    s.contracts.clock = lambda: datetime.now(UTC) + timedelta(days=2)
    try:
        assert s.start_sweep(0.05) and not s.start_sweep(0.05)
        for _ in range(100):
            if s.contracts.store.get(cid)["state"] == "expired":  # type: ignore[index]
                break
            time.sleep(0.05)
        assert s.contracts.store.get(cid)["state"] == "expired"  # type: ignore[index]
    finally:
        s.stop_sweep()
        s.contracts.clock = clock


def test_files_left_behind_are_removed_by_the_sweep(w: W) -> None:
    s = w.kamp.sharing
    d = s.deliver(w.beta, w.contract(w.offer()))
    assert d.path is not None
    s.sweep()
    assert d.path.exists()  # a fresh one may still be on its way
    old = time.time() - 7200
    os.utime(d.path, (old, old))
    s.sweep()
    assert not d.path.exists()


def test_every_new_error_has_korean_and_english_text() -> None:
    codes = set()
    for module in (D, O):
        source = Path(str(module.__file__)).read_text(encoding="utf-8")
        codes |= {f"sharing.delivery.{c}" for c in re.findall(r'_error\(\s*\w+,\s*"([a-z_]+)"',
                                                                source)}  # fmt: skip
    codes |= {"sharing.org.industry", "sharing.catalog.transform_column"}
    assert {"sharing.delivery.not_consumer", "sharing.delivery.leak_file"} <= codes
    for router in ("sharing.py", "sharing_contracts.py", "sharing_ledger.py"):
        source = (Path(str(D.__file__)).parents[1] / "api" / "routers" / router).read_text()
        codes |= set(re.findall(r'code="([a-z_.]+)"', source))
    assert {"upload.too_large", "ledger.bad_head", "ledger.no_entry"} <= codes
    for code in codes:
        entry = MESSAGES[f"err.{code}"]
        assert entry["ko"] and entry["en"] and entry["ko"] != entry["en"], code
    from openkamp.i18n import sharing_api

    for key, text in sharing_api.MESSAGES.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(text[lang]) if f}
                  for lang in ("ko", "en")]  # fmt: skip
        assert fields[0] == fields[1] and re.search(r"[가-힣]", text["ko"]), key


FLOATS = {
    "사출압력[bar]": (1250.0, 18.0),
    "사출속도[mm/s]": (85.0, 3.5),
    "계량시간[s]": (4.8, 0.15),
}


def test_full_precision_values_are_rounded_marked_and_traced(w: W) -> None:
    """Process values at full precision (no fixed decimals): delivered rounded to the decimals
    their spread gives and marked, by the streamed path as by the whole frame; a 20 % leak
    re-rounded to one decimal fewer is traced to its contract."""
    rng = np.random.default_rng(12)
    frame = w.data[[TIME, PART]].copy()
    for name, (mean, std) in FLOATS.items():
        frame[name] = mean + std * rng.standard_normal(len(frame))
    cols = [COLUMNS[0], COLUMNS[1], *({"name": c, "kind": "number", "role": "input"}
                                      for c in FLOATS)]  # fmt: skip
    w.kamp.datasets.create(w.acme, "floats", frame, cols)
    s = w.kamp.sharing
    offer = w.offer(dataset="floats")
    c_beta, c_gamma = w.contract(offer), w.contract(offer, w.gamma)
    s.deliver(w.gamma, c_gamma)
    s.delivery.batch_rows = 700  # streamed in batches: the plan from running figures
    d = s.deliver(w.beta, c_beta)
    assert d.watermarked and d.to_json()["watermarked"]
    assert d.watermark is not None
    decimals = {c["name"]: c["decimals"] for c in d.watermark["columns"]}
    assert decimals == {"사출압력[bar]": 1, "사출속도[mm/s]": 2, "계량시간[s]": 3}
    assert all(c["rounded"] for c in d.watermark["columns"])
    entry = s.ledger.entry(d.ledger_index)  # type: ignore[arg-type]
    assert entry.details["watermark"]["scheme"] == "openkamp-qim-v1"
    steps = entry.details["transforms"]["steps"]
    assert steps[-1]["op"] == "round" and steps[-1]["decimals"] == decimals
    # the whole-frame path gives the same file
    svc, contract = s.delivery, s.contracts.get(w.acme, c_beta)
    version = w.kamp.datasets.get(svc._owner(contract), int(svc._offer(contract)["dataset_id"]))
    spec = svc._spec(svc._offer(contract), version)
    key = D.ContractKey.derive(svc._secret(), contract.secret_id)
    whole = D._export(w.kamp.datasets.read(svc._owner(contract), version.id), spec, key,
                      D._row_key(version, spec))  # fmt: skip
    path, _ = svc._write_csv(whole.frame, contract.id)
    try:
        assert path.read_bytes() == d.read_bytes()
    finally:
        path.unlink()
    leaked = pd.read_csv(d.path, encoding="utf-8-sig").sample(frac=0.2, random_state=3)  # type: ignore[arg-type]
    for name, places in decimals.items():
        leaked[name] = leaked[name].round(places - 1)
    found = s.trace_leak(w.acme, offer, leaked.sample(frac=1.0, random_state=4).to_csv(
        index=False).encode())  # fmt: skip
    assert found.identified == c_beta and found.unmarked == ()
    assert [c["contract_id"] for c in found.candidates if c["matched"]] == [c_beta]


def test_an_export_without_a_mark_says_so_and_tracing_names_it(w: W) -> None:
    """Whole numbers of small spread only: nothing can carry a mark. The consumer still gets
    the data; the delivery record and its ledger entry say ``watermark: none`` with the reason;
    tracing says this delivery carried no mark, in Korean and English."""
    rng = np.random.default_rng(4)
    frame = w.data[[TIME]].assign(불량수=rng.integers(0, 4, len(w.data)),
                                  캐비티=rng.integers(1, 3, len(w.data)))  # fmt: skip
    cols = [COLUMNS[0], {"name": "불량수", "kind": "number", "role": "input"},
            {"name": "캐비티", "kind": "number", "role": "input"}]  # fmt: skip
    w.kamp.datasets.create(w.acme, "counts", frame, cols)
    s = w.kamp.sharing
    offer = w.offer(dataset="counts")
    cid = w.contract(offer)
    d = s.deliver(w.beta, cid)
    out = pd.read_csv(d.path, encoding="utf-8-sig")  # type: ignore[arg-type]
    assert len(out) == len(frame) and (out["불량수"].to_numpy() == frame["불량수"].to_numpy()).all()
    assert d.watermark == {"scheme": "none", "reason": "no_column",
                           "skipped": "불량수: spread, 캐비티: spread"}  # fmt: skip
    assert not d.watermarked and d.to_json()["watermarked"] is False
    [again] = s.deliveries(w.acme, cid)
    assert again.watermark == d.watermark  # as stored
    entry = s.ledger.entry(d.ledger_index)  # type: ignore[arg-type]
    assert entry.details["watermark"] == d.watermark
    found = s.trace_leak(w.acme, offer, out.sample(frac=0.5, random_state=1))
    assert found.identified is None and found.candidates == ()
    [note] = found.unmarked
    assert (note["delivery_id"], note["contract_id"], note["reason"]) == (d.id, cid, "no_column")
    assert re.search("[가-힣]", note["text"]["ko"]) and "without a watermark" in note["text"]["en"]
    assert f"#{cid}" in note["text"]["ko"] and f"#{cid}" in note["text"]["en"]
    assert found.to_json()["unmarked"] == [note]


def test_the_owner_s_trace_page_says_a_delivery_carried_no_mark(tmp_path: Path) -> None:
    from .pages_support import csrf_of, load

    world = load(tmp_path)
    kamp, acme, beta = world.kamp, world.orgs["acme"], world.orgs["beta"]
    try:
        times = pd.date_range("2026-03-02 06:00", periods=300, freq="32s", tz="Asia/Seoul")
        frame = pd.DataFrame({TIME: times, "불량수": np.arange(300) % 3})
        cols = [COLUMNS[0], {"name": "불량수", "kind": "number", "role": "input"}]
        kamp.datasets.create(acme, "counts", frame, cols)
        fields = {"title_ko": "불량 수", "title_en": "Defects", "description_ko": "샷별 불량 수",
                  "description_en": "Defects per shot", "equipment_type": "injection",
                  "industry": "C22", "problem": "defect", "price": PRICE,
                  "policy": {"purposes": ["quality"]}}  # fmt: skip
        offer = int(kamp.sharing.catalog.create(acme, "counts-offer", "counts", **fields)["id"])
        kamp.sharing.catalog.publish(acme, offer)
        c = kamp.sharing.contracts.request(beta, offer, "quality")
        cid = kamp.sharing.contracts.approve(acme, c.id).id
        d = kamp.sharing.deliver(beta, cid)
        for lang, words in (("ko", "워터마크 없이"), ("en", "without a watermark")):
            a = world.client("acme", lang)
            token = csrf_of(a.get(f"/sharing/offers/{offer}").text)
            page = a.post(f"/sharing/offers/{offer}/trace", data={"csrf_token": token},
                          files={"file": ("found.csv", d.read_bytes(), "text/csv")})  # fmt: skip
            assert page.status_code == 200 and 'data-testid="trace-unmarked"' in page.text
            assert words in page.text and f"#{cid}" in page.text
    finally:
        kamp.close()
