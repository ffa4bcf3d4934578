"""``./kamp``: the demo set-up installs the platform only; the test set-up adds the test tools;
each installs once per version of pyproject.toml (a stub interpreter records what pip is asked)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def kamp(venv: Path, *args: str) -> list[str]:
    env = {**os.environ, "OPENKAMP_VENV": str(venv), "CI": "false"}
    done = subprocess.run(
        ["bash", str(ROOT / "kamp"), *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    log = venv / "pip.log"
    return log.read_text().splitlines() if log.exists() else []


def test_demo_installs_the_platform_only_and_tests_add_their_tools(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    stub = venv / "bin" / "python"
    stub.write_text(f'#!/bin/sh\necho "$*" >> "{venv}/pip.log"\n')
    stub.chmod(0o755)
    calls = kamp(venv, "setup")
    installs = [c for c in calls if "install --quiet -e" in c]
    assert installs == ["-m pip install --quiet -e ."]  # no [dev]: no test tools for a demo
    assert kamp(venv, "setup") == calls  # installed once per pyproject.toml
    calls = kamp(venv, "setup-test")
    assert [c for c in calls if "install --quiet -e" in c][-1] == "-m pip install --quiet -e .[dev]"
    assert kamp(venv, "setup-test") == calls
    assert kamp(venv, "setup") == calls  # the test install covers the platform too
