"""Usage policies (issue 11, item 2): each clause allowed and refused at its edge, the refusal
naming the clause in Korean and English; the JSON-LD both ways; the validator's refusals; the
document read by a real JSON-LD processor (pyld) with the ODRL IRIs asserted against the ODRL 2.2
vocabulary; and properties (hypothesis) of the evaluator."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from pyld import jsonld
from rdflib import Graph, URIRef
from rdflib.namespace import ODRL2

from openkamp.core.errors import Forbidden, InvalidInput
from openkamp.i18n import error_text
from openkamp.sharing import access as A
from openkamp.sharing import policy as P
from openkamp.sharing import policy_jsonld as J
from openkamp.sharing.access import AccessRequest, Usage
from openkamp.sharing.policy import Access, Purpose

ORG = "https://kamp.example.kr/orgs/"
OWNER, B, C = ORG + "factory-a", ORG + "supplier-b", ORG + "supplier-c"
DATASET = "https://kamp.example.kr/datasets/17/versions/3"
UID = "urn:openkamp:policy:offer-17"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone(timedelta(hours=9)))
US = timedelta(microseconds=1)
PLACEHOLDER = re.compile(r"\{[a-z_]+(\[[a-z]+\])?(:[^}]*)?\}")


def offer(**clauses: Any) -> P.UsagePolicy:
    clauses.setdefault("no_redistribution", False)
    return P.offer(UID, target=DATASET, assigner=OWNER, **clauses)


def ask(policy: P.UsagePolicy, **kw: Any) -> A.Decision:
    kw.setdefault("org", B)
    kw.setdefault("access", Access.READ)
    kw.setdefault("purpose", Purpose.QUALITY)
    kw.setdefault("at", T0)
    kw.setdefault("industry", "C29")
    kw.setdefault("anonymised", True)
    return A.evaluate(policy, AccessRequest(**kw))


def refused(decision: A.Decision, clause: str, kind: str, *words: str) -> A.Refusal:
    """The decision refuses naming ``clause`` (its @id) as its main reason, in both languages."""
    assert not decision.allowed
    r = decision.refusal
    assert r is not None and r.clause == clause and r.kind == kind, decision.refusals
    ko, en = r.text("ko"), r.text("en")
    assert clause in ko and clause in en and ko != en
    assert not PLACEHOLDER.search(ko + en)  # every placeholder filled
    for word in words:
        assert word in ko + en, (word, ko, en)
    with pytest.raises(Forbidden) as info:
        decision.raise_if_refused()
    assert info.value.code == f"policy.refused.{kind}"
    assert error_text(info.value, "ko")[0] == ko and error_text(info.value, "en")[0] == en
    return r


# --- one test per clause: the last allowed and the first refused -------------------------------


def test_purpose() -> None:
    p = offer(purposes=[Purpose.QUALITY, Purpose.MAINTENANCE])
    assert ask(p, purpose=Purpose.MAINTENANCE).allowed
    refused(
        ask(p, purpose=Purpose.RESEARCH),
        UID + "#purpose",
        "purpose",
        "연구",
        "research",
        "예지 보전",
        "predictive maintenance",
    )


def test_recipients() -> None:
    p = offer(recipients=[B])
    assert ask(p, org=B).allowed
    refused(ask(p, org=C), UID + "#recipients", "recipient", C)


def test_excluded_recipients() -> None:
    p = offer(excluded_recipients=[C])
    assert ask(p, org=B).allowed
    refused(ask(p, org=C), UID + "#excluded-recipients", "recipient_excluded", C)


def test_industries() -> None:
    p = offer(industries=["C29", "C30"])
    assert ask(p, industry="C30").allowed
    refused(ask(p, industry="C20"), UID + "#industries", "industry", "C20")
    # An organisation whose industry is not known proves nothing: refused.
    refused(ask(p, industry=None), UID + "#industries", "industry_unknown", "업종")


def test_excluded_industries() -> None:
    p = offer(excluded_industries=["C26"])
    assert ask(p, industry="C29").allowed
    refused(ask(p, industry="C26"), UID + "#excluded-industries", "industry_excluded", "C26")
    refused(ask(p, industry=None), UID + "#excluded-industries", "industry_unknown")


def test_time_window_start() -> None:
    p = offer(valid_from=T0)
    assert ask(p, at=T0).allowed  # the first allowed instant
    refused(ask(p, at=T0 - US), UID + "#valid-from", "not_before", T0.isoformat())


def test_time_window_end() -> None:
    end = T0 + timedelta(days=90)
    p = offer(valid_until=end)
    assert ask(p, at=end - US).allowed  # the last allowed instant: the end is excluded
    refused(ask(p, at=end), UID + "#valid-until", "before", end.isoformat())
    # In another time zone the same instant is the same decision.
    assert not ask(p, at=end.astimezone(UTC)).allowed


def test_max_rows() -> None:
    p = offer(max_rows=1000)
    assert ask(p, rows=10, usage=Usage(rows=990)).allowed  # the 1,000th row: the last allowed
    refused(ask(p, rows=11, usage=Usage(rows=990)), UID + "#max-rows", "max_rows", "1,000")
    refused(
        ask(p, access=Access.EXPORT, rows=1, usage=Usage(rows=1000)), UID + "#max-rows", "max_rows"
    )
    # Compute-to-data delivers no row: not counted against the rows.
    assert ask(p, access=Access.COMPUTE_TO_DATA, rows=10**6, usage=Usage(rows=1000)).allowed


def test_max_queries() -> None:
    p = offer(max_queries=5)
    assert ask(p, usage=Usage(queries=4)).allowed  # the 5th access
    refused(ask(p, usage=Usage(queries=5)), UID + "#max-queries", "max_queries", "5")
    refused(
        ask(p, access=Access.COMPUTE_TO_DATA, usage=Usage(queries=5)),
        UID + "#max-queries",
        "max_queries",
    )


def test_max_trainings() -> None:
    p = offer(max_trainings=3)
    assert ask(p, access=Access.TRAIN, usage=Usage(trainings=2)).allowed  # the 3rd training
    refused(
        ask(p, access=Access.COMPUTE_TO_DATA, usage=Usage(trainings=3)),
        UID + "#max-trainings",
        "max_trainings",
        "3",
    )
    # Reading is not a training: the limit does not apply to it.
    assert ask(p, access=Access.READ, usage=Usage(trainings=3)).allowed


def test_compute_to_data_only() -> None:
    p = offer(compute_to_data_only=True)
    assert ask(p, access=Access.COMPUTE_TO_DATA).allowed
    for access in (Access.READ, Access.EXPORT, Access.TRAIN):
        refused(
            ask(p, access=access),
            UID + "#compute-to-data-only",
            "channel",
            "컴퓨트-투-데이터",
            "compute-to-data",
        )


def test_anonymisation_duty() -> None:
    p = offer(anonymise=True)
    ok = ask(p, anonymised=True, rows=5)
    assert ok.allowed and [o.kind for o in ok.obligations] == ["anonymise"]
    assert "익명화" in ok.obligations[0].text("ko")
    refused(
        ask(p, anonymised=False, rows=5), UID + "#anonymise", "anonymise", "익명화", "anonymisation"
    )
    # Nothing leaves with compute-to-data: nothing to anonymise, no obligation.
    c2d = ask(p, access=Access.COMPUTE_TO_DATA, anonymised=False)
    assert c2d.allowed and c2d.obligations == ()


def test_deletion_duty() -> None:
    p = offer(delete_within_days=30)
    received = T0 - timedelta(days=30)
    decision = ask(p, usage=Usage(oldest_undeleted=received))  # the deadline itself: still in time
    assert decision.allowed
    assert [(o.kind, o.due) for o in decision.obligations] == [("delete", T0 + timedelta(days=30))]
    assert (T0 + timedelta(days=30)).isoformat() in decision.obligations[0].text("en")
    refused(
        ask(p, usage=Usage(oldest_undeleted=received - US)), UID + "#delete", "delete", "30", "삭제"
    )
    # An overdue copy stops every use of the permission, compute-to-data too.
    assert not ask(
        p, access=Access.COMPUTE_TO_DATA, usage=Usage(oldest_undeleted=received - US)
    ).allowed


def test_no_redistribution() -> None:
    p = offer(no_redistribution=True)
    assert ask(p, access=Access.READ).allowed
    refused(
        ask(p, access=Access.REDISTRIBUTE),
        UID + "#no-redistribution",
        "prohibition",
        "재배포",
        "redistribution",
    )
    assert ask(offer(no_redistribution=False), access=Access.REDISTRIBUTE).allowed


def test_agreement_binds_its_assignee() -> None:
    terms = offer(purposes=[Purpose.QUALITY], max_rows=100)
    contract = P.agreement(terms, "urn:openkamp:contract:9", assignee=B)
    assert contract.kind is P.PolicyKind.AGREEMENT
    assert [c.uid for c in contract.permissions[0].constraints] == [
        "urn:openkamp:contract:9#purpose",
        "urn:openkamp:contract:9#max-rows",
    ]
    assert ask(contract, org=B).allowed
    refused(ask(contract, org=C), "urn:openkamp:contract:9", "assignee", B, C)
    refused(ask(contract, org=B, rows=101), "urn:openkamp:contract:9#max-rows", "max_rows")


def test_no_permission_for_the_action() -> None:
    p = P.UsagePolicy(
        UID,
        P.PolicyKind.OFFER,
        DATASET,
        OWNER,
        permissions=(P.Permission(UID + "#read", P.Action.READ),),
    )
    assert ask(p, access=Access.READ).allowed
    refused(ask(p, access=Access.EXPORT), UID, "no_permission", "내보내기", "export")


def test_a_second_permission_can_allow_and_refusals_name_every_failing_clause() -> None:
    p = P.UsagePolicy(
        UID,
        P.PolicyKind.OFFER,
        DATASET,
        OWNER,
        permissions=(
            P.Permission(
                UID + "#research",
                P.Action.USE,
                (
                    P.PurposeIn(UID + "#research-purpose", (Purpose.RESEARCH,)),
                    P.MaxCount(UID + "#research-rows", 10, P.CountUnit.ROW),
                ),
            ),
            P.Permission(
                UID + "#train",
                P.Action.DERIVE,
                (P.ChannelIs(UID + "#train-c2d", P.Channel.COMPUTE_TO_DATA),),
            ),
        ),
    )
    assert ask(p, purpose=Purpose.RESEARCH, rows=10).allowed
    c2d = ask(p, access=Access.COMPUTE_TO_DATA, purpose=Purpose.QUALITY)
    assert c2d.allowed and c2d.permission == UID + "#train"
    both = ask(p, purpose=Purpose.QUALITY, rows=11)
    assert [r.clause for r in both.refusals] == [UID + "#research-purpose", UID + "#research-rows"]


def test_request_times_need_a_time_zone() -> None:
    with pytest.raises(InvalidInput):
        ask(offer(), at=datetime(2026, 3, 1, 9, 0))


# --- JSON-LD both ways -------------------------------------------------------------------------


def full_policy() -> P.UsagePolicy:
    return P.offer(
        UID,
        target=DATASET,
        assigner=OWNER,
        purposes=[Purpose.QUALITY, Purpose.MAINTENANCE],
        recipients=[B, C],
        excluded_recipients=[ORG + "rival"],
        industries=["C29", "C30"],
        excluded_industries=["C26"],
        valid_from=T0,
        valid_until=T0 + timedelta(days=365),
        max_rows=100_000,
        max_queries=500,
        max_trainings=10,
        compute_to_data_only=True,
        anonymise=True,
        delete_within_days=30,
        no_redistribution=True,
    )


def test_round_trip() -> None:
    policy = full_policy()
    text = json.dumps(J.to_jsonld(policy), ensure_ascii=False)
    assert J.from_jsonld(text) == policy
    contract = P.agreement(policy, "urn:openkamp:contract:9", B)
    assert J.from_jsonld(J.to_jsonld(contract)) == contract
    assert J.to_jsonld(contract)["assignee"] == B


def test_reads_the_odrl_spellings_it_does_not_write() -> None:
    doc = J.to_jsonld(offer(purposes=[Purpose.QUALITY], max_rows=5))
    doc["uid"] = doc.pop("@id")
    doc["type"] = "odrl:" + doc.pop("@type")
    doc["profile"] = [P.PROFILE]
    perm = doc["permission"][0]
    perm["@type"] = "Permission"
    perm["action"] = {"@id": "http://www.w3.org/ns/odrl/2/use"}
    purpose = perm["constraint"][0]
    purpose["rightOperand"] = "urn:openkamp:odrl:purpose:quality"  # a single value, full IRI
    purpose["operator"] = "odrl:isAnyOf"
    perm["constraint"][1]["rightOperand"] = {"@value": "5", "@type": "xsd:integer"}
    assert J.from_jsonld(doc) == offer(purposes=[Purpose.QUALITY], max_rows=5)


def mutate(path: list[Any], value: Any = None, *, delete: bool = False) -> dict[str, Any]:
    doc = copy.deepcopy(J.to_jsonld(full_policy()))
    node = doc
    for key in path[:-1]:
        node = node[key]
    if delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


C0 = ["permission", 0, "constraint"]  # the permission's constraints: 0 purpose, 1 recipients …
BAD = [
    ("unknown_key", mutate(["licence"], "CC-BY")),
    ("unknown_key", mutate([*C0, 0, "note"], "x")),
    ("left_operand", mutate([*C0, 0, "leftOperand"], "spatial")),
    ("operator", mutate([*C0, 0, "operator"], "gt")),
    ("purpose", mutate([*C0, 0, "rightOperand"], [{"@id": "okp:purpose:espionage"}])),
    ("empty", mutate([*C0, 0, "rightOperand"], [])),
    ("iri", mutate([*C0, 1, "rightOperand"], ["supplier b"])),
    ("industry", mutate([*C0, 3, "rightOperand"], [29])),
    (
        "timezone",
        mutate(
            [*C0, 5, "rightOperand"], {"@value": "2026-03-01T09:00:00", "@type": "xsd:dateTime"}
        ),
    ),
    ("typed", mutate([*C0, 5, "rightOperand"], "2026-03-01T09:00:00+09:00")),
    (
        "empty_window",
        mutate(
            [*C0, 6, "rightOperand"],
            {"@value": "2026-02-01T00:00:00+09:00", "@type": "xsd:dateTime"},
        ),
    ),
    ("count", mutate([*C0, 7, "rightOperand"], -1)),
    ("count", mutate([*C0, 7, "rightOperand"], "many")),
    ("missing", mutate([*C0, 7, "unit"], delete=True)),
    ("unit", mutate([*C0, 7, "unit"], {"@id": "okp:byte"})),
    ("channel", mutate([*C0, 10, "rightOperand"], {"@id": "okp:email"})),
    ("action", mutate(["permission", 0, "action"], "sell")),
    ("term", mutate(["permission", 0, "action"], "okp:peek")),
    ("duty_action", mutate(["permission", 0, "duty", 0, "action"], "watermark")),
    (
        "duration",
        mutate(
            ["permission", 0, "duty", 1, "constraint", 0, "rightOperand"],
            {"@value": "PT12H", "@type": "xsd:duration"},
        ),
    ),
    ("delete_elapsed", mutate(["permission", 0, "duty", 1, "constraint"], [])),
    (
        "prohibition_constraint",
        mutate(["prohibition", 0, "constraint"], [{"leftOperand": "purpose"}]),
    ),
    ("profile", mutate(["profile"], delete=True)),
    ("context", mutate(["@context"], {"odrl": "http://www.w3.org/ns/odrl/2/"})),
    (
        "context_term",
        mutate(
            ["@context"],
            ["http://www.w3.org/ns/odrl.jsonld", {"permission": "http://example.org/free"}],
        ),
    ),
    ("conflict", mutate(["conflict"], "perm")),
    ("policy_type", mutate(["@type"], "Set")),
    ("missing", mutate(["@type"], "Agreement")),  # an Agreement needs its assignee
    ("duplicate_id", mutate([*C0, 1, "@id"], UID + "#purpose")),
    ("missing", mutate([*C0, 1, "@id"], delete=True)),
    ("iri", mutate(["target"], "dataset 17")),
    ("not_object", mutate(["permission"], ["use"])),
    (
        "no_rules",
        {
            k: v
            for k, v in J.to_jsonld(full_policy()).items()
            if k not in ("permission", "prohibition")
        },
    ),
    ("json", "{not json"),
]


@pytest.mark.parametrize(
    ("reason", "document"), BAD, ids=[f"{i}-{r}" for i, (r, _) in enumerate(BAD)]
)
def test_validator_refuses_with_a_clear_message(reason: str, document: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        J.from_jsonld(document)
    assert info.value.code == f"policy.invalid.{reason}"
    ko, en = error_text(info.value, "ko")[0], error_text(info.value, "en")[0]
    assert ko != en and not PLACEHOLDER.search(ko + en)
    assert any("\uac00" <= ch <= "\ud7a3" for ch in ko)  # Korean
    path = info.value.params.get("path")
    if path and path != "(document)":
        assert path in ko and path in en  # says where


def test_model_is_validated_too() -> None:
    with pytest.raises(InvalidInput) as info:
        J.to_jsonld(offer(max_rows=-5))
    assert info.value.code == "policy.invalid.count"
    assert info.value.params["path"] == "permission[0].constraint[0].rightOperand"
    with pytest.raises(InvalidInput):
        J.to_jsonld(offer(valid_from=datetime(2026, 1, 1)))  # no time zone


# --- a real JSON-LD processor reads the document -----------------------------------------------

# The terms of http://www.w3.org/ns/odrl.jsonld that these documents use, with the W3C context's
# own definitions (the tests run offline, so pyld's loader serves them for that URL).
_AT_ID = (
    "profile",
    "target",
    "assigner",
    "assignee",
    "permission",
    "prohibition",
    "duty",
    "constraint",
)
_AT_VOCAB = ("action", "leftOperand", "operator", "conflict")
_PLAIN = (
    "Offer",
    "Agreement",
    "Permission",
    "Prohibition",
    "Duty",
    "Constraint",
    "rightOperand",
    "unit",
    "prohibit",
    "use",
    "read",
    "reproduce",
    "derive",
    "distribute",
    "anonymize",
    "delete",
    "purpose",
    "recipient",
    "dateTime",
    "count",
    "deliveryChannel",
    "elapsedTime",
    "eq",
    "lt",
    "lteq",
    "gteq",
    "isAnyOf",
    "isNoneOf",
)
W3C_ODRL_TERMS: dict[str, Any] = {
    "odrl": "http://www.w3.org/ns/odrl/2/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "type": "@type",
    **{term: {"@type": "@id", "@id": f"odrl:{term}"} for term in _AT_ID},
    **{term: {"@type": "@vocab", "@id": f"odrl:{term}"} for term in _AT_VOCAB},
    **{term: f"odrl:{term}" for term in _PLAIN},
}
# Two definitions of the published context that a document must not depend on: ``uid`` as the
# property odrl:uid (not @id), and an ``industry`` term that does not expand to odrl:industry.
W3C_ODRL_QUIRKS = {"uid": {"@type": "@id", "@id": "odrl:uid"}, "industry": "odrl:industry:"}


def loader(context: dict[str, Any]) -> Any:
    def load(url: str, options: Any = None) -> dict[str, Any]:
        assert url == P.ODRL_CONTEXT, url  # nothing else is fetched
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": {"@context": context},
        }

    return load


def expand(doc: dict[str, Any], context: dict[str, Any] = W3C_ODRL_TERMS) -> list[dict[str, Any]]:
    return jsonld.expand(copy.deepcopy(doc), {"documentLoader": loader(context)})


def iris(node: Any) -> set[str]:
    """Every IRI in an expanded document: node ids, types, vocabulary values and predicates."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("@id", "@type"):
                found |= {value} if isinstance(value, str) else set(value)
            elif not key.startswith("@"):
                found.add(key)
            found |= iris(value) if key not in ("@id", "@type") else set()
    return found


