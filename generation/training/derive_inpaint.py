"""Grow `<model>/decoder-inpaint` from a trained `<model>/decoder` (see architecture.inpaint_decoder_from).

python -m generation.training.derive_inpaint generation/models/shapes-k22-tiny
"""

import argparse
from pathlib import Path

import torch
from diffusers import KandinskyV22Pipeline

from generation.training.architecture import inpaint_decoder_from


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", type=Path, help="folder holding decoder/")
    args = parser.parse_args()
    decoder = KandinskyV22Pipeline.from_pretrained(args.model / "decoder", dtype=torch.float32)
    inpaint_decoder_from(decoder).to(torch.float16).save_pretrained(args.model / "decoder-inpaint")
    print(f"wrote {args.model / 'decoder-inpaint'}")


if __name__ == "__main__":
    main()
