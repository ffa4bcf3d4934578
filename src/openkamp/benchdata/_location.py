"""Where the benchmark datasets live, and the error raised when one is missing."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path

from openkamp.core.errors import NotFound

ENV_VAR = "OPENKAMP_DATASETS_DIR"


class DatasetWarning(UserWarning):
    """A dataset differs from its published description (sizes, labels), but can still be used."""


def datasets_dir() -> Path:
    """The folder that holds one sub-folder per benchmark dataset (``skab/``, ``cmapss/``, ...).

    ``$OPENKAMP_DATASETS_DIR`` when set; otherwise ``../shared/datasets`` beside the project root
    (the folder above this file that holds ``pyproject.toml``). Read on every call, never at
    import time, so tests and the benchmark harness can point it elsewhere.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file():
            return (parent.parent / "shared" / "datasets").resolve()
    raise NotFound(
        "No benchmark datasets folder is configured.",
        hint=f"Set {ENV_VAR} to the folder that holds skab/, cmapss/, ai4i2020/, tep/, cwru/ "
        "and magnetic_tile/ (installed packages cannot find ../shared/datasets on their own).",
    )


def available(name: str) -> bool:
    """Whether the dataset folder ``name`` exists under :func:`datasets_dir` (never raises).

    Lets a benchmark or a test skip a dataset that is not there instead of failing.
    """
    try:
        return (datasets_dir() / name).is_dir()
    except NotFound:
        return False


@dataclass(frozen=True)
class Source:
    """Where a dataset comes from and how its folder is laid out (for the missing-data hint)."""

    name: str  # folder name under datasets_dir()
    origin: str  # repository / URL it was copied from
    layout: str  # expected files inside the folder

    def missing(self, path: Path) -> NotFound:
        """The NotFound error for a missing folder or file, saying how to obtain the dataset."""
        return NotFound(
            f"Benchmark dataset '{self.name}' is not available: {path} does not exist.",
            hint=f"Obtain it from {self.origin} and lay it out as {self.name}/{self.layout}. "
            f"Datasets are looked up in ${ENV_VAR} when set, else in ../shared/datasets beside "
            f"the project root; set {ENV_VAR} to the folder that contains '{self.name}/' to "
            "use another copy.",
        )

    def folder(self) -> Path:
        """The dataset's folder under :func:`datasets_dir`; NotFound (with a hint) when absent."""
        path = datasets_dir() / self.name
        if not path.is_dir():
            raise self.missing(path)
        return path

    def file(self, root: Path, relative: str) -> Path:
        """A file inside the dataset's folder; NotFound (with a hint) when absent."""
        path = root / relative
        if not path.is_file():
            raise self.missing(path)
        return path


def expect(name: str, what: str, actual: object, published: object) -> None:
    """Warn (DatasetWarning) when a size or count differs from the published one."""
    if actual != published:
        warnings.warn(
            f"{name}: {what} is {actual}, the published dataset has {published}; "
            "results will not be comparable with the literature.",
            DatasetWarning,
            stacklevel=3,
        )
