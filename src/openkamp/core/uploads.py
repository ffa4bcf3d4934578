"""Uploaded files and JSON from users, taken safely (issue 9, findings 3 and 8).

* :func:`safe_name`: the file name of an upload, or :class:`InvalidInput` for a name that is no
  file name (``..``, ``.``, a NUL or control character, over 255 bytes in UTF-8).
* :func:`copy_limited`: copy an upload to a file, stopping as soon as it passes the limit
  (:class:`TooLarge`, the partial file removed).
* :func:`load_json`: parse JSON from a user, refusing what is not JSON and nesting deeper than
  :data:`MAX_JSON_DEPTH` (deep nesting made Python's parser and the code after it overflow).
* :func:`clean_at_start`: remove temporary upload folders (``okp-upload-*``, ``okp-score-*``)
  and the import wizard's staged files left by a server that stopped.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import IO, Any

from openkamp.core.errors import InvalidInput, TooLarge

MAX_NAME_BYTES = 255
MAX_JSON_DEPTH = 32
CHUNK = 1 << 20
TEMP_PREFIXES = ("okp-upload-", "okp-score-")
STAGED = "staged"


def size_text(n: int) -> str:
    """Bytes as a short size (``512 KB``, ``1 GB``)."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" or value >= 10 else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"  # pragma: no cover


def too_large(limit: int) -> TooLarge:
    return TooLarge(
        f"The file is too large: at most {size_text(limit)} can be uploaded.",
        hint="Split the file into smaller files (e.g. one per month) and upload them one by one.",
        code="upload.too_large",
        params={"limit": size_text(limit)},
    )


def over_quota(quota: int) -> TooLarge:
    return TooLarge(
        f"Your organisation's uploaded files waiting for import would pass {size_text(quota)}.",
        hint="Finish or abandon the imports in progress (staged files are removed after a day), "
        "then upload again.",
        code="upload.quota",
        params={"limit": size_text(quota)},
    )


def safe_name(filename: str | None, default: str = "upload") -> str:
    """The last part of an upload's file name, or ``default`` when it has none; a name that
    cannot be a file name is refused (it used to reach the file system and fail there)."""
    raw = filename or ""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    if not raw.strip():
        return default
    bad = (
        name in ("", ".", "..")
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
        or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES
    )
    if bad:
        shown = name[:60] + ("…" if len(name) > 60 else "")
        raise InvalidInput(
            f"The file name {shown!r} cannot be used.",
            hint=f"Rename the file (at most {MAX_NAME_BYTES} bytes, not '.' or '..') and upload it again.",
            code="upload.bad_name",
            params={"name": shown, "max": MAX_NAME_BYTES},
        )
    return name


def copy_limited(source: IO[bytes], target: Path, limit: int, error: TooLarge | None = None) -> int:
    """Copy ``source`` to ``target`` chunk by chunk; past ``limit`` bytes stop reading, remove
    ``target`` and raise ``error`` (default: :func:`too_large`). Returns the bytes written."""
    written = 0
    try:
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise error or too_large(limit)
                out.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return written


def folder_bytes(root: Path) -> int:
    if not root.is_dir():
        return 0
    total = 0
    for p in root.rglob("*"):
        try:
            if p.is_file():
                total += p.stat().st_size
        except OSError:  # removed meanwhile
            continue
    return total


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def load_json(raw: str | bytes, what: str) -> Any:
    """``raw`` parsed, or :class:`InvalidInput` (``input.not_json`` / ``input.too_deep``)
    naming ``what`` (e.g. ``options``)."""
    try:
        value = json.loads(raw)
    except RecursionError as exc:
        raise _too_deep(what) from exc
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        detail = getattr(exc, "msg", "not valid JSON")
        raise InvalidInput(
            f"{what} is not JSON: {detail}.",
            code="input.not_json",
            params={"what": what},
        ) from exc
    if _depth(value) > MAX_JSON_DEPTH:
        raise _too_deep(what)
    return value


def _too_deep(what: str) -> InvalidInput:
    return InvalidInput(
        f"{what} is nested too deeply (at most {MAX_JSON_DEPTH} levels).",
        code="input.too_deep",
        params={"what": what, "max": MAX_JSON_DEPTH},
    )


def clean_at_start(data_dir: Path) -> None:
    """Remove what uploads leave behind when a server stops mid-request: the temporary folders
    of uploads and scored files, and the import wizard's staged files."""
    if not data_dir.is_dir():
        return
    for entry in data_dir.iterdir():
        if entry.is_dir() and entry.name.startswith(TEMP_PREFIXES):
            shutil.rmtree(entry, ignore_errors=True)
    staged = data_dir / STAGED
    if staged.is_dir():
        for org in staged.iterdir():
            shutil.rmtree(org, ignore_errors=True) if org.is_dir() else org.unlink(missing_ok=True)
