#!/usr/bin/env python
"""Retrieval accuracy of the archive reader on the TEST pages of cremma-mss-18.

For each question of benchmarks/data/assistant_questions.json: rank the lines of its page (and, harder, of its whole
document) and check whether an expected line comes first (top-1) or among the first three (top-3). Unanswerable
questions check that the reader says "I don't know". Lines come from the ALTO ground truth, and with --engine also
from our engine's reading of the same scans (expected lines mapped to the read line that overlaps them most).

    python benchmarks/assistant_retrieval.py                  # ground truth, every embedder
    python benchmarks/assistant_retrieval.py --engine         # + the engine's readings (slow on a CPU)
    python benchmarks/assistant_retrieval.py --fit            # + grid search of the mixing weight and threshold
    python benchmarks/assistant_retrieval.py --entities       # who / when / where questions and entity P/R only
    python benchmarks/assistant_retrieval.py --entities --split val -v   # the same on validation pages, every miss
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import django
from django.conf import settings

# The reader's answers are translated (gettext): Django's translation with the project's catalogue, no database.
settings.configure(USE_I18N=True, LANGUAGE_CODE="en", LOCALE_PATHS=[ROOT / "locale"])
django.setup()

from tqdm import tqdm

from assistant.backends.embeddings import EMBEDDERS, load_embedder
from assistant.backends.quotes import (
    CALIBRATIONS,
    Calibration,
    Passage,
    answer,
    search,
)
from benchmarks.cremma import dataset_dir

QUESTIONS = ROOT / "benchmarks" / "data" / "assistant_questions.json"
ENTITY_QUESTIONS = ROOT / "benchmarks" / "data" / "assistant_entity_questions.json"
ENTITY_LINES = ROOT / "benchmarks" / "data" / "entity_lines.json"
ENTITY_QUESTIONS_VAL = ROOT / "benchmarks" / "data" / "assistant_entity_questions_val.json"
ENTITY_LINES_VAL = ROOT / "benchmarks" / "data" / "entity_lines_val.json"
# 18th/19th-century prose rich in titled people, from pages that train the recogniser only (issue #15)
ENTITY_LINES_VAL_PROSE = ROOT / "benchmarks" / "data" / "entity_lines_val_prose.json"
# prose and verse rich in people named without a title (painters, poets, characters), from non-test pages
ENTITY_LINES_VAL_PEOPLE = ROOT / "benchmarks" / "data" / "entity_lines_val_people.json"


def ground_truth_page(xml: Path):
    from lxml import etree

    from htr.formats.alto import read_alto

    return read_alto(etree.parse(str(xml)).getroot(), xml.name)


def engine_page(image: Path, cache: Path):
    """Our engine's reading of a scan, cached as JSON (reading a page takes a while on a CPU)."""
    from htr import Recognizer, Segmenter, load_image
    from htr.lines import Line, Page

    cached = cache / f"{image.parent.name}__{image.stem}.json"
    if cached.exists():
        data = json.loads(cached.read_text())
        return Page(
            image=data["image"],
            width=data["width"],
            height=data["height"],
            lines=[Line(id=d["id"], polygon=[tuple(p) for p in d["polygon"]], text=d["text"]) for d in data["lines"]],
        )
    picture = load_image(str(image))
    page = Segmenter.load().segment(picture)
    page = Recognizer.load().read_page(picture, page)
    cache.mkdir(parents=True, exist_ok=True)
    cached.write_text(
        json.dumps(
            {
                "image": str(image.name),
                "width": page.width,
                "height": page.height,
                "lines": [
                    {
                        "id": ln.id,
                        "polygon": [list(p) for p in ln.polygon],
                        "text": ln.text,
                    }
                    for ln in page.lines
                ],
            },
            ensure_ascii=False,
        )
    )
    return page


def _overlap(a, b) -> float:
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    w = max(0, min(ax1, bx1) - max(ax0, bx0))
    h = max(0, min(ay1, by1) - max(ay0, by0))
    area = max(1, (ax1 - ax0) * (ay1 - ay0))
    return w * h / area


def passages_of(page, page_number: int, page_key: str) -> list[Passage]:
    return [
        Passage(
            key=f"{page_key}#{line.id}",
            text=line.text,
            number=i + 1,
            page=page_number,
            page_key=page_key,
            polygon=list(line.polygon),
        )
        for i, line in enumerate(page.lines)
        if line.text.strip()
    ]