ODRL_NS = "http://www.w3.org/ns/odrl/2/"


def test_the_document_expands_to_odrl_iris() -> None:
    doc = J.to_jsonld(P.agreement(full_policy(), "urn:openkamp:contract:9", B))
    [policy] = expand(doc)
    assert policy["@id"] == "urn:openkamp:contract:9"
    assert policy["@type"] == [ODRL_NS + "Agreement"]
    assert policy[ODRL_NS + "profile"] == [{"@id": P.PROFILE}]
    assert policy[ODRL_NS + "conflict"] == [{"@id": ODRL_NS + "prohibit"}]
    assert policy[ODRL_NS + "assignee"] == [{"@id": B}]
    assert policy[ODRL_NS + "target"] == [{"@id": DATASET}]
    [perm] = policy[ODRL_NS + "permission"]
    assert perm[ODRL_NS + "action"] == [{"@id": ODRL_NS + "use"}]
    left = {c[ODRL_NS + "leftOperand"][0]["@id"]: c for c in perm[ODRL_NS + "constraint"]}
    assert set(left) == {
        ODRL_NS + t
        for t in ("purpose", "recipient", "industry", "dateTime", "count", "deliveryChannel")
    }
    ops = {c[ODRL_NS + "operator"][0]["@id"] for c in perm[ODRL_NS + "constraint"]}
    assert ops == {ODRL_NS + t for t in ("isAnyOf", "isNoneOf", "gteq", "lt", "lteq", "eq")}
    purpose = left[ODRL_NS + "purpose"][ODRL_NS + "rightOperand"]
    assert {"@id": "urn:openkamp:odrl:purpose:quality"} in purpose
    channel = left[ODRL_NS + "deliveryChannel"][ODRL_NS + "rightOperand"]
    assert channel == [{"@id": "urn:openkamp:odrl:computeToData"}]
    dates = [
        c
        for c in perm[ODRL_NS + "constraint"]
        if c[ODRL_NS + "leftOperand"][0]["@id"] == ODRL_NS + "dateTime"
    ]
    assert {d[ODRL_NS + "rightOperand"][0]["@type"] for d in dates} == {P.XSD + "dateTime"}
    counts = [
        c
        for c in perm[ODRL_NS + "constraint"]
        if c[ODRL_NS + "leftOperand"][0]["@id"] == ODRL_NS + "count"
    ]
    assert {c[ODRL_NS + "unit"][0]["@id"] for c in counts} == {
        "urn:openkamp:odrl:row",
        "urn:openkamp:odrl:query",
        "urn:openkamp:odrl:training",
    }
    duties = {d[ODRL_NS + "action"][0]["@id"]: d for d in perm[ODRL_NS + "duty"]}
    assert set(duties) == {ODRL_NS + "anonymize", ODRL_NS + "delete"}
    [elapsed] = duties[ODRL_NS + "delete"][ODRL_NS + "constraint"]
    assert elapsed[ODRL_NS + "leftOperand"] == [{"@id": ODRL_NS + "elapsedTime"}]
    assert elapsed[ODRL_NS + "rightOperand"] == [{"@value": "P30D", "@type": P.XSD + "duration"}]
    [proh] = policy[ODRL_NS + "prohibition"]
    assert proh[ODRL_NS + "action"] == [{"@id": ODRL_NS + "distribute"}]
    # Every ODRL IRI the document uses is a term of the ODRL 2.2 vocabulary (rdflib's copy of it).
    used = {iri[len(ODRL_NS) :] for iri in iris(policy) if iri.startswith(ODRL_NS)}
    unknown = {name for name in used if not hasattr(ODRL2, name)}
    assert not unknown, unknown
    assert len(used) >= 30


