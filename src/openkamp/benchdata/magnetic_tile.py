"""Magnetic-tile surface defects (Huang et al. 2020): image paths and a fixed, seeded split.

Protocol (datasets/README.md): there is no standard split, so one is fixed by a seed: part of
MT_Free trains the anomaly detector (defect-free images only); the test set is the held-out
defect-free images plus every defect image. Report image-level AUROC (pixel AUROC on the masks
for segmentation). Paths are returned instead of pixels to keep memory small; :func:`read_image`
loads one image when needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from openkamp.benchdata._location import Source, expect
from openkamp.core.errors import ConfigError, ImportRejected, InvalidInput

SOURCE = Source(
    "magnetic_tile",
    "github.com/abin24/Magnetic-tile-defect-datasets. (Huang, Qiu & Yuan 2020)",
    "MT_{Blowhole,Break,Crack,Fray,Free,Uneven}/Imgs/<name>.jpg with the mask <name>.png beside it",
)

FREE = "MT_Free"
DEFECTS: dict[str, str] = {
    "MT_Blowhole": "blowhole",
    "MT_Break": "break",
    "MT_Crack": "crack",
    "MT_Fray": "fray",
    "MT_Uneven": "uneven",
}
"""Folder → defect type."""
PUBLISHED: dict[str, int] = {
    FREE: 952,
    "MT_Blowhole": 115,
    "MT_Break": 85,
    "MT_Crack": 57,
    "MT_Fray": 32,
    "MT_Uneven": 103,
}
"""Images per folder in the published dataset: 952 defect-free + 392 defective = 1,344."""


@dataclass(frozen=True)
class MagneticTile:
    """The seeded split, as tables of paths (JPG image, PNG pixel mask)."""

    train: pd.DataFrame
    """Defect-free images for training: columns ``image``, ``mask`` (Path), sorted by image."""
    test: pd.DataFrame
    """Held-out defect-free images, then every defect image: columns ``image``, ``mask`` (Path),
    ``label`` (int64, 1 = defect), ``defect_type`` (``"free"``, ``"blowhole"``, ``"break"``,
    ``"crack"``, ``"fray"``, ``"uneven"``)."""
    seed: int
    train_fraction: float

    @property
    def train_paths(self) -> list[Path]:
        return list(self.train["image"])

    @property
    def test_paths(self) -> list[Path]:
        return list(self.test["image"])

    @property
    def test_labels(self) -> np.ndarray:
        return self.test["label"].to_numpy(dtype=np.int64)


def load_magnetic_tile(seed: int = 0, train_fraction: float = 0.7) -> MagneticTile:
    """List the 1,344 images and split MT_Free by ``seed``: ``int(train_fraction · n)`` train.

    The same seed and fraction always give the same split (numpy's default_rng permutation of
    the name-sorted MT_Free images). Raises InvalidInput for a fraction outside (0, 1), NotFound
    when a folder is missing, ImportRejected when an image has no mask.
    """
    if not 0.0 < train_fraction < 1.0:
        raise InvalidInput(
            f"train_fraction must lie strictly between 0 and 1, not {train_fraction}.",
            hint="Part of MT_Free trains the model; the rest is held out for the test set.",
        )
    root = SOURCE.folder()
    free = _images(root, FREE)
    order = np.random.default_rng(seed).permutation(len(free))
    n_train = int(train_fraction * len(free))
    train = free.iloc[np.sort(order[:n_train])].reset_index(drop=True)
    held_out = free.iloc[np.sort(order[n_train:])].assign(label=0, defect_type="free")
    defects = [
        _images(root, folder).assign(label=1, defect_type=kind) for folder, kind in DEFECTS.items()
    ]
    test = pd.concat([held_out, *defects], ignore_index=True)
    test["label"] = test["label"].astype(np.int64)
    return MagneticTile(train=train, test=test, seed=seed, train_fraction=train_fraction)


def _images(root: Path, folder: str) -> pd.DataFrame:
    directory = root / folder / "Imgs"
    if not directory.is_dir():
        raise SOURCE.missing(directory)
    images = sorted(directory.glob("*.jpg"))
    masks = [p.with_suffix(".png") for p in images]
    unmasked = [p.name for p, m in zip(images, masks, strict=True) if not m.is_file()]
    if unmasked:
        raise ImportRejected(
            f"{directory}: {len(unmasked)} images have no PNG mask, e.g. {unmasked[:3]}.",
            hint="Every <name>.jpg comes with its pixel mask <name>.png; re-copy the folder.",
        )
    expect("Magnetic tile", f"the number of {folder} images", len(images), PUBLISHED[folder])
    return pd.DataFrame({"image": images, "mask": masks})


def read_image(path: str | Path) -> np.ndarray:
    """One image or mask as a 2-D grayscale uint8 array (height × width). Needs Pillow.

    Raises ConfigError (with the fix) when Pillow is not installed; OpenKAMP does not depend on
    it, so install it yourself (``pip install pillow``) to read the images.
    """
    try:
        from PIL import Image
    except ImportError as exc:
        raise ConfigError(
            "Reading magnetic-tile images needs Pillow, which is not installed.",
            hint="Install it with 'pip install pillow'; listing paths and labels works without it.",
        ) from exc
    with Image.open(path) as image:
        return np.asarray(image.convert("L"), dtype=np.uint8)
