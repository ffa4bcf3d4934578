"""What the signals of an AAS export mean: IEC 61360 concept descriptions and the IDTA 02008
*Time Series Data* submodel that links each machine's signals to the platform's data API.

* Every signal has a **concept description** (``{ns}cd/{site}/{line}/{eq}/{signal}``) with the
  IEC 61360 data specification (IDTA-01003-a 3.0.1, template id ``…/DataSpecificationIec61360/3``):
  preferred name (ko/en), a definition (English is mandatory, AASc-3a-008), the data type and the
  unit as a UCUM code (:func:`openkamp.assets.units.ucum_code`). A unit with no UCUM code is left
  out here (and its dataType with it, AASc-3a-009); its display text stays in the signal's
  ``Unit`` property. The signal's collection in ``OperationalData`` and its variable in the time
  series name the concept description by a global reference to its id.
* Every machine with signals has a **TimeSeries** submodel (IDTA 02008-1-1): ``Metadata`` with
  the ``Record`` of a row (``Time`` and one variable per signal) and ``Segments`` with one
  ``LinkedSegment`` whose ``Endpoint`` is the data API's range read and whose ``Query`` names the
  machine's signals (``signal=site/line/eq/name&…``), so a client reads the data from there.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence

from basyx.aas import model
from basyx.aas.model import datatypes

from openkamp.assets.units import ucum_code
from openkamp.core.assets import EquipmentSpec, SignalSpec, ValueType

__all__ = ["IEC_61360", "SEM_TIME_SERIES", "global_ref", "signal_concept", "time_series"]

IEC_61360 = "https://admin-shell.io/DataSpecificationTemplates/DataSpecificationIec61360/3"
_TS = "https://admin-shell.io/idta/TimeSeries/"
SEM_TIME_SERIES = _TS + "1/1"
SEM_TS_METADATA = _TS + "Metadata/1/1"
SEM_TS_NAME = _TS + "Metadata/Name/1/1"
SEM_TS_RECORD = _TS + "Record/1/1"
SEM_TS_TIME = _TS + "UtcTime/1/1"
SEM_TS_SEGMENTS = _TS + "Segments/1/1"
SEM_TS_LINKED = _TS + "Segments/LinkedSegment/1/1"
SEM_TS_SEGMENT_NAME = _TS + "Segment/Name/1/1"
SEM_TS_ENDPOINT = _TS + "Endpoint/1/1"
SEM_TS_QUERY = _TS + "Query/1/1"

_PREFERRED_MAX = 255  # PreferredNameTypeIec61360
_XS = {
    ValueType.FLOAT: datatypes.Double,
    ValueType.INT: datatypes.Long,
    ValueType.BOOL: datatypes.Boolean,
}


def global_ref(iri: str) -> model.ExternalReference:
    return model.ExternalReference((model.Key(model.KeyTypes.GLOBAL_REFERENCE, iri),))


def signal_concept(
    cd_id: str, id_short: str, sig: SignalSpec, eq_path: str
) -> model.ConceptDescription:
    """The IEC 61360 concept description of one signal of the machine at ``eq_path``."""
    en = sig.name_en or sig.name
    preferred = {"en": en[:_PREFERRED_MAX]}
    if sig.name_ko:
        preferred["ko"] = sig.name_ko[:_PREFERRED_MAX]
    definition = {
        "en": f"{en}: signal '{sig.name}' of the equipment '{eq_path}', recorded by OpenKAMP.",
        "ko": f"{sig.name_ko or sig.name}: 설비 '{eq_path}'의 신호 '{sig.name}' (OpenKAMP 수집).",
    }
    unit = ucum_code(sig.unit)
    content = model.DataSpecificationIEC61360(
        model.PreferredNameTypeIEC61360(preferred),
        data_type=_data_type(ValueType(sig.value_type), unit, bool(sig.unit.strip())),
        definition=model.DefinitionTypeIEC61360(definition),
        unit=unit,
    )
    spec = model.EmbeddedDataSpecification(global_ref(IEC_61360), content)
    return model.ConceptDescription(cd_id, id_short=id_short, embedded_data_specifications=[spec])


def _data_type(
    value_type: ValueType, ucum: str | None, has_unit: bool
) -> model.DataTypeIEC61360 | None:
    if value_type is ValueType.BOOL:
        return model.DataTypeIEC61360.BOOLEAN
    measure, count = _MEASURE_COUNT[value_type]
    if ucum is not None:
        return measure
    # A unit UCUM has no code for: still a measure, but a measure needs its unit (AASc-3a-009)
    # and calling it a count would be wrong, so the concept gives no data type.
    return None if has_unit else count


_MEASURE_COUNT = {
    ValueType.FLOAT: (model.DataTypeIEC61360.REAL_MEASURE, model.DataTypeIEC61360.REAL_COUNT),
    ValueType.INT: (model.DataTypeIEC61360.INTEGER_MEASURE, model.DataTypeIEC61360.INTEGER_COUNT),
}


def time_series(
    sm_id: str,
    eq: EquipmentSpec,
    eq_path: str,
    variables: Sequence[tuple[str, SignalSpec, str]],
    data_api: str,
) -> model.Submodel:
    """The Time Series Data submodel of one machine; ``variables`` are (idShort, signal,
    concept description id) in signal order."""
    names = {"en": f"Signals of {eq.name_en or eq.name}"[:128]}
    names["ko"] = f"{eq.name_ko or eq.name}의 신호"[:128]
    record = [model.Property("Time", datatypes.DateTime, semantic_id=global_ref(SEM_TS_TIME))]
    record += [
        model.Property(id_short, _XS[ValueType(sig.value_type)], semantic_id=global_ref(cd_id))
        for id_short, sig, cd_id in variables
    ]
    metadata = model.SubmodelElementCollection(
        "Metadata",
        [
            model.MultiLanguageProperty(
                "Name", model.MultiLanguageTextType(names), semantic_id=global_ref(SEM_TS_NAME)
            ),
            model.SubmodelElementCollection(
                "Record", record, semantic_id=global_ref(SEM_TS_RECORD)
            ),
        ],
        semantic_id=global_ref(SEM_TS_METADATA),
    )
    query = urllib.parse.urlencode(
        [("signal", f"{eq_path}/{sig.name}") for _, sig, _ in variables], safe="/"
    )
    segment = model.SubmodelElementCollection(
        "LinkedSegment",
        [
            model.MultiLanguageProperty(
                "Name",
                model.MultiLanguageTextType({"en": "Stored data", "ko": "저장된 데이터"}),
                semantic_id=global_ref(SEM_TS_SEGMENT_NAME),
            ),
            model.Property(
                "Endpoint",
                datatypes.String,
                f"{data_api}/range",
                semantic_id=global_ref(SEM_TS_ENDPOINT),
            ),
            model.Property("Query", datatypes.String, query, semantic_id=global_ref(SEM_TS_QUERY)),
        ],
        semantic_id=global_ref(SEM_TS_LINKED),
    )
    segments = model.SubmodelElementCollection(
        "Segments", [segment], semantic_id=global_ref(SEM_TS_SEGMENTS)
    )
    return model.Submodel(
        sm_id, [metadata, segments], id_short="TimeSeries", semantic_id=global_ref(SEM_TIME_SERIES)
    )