def test_expansion_does_not_depend_on_the_published_contexts_quirks() -> None:
    doc = J.to_jsonld(full_policy())
    assert expand(doc, {**W3C_ODRL_TERMS, **W3C_ODRL_QUIRKS}) == expand(doc)


def test_the_triples() -> None:
    doc = J.to_jsonld(full_policy())
    nquads = jsonld.to_rdf(
        copy.deepcopy(doc),
        {"format": "application/n-quads", "documentLoader": loader(W3C_ODRL_TERMS)},
    )
    g = Graph().parse(data=nquads, format="nt")  # one graph: n-quads without names
    subject = URIRef(UID)
    assert (subject, URIRef(str(ODRL2.profile)), URIRef(P.PROFILE)) in g
    ask_ = g.query(
        "ASK { ?p a odrl:Offer ; odrl:assigner ?owner ; odrl:prohibition/odrl:action odrl:distribute ;"
        " odrl:permission/odrl:duty/odrl:action odrl:anonymize . }",
        initNs={"odrl": ODRL_NS},
        initBindings={"p": subject, "owner": URIRef(OWNER)},
    )
    assert ask_.askAnswer


# --- properties --------------------------------------------------------------------------------

ORGS = [B, C, ORG + "rival"]
INDUSTRIES = ["C29", "C30", "C26"]
KST = timezone(timedelta(hours=9))
times = st.datetimes(
    datetime(2025, 6, 1), datetime(2027, 6, 1), timezones=st.sampled_from([UTC, KST])
)
small = st.integers(0, 40)

