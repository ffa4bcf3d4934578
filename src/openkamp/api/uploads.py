"""Upload routes of the API read at most ``upload_max_bytes`` from the network.

FastAPI parses a multipart body (spooling its files to disk) before the route function runs,
so a limit checked there comes after a 200 MB upload has been read. :class:`UploadLimitRoute`,
the route class of the routers that take files, reads the body through a counter instead: a
declared ``Content-Length`` over the limit is refused at once, and reading stops as soon as the
body passes it; both answer 413 in the error shape (``upload.too_large``). Requests that are
not multipart pass through untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.types import Message

from openkamp.api.errors import error_body, status_of
from openkamp.core.errors import TooLarge
from openkamp.core.uploads import too_large

MULTIPART_SLACK = 64 * 1024  # boundaries, part headers and small form fields around the file


class UploadLimitRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            if not request.headers.get("content-type", "").startswith("multipart/"):
                return await handler(request)
            settings = request.app.state.platform.settings
            limit = int(settings.upload_max_bytes)
            error = too_large(limit)
            declared = request.headers.get("content-length", "")
            if declared.isdecimal() and int(declared) > limit + MULTIPART_SLACK:
                return JSONResponse(error_body(error, request), status_code=status_of(error))
            receive = request.receive
            seen = 0

            async def counted() -> Message:
                nonlocal seen
                message = await receive()
                seen += len(message.get("body", b""))
                if seen > limit + MULTIPART_SLACK:
                    raise error
                return message

            try:
                return await handler(Request(request.scope, counted))
            except TooLarge as exc:
                return JSONResponse(error_body(exc, request), status_code=status_of(exc))
            except HTTPException as exc:  # FastAPI wraps errors of body parsing in a 400
                if isinstance(exc.__cause__, TooLarge):
                    cause = exc.__cause__
                    return JSONResponse(error_body(cause, request), status_code=status_of(cause))
                raise

        return limited
