"""Row bookkeeping for imports: reasons, quarantine, repeated timestamps, read-ahead.

Each piece keeps memory bounded however large the file: quarantined rows and accepted
timestamps go to temporary files, and read-ahead holds at most one parsed chunk.
"""

from __future__ import annotations

import csv
import os
import queue
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np

from openkamp.ingest.readers import Chunk

_EXAMPLES = 20


class Quarantine:
    """Quarantined rows streamed to a temporary CSV (UTF-8 with BOM, so Excel opens it)."""

    def __init__(self) -> None:
        fd, self.path = tempfile.mkstemp(prefix="openkamp-quarantine-", suffix=".csv")
        self._fh = os.fdopen(fd, "w", encoding="utf-8-sig", newline="")
        self._w = csv.writer(self._fh)
        self._w.writerow(["row", "reason", "content"])
        self.count = 0
        self.reasons: Counter[str] = Counter()
        self.examples: list[dict[str, Any]] = []

    def add(self, row: int | None, reason: str, raw: str) -> None:
        self._w.writerow(["" if row is None else row, reason, raw])
        self.count += 1
        self.reasons[reason.split(":")[0]] += 1
        if len(self.examples) < _EXAMPLES:
            self.examples.append({"row": row, "reason": reason, "content": raw[:300]})

    def close(self) -> None:
        self._fh.close()

    def discard(self) -> None:
        self.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


class SeenTimes:
    """Finds repeated (key, timestamp) pairs across a whole file, with bounded memory.

    Accepted timestamps are appended to a temporary file, indexed by key and time range. Files
    are almost always in time order, so a chunk newer than everything seen needs no lookup; only
    chunks overlapping an earlier time range read that range back.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._index: dict[int, list[tuple[int, int, int, int]]] = {}  # key -> (min, max, offset, n)
        self._end = 0

    def close(self) -> None:
        self._file.close()

    def check(self, ts: np.ndarray, keys: np.ndarray | None = None) -> np.ndarray:
        """Mask of entries repeating an earlier one (in this chunk or a previous one)."""
        if keys is None:
            return self._check_key(0, ts)
        dup = np.zeros(len(ts), dtype=bool)
        for key in np.unique(keys):
            sel = np.flatnonzero(keys == key)
            dup[sel] = self._check_key(int(key), ts[sel])
        return dup

    def _check_key(self, key: int, t: np.ndarray) -> np.ndarray:
        if len(t) == 0:
            return np.zeros(0, dtype=bool)
        if len(t) == 1 or bool(np.all(t[1:] > t[:-1])):
            dup = np.zeros(len(t), dtype=bool)
        else:
            _, first = np.unique(t, return_index=True)
            dup = np.ones(len(t), dtype=bool)
            dup[first] = False  # later repeats inside the chunk
        lo, hi = int(t.min()), int(t.max())
        for a, b, offset, n in self._index.get(key, []):
            if a <= hi and lo <= b:
                self._file.seek(offset)
                seen = np.frombuffer(self._file.read(n * 8), dtype=np.int64)
                dup |= np.isin(t, seen)
        fresh = t[~dup]
        if len(fresh):
            self._file.seek(self._end)
            self._file.write(fresh.astype(np.int64).tobytes())
            self._index.setdefault(key, []).append(
                (int(fresh.min()), int(fresh.max()), self._end, len(fresh))
            )
            self._end += len(fresh) * 8
        return dup


class Reasons:
    """The first failure of each row of a chunk, as small integer codes.

    (Comparing object arrays of strings row by row cost more than parsing the chunk.)
    """

    def __init__(self, n: int) -> None:
        self.code = np.zeros(n, dtype=np.int32)
        self.texts = [""]

    def flag(self, mask: np.ndarray, text: str) -> None:
        """Give ``text`` as the reason of rows in ``mask`` that have none yet."""
        if not mask.any():
            return
        sel = mask & (self.code == 0)
        if sel.any():
            self.texts.append(text)
            self.code[sel] = len(self.texts) - 1

    @property
    def ok(self) -> np.ndarray:
        return self.code == 0

    def bad_rows(self) -> list[tuple[int, str]]:
        return [(int(i), self.texts[self.code[i]]) for i in np.flatnonzero(self.code)]


def prefetch(chunks: Iterator[Chunk], depth: int = 1) -> Iterator[Chunk]:
    """Read and parse the next chunk on another thread while this one is converted.

    Arrow's parser releases the GIL, so parsing overlaps with conversion and with the writer;
    ``depth`` bounds how many parsed chunks wait (memory stays bounded).
    """
    done = object()
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        q.put(chunk, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            q.put(done)
        except BaseException as exc:  # handed to the consumer
            q.put(exc)

    thread = threading.Thread(target=produce, name="import-read", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
