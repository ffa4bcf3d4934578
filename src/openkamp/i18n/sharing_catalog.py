"""Texts of the data catalog's DCAT-AP export (openkamp.sharing.dcat, issue 11): the errors of an
offer record that cannot be described (``err.catalog.invalid.<reason>``, naming the field).
Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.catalog.invalid.text": {
        "ko": "카탈로그 {path}: 한국어와 영어 글이 모두 있어야 합니다.",
        "en": "Catalog {path}: the text is needed in both Korean and English.",
    },
    "err.catalog.invalid.iri": {
        "ko": "카탈로그 {path}: '{value}'은(는) 올바른 주소(IRI)가 아닙니다.",
        "en": "Catalog {path}: '{value}' is not a valid address (IRI).",
    },
    "err.catalog.invalid.time": {
        "ko": "카탈로그 {path}: 시각 {value}에 시간대가 없습니다.",
        "en": "Catalog {path}: the time {value} has no time zone.",
    },
    "err.catalog.invalid.code": {
        "ko": "카탈로그 {path}: {kind} 코드 '{value}'은(는) 쓸 수 없습니다. 쓸 수 있는 코드: {allowed}.",
        "en": "Catalog {path}: the {kind} code '{value}' cannot be used. Codes: {allowed}.",
    },
    "err.catalog.invalid.email": {
        "ko": "카탈로그 {path}: 전자우편 주소 '{value}'이(가) 올바르지 않습니다.",
        "en": "Catalog {path}: the e-mail address '{value}' is malformed.",
    },
    "err.catalog.invalid.offer_id": {
        "ko": "카탈로그 {path}: 제공 번호 '{value}'에는 영문자, 숫자와 . _ ~ - 만 쓸 수 있습니다.",
        "en": "Catalog {path}: the offer id '{value}' may contain only letters, digits and . _ ~ -.",
    },
    "err.catalog.invalid.coverage": {
        "ko": "카탈로그 {path}: 데이터 기간의 끝이 시작보다 앞섭니다.",
        "en": "Catalog {path}: the data's coverage ends before it starts.",
    },
    "err.catalog.invalid.index": {
        "ko": "카탈로그 {path}: 품질 지수 {value}은(는) 0과 1 사이여야 합니다.",
        "en": "Catalog {path}: the quality index {value} must be between 0 and 1.",
    },
}
