"""Texts of the web area: import, assets, models and scoring pages (Korean first, English beside it).

Keys start with ``web_data.``; the errors these pages and the asset service raise are
``err.assets.*``, ``err.record.*`` and ``err.web_data.*``.
"""

from __future__ import annotations

_KINDS_KO = {
    "node": "설비 구성 항목",
    "signal": "신호",
    "label_column": "라벨 열",
    "import": "가져오기 기록",
    "job": "작업",
    "dataset": "데이터셋",
    "user": "사용자",
    "model": "모델",
    "alert": "알림",
    "api_token": "API 토큰",
}
_KINDS_EN = {
    "node": "asset",
    "signal": "signal",
    "label_column": "label column",
    "import": "import",
    "job": "job",
    "dataset": "dataset",
    "user": "user",
    "model": "model",
    "alert": "alert",
    "api_token": "API token",
}

MESSAGES: dict[str, dict[str, str]] = {
    # ---------------------------------------------------------------- errors: records, assets
    **{
        f"err.record.not_found.{k}": {
            "ko": f"{_KINDS_KO[k]} #{{id}}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
            "en": f"There is no {_KINDS_EN[k]} #{{id}}: it was deleted or the address is wrong.",
        }
        for k in _KINDS_KO
        if k != "model"
    },
    "err.record.not_found.model": {
        "ko": "모델 '{name}' {version}이(가) 없습니다.",
        "en": "There is no model '{name}' {version}.",
    },
    "err.record.duplicate": {
        "ko": "같은 곳에 이름이 '{name}'인 항목이 이미 있습니다.",
        "en": "Something named '{name}' already exists here.",
    },
    "err.record.duplicate.hint": {
        "ko": "다른 이름을 쓰거나 기존 항목을 사용하세요.",
        "en": "Choose another name or use the existing one.",
    },
    "err.web_data.page_not_found": {
        "ko": "찾는 페이지가 없습니다.",
        "en": "There is no such page.",
    },
    "err.web_data.page_not_found.hint": {
        "ko": "주소를 확인하거나 메뉴에서 다시 찾아 들어가세요.",
        "en": "Check the address, or find the page again from the menu.",
    },
    "err.web_data.no_equipment": {
        "ko": "설비 #{id}이(가) 없습니다.",
        "en": "There is no equipment #{id}.",
    },
    "err.web_data.no_equipment.hint": {
        "ko": "설비 관리에서 설비 목록을 확인하세요.",
        "en": "See the list of machines under Equipment.",
    },
    "err.web_data.name_required": {"ko": "이름을 입력하세요.", "en": "Enter a name."},
    "err.assets.bad_name": {
        "ko": "'{name}'은(는) 코드 이름으로 쓸 수 없습니다.",
        "en": "'{name}' cannot be used as a code name.",
    },
    "err.assets.bad_name.hint": {
        "ko": "글자(한글 가능)·숫자·'_'·'.'·'-'로 128자 이내, 글자나 숫자로 시작하세요. 띄어쓰기가 있는 이름은 표시 이름에 쓰세요.",
        "en": "Use up to 128 letters (Hangul is fine), digits, '_', '.' or '-', starting with a letter or digit; put names with spaces in the display name.",
    },
    "err.assets.site_no_parent": {
        "ko": "사업장은 맨 위 항목이라 상위 항목을 가질 수 없습니다.",
        "en": "A site is the top of the tree and has no parent.",
    },
    "err.assets.needs_parent.line": {
        "ko": "라인은 사업장 아래에 만들어야 합니다.",
        "en": "A line belongs under a site.",
    },
    "err.assets.needs_parent.equipment": {
        "ko": "설비는 라인 아래에 만들어야 합니다.",
        "en": "Equipment belongs under a line.",
    },
    "err.assets.not_equipment": {
        "ko": "'{name}'은(는) 설비가 아닙니다. 신호와 라벨 열은 설비에 속합니다.",
        "en": "'{name}' is not equipment: signals and label columns belong to equipment.",
    },
    "err.assets.node_not_empty": {
        "ko": "'{name}' 안에 하위 항목 {children}개, 신호 {signals}개, 라벨 열 {labels}개가 있어 삭제하지 않았습니다.",
        "en": "'{name}' was not deleted: it still holds {children} child assets, {signals} signals and {labels} label columns.",
    },
    "err.assets.node_not_empty.hint": {
        "ko": "먼저 옮기거나 지우세요. 또는 삭제 확인 화면에서 '저장된 데이터와 함께 삭제'를 선택하세요.",
        "en": "Move or delete them first, or tick 'delete with its data' on the confirmation page.",
    },
    "err.assets.signal_has_data": {
        "ko": "신호 '{name}'에 저장된 값이 {points:,}개 있어 삭제하지 않았습니다.",
        "en": "Signal '{name}' was not deleted: it has {points:,} stored values.",
    },
    "err.assets.signal_has_data.hint": {
        "ko": "값도 함께 지우려면 삭제 확인 화면에서 '저장된 데이터와 함께 삭제'를 선택하세요.",
        "en": "To delete the values too, tick 'delete with its data' on the confirmation page.",
    },
    "err.assets.label_has_data": {
        "ko": "라벨 열 '{name}'에 저장된 값이 있어 삭제하지 않았습니다.",
        "en": "Label column '{name}' was not deleted: it has stored values.",
    },
    "err.assets.label_has_data.hint": {
        "ko": "값도 함께 지우려면 삭제 확인 화면에서 '저장된 데이터와 함께 삭제'를 선택하세요.",
        "en": "To delete the values too, tick 'delete with its data' on the confirmation page.",
    },
    "err.assets.no_path": {
        "ko": "'{path}'은(는) 없는 설비입니다.",
        "en": "There is no asset '{path}'.",
    },
    "err.assets.no_path.hint": {
        "ko": "설비 관리에서 경로(사업장/라인/설비)를 확인하세요.",
        "en": "Check the path (site/line/equipment) under Equipment.",
    },
    # ---------------------------------------------------------------- equipment management
    "web_data.nav.assets": {"ko": "설비 관리", "en": "Equipment"},
    "web_data.assets.title": {"ko": "설비 관리", "en": "Equipment"},
    "web_data.assets.help": {
        "ko": "사업장 → 라인 → 설비 → 신호·라벨 열 순서로 구성합니다. 이름을 바꾸거나 옮겨도 저장된 데이터는 그대로 남습니다.",
        "en": "Sites hold lines, lines hold equipment, equipment holds signals and label columns. Renaming or moving keeps the stored data.",
    },
    "web_data.assets.empty": {
        "ko": "아직 등록된 설비가 없습니다. 사업장부터 추가하세요.",
        "en": "No equipment yet: add a site first.",
    },
    "web_data.assets.kind.site": {"ko": "사업장", "en": "Site"},
    "web_data.assets.kind.line": {"ko": "라인", "en": "Line"},
    "web_data.assets.kind.equipment": {"ko": "설비", "en": "Equipment"},
    "web_data.assets.kind.signal": {"ko": "신호", "en": "Signal"},
    "web_data.assets.kind.label": {"ko": "라벨 열", "en": "Label column"},
    "web_data.assets.add_site": {"ko": "사업장 추가", "en": "Add a site"},
    "web_data.assets.new_line": {"ko": "새 라인", "en": "New line"},
    "web_data.assets.new_equipment": {"ko": "새 설비", "en": "New equipment"},
    "web_data.assets.new_signal": {"ko": "새 신호", "en": "New signal"},
    "web_data.assets.new_label": {"ko": "새 라벨 열", "en": "New label column"},
    "web_data.assets.site_example": {"ko": "예: 평택 1공장", "en": "e.g. Plant 1"},
    "web_data.assets.line_example": {"ko": "예: 사출 2라인", "en": "e.g. Moulding line 2"},
    "web_data.assets.equipment_example": {"ko": "예: 사출기 3호기", "en": "e.g. Press 3"},
    "web_data.assets.signal_example": {"ko": "예: 사출압력", "en": "e.g. Injection pressure"},
    "web_data.assets.label_example": {"ko": "예: 양불 판정", "en": "e.g. Pass / fail"},
    "web_data.assets.display_name": {"ko": "표시 이름", "en": "Display name"},
    "web_data.assets.code": {"ko": "코드 이름", "en": "Code name"},
    "web_data.assets.code_optional": {
        "ko": "코드 이름 (비우면 자동)",
        "en": "Code name (automatic when empty)",
    },
    "web_data.assets.add": {"ko": "추가", "en": "Add"},
    "web_data.assets.save": {"ko": "저장", "en": "Save"},
    "web_data.assets.rename": {"ko": "이름 바꾸기", "en": "Rename"},
    "web_data.assets.move": {"ko": "옮기기", "en": "Move"},
    "web_data.assets.move_to": {"ko": "옮길 곳", "en": "Move to"},
    "web_data.assets.delete": {"ko": "삭제", "en": "Delete"},
    "web_data.assets.cancel": {"ko": "취소", "en": "Cancel"},
    "web_data.assets.delete_equipment": {"ko": "이 설비 삭제", "en": "Delete this equipment"},
    "web_data.assets.no_equipment": {"ko": "설비가 없습니다.", "en": "No equipment."},
    "web_data.assets.no_signals": {"ko": "신호가 없습니다.", "en": "No signals."},
    "web_data.assets.no_labels": {"ko": "라벨 열이 없습니다.", "en": "No label columns."},
    "web_data.assets.points": {"ko": "저장된 값", "en": "Stored values"},
    "web_data.assets.label_columns": {
        "ko": "라벨 열 (판정·불량 유형 등)",
        "en": "Label columns (verdicts, defect types …)",
    },
    "web_data.assets.label_help": {
        "ko": "라벨 열은 예측할 대상(양품/불량, 불량 유형)이나 로트·금형 번호처럼 측정값이 아닌 열입니다.",
        "en": "Label columns hold what a model predicts (pass / fail, defect type) or identifiers such as lot or mould numbers.",
    },
    "web_data.assets.categories": {"ko": "범주", "en": "Categories"},
    "web_data.assets.categories_help": {
        "ko": "범주 (쉼표로 구분, 선택)",
        "en": "Categories (comma-separated, optional)",
    },
    "web_data.assets.delete_title": {
        "ko": "{what} '{name}'을(를) 삭제할까요?",
        "en": "Delete the {what} '{name}'?",
    },
    "web_data.assets.would_remove": {
        "ko": "함께 삭제되는 것:",
        "en": "This also deletes:",
    },
    "web_data.assets.impact.lines": {"ko": "라인 {n}개", "en": "{n} lines"},
    "web_data.assets.impact.equipment": {"ko": "설비 {n}대", "en": "{n} machines"},
    "web_data.assets.impact.signals": {"ko": "신호 {n}개", "en": "{n} signals"},
    "web_data.assets.impact.labels": {"ko": "라벨 열 {n}개", "en": "{n} label columns"},
    "web_data.assets.impact.points": {"ko": "저장된 측정값 {n}개", "en": "{n} stored readings"},
    "web_data.assets.impact.values": {
        "ko": "저장된 라벨 값 {n}개",
        "en": "{n} stored label values",
    },
    "web_data.assets.cannot_undo": {
        "ko": "삭제한 데이터는 되돌릴 수 없습니다. 원본 파일을 다시 가져와야 합니다.",
        "en": "Deleted data cannot be restored; the files would have to be imported again.",
    },
    "web_data.assets.nothing_else": {
        "ko": "다른 항목이나 저장된 데이터는 없습니다.",
        "en": "It holds nothing else and no stored data.",
    },
    "web_data.assets.confirm_with_data": {
        "ko": "저장된 데이터와 함께 삭제합니다",
        "en": "Delete it with its data",
    },
}
MESSAGES.update(
    {
        "err.web_data.form_incomplete": {
            "ko": "입력이 빠졌거나 잘못되었습니다: {fields}",
            "en": "The form is incomplete or wrong: {fields}",
        },
        "err.web_data.form_incomplete.hint": {
            "ko": "빠진 칸을 채우고 다시 보내세요.",
            "en": "Fill in the missing fields and send it again.",
        },
    }
)

