"""``Platform.sharing``: who used what (the owner's and the consumer's view of the ledger), an
entry's inclusion proof against the organisation's signed head, and the consistency proof of a
head kept earlier (a forged one refused)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from openkamp.core.errors import Forbidden, InvalidInput, NotFound
from openkamp.sharing import TreeHead
from openkamp.sharing.catalog import CatalogService
from openkamp.sharing.policy import Access
from openkamp.sharing.service import SharingService, UsageLine
from openkamp.sharing.verify_standalone import verify_bundle

from .contract_support import World, world


@pytest.fixture
def w(tmp_path: Path) -> Iterator[World]:
    yield from world(tmp_path)


def test_platform_has_the_sharing_service(w: World) -> None:
    s = w.kamp.sharing
    assert isinstance(s, SharingService) and s.contracts.ledger is s.ledger
    assert s.ledger.keys.folder == w.kamp.settings.data_dir / "keys" / "ledger"
    assert isinstance(s.catalog, CatalogService) and s.catalog.datasets is w.kamp.datasets
    assert s.catalog.keys is s.ledger.keys  # certificates signed with the platform's key


def test_usage_shows_who_used_what_to_both_parties_only(w: World) -> None:
    c = w.active(max_rows=10)
    s = w.kamp.sharing
    s.authorize(w.beta, c, Access.READ, rows=4)
    s.authorize(w.beta, c, Access.READ, rows=5)
    s.authorize(w.beta, c, Access.TRAIN, rows=1)
    with pytest.raises(Forbidden):
        s.authorize(w.beta, c, Access.EXPORT, rows=1)
    owner = s.usage(w.acme)
    assert owner.lines == [
        UsageLine(str(c), "press-shots@3", "beta", "access", True, count=2, rows=9),
        UsageLine(str(c), "press-shots@3", "beta", "training", True, count=1, rows=1),
        UsageLine(str(c), "press-shots@3", "beta", "access", False, count=1, rows=0),
    ]
    assert s.usage(w.beta).to_json() == owner.to_json()
    assert s.usage(w.gamma).entries == [] and s.usage(w.gamma).lines == []
    page = s.usage(w.acme, limit=3)
    assert len(page.entries) == 3 and page.next_after == page.entries[-1].index
    rest = s.usage(w.acme, after=page.next_after)
    assert len(rest.entries) == 1 and rest.next_after is None


def test_inclusion_proof_against_the_organisations_head(w: World) -> None:
    c = w.active()
    s = w.kamp.sharing
    for _ in range(5):
        s.authorize(w.beta, c, Access.READ, rows=1)
    first = s.usage(w.acme).entries[0]
    # acme never acted: its proof is against the platform's head; beta's against its own
    owner = s.inclusion_proof(w.acme, first.index)
    assert owner.verified and owner.head.signer == "platform" and owner.head.tree_size == 5
    consumer = s.inclusion_proof(w.beta, first.index)
    assert consumer.verified and consumer.head.signer == "org:beta"
    assert owner.to_json()["leaf_hash"] == first.leaf_hash.hex()
    with pytest.raises(NotFound):  # not gamma's entry
        s.inclusion_proof(w.gamma, first.index)
    with pytest.raises(NotFound):
        s.inclusion_proof(w.acme, 99)


def test_consistency_proof_of_a_kept_head_and_a_forged_one(w: World) -> None:
    c = w.active()
    s = w.kamp.sharing
    s.authorize(w.beta, c, Access.READ, rows=1)
    kept = s.head(w.acme)
    assert kept is not None and kept.tree_size == 1
    for _ in range(6):
        s.authorize(w.beta, c, Access.READ, rows=1)
    proof = s.consistency_proof(w.acme, kept.to_json())
    assert proof.verified and (proof.old.tree_size, proof.new.tree_size) == (1, 7)
    forged = replace(kept, root_hash=bytes(32))
    with pytest.raises(InvalidInput) as info:
        s.consistency_proof(w.acme, forged)
    assert info.value.code == "ledger.bad_head"
    assert isinstance(TreeHead.from_json(proof.to_json()["new"]), TreeHead)


def test_verify_and_export_need_an_administrator_and_check_out(w: World, tmp_path: Path) -> None:
    c = w.active()
    s = w.kamp.sharing
    s.authorize(w.beta, c, Access.EXPORT, rows=3)
    assert s.verify(w.acme).ok
    out = s.export(w.acme, tmp_path / "bundle")
    assert verify_bundle(out).ok
    with pytest.raises(Forbidden):  # the whole log: platform operators only
        s.export(w.acme, tmp_path / "all", whole=True)


def test_from_a_published_catalog_offer_to_a_recorded_use(tmp_path: Path) -> None:
    """The catalog's own offer (its ODRL Offer, price and dataset version), requested, approved
    as offered and used: the Agreement is the consumer's, the ledger names the version."""
    from .catalog_support import world as catalog_world

    gen = catalog_world(tmp_path)
    cw = next(gen)
    try:
        cw.dataset()
        offer = cw.offer(policy={"purposes": ["quality"], "max_rows": 300})
        s = cw.kamp.sharing
        with pytest.raises(NotFound):  # a draft is nobody else's business
            s.contracts.request(cw.beta, offer["id"], "quality")
        s.catalog.publish(cw.acme, offer["id"])
        c = s.contracts.request(cw.beta, offer["id"], "quality", "사출 불량 예측")
        c = s.contracts.approve(cw.acme, c.id)
        assert c.state.value == "active" and c.dataset == "shots@1"
        assert c.price == offer["price"]
        agreement = c.policy()
        assert agreement.assignee == "urn:openkamp:org:beta"
        assert agreement.target == "urn:openkamp:dataset:acme/shots@1"
        s.authorize(cw.beta, c.id, Access.EXPORT, rows=250)
        with pytest.raises(Forbidden) as info:
            s.authorize(cw.beta, c.id, Access.EXPORT, rows=51)
        assert info.value.params["clause"] == f"{c.iri}#max-rows"
        [used, refused] = s.usage(cw.acme).entries
        assert (used.kind, used.dataset, used.parties) == ("export", "shots@1", ("acme", "beta"))
        assert refused.details["allowed"] is False
    finally:
        gen.close()
