"""Texts of domain errors: ``err.<code>`` (and ``err.<code>.hint``), formatted with the error's
``params``. Areas with many errors of their own may keep them in their own catalogue, under the
same ``err.`` prefix."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.bad_time": {
        "ko": "시간 {text!r}을(를) 읽을 수 없습니다.",
        "en": "Cannot read the time {text!r}.",
    },
    "err.bad_time.hint": {
        "ko": "ISO 형식으로 입력하세요. 예: 2026-03-01T08:00",
        "en": "Use ISO format, e.g. 2026-03-01T08:00",
    },
    "err.job.internal": {
        "ko": "작업 중 내부 오류가 발생했습니다.",
        "en": "The job stopped on an internal error.",
    },
    "err.job.internal.hint": {
        "ko": "다시 시도해 보고, 계속되면 관리자에게 작업 번호와 함께 알려 주세요 (자세한 내용은 작업 기록에 있습니다).",
        "en": "Try again; if it happens again, tell your administrator the job number (the detail is in the job's log).",
    },
    "err.job.interrupted": {
        "ko": "서버가 다시 시작되어 작업이 중단되었습니다. 다시 실행하세요.",
        "en": "The job was interrupted because the server restarted. Run it again.",
    },
    "err.job.stopped": {
        "ko": "작업이 끝나기 전에 서버가 멈췄습니다. 다시 실행하세요.",
        "en": "The server stopped before the job ended. Run it again.",
    },
    "err.upload.too_large": {
        "ko": "파일이 너무 큽니다. 최대 {limit}까지 올릴 수 있습니다.",
        "en": "The file is too large: at most {limit} can be uploaded.",
    },
    "err.upload.too_large.hint": {
        "ko": "파일을 더 작은 파일로 나누어 (예: 월별로) 하나씩 올리세요.",
        "en": "Split the file into smaller files (e.g. one per month) and upload them one by one.",
    },
    "err.upload.quota": {
        "ko": "조직에서 가져오기를 기다리는 업로드 파일이 {limit}을(를) 넘게 됩니다.",
        "en": "Your organisation's uploaded files waiting for import would pass {limit}.",
    },
    "err.upload.quota.hint": {
        "ko": "진행 중인 가져오기를 마치거나 그만둔 뒤 다시 올리세요 (올린 파일은 하루 뒤 지워집니다).",
        "en": "Finish or abandon the imports in progress (staged files are removed after a day), then upload again.",
    },
    "err.upload.bad_name": {
        "ko": "파일 이름 {name!r}은(는) 쓸 수 없습니다.",
        "en": "The file name {name!r} cannot be used.",
    },
    "err.upload.bad_name.hint": {
        "ko": "파일 이름을 바꿔 ('.', '..'이 아닌 {max}바이트 이하) 다시 올리세요.",
        "en": "Rename the file (at most {max} bytes, not '.' or '..') and upload it again.",
    },
    "err.names.confusable": {
        "ko": "이름 {name!r}은(는) 이미 있는 {existing!r}와(과) 똑같아 보입니다.",
        "en": "The name {name!r} looks like the existing {existing!r}.",
    },
    "err.names.confusable.hint": {
        "ko": "이미 있는 이름을 쓰거나, 달리 읽히는 이름을 쓰세요 (전각 문자나 키릴 문자가 섞였는지 확인하세요).",
        "en": "Use the existing name, or a name that reads differently (check for fullwidth or Cyrillic letters).",
    },
    "err.text.too_long": {
        "ko": "{field}이(가) 너무 깁니다 ({length}자, 최대 {max}자).",
        "en": "The {field} is too long ({length} characters, at most {max}).",
    },
    "err.upload.no_file": {"ko": "올릴 파일을 고르세요.", "en": "Choose a file to upload."},
    "err.request.unreadable": {
        "ko": "요청 본문을 읽을 수 없습니다 (JSON이 깨졌거나 너무 깊게 중첩됨).",
        "en": "The request body cannot be read (broken JSON, or nested too deeply).",
    },
    "err.request.invalid": {
        "ko": "요청이 올바르지 않습니다: {problems}.",
        "en": "The request is not valid: {problems}.",
    },
    "err.http.not_found": {"ko": "그런 주소가 없습니다.", "en": "There is no such address."},
    "err.http.method": {
        "ko": "이 주소는 그 방식(메서드)의 요청을 받지 않습니다.",
        "en": "This address does not take requests of that method.",
    },
    "err.http.other": {
        "ko": "요청을 처리할 수 없습니다 ({status}).",
        "en": "The request cannot be served ({status}).",
    },
    "err.input.not_json": {
        "ko": "{what}이(가) 올바른 JSON이 아닙니다.",
        "en": "{what} is not JSON.",
    },
    "err.input.too_deep": {
        "ko": "{what}의 중첩이 너무 깊습니다 (최대 {max}단계).",
        "en": "{what} is nested too deeply (at most {max} levels).",
    },
    "err.input.not_object": {
        "ko": "{what}은(는) JSON 객체여야 합니다.",
        "en": "{what} must be a JSON object.",
    },
    "err.import.bad_option": {
        "ko": "가져오기 설정 {name!r}의 값이 올바르지 않습니다.",
        "en": "The import option {name!r} has a value of the wrong kind.",
    },
    "err.import.bad_option.hint": {
        "ko": "API 문서의 ImportOptions를 참고하세요.",
        "en": "See ImportOptions in the API documentation.",
    },
    "err.import.unknown_option": {
        "ko": "알 수 없는 가져오기 설정: {names}",
        "en": "Unknown import options: {names}",
    },
    "job.title.train": {"ko": "{task}: {name}", "en": "{task}: {name}"},
    "job.title.recipe": {
        "ko": "최적 조건: {name} v{version}",
        "en": "Recommended settings: {name} v{version}",
    },
    "job.title.score": {
        "ko": "판정: {name} v{version} ← {source}",
        "en": "Scoring: {name} v{version} ← {source}",
    },
    "job.stage.read": {"ko": "데이터 읽는 중", "en": "Reading the data"},
    "job.stage.fit": {"ko": "모델 학습 중", "en": "Training the model"},
    "job.stage.register": {"ko": "모델 등록 중", "en": "Registering the model"},
    "job.stage.score": {"ko": "판정 중", "en": "Scoring"},
    "job.stage.import": {"ko": "가져오는 중", "en": "Importing"},
}
