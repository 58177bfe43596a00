"""python -m htr.synthetic --out DIR --lines N [--script cyrillic|latin] — writes synthetic training lines."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm  # type: ignore[import-untyped]

from htr.synthetic import LAYOUTS, LineGenerator, write_lines
from htr.synthetic.fonts import FontsMissing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m htr.synthetic", description=__doc__)
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--lines", type=int, required=True, help="how many lines to draw")
    parser.add_argument("--script", default="cyrillic", choices=["cyrillic", "latin"])
    parser.add_argument(
        "--layout",
        default="tsv",
        choices=LAYOUTS,
        help="tsv manifest or Digital Peter folders",
    )
    parser.add_argument("--fonts", action="append", default=[], help="extra font folder (repeatable)")
    parser.add_argument(
        "--family",
        action="append",
        default=[],
        help="use only this font family (repeatable)",
    )
    parser.add_argument(
        "--exclude-family",
        action="append",
        default=[],
        help="leave this family out (repeatable)",
    )
    parser.add_argument(
        "--texts",
        action="append",
        default=[],
        help="text file, one passage per line (repeatable)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        generator = LineGenerator(
            args.script,
            font_dirs=args.fonts,
            families=args.family or None,
            exclude_families=args.exclude_family or None,
            text_files=args.texts or None,
            seed=args.seed,
        )
    except (FontsMissing, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"fonts: {', '.join(f.name for f in generator.families)}", file=sys.stderr)
    print(
        f"texts: {', '.join(generator.texts.sources) or 'built-in vocabulary only'}",
        file=sys.stderr,
    )
    with tqdm(total=args.lines, unit="line") as bar:
        result = write_lines(
            args.out,
            args.lines,
            generator,
            layout=args.layout,
            on_progress=lambda done, total: bar.update(1),
        )
    print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
