"""Texts of the OPC UA connector (issue 10): its settings on the connection form, what it
counts, its errors, and the browse → review → apply page. Korean first, English beside it.
Field labels follow the connections page's convention (``connectors.field.<name>``); fields
shared with other connectors (``username``, ``password``, ``timeout_s``, ``reconnect_max_s``)
use the texts their first author wrote."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- the connection form ----------------------------------------------------------------
    "connectors.field.endpoint": {"ko": "엔드포인트 URL", "en": "Endpoint URL"},
    "connectors.field.endpoint.help": {
        "ko": "OPC UA 서버 주소. 예: opc.tcp://192.168.0.10:4840/",
        "en": "The OPC UA server's address, e.g. opc.tcp://192.168.0.10:4840/",
    },
    "connectors.field.security_policy": {"ko": "보안 정책", "en": "Security policy"},
    "connectors.field.security_policy.help": {
        "ko": "보안 없음 또는 Basic256Sha256 (서버가 제공하는 경우).",
        "en": "None or Basic256Sha256 (where the server offers it).",
    },
    "connectors.field.security_mode": {"ko": "보안 모드", "en": "Security mode"},
    "connectors.opcua.mode.None": {"ko": "보안 없음", "en": "None"},
    "connectors.opcua.mode.Sign": {"ko": "서명", "en": "Sign"},
    "connectors.opcua.mode.SignAndEncrypt": {"ko": "서명과 암호화", "en": "Sign and encrypt"},
    "connectors.field.security_mode.help": {
        "ko": "보안 없음, 서명, 또는 서명과 암호화 (서버가 제공하는 것).",
        "en": "None, Sign, or SignAndEncrypt.",
    },
    "connectors.field.client_certificate": {
        "ko": "클라이언트 인증서 (PEM)",
        "en": "Client certificate (PEM)",
    },
    "connectors.field.client_certificate.help": {
        "ko": "보안 채널에 쓰는 이 클라이언트의 애플리케이션 인스턴스 인증서. PEM 텍스트 전체를 "
        "붙여 넣습니다. 서버의 신뢰 목록에 있어야 합니다. 비우면 자체 서명 인증서를 만들어 씁니다.",
        "en": "This client's application instance certificate for secure channels: paste the "
        "whole PEM text. The server must trust it. Empty: a self-signed one is made.",
    },
    "connectors.field.client_private_key": {
        "ko": "클라이언트 개인 키 (PEM)",
        "en": "Client private key (PEM)",
    },
    "connectors.field.client_private_key.help": {
        "ko": "클라이언트 인증서의 RSA 개인 키. 저장 후에는 다시 보여 주지 않습니다.",
        "en": "The RSA private key of the client certificate; never shown again once saved.",
    },
    "connectors.field.client_key_password": {
        "ko": "개인 키 비밀번호",
        "en": "Private key password",
    },
    "connectors.field.client_key_password.help": {
        "ko": "암호화된 개인 키일 때만 입력합니다.",
        "en": "Only for an encrypted private key.",
    },
    "connectors.field.server_certificate": {
        "ko": "서버 인증서 (PEM)",
        "en": "Server certificate (PEM)",
    },
    "connectors.field.server_certificate.help": {
        "ko": "넣으면 이 인증서를 제시하는 서버에만 연결합니다 (다른 서버가 같은 주소를 가장하면 "
        "거부). 비우면 서버가 제시하는 인증서를 믿습니다.",
        "en": "When given, only a server presenting this certificate is accepted (an impostor at "
        "the address is refused). Empty: the certificate the server presents is trusted.",
    },
    "connectors.field.certificate_dir": {
        "ko": "자체 서명 인증서 폴더",
        "en": "Self-signed certificate folder",
    },
    "connectors.field.certificate_dir.help": {
        "ko": "클라이언트 인증서를 넣지 않았을 때 자체 서명 인증서를 한 번 만들어 보관하는 폴더. "
        "서버 관리자가 이 인증서를 신뢰 목록에 넣습니다. 비우면 임시 폴더.",
        "en": "Without a client certificate, where a self-signed one is made once and kept, for "
        "the server's administrator to trust. Empty: a temporary folder.",
    },
    "connectors.field.nodes": {"ko": "노드 매핑", "en": "Node mapping"},
    "connectors.field.nodes.help": {
        "ko": "노드 ID별 설비 경로와 신호. '서버 탐색'으로 자동 제안됩니다.",
        "en": "Equipment path and signal per node id; proposed by 'Browse a server'.",
    },
    "connectors.field.publishing_interval_ms": {
        "ko": "게시 간격(ms)",
        "en": "Publishing interval (ms)",
    },
    "connectors.field.publishing_interval_ms.help": {
        "ko": "서버가 변경된 값을 묶어 보내는 간격.",
        "en": "How often the server sends the changes it collected.",
    },
    "connectors.field.sampling_interval_ms": {
        "ko": "샘플링 간격(ms)",
        "en": "Sampling interval (ms)",
    },
    "connectors.field.sampling_interval_ms.help": {
        "ko": "서버가 값을 확인하는 간격 (0: 값이 바뀔 때마다).",
        "en": "How often the server samples each value (0: at every change).",
    },
    "connectors.field.queue_size": {"ko": "큐 크기", "en": "Queue size"},
    "connectors.field.queue_size.help": {
        "ko": "게시 간격 사이에 서버가 항목마다 보관하는 값의 수.",
        "en": "Values the server keeps per item between two publishes.",
    },
    "connectors.field.backfill": {"ko": "이력으로 공백 채우기", "en": "Backfill from history"},
    "connectors.field.backfill.help": {
        "ko": "연결이 끊긴 동안의 값을 재연결 후 서버 이력(HistoryRead)에서 읽어 옵니다.",
        "en": "After a disconnect, read the missed values from the server's history.",
    },
    "connectors.field.backfill_max_s": {
        "ko": "최대 채우기 기간(초)",
        "en": "Longest backfill (s)",
    },
    "connectors.field.backfill_max_s.help": {
        "ko": "이력에서 읽어 오는 가장 긴 기간.",
        "en": "The longest gap read back from history.",
    },
    "connectors.field.backfill_nodes_per_request": {
        "ko": "이력 요청당 노드 수",
        "en": "Nodes per history request",
    },
    "connectors.field.backfill_values_per_node": {
        "ko": "이력 요청당 노드별 값 수",
        "en": "Values per node and history request",
    },
    "connectors.field.watchdog_s": {"ko": "연결 확인 간격(초)", "en": "Liveness check (s)"},
    "connectors.field.watchdog_s.help": {
        "ko": "서버 상태를 읽어 끊긴 연결을 찾아내는 간격.",
        "en": "How often the server state is read to find a dead connection.",
    },
    "connectors.field.batch_points": {"ko": "쓰기 묶음(포인트)", "en": "Write batch (points)"},
    "connectors.field.flush_ms": {"ko": "쓰기 간격(ms)", "en": "Write interval (ms)"},
    # -- what the connection counts ---------------------------------------------------------
    "connectors.reason.opcua.bad_quality": {
        "ko": "품질 불량(Bad) 값",
        "en": "values of bad quality",
    },
    "connectors.reason.opcua.not_numeric": {"ko": "숫자가 아닌 값", "en": "values not numbers"},
    "connectors.reason.opcua.node_refused": {
        "ko": "서버가 거부한 노드",
        "en": "nodes the server refused",
    },
    "connectors.note.opcua.outage": {"ko": "서버 연결 끊김", "en": "server outages"},
    "connectors.note.opcua.backfilled": {
        "ko": "이력에서 채운 포인트",
        "en": "points backfilled from history",
    },
    "connectors.note.opcua.history_unavailable": {
        "ko": "이력이 없는 노드 (공백을 채우지 못함)",
        "en": "nodes without history (gap not backfilled)",
    },
    "connectors.note.opcua.server_timestamp": {
        "ko": "서버 시각으로 저장한 값 (소스 시각 없음)",
        "en": "values stored at the server's time (no source time)",
    },
    # -- errors ---------------------------------------------------------------------------
    "err.opcua.no_server": {
        "ko": "{endpoint} 에서 응답하는 OPC UA 서버가 없습니다.",
        "en": "No OPC UA server answers at {endpoint}.",
    },
    "err.opcua.no_server.hint": {
        "ko": "주소와 포트, 서버가 켜져 있는지, 방화벽을 확인하세요.",
        "en": "Check the address and port, that the server runs, and the firewall.",
    },
    "err.opcua.login_refused": {
        "ko": "OPC UA 서버 {endpoint} 가 로그인을 거부했습니다.",
        "en": "The OPC UA server {endpoint} refused the login.",
    },
    "err.opcua.login_refused.hint": {
        "ko": "사용자 이름과 비밀번호를 확인하세요. 익명 접속을 막은 서버도 있습니다.",
        "en": "Check the login and password; some servers refuse anonymous sessions.",
    },
    "err.opcua.timeout": {
        "ko": "OPC UA 서버 {endpoint} 가 제시간에 응답하지 않았습니다.",
        "en": "The OPC UA server {endpoint} did not answer in time.",
    },
    "err.opcua.security_refused": {
        "ko": "OPC UA 서버 {endpoint} 가 보안 설정을 거부했습니다.",
        "en": "The OPC UA server {endpoint} refused the security settings.",
    },
    "err.opcua.security_refused.hint": {
        "ko": "서버가 제공하는 보안 정책과 모드를 고르고, 서버에서 클라이언트 인증서를 "
        "신뢰하도록 하세요.",
        "en": "Choose a policy and mode the server offers, and have the server trust the "
        "client certificate.",
    },
    "err.opcua.security_unsupported": {
        "ko": "OPC UA 서버 {endpoint} 는 요청한 보안 정책과 모드를 제공하지 않습니다 "
        "(서버가 제공하는 것: {reason}).",
        "en": "The OPC UA server {endpoint} does not offer the security policy and mode asked "
        "(it offers: {reason}).",
    },
    "err.opcua.security_unsupported.hint": {
        "ko": "서버가 제공하는 보안 정책과 모드를 고르세요.",
        "en": "Choose a policy and mode the server offers.",
    },
    "err.opcua.certificate_refused": {
        "ko": "OPC UA 서버 {endpoint} 가 클라이언트 인증서를 받아들이지 않았습니다 ({reason}).",
        "en": "The OPC UA server {endpoint} refused the client certificate ({reason}).",
    },
    "err.opcua.certificate_refused.hint": {
        "ko": "서버 관리자가 이 클라이언트 인증서를 신뢰 목록에 넣어야 합니다. 인증서의 유효 기간과 "
        "애플리케이션 URI도 확인하세요.",
        "en": "The server's administrator must trust this client certificate; check also its "
        "validity dates and application URI.",
    },
    "err.opcua.certificate_invalid": {
        "ko": "OPC UA 연결의 인증서나 개인 키를 쓸 수 없습니다: {reason}",
        "en": "The certificate or private key of the OPC UA connection cannot be used: {reason}",
    },
    "err.opcua.certificate_invalid.hint": {
        "ko": "PEM 형식의 인증서와 그 인증서의 RSA 개인 키를 넣으세요.",
        "en": "Give a PEM certificate and the RSA private key that belongs to it.",
    },
    "err.opcua.server_certificate_mismatch": {
        "ko": "OPC UA 서버 {endpoint} 의 인증서가 설정된 서버 인증서와 다릅니다 "
        "(SHA-1 지문, 제시된 것 / 설정된 것: {reason}).",
        "en": "The OPC UA server {endpoint} presents another certificate than the one configured "
        "(SHA-1 thumbprints, presented / configured: {reason}).",
    },
    "err.opcua.server_certificate_mismatch.hint": {
        "ko": "서버 인증서가 바뀌었다면 새 인증서를 넣고, 아니라면 다른 장비가 서버를 가장하는지 "
        "확인하세요.",
        "en": "If the server's certificate was renewed, configure the new one; otherwise check "
        "that no other device poses as the server.",
    },
    "err.opcua.session_failed": {
        "ko": "OPC UA 서버 {endpoint} 와 세션을 열지 못했습니다.",
        "en": "No session could be opened with the OPC UA server {endpoint}.",
    },
    "err.opcua.failed": {
        "ko": "OPC UA 서버 {endpoint} 를 탐색하지 못했습니다.",
        "en": "The OPC UA server {endpoint} could not be browsed.",
    },
    "err.opcua.too_many_nodes": {
        "ko": "서버의 Objects 아래 노드가 {max}개를 넘습니다.",
        "en": "The server has more than {max} nodes under Objects.",
    },
    "err.opcua.nothing_selected": {
        "ko": "선택된 신호가 없습니다. 신호를 하나 이상 고르세요.",
        "en": "Nothing is selected: choose at least one signal.",
    },
    "err.opcua.connection_exists": {
        "ko": "'{name}' 이름의 연결이 이미 있습니다.",
        "en": "A connection named '{name}' exists already.",
    },
    # -- the browse → review → apply page -------------------------------------------------
    "opcua.browse.title": {"ko": "OPC UA 서버 탐색", "en": "Browse an OPC UA server"},
    "opcua.browse.intro": {
        "ko": "서버의 주소 공간을 읽어 사이트·라인·설비·신호(단위, 범위 포함)를 제안합니다. "
        "검토하고 고친 뒤 적용하면 자산과 연결이 만들어집니다.",
        "en": "Reads the server's address space and proposes sites, lines, equipment and "
        "signals with units and ranges. Review, edit, and apply to create the assets and the "
        "connection.",
    },
    "opcua.browse.button": {"ko": "탐색", "en": "Browse"},
    "opcua.browse.link": {"ko": "OPC UA 서버 탐색", "en": "Browse an OPC UA server"},
    "opcua.review.title": {"ko": "제안된 자산 검토", "en": "Review the proposed assets"},
    "opcua.review.summary": {
        "ko": "노드 {nodes}개, 신호 {signals}개 제안 (숫자가 아닌 변수 {skipped}개 제외), "
        "{seconds}초",
        "en": "{nodes} nodes, {signals} signals proposed ({skipped} non-numeric variables left "
        "out), {seconds} s",
    },
    "opcua.review.key": {"ko": "키", "en": "Key"},
    "opcua.review.name_ko": {"ko": "한국어 이름", "en": "Korean name"},
    "opcua.review.name_en": {"ko": "영어 이름", "en": "English name"},
    "opcua.review.unit": {"ko": "단위", "en": "Unit"},
    "opcua.review.range": {"ko": "범위", "en": "Range"},
    "opcua.review.history": {"ko": "이력", "en": "History"},
    "opcua.review.node": {"ko": "노드 ID", "en": "Node id"},
    "opcua.review.use": {"ko": "사용", "en": "Use"},
    "opcua.review.connection_name": {"ko": "연결 이름", "en": "Connection name"},
    "opcua.review.apply": {"ko": "적용", "en": "Apply"},
    "opcua.review.equipment": {"ko": "설비", "en": "Equipment"},
    "opcua.review.line": {"ko": "라인", "en": "Line"},
    "opcua.review.site": {"ko": "사이트", "en": "Site"},
    "opcua.login": {"ko": "사용자 이름 (비우면 익명)", "en": "Login (empty: anonymous)"},
    "opcua.password": {"ko": "비밀번호", "en": "Password"},
    "opcua.review.password_again": {
        "ko": "연결에 저장할 비밀번호를 다시 입력하세요 (화면에 남기지 않습니다).",
        "en": "Type the password again for the connection (it is not kept in the page).",
    },
    "opcua.review.yes": {"ko": "있음", "en": "yes"},
    "opcua.review.no": {"ko": "없음", "en": "no"},
    "opcua.applied": {
        "ko": "자산 {created}개를 만들고 신호 {signals}개를 연결했습니다.",
        "en": "Created {created} assets and connected {signals} signals.",
    },
}
