"""Settings are typed and documented; the public surface is small and importable; plugins load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import openkamp
from openkamp.core.errors import ConfigError
from openkamp.plugins import file_readers
from openkamp.settings import Settings


def test_every_setting_is_documented_in_code_and_docs() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "settings.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"OPENKAMP_{name.upper()}" in doc, f"setting {name} is missing from docs/settings.md"


def test_every_setting_is_read_by_the_platform() -> None:
    """A documented setting that nothing reads misleads (OPENKAMP_SECRET_KEY was described as
    signing sessions and tokens, which are random and stored hashed: nothing read it). Each
    setting's name must be read somewhere in the package (in settings.py: by its own methods,
    e.g. the resolved URLs)."""
    src = Path(openkamp.__file__).parent
    code = "\n".join(p.read_text(encoding="utf-8") for p in src.rglob("*.py"))

    def read(name: str, default: object) -> bool:
        # Refusing the default value (check_safe) is not a use of the setting.
        text = code.replace(f"self.{name} == {default!r}", "").replace(
            f'self.{name} == "{default}"', ""
        )
        return bool(re.search(rf"(\.|\b(getattr|settings)\([^)]*[\"']){name}\b", text))

    unread = [n for n, f in Settings.model_fields.items() if not read(n, f.default)]
    assert not unread, f"settings nothing reads: {unread}"


def test_environment_and_validation(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENKAMP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OPENKAMP_LANGUAGE", "en")
    s = Settings()
    assert s.data_dir == tmp_path and s.language == "en" and s.timezone == "Asia/Seoul"
    assert s.resolved_timeseries_url().startswith("duckdb:///")
    with pytest.raises(ValueError, match="time zone"):
        Settings(timezone="Mars/Olympus")


def test_production_refuses_a_cheap_password_hash() -> None:
    with pytest.raises(ConfigError, match="password hash"):
        Settings(environment="production", password_hash_memory_kib=1024).check_safe()
    Settings(environment="production").check_safe()  # the defaults are production-grade
    assert "secret_key" not in Settings.model_fields  # read by nothing, so not offered


def test_public_surface() -> None:
    assert set(openkamp.__all__) >= {"Platform", "Settings", "ImportOptions", "OpenKampError"}
    for name in openkamp.__all__:
        assert getattr(openkamp, name) is not None


def test_builtin_readers_are_registered_as_plugins() -> None:
    exts = {e for cls in file_readers() for e in cls.extensions}
    assert {".csv", ".xlsx", ".parquet"} <= exts


def test_every_message_exists_in_korean_and_english() -> None:
    from openkamp.i18n import MESSAGES, t

    for key, entry in MESSAGES.items():
        assert entry.get("ko") and entry.get("en"), key
    assert t("rows_read", "ko") == "읽은 행" and t("rows_read", "en") == "Rows read"
    assert t("reason.unheard_of", "ko") == "unheard_of"
