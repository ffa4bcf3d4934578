"""Texts of the sharing layer's wiring and API (issue 11, items 4, 6 and 7): governed exports,
deletion confirmations, leak tracing, compute-to-data under a contract
(``err.sharing.delivery.<reason>``), a delivery that carried no watermark
(``sharing.delivery.unmarked.<reason>``), the organisation's industry (``err.sharing.org.*``) and an
offer's transforms (``err.sharing.catalog.transform_column``). Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.sharing.delivery.not_found": {
        "ko": "전달 기록 {id}이(가) 없습니다.",
        "en": "There is no delivery {id}.",
    },
    "err.sharing.delivery.offer": {
        "ko": "제공 데이터 {id}이(가) 없습니다.",
        "en": "There is no offer {id}.",
    },
    "err.sharing.delivery.not_consumer": {
        "ko": "계약 {id}의 데이터는 이용 기관만 받거나 학습에 쓸 수 있습니다.",
        "en": "Only the consumer of contract {id} receives its data or trains on it.",
    },
    "err.sharing.delivery.limit": {
        "ko": "행 수 제한 '{value}'이(가) 올바르지 않습니다. 1 이상의 정수를 주십시오.",
        "en": "The row limit '{value}' is not valid: give a whole number of at least 1.",
    },
    "err.sharing.delivery.columns": {
        "ko": "열 '{column}'은(는) 내보내는 열이 아닙니다. 가능한 열: {allowed}",
        "en": "Column '{column}' is not one of the exported columns: {allowed}",
    },
    "err.sharing.delivery.file_gone": {
        "ko": "전달 {id}의 파일은 이미 전달되어 서버에 남아 있지 않습니다.",
        "en": "The file of delivery {id} was handed over and is no longer kept.",
    },
    "err.sharing.delivery.leak_file": {
        "ko": "유출본을 CSV로 읽을 수 없습니다: {detail}",
        "en": "The leaked copy cannot be read as CSV: {detail}",
    },
    "err.sharing.delivery.leak_rows": {
        "ko": "유출본이 너무 큽니다 (최대 {max}행). 일부만 보내도 추적할 수 있습니다.",
        "en": "The leaked copy is too large (at most {max} rows); a part of it is enough to "
        "trace it.",
    },
    "err.sharing.delivery.spec": {
        "ko": "학습 요청의 항목 '{field}'이(가) 올바르지 않습니다.",
        "en": "The training request's field '{field}' is not valid.",
    },
    "err.sharing.delivery.no_jobs": {
        "ko": "이 설치에서는 데이터 안에서 학습(compute-to-data)을 실행할 수 없습니다.",
        "en": "Compute-to-data is not available in this installation.",
    },
    "err.sharing.delivery.no_datasets": {
        "ko": "이 설치에서는 데이터셋 서비스를 쓸 수 없어 데이터를 전달할 수 없습니다.",
        "en": "Deliveries need the dataset service, which this installation lacks.",
    },
    "err.sharing.delivery.no_folder": {
        "ko": "전달 파일을 쓸 폴더가 설정되지 않았습니다.",
        "en": "No folder is set for delivered files.",
    },
    "err.sharing.delivery.no_secret": {
        "ko": "플랫폼 비밀키가 없어 계약별 키를 만들 수 없습니다.",
        "en": "Without the platform secret no contract key can be derived.",
    },
    # a delivery that carried no watermark, as leak tracing lists it
    "sharing.delivery.unmarked.no_column": {
        "ko": "전달 {id}(계약 #{contract})은(는) 워터마크 없이 나갔습니다. 표시를 넣을 숫자 열이 "
        "없었습니다 (정수·상수·텍스트 열뿐). 이 전달의 사본은 추적할 수 없습니다.",
        "en": "Delivery {id} (contract #{contract}) went out without a watermark: no numeric "
        "column could carry one (only whole-number, constant or text columns). A copy of it "
        "cannot be traced.",
    },
    "sharing.delivery.unmarked.no_row_key": {
        "ko": "전달 {id}(계약 #{contract})은(는) 워터마크 없이 나갔습니다. 행을 식별할 열(시간, "
        "ID)이 없었습니다. 이 전달의 사본은 추적할 수 없습니다.",
        "en": "Delivery {id} (contract #{contract}) went out without a watermark: no column "
        "identified its rows (a time or an id). A copy of it cannot be traced.",
    },
    "sharing.delivery.unmarked.not_recorded": {
        "ko": "전달 {id}(계약 #{contract})은(는) 워터마크 없이 나갔습니다 (이유는 기록되지 "
        "않았습니다). 이 전달의 사본은 추적할 수 없습니다.",
        "en": "Delivery {id} (contract #{contract}) went out without a watermark (no reason was "
        "recorded). A copy of it cannot be traced.",
    },
    "err.sharing.org.industry": {
        "ko": "업종 '{value}'은(는) 한국표준산업분류(KSIC) 코드가 아닙니다 (예: C29, C2919).",
        "en": "The industry '{value}' is not a KSIC code (e.g. C29, C2919).",
    },
    "err.sharing.catalog.transform_column": {
        "ko": "변환 {path}의 열 '{column}'이(가) 데이터셋 버전에 없습니다.",
        "en": "Transform {path} names column '{column}', which the dataset version lacks.",
    },
}
