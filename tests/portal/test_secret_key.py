"""No known default SECRET_KEY in production: with DEBUG=0 the web server refuses to start without one; DEBUG=1 and
the embedded default (`make run`) keep working."""

import os
import stat
import subprocess
import sys

from portal import embedded
from portal.env import DEVELOPMENT_SECRET_KEY
from tests.processes import REPO, free_port

PRINT_KEY = "import portal.asgi; from django.conf import settings; print(settings.SECRET_KEY)"


def environment(**values: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    return {**env, **values}


def run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_the_web_server_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run(
        ["-m", "daphne", "-b", "127.0.0.1", "-p", str(free_port()), "portal.asgi:application"], environment(DEBUG="0")
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr and "DEBUG=1" in result.stderr


def test_with_debug_on_it_runs_on_the_development_key():
    result = run(["-c", PRINT_KEY], environment(DEBUG="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DEVELOPMENT_SECRET_KEY


def test_a_secret_key_from_the_environment_is_used_with_debug_off():
    result = run(["-c", PRINT_KEY], environment(DEBUG="0", SECRET_KEY="k" * 60))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "k" * 60


def test_the_embedded_default_draws_its_own_key_once_and_keeps_it_private(tmp_path):
    key = embedded.secret_key(tmp_path / "var")
    assert len(key) >= 50 and key != DEVELOPMENT_SECRET_KEY
    assert embedded.secret_key(tmp_path / "var") == key
    assert stat.S_IMODE((tmp_path / "var" / "secret-key").stat().st_mode) == 0o600
    assert embedded.secret_key(tmp_path / "other") != key
