"""The MQTT connector's bulk reader reads exactly what paho reads: every PUBLISH of a byte stream
cut anywhere (MQTT 5 with properties and 3.1.1, QoS 0 and 1, lengths of one to three bytes),
every other packet handed whole to paho's handler, and at most ``high`` messages held."""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
from collections import deque
from typing import Any

import pytest
from paho.mqtt import _packet as paho_packet
from paho.mqtt.client import MQTTv5, MQTTv311

from openkamp.connectors.mqtt_wire import BulkReader, Message, send_pubacks


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _publish(rng: random.Random, v5: bool, mid: int) -> bytes:
    qos = rng.choice((0, 1))
    topics = [b"b/press01/s001", "공장/라인1/압력".encode(), b"\xff\xfe/bad"]
    topic = rng.choice([*topics, b""] if v5 else topics)  # 3.1.1: never empty
    size = rng.choice((0, 1, 40, 200, 20_000))  # remaining lengths of 1, 2 and 3 bytes
    body = struct.pack("!H", len(topic)) + topic + (struct.pack("!H", mid) if qos else b"")
    if v5:
        props = rng.choice([
            b"",
            b"\x02\x00\x00\x00\x3c",  # message expiry interval
            b"\x03\x00\x10application/json",  # content type
            b"\x26\x00\x01k\x00\x01v" * rng.randint(1, 30),  # user properties
        ])  # fmt: skip
        body += _varint(len(props)) + props
    body += rng.randbytes(size)
    return bytes([0x30 | qos << 1 | rng.choice((0, 1))]) + _varint(len(body)) + body


class _FakePaho:
    """What the reader uses of paho: a socket to read and the handler of other packets."""

    def __init__(self, protocol: int, chunks: list[bytes]) -> None:
        self._protocol = protocol
        self._sock: Any = object()
        self._in_packet: dict[str, Any] = {"command": 0}
        self._msgtime_mutex = threading.Lock()
        self._last_bytes_received = 0.0
        self.chunks = deque(chunks)
        self.handled: list[tuple[int, bytes, int]] = []
        self.errors: list[int] = []

    def _sock_recv(self, size: int) -> bytes:
        if not self.chunks:
            raise BlockingIOError
        return self.chunks.popleft()

    def _packet_handle(self) -> int:
        p = self._in_packet
        self.handled.append((p["command"], bytes(p["packet"]), p["remaining_length"]))
        return 0

    def _packet_read(self) -> int:
        raise AssertionError("no packet was begun by paho")

    def _packet_queue(self, *args: Any) -> int:
        return 0

    def _loop_rc_handle(self, rc: int) -> int:
        self.errors.append(rc)
        return rc


class _FakeClient:
    def __init__(self, paho: _FakePaho) -> None:
        self._client = paho
        self._disconnected: asyncio.Future[None] = asyncio.get_running_loop().create_future()


def _cut(stream: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(1, len(stream)), min(len(stream) - 1, 300)))
    return [stream[a:b] for a, b in zip([0, *cuts], [*cuts, len(stream)], strict=True)]


@pytest.mark.parametrize("protocol", [MQTTv5, MQTTv311])
def test_bulk_reader_reads_what_paho_reads(protocol: int) -> None:
    rng = random.Random(protocol)
    v5 = protocol == MQTTv5
    packets = []
    for i in range(400):
        if i % 37 == 5:
            packets.append(b"\xd0\x00")  # PINGRESP
        elif i % 53 == 7:
            packets.append(b"\x90\x04\x00\x07\x00\x01" if v5 else b"\x90\x03\x00\x07\x01")
        else:
            packets.append(_publish(rng, v5, 1 + i))
    chunks = _cut(b"".join(packets), rng)

    async def main() -> tuple[list[Message], _FakePaho]:
        paho = _FakePaho(protocol, chunks)
        inbox: deque[Message] = deque()
        reader = BulkReader(_FakeClient(paho), inbox, 10_000, lambda: None)
        while paho.chunks:
            reader.read()
        await asyncio.sleep(0)
        return list(inbox), paho

    got, paho = asyncio.run(main())
    assert paho.errors == []
    want_msgs, want_other = [], []
    for pkt in packets:
        if pkt[0] & 0xF0 == 0x30:
            rest = pkt[1:]
            while rest[0] & 0x80:
                rest = rest[1:]
            d = paho_packet.decode_publish(pkt[0], bytearray(rest[1:]), protocol)
            want_msgs.append((bytes(d.topic), bytes(d.payload), d.mid if d.qos else 0, d.qos))
        else:
            want_other.append((pkt[0], pkt[2:], pkt[1]))
    assert [(t, p, m, q) for t, p, m, q, _ in got] == want_msgs
    assert paho.handled == want_other


def test_bulk_reader_holds_at_most_high_and_resumes_from_its_buffer() -> None:
    rng = random.Random(3)
    packets = [_publish(rng, True, 1 + i) for i in range(50)]
    a, b = socket.socketpair()  # a real descriptor for the loop's reader

    async def main() -> list[int]:
        paho = _FakePaho(MQTTv5, [b"".join(packets)])
        paho._sock = a
        inbox: deque[Message] = deque()
        reader = BulkReader(_FakeClient(paho), inbox, 8, lambda: None)
        reader.fd = a.fileno()
        sizes = []
        while len(sizes) < 200 and (paho.chunks or reader.rest):
            reader.read()
            await asyncio.sleep(0)
            sizes.append(len(inbox))
            assert len(inbox) <= 8
            if reader.paused:
                inbox.clear()
                reader.resume()
        return sizes

    try:
        sizes = asyncio.run(main())
    finally:
        a.close()
        b.close()
    assert max(sizes) == 8 and sizes[-1] == 50 % 8


def test_pubacks_are_the_packets_paho_sends() -> None:
    class Queue:
        def __init__(self) -> None:
            self.packets: list[bytes] = []

        def _packet_queue(self, command: int, packet: bytes, mid: int, qos: int) -> int:
            assert command == 0x40
            self.packets.append(packet)
            return 0

        def __getattr__(self, name: str) -> Any:  # what supported() looks for
            return None

    q = Queue()
    mids = [1, 255, 256, 4660, 65535]
    send_pubacks(q, mids)
    assert q.packets == [b"".join(struct.pack("!BBH", 0x40, 2, m) for m in mids)]
