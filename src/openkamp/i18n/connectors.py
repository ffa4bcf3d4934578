"""Texts of the live path (issue 10): connectors. Korean first, English beside it."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- errors of the connector core and HTTP ingest --------------------------------------
    "err.connectors.unknown_kind": {
        "ko": "'{kind}' 종류의 연결기가 설치되어 있지 않습니다. 설치된 종류: {kinds}",
        "en": "No connector of kind '{kind}' is installed. Installed: {kinds}",
    },
    "err.connectors.bad_config": {
        "ko": "{kind} 연결 설정이 올바르지 않습니다: {problems}",
        "en": "The {kind} connection's settings are wrong: {problems}",
    },
    "err.connectors.no_equipment": {
        "ko": "설비 '{path}'가 없습니다 (사이트/라인/설비 형식의 경로).",
        "en": "There is no equipment '{path}' (a site/line/equipment path).",
    },
    "err.connectors.no_equipment.hint": {
        "ko": "설비 구성에서 경로를 확인하거나 설비를 먼저 만드세요.",
        "en": "Check the path in the asset model, or create the equipment first.",
    },
    "err.record.not_found.connection": {
        "ko": "연결 #{id}이(가) 없습니다. 삭제되었거나 주소가 잘못되었습니다.",
        "en": "There is no connection #{id}: it was deleted or the address is wrong.",
    },
    "err.ingest.precision": {
        "ko": "알 수 없는 시간 단위 '{precision}'입니다. ns, us, ms, s 중 하나를 쓰세요.",
        "en": "Unknown precision '{precision}': use ns, us, ms or s.",
    },
    "err.ingest.json_too_large": {
        "ko": "JSON 본문은 최대 {limit}까지 받을 수 있습니다.",
        "en": "A JSON body may hold at most {limit}.",
    },
    "err.ingest.json_too_large.hint": {
        "ko": "여러 요청으로 나누거나 CSV, Arrow, 라인 프로토콜로 보내세요.",
        "en": "Split it into several requests, or send CSV, Arrow or line protocol.",
    },
    "err.ingest.not_json": {
        "ko": "본문이 JSON 형식이 아닙니다: {problem}",
        "en": "The body is not JSON: {problem}",
    },
    "err.ingest.json_form": {
        "ko": "JSON이 포인트, 포인트 목록, 묶음 중 어느 형식도 아닙니다.",
        "en": "The JSON is neither a point, a list of points nor a batch.",
    },
    "err.ingest.csv_header": {
        "ko": "CSV에 머리글 행이 없습니다.",
        "en": "The CSV has no header row.",
    },
    "err.ingest.not_utf8": {
        "ko": "CSV가 UTF-8 텍스트가 아닙니다.",
        "en": "The CSV is not UTF-8 text.",
    },
    "err.ingest.csv_broken": {
        "ko": "CSV를 읽을 수 없습니다: {problem}",
        "en": "The CSV cannot be read: {problem}",
    },
    "err.ingest.not_arrow": {
        "ko": "본문이 올바른 Arrow IPC 스트림이 아닙니다.",
        "en": "The body is not a valid Arrow IPC stream.",
    },
    "err.ingest.arrow_columns": {
        "ko": "Arrow 스트림에는 ts, value 열과 signal_id 또는 signal 열이 있어야 합니다.",
        "en": "The Arrow stream needs the columns ts and value, and signal_id or signal.",
    },
    "err.ingest.too_large": {
        "ko": "본문이 너무 큽니다. 한 요청에 최대 {limit}까지 보낼 수 있습니다.",
        "en": "The body is too large: at most {limit} per request.",
    },
    "err.ingest.too_large.hint": {
        "ko": "데이터를 여러 요청으로 나누어 보내세요.",
        "en": "Send the data in several requests.",
    },
    "err.ingest.encoding": {
        "ko": "지원하지 않는 Content-Encoding '{encoding}'입니다. 압축하지 않거나 gzip으로 보내세요.",
        "en": "Unsupported Content-Encoding '{encoding}': send plain or gzip.",
    },
    "err.ingest.gzip": {
        "ko": "본문이 올바른 gzip이 아닙니다.",
        "en": "The body is not valid gzip.",
    },
    "err.ingest.no_connection": {
        "ko": "이름이 '{name}'인 HTTP 연결이 없습니다.",
        "en": "There is no http connection named '{name}'.",
    },
    "err.ingest.stopped": {
        "ko": "연결 '{name}'이(가) 중지되어 있습니다. 데이터를 받으려면 시작하세요.",
        "en": "The connection '{name}' is stopped: start it to accept its data.",
    },
    # -- the connections page ---------------------------------------------------------------
    "connectors.nav": {"ko": "연결", "en": "Connections"},
    "connectors.title": {"ko": "데이터 연결", "en": "Data connections"},
    "connectors.intro": {
        "ko": "설비의 데이터를 실시간으로 받는 연결입니다 (MQTT, OPC UA, Modbus, HTTP). "
        "켜져 있는 연결은 서버를 다시 시작해도 이어서 동작합니다.",
        "en": "Connections that bring machine data in as it happens (MQTT, OPC UA, Modbus, "
        "HTTP). Enabled connections resume when the server restarts.",
    },
    "connectors.none": {"ko": "아직 연결이 없습니다.", "en": "No connections yet."},
    "connectors.name": {"ko": "이름", "en": "Name"},
    "connectors.kind": {"ko": "종류", "en": "Kind"},
    "connectors.state": {"ko": "상태", "en": "State"},
    "connectors.points": {"ko": "저장한 포인트", "en": "Points stored"},
    "connectors.rate": {"ko": "초당 포인트", "en": "Points/s"},
    "connectors.last_value": {"ko": "마지막 값 시각", "en": "Last value at"},
    "connectors.last_error": {"ko": "마지막 오류", "en": "Last error"},
    "connectors.rejected": {"ko": "거부된 입력", "en": "Rejected input"},
    "connectors.restarts": {"ko": "재시작", "en": "Restarts"},
    "connectors.buffer": {"ko": "버퍼 사용률", "en": "Buffer fill"},
    "connectors.actions": {"ko": "작업", "en": "Actions"},
    "connectors.start": {"ko": "시작", "en": "Start"},
    "connectors.stop": {"ko": "중지", "en": "Stop"},
    "connectors.edit": {"ko": "설정", "en": "Settings"},
    "connectors.delete": {"ko": "삭제", "en": "Delete"},
    "connectors.delete_confirm": {
        "ko": "연결 '{name}'을(를) 삭제할까요? 받은 데이터는 남습니다.",
        "en": "Delete the connection '{name}'? The data it brought stays.",
    },
    "connectors.add": {"ko": "연결 추가", "en": "Add a connection"},
    "connectors.save": {"ko": "저장", "en": "Save"},
    "connectors.back": {"ko": "연결 목록으로", "en": "Back to connections"},
    "connectors.enabled": {
        "ko": "켜기 (서버 시작 시 자동 실행)",
        "en": "Enabled (runs at start-up)",
    },
    "connectors.secret_kept": {
        "ko": "비워 두거나 ********이면 저장된 값을 유지합니다.",
        "en": "Leave empty or ******** to keep the stored value.",
    },
    "connectors.json_hint": {
        "ko": "JSON 형식으로 입력하세요.",
        "en": "Enter as JSON.",
    },
    "connectors.saved": {"ko": "저장했습니다.", "en": "Saved."},
    "connectors.nothing_rejected": {"ko": "없음", "en": "none"},
    "connectors.updated_live": {
        "ko": "이 페이지는 몇 초마다 새로 고쳐집니다.",
        "en": "This page refreshes every few seconds.",
    },
    "connectors.state.stopped": {"ko": "중지됨", "en": "Stopped"},
    "connectors.state.connecting": {"ko": "연결 중", "en": "Connecting"},
    "connectors.state.running": {"ko": "동작 중", "en": "Running"},
    "connectors.state.retrying": {"ko": "재시도 대기", "en": "Retrying"},
    "connectors.kind.http": {"ko": "HTTP 수신", "en": "HTTP ingest"},
    # Rejection reasons (the counters' keys), for the page.
    "connectors.reason.value.not_finite": {
        "ko": "숫자가 아닌 값(NaN/무한대)",
        "en": "not a finite number",
    },
    "connectors.reason.value.not_a_number": {"ko": "숫자가 아닌 값", "en": "not a number"},
    "connectors.reason.value.text": {"ko": "문자열 값", "en": "text value"},
    "connectors.reason.value.missing": {"ko": "값 없음", "en": "missing value"},
    "connectors.reason.time.absurd": {"ko": "있을 수 없는 시간", "en": "absurd time"},
    "connectors.reason.time.unreadable": {"ko": "읽을 수 없는 시간", "en": "unreadable time"},
    "connectors.reason.signal.unknown": {"ko": "알 수 없는 신호", "en": "unknown signal"},
    "connectors.reason.equipment.unknown": {"ko": "알 수 없는 설비", "en": "unknown equipment"},
    "connectors.reason.equipment.missing": {"ko": "설비 미지정", "en": "no equipment named"},
    # Settings of connections (the form's labels; connectors add their own fields here).
    "connectors.field.auto_create_signals": {
        "ko": "모르는 신호는 새로 만들기",
        "en": "Create unknown signals",
    },
    "connectors.field.auto_create_signals.help": {
        "ko": "끄면 등록되지 않은 신호의 값은 거부되고 '알 수 없는 신호'로 집계됩니다.",
        "en": "Off: values of signals not registered are rejected and counted as unknown.",
    },
    "connectors.field.equipment": {"ko": "설비 경로", "en": "Equipment path"},
    "connectors.field.equipment.help": {
        "ko": "설비를 지정하지 않은 데이터의 설비 (예: plant1/line1/press01).",
        "en": "Equipment of data that names none (e.g. plant1/line1/press01).",
    },
    "connectors.field.measurements": {"ko": "측정 이름 → 설비", "en": "Measurement → equipment"},
    "connectors.field.measurements.help": {
        "ko": '라인 프로토콜의 측정 이름별 설비 경로 (예: {"m1": "plant1/line1/press01"}).',
        "en": "Line protocol: the equipment path of each measurement name.",
    },
    "connectors.field.equipment_tag": {"ko": "설비 태그", "en": "Equipment tag"},
    "connectors.field.equipment_tag.help": {
        "ko": "라인 프로토콜에서 설비 경로를 담은 태그 이름.",
        "en": "Line protocol: the tag whose value is the equipment path.",
    },
}
