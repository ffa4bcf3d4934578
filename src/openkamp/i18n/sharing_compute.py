"""Texts of compute-to-data (openkamp.sharing.compute, issue 11 item 4): why a model kind cannot
be trained where the data stays with its owner (``err.sharing.compute.refused.<kind>``), and the
other refusals. Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.sharing.compute.refused.knn": {
        "ko": "최근접 이웃(knn) 이상탐지 모델은 학습 데이터의 행을 그대로 담고 있어 데이터 안에서 "
        "학습(compute-to-data)으로 내보낼 수 없습니다. pca 또는 residual 탐지기를 고르십시오.",
        "en": "A nearest-neighbour (knn) anomaly model holds the training rows themselves, so it "
        "cannot leave a compute-to-data job. Choose the pca or residual detector.",
    },
    "err.sharing.compute.refused.mset": {
        "ko": "MSET 이상탐지 모델은 정상 상태의 행(표준화된 학습 행)을 기억으로 담고 있어 데이터 "
        "안에서 학습으로 내보낼 수 없습니다. pca 또는 residual 탐지기를 고르십시오.",
        "en": "An MSET anomaly model keeps normal states (standardised training rows) as its "
        "memory, so it cannot leave a compute-to-data job. Choose the pca or residual detector.",
    },
    "err.sharing.compute.refused.iforest": {
        "ko": "아이솔레이션 포레스트는 학습 값 사이에서 뽑은 분할 기준을 담고, 잎 하나가 학습 행 "
        "하나를 둘러싸므로 행을 되살릴 수 있습니다. 데이터 안에서 학습으로 내보낼 수 없습니다. "
        "pca 또는 residual 탐지기를 고르십시오.",
        "en": "An isolation forest holds split thresholds drawn between training values, and a "
        "leaf boxes in a single training row, so rows can be narrowed down from it; it cannot "
        "leave a compute-to-data job. Choose the pca or residual detector.",
    },
    "err.sharing.compute.refused.small_leaves": {
        "ko": "후보 {learner}의 트리 잎에는 학습 행이 {leaf}개까지 적게 들어가 잎의 경계가 개별 행을 "
        "둘러쌉니다(데이터 안에서 학습은 잎마다 {k}행 이상 필요). LightGBM이나 선형 모델을 "
        "고르십시오.",
        "en": "The trees of candidate {learner} may hold as few as {leaf} training rows in a "
        "leaf, so a leaf's bounds box in single rows (compute-to-data needs at least {k} rows "
        "a leaf). Choose LightGBM or a linear model.",
    },
    "err.sharing.compute.refused.task": {
        "ko": "{task} 모델은 데이터 안에서 학습으로 제공되지 않습니다. 이상탐지, 불량 예측, 값 예측, "
        "잔여 수명, 수요 예측 모델을 쓸 수 있습니다.",
        "en": "A {task} model is not offered by compute-to-data. Anomaly, defect, value, "
        "remaining-life and forecast models are.",
    },
    "err.sharing.compute.no_time": {
        "ko": "데이터셋 {dataset}에 시각 열이 없어 {task} 모델을 학습할 수 없습니다.",
        "en": "Dataset {dataset} has no time column, so a {task} model cannot be trained on it.",
    },
    "err.sharing.compute.leak": {
        "ko": "내보낼 결과({output})에서 학습 데이터의 행이 발견되어 아무것도 내보내지 않았습니다.",
        "en": "A training row was found in an output ({output}); nothing left the owner's space.",
    },
    "err.sharing.compute.no_jobs": {
        "ko": "이 설치에서는 작업(job)을 실행할 수 없어 데이터 안에서 학습을 작업으로 보낼 수 없습니다.",
        "en": "Jobs are not available here, so compute-to-data cannot run as a job.",
    },
    "err.sharing.compute.same_org": {
        "ko": "데이터 안에서 학습은 다른 조직의 데이터에만 씁니다. 자기 데이터는 그냥 학습하십시오.",
        "en": "Compute-to-data is for another organisation's data; train on your own data directly.",
    },
}
