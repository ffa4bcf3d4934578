"""Passwords people can recover: an administrator's reset gives a new random password shown once;
every password error and the lockout carry a code shown in the user's language, and the lockout
says for how long."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openkamp.accounts import AccountService
from openkamp.core.errors import Forbidden, TooManyAttempts, Unauthenticated, WeakPassword
from openkamp.core.tenancy import Principal, Role
from openkamp.i18n import error_text

PASSWORD = "correct horse battery"


def test_an_admin_resets_a_password_that_then_signs_in(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    ana = make_user(admin, "ana", Role.ENGINEER)
    _, cookie, _ = accounts.login("ana", PASSWORD)
    new = accounts.reset_password(admin, ana.user_id)
    assert len(new) == 16 and new != PASSWORD
    with pytest.raises(Unauthenticated):
        accounts.authenticate_session(cookie)  # her sessions ended
    with pytest.raises(Unauthenticated):
        accounts.login("ana", PASSWORD)
    accounts.login("ana", new)
    # two resets never give the same password
    assert accounts.reset_password(admin, ana.user_id) != new


def test_only_admins_reset_and_never_above_their_role(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    engineer = make_user(admin, "eng", Role.ENGINEER)
    second = make_user(admin, "adm", Role.ADMIN)
    with pytest.raises(Forbidden):
        accounts.reset_password(engineer, second.user_id)
    with pytest.raises(Forbidden):  # the operator is above an admin
        accounts.reset_password(second, admin.user_id)
    assert accounts.reset_password(second, engineer.user_id)


def test_the_lockout_says_for_how_long_in_both_languages(
    accounts: AccountService, admin: Principal
) -> None:
    for _ in range(5):
        with pytest.raises(Unauthenticated):
            accounts.login("admin", "wrong password 123")
    with pytest.raises(TooManyAttempts) as locked:
        accounts.login("admin", PASSWORD)
    minutes = locked.value.params["minutes"]
    assert minutes == 15  # the default lockout
    ko, ko_hint = error_text(locked.value, "ko")
    en, _ = error_text(locked.value, "en")
    assert "15분" in ko and "관리자" in (ko_hint or "")
    assert "15 minute" in en


@pytest.mark.parametrize(
    ("password", "ko"),
    [
        ("short", "10자 이상"),
        ("admin", "10자"),
        ("aaaaaaaaaaaa", "반복"),
        ("password123", "흔해서"),
    ],
)
def test_password_errors_read_in_korean(
    accounts: AccountService, admin: Principal, password: str, ko: str
) -> None:
    with pytest.raises(WeakPassword) as weak:
        accounts.create_user(admin, "newbie", password)
    message, hint = error_text(weak.value, "ko")
    assert ko in message + (hint or "")
    assert not any("a" <= c <= "z" for c in message)  # no English left in the message
