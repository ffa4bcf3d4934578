"""Magnetic tile: a reproducible seeded split of MT_Free; test = held-out free + every defect."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from openkamp.benchdata import available, load_magnetic_tile, read_image
from openkamp.benchdata.magnetic_tile import DEFECTS, FREE
from openkamp.core.errors import ConfigError, ImportRejected, InvalidInput

pytestmark = pytest.mark.filterwarnings("ignore::openkamp.benchdata.DatasetWarning")

COUNTS = {FREE: 10, "MT_Blowhole": 2, "MT_Break": 1, "MT_Crack": 1, "MT_Fray": 1, "MT_Uneven": 1}


@pytest.fixture
def tiles(root: Path) -> Path:
    """Image and mask files named like the real ones; contents only matter to read_image."""
    folder = root / "magnetic_tile"
    for sub, n in COUNTS.items():
        imgs = folder / sub / "Imgs"
        imgs.mkdir(parents=True)
        for i in range(n):
            (imgs / f"exp1_num_{1000 + i}.jpg").write_bytes(b"jpg")
            (imgs / f"exp1_num_{1000 + i}.png").write_bytes(b"png")
    return folder


def test_train_is_defect_free_and_disjoint_from_test(tiles: Path) -> None:
    data = load_magnetic_tile(seed=0, train_fraction=0.7)
    assert len(data.train) == 7 and len(data.test) == 3 + 6
    assert all(p.parent.parent.name == FREE for p in data.train_paths)
    assert not set(data.train_paths) & set(data.test_paths)
    free_test = data.test[data.test["defect_type"] == "free"]
    assert len(free_test) == 3 and (free_test["label"] == 0).all()
    assert set(data.train_paths) | set(free_test["image"]) == set(
        (tiles / FREE / "Imgs").glob("*.jpg")
    )
    defects = data.test[data.test["label"] == 1]
    assert sorted(defects["defect_type"].unique()) == sorted(DEFECTS.values())
    assert data.test_labels.tolist() == [0] * 3 + [1] * 6
    assert all(
        m == i.with_suffix(".png") and m.is_file()
        for i, m in zip(data.test["image"], data.test["mask"], strict=True)
    )


def test_split_is_reproducible_and_depends_on_the_seed(tiles: Path) -> None:
    first = load_magnetic_tile(seed=0).train_paths
    assert load_magnetic_tile(seed=0).train_paths == first
    assert load_magnetic_tile(seed=1).train_paths != first
    assert len(load_magnetic_tile(seed=0, train_fraction=0.5).train) == 5


def test_bad_fraction_and_missing_mask(tiles: Path) -> None:
    with pytest.raises(InvalidInput):
        load_magnetic_tile(train_fraction=1.0)
    next((tiles / "MT_Crack" / "Imgs").glob("*.png")).unlink()
    with pytest.raises(ImportRejected, match="mask"):
        load_magnetic_tile()


def test_read_image_without_pillow_says_how_to_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)  # makes "from PIL import Image" fail
    with pytest.raises(ConfigError) as caught:
        read_image(tmp_path / "x.png")
    assert caught.value.hint and "pip install pillow" in caught.value.hint


def test_read_image_with_pillow(tmp_path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image")
    pixels = np.arange(12, dtype=np.uint8).reshape(3, 4) * 20
    image_module.fromarray(pixels).convert("RGB").save(tmp_path / "tile.png")
    array = read_image(tmp_path / "tile.png")
    assert array.dtype == np.uint8 and array.shape == (3, 4) and np.array_equal(array, pixels)


@pytest.mark.skipif(not available("magnetic_tile"), reason="real magnetic_tile data not present")
@pytest.mark.filterwarnings("error::openkamp.benchdata.DatasetWarning")
def test_real_magnetic_tile(real: Path) -> None:
    data = load_magnetic_tile(seed=0)
    assert len(data.train) + len(data.test) == 1344
    assert len(data.train) == 666 and (data.test["label"] == 0).sum() == 286
    assert data.test_labels.sum() == 392
    assert data.test["defect_type"].value_counts().to_dict() == {
        "free": 286,
        "blowhole": 115,
        "uneven": 103,
        "break": 85,
        "crack": 57,
        "fray": 32,
    }
    assert data.test["mask"].map(Path.is_file).all()
    # The split is fixed: a change here makes results incomparable with earlier ones.
    held_out = [p.name for p in data.test["image"][:3]]
    assert held_out == ["exp1_num_10181.jpg", "exp1_num_106151.jpg", "exp1_num_106729.jpg"]
