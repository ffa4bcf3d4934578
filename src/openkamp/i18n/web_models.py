"""Texts of the model pages of the web area: results in words, the decision threshold, scoring
(판정) and its downloads, the recipe, the model wizard (Korean first, English beside it). Merged
into the ``web_data`` catalogue."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "web_data.score.period_help": {
        "ko": "또는 이미 저장된 데이터 중 판정할 기간을 고르세요 (전체 기간을 한꺼번에 판정하지 않습니다).",
        "en": "Or choose a period of stored data to score (all of history is never scored at once).",
    },
    "err.web_data.score_missing_inputs": {
        "ko": "파일에 모델 입력 {n}개가 없습니다: {missing}",
        "en": "The file lacks {n} inputs of the model: {missing}",
    },
    "err.web_data.score_missing_inputs.hint": {
        "ko": "학습에 쓴 열이 파일에 있어야 합니다 (띄어쓰기·단위 표기는 달라도 됩니다). 파일에서 찾은 열: {found}",
        "en": "The file needs the columns the model learnt from (spacing and units may differ). Columns found: {found}",
    },
    "err.web_data.score_no_rows": {
        "ko": "파일에 판정할 행이 없습니다.",
        "en": "The file has no rows to score.",
    },
    "err.web_data.score_period_required": {
        "ko": "판정할 파일이나 기간을 고르세요.",
        "en": "Choose a file or a period to score.",
    },
    "err.web_data.score_period_required.hint": {
        "ko": "전체 기간을 한꺼번에 판정하지 않도록 시작일이나 종료일을 입력하세요.",
        "en": "Enter a start or an end date, so that not all of history is scored at once.",
    },
    "err.web_data.score_gone": {
        "ko": "판정 결과가 없습니다 (하루가 지나 삭제되었거나 주소가 잘못되었습니다).",
        "en": "The scored result is gone (results are kept for a day) or the address is wrong.",
    },
    "err.web_data.score_gone.hint": {
        "ko": "파일이나 기간을 다시 판정하세요.",
        "en": "Score the file or the period again.",
    },
    "web_data.score.col.row": {"ko": "순번", "en": "Row"},
    "web_data.score.col.probability": {"ko": "불량 확률", "en": "Defect probability"},
    "web_data.score.col.prediction": {"ko": "예측", "en": "Prediction"},
    "web_data.score.col.score": {"ko": "이상 점수", "en": "Anomaly score"},
    "web_data.score.col.alarm": {"ko": "알람", "en": "Alarm"},
    "web_data.score.col.top_signal": {"ko": "주요 원인 신호", "en": "Main signal"},
    "web_data.score.col.lo": {"ko": "예측 하한", "en": "Lower bound"},
    "web_data.score.col.hi": {"ko": "예측 상한", "en": "Upper bound"},
    "web_data.score.col.p_class": {"ko": "'{label}' 확률", "en": "Probability of '{label}'"},
    "web_data.score.quarantined": {
        "ko": "읽을 수 없는 행 {n}개는 판정하지 않았습니다 (합계 행, 숫자가 아닌 값 등)",
        "en": "{n} rows that could not be read were not scored (total rows, values that are not numbers …)",
    },
    "web_data.score.truth": {
        "ko": "파일의 실제 판정과 비교: 실제 불량 {actual}개 중 {caught}개를 잡았고 {missed}개를 놓쳤습니다. 양품 {good}개 중 {false_alarms}개를 불량으로 잘못 알렸습니다",
        "en": "Against the file's true labels: of {actual} real defects it caught {caught} and missed {missed}; of {good} good parts it wrongly flagged {false_alarms}",
    },
    "web_data.score.seen_in_training": {
        "ko": "주의: 이 중 {n}행은 모델이 학습한 기간의 데이터입니다. 학습에 쓴 행과의 비교는 실제보다 좋게 나오므로, 모델의 실력은 학습 뒤의 새 데이터로 확인하세요 (모델 화면의 성능은 학습에 쓰지 않은 부분으로 계산한 값입니다)",
        "en": "Note: {n} of these rows are from the period the model learnt from. A comparison on rows it was trained on looks better than it is; judge the model on new data after training (the figures on the model's page were computed on parts it did not learn from)",
    },
    "web_data.score.truth.anomaly": {
        "ko": "파일의 실제 기록과 비교: 실제 이상 {actual}건 중 {caught}건에 알람을 냈고 {missed}건을 놓쳤습니다. 정상 {good}건 중 {false_alarms}건은 잘못된 알람입니다",
        "en": "Against the file's records: of {actual} real anomalies it alarmed on {caught} and missed {missed}; {false_alarms} of {good} normal rows were false alarms",
    },
    "web_data.score.only_defects": {"ko": "불량 예상만 보기", "en": "Only predicted defects"},
    "web_data.score.only_alarms": {"ko": "알람만 보기", "en": "Only alarms"},
    "web_data.score.show_all": {"ko": "전체 보기", "en": "Show all rows"},
    "web_data.score.download_csv": {"ko": "CSV로 내려받기", "en": "Download as CSV"},
    "web_data.score.download_xlsx": {"ko": "Excel로 내려받기", "en": "Download as Excel"},
    "web_data.score.download_all": {
        "ko": "모든 행은 내려받기로 볼 수 있습니다.",
        "en": "Download to see every row.",
    },
    "web_data.score.sorted": {
        "ko": "위험이 높은 순서로 정렬했습니다. 시간은 현지 시간입니다.",
        "en": "Riskiest first; times are local.",
    },
    "web_data.score.sheet": {"ko": "판정 결과", "en": "Scores"},
    "web_data.result.technical": {
        "ko": "기술 정보 (전문가용)",
        "en": "technical details (for specialists)",
    },
    "err.web_data.threshold_range": {
        "ko": "임계값은 0과 1 사이의 확률이어야 합니다.",
        "en": "A threshold is a probability between 0 and 1.",
    },
    "err.web_data.no_threshold": {
        "ko": "이 모델에는 고를 수 있는 판정 임계값이 없습니다 (양품/불량 두 범주 모델만 해당).",
        "en": "This model has no decision threshold to choose (only pass / fail models have one).",
    },
    "web_data.threshold.title": {
        "ko": "판정 기준 고르기: 놓치는 불량 대 잘못된 알람",
        "en": "Choose the decision threshold: missed defects against false alarms",
    },
    "web_data.threshold.help.day": {
        "ko": "기준을 낮추면 불량을 더 많이 잡지만 양품에도 알람이 더 울립니다. 수치는 검증에 쓴 {n}개 행(불량 {defects}개)을 학습 기간의 하루 생산량으로 환산한 값이며, 각 행은 그 행을 보지 않은 모델로 판정했습니다.",
        "en": "A lower threshold catches more defects and raises more false alarms. Counts are from the {n} evaluated rows ({defects} defects), scaled to a day of production at the training period's rate; every row was scored by a model that never saw it.",
    },
    "web_data.threshold.help.thousand": {
        "ko": "기준을 낮추면 불량을 더 많이 잡지만 양품에도 알람이 더 울립니다. 수치는 검증에 쓴 {n}개 행(불량 {defects}개)을 부품 1,000개당으로 환산한 값이며, 각 행은 그 행을 보지 않은 모델로 판정했습니다.",
        "en": "A lower threshold catches more defects and raises more false alarms. Counts are from the {n} evaluated rows ({defects} defects), per 1,000 parts; every row was scored by a model that never saw it.",
    },
    "web_data.threshold.threshold": {"ko": "불량 확률 기준", "en": "Probability threshold"},
    "web_data.threshold.caught.day": {"ko": "잡는 불량 (하루)", "en": "Defects caught per day"},
    "web_data.threshold.missed.day": {"ko": "놓치는 불량 (하루)", "en": "Defects missed per day"},
    "web_data.threshold.false_alarms.day": {
        "ko": "잘못된 알람 (하루)",
        "en": "False alarms per day",
    },
    "web_data.threshold.caught.thousand": {
        "ko": "잡는 불량 (1,000개당)",
        "en": "Defects caught per 1,000",
    },
    "web_data.threshold.missed.thousand": {
        "ko": "놓치는 불량 (1,000개당)",
        "en": "Defects missed per 1,000",
    },
    "web_data.threshold.false_alarms.thousand": {
        "ko": "잘못된 알람 (1,000개당)",
        "en": "False alarms per 1,000",
    },
    "web_data.threshold.recall": {"ko": "불량 중 잡는 비율", "en": "Share of defects caught"},
    "web_data.threshold.now": {
        "ko": "지금 기준: 불량 확률 {value} % 이상이면 불량으로 판정합니다.",
        "en": "Now: a part is flagged at a defect probability of {value} % or more.",
    },
    "web_data.threshold.chosen_by_person": {
        "ko": "(사용자가 고른 기준)",
        "en": "(chosen by a person)",
    },
    "web_data.threshold.save": {"ko": "이 기준으로 판정", "en": "Use this threshold"},
    "web_data.words.alarms_per_day": {
        "ko": "정상 운전 중에도 설비 1대에서 하루 약 {n}번 잘못된 알람이 울립니다",
        "en": "In normal operation it raises about {n} false alarms a day on one machine",
    },
    "web_data.result.more_in_report": {
        "ko": "비교한 방법과 세부 설정은 분석 보고서에 있습니다.",
        "en": "The methods compared and their settings are in the analysis report.",
    },
    "web_data.explain.bias": {"ko": "기본값 (평균 위험)", "en": "Baseline (average risk)"},
    "web_data.score.col.time": {"ko": "시간", "en": "Time"},
    "web_data.score.col.predicted_before": {"ko": "현재 조건 예측", "en": "Predicted now"},
    "web_data.score.col.predicted_after": {
        "ko": "추천 조건 예측",
        "en": "Predicted with the advice",
    },
    "web_data.score.col.improvement": {"ko": "예상 개선", "en": "Expected improvement"},
    "web_data.score.col.changed": {"ko": "바꿀 조건", "en": "Settings to change"},
    "web_data.score.col.distance": {
        "ko": "학습 데이터와의 거리",
        "en": "Distance from the training data",
    },
    "web_data.score.col.current": {"ko": "{name} (현재)", "en": "{name} (now)"},
    "web_data.score.col.change": {"ko": "{name} (변경량)", "en": "{name} (change)"},
    "web_data.wizard.dataset": {
        "ko": "또는 데이터셋 (기록 표)에서 학습",
        "en": "Or learn from a dataset (table of records)",
    },
    "web_data.wizard.dataset_help": {
        "ko": "샷·부품·로트별 기록 표를 가져왔다면 그 표로 학습할 수 있습니다.",
        "en": "A table of records (per shot, part or lot) you imported can be learnt from.",
    },
    "web_data.wizard.rows": {"ko": "{n}행", "en": "{n} rows"},
    "err.web_data.no_dataset": {
        "ko": "데이터셋 '{name}'이(가) 없습니다.",
        "en": "There is no dataset '{name}'.",
    },
    "err.web_data.dataset_training_unavailable": {
        "ko": "이 버전에서는 데이터셋으로 학습할 수 없습니다.",
        "en": "Training on a dataset is not available in this version.",
    },
    "err.web_data.dataset_training_unavailable.hint": {
        "ko": "설비와 기간을 골라 학습하세요.",
        "en": "Choose the equipment and a period instead.",
    },
    "err.web_data.train_needs_data": {
        "ko": "학습할 설비나 데이터셋을 고르세요.",
        "en": "Choose the equipment or the dataset to learn from.",
    },
    "web_data.job.recipe_read": {
        "ko": "기간의 데이터로 조건 추천 계산 중",
        "en": "Working out advice over the period",
    },
    "web_data.job.recipe_summarise": {
        "ko": "조건별 추천 범위 정리 중",
        "en": "Summarising a window per setting",
    },
    "err.web_data.recipe_not_optimise": {
        "ko": "조건 추천은 '최적 조건' 모델만 할 수 있습니다.",
        "en": "Only a 'best settings' model recommends settings.",
    },
    "err.web_data.no_recipe": {
        "ko": "추천 결과 #{id}이(가) 없습니다.",
        "en": "There is no recommendation #{id}.",
    },
    "web_data.recipe.title": {"ko": "추천 조건 (레시피)", "en": "Recommended settings (recipe)"},
    "web_data.recipe.ask": {
        "ko": "어느 기간의 생산 조건을 기준으로 추천할지 고르세요. 계산은 작업으로 진행되며 진행률을 볼 수 있습니다.",
        "en": "Choose the period of production to base the advice on. It runs as a job with progress.",
    },
    "web_data.recipe.run": {"ko": "추천 조건 계산", "en": "Recommend settings"},
    "web_data.recipe.based_on": {
        "ko": "{n}개 행의 행별 추천을 조건마다 하나의 범위로 정리했습니다.",
        "en": "The advice for {n} rows, summarised as one window per setting.",
    },
    "web_data.recipe.setting": {"ko": "조건", "en": "Setting"},
    "web_data.recipe.window": {"ko": "추천 범위", "en": "Recommended window"},
    "web_data.recipe.now": {"ko": "지금 (중앙값)", "en": "Now (median)"},
    "web_data.recipe.effect": {"ko": "예상 개선", "en": "Predicted improvement"},
    "web_data.recipe.spread": {"ko": "불확실성 (가운데 50 %)", "en": "Uncertainty (middle 50 %)"},
    "web_data.recipe.rows": {"ko": "해당 행", "en": "Rows"},
    "web_data.recipe.help": {
        "ko": "추천 범위는 이 조건을 바꾸라고 한 행들의 추천값 가운데 50 %입니다. 예상 개선은 모델의 예측이며 측정값이 아닙니다 (불량 모델은 불량률 %p). 여러 조건을 함께 바꾼 행이 많으면 조건별 효과가 섞여 있습니다. 작은 범위에서 시험 생산으로 확인하세요.",
        "en": "A window is the middle half of the values advised for the setting, over the rows whose advice changes it. The improvement is the model's prediction, not a measurement (percentage points of the defect rate for a defect model); where rows change several settings at once their effects are mixed. Confirm with a short trial run.",
    },
    "web_data.recipe.none": {
        "ko": "이 기간에는 바꾸라고 추천한 조건이 없습니다. 지금 조건이 이미 모델이 보기에 좋은 범위입니다.",
        "en": "No setting was advised to change over this period: the current settings already look good to the model.",
    },
    "web_data.score.truth.regress": {
        "ko": "파일의 실제값과 비교: {n}개 행에서 예측은 평균 ±{mae}만큼 차이 났습니다",
        "en": "Against the file's actual values: over {n} rows the predictions were off by ±{mae} on average",
    },
    "web_data.wizard.independent": {
        "ko": "행은 서로 독립적인 부품·샷입니다 (시간 순서와 무관)",
        "en": "The rows are independent parts or shots (time order does not matter)",
    },
    "web_data.wizard.independent_help": {
        "ko": "체크하면 시간 순서 대신 행을 섞어(묶음 열이 있으면 묶음별로) 검증합니다. 설비 상태가 시간에 따라 변하면 체크하지 마세요.",
        "en": "When ticked, rows are shuffled (by group when a group column is set) for testing instead of split in time order. Leave it unticked when the machine's state drifts over time.",
    },
}
