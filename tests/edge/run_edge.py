"""``openkamp edge …`` with the test ticker connector registered (run as a child process)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.edge import ticker_plugin

from openkamp.plugins import plugin_manager

if __name__ == "__main__":
    plugin_manager().register(ticker_plugin, name="edge_ticker")
    from openkamp.cli.main import main

    main()
