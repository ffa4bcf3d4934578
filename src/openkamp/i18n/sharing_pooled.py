"""Texts of pooled compute-to-data (openkamp.sharing.pooled, issue 11 item 6): why a pooled
training across several contracts is refused or failed (``err.sharing.pooled.<reason>``) and
the words of its pages (``sharing_web.pooled.*``, the tab ``sharing_web.tab.pooled``). Korean
first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- refusals and failures ----------------------------------------------------------------
    "err.sharing.pooled.too_few": {
        "ko": "공동 학습에는 계약이 두 건 이상 필요합니다 (선택: {count}건).",
        "en": "A pooled training needs at least two contracts ({count} chosen).",
    },
    "err.sharing.pooled.too_many": {
        "ko": "공동 학습 한 번에 묶을 수 있는 계약은 {max}건까지입니다 (선택: {count}건).",
        "en": "A pooled training pools at most {max} contracts ({count} chosen).",
    },
    "err.sharing.pooled.contract_id": {
        "ko": "'{value}'은(는) 계약 번호가 아닙니다.",
        "en": "'{value}' is not a contract number.",
    },
    "err.sharing.pooled.duplicate": {
        "ko": "계약 #{id}을(를) 두 번 골랐습니다. 계약마다 한 번씩만 고르십시오.",
        "en": "Contract #{id} was chosen twice; choose each contract once.",
    },
    "err.sharing.pooled.same_owner": {
        "ko": "계약 #{first}와(과) 계약 #{id}은(는) 같은 기관의 데이터입니다. 기여도는 기관별로 "
        "나누므로 기관마다 계약 하나만 고르십시오.",
        "en": "Contracts #{first} and #{id} are with the same owner. Contributions are valued "
        "per owner: choose one contract per owner.",
    },
    "err.sharing.pooled.task": {
        "ko": "공동 학습은 {allowed} 모델만 가능합니다 (요청: {task}). 기여도는 분류의 균형 "
        "정확도, 회귀의 R²로 잽니다.",
        "en": "A pooled training is one of {allowed} (asked: {task}): contributions are "
        "measured by a classifier's balanced accuracy or a regression's R².",
    },
    "err.sharing.pooled.spec": {
        "ko": "학습 요청의 항목 '{field}'이(가) 올바르지 않습니다.",
        "en": "The training request's field '{field}' is not valid.",
    },
    "err.sharing.pooled.no_target": {
        "ko": "예측 대상 열을 고르십시오.",
        "en": "Choose the column to predict.",
    },
    "err.sharing.pooled.missing_column": {
        "ko": "계약 #{id}의 데이터({dataset})에 열 '{column}'이(가) 없습니다. 모든 계약의 데이터에 "
        "예측 대상과 입력 열이 같아야 합니다.",
        "en": "The data of contract #{id} ({dataset}) has no column '{column}': every "
        "contract's data must have the target and the input columns.",
    },
    "err.sharing.pooled.missing_column.hint": {
        "ko": "모든 데이터에 있는 열만 입력(features)으로 고르십시오.",
        "en": "Name as features only columns every dataset has.",
    },
    "err.sharing.pooled.column_kind": {
        "ko": "계약 #{id}의 열 '{column}'은(는) {kind} 형식인데, 계약 #{first}에서는 {expected} "
        "형식입니다.",
        "en": "Column '{column}' of contract #{id} holds {kind} values; in contract #{first} it "
        "holds {expected} values.",
    },
    "err.sharing.pooled.target_kind": {
        "ko": "회귀 모델의 예측 대상 '{column}'은(는) 숫자 열이어야 합니다 (형식: {kind}).",
        "en": "A regression's target '{column}' must be a number column (it holds {kind} values).",
    },
    "err.sharing.pooled.no_features": {
        "ko": "계약 #{id}의 데이터에 입력 열이 없습니다.",
        "en": "The data of contract #{id} has no input column.",
    },
    "err.sharing.pooled.no_numeric": {
        "ko": "입력 열 중 숫자 열이 없어 기여도를 잴 수 없습니다 (계약 #{id}의 데이터).",
        "en": "No input column holds numbers, so contributions cannot be measured (the data of "
        "contract #{id}).",
    },
    "err.sharing.pooled.refused": {
        "ko": "계약 #{id}의 조건이 이 학습을 허용하지 않습니다: {reason[ko]}",
        "en": "The terms of contract #{id} do not allow this training: {reason[en]}",
    },
    "err.sharing.pooled.no_jobs": {
        "ko": "이 설치에서는 공동 학습(compute-to-data)을 실행할 수 없습니다.",
        "en": "Pooled compute-to-data is not available in this installation.",
    },
    "err.sharing.pooled.validation": {
        "ko": "기여도를 잴 검증 데이터가 부족합니다 (검증 행 {rows}개, 최소 {min}개, 분류는 두 "
        "가지 이상의 값).",
        "en": "Too little validation data to measure contributions ({rows} held-out rows, at "
        "least {min}, and two classes for a classifier).",
    },
    "err.sharing.pooled.validation_column": {
        "ko": "검증 데이터 {dataset}에 {expected} 형식의 열 '{column}'이(가) 없습니다. 검증 "
        "데이터에는 예측 대상과 숫자 입력 열이 있어야 합니다.",
        "en": "The validation data {dataset} has no column '{column}' of {expected} values: it "
        "needs the target and the numeric input columns.",
    },
    "err.sharing.pooled.failed": {
        "ko": "공동 학습이 실패했습니다 ({kind}). 데이터 보호를 위해 자세한 내용은 표시하지 "
        "않습니다.",
        "en": "The pooled training failed ({kind}); its details are not shown, to protect the "
        "data.",
    },
    "err.sharing.pooled.not_found": {
        "ko": "공동 학습 #{id}이(가) 없습니다.",
        "en": "There is no pooled training {id}.",
    },
    "err.sharing.pooled.no_valuation": {
        "ko": "기여도 평가 #{id}이(가) 없습니다.",
        "en": "There is no valuation {id}.",
    },
    "err.sharing.pooled.not_consumer": {
        "ko": "공동 학습 #{id}의 대금은 학습을 요청한 기관만 지급합니다.",
        "en": "Only the organisation that started pooled training {id} pays for it.",
    },
    "err.sharing.pooled.not_valued": {
        "ko": "공동 학습 #{id}이(가) {status[ko]} 상태라 기여도가 없어 대금을 나눌 수 없습니다.",
        "en": "Pooled training {id} is {status[en]}: without its contributions a payment "
        "cannot be split.",
    },
    # the pages' own refusals (a form posted by a role that cannot, a blank model name)
    "err.sharing.pooled.role": {
        "ko": "이 작업에는 '{role[ko]}' 이상의 역할이 필요합니다.",
        "en": "This needs the role '{role[en]}' or higher.",
    },
    "err.sharing.pooled.role.hint": {
        "ko": "기관 관리자에게 역할 변경을 요청하세요.",
        "en": "Ask an administrator of your organisation to grant it.",
    },
    "err.sharing.pooled.no_name": {
        "ko": "모델 이름을 넣어 주세요. 학습된 모델이 이 이름으로 등록됩니다.",
        "en": "Give the model a name: the trained model is registered under it.",
    },
    # --- the pages ----------------------------------------------------------------------------
    "sharing_web.tab.pooled": {"ko": "공동 학습", "en": "Pooled training"},
    "sharing_web.pooled.title": {"ko": "공동 학습과 기여도", "en": "Pooled training"},
    "sharing_web.pooled.intro": {
        "ko": "여러 기관의 데이터를 각 기관의 공간에서 함께 학습합니다. 원본 행은 어느 쪽에도 "
        "넘어오지 않고 모델과 지표, 기관별 기여도(섀플리 값)만 남으며, 대금은 기여도에 따라 "
        "나뉩니다.",
        "en": "Train one model on several owners' data where it lies. No row leaves: only the "
        "model, its metrics and each owner's contribution (its Shapley value) do, and what you "
        "pay for the model is split by contribution.",
    },
    "sharing_web.pooled.new": {"ko": "새 공동 학습", "en": "New pooled training"},
    "sharing_web.pooled.contracts": {
        "ko": "함께 쓸 계약 (두 건 이상, 기관마다 한 건)",
        "en": "Contracts to pool (two or more, one per owner)",
    },
    "sharing_web.pooled.no_contracts": {
        "ko": "공동 학습에는 서로 다른 기관과 맺은 유효한 계약이 두 건 이상 있어야 합니다.",
        "en": "A pooled training needs active contracts with at least two different owners.",
    },
    "sharing_web.pooled.engineer_only": {
        "ko": "공동 학습은 엔지니어 이상만 시작할 수 있습니다.",
        "en": "Engineers and administrators start pooled trainings.",
    },
    "sharing_web.pooled.task": {"ko": "모델 종류", "en": "Model kind"},
    "sharing_web.pooled.target": {"ko": "예측 대상", "en": "Target"},
    "sharing_web.pooled.name": {"ko": "모델 이름", "en": "Model name"},
    "sharing_web.pooled.submit": {"ko": "공동 학습 시작", "en": "Start the pooled training"},
    "sharing_web.pooled.jobs": {"ko": "공동 학습 작업", "en": "Pooled trainings"},
    "sharing_web.pooled.no_jobs": {
        "ko": "아직 공동 학습이 없습니다.",
        "en": "No pooled training yet.",
    },
    "sharing_web.pooled.job_no": {"ko": "공동 학습 #{id}", "en": "Pooled training #{id}"},
    "sharing_web.pooled.role.consumer": {"ko": "요청 기관", "en": "Started by us"},
    "sharing_web.pooled.role.owner": {"ko": "우리 데이터 사용", "en": "Used our data"},
    "sharing_web.pooled.col.role": {"ko": "관계", "en": "Role"},
    "sharing_web.pooled.col.owners": {"ko": "데이터 제공 기관", "en": "Owners"},
    "sharing_web.pooled.col.share": {"ko": "기여도 (섀플리 값)", "en": "Contribution (Shapley)"},
    "sharing_web.pooled.col.stderr": {"ko": "표준오차", "en": "Std. error"},
    "sharing_web.pooled.col.weight": {"ko": "대금 배분 비율", "en": "Payment weight"},
    "sharing_web.pooled.col.rows": {"ko": "행 수", "en": "Rows"},
    "sharing_web.pooled.col.amount": {"ko": "배분액", "en": "Part"},
    "sharing_web.pooled.progress": {"ko": "진행률", "en": "Progress"},
    "sharing_web.pooled.follow": {
        "ko": "작업이 끝나면 이 화면이 새로 고쳐집니다.",
        "en": "This page reloads when the job ends.",
    },
    "sharing_web.pooled.started": {
        "ko": "공동 학습을 시작했습니다. 각 기관의 데이터는 그 기관의 공간에서만 읽힙니다.",
        "en": "The pooled training has started; each owner's data is read in its own space only.",
    },
    "sharing_web.pooled.step.read": {"ko": "데이터 읽는 중", "en": "Reading the data"},
    "sharing_web.pooled.step.fit": {"ko": "학습 중", "en": "Training"},
    "sharing_web.pooled.step.strip": {"ko": "행 정보 제거 중", "en": "Removing row data"},
    "sharing_web.pooled.step.check": {"ko": "유출 검사 중", "en": "Checking for rows"},
    "sharing_web.pooled.step.value": {"ko": "기여도 계산 중", "en": "Measuring contributions"},
    "sharing_web.pooled.step.register": {"ko": "모델 등록 중", "en": "Registering the model"},
    "sharing_web.pooled.facts": {"ko": "학습 내용", "en": "The training"},
    "sharing_web.pooled.model": {"ko": "학습된 모델", "en": "The model"},
    "sharing_web.pooled.model_line": {
        "ko": "{rows}행으로 학습",
        "en": "trained on {rows} rows",
    },
    "sharing_web.pooled.valuation": {"ko": "기관별 기여도", "en": "Each owner's contribution"},
    "sharing_web.pooled.valuation_help": {
        "ko": "기여도는 그 기관의 데이터가 검증 지표({metric})를 얼마나 올렸는지의 섀플리 값입니다. "
        "모든 기관의 기여도 합({total})은 전체 데이터로 얻은 값({full})에서 데이터가 없을 때의 "
        "값({empty})을 뺀 것입니다. 음수 기여도는 대금 배분에서 0으로 봅니다.",
        "en": "A contribution is the Shapley value of what the owner's data adds to the "
        "validation metric ({metric}). They sum to {total}: the value of all the data, {full}, "
        "less the value of none, {empty}. A negative contribution weighs 0 in a payment.",
    },
    "sharing_web.pooled.method.exact": {
        "ko": "정확한 섀플리 값 (모든 조합 계산)",
        "en": "Exact Shapley values (every coalition)",
    },
    "sharing_web.pooled.method.monte_carlo": {
        "ko": "몬테카를로 추정 (순열 {samples}개, 표준오차 표시)",
        "en": "Monte Carlo estimate ({samples} permutations, with standard errors)",
    },
    "sharing_web.pooled.metric.balanced_accuracy": {
        "ko": "균형 정확도",
        "en": "balanced accuracy",
    },
    "sharing_web.pooled.metric.r2": {"ko": "결정계수 R²", "en": "R²"},
    "sharing_web.pooled.equal": {
        "ko": "양수 기여도가 없어 대금은 기관마다 똑같이 나뉩니다.",
        "en": "No contribution is positive: a payment is split equally.",
    },
    "sharing_web.pooled.pay": {"ko": "모델 대금 지급", "en": "Pay for the model"},
    "sharing_web.pooled.pay_help": {
        "ko": "한 달 치 대금을 원 단위로 넣으면 기여도에 따라 원 단위까지 정확히 나뉘어 각 기관의 "
        "정산서에 들어갑니다. 같은 달을 다시 지급하면 바뀝니다 (정산서 발행 전까지).",
        "en": "A month's payment in whole won is split by contribution, exactly to the won, "
        "into each owner's statement. Paying the same month again replaces it (until a "
        "statement is issued).",
    },
    "sharing_web.pooled.month": {"ko": "대상 월", "en": "Month"},
    "sharing_web.pooled.amount": {"ko": "금액 (원)", "en": "Amount (KRW)"},
    "sharing_web.pooled.pay_submit": {"ko": "지급 기록", "en": "Record the payment"},
    "sharing_web.pooled.paid": {
        "ko": "지급을 기록했습니다. 각 기관의 정산서에 배분액이 들어갑니다.",
        "en": "The payment is recorded; each owner's part goes into its statement.",
    },
    "sharing_web.pooled.payments": {"ko": "지급 내역", "en": "Payments"},
    "sharing_web.pooled.payment_month": {
        "ko": "{period}: {amount}",
        "en": "{period}: {amount}",
    },
    "sharing_web.pooled.error": {"ko": "작업 실패 사유", "en": "Why the job failed"},
    "sharing_web.pooled.open": {"ko": "보기", "en": "Open"},
    "sharing_web.pooled.contribution": {
        "ko": "공동 학습 #{id} 기여도",
        "en": "Pooled training #{id}",
    },
}
