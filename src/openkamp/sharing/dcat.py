"""The data catalog as DCAT-AP 3.0 JSON-LD (issue 11, item 1).

:func:`catalog_jsonld` turns plain offer records (:class:`OfferRecord`, what the catalog service
reads from its tables) into one ``dcat:Catalog`` with a ``dcat:Dataset`` and a
``dcat:Distribution`` per offer, written so that it validates against the official DCAT-AP 3.0.0
SHACL shapes (``dcat-ap-SHACL.ttl`` with the release's ``range.ttl`` and
``mdr-vocabularies.shape.ttl``; the tests run pyshacl on them). The document carries its own
``@context`` (no remote context to fetch) and a flat ``@graph``.

How an offer is described:

- ``dct:title`` / ``dct:description`` in Korean and English (language-tagged), ``dcat:keyword``
  (the offer's keywords plus the labels of its equipment type, industry and problem),
  ``dct:issued`` / ``dct:modified`` and the coverage ``dct:temporal`` (``dcat:startDate`` /
  ``dcat:endDate``) as ``xsd:dateTime``, ``dcat:version`` and the schema hash as an
  ``adms:identifier``.
- ``dct:publisher``: the owning organisation as a ``foaf:Agent`` (``foaf:name`` in both
  languages, ``dct:type`` from the ADMS publisher types); ``dcat:contactPoint`` a
  ``vcard:Kind`` when the organisation gives an address.
- Controlled vocabularies the shapes check, from the EU Publications Office: ``dct:language``
  (language NAL), ``dct:spatial`` (country NAL), ``dcat:theme`` (data-theme NAL: TECH),
  ``dct:accessRights`` (access-right NAL: RESTRICTED, since every offer is under contract),
  ``dct:format`` (file-type NAL) and ``dcat:mediaType`` (IANA). Each concept used is described
  in the graph (type, ``skos:inScheme``, ``skos:prefLabel``), which is what the shapes test.
- The equipment type, industry (KSIC code) and problem are ``dct:subject`` concepts in OpenKAMP
  schemes: DCAT-AP's ``dcat:theme`` is meant for the EU data themes (the shapes warn on others).
- The distribution: ``dcat:accessURL`` the offer's API address, ``dcat:accessService`` the
  platform's API (a ``dcat:DataService``), ``dct:format`` / ``dcat:mediaType``, and the usage
  policy: ``odrl:hasPolicy`` and ``dct:rights`` both name the ODRL Offer of
  :mod:`openkamp.sharing.policy` (typed ``odrl:Offer``, ``odrl:Policy``, ``dct:RightsStatement``).
- The quality certificate: a ``dqv:QualityCertificate`` annotation whose body is the
  certificate's page, the five quality indices and the grade as ``dqv:QualityMeasurement``s,
  and the page again as ``foaf:page`` (documentation).

What the shapes still warn about, correctly: the publishers are not in the EU corporate-bodies
authority list (Korean factories never are), so each ``dct:publisher`` draws one warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openkamp.core.errors import InvalidInput
from openkamp.i18n import t

DCAT = "http://www.w3.org/ns/dcat#"
CONTEXT: Mapping[str, str] = {
    "dcat": DCAT,
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "adms": "http://www.w3.org/ns/adms#",
    "dqv": "http://www.w3.org/ns/dqv#",
    "oa": "http://www.w3.org/ns/oa#",
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "dcatap": "http://data.europa.eu/r5r/",
}
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
ADMS_PUBLISHER_TYPES = "http://purl.org/adms/publishertype/1.0"

# EU language NAL (ISO 639-2/B-like codes) for the BCP 47 tags the platform writes.
LANGUAGES: Mapping[str, tuple[str, str, str]] = {
    "ko": ("KOR", "한국어", "Korean"),
    "en": ("ENG", "영어", "English"),
    "ja": ("JPN", "일본어", "Japanese"),
    "zh": ("ZHO", "중국어", "Chinese"),
    "de": ("DEU", "독일어", "German"),
    "vi": ("VIE", "베트남어", "Vietnamese"),
}
# EU country NAL (ISO 3166-1 alpha-3) for the countries the platform's factories are in.
COUNTRIES: Mapping[str, tuple[str, str]] = {
    "KOR": ("대한민국", "Republic of Korea"),
    "VNM": ("베트남", "Viet Nam"),
    "CHN": ("중국", "China"),
    "USA": ("미국", "United States"),
    "DEU": ("독일", "Germany"),
    "JPN": ("일본", "Japan"),
}
# EU file-type NAL code -> IANA media type, for the formats an offer is delivered in.
FILE_TYPES: Mapping[str, str] = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "PARQUET": "application/vnd.apache.parquet",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PUBLISHER_TYPES = (
    "Company",
    "IndustryConsortium",
    "Academia-ScientificOrganisation",
    "NonProfitOrganisation",
    "RegionalAuthority",
    "NationalAuthority",
    "LocalAuthority",
)
QUALITY_INDICES = ("completeness", "uniqueness", "validity", "consistency", "accuracy")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
_HTTP = re.compile(r"https?://[^\s/?#<>\"]+[^\s<>\"]*")


@dataclass(frozen=True)
class Text:
    """A text in Korean and English (both required: the catalog is bilingual)."""

    ko: str
    en: str


@dataclass(frozen=True)
class Agent:
    """An organisation: the platform operator (catalog) or a data owner (offer)."""

    iri: str
    name: Text
    kind: str = "Company"  # an ADMS publisher type
    email: str | None = None  # the contact point, when given
    homepage: str | None = None


@dataclass(frozen=True)
class Concept:
    """A code of an OpenKAMP vocabulary with its labels (equipment type, KSIC industry, problem)."""

    code: str
    label: Text


@dataclass(frozen=True)
class QualityCertificate:
    """The platform-signed quality certificate of the offered snapshot."""

    grade: str
    url: str  # the certificate's page: reproducible from the snapshot, signed by the platform
    issued: datetime
    indices: Mapping[str, float] = field(default_factory=dict)  # QUALITY_INDICES, 0..1


@dataclass(frozen=True)
class OfferRecord:
    """One catalog offer as the catalog service stores it."""

    offer_id: str
    title: Text
    description: Text
    publisher: Agent
    equipment_type: Concept
    industry: Concept  # code: KSIC
    problem: Concept
    coverage_start: datetime
    coverage_end: datetime
    issued: datetime
    modified: datetime
    page_url: str  # the offer's page on the platform (landing page)
    access_url: str  # the offer's API address (the distribution's access URL)
    policy_iri: str  # the ODRL Offer of the usage policy
    file_type: str = "CSV"
    keywords: tuple[Text, ...] = ()
    version: str | None = None
    schema_hash: str | None = None
    languages: tuple[str, ...] = ("ko",)  # languages of the data's texts (labels, categories)
    country: str = "KOR"
    quality: QualityCertificate | None = None


@dataclass(frozen=True)
class CatalogInfo:
    """The catalog itself: the platform's installation."""

    base_url: str  # public URL of the installation: IRIs of the catalog and its offers
    title: Text
    description: Text
    publisher: Agent
    issued: datetime
    modified: datetime
    homepage: str | None = None
    languages: tuple[str, ...] = ("ko", "en")
    country: str = "KOR"


