"""Texts of the data catalog's offers (openkamp.sharing.catalog and sharing.certificate, issue
11): errors (``err.sharing.catalog.<reason>``), the offer states, the manufacturing problems and
the KSIC manufacturing divisions (C10 to C34) the catalog labels offers with. Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- errors ---------------------------------------------------------------------------------
    "err.sharing.catalog.not_found": {
        "ko": "데이터 제공 {id}을(를) 찾을 수 없습니다.",
        "en": "There is no data offer {id}.",
    },
    "err.sharing.catalog.name": {
        "ko": "제공 이름 '{value}'은(는) 쓸 수 없습니다. 영문 소문자, 숫자와 . _ - 로 128자 이내여야 합니다.",
        "en": "The offer name '{value}' cannot be used: lower-case letters, digits and . _ - only, at most 128 characters.",
    },
    "err.sharing.catalog.duplicate": {
        "ko": "이 조직에 이름이 '{name}'인 데이터 제공이 이미 있습니다.",
        "en": "This organisation already has a data offer named '{name}'.",
    },
    "err.sharing.catalog.text": {
        "ko": "{field}: 한국어와 영어로 {max}자 이내의 글이 있어야 합니다.",
        "en": "{field}: a text of at most {max} characters is needed in Korean and in English.",
    },
    "err.sharing.catalog.equipment_type": {
        "ko": "설비 종류 '{value}'은(는) 쓸 수 없습니다. 영문 소문자, 숫자와 . _ - 로 64자 이내여야 합니다 (예: injection_moulding).",
        "en": "The equipment type '{value}' cannot be used: lower-case letters, digits and . _ - only, at most 64 characters (e.g. injection_moulding).",
    },
    "err.sharing.catalog.industry": {
        "ko": "업종 '{value}'은(는) 한국표준산업분류(KSIC) 코드가 아닙니다 (예: C29, C2919).",
        "en": "The industry '{value}' is not a KSIC code (e.g. C29, C2919).",
    },
    "err.sharing.catalog.problem": {
        "ko": "제조 문제 '{value}'은(는) 없습니다. 쓸 수 있는 값: {allowed}.",
        "en": "There is no manufacturing problem '{value}'. Use one of: {allowed}.",
    },
    "err.sharing.catalog.policy_field": {
        "ko": "이용 조건에 '{field}' 항목은 없습니다. 쓸 수 있는 항목: {allowed}.",
        "en": "Usage terms have no clause '{field}'. Clauses: {allowed}.",
    },
    "err.sharing.catalog.policy_value": {
        "ko": "이용 조건 '{field}'의 값 {value}이(가) 올바르지 않습니다.",
        "en": "The usage clause '{field}' has an invalid value {value}.",
    },
    "err.sharing.catalog.state": {
        "ko": "데이터 제공 {id}은(는) 지금 '{state}' 상태라서 이 작업을 할 수 없습니다.",
        "en": "Data offer {id} is '{state}', which does not allow this.",
    },
    "err.sharing.catalog.not_draft": {
        "ko": "데이터 제공 {id}은(는) {state[ko]} 상태라 고칠 수 없습니다. 작성 중인 초안만 고칠 수 있습니다.",
        "en": "Data offer {id} is {state[en]}: only a draft can be changed.",
    },
    "err.sharing.catalog.not_draft.hint": {
        "ko": "공개된 제공의 조건은 이용 요청과 계약이 따르는 조건이라 바꾸지 않습니다. 조건을 바꾸려면 이 제공을 철회하고(공개 중이면) 바꾼 내용으로 새 제공을 만드세요.",
        "en": "A published offer's terms are what requests and contracts refer to, so they do not change. To offer other terms, withdraw this offer (if it is still published) and create a new one with the changes.",
    },
    "err.sharing.catalog.empty": {
        "ko": "데이터셋 {dataset}에 행이 없어 품질 인증서를 만들 수 없습니다.",
        "en": "Dataset {dataset} has no rows: there is nothing to certify.",
    },
    "err.sharing.catalog.certificate": {
        "ko": "품질 인증서를 확인할 수 없습니다 ({reason}).",
        "en": "The quality certificate cannot be checked ({reason}).",
    },
    "err.sharing.catalog.uncertified": {
        "ko": "데이터 제공 {id}에는 플랫폼 서명이 확인되는 품질 인증서가 없어 골든 데이터셋으로 지정할 수 없습니다.",
        "en": "Data offer {id} has no quality certificate with a valid platform signature: it cannot be a golden dataset.",
    },
    "err.sharing.catalog.operator": {
        "ko": "골든 데이터셋 지정은 플랫폼 운영자만 할 수 있습니다.",
        "en": "Only the platform operator can mark golden datasets.",
    },
    "err.sharing.catalog.filter": {
        "ko": "검색 조건 '{field}'의 값 {value}이(가) 올바르지 않습니다.",
        "en": "The search filter '{field}' has an invalid value {value}.",
    },
    "err.sharing.catalog.page": {
        "ko": "쪽 나누기 값이 올바르지 않습니다: limit은 1~{max}, offset은 0 이상이어야 합니다.",
        "en": "Invalid paging: limit must be 1 to {max} and offset 0 or more.",
    },
    "err.sharing.catalog.field": {
        "ko": "데이터 제공에서 '{field}' 항목은 바꿀 수 없습니다. 바꿀 수 있는 항목: {allowed}.",
        "en": "An offer has no changeable field '{field}'. Fields: {allowed}.",
    },
    # -- states and problems --------------------------------------------------------------------
    "sharing.offer.state.draft": {"ko": "작성 중", "en": "draft"},
    "sharing.offer.state.published": {"ko": "공개", "en": "published"},
    "sharing.offer.state.withdrawn": {"ko": "철회", "en": "withdrawn"},
    "sharing.offer.problem.anomaly": {"ko": "이상 탐지", "en": "Anomaly detection"},
    "sharing.offer.problem.defect": {"ko": "불량 판정", "en": "Defect classification"},
    "sharing.offer.problem.quality": {"ko": "품질 예측", "en": "Quality prediction"},
    "sharing.offer.problem.rul": {"ko": "잔여 수명 예측", "en": "Remaining useful life"},
    "sharing.offer.problem.forecast": {"ko": "수요·공정 예측", "en": "Forecasting"},
    "sharing.offer.problem.setting": {
        "ko": "공정 조건 최적화",
        "en": "Process setting optimisation",
    },
    "sharing.offer.problem.vision": {"ko": "비전 검사", "en": "Vision inspection"},
    "sharing.offer.problem.other": {"ko": "기타", "en": "Other"},
    "sharing.offer.equipment_type": {"ko": "설비 종류", "en": "Equipment type"},
    # -- KSIC (10th revision) manufacturing divisions -------------------------------------------
    "sharing.ksic.C10": {"ko": "식료품 제조업", "en": "Food products"},
    "sharing.ksic.C11": {"ko": "음료 제조업", "en": "Beverages"},
    "sharing.ksic.C12": {"ko": "담배 제조업", "en": "Tobacco products"},
    "sharing.ksic.C13": {"ko": "섬유제품 제조업; 의복 제외", "en": "Textiles, except apparel"},
    "sharing.ksic.C14": {
        "ko": "의복, 의복 액세서리 및 모피제품 제조업",
        "en": "Wearing apparel, clothing accessories and fur articles",
    },
    "sharing.ksic.C15": {"ko": "가죽, 가방 및 신발 제조업", "en": "Leather, luggage and footwear"},
    "sharing.ksic.C16": {
        "ko": "목재 및 나무제품 제조업; 가구 제외",
        "en": "Wood and products of wood, except furniture",
    },
    "sharing.ksic.C17": {
        "ko": "펄프, 종이 및 종이제품 제조업",
        "en": "Pulp, paper and paper products",
    },
    "sharing.ksic.C18": {
        "ko": "인쇄 및 기록매체 복제업",
        "en": "Printing and reproduction of recorded media",
    },
    "sharing.ksic.C19": {
        "ko": "코크스, 연탄 및 석유정제품 제조업",
        "en": "Coke, briquettes and refined petroleum products",
    },
    "sharing.ksic.C20": {
        "ko": "화학 물질 및 화학제품 제조업; 의약품 제외",
        "en": "Chemicals and chemical products, except pharmaceuticals",
    },
    "sharing.ksic.C21": {
        "ko": "의료용 물질 및 의약품 제조업",
        "en": "Pharmaceuticals, medicinal chemicals and botanical products",
    },
    "sharing.ksic.C22": {"ko": "고무 및 플라스틱제품 제조업", "en": "Rubber and plastics products"},
    "sharing.ksic.C23": {
        "ko": "비금속 광물제품 제조업",
        "en": "Other non-metallic mineral products",
    },
    "sharing.ksic.C24": {"ko": "1차 금속 제조업", "en": "Basic metals"},
    "sharing.ksic.C25": {
        "ko": "금속 가공제품 제조업; 기계 및 가구 제외",
        "en": "Fabricated metal products, except machinery and furniture",
    },
    "sharing.ksic.C26": {
        "ko": "전자 부품, 컴퓨터, 영상, 음향 및 통신장비 제조업",
        "en": "Electronic components, computers, audio-visual and communication equipment",
    },
    "sharing.ksic.C27": {
        "ko": "의료, 정밀, 광학 기기 및 시계 제조업",
        "en": "Medical, precision and optical instruments, watches and clocks",
    },
    "sharing.ksic.C28": {"ko": "전기장비 제조업", "en": "Electrical equipment"},
    "sharing.ksic.C29": {"ko": "기타 기계 및 장비 제조업", "en": "Other machinery and equipment"},
    "sharing.ksic.C30": {
        "ko": "자동차 및 트레일러 제조업",
        "en": "Motor vehicles, trailers and semitrailers",
    },
    "sharing.ksic.C31": {"ko": "기타 운송장비 제조업", "en": "Other transport equipment"},
    "sharing.ksic.C32": {"ko": "가구 제조업", "en": "Furniture"},
    "sharing.ksic.C33": {"ko": "기타 제품 제조업", "en": "Other manufacturing"},
    "sharing.ksic.C34": {
        "ko": "산업용 기계 및 장비 수리업",
        "en": "Repair of industrial machinery and equipment",
    },
}
