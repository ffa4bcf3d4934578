"""Texts of the live demo and the live overview (issue 10, points 4 and 7). Korean first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "live_ui.no_mosquitto": {
        "ko": "실시간 데이터에는 Mosquitto가 필요합니다 (apt-get install mosquitto). "
        "저장된 데모 데이터로 계속합니다.",
        "en": "Live data needs Mosquitto (apt-get install mosquitto). "
        "Continuing with the stored demo data.",
    },
    "live_ui.failed": {
        "ko": "실시간 시뮬레이터를 시작하지 못했습니다: {error}. 저장된 데모 데이터로 계속합니다.",
        "en": "The live simulator did not start: {error}. Continuing with the stored demo data.",
    },
    "live_ui.started": {
        "ko": "실시간 공장 가동 중: MQTT {mqtt} (JSON: {json}, Sparkplug B: {sparkplug}), "
        "OPC UA {opcua} ({opcua_machines})",
        "en": "Live factory running: MQTT {mqtt} (JSON: {json}, Sparkplug B: {sparkplug}), "
        "OPC UA {opcua} ({opcua_machines})",
    },
    "live_ui.inject_hint": {
        "ko": "고장 주입",
        "en": "Inject a fault",
    },
    "live_ui.state.running": {"ko": "가동", "en": "Running"},
    "live_ui.state.idle": {"ko": "대기", "en": "Idle"},
    "live_ui.state.down": {"ko": "정지", "en": "Down"},
    "live_ui.state.offline": {"ko": "연결 끊김", "en": "Offline"},
    "live_ui.live": {"ko": "실시간", "en": "Live"},
}