# Scoring ("판정"): reading a file, missing inputs, results and downloads.
MESSAGES.update(
    {
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
    }
)

# The import wizard: what was detected, how to fix it, a new machine on the spot, bulk actions.
MESSAGES.update(
    {
        "web_data.import.found": {"ko": "찾은 내용", "en": "What was found"},
        "web_data.import.fix": {"ko": "잘못 찾았으면 고치세요", "en": "Fix what was found"},
        "web_data.import.kind": {"ko": "데이터 종류", "en": "Kind of data"},
        "web_data.import.kind.timeseries": {
            "ko": "시계열 (설비 신호)",
            "en": "Time series (machine signals)",
        },
        "web_data.import.kind.records": {
            "ko": "기록 표 (데이터셋: 샷·부품·로트별 행)",
            "en": "Table of records (dataset: a row per shot, part, lot)",
        },
        "web_data.import.dataset": {"ko": "데이터셋 이름", "en": "Dataset name"},
        "web_data.import.header_row": {"ko": "머리글 행 번호", "en": "Header row (line number)"},
        "web_data.import.header_rows": {"ko": "머리글 행 수", "en": "Header rows"},
        "web_data.import.header_at": {"ko": "머리글 행", "en": "Header row"},
        "web_data.import.title_rows": {
            "ko": "머리글 위의 제목 행 (가져오지 않음)",
            "en": "Title rows above the header (not imported)",
        },
        "web_data.import.time": {
            "ko": "시간 열 (또는 날짜 열)",
            "en": "Time column (or date column)",
        },
        "web_data.import.time2": {
            "ko": "시각 열 (날짜와 시각이 나뉜 경우)",
            "en": "Time-of-day column (when date and time are split)",
        },
        "web_data.import.no_time": {"ko": "시간 없음", "en": "No time"},
        "web_data.import.no_second": {"ko": "없음", "en": "None"},
        "web_data.import.role.time": {"ko": "시간", "en": "Time"},
        "web_data.import.role.id": {
            "ko": "식별자 (부품·로트·캐비티)",
            "en": "Identifier (part, lot, cavity)",
        },
        "web_data.import.role.input": {"ko": "입력값", "en": "Input"},
        "web_data.import.role.group": {"ko": "묶음 (로트·배치)", "en": "Group (lot, batch)"},
        "web_data.import.new_machine": {"ko": "+ 새 설비 만들기", "en": "+ Add a new machine"},
        "web_data.import.new_line": {"ko": "+ 새 라인", "en": "+ New line"},
        "web_data.import.new_site": {"ko": "+ 새 사업장", "en": "+ New site"},
        "web_data.import.new_site_name": {"ko": "새 사업장 이름", "en": "New site name"},
        "web_data.import.new_line_name": {"ko": "새 라인 이름", "en": "New line name"},
        "web_data.import.machine_name": {"ko": "설비 이름", "en": "Machine name"},
        "web_data.import.create": {"ko": "만들기", "en": "Create"},
        "web_data.import.filter": {"ko": "열 이름으로 찾기", "en": "Find columns by name"},
        "web_data.import.select_all": {
            "ko": "보이는 열 모두 선택",
            "en": "Select the shown columns",
        },
        "web_data.import.select_none": {"ko": "선택 해제", "en": "Select none"},
        "web_data.import.selected_become": {"ko": "선택한 열을", "en": "Make the selected columns"},
        "web_data.import.apply": {"ko": "적용", "en": "Apply"},
        "web_data.import.selected": {"ko": "{n}개 열 선택됨", "en": "{n} columns selected"},
        "web_data.import.network": {
            "ko": "서버에 연결할 수 없습니다. 네트워크를 확인하고 다시 시도하세요.",
            "en": "The server cannot be reached: check the network and try again.",
        },
    }
)

