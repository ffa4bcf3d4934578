"""Texts of the valuation of pooled data (openkamp.sharing.valuation, issue 11 item 6): why a
valuation cannot be made as asked. Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.sharing.valuation.shape": {
        "ko": "데이터 제공자 {owner}의 데이터 모양이 맞지 않습니다. 특성은 행 × 특성 표, 목표값은 "
        "행마다 하나여야 합니다.",
        "en": "Owner {owner}'s data has the wrong shape: features must be a rows x features "
        "table and the target one value per row.",
    },
    "err.sharing.valuation.fraction": {
        "ko": "검증용으로 떼어 둘 비율은 0과 1 사이여야 합니다(입력: {fraction}).",
        "en": "The validation fraction must be between 0 and 1 (got {fraction}).",
    },
    "err.sharing.valuation.metric": {
        "ko": "평가 지표 {metric}은(는) 이 학습기에 쓸 수 없습니다. 회귀는 r2 또는 neg_rmse, "
        "분류는 balanced_accuracy를 고르십시오.",
        "en": "The metric {metric} cannot be used with this learner. Use r2 or neg_rmse for "
        "regression, balanced_accuracy for classification.",
    },
    "err.sharing.valuation.owners": {
        "ko": "기여도 평가에는 데이터 제공자가 한 곳 이상 있어야 하고, 같은 이름이 두 번 나오면 "
        "안 됩니다.",
        "en": "Valuation needs at least one owner, each named once.",
    },
    "err.sharing.valuation.features": {
        "ko": "데이터 제공자 {owners}의 특성 수가 검증 데이터의 특성 {features}개와 다릅니다.",
        "en": "Owners {owners} do not have the validation set's {features} features.",
    },
    "err.sharing.valuation.alpha": {
        "ko": "릿지 규제 강도 alpha는 0보다 커야 합니다(입력: {alpha}).",
        "en": "The ridge penalty alpha must be positive (got {alpha}).",
    },
    "err.sharing.valuation.shrinkage": {
        "ko": "선형 판별 분석의 축소 계수는 0보다 크고 1 이하여야 합니다(입력: {shrinkage}).",
        "en": "The discriminant analysis shrinkage must be in (0, 1] (got {shrinkage}).",
    },
    "err.sharing.valuation.too_many_owners": {
        "ko": "데이터 제공자 {owners}곳의 정확한 섀플리 값은 2^{owners}번의 학습이 필요해 한도"
        "({limit}곳)를 넘습니다. 몬테카를로 추정을 쓰십시오.",
        "en": "Exact Shapley values of {owners} owners need 2^{owners} trainings, over the "
        "limit of {limit}. Use the Monte Carlo estimate.",
    },
    "err.sharing.valuation.monte_carlo": {
        "ko": "몬테카를로 추정의 순열 수와 묶음 크기는 2 이상, 절단 허용치는 0 이상 1 미만이어야 "
        "합니다.",
        "en": "The Monte Carlo estimate needs at least 2 permutations and a batch of at least "
        "2, and a truncation in [0, 1).",
    },
}
