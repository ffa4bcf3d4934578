"""The AASX the API serves: conformant for IDTA's test tool, and its time series links lead to the
data the same API serves."""

from __future__ import annotations

import io
import urllib.parse
import zipfile
from typing import Any

from aas_core3 import types as aas_types
from aas_core3 import xmlization
from aas_test_engines import file as test_engines

TIME_SERIES = "https://admin-shell.io/idta/TimeSeries/1/1"


def _env(package: bytes) -> aas_types.Environment:
    with zipfile.ZipFile(io.BytesIO(package)) as z:
        return xmlization.environment_from_str(z.read("aasx/data.xml").decode())


def _elements(container: object) -> dict[str, object]:
    children = getattr(container, "submodel_elements", None) or getattr(container, "value", None)
    return {e.id_short: e for e in children or []}


def test_exported_aasx_links_each_machine_to_its_data(world: Any) -> None:
    api = world.client("kim")
    response = api.get("/api/v1/assets/export.aasx")
    assert response.status_code == 200
    result = test_engines.check_aasx_file(io.BytesIO(response.content))
    assert result.ok() and result.level.name == "INFO"
    # The same organisation's next export is the same file (ids and bytes are stable).
    assert api.get("/api/v1/assets/export.aasx").content == response.content

    env = _env(response.content)
    series = [
        sm
        for sm in env.submodels or []
        if sm.semantic_id is not None and sm.semantic_id.keys[0].value == TIME_SERIES
    ]
    assert len(series) == 4  # each machine of the simulated factory
    for sm in series:
        segment = _elements(_elements(sm)["Segments"])["LinkedSegment"]
        fields = _elements(segment)
        endpoint, query = fields["Endpoint"].value, fields["Query"].value  # type: ignore[attr-defined]
        assert endpoint == "/api/v1/data/range"  # no public URL configured: the path alone
        paths = [v for _, v in urllib.parse.parse_qsl(query)]
        machine = paths[0].rsplit("/", 1)[0]
        assert sm.id.endswith(f":sm/{machine}/TimeSeries")  # urn:openkamp:<org>.<key>:sm/…
        assert all(p.startswith(machine + "/") for p in paths)
        got = api.get(f"{endpoint}?{query}&limit=5000")
        assert got.status_code == 200, got.text
        points = got.json()["points"]
        assert points, f"no data behind {query}"
        # The points are of the machine's signals the time series names (the API answers with
        # their short names).
        assert {p["signal"] for p in points} <= {p.rsplit("/", 1)[1] for p in paths}
