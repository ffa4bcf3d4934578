"""A tiny message catalogue: Korean first, English beside it.

The CLI (and later the web UI) looks up labels here so that every user-facing word exists in both
languages. Keys are English identifiers; missing keys fall back to the key itself.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "error": {"ko": "오류", "en": "Error"},
    "hint": {"ko": "해결 방법", "en": "How to fix"},
    "import_report": {"ko": "가져오기 결과", "en": "Import report"},
    "rows_read": {"ko": "읽은 행", "en": "Rows read"},
    "rows_stored": {"ko": "저장된 행", "en": "Rows stored"},
    "rows_quarantined": {"ko": "격리된 행", "en": "Rows quarantined"},
    "points_inserted": {"ko": "새 데이터 포인트", "en": "New points"},
    "points_updated": {"ko": "변경된 포인트", "en": "Updated points"},
    "points_unchanged": {"ko": "이미 있던 포인트", "en": "Points already stored"},
    "labels_written": {"ko": "저장된 라벨", "en": "Labels stored"},
    "equipment": {"ko": "설비", "en": "Equipment"},
    "layout": {"ko": "형식", "en": "Layout"},
    "encoding": {"ko": "인코딩", "en": "Encoding"},
    "time_range": {"ko": "기간", "en": "Time range"},
    "created": {"ko": "새로 만든 항목", "en": "Created"},
    "reasons": {"ko": "격리 사유", "en": "Quarantine reasons"},
    "skipped": {
        "ko": "이미 가져온 파일입니다 (가져오기 #{id}). 새로 추가된 데이터가 없습니다.",
        "en": "This file was already imported (import #{id}); nothing new was added.",
    },
    "importing": {"ko": "가져오는 중", "en": "Importing"},
    "asset_tree": {"ko": "설비 구성", "en": "Asset model"},
    "signals": {"ko": "신호", "en": "Signals"},
    "points": {"ko": "포인트", "en": "Points"},
    "labels": {"ko": "라벨", "en": "Labels"},
    "demo_title": {"ko": "OpenKAMP 데모 공장", "en": "OpenKAMP demo factory"},
    "demo_done": {
        "ko": "데모 완료: {files}개 파일, {points:,}개 포인트 저장, {quarantined:,}개 행 격리",
        "en": "Demo done: {files} files, {points:,} points stored, {quarantined:,} rows quarantined",
    },
    "first": {"ko": "처음", "en": "First"},
    "last": {"ko": "마지막", "en": "Last"},
    "count": {"ko": "개수", "en": "Count"},
    "signal": {"ko": "신호", "en": "Signal"},
    "unit": {"ko": "단위", "en": "Unit"},
    "latest": {"ko": "최근 값", "en": "Latest value"},
    "deleted": {"ko": "삭제됨", "en": "Deleted"},
    "exported": {"ko": "내보냄", "en": "Exported"},
    # Quarantine reason categories (the part of a reason before its colon).
    "reason.value": {"ko": "숫자가 아닌 값", "en": "not a number"},
    "reason.timestamp": {"ko": "읽을 수 없는 시간", "en": "unreadable time"},
    "reason.fields": {"ko": "열 개수 불일치", "en": "wrong number of fields"},
    "reason.bytes": {"ko": "인코딩 오류", "en": "undecodable bytes"},
    "reason.empty": {"ko": "값 없는 행", "en": "row without values"},
    "reason.duplicate": {"ko": "중복된 시간", "en": "repeated time"},
    "reason.text": {"ko": "텍스트 오류", "en": "broken text"},
    "reason.signal": {"ko": "알 수 없는 신호", "en": "unknown signal"},
}


def t(key: str, lang: str = "ko", **kwargs: object) -> str:
    entry = MESSAGES.get(key)
    # Unknown keys show themselves, without a namespace ("reason.x" -> "x").
    text = key.split(".", 1)[-1] if entry is None else entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text
