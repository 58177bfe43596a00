"""The real processes tests talk to (Celery workers, the web server, Chromium), on the test database and Redis, and
waiting for their work. Used by conftest's session fixtures and by tests that start and kill processes of their own."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def database_url(settings_dict: dict) -> str:
    """The test database (as Django's connection names it) as a DATABASE_URL for a child process."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{settings_dict['NAME']}"


def process_env() -> dict:
    """This process's environment, pointed at the test database, for a worker or web server it starts."""
    from django.db import connection

    return {**os.environ, "DATABASE_URL": database_url(connection.settings_dict), "PYTHONUNBUFFERED": "1"}


def queues_purge() -> None:
    """Tasks left in the test broker by an interrupted earlier run would point at rows that no longer exist."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    queues = ["default", "gpu", "training"]
    priorities = [f"{queue}\x06\x16{step}" for queue in queues for step in (3, 6, 9)]  # kombu's lower priorities
    client.delete(*queues, *priorities, "unacked", "unacked_index")
    client.close()


def _queued(app, queue: str) -> int:
    """Messages waiting in `queue` on the broker (a queue that holds none may not exist there at all)."""
    from kombu.exceptions import ChannelError

    with app.connection_for_read() as conn:
        try:
            return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:
            return 0


def worker_idle_wait(timeout: float = 60) -> bool:
    """Wait until the test worker runs, holds and has queued nothing (True), or `timeout` passes (False).

    The worker runs one task at a time (--pool=solo) and answers the broker's inspection only between tasks; a reply
    with nothing reserved, over queues that hold nothing, is an idle worker."""
    from portal.celery import app
    from portal.embedded import ALL_QUEUES

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.inspect(timeout=1.0, limit=1).reserved()
        if replies is not None and not any(replies.values()):
            if not any(_queued(app, name) for name in ALL_QUEUES.split(",")):
                return True
        time.sleep(0.2)
    return False


def worker_start(env: dict, name: str, timeout: float = 120) -> subprocess.Popen:
    """A real worker on every queue (portal.embedded.worker_command, solo pool, on the CPU unless HTR_DEVICE says
    otherwise), its output in SKOROPIS_VAR/worker-NAME.log; returns once it is ready to take tasks."""
    from portal.embedded import worker_command

    log_path = Path(os.environ["SKOROPIS_VAR"]) / f"worker-{name}.log"
    with open(log_path, "w") as log:  # the worker keeps its own copy of the file open
        proc = subprocess.Popen(
            worker_command(name=name, heartbeat=False),
            cwd=REPO,
            env={"HTR_DEVICE": "cpu", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while "ready." not in log_path.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"worker {name} did not start:\n{log_path.read_text(errors='replace')[-4000:]}")
        time.sleep(0.3)
    return proc


def process_stop(proc: subprocess.Popen, timeout: float) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL if it is not gone within `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_job(job_id: int, timeout: float = 300, until=("done", "failed", "cancelled")):
    """Poll the Job row (the truth) until it reaches one of `until`; returns it."""
    from portal.jobs.models import Job

    deadline = time.monotonic() + timeout
    while True:
        job = Job.objects.get(pk=job_id)
        if job.status in until:
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job.status} after {timeout}s ({job.message})")
        time.sleep(0.5)


def wait_for_an_epoch(client, document, epoch_ended: Callable, timeout: float = 600):
    """Start a 10-minute training of `document` through the API and poll its Job row until `epoch_ended(job)` says
    an epoch ended (each test names what it watches); returns the still-running job."""
    from portal.jobs.models import Job

    response = client.post(f"/api/documents/{document.pk}/train/", {"minutes": 10}, format="json")
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    deadline = time.monotonic() + timeout
    while not epoch_ended(job := Job.objects.get(pk=job_id)):
        assert job.is_active and time.monotonic() < deadline, f"no epoch ended: {job.status} {job.error}"
        time.sleep(0.3)
    return job
