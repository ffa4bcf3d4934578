"""Texts of the AAS repository API (``/api/aas/v3.0``): its errors, in the AAS ``Result`` body;
and of an equipment's nameplate (the Digital Nameplate of the AAS export): its fields, the
equipment page's nameplate form and the nameplate's errors."""

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

#: The nameplate's fields (core.assets.Nameplate) as people read them: Korean, English.
NAMEPLATE_LABELS: dict[str, tuple[str, str]] = {
    "manufacturer_name": ("제조사", "Manufacturer"),
    "product_designation": ("제품명", "Product designation"),
    "product_type": ("모델명", "Model (product type)"),
    "serial_number": ("제조번호", "Serial number"),
    "year_of_construction": ("제조연도", "Year of construction"),
    "product_uri": ("제품 URL", "Product URI"),
    "street": ("도로명 주소", "Street"),
    "zipcode": ("우편번호", "Zip code"),
    "city": ("도시", "City"),
    "country": ("국가 코드", "Country code"),
    "phone": ("전화번호", "Phone"),
    "email": ("이메일", "E-mail"),
}

MESSAGES.update(
    {
        "nameplate.title": {"ko": "디지털 명판", "en": "Digital nameplate"},
        "nameplate.help": {
            "ko": "설비 명판에 적힌 제조사 정보입니다. 필수 항목을 모두 채우면 AAS 내보내기(.aasx, "
            "JSON)와 AAS 저장소에 표준 디지털 명판이 들어갑니다.",
            "en": "What the machine's nameplate says about its maker. With every required field "
            "filled, the AAS export (.aasx, JSON) and the AAS repository hold the standard "
            "Digital Nameplate.",
        },
        "nameplate.product": {"ko": "제품", "en": "Product"},
        "nameplate.contact": {"ko": "제조사 연락처", "en": "Manufacturer contact"},
        "nameplate.required": {"ko": "필수", "en": "required"},
        "nameplate.ready": {
            "ko": "필수 항목이 모두 채워졌습니다. AAS 내보내기에 이 설비의 디지털 명판이 들어갑니다.",
            "en": "Every required field is filled: the AAS export holds this machine's digital "
            "nameplate.",
        },
        "nameplate.missing": {
            "ko": "AAS 내보내기에 디지털 명판을 넣으려면 다음 항목을 채우세요: {fields}",
            "en": "For a digital nameplate in the AAS export, fill in: {fields}",
        },
        "nameplate.none": {"ko": "명판 정보가 아직 없습니다.", "en": "No nameplate data yet."},
        "nameplate.save": {"ko": "명판 저장", "en": "Save nameplate"},
        "nameplate.example.year_of_construction": {"ko": "예: 2019", "en": "e.g. 2019"},
        "nameplate.example.country": {"ko": "예: KR", "en": "e.g. KR"},
        "nameplate.example.product_uri": {
            "ko": "제조사의 제품 페이지 주소",
            "en": "the maker's address for this product",
        },
        "err.assets.nameplate_equipment_only": {
            "ko": "명판은 설비에만 있습니다. 사업장과 라인에는 명판을 넣을 수 없습니다.",
            "en": "Only equipment has a nameplate, not sites or lines.",
        },
        "err.nameplate.unknown_field": {
            "ko": "명판에 없는 항목입니다: {fields}.",
            "en": "A nameplate has no field {fields}.",
        },
        "err.nameplate.not_fields": {
            "ko": "명판은 항목 이름과 값의 묶음이어야 합니다.",
            "en": "A nameplate is a set of named fields.",
        },
        "err.nameplate.bad.year_of_construction": {
            "ko": "제조연도 '{text}'은(는) 네 자리 연도가 아닙니다 (예: 2019).",
            "en": "The year of construction '{text}' is not a year of four digits (e.g. 2019).",
        },
        "err.nameplate.bad.country": {
            "ko": "국가 코드 '{text}'은(는) ISO 3166-1 두 글자 국가 코드가 아닙니다 (예: KR).",
            "en": "The country code '{text}' is not a two-letter ISO 3166-1 code (e.g. KR).",
        },
        "err.nameplate.bad.product_uri": {
            "ko": "제품 URL '{text}'은(는) https:// 처럼 종류로 시작하는 완전한 주소가 아닙니다.",
            "en": "The product URI '{text}' is not an absolute URI (one that starts with its "
            "scheme, such as https://).",
        },
        "err.nameplate.bad.email": {
            "ko": "'{text}'은(는) 이메일 주소가 아닙니다.",
            "en": "'{text}' is not an e-mail address.",
        },
        **{
            f"nameplate.field.{key}": {"ko": ko, "en": en}
            for key, (ko, en) in NAMEPLATE_LABELS.items()
        },
        **{
            f"err.nameplate.too_long.{key}": {
                "ko": f"명판의 {ko}이(가) 너무 깁니다 ({{length}}자, 최대 {{max}}자).",
                "en": f"The nameplate's {en[:1].lower() + en[1:]} is too long ({{length}} characters, at "
                "most {max}).",
            }
            for key, (ko, en) in NAMEPLATE_LABELS.items()
        },
        **{
            f"err.nameplate.bad_text.{key}": {
                "ko": f"명판의 {ko}에 줄바꿈이나 제어 문자가 있습니다. 한 줄로 입력하세요.",
                "en": f"The nameplate's {en[:1].lower() + en[1:]} holds line breaks or control characters; "
                "type it on one line.",
            }
            for key, (ko, en) in NAMEPLATE_LABELS.items()
        },
    }
)
