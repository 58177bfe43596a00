#!/usr/bin/env python
"""Pipeline throughput: pages per minute from upload to stored text, with ONE real Celery worker (solo pool) on this
machine, PostgreSQL (a fresh database, dropped afterwards) and Redis, on real pages of CREMMA-MSS-18.

    python benchmarks/pipeline_throughput.py --pages 5

Each page goes through prepare (thumbnail + Deep Zoom tiles) → segmentation → recognition with the shipped models
(HTR_DEVICE, default: CUDA when present, else CPU). Prints pages/minute, lines and characters read, and per-page times.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere
from benchmarks.cremma import dataset_dir  # noqa: E402
from benchmarks.portal_bench_env import BenchEnvironment, percentile  # noqa: E402


def pages_of(folder: Path, count: int) -> list[Path]:
    images = sorted(folder.glob("*.jpg"))
    if not images:
        raise SystemExit(f"no .jpg pages in {folder}")
    return [images[i % len(images)] for i in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=dataset_dir() / "journal-mme-de-genlis")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    paths = pages_of(args.folder, args.pages)

    with BenchEnvironment("skoropis_bench_pipeline") as env:
        from django.contrib.auth import get_user_model

        from portal.archive.models import Document, Project, Transcription
        from portal.archive.uploads import document_upload
        from portal.jobs.models import Job

        owner = get_user_model().objects.create_user("owner")
        document = Document.objects.create(project=Project.objects.create(name="Bench", owner=owner), title="Pages")
        env.start_worker()
        t0 = time.perf_counter()
        for i, path in enumerate(paths):  # one upload per page, as a user adding scans one by one
            document_upload(document=document, files=[(f"{i:03d}-{path.name}", path.read_bytes())], user=owner)
        uploaded = time.perf_counter() - t0
        jobs = Job.objects.filter(kind="page_pipeline")
        while jobs.filter(status__in=["queued", "running"]).exists():
            if time.perf_counter() - t0 > args.timeout:
                print(f"timed out after {args.timeout:.0f} s", file=sys.stderr)
                return 1
            time.sleep(0.5)
        wall = time.perf_counter() - t0

        failed = list(jobs.exclude(status="done").values_list("pk", "error"))
        per_page = [(j.finished - j.started).total_seconds() for j in jobs if j.started and j.finished]
        lines = sum(j.result.get("segmentation", {}).get("lines", 0) for j in jobs)
        chars = sum(len(t) for t in Transcription.objects.filter(layer__kind="model").values_list("text", flat=True))
        device = os.environ.get("HTR_DEVICE") or "default (CUDA if present, else CPU)"
        print(
            f"pipeline throughput: {len(paths)} pages of {args.folder.name}, one worker (solo), device {device}, "
            f"{os.cpu_count()} CPU cores"
        )
        print(
            f"  {len(paths) / wall * 60:.2f} pages/minute  (upload → stored text for all pages: {wall:.1f} s; "
            f"uploads took {uploaded:.1f} s)"
        )
        mean = sum(per_page) / max(len(per_page), 1)
        print(
            f"  per page, first step started → text stored (pages interleave in the one worker): mean {mean:.1f} s, "
            f"p50 {percentile(per_page, 0.5):.1f} s, max {max(per_page, default=0):.1f} s"
        )
        print(f"  {lines} lines found, {chars} characters read; failed jobs: {failed or 'none'}")
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
