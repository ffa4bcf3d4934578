"""A tiny message catalogue: Korean first, English beside it.

The CLI (and later the web UI) looks up labels here so that every user-facing word exists in both
languages. Keys are English identifiers; missing keys fall back to the key itself.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "error": {"ko": "오류", "en": "Error"},
    "hint": {"ko": "해결 방법", "en": "How to fix"},
    "import_report": {"ko": "가져오기 결과", "en": "Import report"},
    "rows_read": {"ko": "읽은 행", "en": "Rows read"},
    "rows_stored": {"ko": "저장된 행", "en": "Rows stored"},
    "rows_quarantined": {"ko": "격리된 행", "en": "Rows quarantined"},
    "points_inserted": {"ko": "새 데이터 포인트", "en": "New points"},
    "points_updated": {"ko": "변경된 포인트", "en": "Updated points"},
    "points_unchanged": {"ko": "이미 있던 포인트", "en": "Points already stored"},
    "labels_written": {"ko": "저장된 라벨", "en": "Labels stored"},
    "equipment": {"ko": "설비", "en": "Equipment"},
    "layout": {"ko": "형식", "en": "Layout"},
    "encoding": {"ko": "인코딩", "en": "Encoding"},
    "time_range": {"ko": "기간", "en": "Time range"},
    "created": {"ko": "새로 만든 항목", "en": "Created"},
    "reasons": {"ko": "격리 사유", "en": "Quarantine reasons"},
    "skipped": {
        "ko": "이미 가져온 파일입니다 (가져오기 #{id}). 새로 추가된 데이터가 없습니다.",
        "en": "This file was already imported (import #{id}); nothing new was added.",
    },
    "importing": {"ko": "가져오는 중", "en": "Importing"},
    "asset_tree": {"ko": "설비 구성", "en": "Asset model"},
    "signals": {"ko": "신호", "en": "Signals"},
    "points": {"ko": "포인트", "en": "Points"},
    "labels": {"ko": "라벨", "en": "Labels"},
    "demo_title": {"ko": "OpenKAMP 데모 공장", "en": "OpenKAMP demo factory"},
    "demo_done": {
        "ko": "데모 완료: {files}개 파일, {points:,}개 포인트 저장, {quarantined:,}개 행 격리",
        "en": "Demo done: {files} files, {points:,} points stored, {quarantined:,} rows quarantined",
    },
    "first": {"ko": "처음", "en": "First"},
    "last": {"ko": "마지막", "en": "Last"},
    "count": {"ko": "개수", "en": "Count"},
    "signal": {"ko": "신호", "en": "Signal"},
    "unit": {"ko": "단위", "en": "Unit"},
    "latest": {"ko": "최근 값", "en": "Latest value"},
    "deleted": {"ko": "삭제됨", "en": "Deleted"},
    "exported": {"ko": "내보냄", "en": "Exported"},
    # Quarantine reason categories (the part of a reason before its colon).
    "reason.value": {"ko": "숫자가 아닌 값", "en": "not a number"},
    "reason.timestamp": {"ko": "읽을 수 없는 시간", "en": "unreadable time"},
    "reason.fields": {"ko": "열 개수 불일치", "en": "wrong number of fields"},
    "reason.bytes": {"ko": "인코딩 오류", "en": "undecodable bytes"},
    "reason.empty": {"ko": "값 없는 행", "en": "row without values"},
    "reason.duplicate": {"ko": "중복된 시간", "en": "repeated time"},
    "reason.text": {"ko": "텍스트 오류", "en": "broken text"},
    "reason.signal": {"ko": "알 수 없는 신호", "en": "unknown signal"},
    # Data quality (openkamp.quality): the five indices, problems found and what to do.
    "quality.title": {"ko": "데이터 품질", "en": "Data quality"},
    "quality.overall": {"ko": "종합 품질 지수", "en": "Overall quality index"},
    "quality.index": {"ko": "품질 지수", "en": "Quality index"},
    "quality.index.completeness": {"ko": "완전성", "en": "Completeness"},
    "quality.index.uniqueness": {"ko": "유일성", "en": "Uniqueness"},
    "quality.index.validity": {"ko": "유효성", "en": "Validity"},
    "quality.index.consistency": {"ko": "일관성", "en": "Consistency"},
    "quality.index.accuracy": {"ko": "정확성", "en": "Accuracy"},
    "quality.findings": {"ko": "발견된 문제", "en": "Findings"},
    "quality.no_findings": {"ko": "발견된 문제가 없습니다.", "en": "No problems found."},
    "quality.column": {"ko": "열", "en": "Column"},
    "quality.problem": {"ko": "문제", "en": "Problem"},
    "quality.count": {"ko": "건수", "en": "Count"},
    "quality.examples": {"ko": "예시 행", "en": "Example rows"},
    "quality.advice": {"ko": "조치", "en": "What to do"},
    "quality.finding": {
        "ko": "{column}: {problem} {count:,}건 — {advice}",
        "en": "{column}: {problem}, {count:,} — {advice}",
    },
    "quality.problem.missing": {"ko": "빈 값", "en": "missing values"},
    "quality.problem.missing_steps": {"ko": "빠진 측정 시점", "en": "missing time steps"},
    "quality.problem.duplicate_records": {"ko": "중복된 행", "en": "duplicate rows"},
    "quality.problem.duplicate_timestamps": {
        "ko": "같은 시간에 다른 값",
        "en": "same time, different values",
    },
    "quality.problem.bad_time": {"ko": "읽을 수 없는 시간", "en": "unreadable time"},
    "quality.problem.not_a_number": {"ko": "숫자 열의 문자", "en": "text in a numeric column"},
    "quality.problem.infinite": {"ko": "무한대 값", "en": "infinite values"},
    "quality.problem.below_min": {"ko": "허용 최솟값 미만", "en": "below the allowed minimum"},
    "quality.problem.above_max": {"ko": "허용 최댓값 초과", "en": "above the allowed maximum"},
    "quality.problem.not_integer": {"ko": "정수가 아닌 값", "en": "not a whole number"},
    "quality.problem.unknown_category": {"ko": "정의되지 않은 범주", "en": "undeclared category"},
    "quality.problem.out_of_order": {"ko": "시간 순서 역전", "en": "time out of order"},
    "quality.problem.stuck": {"ko": "값 고착 (센서 멈춤)", "en": "stuck value (frozen sensor)"},
    "quality.problem.jump": {"ko": "불가능한 급변", "en": "impossible jump"},
    "quality.problem.outlier": {"ko": "이상치 (튀는 값)", "en": "outliers (spikes)"},
    "quality.advice.missing": {
        "ko": "수집 장치와 통신 상태를 확인하세요. 원래 비어 있는 라벨 열이면 sparse로 선언하세요.",
        "en": "Check the logger and its connection; declare label columns that are empty by design as sparse.",
    },
    "quality.advice.missing_steps": {
        "ko": "해당 시간대에 수집이 멈췄습니다. 설비 정지였는지 수집 장애였는지 확인하세요.",
        "en": "Logging stopped in these periods: check whether the machine was off or the logger failed.",
    },
    "quality.advice.duplicate_records": {
        "ko": "같은 파일을 두 번 가져왔거나 수집 장치가 재전송했습니다. 중복 행을 지우세요.",
        "en": "A file was imported twice or the logger re-sent data: remove the repeated rows.",
    },
    "quality.advice.duplicate_timestamps": {
        "ko": "한 시점에 서로 다른 값이 있습니다. 시계 설정(시간대, 서머타임)과 장비 구분을 확인하세요.",
        "en": "One time has different readings: check clocks (time zone, daylight saving) and whether two machines were mixed.",
    },
    "quality.advice.bad_time": {
        "ko": "시간 형식을 확인하세요 (예: 2026-03-02 08:00:00).",
        "en": "Check the time format (e.g. 2026-03-02 08:00:00).",
    },
    "quality.advice.not_a_number": {
        "ko": "숫자 열에 오류 코드나 문자(ERR, -, #N/A)가 있습니다. 빈 값으로 바꾸세요.",
        "en": "A numeric column holds error codes or text (ERR, -, #N/A): replace them with empty cells.",
    },
    "quality.advice.infinite": {
        "ko": "계산 오류(0으로 나누기)가 의심됩니다. 원본 값을 확인하세요.",
        "en": "Probably a calculation error (division by zero): check the source values.",
    },
    "quality.advice.below_min": {
        "ko": "센서 범위, 단위, 교정 상태를 확인하세요.",
        "en": "Check the sensor's range, unit and calibration.",
    },
    "quality.advice.above_max": {
        "ko": "센서 범위, 단위, 교정 상태를 확인하세요.",
        "en": "Check the sensor's range, unit and calibration.",
    },
    "quality.advice.not_integer": {
        "ko": "정수여야 하는 값(개수, 상태 코드)에 소수가 있습니다. 신호 정의를 확인하세요.",
        "en": "Counts or state codes hold fractions: check the signal's definition.",
    },
    "quality.advice.unknown_category": {
        "ko": "정의된 범주에 없는 값입니다. 오타인지, 범주를 추가해야 하는지 확인하세요.",
        "en": "A value outside the declared categories: fix the typo or declare the category.",
    },
    "quality.advice.out_of_order": {
        "ko": "시간이 뒤로 갑니다. 장비 시계와 파일 병합 순서를 확인하세요.",
        "en": "Time goes backwards: check the machine clock and the order in which files were merged.",
    },
    "quality.advice.stuck": {
        "ko": "값이 오래 변하지 않습니다. 센서 고장이나 통신 끊김(마지막 값 유지)을 점검하세요.",
        "en": "The value did not change for long: inspect the sensor, or a link that repeats its last value.",
    },
    "quality.advice.jump": {
        "ko": "물리적으로 불가능한 변화입니다. 센서 배선과 노이즈를 점검하세요.",
        "en": "A physically impossible change: check the sensor wiring and noise.",
    },
    "quality.advice.outlier": {
        "ko": "주변 값과 크게 다릅니다. 실제 공정 사건인지 측정 오류인지 확인하세요.",
        "en": "Far from neighbouring readings: check whether it was a real process event or a measurement error.",
    },
    # ML tasks, metrics, charts, limits and the analysis report (openkamp.ml).
    "ml.task.anomaly": {
        "ko": "이상 탐지: 평소와 다른 설비 상태를 찾아 알람",
        "en": "Anomaly detection: find and alarm on equipment states unlike normal operation",
    },
    "ml.task.classify": {
        "ko": "분류: 제품이나 상태의 범주(예: 양품/불량)를 예측",
        "en": "Classification: predict a category such as pass / fail",
    },
    "ml.task.regress": {
        "ko": "회귀: 품질 값이나 공정 값 같은 숫자를 예측",
        "en": "Regression: predict a number such as a quality or process value",
    },
    "ml.task.rul": {
        "ko": "잔여 수명 예측: 고장이나 교체까지 남은 시간을 예측",
        "en": "Remaining useful life: predict the time left until failure or replacement",
    },
    "ml.task.forecast": {
        "ko": "시계열 예측: 다음 시간·일의 값을 예측",
        "en": "Forecast: predict the next hours or days of a series",
    },
    "ml.task.optimise": {
        "ko": "공정 최적화: 목표를 개선하는 공정 조건을 제안",
        "en": "Process optimisation: suggest settings that improve a target",
    },
    "ml.task.vision": {
        "ko": "비전 검사: 이미지로 불량을 판정",
        "en": "Visual inspection: judge defects from images",
    },
    "ml.metric.pr_auc": {"ko": "PR-AUC (불량 순위 정확도)", "en": "PR-AUC (ranking of positives)"},
    "ml.metric.roc_auc": {"ko": "ROC-AUC", "en": "ROC-AUC"},
    "ml.metric.f1": {"ko": "F1 점수", "en": "F1 score"},
    "ml.metric.precision": {
        "ko": "정밀도 (알람 중 실제 비율)",
        "en": "Precision (share of alarms that were real)",
    },
    "ml.metric.recall": {
        "ko": "재현율 (실제 중 찾아낸 비율)",
        "en": "Recall (share of real cases found)",
    },
    "ml.metric.accuracy": {"ko": "정확도", "en": "Accuracy"},
    "ml.metric.far": {"ko": "오경보율 (정상인데 알람)", "en": "False-alarm rate"},
    "ml.metric.mar": {"ko": "미탐지율", "en": "Missed-alarm rate"},
    "ml.metric.validation_readings": {"ko": "검증 측정 수", "en": "Validation readings"},
    "ml.metric.rows": {"ko": "검증 행 수", "en": "Validation rows"},
    "ml.metric.positives": {"ko": "양성(불량) 수", "en": "Positives"},
    "ml.metric.threshold": {"ko": "판정 임계값", "en": "Decision threshold"},
    "ml.metric.expected_cost": {"ko": "행당 예상 비용", "en": "Expected cost per row"},
    "ml.metric.rmse": {"ko": "RMSE (평균 제곱근 오차)", "en": "RMSE (root mean squared error)"},
    "ml.metric.rmse_all_cycles": {"ko": "전체 주기 RMSE", "en": "RMSE over all cycles"},
    "ml.metric.units": {"ko": "검증 대상 수", "en": "Units validated"},
    "ml.metric.mae": {"ko": "MAE (평균 절대 오차)", "en": "MAE (mean absolute error)"},
    "ml.metric.r2": {"ko": "R² (설명력)", "en": "R² (variance explained)"},
    "ml.metric.mape": {"ko": "MAPE (평균 백분율 오차)", "en": "MAPE (mean absolute % error)"},
    "ml.metric.interval_90": {"ko": "90 % 예측 구간 폭(±)", "en": "90 % prediction interval (±)"},
    "ml.metric.mase": {"ko": "MASE (단순 예측 대비 오차)", "en": "MASE (error relative to naive)"},
    "ml.metric.wape": {"ko": "WAPE (가중 백분율 오차)", "en": "WAPE (weighted % error)"},
    "ml.metric.smape": {"ko": "sMAPE (대칭 백분율 오차)", "en": "sMAPE (symmetric % error)"},
    "ml.metric.coverage": {"ko": "구간 포함률", "en": "Interval coverage"},
    "ml.metric.horizon": {"ko": "예측 기간(스텝)", "en": "Horizon (steps)"},
    "ml.metric.improvement": {"ko": "목표 개선량", "en": "Improvement of the target"},
    "ml.plot.validation_scores": {
        "ko": "검증 구간의 이상 점수",
        "en": "Anomaly scores on validation data",
    },
    "ml.plot.threshold": {"ko": "임계값", "en": "Threshold"},
    "ml.plot.confusion": {
        "ko": "혼동 행렬 (행: 실제, 열: 예측)",
        "en": "Confusion matrix (rows: true, columns: predicted)",
    },
    "ml.plot.importance": {"ko": "변수 중요도", "en": "Feature importance"},
    "ml.plot.calibration": {
        "ko": "확률 보정 (예측 확률 대 실제 비율)",
        "en": "Calibration (predicted probability vs observed share)",
    },
    "ml.plot.proba_by_class": {
        "ko": "실제 범주별 예측 확률",
        "en": "Predicted probability by true class",
    },
    "ml.plot.rul_pred_vs_true": {
        "ko": "예측 잔여 수명 대 실제",
        "en": "Predicted vs true remaining life",
    },
    "ml.plot.pred_vs_actual": {"ko": "예측값 대 실제값", "en": "Predicted vs actual"},
    "ml.plot.residuals": {"ko": "오차(잔차) 분포", "en": "Distribution of errors (residuals)"},
    "ml.plot.forecast_backtest": {"ko": "마지막 백테스트 예측", "en": "Last backtest forecast"},
    "ml.plot.error_by_step": {"ko": "예측 스텝별 오차", "en": "Error by forecast step"},
    "ml.limit.normal_only": {
        "ko": "정상 데이터만으로 학습했습니다. 실제 고장 사례로 검증되지 않았으므로 알람의 의미는 현장에서 확인해야 합니다.",
        "en": "Trained on normal data only: no real fault confirmed the alarms, so their meaning must be checked on the shop floor.",
    },
    "ml.limit.few_labels": {
        "ko": "라벨이 있는 이상 사례가 적어 성능 수치의 불확실성이 큽니다.",
        "en": "Few labelled anomalies: the figures are uncertain.",
    },
    "ml.limit.oof_optimistic": {
        "ko": "교차 검증 수치는 같은 기간의 데이터에서 나왔으므로, 새 기간에서는 다소 낮을 수 있습니다.",
        "en": "Cross-validated figures come from the same period as the training data; on a new period they may be somewhat lower.",
    },
    "ml.limit.same_process": {
        "ko": "학습한 설비·제품·공정 조건에서만 유효합니다. 조건이 바뀌면 다시 학습하세요.",
        "en": "Valid only for the machines, products and process conditions it was trained on; retrain when they change.",
    },
    "ml.limit.rul_cap": {
        "ko": "잔여 수명은 상한값에서 잘립니다. 상한보다 먼 수명은 구분하지 못합니다.",
        "en": "Remaining life is capped: lives beyond the cap are not told apart.",
    },
    "ml.limit.interval_marginal": {
        "ko": "예측 구간은 평균적인 포함률입니다. 개별 조건에서는 더 넓거나 좁을 수 있습니다.",
        "en": "The prediction interval holds on average, not for every operating condition.",
    },
    "ml.limit.forecast_pattern_change": {
        "ko": "과거 패턴이 유지된다고 가정합니다. 생산 계획이나 조건이 바뀌면 예측이 틀릴 수 있습니다.",
        "en": "Assumes past patterns continue; a change of plan or conditions can make forecasts wrong.",
    },
    "ml.limit.forecast_interval_average": {
        "ko": "예측 구간은 백테스트 오차의 평균적인 크기입니다.",
        "en": "Intervals reflect the average size of backtest errors.",
    },
    "ml.limit.forecast_exog_known": {
        "ko": "외부 입력값(계획 등)을 예측 시점에 미리 알아야 합니다.",
        "en": "External inputs (plans and the like) must be known in advance for the forecast period.",
    },
    "ml.limit.forecast_baseline_chosen": {
        "ko": "학습 모델이 단순 예측 규칙보다 낫지 않아 단순 규칙이 선택되었습니다.",
        "en": "No learner beat the simple rules, so a simple rule was chosen.",
    },
    "ml.dropped.leak": {
        "ko": "정답을 미리 알려주는 열(누수)이라 제외",
        "en": "leaks the answer (known only after the fact)",
    },
    "ml.dropped.time_or_text": {
        "ko": "시간이나 자유 텍스트 열이라 제외",
        "en": "time or free-text column",
    },
    "ml.unit.rows": {"ko": "행", "en": "rows"},
    "ml.unit.readings": {"ko": "측정", "en": "readings"},
    "ml.unit.steps": {"ko": "스텝", "en": "steps"},
    "ml.unit.units": {"ko": "대상", "en": "units"},
    "ml.report.title": {"ko": "AI 모델 분석 보고서", "en": "AI model analysis report"},
    "ml.report.contents": {"ko": "목차", "en": "Contents"},
    "ml.report.problem": {"ko": "1. 문제 정의", "en": "1. Problem"},
    "ml.report.data": {"ko": "2. 데이터", "en": "2. Data"},
    "ml.report.method": {"ko": "3. 분석 방법", "en": "3. Method"},
    "ml.report.protocol": {"ko": "4. 검증 방법", "en": "4. Evaluation protocol"},
    "ml.report.results": {"ko": "5. 결과", "en": "5. Results"},
    "ml.report.explanation": {"ko": "6. 설명", "en": "6. Explanation"},
    "ml.report.limits": {"ko": "7. 한계", "en": "7. Limits"},
    "ml.report.provenance": {"ko": "출처 및 재현 정보", "en": "Provenance"},
    "ml.report.task": {"ko": "과제", "en": "Task"},
    "ml.report.target": {"ko": "예측 대상", "en": "Target"},
    "ml.report.no_target": {"ko": "별도 예측 대상 없음", "en": "no separate target"},
    "ml.report.model": {"ko": "모델", "en": "Model"},
    "ml.report.version": {"ko": "버전", "en": "Version"},
    "ml.report.rows": {"ko": "학습 데이터 크기", "en": "Training data"},
    "ml.report.features": {"ko": "입력 변수", "en": "Inputs"},
    "ml.report.dropped": {"ko": "제외한 열", "en": "Columns left out"},
    "ml.report.column": {"ko": "열", "en": "Column"},
    "ml.report.reason": {"ko": "이유", "en": "Reason"},
    "ml.report.chosen": {"ko": "선택된 모델", "en": "Chosen candidate"},
    "ml.report.parameter": {"ko": "설정", "en": "Setting"},
    "ml.report.value": {"ko": "값", "en": "Value"},
    "ml.report.leaderboard": {
        "ko": "비교한 후보 (좋은 순)",
        "en": "Candidates compared (best first)",
    },
    "ml.report.fit_seconds": {"ko": "학습 시간", "en": "Training time"},
    "ml.report.seconds": {"ko": "{s:.1f}초", "en": "{s:.1f} s"},
    "ml.report.validation_only": {
        "ko": "임계값과 하이퍼파라미터는 검증 데이터에서만 정했습니다. 아래의 모든 수치는 학습에 쓰지 않은 데이터(검증 데이터)에서 계산했습니다.",
        "en": "Thresholds and hyper-parameters were chosen on validation data only. Every figure below was computed on data the model was not fitted on.",
    },
    "ml.report.metric": {"ko": "지표", "en": "Metric"},
    "ml.report.interval": {"ko": "95 % 신뢰구간", "en": "95 % interval"},
    "ml.report.metric_line": {
        "ko": "{name}: {value} (95 % 신뢰구간 {low} ~ {high})",
        "en": "{name}: {value} (95 % interval {low} to {high})",
    },
    "ml.report.importance_note": {
        "ko": "모델 전체에서 각 입력 변수가 예측에 기여한 정도입니다 (큰 순).",
        "en": "How much each input contributes to the predictions over all rows (largest first).",
    },
    "ml.report.no_importance": {
        "ko": "이 모델은 변수 중요도를 제공하지 않습니다.",
        "en": "This model does not report feature importance.",
    },
    "ml.report.no_limits": {"ko": "기록된 한계가 없습니다.", "en": "No limits recorded."},
    "ml.report.none": {"ko": "없음", "en": "none"},
    "ml.report.empty_plot": {"ko": "표시할 데이터가 없습니다", "en": "no data to show"},
    "ml.report.libraries": {"ko": "라이브러리 버전", "en": "Library versions"},
    "ml.report.code_version": {"ko": "코드 버전", "en": "Code version"},
    "ml.report.dataset": {"ko": "데이터셋", "en": "Dataset"},
    "ml.report.schema_hash": {"ko": "스키마 해시", "en": "Schema hash"},
    "ml.report.created": {"ko": "생성 시각", "en": "Created"},
    "ml.report.generated": {
        "ko": "OpenKAMP가 모델 카드에서 자동 생성한 보고서입니다.",
        "en": "Generated by OpenKAMP from the model card.",
    },
    "ml.metric.predicted_before": {
        "ko": "현재 설정의 예측값",
        "en": "Predicted at current settings",
    },
    "ml.metric.predicted_after": {
        "ko": "추천 설정의 예측값",
        "en": "Predicted at recommended settings",
    },
    "ml.metric.predicted_improvement": {"ko": "예측 개선량", "en": "Predicted improvement"},
    "ml.metric.changed_share": {
        "ko": "설정을 바꾼 비율",
        "en": "Share of rows with a changed setting",
    },
    "ml.plot.before_after": {
        "ko": "추천 전후 예측값",
        "en": "Predicted before vs after the recommendation",
    },
    "ml.plot.controls_changed": {
        "ko": "설정별 변경 비율",
        "en": "How often each setting is changed",
    },
    "ml.limit.surrogate_not_causal": {
        "ko": "추천은 기록된 데이터의 상관관계를 학습한 모델에서 나왔으며, 인과관계가 확인된 것은 아닙니다. 공정 시험으로 확인하세요.",
        "en": "Recommendations come from a model of correlations in logged data, not of cause and effect: confirm them with a trial on the process.",
    },
    "ml.limit.support_only": {
        "ko": "학습 데이터에서 운전해 본 범위 안에서만 추천합니다.",
        "en": "Only settings within the range the process has run in are recommended.",
    },
    "ml.limit.state_fixed": {
        "ko": "재료·마모·환경 같은 상태 값은 그대로라고 가정합니다.",
        "en": "The process state (material, wear, ambient) is assumed to stay as it is.",
    },
    "ml.limit.predicted_improvement": {
        "ko": "개선량은 모델의 예측이며 실제로 측정된 값이 아닙니다.",
        "en": "The improvement is predicted by the model, not measured.",
    },
    "ml.cli.training": {"ko": "모델 학습 중…", "en": "Training the model…"},
    "ml.cli.protocol": {"ko": "검증 방법", "en": "Evaluation protocol"},
    "ml.cli.report_written": {"ko": "분석 보고서 저장", "en": "Analysis report written"},
    "ml.report.predicted": {"ko": "예측", "en": "predicted"},
    "ml.report.actual": {"ko": "실제", "en": "true"},
    "ml.report.extra": {"ko": "추가 정보", "en": "Further details"},
}


def t(key: str, lang: str = "ko", **kwargs: object) -> str:
    entry = MESSAGES.get(key)
    # Unknown keys show themselves, without a namespace ("reason.x" -> "x").
    text = key.split(".", 1)[-1] if entry is None else entry.get(lang) or entry["en"]
    return text.format(**kwargs) if kwargs else text
