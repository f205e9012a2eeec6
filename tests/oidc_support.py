"""A real OpenID Connect provider for the tests: the npm package oidc-provider (tests/oidc/provider.mjs)
on loopback, with keys the tests make, and a helper that signs in at it as a browser would."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
from joserfc.jwk import RSAKey

from tests.processes import answers, free_port, start, stop

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
CLIENT_ID = "eia-test"
CLIENT_SECRET = "a-client-secret-for-the-tests-only-0123456789"
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')

#: People known to the provider, by the login typed at its sign-in page.
ACCOUNTS = {
    "new.starter": {"email": "new.starter@council.example", "email_verified": True, "name": "New Starter"},
    "equality.lead": {
        "email": "equality.lead@council.example",
        "email_verified": True,
        "name": "Equality Lead",
        "groups": ["staff", "eia-equalities"],
    },
    "unverified": {"email": "taken@council.example", "email_verified": False, "name": "Not Verified"},
    "no.email": {"name": "No Email"},
}


def private_jwk(kid: str) -> dict:
    key = RSAKey.generate_key(2048, private=True).as_dict(private=True)
    return {**key, "kid": kid, "alg": "RS256", "use": "sig"}


@dataclass
class OidcProvider:
    url: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def set_mode(self, mode: str) -> None:
        answer = requests.get(f"{self.url}/__test/mode", params={"set": mode}, timeout=10)
        assert answer.json() == {"mode": mode}


def node_available() -> bool:
    return shutil.which("node") is not None and (ROOT / "node_modules" / "oidc-provider").is_dir()


def run_provider(tmp: Path, redirect_uris: list[str]) -> Iterator[OidcProvider]:
    if not node_available():
        pytest.fail("node and node_modules/oidc-provider are needed: run `make install` (npm ci)")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    key = private_jwk("test-key-1")
    config = {
        "port": port,
        "issuer": issuer,
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        ],
        "jwks": {"keys": [key]},
        "otherKey": private_jwk("test-key-1"),
        "accounts": ACCOUNTS,
    }
    path = tmp / "oidc-provider.json"
    path.write_text(json.dumps(config))
    process = start(
        ["node", str(SCRIPT), str(path)],
        ready=answers(f"{issuer}/.well-known/openid-configuration"),
        log=tmp / "oidc-provider.log",
        cwd=ROOT,
    )
    try:
        yield OidcProvider(issuer)
    finally:
        stop(process)


def sign_in_at_provider(authorize_url: str, login: str, *, app_prefix: str) -> str:
    """Follow the provider's pages as a browser: sign in as *login*, agree, and return the URL the
    provider sends the browser back to (under *app_prefix*), without following it."""
    browser = requests.Session()
    url = authorize_url
    for _ in range(20):
        answer = browser.get(url, allow_redirects=False, timeout=10)
        while answer.is_redirect:
            url = urljoin(url, answer.headers["Location"])
            if url.startswith(app_prefix):
                return url
            answer = browser.get(url, allow_redirects=False, timeout=10)
        form = FORM_ACTION.search(answer.text)
        assert form, f"no form at {url}: {answer.status_code} {answer.text[:500]}"
        action = urljoin(url, unescape(form.group(1)))
        if 'name="login"' in answer.text:
            data = {"prompt": "login", "login": login, "password": "any"}
        else:
            data = {"prompt": "consent"}
        answer = browser.post(action, data=data, allow_redirects=False, timeout=10)
        assert answer.is_redirect, answer.text[:500]
        url = urljoin(action, answer.headers["Location"])
        if url.startswith(app_prefix):
            return url
    raise AssertionError("the provider never sent the browser back")
