"""The platform as its own process for the SIGKILL test: opens the data folder, resumes its
enabled connections, and prints how many points of one signal are stored and the connection's state, every 0.2 s, until
it is killed or gets SIGTERM (then it closes cleanly)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.connectors_mqtt.conftest import open_platform


def main() -> None:
    data, org, sid = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    kamp = open_platform(data)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    kamp.live.start()
    (conn,) = kamp.meta.find(org, "connection")
    while not stop.wait(0.2):
        state = kamp.live.status(conn)["state"]
        print("stored", kamp.ts.read(org, [sid]).num_rows, state, flush=True)
    kamp.close()
    print("closed", flush=True)


if __name__ == "__main__":
    main()
