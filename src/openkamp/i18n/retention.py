"""Texts of the live path (issue 10): retention. Korean first, English beside it."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "retention.title": {"ko": "데이터 보관 기간", "en": "Data retention"},
    "retention.link": {
        "ko": "데이터 보관 기간 (원시 데이터, 분·시간 집계)",
        "en": "Data retention (raw points, per-minute and per-hour aggregates)",
    },
    "retention.intro": {
        "ko": "원시 측정값은 정한 기간만 보관하고, 분 단위·시간 단위 집계(개수, 최소, 최대, "
        "평균, 마지막 값)는 더 오래 보관할 수 있습니다. 원시 데이터가 지난 기간도 집계로 차트가 "
        "그려집니다. 비워 두면 영구 보관합니다.",
        "en": "Raw readings are kept for a set time; per-minute and per-hour aggregates (count, "
        "min, max, mean, last) can be kept longer. Periods whose raw readings are gone still "
        "chart from the aggregates. Leave a field empty to keep forever.",
    },
    "retention.default": {"ko": "조직 기본값", "en": "Organisation default"},
    "retention.signals": {"ko": "신호별 보관 기간", "en": "Per-signal retention"},
    "retention.signal": {"ko": "신호", "en": "Signal"},
    "retention.raw_days": {"ko": "원시 데이터 (일)", "en": "Raw points (days)"},
    "retention.minute_days": {"ko": "분 단위 집계 (일)", "en": "Per-minute aggregates (days)"},
    "retention.hour_days": {"ko": "시간 단위 집계 (일)", "en": "Per-hour aggregates (days)"},
    "retention.forever": {"ko": "영구", "en": "forever"},
    "retention.days": {"ko": "{days:,}일", "en": "{days:,} days"},
    "retention.save": {"ko": "저장", "en": "Save"},
    "retention.saved": {"ko": "보관 기간을 저장했습니다.", "en": "Retention saved."},
    "retention.clear": {"ko": "기본값으로", "en": "Use the default"},
    "retention.none_own": {
        "ko": "모든 신호가 조직 기본값을 따릅니다.",
        "en": "Every signal follows the organisation default.",
    },
    "retention.source.settings": {
        "ko": "설치 기본값 (조직 설정 없음)",
        "en": "Installation default (none set for the organisation)",
    },
    "retention.source.organisation": {"ko": "조직 설정", "en": "Set for the organisation"},
    "retention.admin_only": {
        "ko": "보관 기간은 관리자가 바꿀 수 있습니다.",
        "en": "Administrators can change retention.",
    },
    # openkamp retention (the command line)
    "cli.retention.dropped": {
        "ko": "보관 기간이 지난 데이터를 지웠습니다: 원시 {raw:,}점, 분 단위 집계 {minute:,}행, "
        "시간 단위 집계 {hour:,}행 (신호 {signals:,}개, {seconds}초)",
        "en": "Dropped the data past its retention: {raw:,} raw points, {minute:,} per-minute "
        "and {hour:,} per-hour aggregates ({signals:,} signals, {seconds} s)",
    },
    "cli.retention.keep_days": {
        "ko": "조직 기본값: 원시 데이터를 {days:,}일 보관합니다 (분·시간 단위 집계는 설정대로 "
        "남습니다).",
        "en": "Organisation default: raw points are kept {days:,} days (per-minute and per-hour "
        "aggregates stay as set).",
    },
    "err.retention.days": {
        "ko": "보관 일수는 1일에서 {most:,}일 사이여야 합니다 (비우면 영구 보관).",
        "en": "Days must be between 1 and {most:,} (empty: keep forever).",
    },
    "err.retention.order": {
        "ko": "더 거친 데이터는 더 세밀한 데이터보다 짧게 보관할 수 없습니다: "
        "원시 ≤ 분 단위 ≤ 시간 단위.",
        "en": "Coarser data cannot be kept shorter than finer data: raw <= per-minute <= per-hour.",
    },
    "err.retention.not_days": {
        "ko": "보관 일수는 숫자로 적어 주세요 (비우면 영구 보관).",
        "en": "Write the days as a number (empty: keep forever).",
    },
}
