"""Texts of the Modbus TCP connector and of edge forwarding (issue 10). Korean first, English
beside it. Field labels follow the connections page's convention (``connectors.field.<name>``),
one text per field name for every kind: ``host``, ``port``, ``timeout_s`` are defined here once
and worded for any server (the MQTT connector's ``host`` and ``port`` use them too; defining
them again elsewhere fails at import)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- the connection form ----------------------------------------------------------------
    "connectors.field.host": {"ko": "서버 주소", "en": "Server address"},
    "connectors.field.host.help": {
        "ko": "서버(PLC, 게이트웨이, MQTT 브로커)의 IP 주소 또는 호스트 이름.",
        "en": "IP address or host name of the server (a PLC, a gateway, an MQTT broker).",
    },
    "connectors.field.port": {"ko": "포트", "en": "Port"},
    "connectors.field.port.help": {
        "ko": "TCP 포트 (Modbus 502, MQTT 1883, TLS는 보통 8883).",
        "en": "TCP port (Modbus 502, MQTT 1883, TLS usually 8883).",
    },
    "connectors.field.unit_id": {"ko": "유닛 ID", "en": "Unit id"},
    "connectors.field.unit_id.help": {
        "ko": "장치의 유닛(슬레이브) 번호. 게이트웨이 뒤 장치마다 다릅니다.",
        "en": "The device's unit (slave) id; each device behind a gateway has its own.",
    },
    "connectors.field.poll_period_s": {"ko": "읽기 주기(초)", "en": "Poll period (s)"},
    "connectors.field.poll_period_s.help": {
        "ko": "레지스터를 읽는 간격. 항목마다 period_s로 따로 정할 수 있습니다.",
        "en": "Seconds between reads; an entry may set its own period_s.",
    },
    "connectors.field.timeout_s": {"ko": "응답 대기(초)", "en": "Answer timeout (s)"},
    "connectors.field.timeout_s.help": {
        "ko": "이 시간 안에 응답이 없으면 시간 초과로 집계합니다.",
        "en": "A request not answered within this time is counted as a timeout.",
    },
    "connectors.field.merge_gap": {"ko": "병합 간격(레지스터)", "en": "Merge gap (registers)"},
    "connectors.field.merge_gap.help": {
        "ko": "요청을 합치기 위해 건너 읽을 수 있는 빈 레지스터 수 (0: 붙어 있는 주소만).",
        "en": "Unused registers a request may read across to merge (0: adjacent only).",
    },
    "connectors.field.reconnect_max_s": {
        "ko": "재연결 최대 대기(초)",
        "en": "Longest reconnect wait (s)",
    },
    "connectors.field.reconnect_max_s.help": {
        "ko": "연결이 끊기면 점점 길게 기다리며 다시 연결합니다. 그 최대 시간.",
        "en": "After a lost connection, reconnects wait longer each time, up to this.",
    },
    "connectors.field.registers": {"ko": "레지스터 맵", "en": "Register map"},
    "connectors.field.registers.help": {
        "ko": '신호마다 하나: {"signal": "pressure", "address": 0, "function": "holding", '
        '"type": "float32", "word_order": "big", "scale": 1, "unit": "bar"} '
        "(function: holding, input, coil, discrete; type: int16, uint16, int32, uint32, "
        "float32, float64; 값 = 원시값 / scale + offset).",
        "en": 'One per signal: {"signal": "pressure", "address": 0, "function": "holding", '
        '"type": "float32", "word_order": "big", "scale": 1, "unit": "bar"} '
        "(function: holding, input, coil, discrete; type: int16, uint16, int32, uint32, "
        "float32, float64; value = raw / scale + offset).",
    },
    # -- what a Modbus connection counts -------------------------------------------------------
    "connectors.note.modbus.outage": {"ko": "연결 끊김", "en": "connection lost"},
    "connectors.reason.modbus.timeout": {"ko": "응답 시간 초과", "en": "no answer in time"},
    "connectors.reason.modbus.illegal_function": {
        "ko": "지원하지 않는 기능 코드",
        "en": "illegal function",
    },
    "connectors.reason.modbus.illegal_address": {
        "ko": "없는 레지스터 주소",
        "en": "illegal data address",
    },
    "connectors.reason.modbus.illegal_value": {"ko": "잘못된 요청 값", "en": "illegal data value"},
    "connectors.reason.modbus.device_failure": {"ko": "장치 오류", "en": "device failure"},
    "connectors.reason.modbus.device_busy": {"ko": "장치 사용 중", "en": "device busy"},
    "connectors.reason.modbus.gateway_path": {
        "ko": "게이트웨이 경로 없음",
        "en": "gateway path unavailable",
    },
    "connectors.reason.modbus.gateway_target": {
        "ko": "게이트웨이 뒤 장치 응답 없음",
        "en": "gateway target did not answer",
    },
    "connectors.reason.modbus.exception": {"ko": "Modbus 예외 응답", "en": "Modbus exception"},
    "connectors.reason.modbus.short_answer": {"ko": "짧은 응답", "en": "answer too short"},
    "connectors.note.modbus.overrun": {
        "ko": "주기 안에 못 읽음 (건너뜀)",
        "en": "poll took longer than its period (skipped)",
    },
    # -- openkamp edge ---------------------------------------------------------------------
    "edge.running": {
        "ko": "엣지 전송 중: {remote} (종료: Ctrl+C)",
        "en": "Edge forwarding to {remote} (stop: Ctrl+C)",
    },
    "edge.stopped": {
        "ko": "엣지 종료. 큐에 남은 포인트 {points:,}개는 다음 시작 때 보냅니다.",
        "en": "Edge stopped; {points:,} points left in the queue go at the next start.",
    },
    "edge.state": {"ko": "상태", "en": "State"},
    "edge.state.running": {"ko": "실행 중", "en": "running"},
    "edge.state.stopped": {"ko": "멈춤", "en": "stopped"},
    "edge.queue_line": {
        "ko": "큐: 포인트 {points:,}개, {mb:.1f} MB, 가장 오래된 것 {age:.0f}초 전",
        "en": "Queue: {points:,} points, {mb:.1f} MB, oldest {age:.0f} s ago",
    },
    "edge.send_line": {
        "ko": "전송: 초당 {rate:,.0f} 포인트 (지금까지 {sent:,}개)",
        "en": "Sending: {rate:,.0f} points/s ({sent:,} so far)",
    },
    "edge.last_error": {"ko": "마지막 오류", "en": "Last error"},
    "err.edge.bad_connections": {
        "ko": "연결 파일 {path}을(를) 읽을 수 없습니다: {problem}",
        "en": "The connections file {path} cannot be read: {problem}",
    },
}
