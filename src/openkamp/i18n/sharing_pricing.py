"""Texts of price models and settlement (openkamp.sharing.pricing, openkamp.sharing.settlement,
issue 11): the four payment types of the manufacturing data sharing rules (제조데이터 공유규범),
how a price reads in the UI, charge and statement line labels, and the errors
(``err.sharing.price.<reason>``, ``err.sharing.settlement.<reason>``). Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # the four models
    "sharing.price.model.flat": {"ko": "정액제", "en": "Flat fee"},
    "sharing.price.model.metered": {"ko": "종량제", "en": "Metered"},
    "sharing.price.model.lump_sum": {"ko": "일시불", "en": "Lump sum"},
    "sharing.price.model.royalty": {"ko": "로열티·수익배분", "en": "Royalty / revenue share"},
    # describe()
    "sharing.price.describe.flat.month": {"ko": "월 {amount}원", "en": "KRW {amount} per month"},
    "sharing.price.describe.lump_sum": {"ko": "1회 {amount}원", "en": "KRW {amount} once"},
    "sharing.price.describe.royalty": {"ko": "매출의 {rate}%", "en": "{rate}% of revenue"},
    "sharing.price.describe.minimum.month": {
        "ko": " (월 최소 보장 {amount}원)",
        "en": " (minimum KRW {amount} per month)",
    },
    "sharing.price.describe.unit.rows_1000": {
        "ko": "1,000행당 {amount}원",
        "en": "KRW {amount} per 1,000 rows",
    },
    "sharing.price.describe.unit.query": {
        "ko": "조회 1회당 {amount}원",
        "en": "KRW {amount} per query",
    },
    "sharing.price.describe.unit.training": {
        "ko": "학습 1회당 {amount}원",
        "en": "KRW {amount} per training",
    },
    "sharing.price.describe.included.rows_1000.month": {
        "ko": " (월 {count}행 무료)",
        "en": " ({count} rows a month free)",
    },
    "sharing.price.describe.included.query.month": {
        "ko": " (월 {count}회 무료)",
        "en": " ({count} queries a month free)",
    },
    "sharing.price.describe.included.training.month": {
        "ko": " (월 {count}회 무료)",
        "en": " ({count} trainings a month free)",
    },
    "sharing.price.describe.cap.month": {
        "ko": ", 월 최대 {amount}원",
        "en": ", at most KRW {amount} per month",
    },
    "sharing.price.describe.vat": {"ko": " (부가세 별도)", "en": " (excl. VAT)"},
    # charge kinds (a line of an invoice or statement)
    "sharing.charge.flat": {"ko": "정액 이용료", "en": "Flat fee"},
    "sharing.charge.metered": {"ko": "종량 이용료", "en": "Metered use"},
    "sharing.charge.cap": {"ko": "월 상한 적용", "en": "Monthly cap"},
    "sharing.charge.lump_sum": {"ko": "일시불 이용료", "en": "Lump sum"},
    "sharing.charge.royalty": {"ko": "로열티 (수익배분)", "en": "Royalty (revenue share)"},
    "sharing.charge.minimum": {"ko": "최소 보장액 보전", "en": "Minimum guarantee top-up"},
    # a charge's basis in words (Charge.explain)
    "sharing.charge.basis.flat": {
        "ko": "월 {monthly}원 × {active_days}/{days}일",
        "en": "KRW {monthly} a month × {active_days}/{days} days",
    },
    "sharing.charge.basis.metered.rows_1000": {
        "ko": "{billable}행 × 1,000행당 {unit_price}원 (이용 {used}행, 무료 {included}행)",
        "en": "{billable} rows × KRW {unit_price} per 1,000 rows (used {used}, {included} free)",
    },
    "sharing.charge.basis.metered.query": {
        "ko": "{billable}회 × 조회 1회당 {unit_price}원 (이용 {used}회, 무료 {included}회)",
        "en": "{billable} queries × KRW {unit_price} (used {used}, {included} free)",
    },
    "sharing.charge.basis.metered.training": {
        "ko": "{billable}회 × 학습 1회당 {unit_price}원 (이용 {used}회, 무료 {included}회)",
        "en": "{billable} trainings × KRW {unit_price} (used {used}, {included} free)",
    },
    "sharing.charge.basis.cap": {
        "ko": "월 상한 {cap}원 적용 (종량 합계 {metered}원)",
        "en": "monthly cap KRW {cap} (metered total KRW {metered})",
    },
    "sharing.charge.basis.lump_sum": {
        "ko": "계약 시작 달에 1회 {amount}원",
        "en": "KRW {amount} once, in the month the contract began",
    },
    "sharing.charge.basis.royalty": {
        "ko": "보고 매출 {revenue}원 × {rate}%",
        "en": "reported revenue KRW {revenue} × {rate}%",
    },
    "sharing.charge.basis.minimum": {
        "ko": "월 최소 보장 {minimum}원 × {active_days}/{days}일 = {prorated}원, 로열티 {royalty}원과의 차액",
        "en": "minimum KRW {minimum} × {active_days}/{days} days = KRW {prorated}, less the royalty KRW {royalty}",
    },
    "sharing.charge.basis.pooled": {
        "ko": "기여도 평가 #{valuation_id} ({method})에 따른 배분",
        "en": "split by valuation {valuation_id} ({method})",
    },
    "sharing.statement.line.contract": {"ko": "계약 대금", "en": "Contract payment"},
    "sharing.statement.line.pooled": {"ko": "공동 학습 기여 배분", "en": "Pooled model share"},
    "sharing.statement.line.platform_fee": {"ko": "플랫폼 수수료", "en": "Platform fee"},
    "sharing.statement.total": {"ko": "합계 (부가세 별도)", "en": "Total (excl. VAT)"},
    "sharing.statement.state.draft": {"ko": "작성 중", "en": "draft"},
    "sharing.statement.state.issued": {"ko": "발행됨", "en": "issued"},
    # errors of a price
    "err.sharing.price.invalid": {
        "ko": "가격은 JSON 객체여야 합니다 ({detail}).",
        "en": "A price must be a JSON object ({detail}).",
    },
    "err.sharing.price.model": {
        "ko": "가격 방식 '{value}'을(를) 알 수 없습니다. 가능한 방식: {allowed}.",
        "en": "Unknown price model '{value}'; models: {allowed}.",
    },
    "err.sharing.price.currency": {
        "ko": "통화 '{value}'은(는) 쓸 수 없습니다. 가격은 원화(KRW)로만 정합니다.",
        "en": "The currency '{value}' cannot be used; prices are in Korean won (KRW).",
    },
    "err.sharing.price.unknown_field": {
        "ko": "가격 항목 '{field}'을(를) 알 수 없습니다. 가능한 항목: {allowed}.",
        "en": "Unknown price field '{field}'; fields: {allowed}.",
    },
    "err.sharing.price.missing": {
        "ko": "가격 항목 '{field}'이(가) 없습니다.",
        "en": "The price field '{field}' is missing.",
    },
    "err.sharing.price.float": {
        "ko": '가격 항목 \'{field}\'의 값 {value}은(는) 실수(float)입니다. 금액은 문자열로 적어 주세요 (예: "500", "0.03").',
        "en": 'The price field \'{field}\' is a float ({value}); write amounts as strings ("500", "0.03").',
    },
    "err.sharing.price.float.hint": {
        "ko": "실수는 0.1원도 정확히 나타내지 못해 정산이 원 단위로 맞지 않습니다.",
        "en": "A float cannot hold even 0.1 won exactly, so settlement would not add up to the won.",
    },
    "err.sharing.price.number": {
        "ko": '가격 항목 \'{field}\'의 값 {value}은(는) 숫자가 아닙니다 (예: "500", "0.03").',
        "en": 'The price field \'{field}\' is not a number: {value} (write "500", "0.03").',
    },
    "err.sharing.price.negative": {
        "ko": "가격 항목 '{field}'은(는) 음수일 수 없습니다: {value}.",
        "en": "The price field '{field}' cannot be negative: {value}.",
    },
    "err.sharing.price.too_large": {
        "ko": "가격 항목 '{field}'의 값 {value}이(가) 너무 큽니다 (최대 {limit}).",
        "en": "The price field '{field}' is too large: {value} (at most {limit}).",
    },
    "err.sharing.price.whole_won": {
        "ko": "가격 항목 '{field}'은(는) 원 단위 정수여야 합니다: {value}.",
        "en": "The price field '{field}' must be whole won: {value}.",
    },
    "err.sharing.price.precision": {
        "ko": "가격 항목 '{field}'은(는) 소수점 아래 {places}자리까지 쓸 수 있습니다: {value}.",
        "en": "The price field '{field}' has at most {places} decimal places: {value}.",
    },
    "err.sharing.price.rate": {
        "ko": "가격 항목 '{field}'은(는) 0과 1 사이의 비율이어야 합니다 (3%는 \"0.03\"): {value}.",
        "en": "The price field '{field}' is a rate between 0 and 1 (3% is \"0.03\"): {value}.",
    },
    "err.sharing.price.count": {
        "ko": "가격 항목 '{field}'은(는) 0 이상의 정수여야 합니다: {value}.",
        "en": "The price field '{field}' must be a whole number of at least 0: {value}.",
    },
    "err.sharing.price.unit": {
        "ko": "종량 단위 '{value}'을(를) 알 수 없습니다. 가능한 단위: {allowed}.",
        "en": "Unknown metered unit '{value}'; units: {allowed}.",
    },
    "err.sharing.price.duplicate_unit": {
        "ko": "종량 단위 '{value}'의 요금이 두 번 정해졌습니다.",
        "en": "The metered unit '{value}' is priced twice.",
    },
    "err.sharing.price.no_rates": {
        "ko": "종량제 가격에는 단위 요금이 하나 이상 있어야 합니다.",
        "en": "A metered price needs at least one rate.",
    },
    "err.sharing.price.period": {
        "ko": "정산 주기 '{value}'은(는) 쓸 수 없습니다. 가능한 주기: {allowed}.",
        "en": "The period '{value}' cannot be used; periods: {allowed}.",
    },
    # errors of settlement
    "err.sharing.settlement.whole_won": {
        "ko": "정산 항목 '{field}'은(는) 원 단위 정수여야 합니다: {value}.",
        "en": "The settlement field '{field}' must be whole won: {value}.",
    },
    "err.sharing.settlement.count": {
        "ko": "정산 항목 '{field}'은(는) 0 이상의 정수여야 합니다: {value}.",
        "en": "The settlement field '{field}' must be a whole number of at least 0: {value}.",
    },
    "err.sharing.settlement.period": {
        "ko": "정산 기간 '{value}'이(가) 올바르지 않습니다. 'YYYY-MM' 형식의 달로 적어 주세요.",
        "en": "The settlement period '{value}' is not valid; give a month as YYYY-MM.",
    },
    "err.sharing.settlement.naive_time": {
        "ko": "시각 {value}에 시간대가 없습니다.",
        "en": "The time {value} has no time zone.",
    },
    "err.sharing.settlement.usage": {
        "ko": "이용량이 올바르지 않습니다 ({value}).",
        "en": "The usage is not valid ({value}).",
    },
    "err.sharing.settlement.active_days": {
        "ko": "이용 일수 {value}일이 {period}의 일수 {days}일보다 많습니다.",
        "en": "{value} active days is more than the {days} days of {period}.",
    },
    "err.sharing.settlement.share": {
        "ko": "기관 {owner}의 기여도 {value}은(는) 유한한 수여야 합니다.",
        "en": "The contribution share of {owner} must be a finite number, not {value}.",
    },
    "err.sharing.settlement.no_owners": {
        "ko": "{amount}원을 나눌 데이터 제공 기관이 없습니다.",
        "en": "There is no owner to split KRW {amount} between.",
    },
    "err.sharing.settlement.pooled": {
        "ko": "공동 학습 대금이 올바르지 않습니다 ({value}).",
        "en": "Not a pooled model payment ({value}).",
    },
    "err.sharing.settlement.bill": {
        "ko": "계약 청구 내역이 올바르지 않습니다 ({value}).",
        "en": "Not a contract bill ({value}).",
    },
    "err.sharing.settlement.other_period": {
        "ko": "{value}의 청구 내역은 {period} 정산에 넣을 수 없습니다.",
        "en": "A bill of {value} cannot go into the settlement of {period}.",
    },
    "err.sharing.settlement.negative": {
        "ko": "청구 금액 {value}원이 음수입니다.",
        "en": "The billed amount KRW {value} is negative.",
    },
    "err.sharing.settlement.contract": {
        "ko": "정산할 계약 #{id}이(가) 없습니다.",
        "en": "There is no contract {id} to settle.",
    },
    "err.sharing.settlement.statement": {
        "ko": "정산서 #{id}이(가) 없습니다.",
        "en": "There is no statement {id}.",
    },
    "err.sharing.settlement.valuation": {
        "ko": "기여도 평가 #{id}이(가) 없습니다.",
        "en": "There is no valuation {id}.",
    },
    "err.sharing.settlement.not_consumer": {
        "ko": "기여도 평가 #{id}의 공동 학습 대금은 그 모델을 학습한 기관만 기록할 수 있습니다.",
        "en": "Only the organisation that trained the pooled model may record its payment (valuation {id}).",
    },
    "err.sharing.settlement.issued": {
        "ko": "{period} 정산서가 이미 발행되어 그 달의 대금은 바꿀 수 없습니다.",
        "en": "The statement of {period} is issued: that month's charges cannot change.",
    },
    "err.sharing.settlement.issued.hint": {
        "ko": "발행된 정산서는 고칠 수 없습니다. 차이는 다음 달 정산에 반영해 주세요.",
        "en": "An issued statement is never changed; carry a difference into the next month.",
    },
    "err.sharing.settlement.role": {
        "ko": "역할은 'owner'(제공 기관) 또는 'consumer'(이용 기관)입니다: {value}.",
        "en": "The role is 'owner' or 'consumer', not {value}.",
    },
    "err.sharing.settlement.method": {
        "ko": "기여도 평가 방법 '{value}'을(를) 알 수 없습니다. 가능한 방법: {allowed}.",
        "en": "Unknown valuation method '{value}'; methods: {allowed}.",
    },
    "err.sharing.settlement.pooled_ref": {
        "ko": "공동 학습 모델의 이름 '{value}'이(가) 비었거나 너무 깁니다 (최대 128자).",
        "en": "The pooled model's name '{value}' is empty or too long (at most 128 characters).",
    },
}
