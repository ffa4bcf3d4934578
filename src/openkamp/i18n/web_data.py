"""Texts of the web area: import, assets, models and scoring pages (Korean first, English beside it).

Keys start with ``web_data.``; the errors these pages and the asset service raise are
``err.assets.*``, ``err.record.*`` and ``err.web_data.*``. The texts of the model pages (results,
threshold, scoring, recipe, wizard) are in :mod:`openkamp.i18n.web_models`, merged here.
"""

from __future__ import annotations

from openkamp.i18n.web_models import MESSAGES as _MODELS

MESSAGES: dict[str, dict[str, str]] = {
    "err.assets.range": {
        "ko": "신호 '{name}': 허용 최솟값 {low}이(가) 최댓값 {high}보다 큽니다.",
        "en": "Signal '{name}': the lowest allowed value {low} is above the highest {high}.",
    },
    "err.assets.sampling": {
        "ko": "신호 '{name}': 측정 간격은 0보다 커야 합니다.",
        "en": "Signal '{name}': the sampling period must be positive.",
    },
    "web_data.assets.min": {"ko": "허용 최솟값", "en": "Lowest allowed"},
    "web_data.assets.max": {"ko": "허용 최댓값", "en": "Highest allowed"},
    "web_data.assets.range": {"ko": "허용 범위", "en": "Allowed range"},
    "err.web_data.not_a_number": {
        "ko": "'{text}'은(는) 숫자가 아닙니다.",
        "en": "'{text}' is not a number.",
    },
    "web_data.import.sheet": {"ko": "시트", "en": "Sheet"},
    "err.record.not_found.node": {
        "ko": "설비 구성 항목 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no asset #{id}: it was deleted or the address is wrong.",
    },
    "err.record.not_found.signal": {
        "ko": "신호 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no signal #{id}: it was deleted or the address is wrong.",
    },
    "err.record.not_found.label_column": {
        "ko": "라벨 열 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no label column #{id}: it was deleted or the address is wrong.",
    },
    "err.record.not_found.import": {
        "ko": "가져오기 기록 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no import #{id}: it was deleted or the address is wrong.",
    },
    "err.record.not_found.job": {
        "ko": "작업 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no job #{id}: it was deleted or the address is wrong.",
    },
    "err.record.not_found.dataset": {
        "ko": "데이터셋 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no dataset #{id}: it was deleted or the address is wrong.",
    },
    "err.record.not_found.user": {
        "ko": "사용자 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no user #{id}: it was deleted or the address is wrong.",
    },
    "err.record.not_found.alert": {
        "ko": "알림 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no alert #{id}: it was deleted or the address is wrong.",
    },
    "err.record.not_found.api_token": {
        "ko": "API 토큰 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no API token #{id}: it was deleted or the address is wrong.",
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
    "web_data.assets.would_remove": {"ko": "함께 삭제되는 것:", "en": "This also deletes:"},
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
    "err.web_data.form_incomplete": {
        "ko": "입력이 빠졌거나 잘못되었습니다: {fields}",
        "en": "The form is incomplete or wrong: {fields}",
    },
    "err.web_data.form_incomplete.hint": {
        "ko": "빠진 칸을 채우고 다시 보내세요.",
        "en": "Fill in the missing fields and send it again.",
    },
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
    "web_data.import.time": {"ko": "시간 열 (또는 날짜 열)", "en": "Time column (or date column)"},
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
    "web_data.import.select_all": {"ko": "보이는 열 모두 선택", "en": "Select the shown columns"},
    "web_data.import.select_none": {"ko": "선택 해제", "en": "Select none"},
    "web_data.import.selected_become": {"ko": "선택한 열을", "en": "Make the selected columns"},
    "web_data.import.apply": {"ko": "적용", "en": "Apply"},
    "web_data.import.selected": {"ko": "{n}개 열 선택됨", "en": "{n} columns selected"},
    "web_data.import.network": {
        "ko": "서버에 연결할 수 없습니다. 네트워크를 확인하고 다시 시도하세요.",
        "en": "The server cannot be reached: check the network and try again.",
    },
    "web_data.import.status.done": {"ko": "완료", "en": "Done"},
    "web_data.import.status.failed": {"ko": "실패", "en": "Failed"},
    "web_data.import.status.running": {"ko": "진행 중", "en": "Running"},
    "web_data.import.status.skipped": {"ko": "이미 가져옴", "en": "Already imported"},
    "web_data.import.status.interrupted": {"ko": "중단됨", "en": "Interrupted"},
    "web_data.import.train_on_dataset": {
        "ko": "이 데이터로 모델 만들기",
        "en": "Make a model from this data",
    },
    "web_data.import.reason_other": {"ko": "읽을 수 없는 행", "en": "unreadable row"},
    "web_data.import.time_example": {"ko": "예: {example}", "en": "e.g. {example}"},
    # How a file wrote its times, where it is not a pattern an example time shows.
    "web_data.import.time_format.epoch_s": {
        "ko": "유닉스 시간 (초 단위 숫자)",
        "en": "Unix time (a number of seconds)",
    },
    "web_data.import.time_format.epoch_ms": {
        "ko": "유닉스 시간 (밀리초 단위 숫자)",
        "en": "Unix time (a number of milliseconds)",
    },
    "web_data.import.time_format.typed": {
        "ko": "Excel·Parquet 날짜 시간 값",
        "en": "Excel / Parquet date-time values",
    },
    "web_data.import.time_format.typed_date": {
        "ko": "Excel·Parquet 날짜 값",
        "en": "Excel / Parquet date values",
    },
}

_clash = set(_MODELS) & set(MESSAGES)
if _clash:  # pragma: no cover - a key defined twice would show one of two texts
    raise RuntimeError(f"web_data keys defined twice: {sorted(_clash)[:5]}")
MESSAGES.update(_MODELS)
