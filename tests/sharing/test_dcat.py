"""The catalog's DCAT-AP 3.0 export (issue 11, item 1) checked by pyshacl against the official
DCAT-AP 3.0.0 SHACL shapes (dcat-ap-SHACL.ttl with the release's range.ttl and
mdr-vocabularies.shape.ttl), read from ../shared/standards: conformance with no violation, the
expected warnings only, and negative controls that the shapes do catch."""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from openkamp.core.errors import InvalidInput
from openkamp.i18n import error_text
from openkamp.sharing import dcat as D
from openkamp.sharing import policy as P
from openkamp.sharing.dcat import Agent, CatalogInfo, Concept, OfferRecord, QualityCertificate, Text

# The official shapes are never copied into the repository: ``$OPENKAMP_STANDARDS_DIR`` when set
# (a clone elsewhere than beside ../shared), else ../shared/standards beside the project root.
STANDARDS = (
    Path(
        os.environ.get("OPENKAMP_STANDARDS_DIR")
        or Path(__file__).resolve().parents[2].parent / "shared" / "standards"
    )
    / "dcat-ap-3.0.0"
)
SHAPE_FILES = ("dcat-ap-SHACL.ttl", "range.ttl", "mdr-vocabularies.shape.ttl")
# Plain namespaces: rdflib's closed ones warn when pytest probes the module's attributes.
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SH = Namespace("http://www.w3.org/ns/shacl#")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
EU = "http://publications.europa.eu/resource/authority/"
KST = timezone(timedelta(hours=9))
T = datetime(2026, 3, 1, 9, 0, tzinfo=KST)
BASE = "https://kamp.example.kr"


