"""Edge forwarding: a factory PC collects from its local connectors into a disk-backed queue
and forwards to a remote OpenKAMP's HTTP ingest (``openkamp edge``).

* :class:`~openkamp.edge.queue.DiskQueue`: durable, bounded store-and-forward queue (SQLite WAL,
  fsync'd appends; full = the connectors wait, nothing dropped).
* :class:`~openkamp.edge.forwarder.Forwarder`: sends the oldest batches as Arrow IPC, several
  requests in flight, coalescing a backlog into large requests; a batch leaves the queue only
  after the remote's 2xx.
* :class:`~openkamp.edge.runner.Edge`: the local platform (asset model mirrored from the
  remote, connection records, the same connector runtime) with the queue as its store.
"""

from __future__ import annotations

from openkamp.edge.queue import DiskQueue, read_stats

__all__ = ["DiskQueue", "read_stats"]
