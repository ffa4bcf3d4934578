"""Issue 9, finding 8: names are stored in one Unicode form (NFC), a new name that only looks
like an existing one (fullwidth Latin, Cyrillic letters among Latin ones) is refused, and free
text (descriptions, display names, labels) has a length limit, refused with a coded error."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from openkamp.core.errors import Conflict, InvalidInput
from openkamp.core.text import look_alike, skeleton
from openkamp.platform import Platform


@pytest.fixture(scope="module")
def kamp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    root: Path = tmp_path_factory.mktemp("names")
    k = Platform.at(root / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    me = k.principal()
    site = k.assets.create_node(me, "site", "plant1")
    line = k.assets.create_node(me, "line", "line1", parent_id=site.id)
    k.assets.create_node(me, "equipment", "press1", parent_id=line.id)
    yield k
    k.close()


def _line(kamp: Platform) -> int:
    return next(n.id for n in kamp.assets.list_nodes(kamp.principal()) if n.name == "line1")


def test_the_skeleton_sees_look_alikes() -> None:
    assert skeleton("ｐｒｅｓｓ１") == skeleton("prеss1") == "press1"  # fullwidth; Cyrillic е
    assert look_alike("ｐｒｅｓｓ1", ["press1"]) == "press1"
    assert look_alike("press1", ["press1"]) is None  # the same name is not a look-alike
    assert look_alike("프레스", ["press1"]) is None


@pytest.mark.parametrize("name", ["ｐｒｅｓｓ1", "prеss1", "рress1"])
def test_an_asset_name_that_looks_like_a_sibling_is_refused(kamp: Platform, name: str) -> None:
    with pytest.raises(Conflict) as err:
        kamp.assets.create_node(kamp.principal(), "equipment", name, parent_id=_line(kamp))
    assert err.value.code == "names.confusable"


def test_asset_names_are_stored_nfc(kamp: Platform) -> None:
    decomposed = unicodedata.normalize("NFD", "사출기")
    assert decomposed != "사출기"
    node = kamp.assets.create_node(kamp.principal(), "equipment", decomposed, parent_id=_line(kamp))
    assert node.name == "사출기"


@pytest.mark.parametrize("display", [{"description": "x" * 5_000_000}, {"name_ko": "가" * 10_000}])
def test_long_free_text_of_an_asset_is_refused(kamp: Platform, display: dict[str, str]) -> None:
    me = kamp.principal()
    with pytest.raises(InvalidInput) as err:
        kamp.assets.create_node(me, "equipment", "long1", parent_id=_line(kamp), **display)
    assert err.value.code == "text.too_long"
    press = next(n for n in kamp.assets.list_nodes(me) if n.name == "press1")
    with pytest.raises(InvalidInput):
        kamp.assets.update_node(me, press.id, **display)


def test_dataset_names_and_descriptions(kamp: Platform) -> None:
    me = kamp.principal()
    table = pd.DataFrame({"a": [1.0, 2.0]})
    kamp.datasets.create(me, "batch", table)
    with pytest.raises(Conflict) as err:
        kamp.datasets.create(me, "ｂａｔｃｈ", table)
    assert err.value.code == "names.confusable"
    with pytest.raises(InvalidInput) as bad:
        kamp.datasets.create(me, "other", table, description="x" * 5_000_000)
    assert bad.value.code == "text.too_long"
    with pytest.raises(InvalidInput):
        kamp.datasets.create(me, "other", table, display_name="x" * 10_000)
    made = kamp.datasets.create(me, unicodedata.normalize("NFD", "배치"), table)
    assert made.name == "배치"


def test_model_names_and_descriptions(kamp: Platform) -> None:
    from sklearn.dummy import DummyClassifier

    me = kamp.principal()
    model = DummyClassifier().fit([[0], [1]], [0, 1])
    kamp.models.register(me, model, name="quality", task="classify")
    with pytest.raises(Conflict) as err:
        kamp.models.register(me, model, name="quаlity", task="classify")  # Cyrillic а
    assert err.value.code == "names.confusable"
    with pytest.raises(InvalidInput) as bad:
        kamp.models.register(me, model, name="quality", task="classify", description="x" * 10**6)
    assert bad.value.code == "text.too_long"
    made = kamp.models.register(
        me, model, name=unicodedata.normalize("NFD", "품질"), task="classify"
    )
    assert made.name == "품질"


def test_unicode_digits_that_are_not_numbers_are_names_not_ids(tmp_path: Path) -> None:
    """'²' passes str.isdigit() but int('²') fails: a reference made of such characters is a
    name (not found), never a server error (schemathesis found /data/range?signal=² → 500)."""
    import pytest

    from openkamp.core.errors import NotFound
    from openkamp.platform import Platform

    kamp = Platform.at(tmp_path / "data", password_hash_memory_kib=1024, password_hash_time_cost=1)
    try:
        me = kamp.principal()
        for ref in ("²", "①", "³²"):
            with pytest.raises(NotFound):
                kamp.query.read(me, [ref], limit=5)
    finally:
        kamp.close()
