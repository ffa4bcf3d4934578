"""Texts of the ml area (Korean first, English beside it): why training is refused, how a model
was checked (the protocol, the verdict against a model without skill) and what its figures mean.
Older ``ml.*`` keys live in :mod:`openkamp.i18n` itself."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- refusals (err.ml.<code>, formatted with the error's params) ------------------------------
    "err.ml.classes_in_blocks": {
        "ko": "시간 순서로 보면 라벨이 덩어리로 나옵니다: {labels}은(는) 모델이 배울 앞부분 데이터가 끝난 뒤에야 나타납니다. 그래서 검증 구간 {parts}개 중 {usable}개만 공정하게 확인할 수 있어 정직한 성능 수치를 낼 수 없습니다.",
        "en": "Over time the labels come in blocks: {labels} appear only after the earlier data a model would learn from, so only {usable} of {parts} evaluation parts could be checked fairly and no honest figure can be given.",
    },
    "err.ml.classes_in_blocks.hint": {
        "ko": "행의 순서에 의미가 없다면(서로 독립적인 부품, 또는 라벨로 정렬된 파일) '행이 서로 독립'이라고 지정하세요. 아니라면 모든 범주가 기간 전체에 걸쳐 나오는 데이터를 쓰세요.",
        "en": "If the order of the rows means nothing (independent parts, or a file sorted by its label), state that the rows are independent; otherwise use a period in which every class occurs throughout.",
    },
    "err.ml.too_few_folds": {
        "ko": "검증 구간 {parts}개 중 {usable}개만 학습 부분에 두 범주(양품·불량)가 모두 있습니다. 모델을 검증할 수 없습니다.",
        "en": "Only {usable} of {parts} evaluation parts have both classes in their training part: the model cannot be checked.",
    },
    "err.ml.too_few_folds.hint": {
        "ko": "기간을 늘려서 앞부분 데이터에도 불량이 있도록 하세요.",
        "en": "Use a longer period, so that defects occur in the earlier part of the data too.",
    },
    "err.ml.validation_one_class": {
        "ko": "모델을 검증할 수 있는 행에 한 범주({label})만 있습니다. 다른 범주를 찾아내는 성능은 계산할 수 없습니다.",
        "en": "The rows the model can be checked on hold only one class ({label}): no figure about finding the others could be computed.",
    },
    "err.ml.validation_one_class.hint": {
        "ko": "기간을 늘리거나, 모든 범주가 기간 전체에 걸쳐 나오는 데이터를 쓰세요.",
        "en": "Use a longer period, or data in which every class occurs throughout.",
    },
    # -- how the figures were computed ------------------------------------------------------------
    "ml.limit.crossfit": {
        "ko": "모든 수치는 교차 적합으로 계산했습니다: 각 검증 구간은 그 구간을 보지 않은 모델로 예측하고, 후보 선택·확률 보정·판정 임계값도 다른 구간에서만 정했습니다. 새 기간에서는 조건 변화만큼 달라질 수 있습니다.",
        "en": "Every figure is cross-fitted: each evaluation part was predicted by a model that never saw it, and the candidate, the probability calibration and the decision threshold were chosen on the other parts only. On a new period the figures can differ as much as conditions change.",
    },
    "ml.verdict.better": {
        "ko": "이 모델은 단순 기준(항상 흔한 범주·평균으로 예측)보다 낫습니다: 95 % 구간 전체가 우연 수준보다 높습니다.",
        "en": "This model beats the trivial baseline (always the usual class, or the mean): its whole 95 % interval lies above chance.",
    },
    "ml.verdict.no_better": {
        "ko": "이 모델은 단순 기준(항상 흔한 범주·평균으로 예측)보다 낫다고 말할 수 없습니다. 95 % 구간이 우연 수준을 포함합니다. 이 입력으로는 예측할 정보가 부족할 수 있으니, 이 모델로 판정하지 마세요.",
        "en": "This model cannot be said to beat the trivial baseline (always the usual class, or the mean): its 95 % interval includes chance. These inputs may not carry the information needed; do not make decisions with this model.",
    },
    "ml.verdict.worse": {
        "ko": "이 모델은 단순 기준(항상 흔한 범주·평균으로 예측)보다 나쁩니다. 이 모델로 판정하지 마세요.",
        "en": "This model is worse than the trivial baseline (always the usual class, or the mean). Do not make decisions with it.",
    },
    "ml.metric.chance_roc_auc": {"ko": "우연 수준 ROC-AUC", "en": "ROC-AUC of chance"},
    "ml.metric.chance_pr_auc": {
        "ko": "우연 수준 PR-AUC (불량 비율)",
        "en": "PR-AUC of chance (defect share)",
    },
    "ml.metric.chance_accuracy": {
        "ko": "우연 수준 정확도 (가장 흔한 범주 비율)",
        "en": "Accuracy of chance (share of the usual class)",
    },
    # -- the evaluation protocol, in plain words (ml.card.protocol_key) ---------------------------
    "ml.protocol.stratified": {
        "ko": "행을 무작위로 섞어 5묶음으로 나누고(각 묶음의 불량 비율은 같게), 한 묶음씩 나머지로 학습한 모델로 예측해 확인했습니다. 행이 서로 독립적인 부품·샷일 때 맞는 방법입니다.",
        "en": "The rows were shuffled into parts with the same defect share; each part was predicted by a model trained on the others. This fits rows that are independent parts or shots.",
    },
    "ml.protocol.kfold": {
        "ko": "행을 무작위로 섞어 묶음으로 나누고, 한 묶음씩 나머지로 학습한 모델로 예측해 확인했습니다. 행이 서로 독립적일 때 맞는 방법입니다.",
        "en": "The rows were shuffled into parts; each part was predicted by a model trained on the others. This fits independent rows.",
    },
    "ml.protocol.group": {
        "ko": "같은 그룹(로트·금형·제품 등)의 행은 항상 같은 묶음에 두었습니다. 그래서 확인에 쓴 그룹은 학습에서 한 번도 보지 않은 그룹이며, 새 로트에서의 성능을 보여줍니다.",
        "en": "Rows of one group (lot, mould, product, …) were always kept in one part, so every group was checked by a model that never saw it: the figures show how the model does on a new lot.",
    },
    "ml.protocol.forward": {
        "ko": "시간 순서대로 나누어, 항상 과거 데이터로 학습하고 그 다음 기간을 예측해 확인했습니다(가장 이른 구간은 학습에만 씀). 실제 사용처럼 미래를 보지 않고 검증한 결과입니다.",
        "en": "The data were cut in time order; each period was predicted by a model trained only on the earlier periods (the earliest is used for training only), as the model will be used: never seeing the future.",
    },
}
