"""AAS V3.0 files: the JSON environment and the AASX package, written byte for byte the same.

The shells and submodels are built with the BaSyx SDK (``basyx.aas``), whose releases follow the
newest metamodel: basyx 2.1 and later write AAS 3.1, so the version of a file would depend on the
day OpenKAMP was installed. Files are therefore written through aas-core3.0, the reference SDK of
the V3.0 metamodel: basyx's JSON is read by aas-core3.0 (which refuses anything V3.0 does not
allow), every V3.0 constraint is verified, and aas-core3.0 writes the JSON and the XML. The
version a file declares is the one the official test tool (aas-test-engines) checks.

Determinism: the environment keeps the order in which the shells, submodels and concept
descriptions were built, and a shell's submodel references (a set in basyx) are sorted by id.
AASX parts carry a fixed zip time stamp and the core properties no creation time, so exporting
the same asset model twice gives the same bytes.

Reading: JSON and AASX packages whose XML part declares AAS 3.0 are read through aas-core3.0, and
packages written by earlier OpenKAMP versions (AAS 3.1 XML) through basyx; both end as a basyx
object store (strict: nothing is skipped silently).
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import IO, Any, BinaryIO, cast

import pyecma376_2
from aas_core3 import jsonization, verification, xmlization
from aas_core3 import types as aas_types
from basyx.aas import model
from basyx.aas.adapter.json import object_store_to_json, read_aas_json_file
from basyx.aas.adapter.xml import read_aas_xml_file

from openkamp.core.errors import InvalidInput

__all__ = ["read_aasx", "to_environment", "write_aasx", "write_json"]

AAS_PART = "/aasx/data.xml"
ORIGIN_PART = "/aasx/aasx-origin"
REL_ORIGIN = "http://admin-shell.io/aasx/relationships/aasx-origin"
REL_SPEC = "http://admin-shell.io/aasx/relationships/aas-spec"
# Earlier names of the relationship types, still found in packages (read, never written).
_REL_ALIASES = {
    REL_ORIGIN: ("http://www.admin-shell.io/aasx/relationships/aasx-origin",),
    REL_SPEC: ("http://www.admin-shell.io/aasx/relationships/aas-spec",),
}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest zip time: no clock in the package


def to_environment(store: model.DictIdentifiableStore) -> aas_types.Environment:
    """The store as a verified AAS V3.0 environment (raises InvalidInput on a violation)."""
    jsonable = _canonical(json.loads(object_store_to_json(store)))
    try:
        env = jsonization.environment_from_jsonable(jsonable)
    except jsonization.DeserializationException as e:
        raise InvalidInput(
            f"The asset tree cannot be written as AAS 3.0: {e.cause} at {e.path}.",
            hint="Fix that value; AAS texts have length limits and may not contain control "
            "characters.",
        ) from e
    errors = [f"{e.path}: {e.cause}" for e in verification.verify(env)]
    if errors:
        raise InvalidInput(
            f"The asset tree cannot be written as AAS 3.0: {'; '.join(errors[:3])}.",
            hint="Fix those values; AAS texts have length limits and may not contain control "
            "characters.",
        )
    return env


def _canonical(node: Any) -> Any:
    """Leave out empty arrays (V3.0 forbids them: an optional list is absent or has an item) and
    sort each shell's submodel references, which basyx holds in a set."""
    if isinstance(node, list):
        return [_canonical(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _canonical(v) for k, v in node.items() if not (isinstance(v, list) and not v)}
    if out.get("modelType") == "AssetAdministrationShell" and "submodels" in out:
        out["submodels"].sort(key=lambda ref: [k["value"] for k in ref["keys"]])
    return out


def write_json(env: aas_types.Environment, path_or_file: Any) -> None:
    """Write ``env`` as a V3.0 JSON environment (UTF-8) to a path or an open text/binary file."""
    text = json.dumps(jsonization.to_jsonable(env), ensure_ascii=False, indent=2) + "\n"
    _write(path_or_file, text)


def _write(path_or_file: Any, text: str) -> None:
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    elif isinstance(path_or_file, io.TextIOBase):
        path_or_file.write(text)
    else:
        path_or_file.write(text.encode("utf-8"))


class _FixedTimeZipWriter(pyecma376_2.ZipPackageWriter):
    """An OPC zip package whose items carry one fixed time stamp (the writer's only clock)."""

    def create_item(self, name: str, content_type: str) -> BinaryIO:
        info = zipfile.ZipInfo(name[1:], date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        return cast(BinaryIO, self.open(info, mode="w"))


def write_aasx(
    env: aas_types.Environment, path_or_file: str | os.PathLike[str] | IO[bytes], creator: str
) -> None:
    """Write ``env`` as an AASX package: one XML part, ``/aasx/data.xml``, and core properties
    (the creator only: a creation time would make every export differ)."""
    # A CR in a text would reach a reader as LF (XML normalises line ends) unless written as a
    # character reference; aas-core3.0 writes no CR of its own.
    text = xmlization.to_str(env).replace("\r", "&#13;")
    xml = b"<?xml version='1.0' encoding='UTF-8'?>\n" + text.encode("utf-8")
    props = pyecma376_2.OPCCoreProperties()
    props.creator = creator
    with _FixedTimeZipWriter(path_or_file) as writer:
        writer.open_part(ORIGIN_PART, "text/plain").close()
        with writer.open_part(AAS_PART, "application/xml") as part:
            part.write(xml)
        writer.write_relationships([_relationship("r1", REL_SPEC, AAS_PART)], ORIGIN_PART)
        with writer.open_part("/docProps/core.xml", "application/xml") as part:
            props.write_xml(part)
        writer.write_relationships(
            [
                _relationship("r1", REL_ORIGIN, ORIGIN_PART),
                _relationship(
                    "r2", pyecma376_2.RELATIONSHIP_TYPE_CORE_PROPERTIES, "/docProps/core.xml"
                ),
            ]
        )


def _relationship(rid: str, kind: str, target: str) -> pyecma376_2.OPCRelationship:
    return pyecma376_2.OPCRelationship(rid, kind, target, pyecma376_2.OPCTargetMode.INTERNAL)


def read_json(path_or_file: Any) -> model.DictIdentifiableStore:
    """A V3.0 (or 3.1) JSON environment as a basyx store (strict)."""
    return read_aas_json_file(path_or_file, failsafe=False)


def read_aasx(path_or_file: str | os.PathLike[str] | IO[bytes]) -> model.DictIdentifiableStore:
    """Every AAS part of an AASX package as one basyx store (strict)."""
    store: model.DictIdentifiableStore = model.DictIdentifiableStore()
    reader = pyecma376_2.ZipPackageReader(path_or_file)
    try:
        for origin in _related(reader, "/", REL_ORIGIN):
            for part in _related(reader, origin, REL_SPEC):
                with reader.open_part(part) as f:
                    data = f.read()
                for obj in _parse_part(part, data):
                    store.add(obj)  # a duplicate id raises: packages must not repeat one
    finally:
        reader.close()
    return store


def _related(reader: Any, source: str, kind: str) -> list[str]:
    found = reader.get_related_parts_by_type(source)
    return [p for k in (kind, *_REL_ALIASES[kind]) for p in found.get(k, [])]


def _parse_part(name: str, data: bytes) -> model.DictIdentifiableStore:
    if name.lower().endswith(".json"):
        return read_json(io.BytesIO(data))
    if xmlization.NAMESPACE.encode() in data[:1024]:
        # AAS 3.0 XML: aas-core3.0 reads it, basyx takes it over through the JSON form.
        env = xmlization.environment_from_str(data.decode("utf-8"))
        return read_json(io.StringIO(json.dumps(jsonization.to_jsonable(env))))
    return read_aas_xml_file(io.BytesIO(data), failsafe=False)
