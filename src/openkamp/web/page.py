"""What every page needs: the language, who is signed in, the CSRF token, and rendering.

``Page`` is the dependency of a page that reads; ``Posting`` of a form post that changes
something (it also checks the form's ``csrf_token``). Neither answers 401: a browser without a
session is sent to the sign-in page (or to the first-run set-up), and comes back afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse

from openkamp import __version__
from openkamp.api.deps import CSRF_HEADER, SESSION_COOKIE
from openkamp.core.errors import Forbidden, OpenKampError
from openkamp.core.tenancy import Principal, Role
from openkamp.i18n import t
from openkamp.platform import Platform

LANG_COOKIE = "okp_lang"
#: The session's CSRF token, kept beside the session cookie so pages can put it in forms
#: (an attacker's page can neither read it nor set it for our origin).
CSRF_COOKIE = "okp_csrf"
LANGS = ("ko", "en")
HERE = Path(__file__).parent

#: Navigation: (path, i18n key); the first whose path prefixes the request's is "current".
NAV = (
    ("/", "web.nav.overview"),
    ("/alerts", "alerting.nav"),
    ("/assets", "web_data.nav.assets"),
    ("/import", "web.nav.import"),
    ("/signals", "web.nav.signals"),
    ("/models", "web.nav.models"),
    ("/connections", "connectors.nav"),
    ("/sharing", "sharing_web.nav"),
    ("/settings", "web.nav.settings"),
)


class LoginRequired(Exception):  # a redirect, not an error: "sign in first"
    def __init__(self, to: str) -> None:
        super().__init__(to)
        self.to = to


def platform_of(request: Request) -> Platform:
    kamp: Platform = request.app.state.platform
    return kamp


def lang_of(request: Request) -> str:
    """The cookie's language, else the installation's default (Korean unless configured)."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGS:
        return chosen
    default = str(getattr(request.app.state.settings, "language", "ko"))
    return default if default in LANGS else "ko"


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go back to (never another site: ``//evil`` and ``http:`` are refused)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


@dataclass
class Viewer:
    """The signed-in user of a page request."""

    principal: Principal
    session: Any
    csrf: str
    name: str
    org: str

    @property
    def can_write(self) -> bool:
        return self.principal.has(Role.ENGINEER)

    @property
    def is_admin(self) -> bool:
        return self.principal.has(Role.ADMIN)


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _login_target(request: Request, kamp: Platform) -> str:
    accounts = getattr(kamp, "accounts", None)
    if accounts is not None and accounts.needs_setup():
        return "/setup"
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login" if here == "/" else f"/login?next={quote(here, safe='')}"


def viewer(request: Request) -> Viewer:
    """The signed-in user, or a redirect to sign in (or to set up a new installation)."""
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return,unused-ignore]
    kamp = platform_of(request)
    accounts = getattr(kamp, "accounts", None)
    cookie = request.cookies.get(SESSION_COOKIE)
    if accounts is None or not cookie:
        raise LoginRequired(_login_target(request, kamp))
    try:
        principal, session = accounts.authenticate_session(cookie)
    except OpenKampError as exc:
        if type(exc).__name__ in ("Unauthenticated", "TooManyAttempts", "NotFound"):
            raise LoginRequired(_login_target(request, kamp)) from exc
        raise
    csrf = _field(session, "csrf_token") or request.cookies.get(CSRF_COOKIE, "")
    org = kamp.meta.get_org(principal.org_id)
    org_name = str(org.get("display_name") or org.get("name") or "")
    if " / " in org_name:  # "기본 조직 / Default organisation": the page's language only
        ko, _, en = org_name.partition(" / ")
        org_name = ko if lang_of(request) == "ko" else en
    who = Viewer(
        principal=principal,
        session=session,
        csrf=str(csrf),
        name=str(_field(session, "display_name") or principal.name),
        org=org_name,
    )
    request.state.viewer = who
    request.state.principal = principal
    request.state.session = session
    return who


async def posting(request: Request, who: Annotated[Viewer, Depends(viewer)]) -> Viewer:
    """A signed-in user's form post, with its CSRF token checked (403 without it)."""
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        form = await request.form()
        value = form.get("csrf_token")
        token = value if isinstance(value, str) else None
    if not token:
        raise Forbidden("The form has no CSRF token.", hint="Reload the page and try again.")
    platform_of(request).accounts.check_csrf(who.session, token)
    return who


Page = Annotated[Viewer, Depends(viewer)]
Posting = Annotated[Viewer, Depends(posting)]


# --------------------------------------------------------------------------- rendering


def _when(value: Any, tz: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(tz)
        return value.strftime(fmt)
    return str(value)


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if v != v:  # NaN
        return "–"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = _num
    return env


def render(
    request: Request,
    template: str,
    who: Viewer | None = None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A page in the request's language: ``_`` translates, ``when`` shows local times."""
    lang = lang_of(request)
    settings = request.app.state.settings
    tz = settings.tz

    def tr(key: str, **kwargs: Any) -> str:
        return t(key, lang, **kwargs)

    path = request.url.path
    current = next((p for p, _ in reversed(NAV) if path == p or path.startswith(p + "/")), "")
    if path == "/":
        current = "/"
    here = path + (f"?{request.url.query}" if request.url.query else "")
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            lang=lang,
            other_lang="en" if lang == "ko" else "ko",
            _=tr,
            when=lambda v, fmt="%Y-%m-%d %H:%M": _when(v, tz, fmt),
            who=who,
            csrf=who.csrf if who else "",
            nav=NAV,
            current=current,
            here=quote(here, safe="/"),
            version=__version__,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status_code)
