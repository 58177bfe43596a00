#!/usr/bin/env python
"""The archivist's loop through the portal: upload the pages of an unseen hand, correct a few, train, re-read the rest.

Everything goes through the HTTP API of the real web server, with ONE real Celery worker (solo pool; queues default,
gpu and training) on a fresh PostgreSQL database (dropped afterwards) and Redis:

1. upload each page with its ground-truth lines but without their text (ALTO), so every figure is on the same lines
   as the CLI's benchmark (htr_fine_tune.py), and read them all with the model the document starts with;
2. correct the first --pages pages: each line's ground-truth text saved as a person would (PATCH, one line a request);
3. train from the corrections (POST /api/documents/{id}/train/, --minutes of training on the worker);
4. switch the document to the new model and re-read the pages nobody corrected.

It prints the CER of the uncorrected pages before and after (their lines as the portal shows them, against the
ground truth in the model's form), the portal's own held-out figure (base → new on the corrected lines it held
back), whether every correction is intact, and the wall time of each step.

With --auto N, steps 3-4 are the document's automatic mode instead (PATCH retrain_every=N; its trainings last
TRAINING_AUTO_MINUTES, set from --auto-minutes): the lines of the first pages are corrected one at a time, and each
time a save starts an automatic training (the Job rows are read from the database: the truth the portal keeps), the
corrections wait until it ended and its re-reads are done, then the CER of the uncorrected pages is measured. It
prints that curve: CER of the uncorrected pages after 0, N, 2N... corrected lines, with whether each new model was
kept (it must beat the current one on held-out corrected lines).

    python benchmarks/portal_training.py                          # Mme de Genlis's journal, 3 pages, 8 minutes
    python benchmarks/portal_training.py --minutes 3 --hand le-sallon-de-1767-denis-diderot
    python benchmarks/portal_training.py --folder ../shared/datasets/copiste-d-un-jour/<writer> --pages 3
    python benchmarks/portal_training.py --auto 25 --auto-minutes 1 --rest 2  # the automatic mode's curve
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import htr.formats  # noqa: E402
from benchmarks.cremma import dataset_dir  # noqa: E402
from benchmarks.portal_bench_env import BenchEnvironment, free_port  # noqa: E402
from htr.metrics import evaluate_text  # noqa: E402
from htr.transcription import model_text  # noqa: E402

HAND = "journal-mme-de-genlis"  # a test hand of cremma-mss-18: the shipped Latin model never saw it


def natural(path: Path) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.name)]


def pages_of(folder: Path) -> list[tuple[Path, Path]]:
    """(image, ground-truth XML) of each page of the folder, in natural order."""
    found = []
    for xml in sorted(folder.glob("*.xml"), key=natural):
        image = next(
            (xml.with_suffix(s) for s in (".jpg", ".png", ".jpeg", ".tif") if xml.with_suffix(s).is_file()), None
        )
        if image is not None:
            found.append((image, xml))
    return found


class Portal:
    """The API as an archivist's script would use it (token authentication)."""

    def __init__(self, base: str, token: str):
        self.base = base
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {token}"

    def call(self, method: str, path: str, expect: int = 200, **kwargs) -> dict:
        response = self.http.request(method, f"{self.base}{path}", timeout=600, **kwargs)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json()

    def wait(self, job_ids: list[int], timeout: float) -> list[dict]:
        deadline = time.monotonic() + timeout
        jobs = []
        for pk in job_ids:
            while (job := self.call("GET", f"/api/jobs/{pk}/"))["status"] in ("queued", "running"):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"job {pk} still {job['status']} after {timeout:.0f} s ({job['message']})")
                time.sleep(1)
            if job["status"] != "done":
                raise RuntimeError(f"job {pk} {job['status']}: {job['error'] or job['message']}")
            jobs.append(job)
        return jobs

    def wait_ended(self, job_id: int, timeout: float) -> dict:
        """The job once it ended, however it ended."""
        deadline = time.monotonic() + timeout
        while (job := self.call("GET", f"/api/jobs/{job_id}/"))["status"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"job {job_id} still {job['status']} after {timeout:.0f} s ({job['message']})")
            time.sleep(1)
        return job

    def lines(self, page_id: int) -> list[dict]:
        return sorted(self.call("GET", f"/api/pages/{page_id}/")["lines"], key=lambda line: line["order"])


