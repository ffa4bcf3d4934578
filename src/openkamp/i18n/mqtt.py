"""Texts of the MQTT connector (issue 10). Korean first, English beside it. Field labels are the
kind's own (``connectors.field.mqtt.<name>``: the connections page prefers them to the shared
``connectors.field.<name>``)."""

from __future__ import annotations

_F = "connectors.field.mqtt."

MESSAGES: dict[str, dict[str, str]] = {
    "connectors.kind.mqtt": {"ko": "MQTT 구독", "en": "MQTT subscriber"},
    # -- the connection form ----------------------------------------------------------------
    _F + "host": {"ko": "브로커 주소", "en": "Broker address"},
    _F + "host.help": {
        "ko": "MQTT 브로커(Mosquitto, EMQX, HiveMQ 등)의 IP 주소 또는 호스트 이름.",
        "en": "IP address or host name of the MQTT broker (Mosquitto, EMQX, HiveMQ …).",
    },
    _F + "port": {"ko": "포트", "en": "Port"},
    _F + "port.help": {
        "ko": "브로커 포트 (보통 1883, TLS는 8883).",
        "en": "Broker port (usually 1883; 8883 with TLS).",
    },
    _F + "client_id": {"ko": "클라이언트 ID", "en": "Client id"},
    _F + "client_id.help": {
        "ko": "브로커가 세션을 기억하는 고정 ID. 비워 두면 연결마다 하나를 씁니다. "
        "같은 ID를 두 곳에서 쓰지 마세요.",
        "en": "Fixed id under which the broker keeps the session; empty: one per connection. "
        "Never use one id in two places.",
    },
    _F + "username": {"ko": "사용자 이름", "en": "User name"},
    _F + "username.help": {"ko": "비워 두면 익명 접속.", "en": "Empty: anonymous."},
    _F + "password": {"ko": "비밀번호", "en": "Password"},
    _F + "tls": {"ko": "TLS 사용", "en": "Use TLS"},
    _F + "tls_ca_file": {"ko": "CA 인증서 파일", "en": "CA certificate file"},
    _F + "tls_ca_file.help": {
        "ko": "브로커 인증서를 확인할 CA 인증서(PEM) 경로. 비워 두면 시스템 인증서.",
        "en": "Path of the CA certificate (PEM) that signs the broker's; empty: the system's.",
    },
    _F + "tls_insecure": {"ko": "호스트 이름 확인 안 함", "en": "Skip host name check"},
    _F + "tls_insecure.help": {
        "ko": "시험용으로만 켜세요. 인증서의 이름과 주소가 달라도 접속합니다.",
        "en": "For testing only: connect even if the certificate names another host.",
    },
    _F + "protocol": {"ko": "MQTT 버전", "en": "MQTT version"},
    _F + "protocol.help": {
        "ko": "5 권장: 수신 최대치로 흐름을 제어합니다. 3.1.1은 오래된 브로커용.",
        "en": "5 is recommended (flow control by Receive Maximum); 3.1.1 for older brokers.",
    },
    _F + "keepalive_s": {"ko": "연결 유지 주기(초)", "en": "Keep-alive (s)"},
    _F + "keepalive_s.help": {
        "ko": "이 주기로 연결이 살아 있는지 확인합니다.",
        "en": "How often the connection is checked to be alive.",
    },
    _F + "session_expiry_s": {"ko": "세션 보관 시간(초)", "en": "Session expiry (s)"},
    _F + "session_expiry_s.help": {
        "ko": "플랫폼이 멈춘 동안 브로커가 메시지를 보관하는 시간 (기본 7일).",
        "en": "How long the broker keeps messages while the platform is away (7 days).",
    },
    _F + "receive_maximum": {"ko": "미확인 메시지 최대 수", "en": "Receive maximum"},
    _F + "receive_maximum.help": {
        "ko": "저장이 끝나지 않은 메시지를 이만큼까지만 받습니다. 나머지는 브로커가 보관합니다.",
        "en": "At most this many messages not yet stored; the broker keeps the rest.",
    },
    _F + "batch_messages": {"ko": "한 번에 저장할 메시지 수", "en": "Messages per write"},
    _F + "batch_messages.help": {
        "ko": "메시지를 모아 한 번에 저장하고, 저장이 끝난 뒤 확인 응답(PUBACK)을 보냅니다.",
        "en": "Messages are stored together; each is acknowledged (PUBACK) once stored.",
    },
    _F + "batch_ms": {"ko": "모으는 최대 시간(ms)", "en": "Longest gathering (ms)"},
    _F + "batch_ms.help": {
        "ko": "메시지가 적을 때 저장 전에 기다리는 최대 시간.",
        "en": "Longest wait for more messages before a write.",
    },
    _F + "max_messages_per_s_per_topic": {
        "ko": "토픽당 초당 최대 메시지",
        "en": "Max messages/s per topic",
    },
    _F + "max_messages_per_s_per_topic.help": {
        "ko": "한 토픽이 이보다 많이 보내면 넘는 메시지는 버리고 '토픽 폭주'로 집계합니다 (0: 제한 없음).",
        "en": "Messages of one topic beyond this are dropped and counted as a flood (0: no cap).",
    },
    _F + "rebirth_interval_s": {"ko": "재탄생 요청 간격(초)", "en": "Rebirth request interval (s)"},
    _F + "rebirth_interval_s.help": {
        "ko": "Sparkplug: 한 에지 노드에 재탄생(Rebirth)을 다시 요청하기까지 최소 시간.",
        "en": "Sparkplug: least time between two rebirth requests to one edge node.",
    },
    _F + "reconnect_max_s": {"ko": "재연결 최대 대기(초)", "en": "Longest reconnect wait (s)"},
    _F + "reconnect_max_s.help": {
        "ko": "브로커와 연결이 끊기면 점점 길게 기다리며 다시 연결합니다. 그 최대 시간.",
        "en": "After a lost connection, reconnects wait longer each time, up to this.",
    },
    _F + "subscriptions": {"ko": "구독 토픽과 매핑", "en": "Subscriptions and mapping"},
    _F + "subscriptions.help": {
        "ko": '토픽마다 하나: {"topic": "factory/{line}/{machine}/{signal}", '
        '"equipment": "plant1/{line}/{machine}", "signal": "{signal}"} (JSON), '
        '{"topic": "spBv1.0/plant1/#", "format": "sparkplug", '
        '"equipment_map": {"inj01": "plant1/line1/inj01"}} (Sparkplug B). '
        "{이름} 단계는 설비 경로와 신호에 쓸 수 있습니다.",
        "en": 'One per topic: {"topic": "factory/{line}/{machine}/{signal}", '
        '"equipment": "plant1/{line}/{machine}", "signal": "{signal}"} (JSON), '
        '{"topic": "spBv1.0/plant1/#", "format": "sparkplug", '
        '"equipment_map": {"inj01": "plant1/line1/inj01"}} (Sparkplug B). '
        "Named {levels} may be used in the equipment path and the signal.",
    },
    # -- what an MQTT connection counts --------------------------------------------------------
    "connectors.reason.mqtt.outage": {"ko": "브로커 연결 끊김", "en": "broker connection lost"},
    "connectors.reason.mqtt.flood": {"ko": "토픽 폭주 (버림)", "en": "topic flood (dropped)"},
    "connectors.reason.topic.unknown": {"ko": "알 수 없는 토픽", "en": "unknown topic"},
    "connectors.reason.sparkplug.rebirth": {
        "ko": "재탄생 요청 보냄 (Sparkplug)",
        "en": "rebirth requested (Sparkplug)",
    },
    "connectors.reason.payload.encoding": {"ko": "UTF-8이 아닌 내용", "en": "not UTF-8 text"},
    "connectors.reason.payload.json": {"ko": "JSON 형식 오류", "en": "malformed JSON"},
    "connectors.reason.payload.shape": {"ko": "알 수 없는 JSON 형식", "en": "unknown JSON form"},
    "connectors.reason.payload.value_type": {"ko": "숫자가 아닌 값", "en": "value not a number"},
    "connectors.reason.payload.value_null": {"ko": "빈 값(null)", "en": "null value"},
    "connectors.reason.payload.value_range": {
        "ko": "유한하지 않은 값 (NaN/무한대)",
        "en": "not a finite number",
    },
    "connectors.reason.payload.ts_missing": {"ko": "시간 없음", "en": "no timestamp"},
    "connectors.reason.payload.ts_format": {"ko": "읽을 수 없는 시간", "en": "unreadable time"},
    "connectors.reason.payload.ts_range": {
        "ko": "있을 수 없는 시간 (2000년 이전 또는 2100년 이후)",
        "en": "absurd time (before 2000 or after 2100)",
    },
    "connectors.reason.payload.protobuf": {
        "ko": "Sparkplug B 형식 오류 (protobuf)",
        "en": "malformed Sparkplug B (protobuf)",
    },
    "connectors.reason.payload.topic": {
        "ko": "Sparkplug 토픽 형식 오류",
        "en": "malformed Sparkplug topic",
    },
    "connectors.reason.payload.alias": {
        "ko": "선언되지 않은 메트릭 별칭",
        "en": "unknown metric alias",
    },
    "connectors.reason.payload.seq": {
        "ko": "순번 끊김 (메시지 유실)",
        "en": "sequence gap (messages lost)",
    },
    "connectors.reason.payload.non_numeric": {
        "ko": "숫자가 아닌 메트릭",
        "en": "metric not a number",
    },
}
