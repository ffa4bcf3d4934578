"""The organisation's asset model as a read-only AAS repository (AAS HTTP/REST API 3.0, Part 2).

Mounted at :data:`AAS_PREFIX` as an application of its own, because it speaks the AAS
specification's shapes rather than OpenKAMP's: base64url identifiers, ``paging_metadata``
pages, and errors as an AAS ``Result`` (``{"messages": [{"code", "messageType", "text",
"timestamp"}]}``, the text in the reader's language). It is not part of ``/api/v1``'s OpenAPI
description. ``GET /description`` names the profiles it implements: the read profiles (SSP-002)
of the AAS Repository and the Submodel Repository; concept descriptions are served read-only too.

Callers authenticate as on the rest of the API (bearer token or session cookie). Every answer is
built on each request from the acting organisation's asset tree by the AAS export itself
(:func:`openkamp.assets.aas.to_aas` with the organisation's ``export_context``), so the repository
serves exactly what an export holds and never another organisation's objects: a foreign
identifier is "not found" like a missing one. Only GET exists; other methods answer 405.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, Literal, TypeVar

from basyx.aas import model
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from openkamp.api.deps import Kamp, Me
from openkamp.api.errors import request_lang, status_of
from openkamp.assets import aas_views as views
from openkamp.assets.aas import export_context, to_aas
from openkamp.core import errors as e
from openkamp.i18n import error_text

__all__ = ["AAS_PREFIX", "PROFILES", "install"]

AAS_PREFIX = "/api/aas/v3.0"
_SSP = "https://admin-shell.io/aas/API/3/0/"
PROFILES = [
    _SSP + "AssetAdministrationShellRepositoryServiceSpecification/SSP-002",
    _SSP + "SubmodelRepositoryServiceSpecification/SSP-002",
]
_T = TypeVar("_T", bound=model.Identifiable)

Level = Annotated[Literal["deep", "core"], Query()]
Extent = Annotated[Literal["withBlobValue", "withoutBlobValue"], Query()]
Limit = Annotated[int | None, Query(ge=1)]
Cursor = Annotated[str | None, Query()]
IdShort = Annotated[str | None, Query(alias="idShort")]


def install(app: FastAPI) -> None:
    """Mount the AAS repository on ``app`` (it shares the app's settings and platform)."""
    aas = FastAPI(title="OpenKAMP AAS repository", openapi_url=None, docs_url=None, redoc_url=None)
    aas.state = app.state
    _install_errors(aas)
    aas.include_router(router)
    for prefix in (
        "/submodels/{submodelIdentifier}",
        "/shells/{aasIdentifier}/submodels/{submodelIdentifier}",
    ):
        aas.include_router(submodel_router, prefix=prefix)
    app.mount(AAS_PREFIX, aas)


# --------------------------------------------------------------------------- errors


def _result(request: Request, status: int, exc: e.OpenKampError, headers: Any = None) -> Response:
    """An error as the AAS ``Result`` body, in the reader's language."""
    text, hint = error_text(exc, request_lang(request))
    code = exc.code if exc.code and len(exc.code) <= 32 else str(status)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = {
        "code": code,
        "messageType": "Error",
        "text": f"{text} {hint}" if hint else text,
        "timestamp": now,
    }
    return JSONResponse({"messages": [message]}, status_code=status, headers=headers)


def _install_errors(aas: FastAPI) -> None:
    async def domain(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, e.OpenKampError)
        status = status_of(exc)
        if status == 422:  # the AAS API answers every unusable request 400
            status = 400
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return _result(request, status, exc, headers)

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
            for err in exc.errors()[:10]
        )
        error = e.InvalidInput(problems, code="request.invalid", params={"problems": problems})
        return _result(request, 400, error)

    async def framework(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        code = {404: "http.not_found", 405: "http.method"}.get(status, "http.other")
        error = e.InvalidInput(str(exc.detail), code=code, params={"status": status})
        return _result(request, status, error, getattr(exc, "headers", None))

    async def unexpected(request: Request, exc: Exception) -> Response:
        # The server's log has the traceback (Starlette raises on after answering).
        error = e.OpenKampError("The server failed on an internal error.", code="aas.internal")
        return _result(request, 500, error)

    aas.add_exception_handler(Exception, unexpected)
    aas.add_exception_handler(e.OpenKampError, domain)
    aas.add_exception_handler(RequestValidationError, invalid)
    aas.add_exception_handler(StarletteHTTPException, framework)


# --------------------------------------------------------------------------- the environment


def _environment(kamp: Kamp, me: Me) -> model.DictIdentifiableStore:
    """The acting organisation's shells, submodels and concept descriptions, as exported."""
    return to_aas(kamp.assets.export_tree(me), **export_context(kamp, me))


Env = Annotated[model.DictIdentifiableStore, Depends(_environment)]


def _all(env: model.DictIdentifiableStore, cls: type[_T]) -> list[_T]:
    return [obj for obj in env if isinstance(obj, cls)]


def _get(env: model.DictIdentifiableStore, cls: type[_T], encoded: str) -> _T:
    identifier = views.decode_id(encoded)
    found = env.get(identifier)
    if isinstance(found, cls):
        return found
    kind = {
        model.AssetAdministrationShell: "shell",
        model.Submodel: "submodel",
        model.ConceptDescription: "concept_description",
    }[cls]
    raise e.NotFound(
        f"There is no {kind.replace('_', ' ')} with the id {identifier!r}.",
        code=f"aas.no_{kind}",
        params={"id": identifier},
    )


def _submodel_refs(shell: model.AssetAdministrationShell, env: Any) -> list[model.ModelReference]:
    """The shell's submodel references in the export's order (the SDK keeps them in a set)."""
    order = {obj.id: i for i, obj in enumerate(env)}
    return sorted(shell.submodel, key=lambda ref: order.get(ref.key[0].value, len(order)))


def _shell_json(shell: model.AssetAdministrationShell, env: Any) -> Any:
    data = views.to_json(shell)
    if "submodels" in data:
        data["submodels"] = views.to_json(_submodel_refs(shell, env))
    return data


def _full(obj: model.Referable, level: str, extent: str) -> Any:
    data = views.to_json(obj)
    if level == "core":
        data = views.core(data)
    return data if extent == "withBlobValue" else views.without_blob_values(data)


def _paged(
    items: Sequence[Any], limit: int | None, cursor: str | None, fn: Callable[[Any], Any]
) -> Response:
    out = views.page(items, limit, cursor)
    out["result"] = [fn(item) for item in out["result"]]
    return JSONResponse(out)


def _decoded_json(encoded: str, name: str) -> Any:
    try:
        return json.loads(views.decode_id(encoded))
    except ValueError:
        raise e.InvalidInput(
            f"The {name} value must be a base64url-encoded AAS Reference in JSON.",
            code="aas.bad_reference",
            params={"name": name},
        ) from None


def _keys(reference: Any) -> Any:
    return reference.get("keys") if isinstance(reference, dict) else None


# --------------------------------------------------------------------------- shells

router = APIRouter()


@router.get("/description")
def description(me: Me) -> Response:
    """The profiles this server implements."""
    return JSONResponse({"profiles": PROFILES})


def _shells(env: Any, id_short: str | None, asset_ids: list[str] | None) -> list[Any]:
    wanted = []
    for encoded in asset_ids or ():
        try:
            asset = json.loads(views.decode_id(encoded))
            wanted.append((str(asset["name"]), str(asset["value"])))
        except (ValueError, TypeError, KeyError):
            raise e.InvalidInput(
                "An assetIds value must be a base64url-encoded JSON object with a name and a value.",
                code="aas.bad_asset_id",
            ) from None

    def has(shell: model.AssetAdministrationShell, name: str, value: str) -> bool:
        info = shell.asset_information
        if name == "globalAssetId":
            return info.global_asset_id == value
        return any(s.name == name and s.value == value for s in info.specific_asset_id)

    return [
        shell
        for shell in _all(env, model.AssetAdministrationShell)
        if (id_short is None or shell.id_short == id_short)
        and all(has(shell, name, value) for name, value in wanted)
    ]


AssetIds = Annotated[list[str] | None, Query(alias="assetIds")]


@router.get("/shells")
def shells(
    env: Env,
    id_short: IdShort = None,
    asset_ids: AssetIds = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Response:
    """The shells, filtered by idShort and asset ids (base64url-encoded SpecificAssetIds)."""
    found = _shells(env, id_short, asset_ids)
    return _paged(found, limit, cursor, lambda shell: _shell_json(shell, env))


@router.get("/shells/$reference")
def shells_references(
    env: Env,
    id_short: IdShort = None,
    asset_ids: AssetIds = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Response:
    return _paged(_shells(env, id_short, asset_ids), limit, cursor, views.reference)


@router.get("/shells/{aasIdentifier}")
def shell(env: Env, aasIdentifier: str) -> Response:
    return JSONResponse(_shell_json(_get(env, model.AssetAdministrationShell, aasIdentifier), env))


@router.get("/shells/{aasIdentifier}/$reference")
def shell_reference(env: Env, aasIdentifier: str) -> Response:
    return JSONResponse(views.reference(_get(env, model.AssetAdministrationShell, aasIdentifier)))


@router.get("/shells/{aasIdentifier}/asset-information")
def asset_information(env: Env, aasIdentifier: str) -> Response:
    shell = _get(env, model.AssetAdministrationShell, aasIdentifier)
    return JSONResponse(views.to_json(shell.asset_information))


@router.get("/shells/{aasIdentifier}/asset-information/thumbnail")
def thumbnail(env: Env, aasIdentifier: str) -> Response:
    _get(env, model.AssetAdministrationShell, aasIdentifier)
    raise e.NotFound("This asset has no thumbnail.", code="aas.no_thumbnail")


@router.get("/shells/{aasIdentifier}/submodel-refs")
def submodel_references(
    env: Env, aasIdentifier: str, limit: Limit = None, cursor: Cursor = None
) -> Response:
    shell = _get(env, model.AssetAdministrationShell, aasIdentifier)
    return _paged(_submodel_refs(shell, env), limit, cursor, views.to_json)


# --------------------------------------------------------------------------- submodels

SemanticId = Annotated[str | None, Query(alias="semanticId")]


def _submodels(env: Any, semantic_id: str | None, id_short: str | None) -> list[model.Submodel]:
    wanted = None if semantic_id is None else views.decode_id(semantic_id)
    return [
        sm
        for sm in _all(env, model.Submodel)
        if (id_short is None or sm.id_short == id_short)
        and (
            wanted is None
            or (sm.semantic_id is not None and any(k.value == wanted for k in sm.semantic_id.key))
        )
    ]


@router.get("/submodels")
def submodels(
    env: Env,
    semantic_id: SemanticId = None,
    id_short: IdShort = None,
    limit: Limit = None,
    cursor: Cursor = None,
    level: Level = "deep",
    extent: Extent = "withoutBlobValue",
) -> Response:
    found = _submodels(env, semantic_id, id_short)
    return _paged(found, limit, cursor, lambda sm: _full(sm, level, extent))


@router.get("/submodels/$metadata")
def submodels_metadata(
    env: Env,
    semantic_id: SemanticId = None,
    id_short: IdShort = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Response:
    found = _submodels(env, semantic_id, id_short)
    return _paged(found, limit, cursor, lambda sm: views.metadata(views.to_json(sm)))


@router.get("/submodels/$value")
def submodels_value(
    env: Env,
    semantic_id: SemanticId = None,
    id_short: IdShort = None,
    limit: Limit = None,
    cursor: Cursor = None,
    level: Level = "deep",
    extent: Extent = "withoutBlobValue",
) -> Response:
    found = _submodels(env, semantic_id, id_short)
    deep, blobs = level == "deep", extent == "withBlobValue"
    return _paged(found, limit, cursor, lambda sm: views.submodel_value(sm, deep=deep, blobs=blobs))


@router.get("/submodels/$reference")
def submodels_references(
    env: Env,
    semantic_id: SemanticId = None,
    id_short: IdShort = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Response:
    return _paged(_submodels(env, semantic_id, id_short), limit, cursor, views.reference)


@router.get("/submodels/$path")
def submodels_paths(
    env: Env,
    semantic_id: SemanticId = None,
    id_short: IdShort = None,
    limit: Limit = None,
    cursor: Cursor = None,
    level: Level = "deep",
) -> Response:
    """The idShortPaths of the submodels' elements, submodel after submodel (each path relative
    to its submodel), paged path by path."""
    paths = [
        path
        for sm in _submodels(env, semantic_id, id_short)
        for path in views.id_short_paths(sm, deep=level == "deep")
    ]
    return _paged(paths, limit, cursor, str)


# --------------------------------------------------------------------------- one submodel

submodel_router = APIRouter()


def _the_submodel(request: Request, env: Env) -> model.Submodel:
    """The submodel of the path; under ``/shells/{aasIdentifier}`` only one the shell refers to."""
    params = request.path_params
    sm = _get(env, model.Submodel, params["submodelIdentifier"])
    if "aasIdentifier" in params:
        shell = _get(env, model.AssetAdministrationShell, params["aasIdentifier"])
        if not any(ref.key[0].value == sm.id for ref in shell.submodel):
            raise e.NotFound(
                f"There is no submodel with the id {sm.id!r}.",
                code="aas.no_submodel",
                params={"id": sm.id},
            )
    return sm


Submodel = Annotated[model.Submodel, Depends(_the_submodel)]


@submodel_router.get("")
def submodel(sm: Submodel, level: Level = "deep", extent: Extent = "withoutBlobValue") -> Response:
    return JSONResponse(_full(sm, level, extent))


@submodel_router.get("/$metadata")
def submodel_metadata(sm: Submodel) -> Response:
    return JSONResponse(views.metadata(views.to_json(sm)))


@submodel_router.get("/$value")
def submodel_value(
    sm: Submodel, level: Level = "deep", extent: Extent = "withoutBlobValue"
) -> Response:
    value = views.submodel_value(sm, deep=level == "deep", blobs=extent == "withBlobValue")
    return JSONResponse(value)


@submodel_router.get("/$reference")
def submodel_reference(sm: Submodel) -> Response:
    return JSONResponse(views.reference(sm))


@submodel_router.get("/$path")
def submodel_paths(sm: Submodel, level: Level = "deep") -> Response:
    return JSONResponse(views.id_short_paths(sm, deep=level == "deep"))


def _elements(sm: model.Submodel) -> list[model.SubmodelElement]:
    return list(sm.submodel_element)


@submodel_router.get("/submodel-elements")
def elements(
    sm: Submodel,
    limit: Limit = None,
    cursor: Cursor = None,
    level: Level = "deep",
    extent: Extent = "withoutBlobValue",
) -> Response:
    return _paged(_elements(sm), limit, cursor, lambda el: _full(el, level, extent))


@submodel_router.get("/submodel-elements/$metadata")
def elements_metadata(sm: Submodel, limit: Limit = None, cursor: Cursor = None) -> Response:
    return _paged(_elements(sm), limit, cursor, lambda el: views.metadata(views.to_json(el)))


@submodel_router.get("/submodel-elements/$value")
def elements_value(
    sm: Submodel,
    limit: Limit = None,
    cursor: Cursor = None,
    level: Level = "deep",
    extent: Extent = "withoutBlobValue",
) -> Response:
    deep, blobs = level == "deep", extent == "withBlobValue"
    valued = [el for el in _elements(sm) if not isinstance(el, model.Operation | model.Capability)]
    return _paged(valued, limit, cursor, lambda el: views.named_value(el, deep=deep, blobs=blobs))


@submodel_router.get("/submodel-elements/$reference")
def elements_references(sm: Submodel, limit: Limit = None, cursor: Cursor = None) -> Response:
    return _paged(_elements(sm), limit, cursor, views.reference)


@submodel_router.get("/submodel-elements/$path")
def elements_paths(
    sm: Submodel, limit: Limit = None, cursor: Cursor = None, level: Level = "deep"
) -> Response:
    return _paged(views.id_short_paths(sm, deep=level == "deep"), limit, cursor, str)


@submodel_router.get("/submodel-elements/{idShortPath}")
def element(
    sm: Submodel, idShortPath: str, level: Level = "deep", extent: Extent = "withoutBlobValue"
) -> Response:
    return JSONResponse(_full(views.find_element(sm, idShortPath), level, extent))


@submodel_router.get("/submodel-elements/{idShortPath}/$metadata")
def element_metadata(sm: Submodel, idShortPath: str) -> Response:
    return JSONResponse(views.metadata(views.to_json(views.find_element(sm, idShortPath))))


@submodel_router.get("/submodel-elements/{idShortPath}/$value")
def element_value(
    sm: Submodel, idShortPath: str, level: Level = "deep", extent: Extent = "withoutBlobValue"
) -> Response:
    found = views.find_element(sm, idShortPath)
    value = views.named_value(found, deep=level == "deep", blobs=extent == "withBlobValue")
    return JSONResponse(value)


@submodel_router.get("/submodel-elements/{idShortPath}/$reference")
def element_reference(sm: Submodel, idShortPath: str) -> Response:
    return JSONResponse(views.reference(views.find_element(sm, idShortPath)))


@submodel_router.get("/submodel-elements/{idShortPath}/$path")
def element_paths(sm: Submodel, idShortPath: str, level: Level = "deep") -> Response:
    found = views.find_element(sm, idShortPath)
    return JSONResponse(views.id_short_paths(found, deep=level == "deep"))


@submodel_router.get("/submodel-elements/{idShortPath}/attachment")
def attachment(sm: Submodel, idShortPath: str) -> Response:
    found = views.find_element(sm, idShortPath)
    if isinstance(found, model.Blob) and found.value is not None:
        return Response(found.value, media_type=found.content_type)
    if not isinstance(found, model.Blob | model.File):
        name = type(found).__name__
        raise e.InvalidInput(
            f"A {name} has no file to download; only File and Blob elements do.",
            code="aas.not_a_file",
            params={"type": name},
        )
    # The export refers to no files of its own: nothing is stored under a File's path.
    raise e.NotFound(
        f"No file is stored for the element {idShortPath!r}.",
        code="aas.no_attachment",
        params={"path": idShortPath},
    )


# --------------------------------------------------------------------------- concept descriptions

CaseOf = Annotated[str | None, Query(alias="isCaseOf")]
DataSpecificationRef = Annotated[str | None, Query(alias="dataSpecificationRef")]


@router.get("/concept-descriptions")
def concept_descriptions(
    env: Env,
    id_short: IdShort = None,
    is_case_of: CaseOf = None,
    data_specification_ref: DataSpecificationRef = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Response:
    """The concept descriptions, filtered by idShort, isCaseOf and dataSpecificationRef (both
    base64url-encoded References in JSON, matched by their keys)."""
    case = None if is_case_of is None else _keys(_decoded_json(is_case_of, "isCaseOf"))
    spec = None
    if data_specification_ref is not None:
        spec = _keys(_decoded_json(data_specification_ref, "dataSpecificationRef"))

    def keys_of(refs: Iterable[Any]) -> list[Any]:
        return [_keys(r) for r in views.to_json(list(refs))]

    found = [
        cd
        for cd in _all(env, model.ConceptDescription)
        if (id_short is None or cd.id_short == id_short)
        and (case is None or case in keys_of(cd.is_case_of))
        and (
            spec is None
            or spec in keys_of(d.data_specification for d in cd.embedded_data_specifications)
        )
    ]
    return _paged(found, limit, cursor, views.to_json)


@router.get("/concept-descriptions/{cdIdentifier}")
def concept_description(env: Env, cdIdentifier: str) -> Response:
    return JSONResponse(views.to_json(_get(env, model.ConceptDescription, cdIdentifier)))


# --------------------------------------------------------------------------- serialization

AasIds = Annotated[list[str] | None, Query(alias="aasIds")]
SubmodelIds = Annotated[list[str] | None, Query(alias="submodelIds")]
IncludeCDs = Annotated[bool, Query(alias="includeConceptDescriptions")]


def _ids(values: list[str] | None) -> list[str]:
    """Identifiers given as repeated parameters or comma-separated (base64url has no commas)."""
    return [part for value in values or () for part in value.split(",") if part]


@router.get("/serialization")
def serialization(
    request: Request,
    env: Env,
    aas_ids: AasIds = None,
    submodel_ids: SubmodelIds = None,
    include_concept_descriptions: IncludeCDs = True,
) -> Response:
    """An environment in JSON of the shells and submodels asked for (all of them when none is
    named), with the concept descriptions unless ``includeConceptDescriptions=false``."""
    accept = request.headers.get("accept", "")
    accepted = {part.split(";")[0].strip().lower() for part in accept.split(",")}
    if not accepted & {"", "*/*", "application/*", "application/json"}:
        # XML and AASX are left out: the SDK writes XML of metamodel 3.1, this API is 3.0.
        error = e.InvalidInput(
            f"Cannot answer in {accept[:80]!r}; ask for application/json.",
            code="aas.not_acceptable",
            params={"accept": accept[:80]},
        )
        return _result(request, 406, error)
    shell_ids, sm_ids = _ids(aas_ids), _ids(submodel_ids)
    chosen: list[model.Identifiable]
    if shell_ids or sm_ids:
        chosen = [
            *(_get(env, model.AssetAdministrationShell, i) for i in shell_ids),
            *(_get(env, model.Submodel, i) for i in sm_ids),
        ]
    else:
        chosen = [obj for obj in env if not isinstance(obj, model.ConceptDescription)]
    if include_concept_descriptions:
        chosen += _all(env, model.ConceptDescription)
    body: dict[str, list[Any]] = {}
    for key, cls in (
        ("assetAdministrationShells", model.AssetAdministrationShell),
        ("submodels", model.Submodel),
        ("conceptDescriptions", model.ConceptDescription),
    ):
        objs = [obj for obj in chosen if isinstance(obj, cls)]
        if objs:
            body[key] = [
                _shell_json(o, env)
                if isinstance(o, model.AssetAdministrationShell)
                else views.to_json(o)
                for o in objs
            ]
    return JSONResponse(body)
