"""The command line while the server runs on the same data folder: commands act through the
server (never "database is locked"), concurrently; the server's address and local credential
are in a 0600 file; the local route takes nothing but that credential."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

ENV = {"OPENKAMP_PASSWORD_HASH_MEMORY_KIB": "1024", "OPENKAMP_PASSWORD_HASH_TIME_COST": "1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cli(data: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **ENV, "COLUMNS": "160", "OPENKAMP_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "openkamp.cli.main", *args],
        capture_output=True, text=True, env=env, timeout=300, cwd=cwd,
    )  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, str]]:
    root = tmp_path_factory.mktemp("served")
    data = root / "data"
    port = free_port()
    env = {**os.environ, **ENV, "OPENKAMP_DATA_DIR": str(data), "OPENKAMP_PORT": str(port),
           "OPENKAMP_HOST": "127.0.0.1", "COLUMNS": "160"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "openkamp.cli.main", "serve"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            raise RuntimeError(
                f"the server did not start: {proc.stdout.read() if proc.stdout else ''}"
            )
        time.sleep(0.2)
    try:
        yield data, url, root
    finally:
        proc.terminate()
        try:
            out = proc.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            out = proc.communicate()[0]
        assert "admin / " in out  # serve printed the first login it created
        assert not (data / "server.json").exists()  # removed when the server stops


def test_the_server_file_is_private(server: tuple[Path, str, Path]) -> None:
    data, url, _ = server
    info = data / "server.json"
    assert stat.S_IMODE(info.stat().st_mode) == 0o600
    body = json.loads(info.read_text())
    assert body["url"] == url and len(body["secret"]) >= 32


def test_commands_act_through_the_running_server_concurrently(
    server: tuple[Path, str, Path],
) -> None:
    data, _, root = server
    for args in (("assets", "add", "site", "p1"), ("assets", "add", "line", "p1/l1"),
                 ("assets", "add", "equipment", "p1/l1/m1", "--type", "press"),
                 ("assets", "add", "equipment", "p1/l1/m2")):  # fmt: skip
        done = cli(data, root, *args)
        assert done.returncode == 0, done.stderr
    for name in ("m1", "m2"):
        (root / f"{name}.csv").write_text(
            "timestamp,pressure\n"
            + "".join(f"2026-03-02 00:{i // 60:02d}:{i % 60:02d},{i}\n" for i in range(600))
        )
    jobs = [
        ("import", "m1.csv", "-e", "p1/l1/m1", "--json"),  # a relative path: the user's folder
        ("import", "m2.csv", "-e", "p1/l1/m2", "--json"),
        ("assets", "tree"),
        ("imports", "list"),
        ("users", "list"),
    ]
    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda a: cli(data, root, *a), jobs))
    for args, done in zip(jobs, results, strict=True):
        text = done.stdout + done.stderr
        assert done.returncode == 0, (args, text)
        assert "locked" not in text.lower() and "Traceback" not in text
    for done in results[:2]:
        report = json.loads(done.stdout.strip().splitlines()[-1])
        assert (report["rows_read"], report["rows_stored"]) == (600, 600)
    assert "m1" in results[2].stdout and "admin" in results[4].stdout
    latest = cli(data, root, "query", "p1/l1/m2/pressure", "--latest")
    assert latest.returncode == 0 and "599" in latest.stdout
    exported = cli(data, root, "export", "p1/l1/m1/pressure", "-o", "out.csv")
    assert exported.returncode == 0, exported.stderr
    assert (root / "out.csv").read_text(encoding="utf-8-sig").count("\n") == 601
    # a second server on the same folder is refused in words
    again = cli(data, root, "serve")
    assert again.returncode == 2 and "이미 실행 중" in again.stderr
    # a mistake made through the server reads like one made locally
    wrong = cli(data, root, "assets", "delete", "nowhere")
    assert wrong.returncode == 2 and "오류" in wrong.stderr and "Traceback" not in wrong.stderr


def test_the_local_route_takes_only_the_local_credential(server: tuple[Path, str, Path]) -> None:
    data, url, _ = server
    body = {"argv": ["users", "list"]}
    assert httpx.post(url + "/api/v1/local/cli", json=body).status_code == 403
    forged = httpx.post(url + "/api/v1/local/cli", json=body, headers={"X-OpenKAMP-Local": "x"})
    assert forged.status_code == 403
    secret = json.loads((data / "server.json").read_text())["secret"]
    ok = httpx.post(url + "/api/v1/local/cli", json=body, headers={"X-OpenKAMP-Local": secret})
    assert ok.status_code == 200 and ok.json()["exit_code"] == 0
    assert "/local/" not in httpx.get(url + "/api/v1/openapi.json").text
