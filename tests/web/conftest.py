"""Fixtures of the web UI tests.

``site`` (module scope) is a platform with a few days of the simulator's factory, its first
administrator, a viewer and one defect model; ``served`` also serves it with a real uvicorn server
on a free loopback port, for the browser tests.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from openkamp.api import create_app

from .support import Served, Site, free_port, load_platform


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    loaded = load_platform(tmp_path_factory.mktemp("web"))
    yield loaded
    loaded.kamp.close()


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[Served]:
    """The site served by a real uvicorn server on a free loopback port (in a thread)."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        create_app(platform=site.kamp), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield Served(site, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)
