"""The settings of a test run (pytest.ini names them): the portal's own, read with the test services' defaults.

PostgreSQL and Redis on 127.0.0.1 unless DATABASE_URL / REDIS_URL say otherwise, a key for DEBUG=0, and a fresh
SKOROPIS_VAR that the session removes at its end unless one was given. They are set in the environment before
`portal.settings` reads it, so the workers and web servers the tests start read the same ones (with the test
database's DATABASE_URL: tests.processes.process_env). SKOROPIS_TEST_DB names the test database, so that two test
runs can share one server without clobbering each other.
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/skoropis")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret-" + "x" * 40)  # DEBUG=0 has no default key
os.environ.setdefault("IIIF_ALLOW_PRIVATE_HOSTS", "1")  # the IIIF tests' servers are on 127.0.0.1
TEST_VAR_IS_TEMPORARY = "SKOROPIS_VAR" not in os.environ
os.environ.setdefault("SKOROPIS_VAR", tempfile.mkdtemp(prefix="skoropis-test-"))
(Path(os.environ["SKOROPIS_VAR"]) / "staticfiles").mkdir(parents=True, exist_ok=True)  # whitenoise looks there

from portal.settings import *  # noqa: E402, F403

# Tests create many users: a fast hasher (the real one costs ~0.7 s a user on a busy 2-core machine).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if os.environ.get("SKOROPIS_TEST_DB"):
    DATABASES["default"]["TEST"] = {**DATABASES["default"].get("TEST", {}), "NAME": os.environ["SKOROPIS_TEST_DB"]}  # noqa: F405