def dataset_iri(base_url: str, offer_id: str) -> str:
    return f"{base_url.rstrip('/')}/catalog/offers/{offer_id}"


def catalog_jsonld(catalog: CatalogInfo, offers: Iterable[OfferRecord]) -> dict[str, Any]:
    """The DCAT-AP 3.0 JSON-LD document of ``catalog`` with ``offers`` (checked first: an
    unknown code, a relative IRI, a time without zone or a missing translation raises
    :class:`InvalidInput`, code ``catalog.invalid.<reason>``)."""
    offers = list(offers)
    _check_catalog(catalog)
    for i, offer in enumerate(offers):
        _check_offer(offer, f"offers[{i}]")
    base = catalog.base_url.rstrip("/")
    nodes = _Nodes()
    service = f"{base}/api/v1"
    catalog_node: dict[str, Any] = {
        "@id": f"{base}/catalog",
        "@type": "dcat:Catalog",
        "dct:title": _text(catalog.title),
        "dct:description": _text(catalog.description),
        "dct:publisher": nodes.agent(catalog.publisher),
        "dct:issued": _time(catalog.issued),
        "dct:modified": _time(catalog.modified),
        "dct:language": [nodes.language(code) for code in catalog.languages],
        "dct:spatial": nodes.country(catalog.country),
        "dcat:themeTaxonomy": nodes.scheme(f"{EU}data-theme", Text("데이터 주제", "Data theme")),
        "dcat:service": {"@id": service},
        "dcat:dataset": [{"@id": dataset_iri(base, o.offer_id)} for o in offers],
    }
    if catalog.homepage:
        catalog_node["foaf:homepage"] = {"@id": catalog.homepage, "@type": "foaf:Document"}
    service_node = {
        "@id": service,
        "@type": "dcat:DataService",
        "dct:title": _text(Text(f"{catalog.title.ko} API", f"{catalog.title.en} API")),
        "dcat:endpointURL": _resource(service),
        "dcat:endpointDescription": _resource(f"{service}/openapi.json"),
        "dcat:servesDataset": [{"@id": dataset_iri(base, o.offer_id)} for o in offers],
    }
    datasets = [_dataset(base, service, offer, nodes) for offer in offers]
    return {
        "@context": dict(CONTEXT),
        "@graph": [catalog_node, service_node, *datasets, *nodes.values()],
    }


