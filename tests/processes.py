"""Processes the tests start on loopback (an OpenID provider, an S3-compatible server, app servers):
each is waited for until it answers, and stopped by its own id, within a bounded time."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import requests

START_TIMEOUT = 60
STOP_TIMEOUT = 15


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return requests.get(url, timeout=2).status_code < 500
        except requests.RequestException:
            return False

    return check


def start(
    command: list[str],
    *,
    ready: Callable[[], bool],
    env: Mapping[str, str] | None = None,
    log: Path,
    cwd: Path | None = None,
) -> subprocess.Popen:
    """Start *command* (its output to *log*) and wait until *ready* says it answers.

    :raises RuntimeError: with the end of its log, when it exits or does not answer in time.
    """
    handle = log.open("wb")
    process = subprocess.Popen(
        command, stdout=handle, stderr=subprocess.STDOUT, env=dict(env) if env else None, cwd=cwd
    )
    handle.close()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        if ready():
            return process
        time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"{command[0]} did not answer within {START_TIMEOUT} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop one process by its id: SIGTERM, then SIGKILL if it has not ended in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)