def load_pages(
    questions, engine: bool, root: Path | None = None, only_asked: bool = False
) -> dict[str, tuple[list[Passage], dict[str, set[str]]]]:
    """page name → (passages, ground-truth line id → keys of passages that stand for it). Every page of the
    questions' documents (the document scope needs them), or with `only_asked` the pages asked about."""
    data = root or dataset_dir()
    documents = sorted({q["page"].rsplit("/", 1)[0] for q in questions})
    pages = {}
    cache = ROOT / "benchmarks" / "out" / "assistant_readings"
    names = [f"{doc}/{xml.stem}" for doc in documents for xml in sorted((data / doc).glob("*.xml"))]
    asked = {q["page"] for q in questions}
    wanted = [name for name in names if name in asked or not only_asked]
    for name in tqdm(wanted, desc="engine readings" if engine else "ground truth", disable=not engine):
        gt = ground_truth_page(data / f"{name}.xml")
        number = names.index(name) + 1
        if not engine:
            passages = passages_of(gt, number, name)
            mapping = {line.id: {f"{name}#{line.id}"} for line in gt.lines}
        else:
            read = engine_page(data / f"{name}.jpg", cache)
            passages = passages_of(read, number, name)
            mapping = {}
            for line in gt.lines:  # the read line(s) covering most of the ground-truth line
                scored = [(_overlap(line.bbox, r.bbox), r.id) for r in read.lines]
                best = max(scored, default=(0.0, ""))
                mapping[line.id] = {f"{name}#{rid}" for s, rid in scored if s >= max(0.3, 0.6 * best[0])}
        pages[name] = (passages, mapping)
    return pages


def evaluate(
    questions,
    pages,
    embedder,
    calibration: Calibration,
    scope: str,
    vectors_cache: dict,
) -> dict:
    top1 = top3 = answered = correct_answers = 0
    idk_on_negatives = negatives = 0
    by_language: dict[str, list[int]] = {}  # language -> [top-1 hits, questions]
    for q in questions:
        passages, mapping = pages[q["page"]]
        if scope == "document":
            doc = q["page"].split("/")[0]
            passages = [p for name, (ps, _) in pages.items() if name.startswith(doc + "/") for p in ps]
        key = (scope, q["page"] if scope == "page" else q["page"].split("/")[0])
        if embedder is not None and key not in vectors_cache:
            vectors_cache[key] = embedder.passages([p.text for p in passages])
        vectors = vectors_cache.get(key)
        expected = set().union(*(mapping.get(e, set()) for e in q["expected"])) if q["expected"] else set()
        reply = answer(
            q["question"],
            passages,
            embedder=embedder,
            vectors=vectors,
            calibration=calibration,
        )
        if not q["expected"]:
            negatives += 1
            idk_on_negatives += not reply.known
            continue
        ranked = search(
            q["question"],
            passages,
            embedder=embedder,
            vectors=vectors,
            calibration=calibration,
        )
        keys = [h.passage.key for h in ranked]
        top1 += bool(expected & set(keys[:1]))
        tally = by_language.setdefault(q["language"], [0, 0])
        tally[0] += bool(expected & set(keys[:1]))
        tally[1] += 1
        top3 += bool(expected & set(keys[:3]))
        answered += reply.known
        correct_answers += bool(reply.known and expected & {h.passage.key for h in reply.hits[:1]})
    n = len([q for q in questions if q["expected"]])
    return {
        "top1": top1 / n,
        "top3": top3 / n,
        "n": n,
        "answered": answered / n,
        "answered_correctly": correct_answers / n,
        "idk_on_unanswerable": idk_on_negatives / max(negatives, 1),
        "n_unanswerable": negatives,
        "top1_by_language": {lang: (hit / n_lang, n_lang) for lang, (hit, n_lang) in sorted(by_language.items())},
    }