requests = st.builds(
    AccessRequest,
    org=st.sampled_from(ORGS),
    access=st.sampled_from(list(Access)),
    purpose=st.sampled_from(list(Purpose)),
    at=times,
    industry=st.none() | st.sampled_from(INDUSTRIES),
    rows=small,
    anonymised=st.booleans(),
    usage=st.builds(
        Usage, rows=small, queries=small, trainings=small, oldest_undeleted=st.none() | times
    ),
)


@st.composite
def clauses(draw: st.DrawFn, uid: str) -> Any:
    """One constraint, duty or prohibition with the @id ``uid``."""
    kind = draw(
        st.sampled_from(
            [
                "purpose",
                "recipient",
                "industry",
                "from",
                "until",
                "count",
                "channel",
                "anonymise",
                "delete",
                "prohibition",
            ]
        )
    )
    subset = lambda pool: st.lists(st.sampled_from(pool), min_size=1, unique=True).map(tuple)  # noqa: E731
    match kind:
        case "purpose":
            return P.PurposeIn(uid, draw(subset(list(Purpose))))
        case "recipient":
            return P.RecipientIn(uid, draw(subset(ORGS)), draw(st.booleans()))
        case "industry":
            return P.IndustryIn(uid, draw(subset(INDUSTRIES)), draw(st.booleans()))
        case "from":
            return P.NotBefore(uid, draw(times))
        case "until":
            return P.Before(uid, draw(times))
        case "count":
            return P.MaxCount(uid, draw(small), draw(st.sampled_from(list(P.CountUnit))))
        case "channel":
            return P.ChannelIs(uid, draw(st.sampled_from(list(P.Channel))))
        case "anonymise":
            return P.Anonymise(uid)
        case "delete":
            return P.DeleteWithin(uid, draw(st.integers(0, 60)))
    return P.Prohibition(uid, draw(st.sampled_from(list(P.Action))))


