#!/usr/bin/env python
"""Peak memory of the web process for a tiny PDF of huge, finely patterned pages (issue #12, finding 2).

    python benchmarks/pdf_upload_memory.py --pages 6 --side 3700 [--worker]

Builds the PDF (about 1.5 KB: one tiling pattern on `--pages` pages of `--side`×`--side` points, ~106 MP and ~70 MB
of JPEG a page at 200 dpi for 3,700 points), posts it to the upload API inside this process (the web side, as daphne
runs it) on a fresh PostgreSQL database, and prints this process's peak resident memory (VmHWM) before and after the
request. With --worker a real Celery worker renders it; the script waits for the job and prints the worker's peak
and what the job says.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchmarks.portal_bench_env import BenchEnvironment  # noqa: E402
from tests.portal.pdf_helpers import pattern_pdf  # noqa: E402


def peak_mb(pid: str = "self") -> float:
    """VmHWM: the most resident memory the process has had, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/status")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--side", type=int, default=3700, help="page width and height in points")
    parser.add_argument("--worker", action="store_true", help="start a worker and wait for the rendering job")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    data = pattern_pdf(args.pages, args.side, args.side)

    with BenchEnvironment("skoropis_bench_pdf_memory") as env:
        from django.contrib.auth import get_user_model
        from rest_framework.test import APIClient

        from portal.archive.models import Document, Page, Project
        from portal.jobs.models import Job

        owner = get_user_model().objects.create_user("owner")
        document = Document.objects.create(project=Project.objects.create(name="Bench", owner=owner), title="PDF")
        client = APIClient()
        client.force_authenticate(owner)
        client.get(f"/api/documents/{document.pk}/")  # URLconf, DRF and the views imported before the baseline
        worker = env.start_worker() if args.worker else None

        before = peak_mb()
        f = io.BytesIO(data)
        f.name = "pattern.pdf"
        t0 = time.perf_counter()
        response = client.post(f"/api/documents/{document.pk}/upload/", {"files": [f]}, format="multipart")
        seconds = time.perf_counter() - t0
        after = peak_mb()
        side_px = round(args.side * 200 / 72)
        print(
            f"PDF: {len(data):,} bytes, {args.pages} pages of {args.side}×{args.side} pt "
            f"({side_px}×{side_px} px = {side_px * side_px / 1e6:.0f} MP a page at 200 dpi)"
        )
        print(f"upload request: HTTP {response.status_code} in {seconds:.1f} s; {response.json().get('error', '')}")
        print(
            f"web process peak memory (VmHWM): {before:,.0f} MB before the request, {after:,.0f} MB after "
            f"(+{after - before:,.0f} MB)"
        )
        if worker is not None and response.status_code == 201:
            jobs = [j["id"] for j in response.json()["jobs"] if j["kind"] == "pdf_render"]
            deadline = time.monotonic() + args.timeout
            while Job.objects.filter(pk__in=jobs, status__in=["queued", "running"]).exists():
                if time.monotonic() > deadline:
                    print(f"the job is still running after {args.timeout:.0f} s", file=sys.stderr)
                    return 1
                time.sleep(0.5)
            for job in Job.objects.filter(pk__in=jobs):
                print(f"job {job.pk}: {job.status} after {time.perf_counter() - t0:.1f} s; {job.error or job.message}")
            print(f"worker peak memory (VmHWM): {peak_mb(str(worker.pid)):,.0f} MB")
        files = [p for p in (Path(env.var) / "media").rglob("*") if p.is_file()]
        print(f"pages stored: {Page.objects.filter(document=document).count()}; files under media/: {len(files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