def fit(questions, pages, embedder, base: Calibration, vectors_cache: dict) -> Calibration:
    """Mixing weight for the best top-1, then the threshold that gets most questions right (answered or refused)."""
    best = None
    for w in [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]:
        cal = replace(base, w_sem=w, w_fuzzy=1 - w, threshold=0.0)
        r = evaluate(questions, pages, embedder, cal, "page", vectors_cache)
        if best is None or (r["top1"], r["top3"]) > best[0]:
            best = ((r["top1"], r["top3"]), cal)
    cal = best[1]
    scored = []
    for t in [x / 100 for x in range(10, 71, 2)]:
        r = evaluate(questions, pages, embedder, replace(cal, threshold=t), "page", vectors_cache)
        right = r["answered_correctly"] * r["n"] + r["idk_on_unanswerable"] * r["n_unanswerable"]
        scored.append((right, -t, t))
    _, _, threshold = max(scored)
    return replace(cal, threshold=threshold)


def cross_validate(questions, pages, embedder, base: Calibration, name: str, source: str) -> None:
    """Calibration fit on one document's questions, scored on the other's: figures free of fitting on themselves."""
    documents = sorted({q["page"].split("/")[0] for q in questions})
    totals = {
        "top1": 0.0,
        "top3": 0.0,
        "answered_correctly": 0.0,
        "idk": 0.0,
        "n": 0,
        "neg": 0,
    }
    for held_out in documents:
        train = [q for q in questions if not q["page"].startswith(held_out + "/")]
        test = [q for q in questions if q["page"].startswith(held_out + "/")]
        cal = fit(train, pages, embedder, base, {})
        r = evaluate(test, pages, embedder, cal, "page", {})
        for key in ("top1", "top3", "answered_correctly"):
            totals[key] += r[key] * r["n"]
        totals["idk"] += r["idk_on_unanswerable"] * r["n_unanswerable"]
        totals["n"] += r["n"]
        totals["neg"] += r["n_unanswerable"]
    n, neg = totals["n"], max(totals["neg"], 1)
    print(
        f"{source:12s} {name:6s} cross-document (fit on one, scored on the other) scope=page     "
        f"top-1 {totals['top1'] / n:.3f}  top-3 {totals['top3'] / n:.3f}  correct answers "
        f"{totals['answered_correctly'] / n:.3f} of {n}  'I don't know' on unanswerable {totals['idk'] / neg:.3f} of "
        f"{totals['neg']}"
    )


def evaluate_entities(questions, pages, embedder=None) -> dict:
    """Who / when / where questions answered as the assistant does: from the page's people, places and dates
    (extracted here as the worker would), else by the line reader with the assistant's embedder; top-1: the first
    quoted line is expected."""
    from assistant.backends.facts import answer_from_facts, facts_of_passages

    facts = {name: facts_of_passages(passages, "fr") for name, (passages, _) in pages.items()}
    hits = n = idk = negatives = 0
    by_language: dict[str, list[int]] = {}
    by_round: dict[str, list[int]] = {}  # questions' "added" marker -> [hits, n, idk, negatives]
    misses = []
    for q in questions:
        passages, mapping = pages[q["page"]]
        language = "ru" if any("\u0400" <= c <= "\u04ff" for c in q["question"]) else "en"
        reply = answer_from_facts(q["question"], passages, facts[q["page"]], language, embedder=embedder) or answer(
            q["question"], passages, embedder=embedder
        )
        counts = by_round.setdefault(q.get("added", "round 1-3"), [0, 0, 0, 0])
        if not q["expected"]:
            negatives += 1
            idk += not reply.known
            counts[2] += not reply.known
            counts[3] += 1
            if reply.known:
                misses.append((q["id"], q["question"], reply.text[:120]))
            continue
        expected = set().union(*(mapping.get(e, set()) for e in q["expected"]))
        hit = bool(reply.known and reply.hits and reply.hits[0].passage.key in expected)
        if not hit:
            misses.append((q["id"], q["question"], reply.text[:120]))
        hits += hit
        n += 1
        counts[0] += hit
        counts[1] += 1
        tally = by_language.setdefault(q["language"], [0, 0])
        tally[0] += hit
        tally[1] += 1
    return {
        "top1": hits / max(n, 1),
        "n": n,
        "idk": idk / max(negatives, 1),
        "negatives": negatives,
        "by_language": by_language,
        "by_round": by_round,
        "misses": misses,
    }


