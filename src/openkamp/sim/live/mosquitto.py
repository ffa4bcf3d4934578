"""A private Mosquitto broker on a free local port, for ``openkamp simulate --broker-start`` and
the tests: :func:`run_broker` writes a config file in a temporary folder, starts
``/usr/sbin/mosquitto`` (or the one on ``PATH``), waits until it accepts connections and stops it
on exit.

With ``die_with_parent`` (the live demo's broker) the broker ends with the thread that started
it, also when the process is killed (SIGKILL, a SIGTERM that skips the clean-up): Linux's parent
death signal, so a killed ``openkamp demo --serve`` leaves no broker running behind it.

Tests call :func:`broker_or_skip`: without Mosquitto they are skipped with the reason, except
under ``CI=true``, where a missing broker is a failure (the issue: in CI a missing server is a
failure, never a skip).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openkamp.core.errors import ConfigError

DEFAULT_PATHS = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/opt/homebrew/sbin/mosquitto")


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    #: The broker's folder (config, persistence, log).
    folder: Path
    pid: int

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


def find_mosquitto() -> str | None:
    """The Mosquitto executable, or None."""
    for path in DEFAULT_PATHS:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("mosquitto")


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout_s: float = 10.0) -> None:
    """Wait until something accepts TCP connections at ``host:port``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"nothing listens on {host}:{port} after {timeout_s} s"
                ) from None
            time.sleep(0.05)


def _parent_death_signal() -> Callable[[], None] | None:
    """What the child runs before ``exec`` to be sent SIGTERM when the thread that started it
    ends (Linux's ``prctl(PR_SET_PDEATHSIG)``); looked up here, in the parent, so the child
    only makes the call. None elsewhere."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def child() -> None:  # pragma: no cover - runs in the child process
        prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0)

    return child


@contextlib.contextmanager
def run_broker(
    port: int | None = None,
    *,
    host: str = "127.0.0.1",
    persistence: bool = True,
    folder: Path | None = None,
    executable: str | None = None,
    die_with_parent: bool = False,
) -> Iterator[Broker]:
    """Run Mosquitto on ``host:port`` (a free port by default) until the block ends.

    ``persistence`` keeps QoS 1 sessions and queued messages across a restart of the broker in
    the same ``folder`` (pass the folder of an earlier broker to restart it).
    ``die_with_parent``: the broker also ends when the thread that started it ends or the
    process dies, however (Linux; elsewhere only the block's end stops it).
    """
    exe = executable or find_mosquitto()
    if exe is None:
        raise ConfigError(
            "Mosquitto is not installed.",
            hint="Install the Debian package 'mosquitto' (apt-get install mosquitto).",
            code="live.no_mosquitto",
        )
    port = port or free_port(host)
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="openkamp-mqtt-")))
        folder.mkdir(parents=True, exist_ok=True)
        conf = folder / "mosquitto.conf"
        conf.write_text(
            "\n".join(
                [
                    f"listener {port} {host}",
                    "allow_anonymous true",
                    # Run as root, Mosquitto would switch to user "mosquitto", which cannot write
                    # the private folder; as anyone else this line has no effect.
                    f"user {getpass.getuser()}",
                    f"persistence {'true' if persistence else 'false'}",
                    f"persistence_location {folder}/",
                    "autosave_interval 1",
                    "max_queued_messages 1000000",
                    "max_inflight_messages 0",
                    f"log_dest file {folder}/mosquitto.log",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        proc = subprocess.Popen(
            [exe, "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_parent_death_signal() if die_with_parent else None,
        )
        try:
            try:
                wait_for_port(host, port)
            except TimeoutError:
                proc.kill()
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise ConfigError(
                    f"Mosquitto did not start on {host}:{port}: {err.strip()[:300]}",
                    code="live.broker_failed",
                    params={"address": f"{host}:{port}"},
                ) from None
            yield Broker(host, port, folder, proc.pid)
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if proc.stderr:
                proc.stderr.close()


def broker_or_skip() -> str:
    """For tests: the Mosquitto executable; skips without it, fails under ``CI=true``."""
    import pytest

    exe = find_mosquitto()
    if exe is None:
        reason = "Mosquitto is not installed (apt-get install mosquitto)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}: in CI a missing broker is a failure")
        pytest.skip(reason)
    return exe
