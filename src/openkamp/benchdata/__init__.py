"""Loaders for the public benchmark datasets, each returning data already split per its protocol.

The datasets are not part of the repository. They are read from ``$OPENKAMP_DATASETS_DIR`` when
set, else from ``../shared/datasets`` beside the project root; a missing one raises
:class:`~openkamp.core.errors.NotFound` whose hint says where to obtain it. Each loader follows
the protocol in ``shared/datasets/README.md`` exactly, so results stay comparable::

    from openkamp import benchdata

    fd001 = benchdata.load("cmapss", subset="FD001")   # or benchdata.load_cmapss("FD001")
    for run in benchdata.load_skab():                    # 34 runs, 400-row training parts
        ...

Sizes or labels that differ from the published dataset raise a :class:`DatasetWarning`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openkamp.benchdata._location import ENV_VAR, DatasetWarning, available, datasets_dir
from openkamp.benchdata.ai4i import Ai4i, load_ai4i
from openkamp.benchdata.cmapss import Cmapss, load_cmapss, phm08_score, rmse
from openkamp.benchdata.cwru import Cwru, load_cwru
from openkamp.benchdata.magnetic_tile import MagneticTile, load_magnetic_tile, read_image
from openkamp.benchdata.skab import Skab, SkabRun, load_skab
from openkamp.benchdata.tep import Tep, load_tep
from openkamp.core.errors import InvalidInput

_LOADERS: dict[str, Callable[..., Any]] = {
    "skab": load_skab,
    "cmapss": load_cmapss,
    "ai4i2020": load_ai4i,
    "tep": load_tep,
    "cwru": load_cwru,
    "magnetic_tile": load_magnetic_tile,
}

NAMES: tuple[str, ...] = tuple(_LOADERS)
"""The dataset names, which are also their folder names under :func:`datasets_dir`."""


def load(name: str, **kw: Any) -> Any:
    """Load a dataset by name (one of :data:`NAMES`), passing keyword arguments to its loader."""
    loader = _LOADERS.get(name) or _LOADERS.get({"ai4i": "ai4i2020"}.get(name, ""))
    if loader is None:
        raise InvalidInput(f"Unknown dataset '{name}'.", hint=f"Choose one of {', '.join(NAMES)}.")
    return loader(**kw)


__all__ = [
    "ENV_VAR",
    "NAMES",
    "Ai4i",
    "Cmapss",
    "Cwru",
    "DatasetWarning",
    "MagneticTile",
    "Skab",
    "SkabRun",
    "Tep",
    "available",
    "datasets_dir",
    "load",
    "load_ai4i",
    "load_cmapss",
    "load_cwru",
    "load_magnetic_tile",
    "load_skab",
    "load_tep",
    "phm08_score",
    "read_image",
    "rmse",
]
