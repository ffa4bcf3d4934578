"""The MQTT connector's hot path on the wire: incoming PUBLISH packets read in bulk, PUBACKs
sent in bulk, while the session itself (CONNECT, SUBSCRIBE, keep-alive, TLS, our own publishes,
reconnects) stays paho's, driven by aiomqtt on the event loop.

Why: paho reads a packet with three or more ``recv`` calls and builds a message object with its
MQTT 5 properties for each, and sends each PUBACK as its own queued packet: about 50 µs of Python
per one-value message on the benchmark machine, most of the whole budget (a bare paho
subscriber that only counts drains about 14,000 messages/s there). :class:`BulkReader` reads
what the socket holds in large chunks, splits it into packets, takes a PUBLISH's topic, packet
id and payload straight from the buffer and hands every other packet (CONNACK, SUBACK,
PINGRESP, the PUBACKs of our own publishes, DISCONNECT) to paho's own handler, so paho's state
stays exact. :func:`send_pubacks` queues the PUBACKs of a whole batch as one write.

Both use paho's private methods (``_sock_recv``, ``_packet_handle``, ``_packet_queue``,
``_in_packet``); :func:`supported` checks they are there, and the connector falls back to
paho's reader and ``ack`` otherwise.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

#: A received PUBLISH: topic (bytes as sent), payload, packet id (0 for QoS 0), QoS, and the
#: time it was read (µs since the epoch).
Message = tuple[bytes, bytes, int, int, int]

_PUBLISH = 0x30
_PUBACK = 0x40
_NEEDED = (
    "_sock_recv",
    "_packet_handle",
    "_packet_queue",
    "_packet_read",
    "_in_packet",
    "_msgtime_mutex",
    "_loop_rc_handle",
)


def supported(paho: Any) -> bool:
    """paho has what the bulk reader and :func:`send_pubacks` use."""
    return all(hasattr(paho, name) for name in _NEEDED)


def send_pubacks(paho: Any, mids: list[int]) -> None:
    """Acknowledge QoS 1 messages: one queued write of every PUBACK (MQTT 3.1.1 and 5: a
    success PUBACK is the four bytes ``40 02 <id>``)."""
    if not mids:
        return
    if not supported(paho):
        for mid in mids:
            paho.ack(mid, 1)
        return
    ids = np.asarray(mids, dtype=np.uint16)
    packets = np.empty((ids.size, 4), dtype=np.uint8)
    packets[:, 0] = _PUBACK
    packets[:, 1] = 2
    packets[:, 2] = ids >> 8
    packets[:, 3] = ids & 0xFF
    paho._packet_queue(_PUBACK, packets.tobytes(), 0, 0)


def _fresh_in_packet() -> dict[str, Any]:
    return {
        "command": 0, "have_remaining": 0, "remaining_count": [], "remaining_mult": 1,
        "remaining_length": 0, "packet": bytearray(b""), "to_process": 0, "pos": 0,
    }  # fmt: skip


class BulkReader:
    """Reads an aiomqtt client's socket in bulk (see the module docstring) and can pause.

    Messages go to ``inbox``; ``arrived`` is called after each read that added some. At most
    ``high`` messages are held: at that many it pauses (stops reading; the broker keeps the
    rest, TCP pushing back), bytes already read wait in its buffer, and :meth:`resume` goes on
    from them. That bound holds even where a broker sends more than Receive Maximum
    (Mosquitto 2.0.11 lets each PUBACK release up to that many queued messages).
    """

    #: Bytes asked of the socket at once, and reads per wake-up before yielding to the loop.
    CHUNK = 1 << 18
    READS = 8

    def __init__(
        self, client: Any, inbox: deque[Message], high: int, arrived: Callable[[], None]
    ) -> None:
        from paho.mqtt.client import MQTTv5

        self.client = client
        self.paho = client._client
        self.inbox = inbox
        self.high = high
        self.arrived = arrived
        self.v5 = self.paho._protocol == MQTTv5
        self.paused = False
        self.fd = -1
        self.rest = b""  # bytes read and not yet parsed (an incomplete packet, or paused)
        self.loop = asyncio.get_running_loop()

    def install(self) -> bool:
        """Take over the socket from aiomqtt's reader; False (nothing changed) where paho
        lacks what this needs."""
        sock = self.paho.socket()
        if sock is None or not supported(self.paho):
            return False
        self.fd = sock.fileno()
        self.loop.remove_reader(self.fd)
        self.loop.add_reader(self.fd, self.read)
        self.loop.call_soon(self.read)  # bytes a TLS layer already holds
        return True

    # -- reading ------------------------------------------------------------------------------

    def read(self) -> None:
        from paho.mqtt.client import MQTTErrorCode

        paho = self.paho
        try:
            # A packet paho began before we took over: paho finishes it (a packet boundary).
            while paho._in_packet["command"] and paho._sock is not None:
                rc = paho._packet_read()
                if rc == MQTTErrorCode.MQTT_ERR_AGAIN:
                    return
                if rc > 0:
                    paho._loop_rc_handle(rc)
                    return
            for _ in range(self.READS):
                if not self._parse() or self.paused or paho._sock is None:
                    return
                try:
                    data = paho._sock_recv(self.CHUNK)
                except BlockingIOError:
                    return
                except OSError:
                    paho._loop_rc_handle(MQTTErrorCode.MQTT_ERR_CONN_LOST)
                    return
                if not data:
                    paho._loop_rc_handle(MQTTErrorCode.MQTT_ERR_CONN_LOST)
                    return
                self.rest = self.rest + data if self.rest else data
                with paho._msgtime_mutex:
                    paho._last_bytes_received = time.monotonic()  # paho's keep-alive clock
            if self._parse() and not self.paused:
                self.loop.call_soon(self.read)  # more may wait (TLS holds bytes the fd hides)
        except Exception as exc:  # a broken connection: what aiomqtt's reader does
            lost = self.client._disconnected
            if not lost.done():
                lost.set_exception(exc)

    def _parse(self) -> bool:
        """Split :attr:`rest` into packets; False when the connection is to end."""
        buf = self.rest
        n = len(buf)
        if n < 2:
            return True
        inbox, high, v5 = self.inbox, self.high, self.v5
        before = len(inbox)
        now = time.time_ns() // 1000
        pos = 0
        ok = True
        while n - pos >= 2:
            if len(inbox) >= high:
                self.pause()
                break
            first = buf[pos]
            # remaining length: 1 to 4 bytes, 7 bits each
            p, length, shift = pos + 1, 0, 0
            while p < n:
                b = buf[p]
                p += 1
                length |= (b & 0x7F) << shift
                if b < 0x80:
                    break
                shift += 7
                if shift > 21:
                    raise ConnectionError("malformed remaining length from the broker")
            else:
                break  # the length is not complete yet
            end = p + length
            if end > n:
                break
            qos = (first >> 1) & 3
            if first & 0xF0 == _PUBLISH and qos < 2 and length >= 2:
                q = p + 2 + ((buf[p] << 8) | buf[p + 1])
                topic = buf[p + 2 : q]
                mid = 0
                if qos:
                    mid = (buf[q] << 8) | buf[q + 1]
                    q += 2
                if v5:  # properties (none we use: no topic aliases were offered)
                    plen, shift = 0, 0
                    while True:
                        b = buf[q]
                        q += 1
                        plen |= (b & 0x7F) << shift
                        if b < 0x80:
                            break
                        shift += 7
                    q += plen
                if q > end:
                    raise ConnectionError("malformed PUBLISH from the broker")
                inbox.append((topic, buf[q:end], mid, qos, now))
            elif not self._to_paho(first, length, buf[p:end]):
                ok = False
                pos = end
                break
            pos = end
        self.rest = buf[pos:] if pos < n else b""
        if len(inbox) > before:
            self.arrived()
        return ok

    def _to_paho(self, first: int, length: int, body: bytes) -> bool:
        """Any other packet: paho's own handler (it keeps the session's state)."""
        from paho.mqtt.client import MQTTErrorCode

        paho = self.paho
        paho._in_packet = {
            **_fresh_in_packet(), "command": first, "have_remaining": 1,
            "remaining_length": length, "packet": bytearray(body),
        }  # fmt: skip
        try:
            rc = paho._packet_handle()
        except Exception:  # paho's MalformedPacket and the like
            rc = MQTTErrorCode.MQTT_ERR_PROTOCOL
        finally:
            paho._in_packet = _fresh_in_packet()
        if rc > 0:
            paho._loop_rc_handle(rc)
            return False
        return paho._sock is not None

    # -- flow control -------------------------------------------------------------------------

    def pause(self) -> None:
        if not self.paused and self.fd >= 0:
            self.paused = True
            self.loop.remove_reader(self.fd)

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            if self.paho._sock is not None:
                self.loop.add_reader(self.fd, self.read)
                self.loop.call_soon(self.read)  # the bytes already read first
