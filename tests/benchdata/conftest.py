"""Fixtures for the dataset loaders: a temporary datasets folder, or the real one when present.

The loader tests write tiny files in each dataset's real format, so they never need the shared
datasets; the tests marked ``skipif(not available(name))`` also check the real copies when they
are there (``available`` is evaluated at collection, before any test moves the variable).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from openkamp.benchdata import ENV_VAR, datasets_dir
from openkamp.core.errors import NotFound


def _real_root() -> Path | None:
    # Resolved once, at collection, before any test points the variable elsewhere.
    try:
        return datasets_dir()
    except NotFound:
        return None


REAL_ROOT = _real_root()


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty datasets folder that the loaders read from."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    monkeypatch.setenv(ENV_VAR, str(folder))
    return folder


@pytest.fixture
def real(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real datasets folder (for tests marked ``skipif(not available(name))``)."""
    assert REAL_ROOT is not None
    monkeypatch.setenv(ENV_VAR, str(REAL_ROOT))
    return REAL_ROOT