# Model results and the model wizard.
MESSAGES.update(
    {
        "web_data.result.technical": {
            "ko": "기술 정보 (전문가용)",
            "en": "technical details (for specialists)",
        },
    }
)

# The decision threshold, chosen on a trade-off of missed defects against false alarms.
MESSAGES.update(
    {
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
        "web_data.threshold.missed.day": {
            "ko": "놓치는 불량 (하루)",
            "en": "Defects missed per day",
        },
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
    }
)

MESSAGES.update(
    {
        "web_data.words.alarms_per_day": {
            "ko": "정상 운전 중에도 설비 1대에서 하루 약 {n}번 잘못된 알람이 울립니다",
            "en": "In normal operation it raises about {n} false alarms a day on one machine",
        },
    }
)

MESSAGES.update(
    {
        "web_data.result.more_in_report": {
            "ko": "비교한 방법과 세부 설정은 분석 보고서에 있습니다.",
            "en": "The methods compared and their settings are in the analysis report.",
        },
        "web_data.explain.bias": {"ko": "기본값 (평균 위험)", "en": "Baseline (average risk)"},
        "web_data.axis.predicted": {"ko": "예측", "en": "Predicted"},
        "web_data.axis.observed": {"ko": "실제 비율", "en": "Observed share"},
        "web_data.axis.mean_abs_contribution": {"ko": "평균 기여도", "en": "Mean contribution"},
        "web_data.axis.probability": {"ko": "불량 확률", "en": "Defect probability"},
        "web_data.axis.feature": {"ko": "입력", "en": "Input"},
        "web_data.axis.class": {"ko": "실제 범주", "en": "True class"},
        "web_data.axis.score": {"ko": "이상 점수", "en": "Anomaly score"},
        "web_data.axis.actual": {"ko": "실제값", "en": "Actual"},
        "web_data.axis.prediction": {"ko": "예측값", "en": "Prediction"},
        "web_data.axis.residual": {"ko": "오차", "en": "Error"},
        "web_data.axis.error": {"ko": "오차", "en": "Error"},
        "web_data.axis.step": {"ko": "예측 스텝", "en": "Step ahead"},
        "web_data.axis.true": {"ko": "실제값", "en": "True value"},
        "web_data.axis.value": {"ko": "값", "en": "Value"},
        "web_data.import.status.done": {"ko": "완료", "en": "Done"},
        "web_data.import.status.failed": {"ko": "실패", "en": "Failed"},
        "web_data.import.status.running": {"ko": "진행 중", "en": "Running"},
        "web_data.import.status.skipped": {"ko": "이미 가져옴", "en": "Already imported"},
        "web_data.import.status.interrupted": {"ko": "중단됨", "en": "Interrupted"},
    }
)

