"""First-run set-up, the password policy and hashing, and managing users within an organisation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from openkamp.accounts import AccountService, Passwords, check_password
from openkamp.core.errors import Conflict, Forbidden, InvalidInput, Unauthenticated, WeakPassword
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform

PASSWORD = "correct horse battery"


def test_first_admin_can_be_set_up_once(kamp: Platform, accounts: AccountService) -> None:
    assert accounts.needs_setup()
    user = accounts.create_first_admin(kamp.default_org_id, "  Ana.Kim ", PASSWORD)
    assert user["login"] == "ana.kim" and user["role"] == "operator" and user["active"] is True
    assert "password_hash" not in user
    assert not accounts.needs_setup()
    with pytest.raises(Forbidden, match="already set up"):
        accounts.create_first_admin(kamp.default_org_id, "mallory", PASSWORD)
    # The operator role includes admin of the default organisation.
    _, cookie, _ = accounts.login("ANA.KIM", PASSWORD)
    me, _ = accounts.authenticate_session(cookie)
    assert me.org_id == kamp.default_org_id and me.has(Role.ADMIN) and me.user_id == user["id"]


def test_the_platform_wires_the_service(kamp: Platform) -> None:
    assert isinstance(kamp.accounts, AccountService) and kamp.accounts.needs_setup()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "too_short"),
        ("123456789", "too_short"),
        ("Kim.Minjun", "equals_login"),
        ("aaaaaaaaaaaa", "one_character"),
        ("Password123", "too_common"),
        ("x" * 10 + "y" * 300, "too_long"),
    ],
)
def test_password_policy(password: str, reason: str) -> None:
    with pytest.raises(WeakPassword) as info:
        check_password(password, login="kim.minjun")
    assert info.value.reason == reason and info.value.message
    assert isinstance(info.value, InvalidInput)  # the API answers 422, like other bad input


def test_good_passwords_pass_the_policy() -> None:
    for password in ("correct horse battery", "압력센서 교정 2026", "7 kettles, 3 pumps"):
        check_password(password, login="kim.minjun")


def test_first_admin_and_new_users_obey_the_policy(
    kamp: Platform, accounts: AccountService
) -> None:
    with pytest.raises(WeakPassword, match="at least 10"):
        accounts.create_first_admin(kamp.default_org_id, "admin", "short")
    with pytest.raises(WeakPassword, match="login"):
        accounts.create_first_admin(kamp.default_org_id, "admin.user1", "Admin.User1")
    assert accounts.needs_setup()  # nothing was created


def test_hashes_are_argon2id_and_upgraded_when_the_cost_changes(
    tmp_path: Path, platform_at: Callable[..., Platform]
) -> None:
    passwords = Passwords(memory_kib=1024, time_cost=1)
    stored = passwords.hash(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert passwords.verify(stored, PASSWORD) == (True, None)
    assert passwords.verify(stored, PASSWORD + "!") == (False, None)
    assert passwords.verify("not a hash", PASSWORD) == (False, None)

    with platform_at(tmp_path / "data") as kamp:
        kamp.accounts.create_first_admin(kamp.default_org_id, "admin", PASSWORD)
        before = kamp.meta.lookup("user", login="admin")
        assert before is not None and "t=1" in before["password_hash"]
    # Same data, a stronger hash in the settings: the next sign-in upgrades the stored hash.
    with platform_at(tmp_path / "data", password_hash_time_cost=2) as kamp:
        kamp.accounts.login("admin", PASSWORD)
        after = kamp.meta.lookup("user", login="admin")
        assert after is not None and "t=2" in after["password_hash"]
        assert PasswordHasher().verify(after["password_hash"], PASSWORD)
        kamp.accounts.login("admin", PASSWORD)  # still works with the upgraded hash


def test_logins_are_lower_case_and_unique_across_organisations(
    kamp: Platform, accounts: AccountService, admin: Principal
) -> None:
    accounts.create_user(admin, "Lee.Engineer", PASSWORD, role=Role.ENGINEER)
    other_org = kamp.principal("supplier")
    with pytest.raises(Conflict, match="already taken"):
        accounts.create_user(other_org, "LEE.engineer", PASSWORD)
    with pytest.raises(InvalidInput, match="not valid"):
        accounts.create_user(admin, "has space", PASSWORD)
    assert accounts.create_user(admin, "김민준", PASSWORD)["login"] == "김민준"  # Hangul logins


def test_only_admins_manage_users_and_never_above_their_role(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    engineer = make_user(admin, "eng1", Role.ENGINEER)
    with pytest.raises(Forbidden):
        accounts.create_user(engineer, "viewer1", PASSWORD)
    with pytest.raises(Forbidden):
        accounts.list_users(engineer)
    org_admin = make_user(admin, "orgadmin", Role.ADMIN)
    with pytest.raises(Forbidden, match="operator"):
        accounts.create_user(org_admin, "op2", PASSWORD, role=Role.OPERATOR)
    # The operator (first user) is above an organisation admin, who cannot touch them.
    operator_id = admin.user_id
    assert operator_id is not None
    with pytest.raises(Forbidden):
        accounts.deactivate_user(org_admin, operator_id)
    with pytest.raises(Forbidden):
        accounts.set_password(org_admin, operator_id, "a brand new password")
    with pytest.raises(InvalidInput, match="role"):
        accounts.create_user(admin, "x1", PASSWORD, role="superuser")
    logins = [u["login"] for u in accounts.list_users(org_admin)]
    assert logins == ["admin", "eng1", "orgadmin"]
    assert all("password_hash" not in u for u in accounts.list_users(admin))


def test_update_users(
    accounts: AccountService, admin: Principal, make_user: Callable[..., Principal]
) -> None:
    viewer = make_user(admin, "viewer1", Role.VIEWER)
    assert viewer.user_id is not None and admin.user_id is not None
    # Anyone may change their own name and language, but not their role.
    me = accounts.update_user(viewer, viewer.user_id, display_name="박서연", language="en")
    assert me["display_name"] == "박서연" and me["language"] == "en"
    with pytest.raises(Forbidden):
        accounts.update_user(viewer, viewer.user_id, role=Role.ADMIN)
    with pytest.raises(Forbidden):
        accounts.update_user(viewer, admin.user_id, display_name="x")
    with pytest.raises(InvalidInput, match="language"):
        accounts.update_user(viewer, viewer.user_id, language="fr")
    changed = accounts.update_user(admin, viewer.user_id, role="engineer")
    assert changed["role"] == "engineer"
    # The organisation always keeps an active administrator.
    with pytest.raises(Conflict, match="without an active administrator"):
        accounts.deactivate_user(admin, admin.user_id)
    with pytest.raises(Conflict, match="without an active administrator"):
        accounts.update_user(admin, admin.user_id, role=Role.VIEWER)
    assert accounts.get_user(admin, admin.user_id)["role"] == "operator"  # rolled back
    assert accounts.me(viewer)["login"] == "viewer1"


def test_change_own_password(accounts: AccountService, admin: Principal) -> None:
    accounts.create_user(admin, "eng1", PASSWORD, role=Role.ENGINEER)
    here, cookie_here, _ = accounts.login("eng1", PASSWORD)
    _, cookie_elsewhere, _ = accounts.login("eng1", PASSWORD)
    me, _ = accounts.authenticate_session(cookie_here)
    with pytest.raises(InvalidInput, match="current password is wrong"):
        accounts.change_password(me, "not my password", "a new long password")
    with pytest.raises(WeakPassword):
        accounts.change_password(me, PASSWORD, "short")
    accounts.change_password(me, PASSWORD, "a new long password", keep_session_id=here["id"])
    accounts.authenticate_session(cookie_here)  # the session that made the change stays
    with pytest.raises(Unauthenticated):  # every other one ends
        accounts.authenticate_session(cookie_elsewhere)
    with pytest.raises(Unauthenticated):
        accounts.login("eng1", PASSWORD)
    accounts.login("eng1", "a new long password")


def test_admin_sets_a_forgotten_password(
    accounts: AccountService, admin: Principal, clock: Any, make_user: Callable[..., Principal]
) -> None:
    eng = make_user(admin, "eng1")
    assert eng.user_id is not None
    accounts.set_password(admin, eng.user_id, "reset by the admin")
    accounts.login("eng1", "reset by the admin")


def test_wrong_current_passwords_count_towards_the_lockout(
    accounts: AccountService, admin: Principal
) -> None:
    for _ in range(5):
        with pytest.raises(InvalidInput):
            accounts.change_password(admin, "guess guess guess", "a new long password")
    with pytest.raises(Unauthenticated, match="Too many"):
        accounts.change_password(admin, PASSWORD, "a new long password")
