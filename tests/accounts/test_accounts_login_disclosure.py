"""Issue 9, finding 9 (first half): an administrator of organisation B must not learn which
logins exist in organisation A.

Logins are global (sign-in is by login alone), so before, B's admin creating ``ana`` got 409
"already taken" exactly when ``ana`` existed somewhere. Now an organisation's administrator
creates logins only in the organisation's own name space (``ana@orgb``): whether ``ana`` exists
elsewhere changes nothing they can see. Local tools and the platform operator, who see every
organisation anyway, keep plain logins.
"""

from __future__ import annotations

import time

from openkamp.accounts import AccountService
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform

PASSWORD = "correct horse battery"


def _admin_of_b(kamp: Platform, accounts: AccountService) -> Principal:
    accounts.create_user(kamp.principal("orgb"), "lee", PASSWORD, role=Role.ADMIN)
    _, cookie, _ = accounts.login("lee", PASSWORD)
    principal, _ = accounts.authenticate_session(cookie)
    return principal


def test_admin_of_b_cannot_tell_a_login_of_a_from_a_free_one(
    kamp: Platform, accounts: AccountService, admin: Principal
) -> None:
    accounts.create_user(admin, "ana", PASSWORD, role=Role.ENGINEER)  # organisation A
    b = _admin_of_b(kamp, accounts)
    answers = {}
    for login in ("ana", "nobody-here"):
        started = time.perf_counter()
        user = accounts.create_user(b, login, PASSWORD, role=Role.VIEWER)
        answers[login] = (user["login"], time.perf_counter() - started)
    assert answers["ana"][0] == "ana@orgb"
    assert answers["nobody-here"][0] == "nobody-here@orgb"
    # The user of A is untouched and both sign in by their own login.
    accounts.login("ana", PASSWORD)
    accounts.login("ana@orgb", PASSWORD)
    assert {u["login"] for u in accounts.list_users(b)} == {"lee", "ana@orgb", "nobody-here@orgb"}


def test_a_login_already_in_the_name_space_is_kept_as_typed(
    kamp: Platform, accounts: AccountService, admin: Principal
) -> None:
    b = _admin_of_b(kamp, accounts)
    assert accounts.create_user(b, "Kim@OrgB", PASSWORD)["login"] == "kim@orgb"
    assert accounts.create_user(b, "kim@orga", PASSWORD)["login"] == "kim@orga@orgb"
