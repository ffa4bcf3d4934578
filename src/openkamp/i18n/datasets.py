"""Texts of the datasets area (Korean first, English beside it): errors of the dataset service,
the record-table kind detection's reasons, and labels of the API / CLI answers."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- errors (err.<code>, formatted with the error's params) ----------------------------------
    "err.datasets.not_found": {
        "ko": "데이터셋 {ref}이(가) 없습니다.",
        "en": "No dataset {ref}.",
    },
    "err.datasets.not_found.hint": {
        "ko": "'openkamp datasets list'나 데이터셋 목록에서 이름을 확인하세요.",
        "en": "Check the name with 'openkamp datasets list' or the dataset list.",
    },
    "err.datasets.bad_ref": {
        "ko": "데이터셋을 이름, 이름@버전 또는 번호로 지정하세요.",
        "en": "Name a dataset by name, name@version or id.",
    },
    "err.datasets.column_name": {
        "ko": "데이터셋의 열에는 이름이 있어야 합니다.",
        "en": "A dataset column needs a non-empty name.",
    },
    "err.datasets.column_kind": {
        "ko": "열 '{column}'의 종류 '{kind}'을(를) 알 수 없습니다. 사용할 수 있는 종류: {kinds}",
        "en": "Column '{column}': unknown kind '{kind}'. Use one of: {kinds}",
    },
    "err.datasets.column_role": {
        "ko": "열 '{column}'의 역할 '{role}'을(를) 알 수 없습니다. 사용할 수 있는 역할: {roles}",
        "en": "Column '{column}': unknown role '{role}'. Use one of: {roles}",
    },
    "err.datasets.duplicate_column": {
        "ko": "열 '{column}'이(가) 두 번 있습니다.",
        "en": "Column '{column}' appears twice.",
    },
    "err.datasets.one_role": {
        "ko": "'{role}' 역할은 한 열에만 줄 수 있습니다: {columns}",
        "en": "Only one column can have the role '{role}': {columns}",
    },
    "err.datasets.time_kind": {
        "ko": "시간 열 '{column}'에 시간이 아닌 값({kind})이 있습니다.",
        "en": "The time column '{column}' holds {kind} values, not times.",
    },
    "err.datasets.no_column": {
        "ko": "데이터셋 {dataset}에 열 '{column}'이(가) 없습니다.",
        "en": "Dataset {dataset} has no column '{column}'.",
    },
    "err.datasets.columns_mismatch": {
        "ko": "열 설명이 표의 열과 맞지 않습니다. 없는 열: {missing}; 설명 없는 열: {extra}",
        "en": "The column descriptions do not match the table. Missing: {missing}; "
        "not described: {extra}",
    },
    "err.datasets.kind_mismatch": {
        "ko": "열 '{column}'은(는) {kind}(으)로 지정했지만 {actual} 값이 들어 있습니다.",
        "en": "Column '{column}' is declared {kind} but holds {actual} values.",
    },
    "err.datasets.mixed_types": {
        "ko": "표를 저장할 수 없습니다: 한 열에 여러 종류의 값이 섞여 있습니다.",
        "en": "The table cannot be stored: a column mixes kinds of values.",
    },
    "err.datasets.mixed_types.hint": {
        "ko": "각 열에는 한 종류(숫자, 텍스트, 시간, 예/아니오)의 값만 넣으세요.",
        "en": "Give each column one type (numbers, text, times or yes/no).",
    },
    "err.datasets.table": {
        "ko": "데이터셋은 표(pandas 또는 Arrow)로 만듭니다.",
        "en": "A dataset is made from a pandas or Arrow table.",
    },
    "err.datasets.no_columns": {
        "ko": "행이 없는 데이터셋은 열 설명이 있어야 만들 수 있습니다.",
        "en": "A dataset without rows needs its columns described.",
    },
    "err.datasets.origin": {
        "ko": "데이터셋 출처는 records 또는 snapshot이어야 합니다.",
        "en": "A dataset's origin is records or snapshot.",
    },
    "err.datasets.not_equipment": {
        "ko": "'{equipment}'은(는) 설비가 아닙니다.",
        "en": "'{equipment}' is not an equipment.",
    },
    "err.datasets.not_equipment.hint": {
        "ko": "설비를 사이트/라인/설비 형식으로 지정하세요.",
        "en": "Name a machine as site/line/equipment.",
    },
    "err.datasets.negative_page": {
        "ko": "시작 위치와 행 수는 음수일 수 없습니다.",
        "en": "Offset and limit cannot be negative.",
    },
    "err.datasets.file_missing": {
        "ko": "데이터셋의 저장된 표 파일이 없습니다.",
        "en": "The stored table of the dataset is missing.",
    },
    "err.datasets.export_format": {
        "ko": "내보내기 형식 '{format}'은(는) 지원하지 않습니다. csv 또는 xlsx를 쓰세요.",
        "en": "Export format '{format}' is not supported; use csv or xlsx.",
    },
    "err.datasets.export_too_large": {
        "ko": "Excel 파일에는 {limit:,}행까지만 담을 수 있습니다 (이 데이터셋: {rows:,}행).",
        "en": "An Excel file holds at most {limit:,} rows (this dataset: {rows:,}).",
    },
    "err.datasets.export_too_large.hint": {
        "ko": "CSV로 내보내세요.",
        "en": "Export as CSV instead.",
    },
    "err.datasets.kind": {
        "ko": "가져오기 종류 '{kind}'을(를) 알 수 없습니다. auto, timeseries, records 중에서 고르세요.",
        "en": "Unknown import kind '{kind}'; use auto, timeseries or records.",
    },
    "err.datasets.no_file_column": {
        "ko": "파일에 '{column}' 열이 없습니다.",
        "en": "There is no column '{column}' in the file.",
    },
    # -- why a file is a time series or a table of records (the import preview) --------------
    "datasets.kind.timeseries": {"ko": "시계열 신호", "en": "Time series (signals)"},
    "datasets.kind.records": {"ko": "기록 표 (데이터셋)", "en": "Table of records (dataset)"},
    "datasets.reason.no_time": {
        "ko": "시간 열이 없습니다: 행마다 하나의 기록(샷, 부품, 로트, 시험)인 표로 가져옵니다.",
        "en": "There is no time column: the rows are imported as a table of records "
        "(one row per shot, part, lot or test).",
    },
    "datasets.reason.repeated_time": {
        "ko": "'{column}' 열의 같은 시간이 여러 행에 있습니다 (표본 {of}행 중 {rows}행): "
        "한 시간에 여러 기록(예: 캐비티 LH/RH)이 있는 기록 표입니다.",
        "en": "Several rows share a time in column '{column}' ({rows} of {of} sampled rows): "
        "a table of records with several records per time (e.g. cavities LH/RH).",
    },
    "datasets.reason.known_signals": {
        "ko": "모든 열({count}개)이 선택한 설비의 신호나 라벨입니다: 시계열로 가져옵니다.",
        "en": "All {count} columns are signals or labels of the chosen equipment: "
        "imported as time series.",
    },
    "datasets.reason.id_columns": {
        "ko": "식별 열({columns})의 값이 행마다 다릅니다: 한 행이 부품 하나인 기록 표입니다.",
        "en": "The id column(s) {columns} hold a different value on every row: a table of "
        "records, one row per part.",
    },
    "datasets.reason.text_columns": {
        "ko": "숫자가 아닌 분류 열이 있습니다 ({columns}): 기록 표로 가져와 텍스트를 그대로 "
        "보관합니다.",
        "en": "There are text category columns ({columns}): imported as a table of records, "
        "keeping the text as it is.",
    },
    "datasets.reason.increasing_time": {
        "ko": "'{column}' 열의 시간이 계속 증가합니다(한 시각에 한 행): 시계열 신호로 "
        "가져옵니다. 판정·로트 같은 글자 열은 라벨이 됩니다.",
        "en": "The times in column '{column}' strictly increase (one row per time): imported "
        "as time series; text columns such as a judgement or a lot become labels.",
    },
    "datasets.reason.time_series": {
        "ko": "'{column}' 열에 시간이 있고 시각마다 한 행입니다: 시계열 신호로 가져옵니다. "
        "판정·로트 같은 글자 열은 라벨이 됩니다.",
        "en": "Column '{column}' holds times, one row per time: imported as time series; "
        "text columns such as a judgement or a lot become labels.",
    },
    "datasets.reason.long_layout": {
        "ko": "신호·시간·값 열로 된 세로형 파일입니다: 시계열 신호로 가져옵니다.",
        "en": "A long file of signal, time and value columns: imported as time series.",
    },
    "datasets.reason.mapped": {
        "ko": "열을 신호에 연결했습니다: 시계열 신호로 가져옵니다.",
        "en": "Columns are mapped to signals: imported as time series.",
    },
    "datasets.reason.chosen": {
        "ko": "사용자가 {kind}(으)로 가져오도록 선택했습니다.",
        "en": "You chose to import it as: {kind}.",
    },
    # -- labels ---------------------------------------------------------------------------------
    "datasets.title": {"ko": "데이터셋", "en": "Datasets"},
    "datasets.name": {"ko": "이름", "en": "Name"},
    "datasets.version": {"ko": "버전", "en": "Version"},
    "datasets.rows": {"ko": "행", "en": "Rows"},
    "datasets.columns": {"ko": "열", "en": "Columns"},
    "datasets.origin": {"ko": "출처", "en": "Origin"},
    "datasets.origin.records": {"ko": "기록 표", "en": "Record table"},
    "datasets.origin.snapshot": {"ko": "신호 스냅샷", "en": "Signal snapshot"},
    "datasets.equipment": {"ko": "설비", "en": "Equipment"},
    "datasets.created": {"ko": "만든 시각", "en": "Created"},
    "datasets.schema_hash": {"ko": "스키마 해시", "en": "Schema hash"},
    "datasets.content_sha256": {"ko": "내용 해시", "en": "Content hash"},
    "datasets.none": {"ko": "아직 데이터셋이 없습니다.", "en": "No datasets yet."},
    "datasets.kind": {"ko": "종류", "en": "Kind"},
    "datasets.role": {"ko": "역할", "en": "Role"},
    "datasets.unit": {"ko": "단위", "en": "Unit"},
    "datasets.kind.number": {"ko": "숫자", "en": "Number"},
    "datasets.kind.text": {"ko": "텍스트", "en": "Text"},
    "datasets.kind.time": {"ko": "시간", "en": "Time"},
    "datasets.kind.bool": {"ko": "예/아니오", "en": "Yes/no"},
    "datasets.role.input": {"ko": "입력", "en": "Input"},
    "datasets.role.time": {"ko": "시간", "en": "Time"},
    "datasets.role.id": {"ko": "식별자", "en": "Identifier"},
    "datasets.role.group": {"ko": "그룹", "en": "Group"},
    "datasets.role.label": {"ko": "라벨", "en": "Label"},
    "datasets.role.ignore": {"ko": "사용 안 함", "en": "Ignored"},
    "datasets.exported": {
        "ko": "{rows:,}행을 {path}(으)로 내보냈습니다.",
        "en": "Exported {rows:,} rows to {path}.",
    },
    "datasets.deleted": {
        "ko": "데이터셋 버전 {count}개를 삭제했습니다.",
        "en": "Deleted {count} dataset version(s).",
    },
}
