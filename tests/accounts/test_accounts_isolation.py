"""One organisation's admin can neither see nor change another organisation's users or tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openkamp.accounts import AccountService
from openkamp.core.errors import NotFound
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform

PASSWORD = "correct horse battery"


def test_admins_are_confined_to_their_organisation(
    kamp: Platform,
    accounts: AccountService,
    admin: Principal,
    make_user: Callable[..., Principal],
) -> None:
    # Organisation B, set up by its local administrator, with its own admin and engineer.
    local_b = kamp.principal("supplier")
    admin_b = make_user(local_b, "admin.b", Role.ADMIN)
    # (B's admin creates logins in B's name space: issue 9, finding 9.)
    eng_b = make_user(admin_b, "eng.b@supplier", Role.ENGINEER)
    token_b, secret_b = accounts.create_token(eng_b, "b-token", ["write"])
    admin_a = make_user(admin, "admin.a", Role.ADMIN)
    token_a, _ = accounts.create_token(admin_a, "a-token", ["read"])
    assert admin_b.org_id != admin_a.org_id
    assert accounts.authenticate_token(secret_b).org_id == admin_b.org_id
    b_user = eng_b.user_id
    assert b_user is not None

    # A cannot list B's users or tokens ...
    assert "eng.b@supplier" not in {u["login"] for u in accounts.list_users(admin_a)}
    assert [t["id"] for t in accounts.list_tokens(admin_a, all_users=True)] == [token_a["id"]]
    assert {u["login"] for u in accounts.list_users(admin_b)} == {"admin.b", "eng.b@supplier"}
    # ... nor see, change, deactivate, reset or sign out B's users, nor revoke B's tokens:
    # another organisation's record is "not found", exactly like a missing one.
    attempts: list[Callable[[], object]] = [
        lambda: accounts.get_user(admin_a, b_user),
        lambda: accounts.update_user(admin_a, b_user, display_name="x"),
        lambda: accounts.update_user(admin_a, b_user, role=Role.VIEWER),
        lambda: accounts.deactivate_user(admin_a, b_user),
        lambda: accounts.set_password(admin_a, b_user, "taken over by A!"),
        lambda: accounts.logout_all(admin_a, b_user),
        lambda: accounts.revoke_token(admin_a, token_b["id"]),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    # The operator is confined the same way: principals act in their own organisation.
    with pytest.raises(NotFound):
        accounts.get_user(admin, b_user)
    # Nothing changed in B.
    assert accounts.get_user(admin_b, b_user)["active"] is True
    assert accounts.authenticate_token(secret_b).has(Role.ENGINEER)
    accounts.login("eng.b@supplier", PASSWORD)