def _dataset(base: str, service: str, o: OfferRecord, nodes: _Nodes) -> dict[str, Any]:
    iri = dataset_iri(base, o.offer_id)
    subjects = [
        nodes.concept("equipment-type", o.equipment_type, Text("설비 종류", "Equipment type")),
        nodes.concept(
            "ksic",
            o.industry,
            Text("한국표준산업분류", "Korean Standard Industrial Classification"),
        ),
        nodes.concept("problem", o.problem, Text("제조 문제", "Manufacturing problem")),
    ]
    keywords = [*o.keywords, o.equipment_type.label, o.industry.label, o.problem.label]
    node: dict[str, Any] = {
        "@id": iri,
        "@type": "dcat:Dataset",
        "dct:identifier": o.offer_id,
        "dct:title": _text(o.title),
        "dct:description": _text(o.description),
        "dct:publisher": nodes.agent(o.publisher),
        "dcat:keyword": _unique([v for k in keywords for v in _text(k)]),
        "dcat:theme": nodes.nal("data-theme", "TECH", Text("과학 기술", "Science and technology")),
        "dct:subject": subjects,
        "dct:language": [nodes.language(code) for code in o.languages],
        "dct:spatial": nodes.country(o.country),
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": _time(o.coverage_start),
            "dcat:endDate": _time(o.coverage_end),
        },
        "dct:issued": _time(o.issued),
        "dct:modified": _time(o.modified),
        "dct:accessRights": nodes.nal(
            "access-right", "RESTRICTED", Text("제한", "restricted"), "dct:RightsStatement"
        ),
        "dcat:landingPage": {"@id": o.page_url, "@type": "foaf:Document"},
        "dcat:distribution": _distribution(iri, service, o, nodes),
    }
    if o.version:
        node["dcat:version"] = o.version
    if o.schema_hash:
        node["adms:identifier"] = {
            "@type": "adms:Identifier",
            "skos:notation": o.schema_hash,
            "dct:description": _text(Text("데이터셋 스키마 해시", "Schema hash of the dataset")),
        }
    if o.publisher.email:
        node["dcat:contactPoint"] = {
            "@type": ["vcard:Kind", "vcard:Organization"],
            "vcard:fn": o.publisher.name.ko,
            "vcard:hasEmail": {"@id": f"mailto:{o.publisher.email}"},
        }
    if o.quality is not None:
        node.update(_quality(iri, o.quality, nodes))
    return node


def _distribution(dataset: str, service: str, o: OfferRecord, nodes: _Nodes) -> dict[str, Any]:
    media = FILE_TYPES[o.file_type]
    return {
        "@id": f"{dataset}#distribution",
        "@type": "dcat:Distribution",
        "dct:title": _text(Text(f"{o.title.ko} (API)", f"{o.title.en} (API)")),
        "dcat:accessURL": _resource(o.access_url),
        "dcat:accessService": {"@id": service},
        "dct:format": nodes.nal(
            "file-type", o.file_type, Text(o.file_type, o.file_type), "dct:MediaTypeOrExtent"
        ),
        "dcat:mediaType": {"@id": IANA + media, "@type": "dct:MediaType"},
        "odrl:hasPolicy": {"@id": o.policy_iri},
        "dct:rights": {
            "@id": o.policy_iri,
            "@type": ["odrl:Offer", "odrl:Policy", "dct:RightsStatement"],
            "rdfs:label": _text(
                Text(
                    "이용 조건: ODRL 사용 정책 (계약 후 이용)",
                    "Terms of use: ODRL usage policy (use under contract)",
                )
            ),
        },
    }


