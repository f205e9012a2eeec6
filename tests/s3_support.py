"""A real S3-compatible server for the tests: moto in server mode (``moto_server``) on loopback, and
the AWS_* variables that point boto3 at it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.processes import answers, free_port, start, stop

REGION = "eu-west-2"


@dataclass
class S3Server:
    endpoint: str
    environment: dict[str, str]

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def make_bucket(self, name: str) -> None:
        self.client().create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        answer = self.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in answer.get("Contents", []))


def run_s3_server(tmp: Path) -> Iterator[S3Server]:
    """``moto_server`` on a free port (stopped by its id at the end), and the environment for boto3."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    process = start(command, ready=answers(f"{endpoint}/moto-api/"), log=tmp / "moto.log")
    environment = {
        "AWS_ENDPOINT_URL_S3": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    try:
        yield S3Server(endpoint, environment)
    finally:
        stop(process)


def use_s3(monkeypatch: pytest.MonkeyPatch, server: S3Server) -> None:
    """Point this process's boto3 at *server* (and at nothing the machine has configured)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    for name, value in server.environment.items():
        monkeypatch.setenv(name, value)
