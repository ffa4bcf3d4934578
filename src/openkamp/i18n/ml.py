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
        "ko": "기간을 늘리거나, 모든 범주가 기간 전체에 걸쳐 나오는 데이터를 쓰세요. 행의 순서에 의미가 없다면 '행이 서로 독립'이라고 지정하세요.",
        "en": "Use a longer period, or data in which every class occurs throughout; if the order of the rows means nothing, state that the rows are independent.",
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
    # The protocols of the templates with their own (ml.report: anomaly thresholds, remaining
    # life at cut points, forecast backtests); a kind "a + b" is said as a's text then b's.
    "ml.protocol.normal_time_split": {
        "ko": "정상 운전 데이터를 시간 순서로 나누어, 앞부분으로 탐지기를 학습하고 학습에 쓰지 않은 뒷부분의 이상 점수로 알람 임계값을 정했습니다.",
        "en": "The normal readings were cut in time order: the detector was fitted on the earlier part and the alarm threshold set on the scores of the later part, which it never saw.",
    },
    "ml.protocol.normal_recordings": {
        "ko": "정상 운전 기록을 하나씩 빼 두고 나머지로 학습한 탐지기로 그 기록의 이상 점수를 매겼습니다. 알람 임계값은 이렇게 학습에 쓰지 않은 정상 점수의 상위 분위수이므로, 기록마다 조금씩 다른 정상 운전을 감안합니다. 그다음 탐지기를 모든 정상 데이터로 다시 학습했습니다.",
        "en": "Each normal recording was held out in turn and scored by a detector fitted on the others; the alarm threshold is a high quantile of these held-out normal scores, so it allows for how normal operation varies between recordings. The detector was then refitted on all normal readings.",
    },
    "ml.protocol.normal_blocks": {
        "ko": "정상 운전 데이터를 시간 순서의 연속 구간 몇 개로 나누고, 한 구간씩 빼 두고 나머지로 학습한 탐지기로 그 구간의 이상 점수를 매겼습니다. 알람 임계값은 이렇게 학습에 쓰지 않은 정상 점수의 상위 분위수입니다. 그다음 탐지기를 모든 정상 데이터로 다시 학습했습니다.",
        "en": "The normal readings were cut into a few contiguous blocks; each block was held out in turn and scored by a detector fitted on the others. The alarm threshold is a high quantile of these held-out normal scores; the detector was then refitted on all normal readings.",
    },
    "ml.protocol.labelled_anomalies": {
        "ko": "후보 탐지기는 라벨이 있는 이상 사례를 이 임계값에서 얼마나 찾아내는지로 비교했습니다.",
        "en": "The candidate detectors were compared on how many labelled anomalies they catch at that threshold.",
    },
    "ml.protocol.unit_cuts": {
        "ko": "대상(공구·엔진 등)을 묶음으로 나누어, 한 대상의 행은 항상 같은 묶음에 두었습니다. 그래서 검증한 대상은 학습에서 한 번도 보지 않은 대상입니다. 검증 대상은 무작위 시점에서 잘라, 그 시점까지의 데이터만으로 남은 수명을 예측해 확인했습니다(실제 사용처럼 마지막 측정 시점에서의 예측).",
        "en": "The units (tools, engines, …) were split into parts, each unit's rows always in one part, so every unit was checked by a model that never saw it. Each checked unit was cut at random points and its remaining life predicted from the data up to the cut only, as in use (a prediction at the last reading).",
    },
    "ml.protocol.backtest": {
        "ko": "과거의 여러 시점에서, 그 시점까지의 데이터만으로 학습한 모델이 다음 기간을 예측하게 하고 실제값과 비교했습니다(롤링 백테스트). 미래 데이터는 학습에 쓰지 않았습니다.",
        "en": "From several points in the past, a model trained only on the data up to that point forecast the following steps, which were compared with what happened (rolling-origin backtests). No later data entered any training.",
    },
    # -- refusals of odd data (tabular.check_*, splits) -----------------------------------------
    "err.ml.cannot_train": {
        "ko": "이 모델을 학습할 수 없습니다: {reason}",
        "en": "Cannot train this model: {reason}",
    },
    "err.ml.too_few_rows": {
        "ko": "행이 {rows}개뿐입니다. 모델을 학습하고 검증하려면 최소 {need}개가 필요합니다.",
        "en": "Only {rows} rows: at least {need} are needed to train and check a model.",
    },
    "err.ml.too_few_rows.hint": {
        "ko": "기간을 늘리거나 더 큰 파일을 쓰세요.",
        "en": "Use a longer period or a larger file.",
    },
    "err.ml.duplicate_columns": {
        "ko": "같은 이름의 열이 두 번 있습니다: {columns}",
        "en": "Columns appear twice: {columns}.",
    },
    "err.ml.duplicate_columns.hint": {
        "ko": "열마다 서로 다른 이름을 붙이세요.",
        "en": "Give every column its own name.",
    },
    "err.ml.one_class": {
        "ko": "모든 행의 라벨이 같습니다({label}). 예측할 것이 없습니다.",
        "en": "Every row has the same label ({label}): there is nothing to predict.",
    },
    "err.ml.one_class.hint": {
        "ko": "다른 결과(예: 불량품)의 행도 포함하세요.",
        "en": "Include rows of the other outcome (for example defective parts).",
    },
    "err.ml.too_few_of_class": {
        "ko": "'{label}' 라벨의 행이 {rows}개뿐입니다. 이를 배우고, 보지 않은 행으로 검증하려면 최소 {need}개가 필요합니다.",
        "en": "Only {rows} rows are labelled {label}: at least {need} are needed to learn it and check the model on rows it did not see.",
    },
    "err.ml.too_few_of_class.hint": {
        "ko": "그런 사례가 더 많은 긴 기간을 쓰거나, 드문 범주를 합치세요.",
        "en": "Use a longer period with more such cases, or merge rare classes.",
    },
    "err.ml.missing_labels": {
        "ko": "{rows}개 행에 라벨이 없습니다.",
        "en": "{rows} rows have no label.",
    },
    "err.ml.missing_labels.hint": {
        "ko": "모든 행에 라벨을 달거나, 라벨 없는 행은 빼세요.",
        "en": "Label every row, or leave the unlabelled rows out.",
    },
    "err.ml.no_inputs": {
        "ko": "쓸 수 있는 입력 열이 남지 않았습니다(제외된 열: {columns}).",
        "en": "No usable input column is left (left out: {columns}).",
    },
    "err.ml.no_inputs.hint": {
        "ko": "결과가 나오기 전에 측정되는 공정 값을 추가하세요.",
        "en": "Add process values measured before the outcome is known.",
    },
    "err.ml.target_not_numeric": {
        "ko": "예측 대상에 글자가 있습니다. 회귀 모델은 숫자를 예측합니다.",
        "en": "The target holds text: a regression predicts numbers.",
    },
    "err.ml.target_not_numeric.hint": {
        "ko": "숫자 열을 예측 대상으로 고르거나, 라벨은 불량 예측 모델로 예측하세요.",
        "en": "Choose a numeric target, or predict the labels with a defect model.",
    },
    "err.ml.missing_target": {
        "ko": "{rows}개 행에 예측 대상 값이 없습니다(또는 무한대입니다).",
        "en": "{rows} rows have no (or an infinite) target value.",
    },
    "err.ml.missing_target.hint": {
        "ko": "그 행을 빼거나 값을 채우세요.",
        "en": "Leave those rows out, or fill in their values.",
    },
    "err.ml.constant_target": {
        "ko": "예측 대상 값이 모든 행에서 같습니다. 예측할 것이 없습니다.",
        "en": "The target has the same value on every row: there is nothing to predict.",
    },
    "err.ml.constant_target.hint": {
        "ko": "값이 변하는 열을 예측 대상으로 고르세요.",
        "en": "Choose a target that varies.",
    },
    "err.ml.too_few_groups": {
        "ko": "그룹이 {groups}개뿐입니다. 그룹 단위로 떼어 검증하므로 최소 2개가 필요합니다.",
        "en": "Only {groups} group: whole groups are held out to check the model, so at least 2 are needed.",
    },
    "err.ml.too_few_groups.hint": {
        "ko": "더 많은 로트(그룹)의 데이터를 쓰거나, 그룹 없이 학습하세요.",
        "en": "Use data of more lots (groups), or train without groups.",
    },
    "err.ml.missing_times": {
        "ko": "{rows}개 행에 시간이 없습니다.",
        "en": "{rows} rows have no time.",
    },
    "err.ml.missing_times.hint": {
        "ko": "시간을 채우거나 그 행을 빼거나, 행이 서로 독립이라고 지정하세요.",
        "en": "Fill in their times, leave them out, or state that the rows are independent.",
    },
    "err.ml.too_few_times": {
        "ko": "모든 행의 시간이 같습니다. 이후 데이터로 모델을 검증할 수 없습니다.",
        "en": "Every row has the same time: the model cannot be checked on later data.",
    },
    "err.ml.too_few_times.hint": {
        "ko": "시간 열을 확인하거나, 행이 서로 독립이라고 지정하세요.",
        "en": "Check the time column, or state that the rows are independent.",
    },
    "ml.dropped.empty": {"ko": "값이 하나도 없는 빈 열이라 제외", "en": "empty: no value at all"},
    "ml.dropped.constant": {
        "ko": "모든 행의 값이 같아 정보가 없으므로 제외",
        "en": "constant: the same value on every row",
    },
    "ml.dropped.combined": {
        "ko": "다른 열과 합치면 정답이 되는 열(불량 유형별 수량·합계 등)이라 제외",
        "en": "together with other columns it makes up the answer (per-defect counts, totals)",
    },
    "ml.warn.flags_most_good": {
        "ko": "주의: 이 판정 기준이면 양품의 {share} %에도 알람이 울립니다. 임계값을 높이거나 이 모델을 쓰지 마세요.",
        "en": "Warning: at this decision threshold, {share} % of good parts raise an alarm. Raise the threshold, or do not use this model.",
    },
    # -- training on datasets, scoring files (ml.on_datasets) -----------------------------------
    "err.ml.data_source": {
        "ko": "학습할 데이터로 설비 하나 또는 데이터셋 하나를 지정하세요.",
        "en": "Name either a piece of equipment or a dataset to learn from.",
    },
    "err.ml.no_datasets": {
        "ko": "이 설치에서는 데이터셋을 쓸 수 없습니다.",
        "en": "Datasets are not available here.",
    },
    "err.ml.dataset_task": {
        "ko": "이 모델 종류({task})는 설비의 신호로 학습합니다. 데이터셋(기록 표)에서는 불량 예측이나 값 예측 모델을 고르세요.",
        "en": "A {task} model learns from an equipment's signals, not from a dataset. Choose a defect (classify) or value (regress) model for a table of records.",
    },
    "err.ml.dataset_no_column": {
        "ko": "데이터셋 {dataset}에 '{column}' 열이 없습니다.",
        "en": "Dataset {dataset} has no column '{column}'.",
    },
    "err.ml.missing_inputs": {
        "ko": "모델 {model}에 필요한 입력 열이 없습니다: {missing}",
        "en": "The records lack inputs of model {model}: {missing}.",
    },
    "err.ml.missing_inputs.hint": {
        "ko": "빠진 열을 추가하세요: {missing}",
        "en": "Add the missing columns: {missing}.",
    },
    # -- the report in words (ml.report) --------------------------------------------------------
    "ml.report.details": {"ko": "부록: 기술 세부 사항", "en": "Appendix: technical details"},
    "ml.report.details_open": {
        "ko": "후보 모델 비교와 설정값 보기",
        "en": "Show the candidates compared and their settings",
    },
    "ml.report.search_in_words": {
        "ko": "후보 학습 방법 {n}개를 같은 검증 방식으로 비교해 가장 나은 것을 골랐습니다. 고르는 과정도 교차 적합으로 평가에 반영했습니다.",
        "en": "{n} candidate learning methods were compared under the same protocol and the best was chosen; the choice itself is cross-fitted in the figures.",
    },
    "ml.report.source": {"ko": "설비", "en": "Equipment"},
    "ml.report.period": {"ko": "기간", "en": "Period"},
    "ml.report.period_value": {
        "ko": "{first}부터 {last}까지 ({tz} 기준)",
        "en": "from {first} to {last} ({tz})",
    },
    "ml.report.unlabelled": {
        "ko": "라벨이 없어 제외한 행",
        "en": "Rows left out for lack of a label",
    },
    "ml.learner.lgbm": {
        "ko": "LightGBM (그래디언트 부스팅 나무)",
        "en": "LightGBM (gradient-boosted trees)",
    },
    "ml.learner.logreg": {
        "ko": "로지스틱 회귀 (선형 모델)",
        "en": "Logistic regression (a linear model)",
    },
    "ml.learner.rf": {"ko": "랜덤 포레스트", "en": "Random forest"},
    "ml.learner.pca": {
        "ko": "PCA (주성분 재구성 오차)",
        "en": "PCA (principal-component reconstruction error)",
    },
    "ml.learner.mset": {
        "ko": "MSET (다변량 상태 추정)",
        "en": "MSET (multivariate state estimation)",
    },
    "ml.learner.knn": {
        "ko": "kNN (가장 가까운 정상 측정까지의 거리)",
        "en": "kNN (distance to the nearest normal readings)",
    },
    "ml.metric.target_mean": {"ko": "검증 데이터의 목표값 평균", "en": "Mean of the target"},
    "ml.metric.target_std": {
        "ko": "검증 데이터의 목표값 표준편차",
        "en": "Standard deviation of the target",
    },
    "ml.learner.ridge": {"ko": "릿지 회귀 (선형 모델)", "en": "Ridge regression (a linear model)"},
    "ml.learner.trees": {
        "ko": "랜덤 포레스트 / 엑스트라 트리",
        "en": "Random forest / extra trees",
    },
    "ml.warn.two_production": {
        "ko": "주의: 같은 설비와 같은 문제를 다루는 다른 운영 모델이 있습니다({others}). 알람이 두 번 울릴 수 있으니 하나만 운영하세요.",
        "en": "Warning: another production model covers the same machine and problem ({others}). Alarms may ring twice; keep one in production.",
    },
    "ml.metric.alarms_per_day": {
        "ko": "하루 오경보 수 (설비 1대당, 정상 운전 기준)",
        "en": "False alarms per day (per machine, in normal operation)",
    },
    # -- the forecast template's simple rules (ml.report: the chosen one) -----------------------
    "ml.learner.naive": {"ko": "단순 반복 (마지막 값)", "en": "Naive (the last value)"},
    "ml.learner.seasonal_naive": {
        "ko": "주기 반복 ({season}스텝 전 같은 시점의 값)",
        "en": "Seasonal naive (the value {season} steps before)",
    },
    "ml.learner.mean": {"ko": "지난 주기의 평균", "en": "Mean of the last season"},
    "ml.learner.drift": {
        "ko": "추세 연장 (지난 두 주기 사이의 수준 변화)",
        "en": "Drift (the level change between the last two seasons)",
    },
    # -- features a template builds, by what they are (ml.report.feature_label) -----------------
    # Remaining life (rul_features): window statistics of a signal, the unit's age.
    "ml.feature.last": {"ko": "{signal} 최근값", "en": "{signal}, latest"},
    "ml.feature.mean_n": {"ko": "{signal} 최근 {n}행 평균", "en": "{signal}, mean of the last {n}"},
    "ml.feature.slope_n": {
        "ko": "{signal} 최근 {n}행 기울기",
        "en": "{signal}, slope over the last {n}",
    },
    "ml.feature.drift": {
        "ko": "{signal} 처음 대비 변화",
        "en": "{signal}, change since the unit's start",
    },
    "ml.feature.age": {"ko": "사용 기간 (대상의 나이)", "en": "Age of the unit (time in use)"},
    "ml.feature.rows_seen": {"ko": "지금까지의 측정 수", "en": "Readings so far"},
    # Forecasts (forecast_features.design): values known at the forecast's start.
    "ml.feature.step": {"ko": "몇 스텝 앞의 예측인지", "en": "Steps ahead"},
    "ml.feature.lag": {
        "ko": "{n}스텝 전의 값 (수준 대비)",
        "en": "Value {n} step(s) before (relative to the level)",
    },
    "ml.feature.mean_short": {
        "ko": "최근 짧은 구간의 평균 (수준 대비)",
        "en": "Mean of the last few steps (relative to the level)",
    },
    "ml.feature.level": {
        "ko": "수준 (최근 구간의 평균)",
        "en": "Level (mean of the recent window)",
    },
    "ml.feature.sd_window": {
        "ko": "최근 구간의 표준편차",
        "en": "Standard deviation of the recent window",
    },
    "ml.feature.season_last": {
        "ko": "한 주기({n}스텝) 전 같은 시점의 값 (수준 대비)",
        "en": "Value one season ({n} steps) before (relative to the level)",
    },
    "ml.feature.season_mean": {
        "ko": "지난 주기({n}스텝)들의 같은 시점 평균 (수준 대비)",
        "en": "Mean at the same point of past seasons of {n} steps (relative to the level)",
    },
    "ml.feature.season_phase": {
        "ko": "{n}스텝 주기 안의 위치",
        "en": "Position within the season of {n} steps",
    },
    "ml.feature.hour": {"ko": "하루 중 시각", "en": "Hour of the day"},
    "ml.feature.dow": {"ko": "요일", "en": "Day of the week"},
    "ml.feature.month": {"ko": "월", "en": "Month"},
    "ml.feature.exog": {"ko": "{signal} (예측 시점의 값)", "en": "{signal} (at the forecast time)"},
    # -- axis and series names of the cards' plots (ml.report.render_plot) ----------------------
    "ml.axis.predicted": {"ko": "예측", "en": "Predicted"},
    "ml.axis.observed": {"ko": "실제 비율", "en": "Observed share"},
    "ml.axis.mean_abs_contribution": {"ko": "평균 기여도", "en": "Mean contribution"},
    "ml.axis.probability": {"ko": "불량 확률", "en": "Defect probability"},
    "ml.axis.feature": {"ko": "입력", "en": "Input"},
    "ml.axis.class": {"ko": "실제 범주", "en": "True class"},
    "ml.axis.score": {"ko": "이상 점수", "en": "Anomaly score"},
    "ml.axis.actual": {"ko": "실제값", "en": "Actual"},
    "ml.axis.prediction": {"ko": "예측값", "en": "Prediction"},
    "ml.axis.residual": {"ko": "오차", "en": "Error"},
    "ml.axis.error": {"ko": "오차", "en": "Error"},
    "ml.axis.step": {"ko": "예측 스텝", "en": "Step ahead"},
    "ml.axis.true": {"ko": "실제값", "en": "True value"},
    "ml.axis.value": {"ko": "값", "en": "Value"},
    "ml.axis.predicted_before": {"ko": "현재 조건 예측", "en": "Predicted now"},
    "ml.axis.predicted_after": {"ko": "추천 조건 예측", "en": "Predicted with the advice"},
    "ml.axis.control": {"ko": "조정 변수", "en": "Setting"},
    "ml.axis.share": {"ko": "비율", "en": "Share"},
    "ml.axis.reading": {"ko": "측정 순서", "en": "Reading"},
    "ml.axis.time": {"ko": "시간", "en": "Time"},
    "ml.axis.forecast": {"ko": "예측", "en": "Forecast"},
    "ml.axis.mae": {"ko": "모델의 평균 절대 오차", "en": "Model's mean absolute error"},
    "ml.axis.mae_reference": {
        "ko": "단순 반복 예측의 평균 절대 오차",
        "en": "Naive forecast's mean absolute error",
    },
    "ml.axis.band": {"ko": "예측 구간", "en": "Prediction interval"},
}
