"""The server-rendered web UI: Jinja2 pages over the same services as the API.

``install(app)`` adds the pages, the static files (one stylesheet, a few small scripts, all
served by the app itself: no CDN, so it runs on an air-gapped factory network) and the error pages
to an application built by :func:`openkamp.api.create_app`. Pages render in Korean by default;
the language switch keeps the choice in a cookie.

Who is signed in comes from the session cookie the accounts service issued; every form carries the
session's CSRF token (and scripts send it as ``X-CSRF-Token``, read from a ``<meta>`` tag). Pages
never reach around the service layer: where a page does what an API route does, it calls that
route's function (one code path, the same checks).
"""

from __future__ import annotations

from openkamp.web.app import install

__all__ = ["install"]
