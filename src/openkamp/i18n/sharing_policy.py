"""Texts of usage policies (openkamp.sharing.policy, issue 11): the names of purposes, actions and
channels, the refusals (``err.policy.refused.<clause>``, each naming its clause) and the validator's
errors (``err.policy.invalid.<reason>``, each naming where in the document). Korean first.

Refusal parameters that have words come as ``{"ko": …, "en": …}`` pairs (``{purpose[ko]}``), so a
refusal raised as an error reads right in both languages through ``error_text``."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Purposes of the OpenKAMP ODRL profile (okp:purpose:<code>).
    "policy.purpose.quality": {"ko": "품질 개선", "en": "quality improvement"},
    "policy.purpose.maintenance": {"ko": "예지 보전", "en": "predictive maintenance"},
    "policy.purpose.process": {"ko": "공정 최적화", "en": "process optimisation"},
    "policy.purpose.energy": {"ko": "에너지 절감", "en": "energy saving"},
    "policy.purpose.research": {"ko": "연구", "en": "research"},
    "policy.purpose.product": {"ko": "제품·솔루션 개발", "en": "product or solution development"},
    "policy.purpose.education": {"ko": "교육", "en": "education"},
    # What a request does.
    "policy.access.read": {"ko": "행 조회", "en": "reading rows"},
    "policy.access.export": {"ko": "내보내기", "en": "export"},
    "policy.access.train": {"ko": "전달받은 데이터로 학습", "en": "training on delivered rows"},
    "policy.access.compute_to_data": {
        "ko": "컴퓨트-투-데이터 학습",
        "en": "compute-to-data training",
    },
    "policy.access.redistribute": {"ko": "재배포", "en": "redistribution"},
    # ODRL actions a rule names.
    "policy.action.use": {"ko": "모든 이용", "en": "any use"},
    "policy.action.read": {"ko": "조회", "en": "reading"},
    "policy.action.reproduce": {"ko": "복제(내보내기)", "en": "reproduction (export)"},
    "policy.action.derive": {"ko": "파생(모델 학습)", "en": "derivation (training a model)"},
    "policy.action.distribute": {"ko": "재배포", "en": "redistribution"},
    # Delivery channels (okp:<channel>).
    "policy.channel.rowDelivery": {"ko": "데이터 전달", "en": "row delivery"},
    "policy.channel.computeToData": {
        "ko": "컴퓨트-투-데이터(데이터는 소유 기업 안에 남음)",
        "en": "compute-to-data (the rows stay with the owner)",
    },
    "policy.allowed": {
        "ko": "허용됨 (조항 {clause})",
        "en": "Allowed (clause {clause})",
    },
    "policy.obligation.anonymise": {
        "ko": "조항 {clause}: 전달하는 행은 계약이 정한 익명화를 거쳐야 합니다.",
        "en": "Clause {clause}: rows delivered must go through the anonymisation the contract requires.",
    },
    "policy.obligation.delete": {
        "ko": "조항 {clause}: 받은 사본을 {due}까지 삭제해야 합니다.",
        "en": "Clause {clause}: the copy received must be deleted by {due}.",
    },
    # Refusals: each names its clause (@id) and says why, in words.
    "err.policy.refused.assignee": {
        "ko": "조항 {clause} (계약 당사자): 이 계약은 {assignee}에게만 적용됩니다. 요청한 기관은 {org}입니다.",
        "en": "Clause {clause} (contracted party): this agreement applies only to {assignee}; the request comes from {org}.",
    },
    "err.policy.refused.prohibition": {
        "ko": "조항 {clause} (금지): {action[ko]}은(는) 허용되지 않습니다. 이 정책은 {prohibited[ko]}을(를) 금지합니다.",
        "en": "Clause {clause} (prohibition): {action[en]} is not allowed; this policy prohibits {prohibited[en]}.",
    },
    "err.policy.refused.no_permission": {
        "ko": "정책 {clause}에는 {action[ko]}을(를) 허용하는 조항이 없습니다.",
        "en": "Policy {clause} has no permission for {action[en]}.",
    },
    "err.policy.refused.purpose": {
        "ko": "조항 {clause} (이용 목적): 목적 '{purpose[ko]}'은(는) 허용되지 않습니다. 허용된 목적: {allowed[ko]}.",
        "en": "Clause {clause} (purpose): the purpose '{purpose[en]}' is not allowed. Allowed purposes: {allowed[en]}.",
    },
    "err.policy.refused.recipient": {
        "ko": "조항 {clause} (이용 기관): {org}은(는) 이 데이터를 이용할 수 있는 기관이 아닙니다.",
        "en": "Clause {clause} (recipients): {org} is not among the organisations that may use this data.",
    },
    "err.policy.refused.recipient_excluded": {
        "ko": "조항 {clause} (제외 기관): {org}은(는) 이 데이터를 이용할 수 없도록 제외된 기관입니다.",
        "en": "Clause {clause} (excluded recipients): {org} is excluded from using this data.",
    },
    "err.policy.refused.industry": {
        "ko": "조항 {clause} (업종): 업종 {industry}은(는) 허용된 업종({allowed})이 아닙니다.",
        "en": "Clause {clause} (industries): industry {industry} is not one of the allowed industries ({allowed}).",
    },
    "err.policy.refused.industry_excluded": {
        "ko": "조항 {clause} (제외 업종): 업종 {industry}은(는) 제외된 업종입니다 (제외: {allowed}).",
        "en": "Clause {clause} (excluded industries): industry {industry} is excluded (excluded: {allowed}).",
    },
    "err.policy.refused.industry_unknown": {
        "ko": "조항 {clause} (업종): 요청한 기관의 업종을 알 수 없어 이 조항을 확인할 수 없습니다. 기관 정보에 업종을 등록하세요.",
        "en": "Clause {clause} (industries): the requesting organisation's industry is unknown, so this clause cannot be checked. Record the organisation's industry.",
    },
    "err.policy.refused.not_before": {
        "ko": "조항 {clause} (이용 기간): {start}부터 이용할 수 있습니다 (요청 시각 {at}).",
        "en": "Clause {clause} (time window): use is allowed from {start} (requested at {at}).",
    },
    "err.policy.refused.before": {
        "ko": "조항 {clause} (이용 기간): 이용 기간이 {end}에 끝났습니다 (요청 시각 {at}).",
        "en": "Clause {clause} (time window): the time window ended at {end} (requested at {at}).",
    },
    "err.policy.refused.max_rows": {
        "ko": "조항 {clause} (최대 행 수): 지금까지 {used:,}행을 받았고 이번 {rows:,}행을 더하면 한도 {limit:,}행을 넘습니다.",
        "en": "Clause {clause} (maximum rows): {used:,} rows received so far; {rows:,} more would exceed the limit of {limit:,} rows.",
    },
    "err.policy.refused.max_queries": {
        "ko": "조항 {clause} (최대 이용 횟수): 허용된 {limit:,}회를 모두 사용했습니다 (사용 {used:,}회).",
        "en": "Clause {clause} (maximum queries): all {limit:,} allowed accesses are used ({used:,} used).",
    },
    "err.policy.refused.max_trainings": {
        "ko": "조항 {clause} (최대 학습 횟수): 허용된 {limit:,}회의 학습을 모두 사용했습니다 (사용 {used:,}회).",
        "en": "Clause {clause} (maximum trainings): all {limit:,} allowed trainings are used ({used:,} used).",
    },
    "err.policy.refused.channel": {
        "ko": "조항 {clause} (전달 방식): 이 데이터는 {channel[ko]} 방식으로만 이용할 수 있어 {action[ko]}은(는) 허용되지 않습니다.",
        "en": "Clause {clause} (delivery channel): this data may be used only by {channel[en]}, so {action[en]} is not allowed.",
    },
    "err.policy.refused.anonymise": {
        "ko": "조항 {clause} (익명화 의무): 행을 받으려면 계약이 정한 익명화를 거쳐야 합니다.",
        "en": "Clause {clause} (anonymisation duty): rows can only be delivered after the anonymisation the contract requires.",
    },
    "err.policy.refused.delete": {
        "ko": "조항 {clause} (삭제 의무): {delivered}에 받은 사본을 {days}일 안에({due}까지) 삭제해야 했습니다. 삭제를 확인하기 전에는 이용할 수 없습니다.",
        "en": "Clause {clause} (deletion duty): the copy received at {delivered} had to be deleted within {days} days (by {due}). No use until its deletion is confirmed.",
    },
    # The validator: {path} says where in the JSON-LD document.
    "err.policy.invalid.json": {
        "ko": "사용 정책이 올바른 JSON이 아닙니다: {detail}",
        "en": "The usage policy is not valid JSON: {detail}",
    },
    "err.policy.invalid.not_object": {
        "ko": "사용 정책 {path}: JSON 객체여야 합니다 (받은 값: {value}).",
        "en": "Usage policy {path}: must be a JSON object (got {value}).",
    },
    "err.policy.invalid.unknown_key": {
        "ko": "사용 정책 {path}: 알 수 없는 속성 '{name}'입니다.",
        "en": "Usage policy {path}: unknown property '{name}'.",
    },
    "err.policy.invalid.unknown_key.hint": {
        "ko": "OpenKAMP 프로필이 아는 속성만 쓸 수 있습니다: {allowed}",
        "en": "Only properties the OpenKAMP profile knows may be used: {allowed}",
    },
    "err.policy.invalid.missing": {
        "ko": "사용 정책 {path}: 필수 속성 '{name}'이(가) 없습니다.",
        "en": "Usage policy {path}: the required property '{name}' is missing.",
    },
    "err.policy.invalid.context": {
        "ko": "사용 정책의 @context에 ODRL 2.2 컨텍스트({context})가 없습니다.",
        "en": "The usage policy's @context does not include the ODRL 2.2 context ({context}).",
    },
    "err.policy.invalid.context_term": {
        "ko": "사용 정책의 @context가 정의할 수 없는 항목을 정의합니다: {value}",
        "en": "The usage policy's @context defines terms it may not: {value}",
    },
    "err.policy.invalid.context_term.hint": {
        "ko": "ODRL 컨텍스트 외에는 다음 접두어만 쓸 수 있습니다: {allowed}",
        "en": "Besides the ODRL context, only these prefixes may be defined: {allowed}",
    },
    "err.policy.invalid.profile": {
        "ko": "사용 정책이 OpenKAMP ODRL 프로필({profile})을 profile로 선언하지 않았습니다.",
        "en": "The usage policy does not declare the OpenKAMP ODRL profile ({profile}) in profile.",
    },
    "err.policy.invalid.conflict": {
        "ko": "사용 정책 conflict: '{value}'은(는) 쓸 수 없습니다. OpenKAMP 프로필에서는 금지가 항상 우선합니다(prohibit).",
        "en": "Usage policy conflict: '{value}' cannot be used; in the OpenKAMP profile prohibitions always win (prohibit).",
    },
    "err.policy.invalid.policy_type": {
        "ko": "사용 정책 {path}: 정책 종류 '{value}'은(는) 쓸 수 없습니다. Offer 또는 Agreement여야 합니다.",
        "en": "Usage policy {path}: policy type '{value}' cannot be used; it must be Offer or Agreement.",
    },
    "err.policy.invalid.node_type": {
        "ko": "사용 정책 {path}: 종류 {value}이(가) 이 자리에 맞지 않습니다 ({expected}여야 합니다).",
        "en": "Usage policy {path}: type {value} does not fit here (must be {expected}).",
    },
    "err.policy.invalid.no_rules": {
        "ko": "사용 정책에 허용(permission)이나 금지(prohibition) 조항이 하나도 없습니다.",
        "en": "The usage policy has no permission and no prohibition.",
    },
    "err.policy.invalid.iri": {
        "ko": "사용 정책 {path}: '{value}'은(는) 식별자(IRI)가 아닙니다.",
        "en": "Usage policy {path}: '{value}' is not an identifier (IRI).",
    },
    "err.policy.invalid.duplicate_id": {
        "ko": "사용 정책 {path}: 식별자 {value}이(가) 두 번 쓰였습니다. 조항마다 다른 @id가 필요합니다.",
        "en": "Usage policy {path}: the identifier {value} is used twice; every clause needs its own @id.",
    },
    "err.policy.invalid.term": {
        "ko": "사용 정책 {path}: '{value}'은(는) ODRL 2.2 용어가 아닙니다.",
        "en": "Usage policy {path}: '{value}' is not an ODRL 2.2 term.",
    },
    "err.policy.invalid.action": {
        "ko": "사용 정책 {path}: 행위 '{value}'은(는) 쓸 수 없습니다. 쓸 수 있는 행위: {allowed}.",
        "en": "Usage policy {path}: the action '{value}' cannot be used. Actions: {allowed}.",
    },
    "err.policy.invalid.duty_action": {
        "ko": "사용 정책 {path}: 의무 '{value}'은(는) 쓸 수 없습니다. 쓸 수 있는 의무: {allowed}.",
        "en": "Usage policy {path}: the duty '{value}' cannot be used. Duties: {allowed}.",
    },
    "err.policy.invalid.duty_constraint": {
        "ko": "사용 정책 {path}: 익명화 의무에는 제약을 둘 수 없습니다.",
        "en": "Usage policy {path}: the anonymisation duty takes no constraint.",
    },
    "err.policy.invalid.delete_elapsed": {
        "ko": "사용 정책 {path}: 삭제 의무에는 제약 하나(elapsedTime lteq P<일수>D)가 있어야 합니다.",
        "en": "Usage policy {path}: the deletion duty needs exactly one constraint, elapsedTime lteq P<days>D.",
    },
    "err.policy.invalid.prohibition_constraint": {
        "ko": "사용 정책 {path}: 금지 조항에는 제약을 둘 수 없습니다 (OpenKAMP 프로필에서 금지는 항상 적용됩니다).",
        "en": "Usage policy {path}: a prohibition takes no constraint (in the OpenKAMP profile prohibitions always apply).",
    },
    "err.policy.invalid.left_operand": {
        "ko": "사용 정책 {path}: 제약 '{value}'은(는) 쓸 수 없습니다. 쓸 수 있는 제약: {allowed}.",
        "en": "Usage policy {path}: the constraint '{value}' cannot be used. Constraints: {allowed}.",
    },
    "err.policy.invalid.operator": {
        "ko": "사용 정책 {path}: 제약 {left}에는 연산자 {value}을(를) 쓸 수 없습니다. 쓸 수 있는 연산자: {allowed}.",
        "en": "Usage policy {path}: the operator {value} cannot be used with {left}. Operators: {allowed}.",
    },
    "err.policy.invalid.empty": {
        "ko": "사용 정책 {path}: 값 목록이 비어 있습니다.",
        "en": "Usage policy {path}: the list of values is empty.",
    },
    "err.policy.invalid.purpose": {
        "ko": "사용 정책 {path}: 목적 {value}은(는) OpenKAMP 프로필의 목적이 아닙니다. 쓸 수 있는 목적: {allowed}.",
        "en": "Usage policy {path}: {value} is not a purpose of the OpenKAMP profile. Purposes: {allowed}.",
    },
    "err.policy.invalid.industry": {
        "ko": "사용 정책 {path}: 업종 코드 {value}이(가) 올바르지 않습니다. 예: C29",
        "en": "Usage policy {path}: the industry code {value} is malformed. Example: C29",
    },
    "err.policy.invalid.typed": {
        "ko": "사용 정책 {path}: 값 {value}은(는) {type} 형식이어야 합니다.",
        "en": "Usage policy {path}: the value {value} must be of type {type}.",
    },
    "err.policy.invalid.timezone": {
        "ko": "사용 정책 {path}: 시각 {value}에 시간대가 없습니다. 예: 2026-01-01T00:00:00+09:00",
        "en": "Usage policy {path}: the time {value} has no time zone. Example: 2026-01-01T00:00:00+09:00",
    },
    "err.policy.invalid.empty_window": {
        "ko": "사용 정책 {path}: 이용 기간이 비어 있습니다 (시작 {start}, 끝 {end}).",
        "en": "Usage policy {path}: the time window is empty (from {start} to {end}).",
    },
    "err.policy.invalid.count": {
        "ko": "사용 정책 {path}: 횟수 {value}은(는) 0 이상의 정수여야 합니다.",
        "en": "Usage policy {path}: the count {value} must be a whole number of at least 0.",
    },
    "err.policy.invalid.unit": {
        "ko": "사용 정책 {path}: 단위 {value}은(는) 쓸 수 없습니다. okp:row, okp:query, okp:training 중 하나여야 합니다.",
        "en": "Usage policy {path}: the unit {value} cannot be used; it must be okp:row, okp:query or okp:training.",
    },
    "err.policy.invalid.channel": {
        "ko": "사용 정책 {path}: 전달 방식 {value}은(는) 쓸 수 없습니다. okp:computeToData 또는 okp:rowDelivery여야 합니다.",
        "en": "Usage policy {path}: the delivery channel {value} cannot be used; it must be okp:computeToData or okp:rowDelivery.",
    },
    "err.policy.invalid.duration": {
        "ko": "사용 정책 {path}: 기간 {value}은(는) 일 단위여야 합니다. 예: P30D",
        "en": "Usage policy {path}: the duration {value} must be in whole days. Example: P30D",
    },
    "err.policy.invalid.days": {
        "ko": "사용 정책 {path}: 일수 {value}은(는) 0 이상 99999 이하의 정수여야 합니다.",
        "en": "Usage policy {path}: the number of days {value} must be a whole number from 0 to 99999.",
    },
}
