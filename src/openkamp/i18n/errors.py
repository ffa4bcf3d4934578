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
    "job.title.train": {"ko": "{task}: {name}", "en": "{task}: {name}"},
    "job.title.recipe": {
        "ko": "최적 조건: {name} v{version}",
        "en": "Recommended settings: {name} v{version}",
    },
    "job.stage.read": {"ko": "데이터 읽는 중", "en": "Reading the data"},
    "job.stage.fit": {"ko": "모델 학습 중", "en": "Training the model"},
    "job.stage.register": {"ko": "모델 등록 중", "en": "Registering the model"},
    "job.stage.score": {"ko": "판정 중", "en": "Scoring"},
    "job.stage.import": {"ko": "가져오는 중", "en": "Importing"},
}
