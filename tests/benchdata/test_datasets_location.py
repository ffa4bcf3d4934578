"""Where the datasets are looked up, dispatch by name, and the NotFound error for a missing one."""

from __future__ import annotations

from pathlib import Path

import pytest

import openkamp.benchdata as datasets
from openkamp.benchdata import ENV_VAR, NAMES, datasets_dir, load
from openkamp.core.errors import InvalidInput, NotFound


def test_environment_variable_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert datasets_dir() == tmp_path


def test_default_is_shared_datasets_beside_the_project_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    project = Path(datasets.__file__).resolve().parents[3]
    assert (project / "pyproject.toml").is_file()
    assert datasets_dir() == (project.parent / "shared" / "datasets").resolve()


@pytest.mark.parametrize("name", NAMES)
def test_missing_dataset_raises_not_found_with_a_hint(root: Path, name: str) -> None:
    with pytest.raises(NotFound) as caught:
        load(name)
    error = caught.value
    assert name in error.message
    assert error.hint and ENV_VAR in error.hint and "github.com" in error.hint
    assert "Obtain it from" in error.hint


def test_missing_file_inside_a_present_folder_is_named(root: Path) -> None:
    (root / "cmapss").mkdir()
    with pytest.raises(NotFound, match=r"train_FD002\.txt") as caught:
        load("cmapss", subset="FD002")
    assert caught.value.hint and ENV_VAR in caught.value.hint


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        load("mnist")
    assert caught.value.hint and all(name in caught.value.hint for name in NAMES)


def test_public_surface() -> None:
    assert set(NAMES) == {"skab", "cmapss", "ai4i2020", "tep", "cwru", "magnetic_tile"}
    for name in datasets.__all__:
        assert getattr(datasets, name) is not None