def entity_precision_recall(sample_path: Path, root: Path) -> dict:
    """Extraction on the whole page, scored on the hand-labelled lines: a found entity is right when its kind is
    the label's and their folded texts overlap; titles and punctuation aside. Precision and recall per kind."""
    from assistant.backends.quotes import fold
    from portal.entities.extraction import extract_lines

    sample = json.loads(sample_path.read_text())["lines"]
    tp_found = found = tp_gold = gold = 0
    by_kind: dict[str, list[int]] = {}  # kind -> [found right, found, labels found, labels]
    errors = []

    def same(a, b):
        return a[0] == b[0] and a[1] and b[1] and (a[1] in b[1] or b[1] in a[1])

    def tally(entities: list, others: list, column: int, wrong: str, text: str) -> int:
        """How many of `entities` one of `others` matches; counted by kind at `column` (right) and `column + 1`
        (all), each unmatched one an error (`wrong`: "false" for a found one, "missed" for a label)."""
        matched = 0
        for e in entities:
            right = any(same(e, o) for o in others)
            counts = by_kind.setdefault(e[0], [0, 0, 0, 0])
            counts[column] += right
            counts[column + 1] += 1
            matched += right
            if not right:
                errors.append(f"{wrong} {e[0]} {e[1]!r} in {text!r}")
        return matched

    for name in sorted({s["page"] for s in sample}):
        page = ground_truth_page(root / f"{name}.xml")
        lines = [ln for ln in page.lines if ln.text.strip()]
        entities = extract_lines([ln.text for ln in lines], "fr")
        for s in (s for s in sample if s["page"] == name):
            index = next(i for i, ln in enumerate(lines) if ln.id == s["line"])
            predicted = [(e.kind, fold(e.text)) for e in entities if index in e.lines]
            labels = [(e["kind"], fold(e["text"])) for e in s["entities"]]
            tp_found += tally(predicted, labels, 0, "false", s["text"])
            found += len(predicted)
            tp_gold += tally(labels, predicted, 2, "missed", s["text"])
            gold += len(labels)
    return {
        "precision": tp_found / max(found, 1),
        "recall": tp_gold / max(gold, 1),
        "found": found,
        "gold": gold,
        "lines": len(sample),
        "by_kind": by_kind,
        "errors": errors,
    }


ENTITY_SPLITS = {  # questions, samples of labelled lines, the folder their pages are relative to
    "test": (ENTITY_QUESTIONS, [ENTITY_LINES], lambda: dataset_dir()),
    "val": (
        ENTITY_QUESTIONS_VAL,
        [ENTITY_LINES_VAL, ENTITY_LINES_VAL_PROSE, ENTITY_LINES_VAL_PEOPLE],
        lambda: dataset_dir().parent,
    ),
}


def entities_report(engine: bool, split: str, embedder_name: str, verbose: bool) -> None:
    questions_path, lines_paths, root = ENTITY_SPLITS[split]
    questions = json.loads(questions_path.read_text())["questions"]
    embedder = None if embedder_name == "none" else load_embedder(embedder_name)
    print(f"{split}: {len(questions)} questions, line reader's embedder: {embedder_name}")
    for source in ["ground truth"] + (["engine"] if engine else []):
        pages = load_pages(questions, engine=source == "engine", root=root(), only_asked=True)
        r = evaluate_entities(questions, pages, embedder)
        languages = ", ".join(
            f"{lang} {hit / total:.3f} of {total}" for lang, (hit, total) in sorted(r["by_language"].items())
        )
        print(
            f"{source:12s} who/when/where  top-1 {r['top1']:.3f} of {r['n']} ({languages})  "
            f"'I don't know' on unanswerable {r['idk']:.3f} of {r['negatives']}"
        )
        if len(r["by_round"]) > 1:
            for name, (hit, total, idk, negatives) in sorted(r["by_round"].items()):
                print(
                    f"{'':12s}   {name}: top-1 {hit / max(total, 1):.3f} of {total}  "
                    f"'I don't know' {idk / max(negatives, 1):.3f} of {negatives}"
                )
        if verbose:
            for miss in r["misses"]:
                print("   miss", *miss)
    results = [(path.stem, entity_precision_recall(path, root())) for path in lines_paths]
    if len(results) > 1:
        results.append(("all", _pooled([r for _name, r in results])))
    for name, pr in results:
        kinds = ", ".join(
            f"{k} P {right}/{n_found} R {hit}/{total}"
            for k, (right, n_found, hit, total) in sorted(pr["by_kind"].items())
        )
        print(
            f"{name}: entities on {pr['lines']} hand-labelled lines: precision {pr['precision']:.3f} "
            f"({pr['found']} found), recall {pr['recall']:.3f} ({pr['gold']} labelled; by kind {kinds})"
        )
        if verbose and name != "all":
            for error in pr["errors"]:
                print("  ", error)


