#!/usr/bin/env python
"""Line-save latency seen by editors: N concurrent clients PATCH /api/lines/{id}/text/ on a real daphne server
over PostgreSQL (a fresh database, dropped afterwards), each correcting its own line of the same page over and over.

    python benchmarks/editor_save_latency.py --clients 50 --saves 20

Prints p50 / p95 / p99 / max latency, saves per second and any error. Needs PostgreSQL (BENCH_POSTGRES, default
postgres://postgres@127.0.0.1:5432/postgres) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/6).
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from portal_bench_env import BenchEnvironment, free_port, percentile  # noqa: E402


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
            transcription_write(line=line, layer=layer, text=f"строка {i} прочтена машиной", model_name="bench-model",
                                confidences=[0.8] * len(f"строка {i} прочтена машиной"))
            line_ids.append(line.pk)
    return tokens, line_ids


def client_loop(base: str, token: str, line_id: int, saves: int, start: threading.Barrier, out: dict) -> None:
    """One editor correcting their line `saves` times, each save naming the version the last one returned."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    version = 1
    start.wait()
    for k in range(saves):
        body = {"text": f"строка исправлена {k}", "version": version}
        t0 = time.perf_counter()
        try:
            response = session.patch(f"{base}/api/lines/{line_id}/text/", json=body, timeout=120)
        except requests.RequestException as exc:
            out["errors"].append(repr(exc))
            continue
        out["latencies"].append(time.perf_counter() - t0)
        if response.status_code == 200:
            version = response.json()["version"]
        else:
            out["errors"].append(f"{response.status_code} {response.text[:200]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--saves", type=int, default=20, help="saves per client")
    args = parser.parse_args()

    with BenchEnvironment("skoropis_bench_editor") as env:
        tokens, line_ids = make_archive(args.clients)
        port = free_port()
        env.start_daphne(port)
        base = f"http://127.0.0.1:{port}"
        for _ in range(3):  # warm-up: URL conf, apps and connections loaded before timing
            warm = requests.get(f"{base}/api/lines/{line_ids[0]}/history/",
                                headers={"Authorization": f"Token {tokens[0]}"}, timeout=120)
            assert warm.status_code == 200, warm.text
        out: dict = {"latencies": [], "errors": []}
        barrier = threading.Barrier(args.clients + 1)
        threads = [
            threading.Thread(target=client_loop, args=(base, token, line_id, args.saves, barrier, out))
            for token, line_id in zip(tokens, line_ids, strict=True)
        ]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0

        from portal.archive.models import Revision

        lat = [x * 1000 for x in out["latencies"]]
        print(f"editor save latency: {args.clients} concurrent clients × {args.saves} saves, daphne (1 process) + "
              f"PostgreSQL, {len(lat)} requests in {wall:.1f} s")
        print(f"  p50 {percentile(lat, 0.5):.0f} ms   p95 {percentile(lat, 0.95):.0f} ms   "
              f"p99 {percentile(lat, 0.99):.0f} ms   max {max(lat):.0f} ms")
        print(f"  throughput {len(lat) / wall:.1f} saves/s; errors/conflicts: {len(out['errors'])}")
        manual = Revision.objects.filter(transcription__layer__kind="manual", author__isnull=False).count()
        print(f"  manual revisions stored: {manual} (expected {args.clients * args.saves})")
        for e in out["errors"][:5]:
            print("  error:", e)
    return 0 if not out["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