def load_shapes() -> Graph:
    """The official DCAT-AP 3.0.0 shapes; skipped when absent, a failure under CI=true."""
    missing = [name for name in SHAPE_FILES if not (STANDARDS / name).is_file()]
    if missing:
        reason = f"DCAT-AP 3.0.0 shapes not found in {STANDARDS}: {missing}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    graph = Graph()
    for name in SHAPE_FILES:
        graph.parse(STANDARDS / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


OPERATOR = Agent(
    f"{BASE}/orgs/operator",
    Text("경남 제조AI센터", "Gyeongnam Manufacturing AI Centre"),
    kind="RegionalAuthority",
    homepage="https://ai.gyeongnam.example.kr",
)
FACTORY_A = Agent(
    f"{BASE}/orgs/factory-a",
    Text("에이정밀 주식회사", "A Precision Co., Ltd."),
    email="data@a-precision.example.kr",
    homepage="https://a-precision.example.kr",
)
FACTORY_B = Agent(f"{BASE}/orgs/factory-b", Text("비금속", "B Metals"))


def catalog_info() -> CatalogInfo:
    return CatalogInfo(
        BASE,
        Text("OpenKAMP 제조 데이터 카탈로그", "OpenKAMP manufacturing data catalog"),
        Text(
            "공장이 계약 조건을 걸고 제공하는 제조 데이터셋입니다.",
            "Manufacturing datasets that factories offer under contract terms.",
        ),
        OPERATOR,
        issued=T - timedelta(days=100),
        modified=T,
        homepage=BASE,
    )


def policy_of(offer_id: str, owner: Agent) -> P.UsagePolicy:
    return P.offer(
        f"{BASE}/catalog/offers/{offer_id}/policy",
        target=D.dataset_iri(BASE, offer_id),
        assigner=owner.iri,
        purposes=[P.Purpose.QUALITY, P.Purpose.MAINTENANCE],
        compute_to_data_only=True,
    )


def offers() -> list[OfferRecord]:
    injection = OfferRecord(
        "17",
        Text(
            "사출성형 불량 판정 데이터 (2026년 2월)", "Injection moulding defects (February 2026)"
        ),
        Text(
            "사출기 4대의 샷별 공정 변수와 양품/불량 판정 52,000건.",
            "52,000 shots of four injection moulding machines: process variables and pass/fail.",
        ),
        FACTORY_A,
        Concept("injection_moulding", Text("사출성형기", "Injection moulding machine")),
        Concept("C22", Text("고무 및 플라스틱제품 제조업", "Rubber and plastics products")),
        Concept("defect_classification", Text("불량 판정", "Defect classification")),
        coverage_start=T - timedelta(days=28),
        coverage_end=T,
        issued=T,
        modified=T + timedelta(hours=2),
        page_url=f"{BASE}/sharing/offers/17",
        access_url=f"{BASE}/api/v1/sharing/offers/17",
        policy_iri=policy_of("17", FACTORY_A).uid,
        keywords=(Text("사출", "injection"), Text("품질", "quality")),
        version="3",
        schema_hash="sha256:9f2c1e",
        languages=("ko", "en"),
        quality=QualityCertificate(
            "A",
            f"{BASE}/quality/certificates/41",
            T,
            {
                "completeness": 0.998,
                "uniqueness": 1.0,
                "validity": 0.97,
                "consistency": 0.95,
                "accuracy": 0.93,
            },
        ),
    )
    press = OfferRecord(
        "18",
        Text("프레스 진동 데이터", "Press vibration"),
        Text("프레스 2대의 진동과 고장 기록.", "Vibration and failures of two presses."),
        FACTORY_B,
        Concept("hydraulic_press", Text("유압 프레스", "Hydraulic press")),
        Concept("C29", Text("기타 기계 및 장비 제조업", "Other machinery and equipment")),
        Concept("anomaly_detection", Text("이상 탐지", "Anomaly detection")),
        coverage_start=T - timedelta(days=90),
        coverage_end=T - timedelta(days=60),
        issued=T,
        modified=T,
        page_url=f"{BASE}/sharing/offers/18",
        access_url=f"{BASE}/api/v1/sharing/offers/18",
        policy_iri=policy_of("18", FACTORY_B).uid,
        file_type="PARQUET",
    )
    return [injection, press]


def export() -> dict[str, Any]:
    return D.catalog_jsonld(catalog_info(), offers())


def graph_of(doc: dict[str, Any]) -> Graph:
    return Graph().parse(data=json.dumps(doc, ensure_ascii=False), format="json-ld")


def shacl(data: Graph, shapes: Graph, inference: str = "none") -> tuple[bool, list[dict[str, Any]]]:
    """pyshacl's verdict (warnings do not break conformance) and its top-level results."""
    conforms, report, _ = validate(
        data, shacl_graph=shapes, inference=inference, allow_warnings=True
    )
    results = []
    for node in report.objects(None, SH.result):  # the report's own results, not their details
        results.append(
            {
                "severity": str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
                "path": report.value(node, SH.resultPath),
                "focus": report.value(node, SH.focusNode),
                "value": report.value(node, SH.value),
                "component": str(report.value(node, SH.sourceConstraintComponent)).rsplit("#")[-1],
            }
        )
    return bool(conforms), results


# Validators differ in whether they apply RDFS inference first: the export conforms either way.
@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_the_catalog_conforms_to_dcat_ap_3(shapes: Graph, inference: str) -> None:
    data = graph_of(export())
    conforms, results = shacl(data, shapes, inference)
    severities = Counter(r["severity"] for r in results)
    print(
        f"\npyshacl DCAT-AP 3.0.0 (inference={inference}): {len(data)} triples, conforms={conforms}, "
        f"violations={severities['Violation']}, warnings={severities['Warning']}, "
        f"infos={severities['Info']}"
    )
    assert conforms is True
    assert severities["Violation"] == 0, [r for r in results if r["severity"] == "Violation"]
    # The only warnings: publishers that are not in the EU corporate-bodies authority table (the
    # catalog's operator and each offer's owner), which no Korean organisation is.
    publishers = {(r["focus"], r["value"]) for r in results}
    assert publishers == {
        (URIRef(f"{BASE}/catalog"), URIRef(OPERATOR.iri)),
        (URIRef(D.dataset_iri(BASE, "17")), URIRef(FACTORY_A.iri)),
        (URIRef(D.dataset_iri(BASE, "18")), URIRef(FACTORY_B.iri)),
    }
    assert {(r["severity"], r["path"]) for r in results} == {("Warning", DCTERMS.publisher)}


def test_what_the_export_says(shapes: Graph) -> None:
    g = graph_of(export())
    catalog = URIRef(f"{BASE}/catalog")
    dataset = URIRef(D.dataset_iri(BASE, "17"))
    assert (catalog, RDF.type, DCAT.Catalog) in g
    assert set(g.objects(catalog, DCAT.dataset)) == {dataset, URIRef(D.dataset_iri(BASE, "18"))}
    assert set(g.objects(dataset, DCTERMS.title)) == {
        Literal("사출성형 불량 판정 데이터 (2026년 2월)", lang="ko"),
        Literal("Injection moulding defects (February 2026)", lang="en"),
    }
    assert Literal("사출성형기", lang="ko") in set(g.objects(dataset, DCAT.keyword))
    assert set(g.objects(catalog, DCTERMS.language)) == {
        URIRef(EU + "language/KOR"),
        URIRef(EU + "language/ENG"),
    }
    assert set(g.objects(dataset, DCTERMS.spatial)) == {URIRef(EU + "country/KOR")}
    assert set(g.objects(dataset, DCAT.theme)) == {URIRef(EU + "data-theme/TECH")}
    assert set(g.objects(dataset, DCTERMS.accessRights)) == {URIRef(EU + "access-right/RESTRICTED")}
    publisher = g.value(dataset, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Agent) in g
    assert Literal("에이정밀 주식회사", lang="ko") in set(g.objects(publisher, FOAF.name))
    period = g.value(dataset, DCTERMS.temporal)
    assert g.value(period, DCAT.startDate).toPython() == T - timedelta(days=28)
    [distribution] = g.objects(dataset, DCAT.distribution)
    assert g.value(distribution, DCAT.accessURL) == URIRef(f"{BASE}/api/v1/sharing/offers/17")
    assert g.value(distribution, DCTERMS["format"]) == URIRef(EU + "file-type/CSV")
    assert g.value(distribution, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/text/csv"
    )
    # The licence / rights of the distribution is the offer's ODRL policy, whose target is this
    # dataset: the catalog and the policy name the same things.
    policy = policy_of("17", FACTORY_A)
    assert g.value(distribution, ODRL.hasPolicy) == URIRef(policy.uid)
    assert g.value(distribution, DCTERMS.rights) == URIRef(policy.uid)
    assert (URIRef(policy.uid), RDF.type, ODRL.Offer) in g
    assert policy.target == str(dataset) and policy.assigner == str(publisher)
    # The quality certificate: a DQV certificate annotation and the five indices and the grade.
    dqv = Namespace("http://www.w3.org/ns/dqv#")
    annotation = g.value(dataset, dqv.hasQualityAnnotation)
    assert (annotation, RDF.type, dqv.QualityCertificate) in g
    assert g.value(dataset, FOAF.page) == URIRef(f"{BASE}/quality/certificates/41")
    values = {
        str(g.value(m, dqv.isMeasurementOf)).rsplit(":", 1)[-1]: g.value(m, dqv.value).toPython()
        for m in g.objects(dataset, dqv.hasQualityMeasurement)
    }
    assert values == {
        "completeness": 0.998,
        "uniqueness": 1.0,
        "validity": 0.97,
        "consistency": 0.95,
        "accuracy": 0.93,
        "grade": "A",
    }
    # The second offer: Parquet, no certificate.
    other = URIRef(D.dataset_iri(BASE, "18"))
    other_distribution = g.value(other, DCAT.distribution)
    assert g.value(other_distribution, DCTERMS["format"]) == URIRef(EU + "file-type/PARQUET")
    assert g.value(other, dqv.hasQualityAnnotation) is None


def test_it_is_plain_json_ld_that_needs_nothing_fetched() -> None:
    def no_fetch(url: str, options: Any = None) -> Any:
        raise AssertionError(f"fetched {url}")

    expanded = jsonld.expand(export(), {"documentLoader": no_fetch})
    types = {t for node in expanded for t in node.get("@type", [])}
    assert {str(DCAT.Catalog), str(DCAT.Dataset), str(DCAT.DataService)} <= types


def without(g: Graph, subject: URIRef | None, predicate: URIRef) -> Graph:
    changed = copy.deepcopy(g)
    changed.remove((subject, predicate, None))
    return changed


def violations(data: Graph, shapes: Graph) -> list[dict[str, Any]]:
    conforms, results = shacl(data, shapes)
    found = [r for r in results if r["severity"] == "Violation"]
    assert conforms is False and found
    return found


def test_negative_controls(shapes: Graph) -> None:
    g = graph_of(export())
    dataset = URIRef(D.dataset_iri(BASE, "17"))
    catalog = URIRef(f"{BASE}/catalog")
    # A dataset without its mandatory title.
    [v] = violations(without(g, dataset, DCTERMS.title), shapes)
    assert (v["focus"], v["path"], v["component"]) == (
        dataset,
        DCTERMS.title,
        "MinCountConstraintComponent",
    )
    # A distribution without its mandatory access URL.
    distribution = g.value(dataset, DCAT.distribution)
    [v] = violations(without(g, distribution, DCAT.accessURL), shapes)
    assert (v["focus"], v["path"]) == (distribution, DCAT.accessURL)
    # A catalog without its mandatory publisher.
    found = violations(without(g, catalog, DCTERMS.publisher), shapes)
    assert {(v["focus"], v["path"]) for v in found} == {(catalog, DCTERMS.publisher)}
    # A language that is not a concept of the EU language table.
    made_up = copy.deepcopy(g)
    made_up.remove((dataset, DCTERMS.language, None))
    made_up.add((dataset, DCTERMS.language, URIRef("http://example.org/lang/korean")))
    made_up.add((URIRef("http://example.org/lang/korean"), RDF.type, DCTERMS.LinguisticSystem))
    found = violations(made_up, shapes)
    assert {(v["focus"], v["path"]) for v in found} == {(dataset, DCTERMS.language)}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"file_type": "ZIP"}, "code"),
        ({"languages": ("kor",)}, "code"),
        ({"title": Text("제목만", "")}, "text"),
        ({"issued": datetime(2026, 3, 1, 9, 0)}, "time"),
        ({"page_url": "/sharing/offers/17"}, "iri"),
        ({"coverage_end": T - timedelta(days=400)}, "coverage"),
        ({"offer_id": "17/../18"}, "offer_id"),
    ],
)
def test_records_that_cannot_be_described_are_refused(change: dict[str, Any], reason: str) -> None:
    from dataclasses import replace

    record = replace(offers()[0], **change)
    with pytest.raises(InvalidInput) as info:
        D.catalog_jsonld(catalog_info(), [record])
    assert info.value.code == f"catalog.invalid.{reason}"
    ko, en = error_text(info.value, "ko")[0], error_text(info.value, "en")[0]
    assert ko != en and info.value.params["path"] in ko and info.value.params["path"] in en