MESSAGES.update({"web_data.score.col.time": {"ko": "시간", "en": "Time"}})

MESSAGES.update(
    {
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
    }
)

MESSAGES.update(
    {
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
    }
)

# "Recommend settings": the recipe of an optimise model.
MESSAGES.update(
    {
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
        "web_data.recipe.title": {
            "ko": "추천 조건 (레시피)",
            "en": "Recommended settings (recipe)",
        },
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
        "web_data.recipe.spread": {
            "ko": "불확실성 (가운데 50 %)",
            "en": "Uncertainty (middle 50 %)",
        },
        "web_data.recipe.rows": {"ko": "해당 행", "en": "Rows"},
        "web_data.recipe.help": {
            "ko": "추천 범위는 이 조건을 바꾸라고 한 행들의 추천값 가운데 50 %입니다. 예상 개선은 모델의 예측이며 측정값이 아닙니다 (불량 모델은 불량률 %p). 여러 조건을 함께 바꾼 행이 많으면 조건별 효과가 섞여 있습니다. 작은 범위에서 시험 생산으로 확인하세요.",
            "en": "A window is the middle half of the values advised for the setting, over the rows whose advice changes it. The improvement is the model's prediction, not a measurement (percentage points of the defect rate for a defect model); where rows change several settings at once their effects are mixed. Confirm with a short trial run.",
        },
        "web_data.recipe.none": {
            "ko": "이 기간에는 바꾸라고 추천한 조건이 없습니다. 지금 조건이 이미 모델이 보기에 좋은 범위입니다.",
            "en": "No setting was advised to change over this period: the current settings already look good to the model.",
        },
    }
)

