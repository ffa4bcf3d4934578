"""Texts of the live path (issue 10): alerting. Korean first, English beside it."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # alerts raised by live rules (openkamp.alerts.engine); params are preformatted text
    "alerting.text.score": {
        "ko": "{rule}: 모델 출력 {output} = {value} (기준 {level}), 주요 신호: {signals}",
        "en": "{rule}: model output {output} = {value} (level {level}), main signals: {signals}",
    },
    "alerting.text.limit": {
        "ko": "{rule}: {signal} 값 {value}{unit}이(가) 한계 {level}을(를) 벗어났습니다",
        "en": "{rule}: {signal} at {value}{unit} is beyond its limit {level}",
    },
    "alerting.text.rate": {
        "ko": "{rule}: {signal}이(가) {per}초에 {value}만큼 변했습니다 (기준 {level})",
        "en": "{rule}: {signal} changed by {value} in {per} s (level {level})",
    },
    "alerting.text.stale": {
        "ko": "{rule}: {signal} 데이터가 {age}초 넘게 들어오지 않습니다",
        "en": "{rule}: no data from {signal} for more than {age} s",
    },
    "alerting.text.offline": {
        "ko": "{rule}: 설비 {machine} 상태 {state}",
        "en": "{rule}: machine {machine} is {state}",
    },
    "alerting.text.model": {
        "ko": "{rule}: {machine} 실시간 이상 감지, 주요 신호: {signals}",
        "en": "{rule}: live anomaly on {machine}, main signals: {signals}",
    },
    "alerting.text.defect": {
        "ko": "{rule}: {machine} 실시간 불량 예측, 주요 신호: {signals}",
        "en": "{rule}: live predicted defect on {machine}, main signals: {signals}",
    },
    "alerting.text.test": {
        "ko": "OpenKAMP 시험 알림입니다 ({who} 님이 보냄).",
        "en": "This is an OpenKAMP test notification (sent by {who}).",
    },
    "alerting.event.opened": {"ko": "알림 발생", "en": "Alert opened"},
    "alerting.event.cleared": {"ko": "상황 해소", "en": "Condition cleared"},
    "alerting.event.test": {"ko": "시험 알림", "en": "Test notification"},
    "alerting.severity.info": {"ko": "정보", "en": "Info"},
    "alerting.severity.warning": {"ko": "경고", "en": "Warning"},
    "alerting.severity.critical": {"ko": "긴급", "en": "Critical"},
    # errors
    "err.alerting.bad_config": {
        "ko": "규칙 설정 '{field}' 값이 올바르지 않습니다.",
        "en": "The rule setting '{field}' is not valid.",
    },
    "err.alerting.needs_high": {
        "ko": "변화율 규칙에는 상한(high)이 필요합니다.",
        "en": "A rate rule needs high: the largest change allowed.",
    },
    "err.alerting.needs_age": {
        "ko": "데이터 끊김 규칙에는 허용 시간(max_age_s)이 필요합니다.",
        "en": "A stale rule needs max_age_s: the seconds a signal may stay silent.",
    },
    "err.alerting.rule_exists": {
        "ko": "'{name}' 이름의 규칙이 이미 있습니다.",
        "en": "An alert rule named '{name}' exists.",
    },
    "err.alerting.channel_exists": {
        "ko": "'{name}' 이름의 알림 채널이 이미 있습니다.",
        "en": "A notification channel named '{name}' exists.",
    },
    "err.alerting.bad_name": {
        "ko": "이름은 1~128자로 입력하세요.",
        "en": "Give a name of 1 to 128 characters.",
    },
    "err.alerting.bad_kind": {
        "ko": "알 수 없는 규칙 종류 '{kind}'입니다.",
        "en": "Unknown rule kind '{kind}'.",
    },
    "err.alerting.bad_channel_kind": {
        "ko": "알 수 없는 채널 종류 '{kind}'입니다 (webhook, email).",
        "en": "Unknown channel kind '{kind}' (webhook, email).",
    },
    "err.alerting.bad_severity": {
        "ko": "알 수 없는 심각도 '{severity}'입니다.",
        "en": "Unknown severity '{severity}'.",
    },
    "err.alerting.not_equipment": {
        "ko": "규칙은 공장이나 라인이 아니라 설비를 감시합니다.",
        "en": "A rule watches a machine, not a site or a line.",
    },
    "err.alerting.model_only": {
        "ko": "모델은 점수 규칙만 감시할 수 있습니다.",
        "en": "Only score rules watch a model.",
    },
    "err.alerting.model_task": {
        "ko": "{task} 모델은 실시간 데이터를 판정하지 않습니다.",
        "en": "A {task} model does not score live data.",
    },
    "err.alerting.needs_model": {
        "ko": "점수 규칙에는 모델이 필요합니다.",
        "en": "A score rule needs a model.",
    },
    "err.alerting.needs_signal": {
        "ko": "이 규칙에는 신호나 설비가 필요합니다.",
        "en": "This rule needs a signal or a machine.",
    },
    "err.alerting.needs_machine": {
        "ko": "설비 끊김 규칙에는 설비가 필요합니다.",
        "en": "An offline rule needs a machine.",
    },
    "err.alerting.comment_long": {
        "ko": "메모는 2,000자까지 쓸 수 있습니다.",
        "en": "A comment has at most 2,000 characters.",
    },
    "err.alerting.bad_channel": {
        "ko": "채널 설정 '{field}' 값이 올바르지 않습니다.",
        "en": "The channel setting '{field}' is not valid.",
    },
    "err.alerting.bad_number": {
        "ko": "'{field}'에는 숫자를 입력하세요.",
        "en": "Enter a number for '{field}'.",
    },
    "err.alerting.unknown_model": {
        "ko": "모델 #{id}이(가) 없습니다.",
        "en": "There is no model #{id}.",
    },
    "err.record.not_found.alert_rule": {
        "ko": "알림 규칙 #{id}이(가) 없습니다.",
        "en": "There is no alert rule #{id}.",
    },
    "err.record.not_found.notification_channel": {
        "ko": "알림 채널 #{id}이(가) 없습니다.",
        "en": "There is no notification channel #{id}.",
    },
    # the alerts page (openkamp.web.alerts_page)
    "alerting.nav": {"ko": "알림", "en": "Alerts"},
    "alerting.title": {"ko": "알림", "en": "Alerts"},
    "alerting.intro": {
        "ko": "실시간 규칙과 판정 결과에서 생긴 알림입니다. 확인(메모)하고, 처리가 끝나면 닫으세요.",
        "en": "Alerts from live rules and scored periods. Acknowledge them (with a comment) "
        "and close them once handled.",
    },
    "alerting.tab.current": {"ko": "진행 중", "en": "Current"},
    "alerting.tab.history": {"ko": "이력 (닫힌 알림 포함)", "en": "History (closed too)"},
    "alerting.status.open": {"ko": "미확인", "en": "Open"},
    "alerting.status.acknowledged": {"ko": "확인됨", "en": "Acknowledged"},
    "alerting.status.closed": {"ko": "닫힘", "en": "Closed"},
    "alerting.col.severity": {"ko": "심각도", "en": "Severity"},
    "alerting.col.alert": {"ko": "내용", "en": "Alert"},
    "alerting.col.machine": {"ko": "설비", "en": "Machine"},
    "alerting.col.signals": {"ko": "관련 신호", "en": "Signals"},
    "alerting.col.when": {"ko": "발생 / 마지막", "en": "First / last"},
    "alerting.col.status": {"ko": "상태", "en": "Status"},
    "alerting.col.handled": {"ko": "처리", "en": "Handling"},
    "alerting.active": {"ko": "진행 중", "en": "ongoing"},
    "alerting.cleared_at": {"ko": "해소 {when}", "en": "cleared {when}"},
    "alerting.ack_by": {"ko": "확인: {who} ({when})", "en": "acknowledged by {who} ({when})"},
    "alerting.closed_by": {"ko": "닫음: {who} ({when})", "en": "closed by {who} ({when})"},
    "alerting.comment": {"ko": "메모", "en": "Comment"},
    "alerting.acknowledge": {"ko": "확인", "en": "Acknowledge"},
    "alerting.close": {"ko": "닫기", "en": "Close"},
    "alerting.none": {"ko": "알림이 없습니다.", "en": "No alerts."},
    "alerting.rules": {"ko": "알림 규칙", "en": "Alert rules"},
    "alerting.rules_intro": {
        "ko": "조건이 정해진 시간 동안 이어지면 한 번 알리고, 해제 기준 안으로 돌아오면 끝납니다.",
        "en": "A rule fires once when its condition holds for the set time, and the episode "
        "ends when values are back inside the clear levels.",
    },
    "alerting.no_rules": {
        "ko": "규칙이 없습니다. 운영 중인 이상 감지 모델은 규칙 없이도 알립니다.",
        "en": "No rules. Production anomaly models raise alerts without one.",
    },
    "alerting.rule.name": {"ko": "규칙 이름", "en": "Rule name"},
    "alerting.rule.kind": {"ko": "종류", "en": "Kind"},
    "alerting.rule.target": {"ko": "대상", "en": "Watches"},
    "alerting.rule.settings": {"ko": "기준", "en": "Levels"},
    "alerting.rule.enabled": {"ko": "사용", "en": "Enabled"},
    "alerting.rule.disabled": {"ko": "사용 안 함", "en": "Disabled"},
    "alerting.rule.enable": {"ko": "켜기", "en": "Enable"},
    "alerting.rule.disable": {"ko": "끄기", "en": "Disable"},
    "alerting.rule.delete": {"ko": "삭제", "en": "Delete"},
    "alerting.rule.delete_confirm": {"ko": "이 규칙을 삭제할까요?", "en": "Delete this rule?"},
    "alerting.rule.add": {"ko": "규칙 추가", "en": "Add a rule"},
    "alerting.kind.score": {"ko": "모델 점수·확률", "en": "Model score / probability"},
    "alerting.kind.limit": {"ko": "상·하한", "en": "Limits"},
    "alerting.kind.rate": {"ko": "변화율", "en": "Rate of change"},
    "alerting.kind.stale": {"ko": "데이터 끊김", "en": "Stale signal"},
    "alerting.kind.offline": {"ko": "설비 오프라인", "en": "Machine offline"},
    "alerting.field.signal": {"ko": "신호", "en": "Signal"},
    "alerting.field.machine": {"ko": "설비", "en": "Machine"},
    "alerting.field.model": {"ko": "모델", "en": "Model"},
    "alerting.field.none": {"ko": "(없음)", "en": "(none)"},
    "alerting.field.high": {"ko": "상한", "en": "High"},
    "alerting.field.low": {"ko": "하한", "en": "Low"},
    "alerting.field.clear_high": {"ko": "해제 상한", "en": "Clear at or below"},
    "alerting.field.clear_low": {"ko": "해제 하한", "en": "Clear at or above"},
    "alerting.field.for_s": {"ko": "지속 시간(초)", "en": "For (s)"},
    "alerting.field.clear_for_s": {"ko": "해제 지속 시간(초)", "en": "Clear after (s)"},
    "alerting.field.output": {"ko": "모델 출력", "en": "Model output"},
    "alerting.field.states": {"ko": "설비 상태", "en": "Machine states"},
    "alerting.field.max_age_s": {"ko": "허용 공백(초)", "en": "Silent for (s)"},
    "alerting.field.per_s": {"ko": "변화율 기준 시간(초)", "en": "Per (s)"},
    "alerting.field.severity": {"ko": "심각도", "en": "Severity"},
    "alerting.channels": {"ko": "알림 채널", "en": "Notification channels"},
    "alerting.channels_intro": {
        "ko": "알림이 생기면 웹훅(JSON, HMAC 서명)이나 이메일(SMTP)로 보냅니다.",
        "en": "Alerts are sent by webhook (JSON, HMAC-signed) or e-mail (SMTP) when they open.",
    },
    "alerting.no_channels": {"ko": "채널이 없습니다.", "en": "No channels."},
    "alerting.channel.name": {"ko": "채널 이름", "en": "Channel name"},
    "alerting.channel.kind": {"ko": "종류", "en": "Kind"},
    "alerting.channel.where": {"ko": "보낼 곳", "en": "Sends to"},
    "alerting.channel.min_severity": {"ko": "최소 심각도", "en": "Least severity"},
    "alerting.channel.deliveries": {"ko": "전송", "en": "Deliveries"},
    "alerting.channel.counts": {
        "ko": "성공 {sent}, 실패 {failures}",
        "en": "{sent} sent, {failures} failed",
    },
    "alerting.channel.last_error": {"ko": "마지막 오류", "en": "Last error"},
    "alerting.channel.test": {"ko": "시험 전송", "en": "Send a test"},
    "alerting.channel.tested_ok": {
        "ko": "시험 알림을 보냈습니다.",
        "en": "The test notification was sent.",
    },
    "alerting.channel.tested_fail": {
        "ko": "시험 알림을 보내지 못했습니다: {error}",
        "en": "The test notification failed: {error}",
    },
    "alerting.channel.delete": {"ko": "삭제", "en": "Delete"},
    "alerting.channel.delete_confirm": {
        "ko": "이 채널을 삭제할까요?",
        "en": "Delete this channel?",
    },
    "alerting.channel.add": {"ko": "채널 추가", "en": "Add a channel"},
    "alerting.channel.webhook": {"ko": "웹훅", "en": "Webhook"},
    "alerting.channel.email": {"ko": "이메일", "en": "E-mail"},
    "alerting.channel.url": {"ko": "웹훅 주소", "en": "Webhook address"},
    "alerting.channel.secret": {"ko": "서명 키", "en": "Signing secret"},
    "alerting.channel.host": {"ko": "SMTP 서버", "en": "SMTP server"},
    "alerting.channel.port": {"ko": "포트", "en": "Port"},
    "alerting.channel.sender": {"ko": "보내는 주소", "en": "From"},
    "alerting.channel.to": {"ko": "받는 주소 (쉼표로 구분)", "en": "To (comma separated)"},
    "alerting.channel.starttls": {"ko": "STARTTLS 사용", "en": "Use STARTTLS"},
    "alerting.channel.username": {"ko": "로그인", "en": "Login"},
    "alerting.channel.password": {"ko": "비밀번호", "en": "Password"},
    "alerting.channel.on_clear": {
        "ko": "상황이 해소될 때도 알림",
        "en": "Also tell when a condition cleared",
    },
    "alerting.engineer_only": {
        "ko": "규칙과 채널은 엔지니어와 관리자가 바꿀 수 있습니다.",
        "en": "Engineers and administrators change rules and channels.",
    },
    "alerting.saved": {"ko": "저장했습니다.", "en": "Saved."},
    "alerting.edit": {"ko": "수정", "en": "Edit"},
    "alerting.save": {"ko": "저장", "en": "Save"},
    "alerting.secret_keep": {"ko": "비워 두면 그대로", "en": "Empty: unchanged"},
}
