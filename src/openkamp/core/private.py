"""The data folder is private to the account that runs the platform (issue 9, finding 5).

It holds password hashes, session and CSRF tokens (the metadata database), the factory's data
and uploaded files: folders are 0700 and files 0600. :func:`make_private` is called when the
platform opens its data folder: it narrows the process's umask (so every file and folder created
afterwards, by SQLite, DuckDB, the files store or an upload, is private) and tightens what is
already there (a folder created before, by an older version or by hand, with wider modes).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["DIR_MODE", "FILE_MODE", "make_private"]

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private(data_dir: Path) -> None:
    """Create ``data_dir`` (0700) if needed, keep what is created from now on private, and
    tighten every folder and file already under it (symbolic links are not followed)."""
    os.umask(os.umask(0o077) | 0o077)  # keeps a stricter umask the process already has
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _tighten(data_dir, DIR_MODE)
    for root, dirs, files in os.walk(data_dir):
        for name in dirs:
            _tighten(Path(root, name), DIR_MODE)
        for name in files:
            _tighten(Path(root, name), FILE_MODE)


def _tighten(path: Path, want: int) -> None:
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode) or st.st_uid != os.getuid():
            return
        mode = stat.S_IMODE(st.st_mode)
        # Owner bits as wanted (a folder must stay enterable); nothing for group and others.
        new = (mode & 0o700 | want) if stat.S_ISDIR(st.st_mode) else (mode & 0o700 | FILE_MODE)
        if new != mode:
            os.chmod(path, new)
    except FileNotFoundError:  # removed meanwhile (a finished upload, a WAL file)
        pass
