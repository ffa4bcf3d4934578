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
        "ko": "명령으로 고장 주입",
        "en": "Inject a fault from the command line",
    },
    "live_ui.inject_ui": {
        "ko": "고장 주입: 웹 화면 {url} 의 '시뮬레이터' 패널에서 (엔지니어·관리자)",
        "en": "Inject a fault: the 'Simulator' panel at {url} (engineers and administrators)",
    },
    "live_ui.rules_created": {
        "ko": "실시간 설비의 기본 알림 규칙 {n}개를 만들었습니다 (알림 페이지에서 바꿀 수 있습니다)",
        "en": "Created {n} default alert rules for the live machines (change them on the alerts page)",
    },
    # the simulator panel of the overview (the live demo only)
    "live_ui.sim.title": {"ko": "시뮬레이터", "en": "Simulator"},
    "live_ui.sim.intro": {
        "ko": "데모 공장의 실시간 설비에 고장을 주입합니다. 기본 알림 규칙이 몇 초 안에 알림을 띄웁니다.",
        "en": "Inject a fault into the demo factory's live machines: the default alert rules "
        "raise an alert within seconds.",
    },
    "live_ui.sim.fault": {"ko": "설비와 고장", "en": "Machine and fault"},
    "live_ui.sim.duration": {"ko": "지속 시간(초)", "en": "Duration (s)"},
    "live_ui.sim.inject": {"ko": "고장 주입", "en": "Inject fault"},
    "live_ui.sim.active": {"ko": "진행 중인 고장", "en": "Faults going on"},
    "live_ui.sim.none": {"ko": "진행 중인 고장이 없습니다.", "en": "No fault is going on."},
    "live_ui.sim.end": {"ko": "끝내기", "en": "End"},
    "live_ui.sim.until": {"ko": "{when}까지", "en": "until {when}"},
    "live_ui.sim.signals": {"ko": "바뀌는 신호", "en": "Signals it changes"},
    "live_ui.sim.no_rule": {
        "ko": "기본 규칙 없음: 모델로 감지",
        "en": "No default rule: a model detects it",
    },
    "live_ui.sim.injected": {
        "ko": "{machine}에 '{fault}' 고장을 주입했습니다.",
        "en": "Injected '{fault}' into {machine}.",
    },
    "live_ui.sim.ended": {"ko": "고장을 끝냈습니다.", "en": "The fault has ended."},
    "live_ui.fault.bearing_wear": {"ko": "베어링 마모", "en": "Bearing wear"},
    "live_ui.fault.cavitation": {"ko": "캐비테이션", "en": "Cavitation"},
    "live_ui.fault.leakage": {"ko": "유압 누유", "en": "Hydraulic leakage"},
    "live_ui.fault.sensor_drift": {"ko": "압력 센서 드리프트", "en": "Pressure sensor drift"},
    "live_ui.fault.stuck_sensor": {"ko": "유온 센서 고착", "en": "Oil temperature sensor stuck"},
    "live_ui.fault.tool_wear": {"ko": "공구 마모", "en": "Tool wear"},
    "live_ui.fault.heater_degradation": {"ko": "3존 히터 열화", "en": "Zone 3 heater degradation"},
    "live_ui.fault.check_ring_wear": {"ko": "체크 링 마모", "en": "Check ring wear"},
    "live_ui.fault.stirrer_slip": {"ko": "교반기 미끄러짐", "en": "Stirrer slip"},
    "live_ui.fault.temp_offset": {"ko": "용해 온도 편차", "en": "Melt temperature offset"},
    "err.simulator.not_running": {
        "ko": "이 서버에서 실행 중인 실시간 시뮬레이터가 없습니다.",
        "en": "No live simulator runs in this server for your organisation.",
    },
    "err.simulator.not_running.hint": {
        "ko": "./kamp demo(openkamp demo --serve)로 데모를 시작하세요.",
        "en": "Start the demo with ./kamp demo (openkamp demo --serve).",
    },
    "err.live.long_duration": {
        "ko": "화면에서 주입하는 고장은 최대 {limit}초까지입니다: {duration}",
        "en": "A fault injected from the UI lasts at most {limit} s: {duration}",
    },
    "err.live.no_injection": {
        "ko": "진행 중인 고장 #{id}이(가) 없습니다.",
        "en": "No injected fault #{id} is going on.",
    },
    "live_ui.state.running": {"ko": "가동", "en": "Running"},
    "live_ui.state.idle": {"ko": "대기", "en": "Idle"},
    "live_ui.state.down": {"ko": "정지", "en": "Down"},
    "live_ui.state.offline": {"ko": "연결 끊김", "en": "Offline"},
    "live_ui.live": {"ko": "실시간", "en": "Live"},
}
