"""Texts of data-sharing contracts (openkamp.sharing.contracts, issue 11): the states and steps
of a contract, its errors (``err.sharing.contract.<reason>``), what a job stopped by a revoked
contract says, and the ``openkamp ledger`` command. Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # states and steps, as messages name them ({state[ko]} …)
    "sharing.contract.state.requested": {"ko": "요청됨", "en": "requested"},
    "sharing.contract.state.countered": {"ko": "조건 변경 제안됨", "en": "countered"},
    "sharing.contract.state.active": {"ko": "유효", "en": "active"},
    "sharing.contract.state.rejected": {"ko": "거절됨", "en": "rejected"},
    "sharing.contract.state.withdrawn": {"ko": "요청 철회됨", "en": "withdrawn"},
    "sharing.contract.state.expired": {"ko": "기간 만료", "en": "expired"},
    "sharing.contract.state.revoked": {"ko": "해지됨", "en": "revoked"},
    "sharing.contract.state.completed": {"ko": "종료됨", "en": "completed"},
    "sharing.contract.action.approve": {"ko": "승인", "en": "approve"},
    "sharing.contract.action.reject": {"ko": "거절", "en": "reject"},
    "sharing.contract.action.accept": {"ko": "변경 조건 수락", "en": "accept the changed terms"},
    "sharing.contract.action.decline": {"ko": "변경 조건 거절", "en": "decline the changed terms"},
    "sharing.contract.action.revoke": {"ko": "해지", "en": "revoke"},
    "sharing.contract.action.complete": {"ko": "종료", "en": "complete"},
    "sharing.contract.action.withdraw": {"ko": "요청 철회", "en": "withdraw"},
    "sharing.contract.action.register_job": {"ko": "작업 등록", "en": "register a job"},
    "sharing.contract.role.owner": {"ko": "데이터 제공 기관", "en": "the data's owner"},
    "sharing.contract.role.consumer": {"ko": "데이터 이용 기관", "en": "the consumer"},
    "sharing.contract.role.party": {"ko": "계약 당사자", "en": "a party to the contract"},
    "sharing.contract.expired_reason": {
        "ko": "계약 기간이 끝났습니다",
        "en": "the contract's time window ended",
    },
    # a job under a contract that is no longer active (its message and log line)
    "sharing.contract.job_stopped": {
        "ko": "계약 #{id}이(가) {state[ko]} 상태라 작업을 멈췄습니다: {reason}",
        "en": "Stopped: contract {id} is {state[en]}: {reason}",
    },
    # errors
    "err.sharing.contract.not_found": {
        "ko": "계약 #{id}이(가) 없습니다.",
        "en": "There is no contract {id}.",
    },
    "err.sharing.contract.state": {
        "ko": "계약 #{id}은(는) {state[ko]} 상태라 '{action[ko]}'을(를) 할 수 없습니다. 가능한 상태: {allowed[ko]}.",
        "en": "Contract {id} is {state[en]}: it cannot {action[en]} now (only when {allowed[en]}).",
    },
    "err.sharing.contract.not_party": {
        "ko": "계약 #{id}의 '{action[ko]}'은(는) {role[ko]}만 할 수 있습니다.",
        "en": "Only {role[en]} may {action[en]} contract {id}.",
    },
    "err.sharing.contract.offer_not_found": {
        "ko": "데이터 제공 #{id}이(가) 없습니다.",
        "en": "There is no data offer {id}.",
    },
    "err.sharing.contract.offer_not_published": {
        "ko": "데이터 제공 #{id}은(는) 공개된 상태가 아니라 이용을 요청할 수 없습니다.",
        "en": "The data offer {id} is not published; it cannot be requested.",
    },
    "err.sharing.contract.own_offer": {
        "ko": "자기 조직의 데이터 제공에는 이용 계약을 요청할 수 없습니다.",
        "en": "An organisation cannot request a contract on its own offer.",
    },
    "err.sharing.contract.duplicate": {
        "ko": "이 데이터 제공에 대해 이미 {state[ko]} 상태의 계약 #{id}이(가) 있습니다.",
        "en": "Contract {id} on this offer is already {state[en]}.",
    },
    "err.sharing.contract.duplicate.hint": {
        "ko": "기존 계약을 끝낸 뒤 다시 요청해 주세요.",
        "en": "End that contract first, then request again.",
    },
    "err.sharing.contract.purpose": {
        "ko": "이용 목적 '{value}'을(를) 알 수 없습니다. 가능한 목적: {allowed}.",
        "en": "Unknown purpose '{value}'; purposes: {allowed}.",
    },
    "err.sharing.contract.reason_required": {
        "ko": "'{action[ko]}'에는 사유를 적어야 합니다.",
        "en": "A reason is needed to {action[en]}.",
    },
    "err.sharing.contract.text_too_long": {
        "ko": "{field}은(는) 최대 {limit:,}자까지 쓸 수 있습니다.",
        "en": "The {field} is at most {limit:,} characters.",
    },
    "err.sharing.contract.terms_kind": {
        "ko": "변경 조건은 ODRL 제안(Offer) 문서여야 합니다.",
        "en": "Changed terms must be an ODRL Offer.",
    },
    "err.sharing.contract.terms_target": {
        "ko": "변경 조건의 {field}이(가) 데이터 제공과 다릅니다: 데이터셋과 제공 기관은 바꿀 수 없습니다.",
        "en": "The changed terms name another {field} than the offer: the dataset and its owner cannot change.",
    },
    "err.sharing.contract.price": {
        "ko": "가격 조건은 JSON 객체여야 합니다.",
        "en": "The price must be a JSON object.",
    },
    "err.sharing.contract.not_active": {
        "ko": "계약 #{id}이(가) {state[ko]} 상태라 데이터를 이용할 수 없습니다.",
        "en": "Contract {id} is {state[en]}: the data cannot be used under it.",
    },
    "err.sharing.contract.bad_value": {
        "ko": "{field} 값 '{value}'은(는) 쓸 수 없습니다. 가능한 값: {allowed}.",
        "en": "The {field} '{value}' cannot be used; values: {allowed}.",
    },
    "err.sharing.contract.no_terms": {
        "ko": "계약 #{id}은(는) 아직 조건이 정해지지 않았습니다 (승인 전).",
        "en": "Contract {id} has no terms yet (not decided).",
    },
    "err.sharing.contract.job_taken": {
        "ko": "작업 #{job}은(는) 이미 다른 계약에 등록되어 있습니다 (계약 #{id}에 등록할 수 없음).",
        "en": "Job {job} already works under another contract; it cannot be registered under contract {id}.",
    },
    # openkamp ledger
    "cli.ledger.ok": {
        "ko": "사용 기록 장부 검증 통과: 항목 {entries:,}개, 서명된 트리 헤드 {heads:,}개 ({seconds}초)",
        "en": "Ledger verified: {entries:,} entries, {heads:,} signed tree heads ({seconds} s)",
    },
    "cli.ledger.problems": {
        "ko": "사용 기록 장부에서 문제 {count:,}건을 찾았습니다 (항목 {entries:,}개 검사):",
        "en": "The ledger has {count:,} problems ({entries:,} entries checked):",
    },
    "cli.ledger.more": {
        "ko": "… 그 밖에 {count:,}건",
        "en": "… and {count:,} more",
    },
    "cli.ledger.problem.head_root": {
        "ko": "트리 헤드와 저장된 항목이 맞지 않음 (항목이 바뀌거나 지워지거나 끼워지거나 순서가 바뀜)",
        "en": "a tree head does not match the stored entries (changed, removed, inserted or moved)",
    },
    "cli.ledger.problem.gap": {"ko": "빠진 항목", "en": "entries missing"},
    "cli.ledger.problem.head_size": {
        "ko": "트리 헤드보다 항목이 적음 (항목이 지워짐)",
        "en": "fewer entries than a tree head (entries removed)",
    },
    "cli.ledger.problem.head_key": {
        "ko": "트리 헤드 서명 키를 확인할 수 없음",
        "en": "a tree head's signing key cannot be checked",
    },
    "cli.ledger.problem.head_signature": {
        "ko": "트리 헤드 서명이 맞지 않음 (위조되거나 바뀐 헤드)",
        "en": "a tree head's signature does not match (forged or altered)",
    },
    "cli.ledger.problem.head_time": {
        "ko": "트리 헤드 시각이 앞뒤가 맞지 않음",
        "en": "tree heads out of time order",
    },
    "cli.ledger.problem.unsigned": {
        "ko": "서명된 트리 헤드에 포함되지 않은 항목",
        "en": "entries not covered by a signed tree head",
    },
    "cli.ledger.problem.node_cache": {
        "ko": "저장된 부분 트리 해시가 항목과 다름",
        "en": "stored subtree hashes differ from the entries",
    },
    "cli.ledger.problem.index": {
        "ko": "항목의 색인 열(종류, 조직, 계약, 데이터셋, 시각)이 항목 내용과 다름",
        "en": "an entry's indexed columns (kind, organisations, contract, dataset, time) differ from it",
    },
    "cli.ledger.exported": {
        "ko": "감사용 묶음을 저장했습니다: {folder} (항목 {size:,}개까지). 확인: python verify_standalone.py {folder}",
        "en": "Auditor's bundle written to {folder} (tree of {size:,} entries). Check it: python verify_standalone.py {folder}",
    },
    "cli.ledger.empty": {
        "ko": "사용 기록 장부가 아직 비어 있습니다.",
        "en": "The ledger has no entries yet.",
    },
    "cli.ledger.head": {
        "ko": "트리 헤드 ({signer}): 항목 {size:,}개, 루트 {root}, 시각 {time}, 서명 {valid}",
        "en": "Tree head ({signer}): {size:,} entries, root {root}, at {time}, signature {valid}",
    },
    "cli.ledger.valid": {"ko": "유효", "en": "valid"},
    "cli.ledger.invalid": {"ko": "무효", "en": "INVALID"},
    "err.sharing.ledger.no_org": {
        "ko": "조직 '{name}'이(가) 없습니다.",
        "en": "There is no organisation named '{name}'.",
    },
}
