"""A tiny message catalogue: Korean first, English beside it.

The CLI, the web UI and the reports look up labels here so that every user-facing word exists in
both languages. Keys are English identifiers; missing keys fall back to the key itself. Areas keep
their texts in catalogue modules of this package (``ingest``, ``ml``, ``web_extra`` …), each a
``MESSAGES`` dict merged below, so that texts are reviewed with the code that shows them.
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
    "demo_already": {
        "ko": "데모 공장이 이미 준비되어 있습니다 (다시 불러오지 않음).",
        "en": "The demo factory is already loaded (not loaded again).",
    },
    "first_login": {
        "ko": "첫 로그인 (이 비밀번호는 한 번만 표시됩니다)",
        "en": "First login (this password is shown only once)",
    },
    "stop_server": {"ko": "종료: Ctrl+C", "en": "Stop: Ctrl+C"},
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


# The web UI (openkamp.web): every word a page shows. Kept in one block so that the UI's texts
# are reviewed together; a test checks every ``web.`` key has both languages.
MESSAGES.update(
    {
        "web.app": {"ko": "오픈 제조 AI 플랫폼", "en": "Open AI manufacturing platform"},
        "web.skip": {"ko": "본문으로 건너뛰기", "en": "Skip to content"},
        "web.footer": {
            "ko": "이 화면은 외부 자원 없이 동작합니다 (폐쇄망 지원)",
            "en": "This interface loads nothing from outside (works on air-gapped networks)",
        },
        "web.org": {"ko": "조직", "en": "Organisation"},
        "web.user": {"ko": "사용자", "en": "User"},
        "web.logout": {"ko": "로그아웃", "en": "Sign out"},
        "web.nav.label": {"ko": "주 메뉴", "en": "Main menu"},
        "web.nav.overview": {"ko": "공장 현황", "en": "Overview"},
        "web.nav.import": {"ko": "데이터 가져오기", "en": "Import"},
        "web.nav.signals": {"ko": "신호 탐색", "en": "Signals"},
        "web.nav.models": {"ko": "AI 모델", "en": "Models"},
        "web.nav.settings": {"ko": "설정", "en": "Settings"},
        "web.error.title": {"ko": "요청을 처리할 수 없습니다", "en": "This could not be done"},
        "web.error.home": {"ko": "공장 현황으로", "en": "Back to the overview"},
        # sign-in and first-run set-up
        "web.login.title": {"ko": "로그인", "en": "Sign in"},
        "web.login.login": {"ko": "아이디", "en": "Login"},
        "web.login.password": {"ko": "비밀번호", "en": "Password"},
        "web.login.submit": {"ko": "로그인", "en": "Sign in"},
        "web.login.failed": {
            "ko": "아이디 또는 비밀번호가 틀렸습니다.",
            "en": "The login or password is wrong.",
        },
        "web.login.locked": {
            "ko": "로그인 실패가 많아 잠시 잠겼습니다. 잠시 후 다시 시도하세요.",
            "en": "Too many failed sign-ins: wait a few minutes and try again.",
        },
        "web.setup.title": {"ko": "처음 설정", "en": "First-run set-up"},
        "web.setup.intro": {
            "ko": "이 플랫폼의 첫 관리자 계정을 만듭니다. 이 계정으로 다른 사용자를 추가할 수 있습니다.",
            "en": "Create the platform's first administrator. This account can add the other users.",
        },
        "web.setup.display_name": {"ko": "표시 이름", "en": "Display name"},
        "web.setup.password2": {"ko": "비밀번호 확인", "en": "Repeat the password"},
        "web.setup.password_rule": {
            "ko": "비밀번호는 10자 이상이며, 흔한 비밀번호나 아이디와 같으면 안 됩니다.",
            "en": "At least 10 characters; not a common password, not the login.",
        },
        "web.setup.submit": {"ko": "관리자 만들기", "en": "Create the administrator"},
        "web.setup.mismatch": {
            "ko": "두 비밀번호가 다릅니다.",
            "en": "The two passwords differ.",
        },
        "web.password.too_short": {
            "ko": "비밀번호가 너무 짧습니다.",
            "en": "The password is too short.",
        },
        "web.password.too_long": {
            "ko": "비밀번호가 너무 깁니다.",
            "en": "The password is too long.",
        },
        "web.password.equals_login": {
            "ko": "비밀번호가 아이디와 같으면 안 됩니다.",
            "en": "The password must not be the login.",
        },
        "web.password.one_character": {
            "ko": "한 글자만 반복한 비밀번호는 쓸 수 없습니다.",
            "en": "A password of one repeated character is not allowed.",
        },
        "web.password.too_common": {
            "ko": "너무 흔한 비밀번호입니다.",
            "en": "This password is too common.",
        },
        "web.password.weak": {"ko": "비밀번호가 약합니다.", "en": "The password is too weak."},
        # overview
        "web.overview.title": {"ko": "공장 현황", "en": "Factory overview"},
        "web.overview.equipment": {"ko": "설비와 최근 값", "en": "Equipment and latest values"},
        "web.overview.no_assets": {
            "ko": "아직 설비가 없습니다. 데이터 파일을 가져오면 설비와 신호가 만들어집니다.",
            "en": "No equipment yet. Importing a data file creates its equipment and signals.",
        },
        "web.overview.no_signals": {"ko": "신호가 없습니다.", "en": "No signals."},
        "web.overview.alerts": {"ko": "알림", "en": "Alerts"},
        "web.overview.no_alerts": {
            "ko": "열린 알림이 없습니다. (실시간 알림 서비스는 아직 준비 중입니다.)",
            "en": "No open alerts. (The live alert service is not there yet.)",
        },
        "web.overview.watching": {
            "ko": "운영 중인 모델 — 모델 화면에서 새 데이터를 판정할 수 있습니다:",
            "en": "Models in production — score new data on their pages:",
        },
        "web.overview.jobs": {"ko": "최근 작업", "en": "Recent jobs"},
        "web.overview.no_jobs": {"ko": "아직 작업이 없습니다.", "en": "No jobs yet."},
        # jobs
        "web.job.page": {"ko": "작업", "en": "Job"},
        "web.job.title": {"ko": "작업", "en": "Job"},
        "web.job.state": {"ko": "상태", "en": "Status"},
        "web.job.progress": {"ko": "진행률", "en": "Progress"},
        "web.job.created": {"ko": "시작 시각", "en": "Started"},
        "web.job.status.queued": {"ko": "대기 중", "en": "Queued"},
        "web.job.status.running": {"ko": "진행 중", "en": "Running"},
        "web.job.status.done": {"ko": "완료", "en": "Done"},
        "web.job.status.failed": {"ko": "실패", "en": "Failed"},
        "web.job.status.cancelled": {"ko": "취소됨", "en": "Cancelled"},
        "web.job.wait_help": {
            "ko": "이 페이지를 닫아도 작업은 계속됩니다. 끝나면 결과로 이동합니다.",
            "en": "The job goes on if you close this page. When it ends you are taken to the result.",
        },
        "web.job.open_result": {"ko": "결과 보기", "en": "Open the result"},
        "web.job.cancel": {"ko": "작업 취소", "en": "Cancel the job"},
        "web.settings.deactivate": {"ko": "비활성화", "en": "Deactivate"},
        "web.settings.reactivate": {"ko": "다시 활성화", "en": "Reactivate"},
        # signal explorer
        "web.signals.title": {"ko": "신호 탐색", "en": "Signal explorer"},
        "web.signals.show": {"ko": "보기", "en": "Show"},
        "web.signals.reset": {"ko": "전체 기간", "en": "Whole range"},
        "web.signals.help": {
            "ko": "드래그: 확대 · Shift+드래그: 이동 · 휠: 확대/축소 · 더블클릭: 전체",
            "en": "Drag: zoom · Shift+drag: pan · Wheel: zoom · Double-click: whole range",
        },
        "web.signals.chart": {
            "ko": "선택한 신호의 시계열 차트",
            "en": "Chart of the chosen signals",
        },
        "web.signals.no_data": {"ko": "표시할 데이터가 없습니다.", "en": "No data to show."},
        "web.signals.loading": {"ko": "불러오는 중…", "en": "Loading…"},
        # import wizard
        "web.import.title": {"ko": "데이터 가져오기", "en": "Import data"},
        "web.import.step.upload": {"ko": "파일 올리기", "en": "Upload"},
        "web.import.step.mapping": {"ko": "열 확인·연결", "en": "Check and map columns"},
        "web.import.step.report": {"ko": "결과", "en": "Report"},
        "web.import.formats": {
            "ko": "CSV (UTF-8·CP949), Excel (.xlsx), Parquet 파일을 가져올 수 있습니다.",
            "en": "CSV (UTF-8 or CP949), Excel (.xlsx) and Parquet files can be imported.",
        },
        "web.import.file": {"ko": "파일", "en": "File"},
        "web.import.upload": {"ko": "올리기", "en": "Upload"},
        "web.import.uploading": {"ko": "올리는 중", "en": "Uploading"},
        "web.import.checking": {"ko": "파일을 살펴보는 중…", "en": "Looking at the file…"},
        "web.import.auto": {"ko": "(자동으로 찾기)", "en": "(find automatically)"},
        "web.import.unknown_equipment": {
            "ko": "찾지 못함 — 설비를 고르세요",
            "en": "not found — choose the equipment",
        },
        "web.import.preview": {"ko": "처음 몇 행", "en": "First rows"},
        "web.import.mapping": {"ko": "열 연결", "en": "Column mapping"},
        "web.import.mapping_help": {
            "ko": "각 열이 어떤 신호나 라벨로 저장될지 확인하세요. 이름을 바꾸면 기존 신호에 연결하거나 새 신호를 만듭니다.",
            "en": "Check which signal or label each column feeds. Change a name to map it to an existing signal or create a new one.",
        },
        "web.import.column": {"ko": "파일의 열", "en": "Column in the file"},
        "web.import.kind": {"ko": "종류", "en": "Kind"},
        "web.import.kind.signal": {"ko": "신호(숫자)", "en": "Signal (number)"},
        "web.import.kind.label": {"ko": "라벨", "en": "Label"},
        "web.import.kind.ignore": {"ko": "가져오지 않음", "en": "Ignore"},
        "web.import.target": {"ko": "저장할 이름", "en": "Stored as"},
        "web.import.examples": {"ko": "예시", "en": "Examples"},
        "web.import.exists": {"ko": "기존", "en": "existing"},
        "web.import.new": {"ko": "새로 만듦", "en": "new"},
        "web.import.timestamp": {"ko": "시간 열", "en": "Time column"},
        "web.import.recheck": {"ko": "다시 확인", "en": "Check again"},
        "web.import.run": {"ko": "가져오기", "en": "Import"},
        "web.import.importing": {"ko": "가져오는 중", "en": "Importing"},
        "web.import.skipped": {
            "ko": "이미 가져온 파일입니다. 새로 추가된 데이터가 없습니다.",
            "en": "This file was already imported; nothing new was added.",
        },
        "web.import.past": {"ko": "지난 가져오기", "en": "Past imports"},
        "web.import.none": {"ko": "아직 가져온 파일이 없습니다.", "en": "Nothing imported yet."},
        "web.import.reason": {"ko": "사유", "en": "Reason"},
        "web.import.row": {"ko": "행", "en": "Row"},
        "web.import.raw": {"ko": "원래 내용", "en": "Original content"},
        "web.import.download_quarantine": {
            "ko": "격리된 행 내려받기 (CSV)",
            "en": "Download the quarantined rows (CSV)",
        },
        "web.import.no_quarantine": {
            "ko": "격리된 행이 없습니다. 모든 행이 저장되었습니다.",
            "en": "No row was quarantined: every row was stored.",
        },
        "web.import.another": {"ko": "다른 파일 가져오기", "en": "Import another file"},
        # models
        "web.models.title": {"ko": "AI 모델", "en": "AI models"},
        "web.models.new": {"ko": "새 모델 만들기", "en": "Make a new model"},
        "web.models.none": {
            "ko": "아직 모델이 없습니다. 해결할 문제를 고르면 모델을 만들어 드립니다.",
            "en": "No model yet. Choose a problem and the platform builds one.",
        },
        "web.models.name": {"ko": "이름", "en": "Name"},
        "web.models.problem": {"ko": "문제", "en": "Problem"},
        "web.models.stage": {"ko": "단계", "en": "Stage"},
        "web.models.headline": {"ko": "주요 성능", "en": "Headline figures"},
        "web.stage.candidate": {"ko": "검토 중", "en": "Candidate"},
        "web.stage.production": {"ko": "운영 중", "en": "In production"},
        "web.stage.archived": {"ko": "보관됨", "en": "Archived"},
        "web.task.classify": {"ko": "불량 예측", "en": "Predict defects"},
        "web.task.anomaly": {"ko": "설비 이상 감지", "en": "Detect abnormal equipment"},
        "web.task.rul": {"ko": "공구 수명", "en": "Tool life"},
        "web.task.regress": {"ko": "품질값 예측", "en": "Predict a quality value"},
        "web.task.forecast": {"ko": "생산량 예측", "en": "Forecast output"},
        "web.task.optimise": {"ko": "최적 조건", "en": "Best settings"},
        "web.problem.classify": {"ko": "불량 예측", "en": "Predict defects"},
        "web.problem.classify.help": {
            "ko": "어떤 제품이 불량이 될지 미리 알려줍니다 (양품/불량 라벨 필요).",
            "en": "Tells in advance which parts will be defective (needs a pass/fail label).",
        },
        "web.problem.anomaly": {"ko": "설비 이상 감지", "en": "Detect abnormal equipment"},
        "web.problem.anomaly.help": {
            "ko": "평소와 다르게 움직이는 설비를 찾아 알람을 냅니다 (라벨 없어도 됨).",
            "en": "Finds equipment behaving unlike normal and raises alarms (no label needed).",
        },
        "web.problem.rul": {"ko": "공구 수명", "en": "How long until the tool fails"},
        "web.problem.rul.help": {
            "ko": "공구나 부품이 고장·교체까지 얼마나 남았는지 예측합니다.",
            "en": "Predicts how long a tool or part has left before failure or replacement.",
        },
        "web.problem.regress": {"ko": "품질값 예측", "en": "Predict a quality value"},
        "web.problem.regress.help": {
            "ko": "두께·강도·무게 같은 품질 수치를 공정 값으로 예측합니다.",
            "en": "Predicts a quality figure (thickness, strength, weight) from process values.",
        },
        "web.problem.forecast": {"ko": "생산량 예측", "en": "Forecast output"},
        "web.problem.forecast.help": {
            "ko": "다음 몇 시간·며칠의 생산량이나 값을 예측합니다.",
            "en": "Forecasts the output or a value for the next hours or days.",
        },
        "web.problem.optimise": {"ko": "최적 조건", "en": "Best settings"},
        "web.problem.optimise.help": {
            "ko": "불량을 줄이는 공정 조건(온도·압력 등)을 제안합니다.",
            "en": "Suggests process settings (temperature, pressure…) that lower defects.",
        },
        "web.wizard.step1": {
            "ko": "1. 어떤 문제를 풀고 싶으세요?",
            "en": "1. What do you want to solve?",
        },
        "web.wizard.step2": {"ko": "2. 데이터 고르기", "en": "2. Choose the data"},
        "web.wizard.choose": {"ko": "선택", "en": "Choose"},
        "web.wizard.from": {"ko": "시작일", "en": "From"},
        "web.wizard.to": {"ko": "종료일 (포함)", "en": "To (included)"},
        "web.wizard.period_help": {
            "ko": "학습에 쓸 기간입니다. 나중 기간은 남겨 두면 새 데이터로 판정해 볼 수 있습니다.",
            "en": "The period to learn from. Keep a later period aside to try the model on new data.",
        },
        "web.wizard.target.classify": {
            "ko": "예측할 판정 (라벨)",
            "en": "The verdict to predict (label)",
        },
        "web.wizard.target.regress": {"ko": "예측할 값", "en": "The value to predict"},
        "web.wizard.target.forecast": {"ko": "예측할 값", "en": "The series to forecast"},
        "web.wizard.target.optimise": {"ko": "개선할 목표", "en": "The target to improve"},
        "web.wizard.target.anomaly": {
            "ko": "알려진 이상 기록 (선택)",
            "en": "Known anomalies (optional)",
        },
        "web.wizard.no_target": {
            "ko": "없음 — 정상 운전만으로 학습",
            "en": "None — learn from normal operation",
        },
        "web.wizard.normal": {
            "ko": "정상을 뜻하는 값 (쉼표로 구분)",
            "en": "Values that mean normal (comma-separated)",
        },
        "web.wizard.normal.example": {"ko": "OK, 정상", "en": "OK, normal"},
        "web.wizard.groups": {
            "ko": "묶음 열 (로트·배치, 선택)",
            "en": "Group column (lot, batch; optional)",
        },
        "web.wizard.none": {"ko": "없음", "en": "None"},
        "web.wizard.groups.auto": {
            "ko": "자동 (로트처럼 이어지는 번호 열이 있으면 그 열, 없으면 묶음 없음)",
            "en": "Automatic (an id column that runs like lots, if there is one; else none)",
        },
        "web.wizard.unit": {"ko": "공구·부품 번호 열", "en": "Column naming each tool or part"},
        "web.wizard.usage": {
            "ko": "사용 중임을 나타내는 신호 (선택)",
            "en": "Signal showing use (optional)",
        },
        "web.wizard.freq": {"ko": "간격", "en": "Step"},
        "web.wizard.hourly": {"ko": "1시간", "en": "Hourly"},
        "web.wizard.daily": {"ko": "1일", "en": "Daily"},
        "web.wizard.agg": {"ko": "집계", "en": "Aggregate"},
        "web.wizard.agg.mean": {"ko": "평균", "en": "Mean"},
        "web.wizard.agg.sum": {"ko": "합계", "en": "Sum"},
        "web.wizard.agg.count": {"ko": "개수", "en": "Count"},
        "web.wizard.horizon": {"ko": "예측할 스텝 수", "en": "Steps ahead"},
        "web.wizard.controls": {
            "ko": "작업자가 바꿀 수 있는 조건",
            "en": "Settings an operator can change",
        },
        "web.wizard.goal": {"ko": "목표", "en": "Goal"},
        "web.wizard.goal.min": {"ko": "줄이기", "en": "Lower"},
        "web.wizard.goal.max": {"ko": "늘리기", "en": "Raise"},
        "web.wizard.name": {"ko": "모델 이름", "en": "Model name"},
        "web.wizard.budget": {"ko": "학습 시간", "en": "Training time"},
        "web.wizard.budget.quick": {"ko": "빠르게 (15초)", "en": "Quick (15 s)"},
        "web.wizard.budget.normal": {"ko": "보통 (1분)", "en": "Normal (1 min)"},
        "web.wizard.budget.thorough": {"ko": "꼼꼼하게 (5분)", "en": "Thorough (5 min)"},
        "web.wizard.train": {"ko": "학습 시작", "en": "Start training"},
        # results
        "web.result.report": {"ko": "분석 보고서 열기", "en": "Open the analysis report"},
        "web.result.deploy": {"ko": "운영에 배포", "en": "Deploy to production"},
        "web.result.in_words": {"ko": "한눈에 보는 성능", "en": "The results in words"},
        "web.result.interval": {"ko": " (95 % 구간 {range})", "en": " (95 % interval {range})"},
        "web.result.protocol": {"ko": "검증 방법", "en": "How it was tested"},
        "web.result.metrics": {"ko": "성능 지표", "en": "Metrics"},
        "web.result.metric": {"ko": "지표", "en": "Metric"},
        "web.result.value": {"ko": "값", "en": "Value"},
        "web.result.ci": {"ko": "95 % 구간", "en": "95 % interval"},
        "web.result.charts": {"ko": "그래프", "en": "Charts"},
        "web.result.leaderboard": {"ko": "비교한 방법", "en": "Methods compared"},
        "web.result.limits": {"ko": "한계", "en": "Limits"},
        "web.words.recall": {
            "ko": "실제 불량 100개 중 약 {n}개를 미리 찾아냅니다",
            "en": "Of 100 real defects, it finds about {n} in advance",
        },
        "web.words.precision": {
            "ko": "불량이라고 알린 100건 중 약 {n}건이 실제 불량입니다",
            "en": "Of 100 parts it flags, about {n} are really defective",
        },
        "web.words.roc_auc": {
            "ko": "불량과 양품을 무작위로 하나씩 뽑으면 {n} % 확률로 불량 쪽 점수가 더 높습니다",
            "en": "Given one defective and one good part, it scores the defective one higher {n} % of the time",
        },
        "web.words.anomaly_recall": {
            "ko": "알려진 이상 100건 중 약 {n}건을 알람으로 잡아냅니다",
            "en": "Of 100 known anomalies, it raises an alarm on about {n}",
        },
        "web.words.far": {
            "ko": "정상 운전 중 알람이 울리는 비율은 {n} % 입니다",
            "en": "During normal operation it alarms {n} % of the time",
        },
        "web.words.mae": {
            "ko": "예측은 평균적으로 실제 값과 ±{n} 정도 차이 납니다",
            "en": "Predictions are off by about ±{n} on average",
        },
        "web.words.r2": {
            "ko": "값이 변하는 이유의 약 {n} %를 설명합니다",
            "en": "It explains about {n} % of why the value varies",
        },
        "web.words.mase_better": {
            "ko": "단순히 지난 주기를 반복하는 예측보다 오차가 {n} % 작습니다",
            "en": "Its errors are {n} % smaller than repeating the last season",
        },
        "web.words.mase_worse": {
            "ko": "지난 주기를 반복하는 단순 예측보다 오차가 {n} % 큽니다 — 데이터가 더 필요합니다",
            "en": "Its errors are {n} % larger than repeating the last season — it needs more data",
        },
        "web.words.improvement": {
            "ko": "제안한 조건을 쓰면 목표가 약 {n} 만큼 개선될 것으로 예측됩니다 (측정값 아님)",
            "en": "The suggested settings are predicted to improve the target by about {n} (not measured)",
        },
        "web.words.none": {
            "ko": "요약할 수 있는 지표가 없습니다. 아래 표를 보세요.",
            "en": "No figure to summarise; see the table below.",
        },
        # scoring
        "web.score.title": {"ko": "새 데이터 판정", "en": "Score new data"},
        "web.score.file": {
            "ko": "새 데이터 파일 (CSV·Excel)",
            "en": "A file of new data (CSV, Excel)",
        },
        "web.score.file_help": {"ko": "파일에 있어야 하는 열:", "en": "Columns the file needs:"},
        "web.score.run_file": {"ko": "파일 판정", "en": "Score the file"},
        "web.score.run_period": {"ko": "저장된 기간 판정", "en": "Score a stored period"},
        "web.score.result": {"ko": "판정 결과", "en": "Scores"},
        "web.score.rows": {"ko": "{n}행을 판정했습니다", "en": "{n} rows scored"},
        "web.score.flagged": {"ko": "불량 예상: {n}건", "en": "Predicted defective: {n}"},
        "web.score.alarms": {"ko": "이상 알람: {n}건", "en": "Alarms: {n}"},
        "web.score.explained_row": {
            "ko": "아래 그래프는 위험이 가장 높은 {row}번째 행의 판정 이유입니다",
            "en": "The chart below explains row {row}, the one with the highest risk",
        },
        "web.score.explain_title": {
            "ko": "이 판정에 대한 각 입력의 기여",
            "en": "What drove this prediction (contribution of each input)",
        },
        "web.score.explain_help": {
            "ko": "양수는 불량 쪽으로, 음수는 양품 쪽으로 판정을 밀었습니다.",
            "en": "Positive values pushed towards a defect, negative ones towards a good part.",
        },
        "web.score.shown": {
            "ko": "전체 {total}행 중 {n}행 표시",
            "en": "{n} of {total} rows shown",
        },
        # settings
        "web.settings.title": {"ko": "설정", "en": "Settings"},
        "web.settings.language": {"ko": "언어", "en": "Language"},
        "web.settings.users": {"ko": "사용자", "en": "Users"},
        "web.settings.role": {"ko": "역할", "en": "Role"},
        "web.settings.active": {"ko": "활성", "en": "Active"},
        "web.settings.add_user": {"ko": "사용자 추가", "en": "Add a user"},
        "web.settings.add": {"ko": "추가", "en": "Add"},
        "web.settings.tokens": {"ko": "API 토큰", "en": "API tokens"},
        "web.settings.no_tokens": {"ko": "API 토큰이 없습니다.", "en": "No API tokens."},
        "web.settings.token_once": {
            "ko": "새 토큰입니다. 지금만 보이니 안전한 곳에 복사해 두세요:",
            "en": "Your new token. It is shown only now: copy it somewhere safe:",
        },
        "web.settings.scopes": {"ko": "권한", "en": "Scopes"},
        "web.settings.scope": {"ko": "권한", "en": "Scope"},
        "web.settings.create_token": {"ko": "토큰 만들기", "en": "Create a token"},
        "web.settings.revoke": {"ko": "폐기", "en": "Revoke"},
        "web.role.viewer": {"ko": "조회자", "en": "Viewer"},
        "web.role.engineer": {"ko": "엔지니어", "en": "Engineer"},
        "web.role.admin": {"ko": "관리자", "en": "Administrator"},
        "web.role.operator": {"ko": "플랫폼 운영자", "en": "Platform operator"},
    }
)


def error_text(exc: BaseException, lang: str = "ko") -> tuple[str, str | None]:
    """The message and hint of a domain error in ``lang``.

    An error with a ``code`` is looked up as ``err.<code>`` (and ``err.<code>.hint``) and
    formatted with its ``params``; one without a code shows its English text, which the
    untranslated-text scan of the UI tests reports.
    """
    message = str(getattr(exc, "message", "") or exc)
    hint = getattr(exc, "hint", None)
    code = getattr(exc, "code", None)
    if code and f"err.{code}" in MESSAGES:
        params = getattr(exc, "params", None) or {}
        message = t(f"err.{code}", lang, **params)
        if f"err.{code}.hint" in MESSAGES:
            hint = t(f"err.{code}.hint", lang, **params)
    return message, hint


def _merge_catalogues() -> None:
    import importlib

    for name in CATALOGUES:
        extra = importlib.import_module(f"{__name__}.{name}").MESSAGES
        clash = set(extra) & set(MESSAGES)
        if clash:  # a key defined twice would silently show one of two texts
            raise RuntimeError(f"i18n keys defined twice: {sorted(clash)[:5]}")
        MESSAGES.update(extra)


# Catalogue modules of this package, one per area.
CATALOGUES = ("errors", "ingest", "datasets", "ml", "web_data", "web_ops", "accounts", "aas",
              "connectors", "alerting", "live", "retention", "modbus", "opcua", "mqtt",
              "live_ui", "sharing", "sharing_policy", "sharing_catalog", "sharing_delivery",
              "sharing_contracts", "sharing_compute", "sharing_pricing",
              "sharing_valuation", "sharing_offers", "sharing_api", "sharing_web",
              "sharing_pooled", "jobs", "workers", "migrate")  # fmt: skip
_merge_catalogues()
