"""Texts of the AAS repository API (``/api/aas/v3.0``): its errors, in the AAS ``Result`` body."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.aas.bad_id": {
        "ko": "{text!r}은(는) base64url로 인코딩된 식별자가 아닙니다.",
        "en": "{text!r} is not a base64url-encoded identifier.",
    },
    "err.aas.bad_id.hint": {
        "ko": "식별자의 UTF-8 바이트를 base64url(RFC 4648 §5)로 인코딩해 보내세요.",
        "en": "Encode the identifier's UTF-8 bytes as base64url (RFC 4648 §5).",
    },
    "err.aas.bad_cursor": {
        "ko": "{cursor!r}은(는) 이 서버의 커서가 아닙니다.",
        "en": "{cursor!r} is not a cursor of this server.",
    },
    "err.aas.bad_cursor.hint": {
        "ko": "앞 페이지의 paging_metadata에 있는 커서를 그대로 보내세요.",
        "en": "Pass the cursor of the previous page's paging_metadata unchanged.",
    },
    "err.aas.bad_path": {
        "ko": "{path!r}은(는) idShort 경로가 아닙니다.",
        "en": "{path!r} is not an idShortPath.",
    },
    "err.aas.bad_path.hint": {
        "ko": "idShort를 '.'으로 잇고 목록의 순번은 [0]처럼 쓰세요.",
        "en": "Join idShorts with '.' and write list indices as [0].",
    },
    "err.aas.bad_asset_id": {
        "ko": "assetIds 값은 name과 value가 있는 JSON 객체를 base64url로 인코딩한 것이어야 합니다.",
        "en": "An assetIds value must be a base64url-encoded JSON object with a name and a value.",
    },
    "err.aas.bad_reference": {
        "ko": "{name} 값은 AAS 참조(Reference) JSON을 base64url로 인코딩한 것이어야 합니다.",
        "en": "The {name} value must be a base64url-encoded AAS Reference in JSON.",
    },
    "err.aas.no_shell": {
        "ko": "식별자가 {id!r}인 AAS(관리 셸)가 없습니다.",
        "en": "There is no asset administration shell with the id {id!r}.",
    },
    "err.aas.no_submodel": {
        "ko": "식별자가 {id!r}인 서브모델이 없습니다.",
        "en": "There is no submodel with the id {id!r}.",
    },
    "err.aas.no_concept_description": {
        "ko": "식별자가 {id!r}인 개념 설명(Concept Description)이 없습니다.",
        "en": "There is no concept description with the id {id!r}.",
    },
    "err.aas.no_element": {
        "ko": "서브모델에 {path!r} 요소가 없습니다.",
        "en": "The submodel has no element {path!r}.",
    },
    "err.aas.no_path": {
        "ko": "{type} 요소에는 경로로 나열할 하위 요소가 없습니다.",
        "en": "A {type} has no children to list as paths.",
    },
    "err.aas.no_path.hint": {
        "ko": "$path는 서브모델, 컬렉션, 목록, 엔티티에 씁니다.",
        "en": "$path is for submodels, collections, lists and entities.",
    },
    "err.aas.no_value": {
        "ko": "{type} 요소에는 값이 없습니다.",
        "en": "A {type} has no value.",
    },
    "err.aas.no_thumbnail": {
        "ko": "이 자산에는 썸네일 이미지가 없습니다.",
        "en": "This asset has no thumbnail.",
    },
    "err.aas.no_attachment": {
        "ko": "{path!r} 요소에 저장된 파일이 없습니다.",
        "en": "No file is stored for the element {path!r}.",
    },
    "err.aas.not_a_file": {
        "ko": "{type} 요소에는 내려받을 파일이 없습니다. 파일은 File·Blob 요소에만 있습니다.",
        "en": "A {type} has no file to download; only File and Blob elements do.",
    },
    "err.aas.internal": {
        "ko": "서버 내부 오류로 응답하지 못했습니다. 계속되면 관리자에게 알려 주세요.",
        "en": "The server failed on an internal error; if it happens again, tell your administrator.",
    },
    "err.aas.not_acceptable": {
        "ko": "{accept!r} 형식으로는 보낼 수 없습니다. application/json을 요청하세요.",
        "en": "Cannot answer in {accept!r}; ask for application/json.",
    },
}