def build(items: list[Any], kind: P.PolicyKind = P.PolicyKind.OFFER) -> P.UsagePolicy:
    constraints = tuple(
        c for c in items if not isinstance(c, P.Anonymise | P.DeleteWithin | P.Prohibition)
    )
    duties = tuple(c for c in items if isinstance(c, P.Anonymise | P.DeleteWithin))
    prohibitions = tuple(c for c in items if isinstance(c, P.Prohibition))
    return P.UsagePolicy(
        UID,
        kind,
        DATASET,
        OWNER,
        B if kind is P.PolicyKind.AGREEMENT else None,
        (P.Permission(UID + "#use", P.Action.USE, constraints, duties),),
        prohibitions,
    )


@st.composite
def policies(draw: st.DrawFn, extra: int = 0) -> tuple[P.UsagePolicy, list[Any]]:
    n = draw(st.integers(0, 6))
    items = [draw(clauses(f"{UID}#c{i}")) for i in range(n + extra)]
    kind = draw(st.sampled_from(list(P.PolicyKind)))
    policy = build(items[:n], kind)
    try:
        P.validate(build(items, kind))  # an empty time window is refused by the validator
    except InvalidInput:
        assume(False)
    return policy, items


@given(requests)
@settings(deadline=None)
def test_a_policy_without_constraints_allows_everything(request: AccessRequest) -> None:
    open_policy = P.UsagePolicy(
        UID,
        P.PolicyKind.OFFER,
        DATASET,
        OWNER,
        permissions=(P.Permission(UID + "#use", P.Action.USE),),
    )
    decision = A.evaluate(open_policy, request)
    assert decision.allowed and decision.permission == UID + "#use"


@given(policies(extra=1), requests)
@settings(deadline=None)
def test_adding_a_clause_never_turns_a_refusal_into_a_permission(
    drawn: tuple[P.UsagePolicy, list[Any]], request: AccessRequest
) -> None:
    policy, items = drawn
    narrower = build(items, policy.kind)
    before, after = A.evaluate(policy, request), A.evaluate(narrower, request)
    event(f"allowed before: {before.allowed}, after: {after.allowed}")
    if not before.allowed:
        assert not after.allowed
    if after.allowed:  # and what the narrower policy allows, the wider one allows too
        assert before.allowed


@given(policies())
@settings(deadline=None)
def test_round_trip_of_any_policy(drawn: tuple[P.UsagePolicy, list[Any]]) -> None:
    policy, _ = drawn
    assert J.from_jsonld(json.dumps(J.to_jsonld(policy))) == policy
