"""Asset model service: the site → line → equipment → signal tree, and its AAS exchange."""

from openkamp.assets.service import AssetService, TreeChanges

__all__ = ["AssetService", "TreeChanges"]