MESSAGES.update(
    {
        "web_data.score.truth.regress": {
            "ko": "파일의 실제값과 비교: {n}개 행에서 예측은 평균 ±{mae}만큼 차이 났습니다",
            "en": "Against the file's actual values: over {n} rows the predictions were off by ±{mae} on average",
        },
    }
)

MESSAGES.update(
    {
        "web_data.wizard.independent": {
            "ko": "행은 서로 독립적인 부품·샷입니다 (시간 순서와 무관)",
            "en": "The rows are independent parts or shots (time order does not matter)",
        },
        "web_data.wizard.independent_help": {
            "ko": "체크하면 시간 순서 대신 행을 섞어(묶음 열이 있으면 묶음별로) 검증합니다. 설비 상태가 시간에 따라 변하면 체크하지 마세요.",
            "en": "When ticked, rows are shuffled (by group when a group column is set) for testing instead of split in time order. Leave it unticked when the machine's state drifts over time.",
        },
    }
)

MESSAGES.update(
    {
        "web_data.import.train_on_dataset": {
            "ko": "이 데이터로 모델 만들기",
            "en": "Make a model from this data",
        },
        "web_data.import.reason_other": {"ko": "읽을 수 없는 행", "en": "unreadable row"},
    }
)

MESSAGES.update({"web_data.import.time_example": {"ko": "예: {example}", "en": "e.g. {example}"}})
