"""What the portal benchmarks share: a throw-away PostgreSQL database, a temporary var/ dir, Django set up on them,
and real server / worker processes started on the same environment."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BenchEnvironment:
    """`with BenchEnvironment("bench_x") as env:` → a fresh database `<server>/<name>`, dropped on exit."""

    def __init__(self, name: str, server: str | None = None, redis_url: str | None = None):
        self.server = server or os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
        self.name = name
        self.redis_url = redis_url or os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
        self.var = Path(tempfile.mkdtemp(prefix=f"skoropis-{name}-"))
        self.procs: list[subprocess.Popen] = []
        url = urlparse(self.server)
        self.database_url = url._replace(path=f"/{name}").geturl()
        self.env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "SKOROPIS_VAR": str(self.var),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),  # DEBUG=0 has no default key
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
        }

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(sql)

    def __enter__(self) -> BenchEnvironment:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=self.env, check=True
        )
        os.environ.update(
            {
                k: v
                for k, v in self.env.items()
                if k
                in ("DATABASE_URL", "REDIS_URL", "SKOROPIS_VAR", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "LOG_LEVEL")
            }
        )
        sys.path.insert(0, str(REPO))
        import django

        django.setup()
        return self

    def start(self, args: list[str], log_name: str, ready, timeout: float = 180) -> subprocess.Popen:
        """Start a process; `ready` is a text its log prints once up, or a function that says so."""
        log_path = self.var / f"{log_name}.log"
        proc = subprocess.Popen(args, cwd=REPO, env=self.env, stdout=open(log_path, "w"), stderr=subprocess.STDOUT)
        self.procs.append(proc)
        deadline = time.monotonic() + timeout
        is_ready = ready if callable(ready) else (lambda: ready in log_path.read_text(errors="replace"))
        while not is_ready():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{log_name} did not start:\n{log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        return proc

    def start_web(self, port: int, processes: int | None = None) -> subprocess.Popen:
        """The portal's web server as `scripts/run.py` starts it (portal/webserver.py: `processes` daphnes on one
        socket, None: WEB_PROCESSES or one per CPU); the port accepts connections once every process has loaded."""

        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        args = [
            sys.executable,
            "-m",
            "portal.webserver",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            *(["--processes", str(processes)] if processes is not None else []),
            "portal.asgi:application",
        ]
        return self.start(args, "web", listening)

    def start_worker(self) -> subprocess.Popen:
        from portal.embedded import worker_command

        return self.start(worker_command(name=f"bench-{os.getpid()}", heartbeat=False), "worker", "ready.")

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        from django.db import connections

        connections.close_all()
        if not os.environ.get("BENCH_KEEP"):
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            shutil.rmtree(self.var, ignore_errors=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