def _pooled(results: list[dict]) -> dict:
    """Several samples' counts added up, as if they were one sample."""
    by_kind: dict[str, list[int]] = {}
    for r in results:
        for kind, counts in r["by_kind"].items():
            by_kind[kind] = [a + b for a, b in zip(by_kind.get(kind, [0, 0, 0, 0]), counts)]
    found, gold = sum(c[1] for c in by_kind.values()), sum(c[3] for c in by_kind.values())
    return {
        "precision": sum(c[0] for c in by_kind.values()) / max(found, 1),
        "recall": sum(c[2] for c in by_kind.values()) / max(gold, 1),
        "found": found,
        "gold": gold,
        "lines": sum(r["lines"] for r in results),
        "by_kind": by_kind,
        "errors": [e for r in results for e in r["errors"]],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--engine",
        action="store_true",
        help="also over the engine's readings of the scans",
    )
    parser.add_argument(
        "--fit",
        action="store_true",
        help="grid-search the calibration (prints it; edit archive.py)",
    )
    parser.add_argument(
        "--cv",
        action="store_true",
        help="also fit on one test document's questions and score the other (both ways)",
    )
    parser.add_argument("--embedders", default=",".join([*EMBEDDERS, "none"]))
    parser.add_argument("--entities", action="store_true", help="only the who / when / where questions and entity P/R")
    parser.add_argument(
        "--split",
        choices=sorted(ENTITY_SPLITS),
        default="test",
        help="with --entities: the val questions and lines to develop on, or the test ones",
    )
    parser.add_argument(
        "--embedder",
        default="e5",
        choices=[*EMBEDDERS, "none"],
        help="with --entities: the line reader's embedder (the assistant's default: e5)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="with --entities: print every miss")
    args = parser.parse_args()
    if not dataset_dir().exists():
        print(
            f"dataset not found at {dataset_dir()} (set SKOROPIS_SHARED)",
            file=sys.stderr,
        )
        return 2
    if args.entities:
        entities_report(args.engine, args.split, args.embedder, args.verbose)
        return 0
    questions = json.loads(QUESTIONS.read_text())["questions"]
    sources = ["ground truth"] + (["engine"] if args.engine else [])
    print(
        f"{len(questions)} questions ({sum(1 for q in questions if q['expected'])} answerable) on "
        f"{len({q['page'] for q in questions})} test pages"
    )
    for source in sources:
        pages = load_pages(questions, engine=source == "engine")
        for name in args.embedders.split(","):
            embedder = None if name == "none" else load_embedder(name)
            cal = CALIBRATIONS[None if name == "none" else name]
            cache: dict = {}
            if args.fit:
                cal = fit(questions, pages, embedder, cal, cache)
                print(f"fitted {name}: {cal}")
            if args.cv:
                cross_validate(questions, pages, embedder, cal, name, source)
            for scope in ("page", "document"):
                started = time.perf_counter()
                r = evaluate(questions, pages, embedder, cal, scope, cache)
                print(
                    f"{source:12s} {name:6s} scope={scope:8s} top-1 {r['top1']:.3f}  top-3 {r['top3']:.3f}  "
                    f"answered {r['answered']:.3f} (correct {r['answered_correctly']:.3f}) of {r['n']}  "
                    f"'I don't know' on unanswerable {r['idk_on_unanswerable']:.3f} of {r['n_unanswerable']}  "
                    f"({time.perf_counter() - started:.1f} s)"
                )
                languages = ", ".join(f"{lang} {acc:.3f} of {n}" for lang, (acc, n) in r["top1_by_language"].items())
                print(f"{'':12s} {'':6s} {'':14s} top-1 by question language: {languages}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
