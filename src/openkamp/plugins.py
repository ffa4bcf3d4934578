"""Extension points (STYLE rule 7): one pluggy hook specification for all plugins.

Third-party packages declare an entry point in the ``openkamp`` group pointing at a module with
``@hookimpl`` functions. The built-in file readers are registered the very same way (see
``[project.entry-points.openkamp]`` in pyproject.toml), and are also loaded directly so that a
source checkout works without installation metadata.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("openkamp")
hookimpl = pluggy.HookimplMarker("openkamp")

#: Built-in plugins, by the entry-point name they are published under.
DEFAULT_PLUGINS = {
    "builtin_readers": "openkamp.ingest.readers",
    "builtin_connectors": "openkamp.connectors.builtin",
}


class Hooks:
    @hookspec
    def openkamp_file_readers(self) -> list[Any]:  # type: ignore[empty-body]
        """Return FileReader classes (each declares the file extensions it reads)."""

    @hookspec
    def openkamp_connectors(self) -> list[Any]:  # type: ignore[empty-body]
        """Return Connector classes (``openkamp.connectors.Connector`` subclasses, each with
        its ``kind`` and ``Config``)."""


@lru_cache(maxsize=1)
def plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("openkamp")
    pm.add_hookspecs(Hooks)
    for name, module in DEFAULT_PLUGINS.items():
        pm.register(importlib.import_module(module), name=name)
    pm.load_setuptools_entrypoints("openkamp")  # skips names already registered
    return pm


def file_readers() -> list[Any]:
    """All registered reader classes; plugins registered later take precedence."""
    return [cls for group in plugin_manager().hook.openkamp_file_readers() for cls in group]


def connectors() -> list[Any]:
    """All registered connector classes; plugins registered later take precedence."""
    return [cls for group in plugin_manager().hook.openkamp_connectors() for cls in group]
