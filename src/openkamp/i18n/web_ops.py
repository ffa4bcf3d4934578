"""Texts of the web area: overview, alerts, signal explorer, accounts pages (Korean first, English beside it)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # machine states (openkamp.alerts.status) and the overview
    "alerts.machines": {"ko": "설비 상태", "en": "Machine states"},
    "alerts.machines_order": {
        "ko": "확인이 필요한 설비가 먼저 나옵니다",
        "en": "machines that need attention come first",
    },
    "alerts.level.critical": {"ko": "긴급", "en": "Critical"},
    "alerts.level.warning": {"ko": "확인 필요", "en": "Check"},
    "alerts.level.ok": {"ko": "정상", "en": "OK"},
    "alerts.level.nodata": {"ko": "데이터 없음", "en": "No data"},
    "alerts.reason.nodata": {
        "ko": "아직 데이터가 없습니다.",
        "en": "No data yet.",
    },
    "alerts.reason.critical": {
        "ko": "긴급 알림이 열려 있습니다.",
        "en": "A critical alert is open.",
    },
    "alerts.reason.outside": {
        "ko": "최근 값이 허용 범위를 벗어났습니다.",
        "en": "A latest value is outside its limits.",
    },
    "alerts.reason.breaches": {
        "ko": "최근 하루 중 허용 범위를 벗어난 값이 있었습니다.",
        "en": "Readings left their limits during the last day of data.",
    },
    "alerts.reason.stale": {
        "ko": "데이터가 평소 간격보다 오래 들어오지 않았습니다.",
        "en": "No new data for much longer than usual.",
    },
    "alerts.reason.model": {
        "ko": "모델이 이상 또는 불량을 알렸습니다.",
        "en": "A model raised alarms or predicted defects.",
    },
    "alerts.reason.defect_rate": {
        "ko": "불량률이 평소보다 높습니다.",
        "en": "The defect rate is above the usual.",
    },
    "alerts.last_data": {"ko": "마지막 데이터", "en": "Last data"},
    "alerts.usual_spacing": {"ko": "평소 간격", "en": "usually every"},
    "alerts.every.seconds": {"ko": "{n}초", "en": "{n} s"},
    "alerts.every.minutes": {"ko": "{n}분", "en": "{n} min"},
    "alerts.every.hours": {"ko": "{n}시간", "en": "{n} h"},
    "alerts.ago.seconds": {"ko": "{n}초 전", "en": "{n} s ago"},
    "alerts.ago.minutes": {"ko": "{n}분 전", "en": "{n} min ago"},
    "alerts.ago.hours": {"ko": "{n}시간 전", "en": "{n} h ago"},
    "alerts.ago.days": {"ko": "{n}일 전", "en": "{n} days ago"},
    "alerts.today": {"ko": "오늘 생산", "en": "Produced today"},
    "alerts.last_day": {"ko": "최근 생산일 {day}", "en": "Last production day {day}"},
    "alerts.pieces": {"ko": "개", "en": "pieces"},
    "alerts.usual": {"ko": "평소", "en": "usual"},
    "alerts.defect_rate": {"ko": "불량률", "en": "Defect rate"},
    "alerts.daily_trend": {
        "ko": "최근 8일 생산량 추이",
        "en": "Production of the last 8 days",
    },
    "alerts.outside": {"ko": "범위 밖", "en": "outside limits"},
    "alerts.open_count": {"ko": "열린 알림 {n}건", "en": "{n} open"},
    "alerts.none": {"ko": "알림이 없습니다.", "en": "No alerts."},
    "alerts.acknowledge": {"ko": "확인함", "en": "Acknowledge"},
    "alerts.acknowledged": {"ko": "확인 처리했습니다.", "en": "acknowledged."},
    "alerts.what": {"ko": "내용", "en": "What"},
    "alerts.acknowledged_by": {"ko": "{who} 확인 ({at})", "en": "acknowledged by {who} ({at})"},
    "alerts.times": {"ko": "{n}회", "en": "{n} times"},
    "alerts.severity.info": {"ko": "알림", "en": "Info"},
    "alerts.severity.warning": {"ko": "주의", "en": "Warning"},
    "alerts.severity.critical": {"ko": "긴급", "en": "Critical"},
    "alerts.source.model": {"ko": "이상 감지 모델", "en": "anomaly model"},
    "alerts.source.defects": {"ko": "불량 예측 모델", "en": "defect model"},
    "alerts.source.stale": {"ko": "데이터 끊김", "en": "stale data"},
    "alerts.source.limit": {"ko": "허용 범위", "en": "limits"},
    # alert texts (kept as key + parameters in each alert, shown in the reader's language)
    "alerts.text.model": {
        "ko": "{model} v{version}: 측정 {rows:,}건 중 {alarms:,}건 이상 ({share}%)",
        "en": "{model} v{version}: {alarms:,} alarms in {rows:,} readings ({share}%)",
    },
    "alerts.text.defects": {
        "ko": "{model} v{version}: {rows:,}건 중 불량 예측 {defects:,}건 ({share}%)",
        "en": "{model} v{version}: {defects:,} predicted defects in {rows:,} rows ({share}%)",
    },
    "alerts.text.stale": {
        "ko": "{since} 이후 새 데이터가 없습니다.",
        "en": "No new data since {since}.",
    },
    "err.alerts.not_found": {"ko": "알림 #{id}이(가) 없습니다.", "en": "No alert #{id}."},
    "err.alerts.bad_status": {
        "ko": "알 수 없는 알림 상태 {status!r}입니다.",
        "en": "Unknown alert status {status!r}.",
    },
    "err.alerts.bad_status.hint": {
        "ko": "상태는 open(미확인), acknowledged(확인됨), closed(닫힘) 중 하나입니다.",
        "en": "A status is one of open, acknowledged, closed.",
    },
    "alerts.already_closed": {
        "ko": "알림 #{id}은(는) 이미 닫혀 있어 그대로 둡니다.",
        "en": "Alert #{id} is closed already; it stays closed.",
    },
    # signal explorer
    "explorer.from": {"ko": "시작", "en": "From"},
    "explorer.to": {"ko": "끝", "en": "To"},
    "explorer.apply": {"ko": "적용", "en": "Apply"},
    "explorer.quick": {"ko": "빠른 범위", "en": "Quick ranges"},
    "explorer.last_1h": {"ko": "최근 1시간", "en": "Last 1 h"},
    "explorer.last_8h": {"ko": "최근 8시간", "en": "Last 8 h"},
    "explorer.last_24h": {"ko": "최근 24시간", "en": "Last 24 h"},
    "explorer.last_7d": {"ko": "최근 7일", "en": "Last 7 days"},
    "explorer.live": {"ko": "실시간 따라가기", "en": "Follow live"},
    "explorer.live_help": {
        "ko": "새 데이터가 들어오면 다시 읽지 않고도 차트가 지금 시각까지 따라갑니다.",
        "en": "The chart moves to now and shows new data as it arrives, without reloading.",
    },
    "explorer.export": {"ko": "보이는 구간 CSV 내려받기", "en": "Download this view (CSV)"},
    "explorer.markers": {"ko": "불량 표시", "en": "Defect markers"},
    "explorer.markers_help": {
        "ko": "빨간 세로선: {label} ({n}건, 불량·알람)",
        "en": "Red lines: {label} ({n}, defects or alarms)",
    },
    "explorer.markers_many": {
        "ko": "{label} {n:,}건 (너무 많아 확대하면 표시됩니다)",
        "en": "{label}: {n:,} (zoom in to see them)",
    },
    "explorer.time": {"ko": "시간", "en": "Time"},
    "explorer.points": {"ko": "점", "en": "points"},
    "explorer.min": {"ko": "최소", "en": "min"},
    "explorer.max": {"ko": "최대", "en": "max"},
    "explorer.mean": {"ko": "평균", "en": "mean"},
    "explorer.value": {"ko": "값", "en": "value"},
    "err.explorer.too_many_points": {
        "ko": "이 구간에는 포인트가 {n:,}개 있어 내려받을 수 없습니다 (최대 {max:,}개).",
        "en": "The view holds {n:,} points; at most {max:,} can be downloaded.",
    },
    "err.explorer.too_many_points.hint": {
        "ko": "구간을 좁히거나 명령줄(openkamp export)로 내보내세요.",
        "en": "Zoom in, or export with the command line (openkamp export).",
    },
    "err.explorer.too_many_signals": {
        "ko": "한 번에 신호를 {max}개까지 내보낼 수 있습니다.",
        "en": "At most {max} signals can be exported at once.",
    },
    # command line (openkamp.cli): errors and the server it acts through
    "err.cli.server_running": {
        "ko": "이 데이터 폴더에서 서버가 이미 실행 중입니다.",
        "en": "A server is already running on this data folder.",
    },
    "err.cli.server_running.hint": {
        "ko": "브라우저로 열거나, 서버를 먼저 끄세요 (실행 중인 창에서 Ctrl+C).",
        "en": "Open it in the browser, or stop it first (Ctrl+C where it runs).",
    },
    "err.cli.server_running_at": {
        "ko": "이 데이터 폴더에서 서버가 이미 실행 중입니다: {url}",
        "en": "A server is already running on this data folder: {url}",
    },
    "err.cli.server_running_at.hint": {
        "ko": "브라우저로 열거나, 서버를 먼저 끄세요 (실행 중인 창에서 Ctrl+C).",
        "en": "Open it in the browser, or stop it first (Ctrl+C where it runs).",
    },
    "cli.usage_error": {"ko": "명령 사용법 오류", "en": "Usage error"},
    "cli.see_help": {"ko": "도움말: {command}", "en": "Help: {command}"},
    "cli.interrupted": {"ko": "중단했습니다.", "en": "Interrupted."},
    "cli.busy": {
        "ko": "다른 OpenKAMP 프로그램이 이 데이터 폴더를 쓰고 있습니다. 그 작업이 끝난 뒤 다시 실행하세요.",
        "en": "Another OpenKAMP process is using this data folder. Run the command again when it is done.",
    },
    "cli.unexpected": {
        "ko": "예상하지 못한 오류가 났습니다 ({kind}).",
        "en": "An unexpected error happened ({kind}).",
    },
    "cli.os_error": {
        "ko": "{path} 을(를) 쓸 수 없습니다: {reason}",
        "en": "Cannot use {path}: {reason}",
    },
    "cli.os_error.hint": {
        "ko": "경로가 맞는지, 폴더인지, 쓰기 권한이 있는지 확인하세요 (--data-dir 또는 OPENKAMP_DATA_DIR).",
        "en": "Check the path, that it is a folder, and that you may write there (--data-dir or OPENKAMP_DATA_DIR).",
    },
    "cli.logged": {"ko": "자세한 내용: {path}", "en": "Details: {path}"},
}
