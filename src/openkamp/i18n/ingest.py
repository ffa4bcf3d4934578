"""Texts of the ingest area (Korean first, English beside it).

``err.ingest.*``: whole-file rejections (:class:`~openkamp.core.errors.ImportRejected` codes,
formatted with the error's params). ``ingest.note.*``: what the import detected in a file and
why, shown by the preview (``ImportPlan.notes``). ``reason.summary``: the quarantine reason of
total / summary rows (the other reasons are in the main catalogue).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Whole-file rejections: the problem, then (".hint") what to do.
    "err.ingest.empty": {"ko": "파일이 비어 있습니다.", "en": "The file is empty."},
    "err.ingest.empty.hint": {
        "ko": "데이터가 들어 있는 파일을 선택하세요.",
        "en": "Choose the file that holds the data.",
    },
    "err.ingest.empty_sheet": {
        "ko": "시트 '{sheet}'가 비어 있습니다.",
        "en": "The sheet '{sheet}' is empty.",
    },
    "err.ingest.empty_sheet.hint": {
        "ko": "데이터가 있는 시트를 선택하세요.",
        "en": "Choose the sheet that holds the data.",
    },
    "err.ingest.no_rows": {
        "ko": "머리글은 있지만 데이터 행이 없습니다.",
        "en": "The file has a header but no data rows.",
    },
    "err.ingest.no_rows.hint": {
        "ko": "내보내기가 끝까지 되었는지 확인하세요.",
        "en": "Check that the export is complete.",
    },
    "err.ingest.no_header": {
        "ko": "데이터 위에서 머리글(열 이름) 행을 찾지 못했습니다.",
        "en": "No header row (column names) was found above the data.",
    },
    "err.ingest.no_header.hint": {
        "ko": "열 이름이 있는 행을 머리글 행으로 지정하거나, 데이터 위에 열 이름 행을 추가하세요.",
        "en": "Choose the row with the column names as the header row, or add one above the data.",
    },
    "err.ingest.header_row_missing": {
        "ko": "{row}번째 행이 파일에 없습니다.",
        "en": "Row {row} is not in the file.",
    },
    "err.ingest.header_row_missing.hint": {
        "ko": "파일 앞부분에 있는 행을 머리글 행으로 지정하세요.",
        "en": "Choose a header row within the file's first rows.",
    },
    "err.ingest.too_many_columns": {
        "ko": "열이 {columns:,}개입니다. 최대 {max:,}개까지 가져올 수 있습니다.",
        "en": "The file has {columns:,} columns; at most {max:,} are accepted.",
    },
    "err.ingest.too_many_columns.hint": {
        "ko": "설비별로 파일을 나누거나 세로형(신호, 시간, 값)으로 내보내세요.",
        "en": "Split the file by equipment, or export it in long layout (signal, time, value).",
    },
    "err.ingest.no_column": {
        "ko": "파일에 '{column}' 열이 없습니다.",
        "en": "There is no column '{column}' in the file.",
    },
    "err.ingest.no_column.hint": {
        "ko": "파일의 열: {columns}",
        "en": "Columns found: {columns}.",
    },
    "err.ingest.time_columns": {
        "ko": "시간 열은 하나, 또는 날짜 열과 시간 열 두 개만 지정할 수 있습니다 ({count}개 지정됨).",
        "en": "Give one time column, or a date column and a time column ({count} given).",
    },
    "err.ingest.time_columns.hint": {
        "ko": "예: 일자 열과 시간 열.",
        "en": "For example a date column and a time column.",
    },
    "err.ingest.time_unreadable": {
        "ko": "'{column}' 열의 시간을 읽을 수 없습니다 (예: {examples}).",
        "en": "The times in column '{column}' cannot be read (e.g. {examples}).",
    },
    "err.ingest.time_unreadable.hint": {
        "ko": "시간 형식을 지정하세요. 예: %Y-%m-%d %H:%M:%S",
        "en": "Give the time format, e.g. %Y-%m-%d %H:%M:%S.",
    },
    "err.ingest.no_time": {
        "ko": "시간 열을 찾지 못했습니다.",
        "en": "No time column was found.",
    },
    "err.ingest.no_time.hint": {
        "ko": "시간이 든 열을 지정하거나, 레코드 표(데이터셋)로 가져오세요. 파일의 열: {columns}",
        "en": "Choose the column holding the time, or import the file as a record table. "
        "Columns found: {columns}.",
    },
    "err.ingest.long_columns": {
        "ko": "세로형 파일에는 신호 열과 값 열이 필요합니다.",
        "en": "A long-layout file needs a signal column and a value column.",
    },
    "err.ingest.long_columns.hint": {
        "ko": "열 이름을 '신호'와 '값'(또는 signal, value)으로 하거나 가로형으로 가져오세요.",
        "en": "Name them 'signal' and 'value' (or 신호 / 값), or import as wide layout.",
    },
    "err.ingest.no_data_columns": {
        "ko": "시간 말고는 데이터 열이 없습니다.",
        "en": "The file has no data columns besides the time.",
    },
    "err.ingest.no_data_columns.hint": {
        "ko": "구분자와 열 연결을 확인하세요.",
        "en": "Check the delimiter and the column mapping.",
    },
    "err.ingest.no_file": {"ko": "{path}에 파일이 없습니다.", "en": "No file at {path}."},
    "err.ingest.not_equipment": {
        "ko": "'{equipment}'은(는) 설비가 아닙니다.",
        "en": "'{equipment}' is not an equipment.",
    },
    "err.ingest.not_equipment.hint": {
        "ko": "설비를 사업장/라인/설비 경로로 지정하세요.",
        "en": "Give the equipment path as site/line/equipment.",
    },
    "err.ingest.which_equipment": {
        "ko": "이 파일이 어느 설비의 것인지 알 수 없습니다.",
        "en": "It is not clear which equipment this file belongs to.",
    },
    "err.ingest.which_equipment.hint": {
        "ko": "설비를 선택하세요 (없으면 먼저 설비를 추가하세요).",
        "en": "Choose the equipment (add it first if it does not exist).",
    },
    "err.ingest.unmatched_column": {
        "ko": "'{column}' 열과 맞는 신호가 {equipment}에 없습니다.",
        "en": "Column '{column}' matches no signal of {equipment}.",
    },
    "err.ingest.unmatched_column.hint": {
        "ko": "열을 신호에 연결하거나, 제외하거나, 새 신호 만들기를 허용하세요.",
        "en": "Map it to a signal, exclude it, or allow creating signals.",
    },
    "err.ingest.no_sheet": {
        "ko": "통합 문서에 '{sheet}' 시트가 없습니다.",
        "en": "There is no sheet '{sheet}' in the workbook.",
    },
    "err.ingest.no_sheet.hint": {
        "ko": "이 파일의 시트: {sheets}",
        "en": "Sheets in this file: {sheets}.",
    },
    "err.ingest.excel_unreadable": {
        "ko": "Excel 파일을 읽을 수 없습니다.",
        "en": "The Excel file cannot be read.",
    },
    "err.ingest.excel_unreadable.hint": {
        "ko": "Excel에서 열어 .xlsx로 다시 저장하세요.",
        "en": "Open it in Excel and save it again as .xlsx.",
    },
    "err.ingest.not_xlsx": {
        "ko": "올바른 .xlsx 통합 문서가 아닙니다.",
        "en": "The file is not a valid .xlsx workbook.",
    },
    "err.ingest.not_xlsx.hint": {
        "ko": "Excel에서 열어 'Excel 통합 문서(.xlsx)'로 저장하세요.",
        "en": "Open it in Excel and save it as 'Excel Workbook (.xlsx)'.",
    },
    "err.ingest.zip_bomb": {
        "ko": "압축을 풀면 {mb} MB에서 {gb} GB로 커지는 통합 문서입니다 (압축 폭탄으로 보임).",
        "en": "The workbook would expand to {gb} GB from {mb} MB; this looks like a zip bomb.",
    },
    "err.ingest.zip_bomb.hint": {
        "ko": "CSV로 내보내거나 통합 문서를 나누세요.",
        "en": "Export the data as CSV instead, or split the workbook.",
    },
    "err.ingest.zip_not_excel": {
        "ko": "ZIP 파일이지만 Excel 통합 문서가 아닙니다.",
        "en": "The zip file is not an Excel workbook.",
    },
    "err.ingest.zip_not_excel.hint": {
        "ko": "실제 .xlsx 파일을 올리세요.",
        "en": "Upload a real .xlsx file.",
    },
    "err.ingest.parquet_unreadable": {
        "ko": "Parquet 파일을 읽을 수 없습니다.",
        "en": "The Parquet file cannot be read.",
    },
    "err.ingest.parquet_unreadable.hint": {
        "ko": "Parquet 라이브러리로 다시 쓰세요.",
        "en": "Write it again with a Parquet library.",
    },
    "err.ingest.old_xls": {
        "ko": "예전 Excel 형식(.xls)은 지원하지 않습니다.",
        "en": "Old Excel .xls files are not supported.",
    },
    "err.ingest.old_xls.hint": {
        "ko": "Excel에서 열어 .xlsx 또는 CSV로 저장하세요.",
        "en": "Open the file in Excel and save it as .xlsx or CSV.",
    },
    "err.ingest.file_type": {
        "ko": "'{suffix}' 파일은 가져올 수 없습니다.",
        "en": "Files ending in '{suffix}' cannot be imported.",
    },
    "err.ingest.file_type.hint": {"ko": "지원 형식: {known}", "en": "Supported: {known}."},
    "err.ingest.unknown_encoding": {
        "ko": "알 수 없는 인코딩 '{encoding}'입니다.",
        "en": "Unknown encoding '{encoding}'.",
    },
    "err.ingest.unknown_encoding.hint": {
        "ko": "utf-8 또는 cp949를 쓰세요.",
        "en": "Use utf-8 or cp949.",
    },
    "err.ingest.utf16": {
        "ko": "UTF-16 텍스트 파일은 읽지 않습니다.",
        "en": "The file is UTF-16 text, which this importer does not read.",
    },
    "err.ingest.utf16.hint": {
        "ko": "Excel에서 'CSV UTF-8'로 다시 저장하세요 (파일 > 다른 이름으로 저장).",
        "en": "Save it again as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8).",
    },
    "err.ingest.binary": {
        "ko": "텍스트가 아닌 이진 데이터가 들어 있습니다.",
        "en": "The file contains binary data, not text.",
    },
    "err.ingest.binary.hint": {
        "ko": "CSV, Excel .xlsx 또는 Parquet 파일을 올리세요.",
        "en": "Upload a CSV, an Excel .xlsx or a Parquet file.",
    },
    "err.ingest.undecodable": {
        "ko": "파일의 글자를 읽을 수 없습니다 (UTF-8, CP949/EUC-KR로 시도).",
        "en": "The file's bytes cannot be decoded as text (tried UTF-8 and CP949/EUC-KR).",
    },
    "err.ingest.undecodable.hint": {
        "ko": "CSV(UTF-8 또는 CP949)로 다시 내보내거나 인코딩을 지정하세요.",
        "en": "Export the data again as CSV (UTF-8 or CP949), or give the right encoding.",
    },
    # What was detected, and why (ImportPlan.notes; shown by the preview).
    "ingest.note.header_found": {
        "ko": "{row}번째 행부터 머리글 {rows}행, 데이터는 {data_row}번째 행부터입니다.",
        "en": "The header is {rows} row(s) from row {row}; the data starts at row {data_row}.",
    },
    "ingest.note.header_given": {
        "ko": "지정한 대로 {row}번째 행부터 머리글 {rows}행을 읽습니다.",
        "en": "The header is read from row {row} ({rows} row(s)), as chosen.",
    },
    "ingest.note.title": {
        "ko": "머리글 위의 제목 {rows}행은 건너뜁니다: {text}",
        "en": "The {rows} title row(s) above the header are skipped: {text}",
    },
    "ingest.note.unit_row": {
        "ko": "두 번째 머리글 행은 단위로 읽었습니다.",
        "en": "The second header row was read as units.",
    },
    "ingest.note.bilingual_header": {
        "ko": "머리글 두 행을 한국어 이름과 영어 이름으로 읽었습니다.",
        "en": "The two header rows were read as Korean and English names.",
    },
    "ingest.note.group_header": {
        "ko": "병합된 위 머리글(그룹)을 아래 이름과 합쳤습니다 (예: 금형온도 LH).",
        "en": "The merged upper header (a group) was joined with the names below (e.g. 금형온도 LH).",
    },
    "ingest.note.sheet": {
        "ko": "시트 {sheets} 중 데이터가 가장 많은 '{sheet}'를 읽습니다.",
        "en": "Of the sheets {sheets}, '{sheet}' holds the most data and is read.",
    },
    "ingest.note.time_named": {
        "ko": "시간 열: {columns} (열 이름으로 찾음, 형식 {format}).",
        "en": "Time column: {columns} (found by its name, format {format}).",
    },
    "ingest.note.time_found": {
        "ko": "시간 열: {columns} (값이 시간으로 읽힘, 형식 {format}).",
        "en": "Time column: {columns} (its values read as times, format {format}).",
    },
    "ingest.note.time_given": {
        "ko": "시간 열: {columns} (지정한 대로, 형식 {format}).",
        "en": "Time column: {columns} (as chosen, format {format}).",
    },
    "ingest.note.time_split": {
        "ko": "날짜 열과 시간 열을 합쳐 시각으로 읽습니다: {columns} (형식 {format}).",
        "en": "A date column and a time column are joined into one time: {columns} "
        "(format {format}).",
    },
    "ingest.note.time_date_only": {
        "ko": "시간 열: {columns} (날짜만 있음).",
        "en": "Time column: {columns} (dates only).",
    },
    "ingest.note.no_time": {
        "ko": "시간 열이 없습니다: 레코드 표(데이터셋)로 가져올 수 있습니다.",
        "en": "There is no time column: the file can be imported as a record table (a dataset).",
    },
    "ingest.note.id_columns": {
        "ko": "식별 열(품번, 로트, 캐비티 등): {columns}",
        "en": "Id columns (part, lot, cavity …): {columns}",
    },
    "ingest.note.times_repeat": {
        "ko": "앞 행과 같은 시각의 행이 {rows}개 있습니다 (식별 열: {ids}).",
        "en": "{rows} row(s) repeat an earlier time (id columns: {ids}).",
    },
    "ingest.note.summary_rows": {
        "ko": "합계·평균 같은 요약 행 {rows}개는 따로 격리합니다.",
        "en": "{rows} total / summary row(s) (합계, 평균, Total …) are set aside.",
    },
    "ingest.note.empty_column": {
        "ko": "빈 열 '{column}'은 건너뜁니다.",
        "en": "The empty column '{column}' is skipped.",
    },
    "ingest.note.unit_in_cells": {
        "ko": "'{column}' 열의 숫자 뒤 단위 '{unit}'를 떼고 읽습니다.",
        "en": "The unit '{unit}' after the numbers of column '{column}' is removed.",
    },
    "ingest.note.decimal_comma": {
        "ko": "'{column}' 열은 쉼표를 소수점으로 읽습니다 (1,5 = 1.5).",
        "en": "Column '{column}' uses a decimal comma (1,5 = 1.5).",
    },
    "reason.summary": {"ko": "합계·요약 행", "en": "total / summary row"},
}
