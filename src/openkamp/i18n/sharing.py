"""Texts of sharing (issue 11): the usage ledger's errors so far. Korean first, English beside it."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.ledger.bad_kind": {
        "ko": "알 수 없는 사용 기록 종류입니다: {kind} (가능한 종류: {kinds})",
        "en": "Unknown ledger entry kind {kind}; known: {kinds}.",
    },
    "err.ledger.bad_value": {
        "ko": "사용 기록의 {field} 값은 {want} 이어야 합니다.",
        "en": "The ledger entry's {field} must be {want}.",
    },
    "err.ledger.float": {
        "ko": "사용 기록의 {field}에 실수(float)가 있습니다. 금액은 10진수 문자열로 적어 주세요.",
        "en": "The ledger entry's {field} holds a float; amounts are decimal texts.",
    },
    "err.ledger.too_large": {
        "ko": "사용 기록 한 건이 {size:,}바이트입니다. 최대 {limit:,}바이트까지 기록할 수 있습니다.",
        "en": "A ledger entry is {size:,} bytes; at most {limit:,}.",
    },
    "err.ledger.unknown_org": {
        "ko": "사용 기록에 없는 조직이 적혀 있습니다.",
        "en": "A ledger entry names an organisation that does not exist.",
    },
    "err.ledger.busy": {
        "ko": "다른 곳에서 동시에 사용 기록을 추가했습니다. 아무것도 기록되지 않았습니다.",
        "en": "Another writer appended to the ledger at the same time; nothing was written.",
    },
    "err.ledger.busy.hint": {"ko": "다시 추가해 주세요.", "en": "Append again."},
    "err.ledger.damaged": {
        "ko": "사용 기록 장부에 저장된 해시가 불완전합니다.",
        "en": "The ledger's stored hashes are incomplete.",
    },
    "err.ledger.damaged.hint": {
        "ko": "장부 검증(verify)을 실행해 무엇이 잘못되었는지 확인해 주세요.",
        "en": "Run the ledger's verify to see what is wrong.",
    },
    "err.ledger.no_entry": {
        "ko": "사용 기록 {index}번이 없습니다.",
        "en": "There is no ledger entry {index}.",
    },
    "err.ledger.bad_sizes": {
        "ko": "장부 크기 {old:,}에서 {new:,}(으)로의 일관성 증명은 만들 수 없습니다.",
        "en": "No consistency proof from {old:,} to {new:,} entries.",
    },
    "err.ledger.bad_size": {
        "ko": "장부에 항목 {size:,}개짜리 트리가 없습니다 (현재 {have:,}개).",
        "en": "The ledger has no tree of {size:,} entries ({have:,} now).",
    },
    "err.ledger.bad_head": {
        "ko": "트리 헤드(tree head) 형식이 아닙니다: {reason}",
        "en": "Not a tree head: {reason}",
    },
    "err.ledger.empty": {
        "ko": "사용 기록 장부가 아직 비어 있습니다.",
        "en": "The ledger has no entries yet.",
    },
    "err.ledger.export_not_empty": {
        "ko": "폴더 {folder}가 비어 있지 않습니다. 빈 폴더를 지정해 주세요.",
        "en": "The folder {folder} is not empty; give an empty one.",
    },
}
