"""Texts of ``openkamp migrate`` (issue 12, item 4): an embedded installation copied to PostgreSQL."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "err.migrate.not_postgresql": {
        "ko": "{url}은(는) PostgreSQL 데이터베이스 주소가 아닙니다.",
        "en": "{url} is not the address of a PostgreSQL database.",
    },
    "err.migrate.not_postgresql.hint": {
        "ko": "예: openkamp migrate --to postgresql://kamp@db-host/kamp",
        "en": "For example: openkamp migrate --to postgresql://kamp@db-host/kamp",
    },
    "err.migrate.same_store": {
        "ko": "이 설치는 이미 {url}을(를) 쓰고 있습니다. 옮길 것이 없습니다.",
        "en": "This installation already uses {url}: there is nothing to move.",
    },
    "err.migrate.target_not_empty": {
        "ko": "대상 데이터베이스에 이미 OpenKAMP 데이터가 있습니다({tables}). 아무것도 복사하지 "
        "않았습니다.",
        "en": "The target database already holds OpenKAMP data ({tables}); nothing was copied.",
    },
    "err.migrate.target_not_empty.hint": {
        "ko": "비어 있는 새 데이터베이스로 옮기세요(createdb kamp). 이전에 실패한 이전(migrate)의 "
        "데이터베이스라면 삭제하고 다시 만드세요.",
        "en": "Migrate into a new, empty database (createdb kamp); if this one is left from a "
        "failed earlier migration, drop and create it again.",
    },
    "err.migrate.server_running": {
        "ko": "이 데이터 폴더에서 서버가 실행 중입니다({url}). 실행 중에는 옮길 수 없습니다.",
        "en": "A server is running on this data folder ({url}); it cannot be moved while it runs.",
    },
    "err.migrate.server_running.hint": {
        "ko": "서버를 멈춘 뒤(Ctrl+C 또는 systemctl stop openkamp) 다시 실행하세요.",
        "en": "Stop the server (Ctrl+C, or systemctl stop openkamp), then run this again.",
    },
    "err.migrate.mismatch": {
        "ko": "복사한 데이터가 원본과 {n}곳에서 다릅니다. 위 표의 ✗ 행을 보세요. 이 설치를 "
        "PostgreSQL로 전환하지 마세요.",
        "en": "The copy differs from the source in {n} places (the ✗ rows above). Do not switch "
        "this installation to PostgreSQL.",
    },
    "migrate.copying": {"ko": "복사 중", "en": "Copying"},
    "migrate.stage.metadata": {"ko": "메타데이터", "en": "Metadata"},
    "migrate.stage.points": {"ko": "시계열 포인트", "en": "Time-series points"},
    "migrate.stage.labels": {"ko": "라벨", "en": "Labels"},
    "migrate.stage.rollups": {"ko": "롤업", "en": "Roll-ups"},
    "migrate.stage.verify": {"ko": "검증", "en": "Verifying"},
    "migrate.checks": {"ko": "검증 결과 (원본 → 대상)", "en": "Verification (source → target)"},
    "migrate.col.what": {"ko": "항목", "en": "What"},
    "migrate.col.source": {"ko": "원본 행", "en": "Source rows"},
    "migrate.col.target": {"ko": "대상 행", "en": "Target rows"},
    "migrate.col.checksum": {"ko": "체크섬", "en": "Checksum"},
    "migrate.col.value_sum": {"ko": "값 합계", "en": "Sum of values"},
    "migrate.col.time_sum": {"ko": "시각 합계(µs)", "en": "Sum of times (µs)"},
    "migrate.points_title": {
        "ko": "신호별 포인트 (개수, 값 합계, 시각 합계, 체크섬)",
        "en": "Points per signal (count, sum of values, sum of times, checksum)",
    },
    "migrate.done": {
        "ko": "이전 완료: 모든 개수와 체크섬이 일치합니다 ({seconds:.1f}초).",
        "en": "Migration done: every count and checksum matches ({seconds:.1f} s).",
    },
    "migrate.settings": {
        "ko": "이제 이 설치의 모든 프로세스를 다음 설정으로 시작하세요 (환경 변수 또는 .env):",
        "en": "From now on start every process of this installation with these settings "
        "(environment or .env):",
    },
    "migrate.data_dir_note": {
        "ko": "파일(files/), 키(keys/: 원장 서명 키와 공유 비밀), 채점 결과와 보고서는 데이터 "
        "폴더에 그대로 있습니다. 여러 서버에서 실행하면 이 폴더를 모든 프로세스가 같은 경로로 보는 "
        "공유 폴더로 옮기세요(rsync -a). 키가 다르면 원장 검증이 실패합니다. metadata.sqlite와 "
        "timeseries.duckdb는 더 이상 쓰이지 않습니다: 확인이 끝날 때까지 백업으로 두세요.",
        "en": "Files (files/), keys (keys/: the ledger's signing keys and the sharing secret), "
        "scored results and reports stay in the data folder. On several machines, move it to a "
        "shared folder every process sees at the same path (rsync -a): with other keys the "
        "ledger no longer verifies. metadata.sqlite and timeseries.duckdb are no longer used: "
        "keep them as a backup until you have checked the new installation.",
    },
}
