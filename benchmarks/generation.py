#!/usr/bin/env python
"""Text -> image speed: the pipelines called directly vs the same work as a Celery job (overhead %), and the
latency of a second job (the worker keeps the models loaded: no reload).

Runs on a throw-away PostgreSQL database + Redis (benchmarks/portal_bench_env.py) with a real worker on queue gpu.
The direct run and the worker both use `--threads` torch threads, so they compete for the same CPU budget.

    python benchmarks/generation.py                       # embedded model, CPU, 1 thread, 64 px, 25+25 steps
    python benchmarks/generation.py --runs 5 --steps 50
    GENERATION_MODEL_DIR=/models/kandinsky-2-2 python benchmarks/generation.py --device cuda --side 768
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.portal_bench_env import BenchEnvironment

PROMPT = "a red circle on a blue background"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--steps",
        type=int,
        default=25,
        help="decoder steps (the prior runs min(steps, 25))",
    )
    parser.add_argument("--side", type=int, default=0, help="0: the model's native size")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ["GENERATION_DEVICE"] = args.device

    # A Redis DB of its own: another run's gpu worker on a shared DB would take these jobs (and lose them).
    redis_url = os.environ.get("BENCH_GENERATION_REDIS_URL", "redis://127.0.0.1:6379/13")
    with BenchEnvironment("bench_generation", redis_url=redis_url) as env:
        import torch
        from django.contrib.auth import get_user_model
        from django.test import override_settings

        from generation import pipelines
        from generation.forms import TextToImageForm
        from generation.services import generation_submit
        from portal.embedded import worker_command

        torch.set_num_threads(args.threads)
        data = {
            "prompt": PROMPT,
            "aspect": "1:1",
            "steps": args.steps,
            "guidance": 4.0,
            "seed": 1,
            "batch": 1,
            "model": "kandinsky22",
            **({"side": args.side} if args.side else {}),
        }
        form = TextToImageForm(data)
        assert form.is_valid(), form.errors
        width, height = form.cleaned_data["width"], form.cleaned_data["height"]
        prior_steps = min(args.steps, 25)

        # Direct: the pipelines in this process, loaded once before the clock starts.
        started = time.perf_counter()
        family = pipelines.kandinsky22(args.device)
        load_seconds = time.perf_counter() - started

        def direct() -> float:
            generator = torch.Generator(device=family.device).manual_seed(1)
            t0 = time.perf_counter()
            with torch.inference_mode():
                out = family.prior(
                    PROMPT,
                    num_inference_steps=prior_steps,
                    guidance_scale=4.0,
                    generator=generator,
                )
                family.text2image(
                    image_embeds=out.image_embeds,
                    negative_image_embeds=out.negative_image_embeds,
                    width=width,
                    height=height,
                    num_inference_steps=args.steps,
                    guidance_scale=4.0,
                    generator=generator,
                )
            if family.device.type == "cuda":
                torch.cuda.synchronize()
            return time.perf_counter() - t0

        direct()  # warm-up

        # Through Celery: a real worker on queue gpu; each job waited for before the next is sent.
        env.start(
            worker_command(queues="gpu", name="bench-generation"),
            "worker",
            ready="ready.",
        )
        user = get_user_model().objects.create_user("bench")

        def through_celery() -> tuple[float, float, float]:
            form = TextToImageForm(data)
            assert form.is_valid()
            t0 = time.perf_counter()
            with override_settings(GENERATION_RATE_LIMIT=10_000):
                job = generation_submit(form=form, user=user, session_key="", client_ip="127.0.0.1")
            while True:
                job.refresh_from_db()
                if job.status in ("done", "failed"):
                    break
                time.sleep(0.05)  # polling faster steals the CPU the worker needs (2-core dev machine)
            assert job.status == "done", job.error
            return (
                time.perf_counter() - t0,
                (job.finished - job.started).total_seconds(),
                job.result["load_seconds"],
            )

        first_latency, _, first_load = through_celery()
        direct_times, celery = [], []
        for _ in range(args.runs):  # alternated, so a change in the machine's load hits both the same
            direct_times.append(direct())
            celery.append(through_celery())
        latencies = [c[0] for c in celery]

    direct_median = statistics.median(direct_times)
    celery_median = statistics.median(latencies)
    steps = prior_steps + args.steps
    report = {
        "model": str(pipelines.model_dir("kandinsky22_decoder").parent),
        "device": args.device,
        "threads": args.threads,
        "size": f"{width}x{height}",
        "steps": {"prior": prior_steps, "decoder": args.steps},
        "runs": args.runs,
        "load_seconds_in_process": round(load_seconds, 3),
        "direct_seconds_per_image": round(direct_median, 4),
        "direct_steps_per_second": round(steps / direct_median, 1),
        "celery_seconds_per_image": round(celery_median, 4),
        "celery_steps_per_second": round(steps / celery_median, 1),
        "celery_overhead_percent": round(100 * (celery_median - direct_median) / direct_median, 1),
        "celery_worker_side_seconds": round(statistics.median(c[1] for c in celery), 4),
        "first_job_latency_seconds": round(first_latency, 3),
        "first_job_model_load_seconds": first_load,
        "second_job_latency_seconds": round(latencies[0], 3),
        "later_jobs_model_load_seconds": sorted({c[2] for c in celery}),
        "direct_times": [round(t, 4) for t in direct_times],
        "celery_latencies": [round(t, 4) for t in latencies],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
