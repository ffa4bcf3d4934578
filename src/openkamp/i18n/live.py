"""Texts of the live path (issue 10): live. Korean first, English beside it.

The payload codecs' reasons (``err.payload.<reason>``, see ``connectors.payloads.REASONS``) and
the live simulator's command-line texts (``live.*``).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Payload codecs: a message or reading left out, and why ({detail} is the English detail).
    "err.payload.encoding": {
        "ko": "UTF-8 텍스트가 아닌 메시지입니다.",
        "en": "The message is not UTF-8 text.",
    },
    "err.payload.json": {"ko": "JSON 형식이 아닌 메시지입니다.", "en": "The message is not JSON."},
    "err.payload.shape": {
        "ko": "지원하는 JSON 형식(단일 값, 묶음, 압축형)이 아닙니다.",
        "en": "The JSON is none of the supported forms (single value, batch, compact): {detail}",
    },
    "err.payload.value_type": {"ko": "숫자가 아닌 값입니다.", "en": "A value is not a number."},
    "err.payload.value_null": {"ko": "값이 비어 있습니다(null).", "en": "A value is empty (null)."},
    "err.payload.value_range": {
        "ko": "유한한 숫자가 아닌 값입니다(NaN, 무한대).",
        "en": "A value is not a finite number (NaN, infinity).",
    },
    "err.payload.ts_missing": {"ko": "시각이 없습니다.", "en": "The reading has no time."},
    "err.payload.ts_format": {
        "ko": "시각을 읽을 수 없습니다 (ISO 8601 또는 epoch 숫자).",
        "en": "The time cannot be read (ISO 8601 or an epoch number): {detail}",
    },
    "err.payload.ts_range": {
        "ko": "시각이 2000–2100년 밖입니다.",
        "en": "The time is outside the years 2000–2100: {detail}",
    },
    "err.payload.protobuf": {
        "ko": "Sparkplug B 메시지(protobuf)가 아닙니다.",
        "en": "The message is not a Sparkplug B payload (protobuf).",
    },
    "err.payload.topic": {
        "ko": "토픽이 설정된 형식과 맞지 않습니다.",
        "en": "The topic does not match the configured layout: {detail}",
    },
    "err.payload.alias": {
        "ko": "출생(BIRTH) 메시지에 없는 Sparkplug 별칭입니다. 재출생을 요청합니다.",
        "en": "A Sparkplug alias no birth message declared; a rebirth is requested.",
    },
    "err.payload.seq": {
        "ko": "Sparkplug 순번이 끊겼습니다(메시지 유실). 재출생을 요청합니다.",
        "en": "A gap in the Sparkplug sequence numbers (messages lost); a rebirth is requested.",
    },
    "err.payload.line": {
        "ko": "라인 프로토콜 줄을 읽을 수 없습니다.",
        "en": "A line protocol line cannot be read: {detail}",
    },
    "err.payload.string_field": {
        "ko": "문자열 필드는 저장하지 않습니다(숫자만 저장).",
        "en": "String fields are not stored (numbers only).",
    },
    "err.payload.non_numeric": {
        "ko": "숫자가 아닌 Sparkplug 지표는 저장하지 않습니다.",
        "en": "Sparkplug metrics that are not numbers are not stored.",
    },
    # openkamp simulate
    "live.title": {"ko": "OpenKAMP 가상 공장 가동 중", "en": "OpenKAMP simulated factory running"},
    "live.broker_started": {
        "ko": "MQTT 브로커(Mosquitto) 시작: {url}",
        "en": "MQTT broker (Mosquitto) started: {url}",
    },
    "live.inject_hint": {"ko": "고장 주입", "en": "Inject a fault"},
    "live.injected": {
        "ko": "고장 주입 예정: {equipment} — {fault}",
        "en": "Fault to be injected: {equipment} — {fault}",
    },
    "live.stopped": {
        "ko": "가상 공장을 멈췄습니다 (보낸 측정값 {readings:,}개).",
        "en": "The simulated factory stopped ({readings:,} readings sent).",
    },
    "err.live.no_machine": {
        "ko": "가상 공장에 '{equipment}' 설비가 없습니다. 있는 설비: {known}",
        "en": "The simulated factory has no machine '{equipment}'. Machines: {known}",
    },
    "err.live.no_fault": {
        "ko": "'{equipment}' 설비에는 '{fault}' 고장이 없습니다. 가능한 고장: {known}",
        "en": "Machine '{equipment}' has no fault '{fault}'. Faults: {known}",
    },
    "err.live.bad_duration": {
        "ko": "고장 지속 시간은 0보다 큰 초 단위 값이어야 합니다: {duration}",
        "en": "A fault's duration must be positive seconds: {duration}",
    },
    "err.live.bad_severity": {
        "ko": "고장 심각도는 0보다 크고 1 이하여야 합니다: {severity}",
        "en": "A fault's severity must be above 0 and at most 1: {severity}",
    },
    "err.live.bad_inject": {
        "ko": "--inject 값 '{value}'의 형식이 틀렸습니다. 설비:고장:초[@지연초] 형식으로 쓰세요.",
        "en": "--inject '{value}' is not machine:fault:seconds[@delay].",
    },
    "err.live.bad_opcua_user": {
        "ko": "--opcua-user 값 '{value}…'의 형식이 틀렸습니다. 로그인:비밀번호 형식으로 쓰세요.",
        "en": "--opcua-user '{value}…' is not login:password.",
    },
    "err.live.bad_json_form": {
        "ko": "--json-form '{value}'은(는) 지원하지 않습니다. batch, compact, single, none 중 하나를 쓰세요.",
        "en": "--json-form '{value}' is not supported: use batch, compact, single or none.",
    },
    "err.live.no_mosquitto": {
        "ko": "Mosquitto가 설치되어 있지 않습니다.",
        "en": "Mosquitto is not installed.",
    },
    "err.live.no_mosquitto.hint": {
        "ko": "Debian 패키지 mosquitto를 설치하세요 (apt-get install mosquitto).",
        "en": "Install the Debian package mosquitto (apt-get install mosquitto).",
    },
    "err.live.broker_failed": {
        "ko": "Mosquitto를 {address}에서 시작하지 못했습니다.",
        "en": "Mosquitto did not start on {address}.",
    },
    "err.live.broker_unreachable": {
        "ko": "MQTT 브로커 {address}에 연결할 수 없습니다.",
        "en": "Cannot reach the MQTT broker at {address}.",
    },
}