def _quality(dataset: str, q: QualityCertificate, nodes: _Nodes) -> dict[str, Any]:
    measurements = [
        {
            "@type": "dqv:QualityMeasurement",
            "dqv:computedOn": {"@id": dataset},
            "dqv:isMeasurementOf": nodes.metric(name),
            "dqv:value": {"@value": repr(float(q.indices[name])), "@type": "xsd:double"},
        }
        for name in QUALITY_INDICES
        if name in q.indices
    ]
    measurements.append(
        {
            "@type": "dqv:QualityMeasurement",
            "dqv:computedOn": {"@id": dataset},
            "dqv:isMeasurementOf": nodes.metric("grade"),
            "dqv:value": q.grade,
        }
    )
    return {
        "dqv:hasQualityAnnotation": {
            "@type": "dqv:QualityCertificate",
            "oa:hasTarget": {"@id": dataset},
            "oa:hasBody": {"@id": q.url},
            "oa:motivatedBy": {"@id": "dqv:qualityAssessment"},
            "dct:issued": _time(q.issued),
        },
        "dqv:hasQualityMeasurement": measurements,
        "foaf:page": {"@id": q.url, "@type": "foaf:Document"},
    }


class _Nodes(dict[str, dict[str, Any]]):
    """Shared nodes (agents, concepts, schemes, metrics) described once, referred to by @id."""

    def _add(self, node: dict[str, Any]) -> dict[str, str]:
        self.setdefault(node["@id"], node)
        return {"@id": node["@id"]}

    def agent(self, a: Agent) -> dict[str, str]:
        node: dict[str, Any] = {
            "@id": a.iri,
            "@type": "foaf:Agent",
            "foaf:name": _text(a.name),
            "dct:type": self.concept_in(
                f"http://purl.org/adms/publishertype/{a.kind}",
                ADMS_PUBLISHER_TYPES,
                Text(a.kind, a.kind),
                Text("ADMS 발행자 유형", "ADMS publisher type"),
            ),
        }
        if a.homepage:
            node["foaf:homepage"] = {"@id": a.homepage, "@type": "foaf:Document"}
        return self._add(node)

    def scheme(self, iri: str, title: Text) -> dict[str, str]:
        return self._add({"@id": iri, "@type": "skos:ConceptScheme", "dct:title": _text(title)})

    def concept_in(
        self, iri: str, scheme: str, label: Text, scheme_title: Text, *types: str
    ) -> dict[str, str]:
        self.scheme(scheme, scheme_title)
        return self._add(
            {
                "@id": iri,
                "@type": ["skos:Concept", *types],
                "skos:prefLabel": _text(label),
                "skos:inScheme": {"@id": scheme},
            }
        )

    def nal(self, table: str, code: str, label: Text, *types: str) -> dict[str, str]:
        """A concept of an EU Publications Office authority table (``…/authority/<table>``)."""
        title = Text(f"EU 기준 목록: {table}", f"EU authority table: {table}")
        return self.concept_in(f"{EU}{table}/{code}", f"{EU}{table}", label, title, *types)

    def language(self, tag: str) -> dict[str, str]:
        code, ko, en = LANGUAGES[tag]
        return self.nal("language", code, Text(ko, en), "dct:LinguisticSystem")

    def country(self, code: str) -> dict[str, str]:
        ko, en = COUNTRIES[code]
        return self.nal("country", code, Text(ko, en), "dct:Location")

    def concept(self, vocabulary: str, c: Concept, title: Text) -> dict[str, str]:
        scheme = f"urn:openkamp:vocabulary:{vocabulary}"
        return self.concept_in(f"{scheme}:{c.code}", scheme, c.label, title)

    def metric(self, name: str) -> dict[str, str]:
        label = (
            Text(t(f"quality.index.{name}", "ko"), t(f"quality.index.{name}", "en"))
            if name != "grade"
            else Text("품질 등급", "Quality grade")
        )
        return self._add(
            {
                "@id": f"urn:openkamp:quality:{name}",
                "@type": "dqv:Metric",
                "skos:prefLabel": _text(label),
                "dqv:expectedDataType": {
                    "@id": CONTEXT["xsd"] + ("string" if name == "grade" else "double")
                },
            }
        )


def _resource(iri: str) -> dict[str, str]:
    # The shapes give these properties the range rdfs:Resource as a class (sh:class), which a
    # validator without RDFS inference checks literally: say what RDFS would infer.
    return {"@id": iri, "@type": "rdfs:Resource"}


def _text(text: Text) -> list[dict[str, str]]:
    return [{"@value": text.ko, "@language": "ko"}, {"@value": text.en, "@language": "en"}]


def _time(at: datetime) -> dict[str, str]:
    return {"@value": at.isoformat(), "@type": "xsd:dateTime"}