def correct_lines(portal: Portal, page_ids: list[int], truths: list) -> Iterator[tuple[int, str]]:
    """Save each line's ground-truth text as a person would (PATCH, a line a request, on its current version), in
    page and reading order; yields (line id, text) after each save."""
    for page_id, truth in zip(page_ids, truths, strict=False):
        for index, true_line in enumerate(truth.lines):
            text = true_line.text.strip()
            if text:
                line = portal.lines(page_id)[index]  # as it is now: an automatic re-read may have changed it
                portal.call(
                    "PATCH",
                    f"/api/lines/{line['id']}/text/",
                    json={"text": text, "version": line["version"], "layer": line["layer"]},
                )
                yield line["id"], text


def cer(portal: Portal, pages: dict[int, list[str]], form: str) -> dict:
    """CER of the pages' lines as the portal shows them against the truth in the model's form."""
    preds, truths = [], []
    for page_id, truth in pages.items():
        for line, text in zip(portal.lines(page_id), truth, strict=True):
            if model_text(text, form):
                preds.append(model_text(line["text"], form))
                truths.append(model_text(text, form))
    scores = evaluate_text(preds, truths)
    return {"cer": round(scores["cer"], 2), "wer": round(scores["wer"], 2), "lines": len(truths)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hand", default=HAND, help="a folder of cremma-mss-18")
    parser.add_argument("--folder", type=Path, help="any folder of page images with ALTO/PAGE XML (instead of --hand)")
    parser.add_argument("--pages", type=int, default=3, help="pages to correct (the first ones)")
    parser.add_argument("--minutes", type=float, default=8.0, help="training budget")
    parser.add_argument("--rest", type=int, help="uncorrected pages to upload and re-read (default: all the others)")
    parser.add_argument("--auto", type=int, metavar="N", help="automatic mode: retrain after every N corrected lines")
    parser.add_argument("--auto-minutes", type=int, default=1, help="each automatic training's budget (whole minutes)")
    parser.add_argument("--timeout", type=float, default=7200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    pages = pages_of(args.folder or dataset_dir() / args.hand)
    if len(pages) < args.pages + 1:
        sys.exit(f"error: {len(pages)} pages with ground truth; --pages {args.pages} leaves none to re-read")
    if args.rest is not None:
        if args.rest < 1:
            sys.exit("error: --rest must be at least 1")
        pages = pages[: args.pages + args.rest]
    if args.auto is not None:
        if args.auto < 1 or args.auto_minutes < 1:
            sys.exit("error: --auto and --auto-minutes must be at least 1")
        os.environ["TRAINING_AUTO_MINUTES"] = str(args.auto_minutes)  # the web server's and the worker's setting
    truths = [htr.formats.read_page(xml) for _, xml in pages]

    with BenchEnvironment("skoropis_bench_training") as env:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        from portal.archive.models import Document, Project
        from portal.archive.training_jobs import RECOGNITION, Scope, base_model

        owner = get_user_model().objects.create_user("archivist")
        document = Document.objects.create(project=Project.objects.create(name="Bench", owner=owner), title="Hand")
        base = base_model(
            RECOGNITION, Scope.of_document(document)
        )  # the model the document reads with, and fine-tunes by default
        form = json.loads((Path(base.directory) / "config.json").read_text(encoding="utf-8"))["transcription"]
        port = free_port()
        env.start_worker()
        env.start_web(port, processes=1)
        portal = Portal(f"http://127.0.0.1:{port}", Token.objects.create(user=owner).key)
        seconds: dict[str, float] = {}
        started = time.perf_counter()

        # 1. upload (lines without text) and read with the document's model
        page_ids = []
        jobs = []
        for (image, _), truth in zip(pages, truths, strict=True):
            blank = htr.formats.page_to_bytes(
                dataclasses.replace(
                    truth,
                    image=image.name,
                    lines=[dataclasses.replace(line, text="", confidences=[]) for line in truth.lines],
                ),
                "alto",
            )
            body = portal.call(
                "POST",
                f"/api/documents/{document.pk}/upload/",
                expect=201,
                files=[("files", (image.name, image.read_bytes())), ("files", (f"{image.stem}.xml", blank))],
            )
            page_ids.append(body["pages"][0]["id"])
            jobs += [job["id"] for job in body["jobs"]]
        portal.wait(jobs, args.timeout)
        seconds["upload"] = time.perf_counter() - started
        mark = time.perf_counter()
        body = portal.call(
            "POST", f"/api/documents/{document.pk}/process/", expect=202, json={"steps": ["recognition"]}
        )
        portal.wait([job["id"] for job in body["jobs"]], args.timeout)
        seconds["read"] = time.perf_counter() - mark
        for page_id, truth in zip(page_ids, truths, strict=True):
            if len(portal.lines(page_id)) != len(truth.lines):
                raise RuntimeError(
                    f"page {page_id}: {len(portal.lines(page_id))} lines, the truth has {len(truth.lines)}"
                )
        corrected_ids, rest_ids = page_ids[: args.pages], page_ids[args.pages :]
        rest = {pk: [line.text for line in truth.lines] for pk, truth in zip(page_ids, truths) if pk in rest_ids}
        before = cer(portal, rest, form)

        if args.auto is not None:
            return auto_curve(portal, args, document, page_ids, truths, rest, form, before, seconds, started)

        # 2. correct the first pages with the ground truth, a line a request
        mark = time.perf_counter()
        corrections = {}
        for line_id, text in correct_lines(portal, corrected_ids, truths):
            corrections[line_id] = text
        seconds["correct"] = time.perf_counter() - mark

        # 3. train
        mark = time.perf_counter()
        job = portal.call("POST", f"/api/documents/{document.pk}/train/", expect=202, json={"minutes": args.minutes})
        job = portal.wait([job["id"]], args.timeout)[0]
        seconds["train"] = time.perf_counter() - mark
        result = job["result"]

        # 4. switch to the new model and re-read the pages nobody corrected
        mark = time.perf_counter()
        portal.call("PATCH", f"/api/documents/{document.pk}/", json={"recognition_model": result["model"]})
        jobs = [
            portal.call("POST", f"/api/pages/{pk}/process/?steps=recognition", expect=202)["id"]
            for pk in result["uncorrected_pages"]
        ]
        portal.wait(jobs, args.timeout)
        seconds["reread"] = time.perf_counter() - mark
        seconds["total"] = time.perf_counter() - started
        after = cer(portal, rest, form)
        intact = corrections_intact(portal, corrected_ids, corrections)

        figures = {
            "hand": str(args.folder or args.hand),
            "corrected_pages": [image.stem for image, _ in pages[: args.pages]],
            "reread_pages": [image.stem for image, _ in pages[args.pages :]],
            "base_model": base.name,
            "beam": settings.HTR_BEAM,
            "uncorrected_before": before,
            "uncorrected_after": after,
            "held_out": {"base_cer": result["base_cer"], "cer": result["cer"], "lines": result["held_out_lines"]},
            "trained_lines": result["trained_lines"],
            "trained_pages": result["trained_pages"],
            "epochs": len(result["curve"]),
            "minutes_budget": args.minutes,
        }
        summary = (
            f"\nuncorrected pages ({before['lines']} lines): CER {before['cer']:.1f} → {after['cer']:.1f}; "
            f"held-out corrected lines ({result['held_out_lines']}): {result['base_cer']:.1f} → {result['cer']:.1f}; "
            f"{intact} of {len(corrections)} corrections intact; {seconds['total'] / 60:.1f} minutes in all "
            f"(training {seconds['train'] / 60:.1f})"
        )
        return report(args, figures, corrections, intact, seconds, summary)


def corrections_intact(portal: Portal, page_ids, corrections: dict[int, str]) -> int:
    """How many corrected lines the portal still shows as they were corrected (none lost to a re-read)."""
    shown = {line["id"]: line["text"] for pk in page_ids for line in portal.lines(pk)}
    return sum(shown.get(pk) == text for pk, text in corrections.items())


def report(args, figures: dict, corrections: dict[int, str], intact: int, seconds: dict, summary: str) -> int:
    """Print the figures (with the corrections kept and the minutes) and their summary, write them to --json; the
    exit status is 1 when a correction was lost."""
    figures |= {
        "corrections": len(corrections),
        "corrections_intact": intact,
        "minutes": {k: round(v / 60, 2) for k, v in seconds.items()},
    }
    print(json.dumps(figures, indent=1, ensure_ascii=False))
    print(summary)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0 if intact == len(corrections) else 1


def auto_curve(portal: Portal, args, document, page_ids, truths, rest, form, before, seconds, started) -> int:
    """The automatic mode: correct a line at a time; after each automatic training (and its re-reads), the CER of
    the uncorrected pages."""
    from portal.jobs.models import Job

    portal.call("PATCH", f"/api/documents/{document.pk}/", json={"retrain_every": args.auto})
    targets = [f"archive.page:{pk}" for pk in page_ids] + [f"archive.document:{document.pk}"]
    curve = [{"corrected": 0, "cer": before["cer"], "model": None, "kept": None}]
    corrections: dict[int, str] = {}
    trainings = set()
    mark = time.perf_counter()
    for line_id, text in correct_lines(portal, page_ids[: args.pages], truths):
        corrections[line_id] = text
        started_now = Job.objects.filter(kind="model_training", target=f"archive.document:{document.pk}").exclude(
            pk__in=trainings
        )
        for job in started_now:
            trainings.add(job.pk)
            step = time.perf_counter()
            done = portal.wait_ended(job.pk, args.timeout)
            while Job.objects.filter(target__in=targets, status__in=["queued", "running"]).exists():
                if time.perf_counter() - step > args.timeout:
                    raise RuntimeError("the re-reads after an automatic training did not end")
                time.sleep(1)
            result = done.get("result") or {}
            point = {
                "corrected": len(corrections),
                "cer": cer(portal, rest, form)["cer"],
                "model": result.get("model_name"),
                "kept": result.get("kept"),
                "status": done["status"],
                "held_out": [result.get("base_cer"), result.get("cer"), result.get("held_out_lines")],
                "message": done["message"] or done["error"],
                "minutes": round((time.perf_counter() - step) / 60, 2),
            }
            curve.append(point)
            print(
                f"after {point['corrected']} corrected lines: uncorrected pages CER {point['cer']:.1f} "
                f"({point['message']}; {point['minutes']:.1f} min)",
                flush=True,
            )
    seconds["correct_and_auto"] = time.perf_counter() - mark
    seconds["total"] = time.perf_counter() - started
    intact = corrections_intact(portal, page_ids[: args.pages], corrections)
    figures = {
        "hand": str(args.folder or args.hand),
        "mode": f"automatic, retrain after every {args.auto} corrected lines, {args.auto_minutes}-minute trainings",
        "uncorrected_lines": before["lines"],
        "curve": curve,
    }
    summary = (
        f"\nautomatic mode, CER of the uncorrected pages ({before['lines']} lines) after each {args.auto} corrected "
        "lines: "
        + ", ".join(
            f"{p['corrected']}: {p['cer']:.1f}{'' if p['kept'] in (None, True) else ' (kept the old)'}" for p in curve
        )
        + f"; {intact} of {len(corrections)} corrections intact; {seconds['total'] / 60:.1f} minutes in all"
    )
    return report(args, figures, corrections, intact, seconds, summary)


if __name__ == "__main__":
    sys.exit(main())
