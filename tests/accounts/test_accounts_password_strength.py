"""Issue 9, finding 6: the password policy uses a real strength estimator (zxcvbn, shipped in the
package: nothing fetched), with the login and the organisation's name as things to avoid, and
says why in Korean and English."""

from __future__ import annotations

import re

import pytest

from openkamp.accounts import AccountService, check_password
from openkamp.core.errors import WeakPassword
from openkamp.core.tenancy import Principal
from openkamp.i18n import MESSAGES, t
from openkamp.platform import Platform

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.mark.parametrize(
    "password",
    [
        "password1!",
        "qwertyuiop1",
        "passwordpassword",
        "kim.minjun2024",  # the login and digits
        "minjun12345",  # part of the login and digits
        "hanbit2026!",  # the organisation's name and digits
        "abcdefghijk1",
        "1q2w3e4r5t6y",
    ],
)
def test_guessable_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword) as info:
        check_password(password, login="kim.minjun", user_inputs=["hanbit", "Hanbit Motors"])
    err = info.value
    assert err.code == f"accounts.password.{err.reason}"
    for lang in ("ko", "en"):
        text = t(f"err.{err.code}", lang, **err.params)
        assert f"err.{err.code}" in MESSAGES and "{" not in text
        web = f"web.password.{err.reason}"
        assert web in MESSAGES, web
    ko = t(f"err.{err.code}", "ko", **err.params)
    words = re.sub(r"'[^']*'", "", ko)  # examples such as 'abcabc' are not English words
    assert HANGUL.search(ko) and not re.search(r"[A-Za-z]{4,}", words), ko


def test_strong_passwords_pass() -> None:
    for password in (
        "correct horse battery",
        "압력센서 교정 2026 봄",
        "Gx7!mQ2#vL9p",
        "bright orange kettle",
    ):
        check_password(password, login="kim.minjun", user_inputs=["hanbit"])


def test_the_service_avoids_the_organisation_name(
    kamp: Platform, accounts: AccountService, admin: Principal
) -> None:
    org = kamp.meta.get_org(admin.org_id)["name"]
    with pytest.raises(WeakPassword):
        accounts.create_user(admin, "lee.sora", f"{org}{org}2026!")
    with pytest.raises(WeakPassword):
        accounts.create_user(admin, "lee.sora", "lee.sora2026")


def test_very_long_passwords_are_estimated_quickly() -> None:
    import hashlib
    import time

    long = "".join(hashlib.sha256(bytes([i])).hexdigest() for i in range(4))  # 256 characters
    started = time.perf_counter()
    check_password(long, login="kim.minjun")
    assert time.perf_counter() - started < 2
