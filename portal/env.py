"""Typed environment helpers that fail loudly at start-up on a malformed value (healthchecks style)."""

import os
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default


DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-set-SECRET_KEY-in-production"
MISSING_SECRET_KEY = (
    "SECRET_KEY is not set, and with DEBUG=0 the portal will not run on a default key anyone can read in its source. "
    "Set SECRET_KEY in the environment to a long random string "
    "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or DEBUG=1 on a development machine."
)


def secret_key_required() -> None:
    """Stop the web server at start-up when there is no SECRET_KEY (settings.py leaves it empty with DEBUG=0).

    Called from asgi.py rather than raised in settings.py: pytest-django reads the settings before
    tests/conftest.py can give the test suite its own key.
    """
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.SECRET_KEY  # noqa: B018 - Django raises on an empty key
    except ImproperlyConfigured:
        raise ImproperlyConfigured(MISSING_SECRET_KEY) from None


def redis_urls(redis_url: str) -> dict[str, str]:
    """Celery wants `redis+socket://` for a unix socket, redis-py and channels want `unix://`."""
    if redis_url.startswith("unix://"):
        path = redis_url[len("unix://") :]
        return {"redis": redis_url, "celery": f"redis+socket://{path}"}
    return {"redis": redis_url, "celery": redis_url}


def embedded_redis_socket(var_dir: Path) -> Path:
    """Where the embedded Redis listens. Unix socket paths are limited to ~107 bytes, so deep checkouts use /tmp."""
    import hashlib

    path = var_dir / "redis.sock"
    if len(str(path)) < 100:
        return path
    digest = hashlib.sha1(str(var_dir).encode()).hexdigest()[:12]
    return Path("/tmp") / f"skoropis-{digest}.sock"
