#!/usr/bin/env python
"""How long the tolerant search takes on a few thousand real lines, on SQLite (the embedded default) or PostgreSQL.

The lines are the ground-truth lines of the shared cremma-mss-18 pages (French manuscripts, 17th-19th c.), repeated
into as many documents as needed; half of them are "corrected" (a person's revision). Each query runs 5 times after a
warm-up; the median is printed with the number of hits.

    python benchmarks/search_tolerant.py --database sqlite --lines 5000
    python benchmarks/search_tolerant.py --database postgresql --lines 5000   # a throw-away database bench_search
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUERIES = [
    "soussigné",
    "sousigne",
    "Marole",
    "madame",
    "madme",
    "roy de france",
    '"le roy"',
    "sieur demeurant",
    "xyzzyq",
]


def real_lines(shared: Path) -> list[str]:
    import htr.formats

    texts = []
    for alto in sorted((shared / "datasets" / "cremma-mss-18").glob("*/*.xml")):
        texts += [line.text for line in htr.formats.read_page(alto).lines if line.text and line.text.strip()]
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("SKOROPIS_SHARED", REPO.parent / "shared")))
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="skoropis-bench-search-"))
    env = {
        **os.environ,
        "SKOROPIS_VAR": str(var),
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    server = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
    if args.database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{var / 'bench.sqlite3'}"
    else:
        import psycopg

        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute('DROP DATABASE IF EXISTS "bench_search" WITH (FORCE)')
            conn.execute('CREATE DATABASE "bench_search"')
        env["DATABASE_URL"] = server.rsplit("/", 1)[0] + "/bench_search"
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=REPO, env=env, check=True)
        os.environ.update(env)
        run(args)
    finally:
        shutil.rmtree(var, ignore_errors=True)
        if args.database == "postgresql":
            from django.db import connections

            connections.close_all()
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute('DROP DATABASE IF EXISTS "bench_search" WITH (FORCE)')


def run(args) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from portal.archive.models import Document, Layer, Line, Page, Project, Revision, Transcription
    from portal.archive.search import search_run

    texts = real_lines(args.shared)
    user = get_user_model().objects.create_user("bench", password="bench-pass-1")
    project = Project.objects.create(name="Bench", owner=user)
    per_document = 500
    n = 0
    while n < args.lines:
        document = Document.objects.create(project=project, title=f"Document {n // per_document + 1}")
        manual = Layer.objects.create(document=document, name="Manual", kind=Layer.Kind.MANUAL)
        model = Layer.objects.create(document=document, name="Model", kind=Layer.Kind.MODEL, model_name="m")
        page = Page.objects.create(document=document, number=1, image="none.png", width=1000, height=1000)
        count = min(per_document, args.lines - n)
        lines = Line.objects.bulk_create(
            [Line(page=page, order=i, polygon=[[0, i], [10, i], [10, i + 1]]) for i in range(count)]
        )
        rows = [
            Transcription(line=line, layer=manual if i % 2 else model, text=texts[(n + i) % len(texts)])
            for i, line in enumerate(lines)
        ]
        rows = Transcription.objects.bulk_create(rows)
        Revision.objects.bulk_create(
            [
                Revision(transcription=t, version=1, text=t.text, author=user if i % 2 else None, model_name="m")
                for i, t in enumerate(rows)
            ]
        )
        n += count
    print(f"{args.database}: {n} lines ({len(texts)} distinct real lines of cremma-mss-18)")
    for q in QUERIES:
        search_run(user=user, q=q)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            found = search_run(user=user, q=q)
            times.append(time.perf_counter() - start)
        print(
            f"  {q!r:>18}: {statistics.median(times) * 1000:7.1f} ms, {len(found.results):3d} hits"
            f"{', did you mean ' + repr(found.suggestion) if found.suggestion else ''}"
        )


if __name__ == "__main__":
    main()
