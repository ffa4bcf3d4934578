"""Users of an organisation and the first-run set-up.

Logins are global (sign-in is by login alone) and stored in one form (:func:`normal_login`:
lower case, NFC). A new login that only looks like one the creator may know is refused (fullwidth
``ｋｉｍ`` or Cyrillic ``kіm`` beside ``kim``), and what the creator may know is the point:

* An organisation's administrator creates logins in the organisation's name space
  (``ana@orgb``, see :meth:`UserAccounts.login_suffix`) and is compared with the organisation's
  own logins only. Comparing with every login would answer "looks like an existing one" exactly
  when another organisation holds a look-alike, and so tell B's administrator about A's users
  (issue 9, finding 9).
* That comparison still misses nothing, because a look-alike of ``x@orgb`` must itself end in
  ``@orgb`` or a look-alike of it, and nobody outside organisation B gets such a login: the
  operator's plain logins may not end in another organisation's name (``accounts.login_reserved``),
  an organisation may not be named like another one (``names.confusable``) nor after the end of
  existing logins (``accounts.org_name_used``).
* The platform operator and local tools see every organisation anyway: their logins are plain
  and compared with every login of the platform.

Logins and organisations made before these checks are not re-examined: should another
organisation already hold a look-alike of ``x@orgb``, B's administrator may still create
``x@orgb`` (sign-in is exact, so each reaches its own account): a look-alike is allowed rather
than disclosed. Organisations created by local tools (``Platform.principal(name)``) are not
checked either.
"""

from __future__ import annotations

import secrets
from typing import Any

from openkamp.accounts._core import (
    ADMIN_ROLES,
    AccountsCore,
    check_language,
    login_shape,
    normal_login,
    parse_role,
    public_user,
)
from openkamp.core.assets import check_name
from openkamp.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from openkamp.core.tenancy import Principal, Role, require, system_principal
from openkamp.core.text import nfc
from openkamp.storage.metadata.base import Record


