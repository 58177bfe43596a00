#!/usr/bin/env python
"""Runs every benchmark in turn (each prints its own figures). `make bench`.

The kraken comparisons need their own virtualenv (created on first use) and take a long time: pass --kraken.
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    ["htr_speed.py"],
    ["htr_recognition.py"],
    ["htr_accuracy.py"],
    ["htr_fine_tune.py"],
    ["pipeline_throughput.py"],
    ["portal_training.py"],
    ["editor_save_latency.py"],
    ["generation.py"],
    ["assistant_retrieval.py"],
]
KRAKEN = [["htr_kraken_compare.py"], ["htr_kraken_train_compare.py"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kraken", action="store_true", help="also run the (slow) kraken comparisons")
    args = parser.parse_args()
    failed = []
    for command in BENCHMARKS + (KRAKEN if args.kraken else []):
        script = HERE / command[0]
        if not script.exists():
            continue
        print(f"\n=== {command[0]}", flush=True)
        if subprocess.run([sys.executable, str(script), *command[1:]], cwd=HERE.parent).returncode:
            failed.append(command[0])
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
