#!/usr/bin/env python
"""Line-save latency seen by editors: N concurrent clients PATCH /api/lines/{id}/text/ on the portal's real web server
(portal/webserver.py, as `scripts/run.py` starts it) over PostgreSQL (a fresh database, dropped afterwards), each
correcting its own line of the same page over and over.

    python benchmarks/editor_save_latency.py --clients 50 --saves 20                 # saturation: as fast as answered
    python benchmarks/editor_save_latency.py --clients 50 --rate 1 --seconds 30      # each editor saves once a second

Prints p50 / p95 / p99 / max latency, saves per second and any error, the CPU a save costs in the web server and in
PostgreSQL (from /proc, so meaningful on a busy machine too) with the rate the machine's cores could sustain on that
CPU alone, then checks every line's history: one revision per save answered 200, versions consecutive (nothing lost,
nothing applied twice). Needs PostgreSQL
(BENCH_POSTGRES, default postgres://postgres@127.0.0.1:5432/postgres) and Redis (BENCH_REDIS_URL, default
redis://127.0.0.1:6379/6).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from benchmarks.portal_bench_env import BenchEnvironment, free_port, percentile  # noqa: E402


def make_archive(clients: int) -> tuple[list[str], list[int]]:
    """One project, one page with a line per client, one editor (and token) per client."""
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from portal.archive.models import Document, Line, Membership, Page, Project
    from portal.archive.services import layer_for_model, transcription_write

    User = get_user_model()
    owner = User.objects.create_user("owner")
    project = Project.objects.create(name="Bench", owner=owner)
    document = Document.objects.create(project=project, title="Letters", created_by=owner)
    page = Page.objects.create(document=document, number=1, image="x.jpg", width=2000, height=60 * clients + 100)
    layer = layer_for_model(document=document, model_name="bench-model")
    tokens, line_ids = [], []
    with transaction.atomic():
        for i in range(clients):
            user = User.objects.create_user(f"editor{i}")
            Membership.objects.create(project=project, user=user, role="editor")
            tokens.append(Token.objects.create(user=user).key)
            line = Line.objects.create(page=page, order=i, polygon=[[0, 60 * i], [2000, 60 * i], [2000, 60 * i + 50]])
            transcription_write(
                line=line,
                layer=layer,
                text=f"строка {i} прочтена машиной",
                model_name="bench-model",
                confidences=[0.8] * len(f"строка {i} прочтена машиной"),
            )
            line_ids.append(line.pk)
    return tokens, line_ids


def client_loop(base: str, token: str, line_id: int, args, start: threading.Barrier, out: dict) -> None:
    """One editor correcting their line: `args.saves` times, or for `args.seconds`; at `args.rate` saves a second
    (0: the next as soon as the last is answered). Each save names the version the last one returned."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    version, saved = 1, 0
    start.wait()
    began = time.perf_counter()
    offset = random.random() / args.rate if args.rate else 0.0  # editors do not all type in step
    k = 0
    while (time.perf_counter() - began < args.seconds) if args.seconds else (k < args.saves):
        if args.rate:
            time.sleep(max(0.0, began + offset + k / args.rate - time.perf_counter()))
        body = {"text": f"строка исправлена {k}", "version": version}
        k += 1
        t0 = time.perf_counter()
        try:
            response = session.patch(f"{base}/api/lines/{line_id}/text/", json=body, timeout=120)
        except requests.RequestException as exc:
            out["errors"].append(repr(exc))
            continue
        out["latencies"].append(time.perf_counter() - t0)
        if response.status_code == 200:
            version = response.json()["version"]
            saved += 1
        else:
            out["errors"].append(f"{response.status_code} {response.text[:200]}")
    out["saved"][line_id] = saved


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, from /proc: what the web server spent."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def database_cpu_seconds(database: str) -> dict[int, float]:
    """CPU time (user + system) of each PostgreSQL backend serving `database`, by pid (its title names it)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres: ") or f" {database} " not in title:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        found[int(proc.name)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def history_check(saved: dict[int, int]) -> list[str]:
    """Each line: as many people's revisions as saves answered 200, numbered on from the seeded version 1."""
    from portal.archive.models import Revision

    problems = []
    for line_id, count in saved.items():
        versions = list(
            Revision.objects.filter(
                transcription__line_id=line_id, transcription__layer__kind="manual", author__isnull=False
            )
            .order_by("version")
            .values_list("version", flat=True)
        )
        if versions != list(range(2, 2 + count)):
            problems.append(f"line {line_id}: {count} saves answered, revisions {versions[:5]}... ({len(versions)})")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--saves", type=int, default=20, help="saves per client (unless --seconds)")
    parser.add_argument("--seconds", type=float, default=0, help="save for this long instead of --saves times")
    parser.add_argument(
        "--rate",
        type=float,
        default=0,
        help="saves a second per client (default 0: each save as soon as the last is answered)",
    )
    parser.add_argument(
        "--web-processes",
        type=int,
        default=None,
        help="web server processes (default: as scripts/run.py, WEB_PROCESSES or one per CPU)",
    )
    args = parser.parse_args()

    with BenchEnvironment("skoropis_bench_editor") as env:
        tokens, line_ids = make_archive(args.clients)
        port = free_port()
        web = env.start_web(port, args.web_processes)
        from portal.webserver import default_processes

        processes = args.web_processes or default_processes()
        base = f"http://127.0.0.1:{port}"
        for _ in range(3 * processes):  # warm-up: every process's connections made before timing
            warm = requests.get(
                f"{base}/api/lines/{line_ids[0]}/history/", headers={"Authorization": f"Token {tokens[0]}"}, timeout=120
            )
            assert warm.status_code == 200, warm.text
        out: dict = {"latencies": [], "errors": [], "saved": {}}
        barrier = threading.Barrier(args.clients + 1)
        threads = [
            threading.Thread(target=client_loop, args=(base, token, line_id, args, barrier, out))
            for token, line_id in zip(tokens, line_ids, strict=True)
        ]
        for t in threads:
            t.start()
        cpu0, db0 = tree_cpu_seconds(web.pid), database_cpu_seconds(env.name)
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        web_cpu = tree_cpu_seconds(web.pid) - cpu0
        db_cpu = sum(cpu - db0.get(pid, 0.0) for pid, cpu in database_cpu_seconds(env.name).items())

        lat = [x * 1000 for x in out["latencies"]]
        pace = f"{args.rate:g} save/s each" if args.rate else "each save as soon as the last is answered"
        span = f"{args.seconds:g} s" if args.seconds else f"{args.saves} saves each"
        print(
            f"editor save latency: {args.clients} concurrent clients, {pace}, {span}; web server {processes} "
            f"process(es) + PostgreSQL, {len(lat)} requests in {wall:.1f} s"
        )
        print(
            f"  p50 {percentile(lat, 0.5):.0f} ms   p95 {percentile(lat, 0.95):.0f} ms   "
            f"p99 {percentile(lat, 0.99):.0f} ms   max {max(lat):.0f} ms"
        )
        web_ms, db_ms = 1000 * web_cpu / max(1, len(lat)), 1000 * db_cpu / max(1, len(lat))
        cores = len(os.sched_getaffinity(0))
        print(
            f"  throughput {len(lat) / wall:.1f} saves/s; errors/conflicts: {len(out['errors'])}; "
            f"web server CPU {web_ms:.1f} ms a save"
        )
        # What the machine could do with nothing else running: its cores over the CPU a save costs (the clients
        # here, and whatever else shares the machine, left out).
        print(
            f"  PostgreSQL CPU {db_ms:.1f} ms a save; ceiling on {cores} idle cores: "
            f"{1000 * cores / max(web_ms, 1e-9):.0f} saves/s by the web server's CPU, "
            f"{1000 * cores / max(web_ms + db_ms, 1e-9):.0f} by web server + PostgreSQL"
        )
        problems = history_check(out["saved"])
        print(
            f"  saves answered 200: {sum(out['saved'].values())}; lines whose history does not match them: "
            f"{len(problems)}"
        )
        for e in out["errors"][:5] + problems[:5]:
            print("  error:", e)
    return 0 if not out["errors"] and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
