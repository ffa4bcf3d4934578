"""Texts of governed export (openkamp.sharing.transforms, watermark, contract_keys; issue 11,
item 4): the errors of a transform spec that cannot be used or does not fit the data
(``err.sharing.transform.<reason>``), of a watermark (``err.sharing.watermark.<reason>``) and of
a contract's key derivation (``err.sharing.key.<reason>``). Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- the transform spec ---------------------------------------------------------------------
    "err.sharing.transform.spec": {
        "ko": "변환 명세는 version 1과 변환 목록(transforms)을 가진 객체여야 합니다.",
        "en": "A transform spec must be an object with version 1 and a list 'transforms'.",
    },
    "err.sharing.transform.op": {
        "ko": "변환 {path}: '{value}'은(는) 알 수 없는 변환입니다. 쓸 수 있는 변환: {allowed}.",
        "en": "Transform {path}: '{value}' is not a known transform. Transforms: {allowed}.",
    },
    "err.sharing.transform.field": {
        "ko": "변환 {path}: 값이 없거나 형식이 맞지 않습니다 ({expected}).",
        "en": "Transform {path}: the value is missing or of the wrong type ({expected}).",
    },
    "err.sharing.transform.unknown_field": {
        "ko": "변환 {path}: '{value}' 항목은 이 변환에 쓸 수 없습니다. 쓸 수 있는 항목: {allowed}.",
        "en": "Transform {path}: the field '{value}' does not belong to this transform. Fields: {allowed}.",
    },
    "err.sharing.transform.columns": {
        "ko": "변환 {path}: 열 이름 목록이 비어 있거나 같은 열이 두 번 있습니다.",
        "en": "Transform {path}: the list of columns is empty or names a column twice.",
    },
    "err.sharing.transform.conflict": {
        "ko": "변환 {path}: 열 '{column}'에 변환이 둘 이상 있습니다 ({ops}). 열마다 하나만 지정하십시오.",
        "en": "Transform {path}: the column '{column}' has more than one transform ({ops}). Give each column one.",
    },
    "err.sharing.transform.length": {
        "ko": "변환 {path}: 가명 길이 {value}은(는) {min}에서 {max} 사이여야 합니다.",
        "en": "Transform {path}: the pseudonym length {value} must be between {min} and {max}.",
    },
    "err.sharing.transform.max_days": {
        "ko": "변환 {path}: 시간 이동 범위 {value}일은 {min}일에서 {max}일 사이여야 합니다.",
        "en": "Transform {path}: the time shift range of {value} days must be between {min} and {max} days.",
    },
    "err.sharing.transform.keep": {
        "ko": "변환 {path}: 보존 방식 '{value}'은(는) 쓸 수 없습니다. 쓸 수 있는 방식: {allowed}.",
        "en": "Transform {path}: '{value}' cannot be kept. Choices: {allowed}.",
    },
    "err.sharing.transform.bin_width": {
        "ko": "변환 {path}: 구간 폭 {value}은(는) 0보다 큰 유한한 수여야 합니다.",
        "en": "Transform {path}: the bin width {value} must be a finite number above 0.",
    },
    "err.sharing.transform.unit": {
        "ko": "변환 {path}: 시각 단위 '{value}'은(는) 쓸 수 없습니다. 쓸 수 있는 단위: {allowed}.",
        "en": "Transform {path}: the time unit '{value}' cannot be used. Units: {allowed}.",
    },
    "err.sharing.transform.mapping": {
        "ko": "변환 {path}: 범주 대응표는 글자에서 글자로의 대응이 하나 이상 있는 객체여야 합니다.",
        "en": "Transform {path}: the category mapping must be an object of at least one text-to-text pair.",
    },
    "err.sharing.transform.generalise": {
        "ko": "변환 {path}: 일반화는 bin_width, truncate, mapping 중 정확히 하나를 지정해야 합니다.",
        "en": "Transform {path}: a generalisation needs exactly one of bin_width, truncate and mapping.",
    },
    "err.sharing.transform.output": {
        "ko": "변환 {path}: 구간 표시 '{value}'은(는) 쓸 수 없습니다. 쓸 수 있는 표시: {allowed}.",
        "en": "Transform {path}: the bin output '{value}' cannot be used. Outputs: {allowed}.",
    },
    "err.sharing.transform.distribution": {
        "ko": "변환 {path}: 잡음 분포 '{value}'은(는) 쓸 수 없습니다. 쓸 수 있는 분포: {allowed}.",
        "en": "Transform {path}: the noise distribution '{value}' cannot be used. Distributions: {allowed}.",
    },
    "err.sharing.transform.scale": {
        "ko": "변환 {path}: 잡음 크기 {value}은(는) 0보다 크고 {max} 이하여야 합니다 (열 표준편차 대비 비율).",
        "en": "Transform {path}: the noise scale {value} must be above 0 and at most {max} (a fraction of the column's standard deviation).",
    },
    "err.sharing.transform.column": {
        "ko": "변환 {path}: 데이터에 열 '{column}'이(가) 없습니다.",
        "en": "Transform {path}: the data has no column '{column}'.",
    },
    "err.sharing.transform.not_numeric": {
        "ko": "변환 {path}: 열 '{column}'은(는) 숫자 열이 아닙니다. 이 변환은 숫자 열에만 쓸 수 있습니다.",
        "en": "Transform {path}: the column '{column}' is not numeric; this transform needs numbers.",
    },
    "err.sharing.transform.not_time": {
        "ko": "변환 {path}: 열 '{column}'은(는) 시각 열이 아닙니다. 이 변환은 시각 열에만 쓸 수 있습니다.",
        "en": "Transform {path}: the column '{column}' holds no timestamps; this transform needs timestamps.",
    },
    "err.sharing.transform.unmapped": {
        "ko": "변환 {path}: 열 '{column}'의 값 {count}종이 대응표에 없습니다 (예: {examples}). 대응표에 넣거나 other를 지정하십시오.",
        "en": "Transform {path}: {count} distinct values of the column '{column}' are not in the mapping (e.g. {examples}). Map them or give 'other'.",
    },
    "err.sharing.transform.collision": {
        "ko": "변환 {path}: 열 '{column}'의 서로 다른 값 두 개가 같은 가명이 되었습니다. 가명 길이를 늘리십시오.",
        "en": "Transform {path}: two different values of the column '{column}' got the same pseudonym. Use a longer pseudonym.",
    },
    "err.sharing.transform.frame": {
        "ko": "변환할 데이터는 표(pandas DataFrame 또는 Arrow 테이블)여야 합니다.",
        "en": "The data to transform must be a table (a pandas DataFrame or an Arrow table).",
    },
    # --- the watermark --------------------------------------------------------------------------
    "err.sharing.watermark.key_column": {
        "ko": "워터마크: 행을 식별할 열 '{column}'이(가) 데이터에 없습니다.",
        "en": "Watermark: the data has no column '{column}' to identify its rows by.",
    },
    "err.sharing.watermark.key_columns": {
        "ko": "워터마크: 행을 식별할 열을 하나 이상 지정해야 합니다.",
        "en": "Watermark: at least one column must identify the rows.",
    },
    "err.sharing.watermark.no_column": {
        "ko": "워터마크: 표시를 넣을 수 있는 숫자 열이 없습니다 (소수 자릿수와 값의 퍼짐이 충분한 숫자 열이 필요합니다).",
        "en": "Watermark: no numeric column can carry the mark (it needs numeric columns with known decimals and enough spread).",
    },
    "err.sharing.watermark.column": {
        "ko": "워터마크: 열 '{column}'은(는) 숫자 열이 아니거나 데이터에 없습니다.",
        "en": "Watermark: the column '{column}' is not numeric or not in the data.",
    },
    "err.sharing.watermark.params": {
        "ko": "워터마크 매개변수 {path}이(가) 없거나 올바르지 않습니다 ({expected}).",
        "en": "Watermark parameter {path} is missing or invalid ({expected}).",
    },
    "err.sharing.watermark.key": {
        "ko": "워터마크 키는 {min}~{max}바이트의 바이트열이어야 합니다.",
        "en": "A watermark key must be {min} to {max} bytes.",
    },
    # --- a contract's keys ----------------------------------------------------------------------
    "err.sharing.key.secret": {
        "ko": "플랫폼 비밀값은 {min}바이트 이상의 바이트열이어야 합니다.",
        "en": "The platform secret must be bytes, at least {min} of them.",
    },
    "err.sharing.key.secret_id": {
        "ko": "계약의 비밀 식별자(secret_id)는 1~64자의 글자여야 합니다.",
        "en": "A contract's secret_id must be text of 1 to 64 characters.",
    },
    "err.sharing.key.purpose": {
        "ko": "키 용도 '{value}'은(는) 없습니다. 용도: {allowed}.",
        "en": "There is no key purpose '{value}'. Purposes: {allowed}.",
    },
}
