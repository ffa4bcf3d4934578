"""OpenKAMP: an open, self-hostable AI manufacturing platform for small factories.

The public surface (what users may rely on)::

    from openkamp import Platform, Settings, ImportOptions
    with Platform(Settings(data_dir="data")) as kamp:
        me = kamp.principal()
        report = kamp.imports.import_file(me, "press.csv", ImportOptions(equipment="plant1/line1/press01"))
        print(report.rows_read, report.rows_stored, report.rows_quarantined)
        result = kamp.ml.train(me, TrainSpec(task="classify", name="press01_defect",
                                             equipment="plant1/line1/press01", target="pass_fail"))

Everything else lives in modules whose names say what they are; import from there when needed.
"""

from openkamp.core.assets import (
    EquipmentSpec,
    LabelSpec,
    LabelType,
    LineSpec,
    NodeKind,
    SignalSpec,
    SiteSpec,
    ValueType,
)
from openkamp.core.errors import (
    Conflict,
    Forbidden,
    ImportRejected,
    InvalidInput,
    NotFound,
    OpenKampError,
    StorageError,
)
from openkamp.core.tenancy import Principal, Role
from openkamp.ingest.importer import ImportOptions, ImportReport
from openkamp.ml.service import TrainSpec
from openkamp.platform import Platform
from openkamp.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "Conflict",
    "EquipmentSpec",
    "Forbidden",
    "ImportOptions",
    "ImportRejected",
    "ImportReport",
    "InvalidInput",
    "LabelSpec",
    "LabelType",
    "LineSpec",
    "NodeKind",
    "NotFound",
    "OpenKampError",
    "Platform",
    "Principal",
    "Role",
    "Settings",
    "SignalSpec",
    "SiteSpec",
    "StorageError",
    "TrainSpec",
    "ValueType",
    "__version__",
]
