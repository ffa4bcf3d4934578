"""Issue 9, finding 8 (logins), with finding 9 (disclosure) in mind.

* A login is stored and looked up in one Unicode form (NFC): ``김철수`` typed as jamo on one
  keyboard signs in to the account made as syllables on another, and every form of it counts
  against one sign-in lock.
* A new login that only looks like an existing one (fullwidth ``ｋｉｍ``, Cyrillic ``kіm``) is
  refused, but only against the logins the creator may know: an organisation's administrator
  compares within the organisation, whose logins all end in ``@<organisation>``; the platform
  operator (and local tools) against every login. What keeps the administrator's check complete
  without looking elsewhere: nobody outside organisation B can get a login ending in ``@orgb``
  or a look-alike of it, and no organisation may be named like another one.
* Logins stored before in another form are made NFC when the platform opens (migration 0005).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command

from openkamp.accounts import AccountService
from openkamp.core.errors import Conflict, TooManyAttempts, Unauthenticated
from openkamp.core.tenancy import Principal, Role
from openkamp.platform import Platform
from openkamp.storage.metadata.migrate import alembic_config

PASSWORD = "correct horse battery"
NAME = "김철수"
JAMO = unicodedata.normalize("NFD", NAME)  # what some keyboards and file names produce


def _admin_of(kamp: Platform, accounts: AccountService, org: str, login: str) -> Principal:
    """An administrator (not the operator) of ``org``, signed in."""
    accounts.create_user(kamp.principal(org), login, PASSWORD, role=Role.ADMIN)
    _, cookie, _ = accounts.login(login, PASSWORD)
    return accounts.authenticate_session(cookie)[0]


def test_a_login_typed_in_jamo_signs_in_to_the_account_made_in_syllables(
    accounts: AccountService, admin: Principal
) -> None:
    assert JAMO != NAME
    accounts.create_user(admin, NAME, PASSWORD)
    accounts.login(JAMO, PASSWORD)
    accounts.login(NAME, PASSWORD)


def test_a_login_is_stored_composed_and_its_other_form_is_taken(
    accounts: AccountService, admin: Principal
) -> None:
    user = accounts.create_user(admin, JAMO, PASSWORD)
    assert user["login"] == NAME
    accounts.login(NAME, PASSWORD)
    with pytest.raises(Conflict) as err:
        accounts.create_user(admin, NAME, PASSWORD)
    assert err.value.code == "accounts.login_taken"


def test_every_form_of_a_login_counts_against_one_lock(
    accounts: AccountService, admin: Principal
) -> None:
    accounts.create_user(admin, NAME, PASSWORD)
    # Each syllable may come composed or as jamo: without one form, every mix would have its
    # own failure count and the lock (5 failures) would never be reached.
    forms = [NAME, JAMO, NAME[0] + unicodedata.normalize("NFD", NAME[1:])]
    for i in range(5):
        with pytest.raises(Unauthenticated):
            accounts.login(forms[i % 3], "a wrong password here")
    with pytest.raises(TooManyAttempts):
        accounts.login(NAME, PASSWORD)


@pytest.mark.parametrize("typed", ["ｋｉｍ", "kіm", "кim", "KІM"])  # fullwidth; Cyrillic і, к, І
def test_a_login_that_looks_like_an_existing_one_is_refused(
    accounts: AccountService, admin: Principal, typed: str
) -> None:
    accounts.create_user(admin, "kim", PASSWORD)
    with pytest.raises(Conflict) as err:
        accounts.create_user(admin, typed, PASSWORD)
    assert err.value.code == "accounts.login_confusable"
    assert err.value.params == {"login": typed.lower(), "existing": "kim"}
    assert [u["login"] for u in accounts.list_users(admin)] == ["admin", "kim"]


def test_an_organisations_admin_is_refused_a_look_alike_of_its_own_login(
    kamp: Platform, accounts: AccountService, admin: Principal
) -> None:
    b = _admin_of(kamp, accounts, "orgb", "lee")
    assert accounts.create_user(b, "park", PASSWORD)["login"] == "park@orgb"
    with pytest.raises(Conflict) as err:
        accounts.create_user(b, "раrk", PASSWORD)  # Cyrillic р and а
    assert err.value.code == "accounts.login_confusable"
    assert err.value.params["existing"] == "park@orgb"


def test_an_organisations_admin_learns_nothing_from_another_organisations_logins(
    kamp: Platform, accounts: AccountService, admin: Principal
) -> None:
    """Organisation A holds ``kim``, ``ana`` and, from before the name spaces were reserved, a
    ``kіm@orgb`` (Cyrillic і). B's administrator creating ``kim`` gets ``kim@orgb``, which looks
    exactly like A's ``kіm@orgb``: refusing it would tell B that A has such a login, so B's
    administrator is compared only with B's own logins. Every answer is the one a free name
    gets."""
    accounts.create_user(admin, "kim", PASSWORD)
    accounts.create_user(admin, "ana", PASSWORD)
    legacy = accounts.create_user(admin, "old-one", PASSWORD)
    kamp.meta.update(kamp.default_org_id, "user", legacy["id"], {"login": "kіm@orgb"})
    b = _admin_of(kamp, accounts, "orgb", "lee")
    for typed in ("kim", "аna", "nobody-here"):  # Cyrillic а in аna
        assert accounts.create_user(b, typed, PASSWORD)["login"] == f"{typed}@orgb"
    # Each signs in to its own account.
    accounts.login("kim@orgb", PASSWORD)
    accounts.login("kіm@orgb", PASSWORD)
    assert accounts.authenticate_session(accounts.login("kim", PASSWORD)[1])[0].org_id == (
        kamp.default_org_id
    )


@pytest.mark.parametrize("login", ["kim@orgb", "kim@оrgb", "kim@ＯＲＧＢ"])  # Cyrillic о; fullwidth
def test_a_plain_login_cannot_take_another_organisations_name_space(
    kamp: Platform, accounts: AccountService, admin: Principal, login: str
) -> None:
    """Were the operator allowed to give ``kim@orgb`` to someone in A, B's administrator
    creating ``kim`` would hear "taken" (or "looks like") and learn about A."""
    b = _admin_of(kamp, accounts, "orgb", "lee")
    with pytest.raises(Conflict) as err:
        accounts.create_user(admin, login, PASSWORD)  # the operator, in organisation A
    assert err.value.code == "accounts.login_reserved"
    assert err.value.params == {"login": login.lower(), "organisation": "orgb"}
    assert accounts.create_user(b, "kim", PASSWORD)["login"] == "kim@orgb"
    # Inside its own organisation the name space is fine.
    assert accounts.create_user(kamp.principal("orgb"), "choi@orgb", PASSWORD)["org_id"] == (
        b.org_id
    )


@pytest.mark.parametrize("name", ["OrgB", "оrgb", "ｏｒｇｂ"])  # case; Cyrillic о; fullwidth
def test_an_organisation_named_like_another_is_refused(
    accounts: AccountService, admin: Principal, name: str
) -> None:
    """Two organisations named alike would give their users look-alike (or equal) logins."""
    accounts.create_organisation(admin, "orgb", admin_login="boss", admin_password=PASSWORD)
    with pytest.raises(Conflict) as err:
        accounts.create_organisation(admin, name, admin_login="chief", admin_password=PASSWORD)
    assert err.value.code == "names.confusable"
    assert err.value.params == {"name": name, "existing": "orgb"}
    assert [o["name"] for o in accounts.list_organisations(admin)] == ["default", "orgb"]


def test_an_organisation_is_not_named_after_the_end_of_existing_logins(
    accounts: AccountService, admin: Principal
) -> None:
    accounts.create_user(admin, "boss@acme", PASSWORD)  # no organisation acme yet
    with pytest.raises(Conflict) as err:
        accounts.create_organisation(admin, "acme", admin_login="chief", admin_password=PASSWORD)
    assert err.value.code == "accounts.org_name_used"
    assert err.value.params == {"name": "acme", "login": "boss@acme"}


def test_a_look_alike_admin_login_leaves_no_organisation_behind(
    accounts: AccountService, admin: Principal
) -> None:
    with pytest.raises(Conflict):
        accounts.create_organisation(admin, "orgc", admin_login="аdmin", admin_password=PASSWORD)
    assert [o["name"] for o in accounts.list_organisations(admin)] == ["default"]


def test_logins_stored_in_another_form_are_made_composed_on_open(
    tmp_path: Path, platform_at: Callable[..., Platform]
) -> None:
    kamp = platform_at(tmp_path / "data")
    kamp.accounts.create_first_admin(kamp.default_org_id, "admin", PASSWORD)
    made = kamp.accounts.create_user(kamp.principal(), NAME, PASSWORD)
    kamp.meta.update(kamp.default_org_id, "user", made["id"], {"login": JAMO})  # as before
    config = alembic_config(kamp.meta.engine)
    command.downgrade(config, "0005")  # later schema changes undone (0006: nameplates)
    command.stamp(config, "0004")  # the schema before the data fix
    kamp.close()
    kamp = platform_at(tmp_path / "data")
    try:
        assert kamp.meta.get(kamp.default_org_id, "user", made["id"])["login"] == NAME
        kamp.accounts.login(NAME, PASSWORD)
        kamp.accounts.login(JAMO, PASSWORD)
    finally:
        kamp.close()