def _unique(items: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    seen: list[dict[str, str]] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# --- checking the records ---------------------------------------------------------------------


def _invalid(reason: str, path: str, **params: object) -> InvalidInput:
    params = {"path": path, **params}
    return InvalidInput(
        t(f"err.catalog.invalid.{reason}", "en", **params),
        code=f"catalog.invalid.{reason}",
        params=params,
    )


def _check_text(text: Text, path: str) -> None:
    for lang in ("ko", "en"):
        value = getattr(text, lang, None)
        if not isinstance(value, str) or not value.strip():
            raise _invalid("text", f"{path}.{lang}")


def _check_iri(value: str | None, path: str, *, http: bool = False) -> None:
    if not isinstance(value, str) or not (_HTTP if http else _IRI).fullmatch(value):
        raise _invalid("iri", path, value=str(value))


def _check_time(at: datetime, path: str) -> None:
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise _invalid("time", path, value=str(at))


def _check_code(value: str, allowed: Iterable[str], kind: str, path: str) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise _invalid("code", path, kind=kind, value=str(value), allowed=", ".join(allowed))


def _check_agent(a: Agent, path: str) -> None:
    _check_iri(a.iri, f"{path}.iri")
    _check_text(a.name, f"{path}.name")
    _check_code(a.kind, PUBLISHER_TYPES, "publisher type", f"{path}.kind")
    if a.homepage is not None:
        _check_iri(a.homepage, f"{path}.homepage", http=True)
    if a.email is not None and not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", a.email):
        raise _invalid("email", f"{path}.email", value=a.email)


def _check_catalog(c: CatalogInfo) -> None:
    _check_iri(c.base_url, "catalog.base_url", http=True)
    _check_text(c.title, "catalog.title")
    _check_text(c.description, "catalog.description")
    _check_agent(c.publisher, "catalog.publisher")
    _check_time(c.issued, "catalog.issued")
    _check_time(c.modified, "catalog.modified")
    if c.homepage is not None:
        _check_iri(c.homepage, "catalog.homepage", http=True)
    for lang in c.languages:
        _check_code(lang, LANGUAGES, "language", "catalog.languages")
    _check_code(c.country, COUNTRIES, "country", "catalog.country")


def _check_offer(o: OfferRecord, path: str) -> None:
    if not isinstance(o.offer_id, str) or not re.fullmatch(r"[A-Za-z0-9._~-]+", o.offer_id):
        raise _invalid("offer_id", f"{path}.offer_id", value=str(o.offer_id))
    _check_text(o.title, f"{path}.title")
    _check_text(o.description, f"{path}.description")
    _check_agent(o.publisher, f"{path}.publisher")
    for name in ("equipment_type", "industry", "problem"):
        concept: Concept = getattr(o, name)
        if not re.fullmatch(r"[A-Za-z0-9._-]+", concept.code):
            raise _invalid(
                "code", f"{path}.{name}", kind=name, value=concept.code, allowed="A-Z a-z 0-9 . _ -"
            )
        _check_text(concept.label, f"{path}.{name}.label")
    for name in ("coverage_start", "coverage_end", "issued", "modified"):
        _check_time(getattr(o, name), f"{path}.{name}")
    if o.coverage_end < o.coverage_start:
        raise _invalid("coverage", f"{path}.coverage_end")
    _check_iri(o.page_url, f"{path}.page_url", http=True)
    _check_iri(o.access_url, f"{path}.access_url", http=True)
    _check_iri(o.policy_iri, f"{path}.policy_iri")
    _check_code(o.file_type, FILE_TYPES, "file type", f"{path}.file_type")
    for j, keyword in enumerate(o.keywords):
        _check_text(keyword, f"{path}.keywords[{j}]")
    for lang in o.languages:
        _check_code(lang, LANGUAGES, "language", f"{path}.languages")
    _check_code(o.country, COUNTRIES, "country", f"{path}.country")
    if o.quality is not None:
        q = o.quality
        _check_iri(q.url, f"{path}.quality.url", http=True)
        _check_time(q.issued, f"{path}.quality.issued")
        if not q.grade.strip():
            raise _invalid("text", f"{path}.quality.grade")
        for name, value in q.indices.items():
            _check_code(name, QUALITY_INDICES, "quality index", f"{path}.quality.indices")
            if not 0.0 <= float(value) <= 1.0:
                raise _invalid("index", f"{path}.quality.indices.{name}", value=str(value))
