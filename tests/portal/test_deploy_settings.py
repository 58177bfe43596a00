"""The README's production recipe passes `manage.py check --deploy`: HTTPS, HSTS and secure cookies are set from
the environment, and a malformed value stops the start with a message naming the variable."""

import http.client
import os
import re
import secrets
import shlex
import subprocess
import sys

import pytest

from portal import embedded
from tests.processes import REPO, free_port

pytestmark = pytest.mark.timeout(300)
HTTPS_SETTINGS = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")


def readme_recipe() -> dict[str, str]:
    """The variables the README's production recipe exports (SECRET_KEY=... becomes a random key)."""
    section = (REPO / "README.md").read_text().split("## Production", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    recipe = {}
    for line in block.splitlines():
        if line.startswith("export "):
            for word in shlex.split(line, comments=True)[1:]:
                name, _, value = word.partition("=")
                recipe[name] = value
    recipe["SECRET_KEY"] = secrets.token_urlsafe(50)
    return recipe


def environment(recipe: dict[str, str]) -> dict:
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests' conftest sets it for this process, a deployment never does.
    keep = {
        k: v
        for k, v in os.environ.items()
        if not re.match(r"(SECURE_|SESSION_|CSRF_|DEBUG$|ALLOWED_HOSTS$|DJANGO_ALLOW_ASYNC_UNSAFE$)", k)
    }
    # The test services, not the recipe's example hosts (check --deploy connects to neither).
    return {**keep, **recipe, "DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"]}


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_the_readme_recipe_sets_every_https_setting():
    assert set(HTTPS_SETTINGS) <= set(readme_recipe())


def test_check_deploy_finds_no_issue_with_the_readme_recipe():
    result = check_deploy(environment(readme_recipe()))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_the_https_settings():
    recipe = {k: v for k, v in readme_recipe().items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    result = check_deploy(environment(recipe))
    assert result.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SECURE_SSL_REDIRECT", "maybe", "SECURE_SSL_REDIRECT='maybe' is not a boolean"),
        ("SECURE_HSTS_SECONDS", "1 year", "SECURE_HSTS_SECONDS='1 year' is not an integer"),
        ("SESSION_COOKIE_SECURE", "sure", "SESSION_COOKIE_SECURE='sure' is not a boolean"),
    ],
)
def test_a_malformed_value_stops_the_start_naming_the_variable(name, value, message):
    env = {**environment(readme_recipe()), name: value}
    result = subprocess.run(
        [sys.executable, "-c", "import portal.asgi"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert message in result.stderr


def get(port: int, path: str, headers: dict) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers={"Host": "archive.example.org", **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_behind_the_proxy_https_requests_are_served_securely_and_plain_http_is_redirected():
    """The recipe's web server (`run.py --proxy-headers`) with its settings: no redirect loop behind the proxy."""
    port = free_port()
    web = embedded.start_web(environment(readme_recipe()), "127.0.0.1", port, proxy_headers=True)
    try:
        secure = get(port, "/accounts/login/", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        assert secure.status == 200
        assert secure.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
        assert "Secure" in secure.getheader("Set-Cookie")
        plain = get(port, "/accounts/login/", {"X-Forwarded-Proto": "http"})
        assert plain.status == 301
        assert plain.getheader("Location") == "https://archive.example.org/accounts/login/"
    finally:
        embedded.stop([web])