def new_password() -> str:
    """A random password that meets the policy: 16 characters, about 95 bits, easy to type
    (no characters that look alike)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


class UserAccounts(AccountsCore):
    """The first-run set-up, users of an organisation, and passwords."""

    # -- first-run set-up ---------------------------------------------------------------------

    def needs_setup(self) -> bool:
        """True while the platform has no user at all (the first-run set-up is open)."""
        return self.meta.lookup("user") is None

    def create_first_admin(
        self,
        org_id: int,
        login: str,
        password: str,
        *,
        display_name: str = "",
        language: str = "ko",
    ) -> Record:
        """Create the first user, as platform operator (which includes admin of ``org_id``).

        Works only while :meth:`needs_setup` is true; afterwards it raises :class:`Forbidden`.
        """
        login = self._clean_login(login)
        self._check_new_password(password, login, org_id)
        password_hash = self.passwords.hash(password)  # before the lock: it takes a while
        with self.meta.transaction():
            if not self.needs_setup():
                raise Forbidden(
                    "The platform is already set up.",
                    hint="Sign in, or ask an administrator for an account.",
                )
            self.meta.get_org(org_id)
            self._check_name_space(login, org_id)
            user = self.meta.insert(
                org_id,
                "user",
                {
                    "login": login,
                    "display_name": nfc(display_name.strip()) or login,
                    "password_hash": password_hash,
                    "role": Role.OPERATOR.value,
                    "language": check_language(language),
                    "active": 1,
                },
            )
        return public_user(user)

    # -- users --------------------------------------------------------------------------------

    def create_user(
        self,
        principal: Principal,
        login: str,
        password: str,
        *,
        role: Role | str = Role.VIEWER,
        display_name: str = "",
        language: str = "ko",
    ) -> Record:
        """A new user of the principal's organisation (admin only; no role above one's own).

        An organisation's administrator gets the login in the organisation's name space
        (:meth:`login_suffix`). A login that is taken, or looks like a login the principal may
        know (see the module's note), is refused with :class:`Conflict`
        (``accounts.login_taken``, ``accounts.login_confusable``).
        """
        require(principal, Role.ADMIN)
        role = parse_role(role)
        self._check_may_grant(principal, role)
        suffix = self.login_suffix(principal)
        login = self._clean_login(login)
        if suffix and not login.endswith(suffix):
            login = self._clean_login(login + suffix)
        self._check_new_password(password, login, principal.org_id)
        self._check_new_login(principal, login, suffix)  # before the slow hash
        password_hash = self.passwords.hash(password)  # before the lock: it takes a while
        with self.meta.transaction():  # again, with no writer between the check and the insert
            self._check_new_login(principal, login, suffix)
            try:
                user = self.meta.insert(
                    principal.org_id,
                    "user",
                    {
                        "login": login,
                        "display_name": nfc(display_name.strip()) or login,
                        "password_hash": password_hash,
                        "role": role.value,
                        "language": check_language(language),
                        "active": 1,
                    },
                )
            except Conflict:  # the store's unique login (another process wrote it first)
                raise _taken(login) from None
        return public_user(user)

    def login_suffix(self, principal: Principal) -> str:
        """The ending the logins that ``principal`` creates get: ``@<organisation>`` for an
        organisation's administrator (``ana`` in organisation ``orgb`` becomes ``ana@orgb``),
        nothing for the platform operator and local tools.

        Logins are global (sign-in is by login alone), so a plain ``ana`` would answer "already
        taken" exactly when another organisation has an ``ana``: the name space keeps another
        organisation's logins out of reach. Local tools (no user) and the platform operator see
        every organisation anyway and keep plain logins.
        """
        if principal.user_id is None or Role.OPERATOR in principal.roles:
            return ""
        actor = self.meta.get(principal.org_id, "user", principal.user_id)
        if actor["role"] == Role.OPERATOR.value:  # the operator, through a narrower token
            return ""
        return "@" + normal_login(str(self.meta.get_org(principal.org_id)["name"]))

    def _check_new_login(self, principal: Principal, login: str, suffix: str) -> None:
        if suffix:  # the organisation's own logins: all that can look like this one
            self._check_login_free(login, self.meta.find(principal.org_id, "user"))
        else:
            self._check_name_space(login, principal.org_id)
            self._check_login_free(login, self._every_user())

    def _every_user(self) -> list[Record]:
        """Every user of every organisation: only for those who see them all (the operator)."""
        return [u for org in self.meta.list_orgs() for u in self.meta.find(org["id"], "user")]

    def _check_login_free(self, login: str, known: list[Record]) -> None:
        """Refuse ``login`` when it is taken, or looks like one of the ``known`` users' logins.
        ``known`` is what the creator may know (see the module's note), never more."""
        if self.meta.lookup("user", login=login) is not None:
            raise _taken(login)
        shape = login_shape(login)
        for user in known:
            other = str(user["login"])
            if nfc(other) == login:  # stored in another form before logins were NFC
                raise _taken(login)
            if login_shape(other) == shape:
                raise Conflict(
                    f"The login {login!r} looks like the existing login {other!r}.",
                    hint="Choose a login that reads differently (check for fullwidth or "
                    "Cyrillic letters).",
                    code="accounts.login_confusable",
                    params={"login": login, "existing": other},
                )

    def _check_name_space(self, login: str, org_id: int | None) -> None:
        """Refuse a plain login that ends in ``@<another organisation>`` or a look-alike of it:
        that name space is the other organisation's (see the module's note)."""
        if "@" not in login:
            return
        end = login_shape(login.rsplit("@", 1)[1])
        for org in self.meta.list_orgs():
            if org["id"] != org_id and login_shape(str(org["name"])) == end:
                raise Conflict(
                    f"The login {login!r} ends in the name of the organisation {org['name']!r}.",
                    hint="Logins ending in '@' and an organisation's name belong to that "
                    "organisation: choose another ending.",
                    code="accounts.login_reserved",
                    params={"login": login, "organisation": org["name"]},
                )

    def list_users(self, principal: Principal) -> list[Record]:
        """Users of the principal's organisation (admin only), by id."""
        require(principal, Role.ADMIN)
        return [public_user(u) for u in self.meta.find(principal.org_id, "user")]

    def get_user(self, principal: Principal, user_id: int) -> Record:
        """One user of the organisation: oneself, or anyone for an admin."""
        if user_id != principal.user_id:
            require(principal, Role.ADMIN)
        return public_user(self.meta.get(principal.org_id, "user", user_id))

    def me(self, principal: Principal) -> Record:
        """The signed-in user's own record."""
        if principal.user_id is None:
            raise NotFound(f"'{principal.name}' is not a user account.")
        return self.get_user(principal, principal.user_id)

    def update_user(
        self,
        principal: Principal,
        user_id: int,
        *,
        role: Role | str | None = None,
        display_name: str | None = None,
        language: str | None = None,
        active: bool | None = None,
    ) -> Record:
        """Change a user. Anyone may change their own display name and language; the role and
        whether the account is active need an admin, who cannot act on or grant a role above
        their own, nor leave the organisation without an active admin."""
        own = user_id == principal.user_id
        if not own or role is not None or active is not None:
            require(principal, Role.ADMIN)
        user = self.meta.get(principal.org_id, "user", user_id)
        changes: dict[str, Any] = {}
        if display_name is not None:
            changes["display_name"] = nfc(display_name.strip()) or user["login"]
        if language is not None:
            changes["language"] = check_language(language)
        if role is not None or active is not None:
            self._check_may_grant(principal, Role(user["role"]))
        if role is not None:
            new_role = parse_role(role)
            self._check_may_grant(principal, new_role)
            changes["role"] = new_role.value
        if active is not None:
            changes["active"] = 1 if active else 0
        if not changes:
            return public_user(user)
        was_admin = bool(user["active"]) and Role(user["role"]).value in ADMIN_ROLES
        with self.meta.transaction():
            updated = self.meta.update(principal.org_id, "user", user_id, changes)
            if was_admin and ("role" in changes or "active" in changes):
                self._check_admin_remains(principal.org_id)
            if not updated["active"]:
                self._end_sessions(principal.org_id, user_id)
        return public_user(updated)

    def deactivate_user(self, principal: Principal, user_id: int) -> Record:
        """Turn an account off (admin only): its sessions end at once and its API tokens are
        refused until it is activated again. Nothing is deleted."""
        return self.update_user(principal, user_id, active=False)

    def change_password(
        self,
        principal: Principal,
        old_password: str,
        new_password: str,
        *,
        keep_session_id: int | None = None,
    ) -> None:
        """Change one's own password (the old one is needed). Ends every other session of the
        user; ``keep_session_id`` names the one to keep (the one making the change)."""
        if principal.user_id is None or principal.is_token:
            raise Forbidden("Only a signed-in user can change their password.")
        user = self.meta.get(principal.org_id, "user", principal.user_id)
        key = f"login:{user['login']}"
        self._check_not_locked([key])
        ok, _ = self.passwords.verify(user["password_hash"], old_password)
        if not ok:  # counted: a stolen session must not make a guessing oracle
            self.limiter.confirm(key)
            raise InvalidInput(
                "The current password is wrong.",
                hint="Type the password you sign in with now.",
                code="accounts.wrong_password",
            )
        self.limiter.release(key)
        self._set_password(user, new_password, keep_session_id=keep_session_id)

    def set_password(self, principal: Principal, user_id: int, new_password: str) -> None:
        """Set another user's password (admin only), e.g. when they forgot it; ends their
        sessions."""
        require(principal, Role.ADMIN)
        user = self.meta.get(principal.org_id, "user", user_id)
        self._check_may_grant(principal, Role(user["role"]))
        self._set_password(user, new_password)

    def reset_password(self, principal: Principal, user_id: int) -> str:
        """Give another user a new random password (admin only) and return it: it is shown
        once to the administrator, who passes it on. The user's sessions end."""
        password = new_password()
        self.set_password(principal, user_id, password)
        return password

    def _set_password(
        self, user: Record, new_password: str, *, keep_session_id: int | None = None
    ) -> None:
        self._check_new_password(new_password, user["login"], user["org_id"])
        password_hash = self.passwords.hash(new_password)
        with self.meta.transaction():
            self.meta.update(user["org_id"], "user", user["id"], {"password_hash": password_hash})
            self._end_sessions(user["org_id"], user["id"], keep=keep_session_id)

    # -- organisations (platform operator) ------------------------------------------------------

    def list_organisations(self, principal: Principal) -> list[Record]:
        """Every organisation of the platform (operator only)."""
        require(principal, Role.OPERATOR)
        return self.meta.list_orgs()

    def create_organisation(
        self,
        principal: Principal,
        name: str,
        *,
        display_name: str = "",
        admin_login: str,
        admin_password: str,
    ) -> tuple[Record, Record]:
        """A new organisation (a factory) with its first administrator (operator only).

        Name, login and password are checked before anything is created, so a refused request
        leaves no organisation without an administrator behind. The name ends the logins the
        organisation's administrators create (``@<name>``), so it may not look like another
        organisation's name (``names.confusable``), nor be the end of existing logins
        (``accounts.org_name_used``).
        """
        require(principal, Role.OPERATOR)
        name = nfc(name)
        check_name(name, "organisation name")
        login = self._clean_login(admin_login)
        self._check_new_password(admin_password, login, org_name=f"{name} {display_name}".strip())
        everyone = self._every_user()
        self._check_org_name(name, everyone)
        self._check_name_space(login, None)
        self._check_login_free(login, everyone)
        org = self.meta.create_org(name, display_name)
        admin = self.create_user(
            system_principal(org["id"]), login, admin_password, role=Role.ADMIN
        )
        return org, admin

    def _check_org_name(self, name: str, everyone: list[Record]) -> None:
        shape = login_shape(name)
        for org in self.meta.list_orgs():
            other = str(org["name"])
            if other != name and login_shape(other) == shape:
                raise Conflict(
                    f"The organisation name {name!r} looks like the existing {other!r}.",
                    hint="Use the existing organisation, or a name that reads differently "
                    "(case, fullwidth or Cyrillic letters do not count).",
                    code="names.confusable",
                    params={"name": name, "existing": other},
                )
        for user in everyone:
            login = str(user["login"])
            if "@" in login and login_shape(login.rsplit("@", 1)[1]) == shape:
                raise Conflict(
                    f"The organisation name {name!r} already ends the login {login!r}.",
                    hint="Choose another organisation name.",
                    code="accounts.org_name_used",
                    params={"name": name, "login": login},
                )


def _taken(login: str) -> Conflict:
    return Conflict(
        f"The login {login!r} is already taken.",
        hint="Choose another login.",
        code="accounts.login_taken",
        params={"login": login},
    )
