"""Generate a camera-like test clip with per-frame ground truth, from MNIST test digits.

    python scripts/make_clip.py --data ../shared/data/mnist.npz --preset lined --out clips/lined.mp4
    python scripts/make_clip.py --data ../shared/data/mnist.npz --preset random --seed 17 --out clips/r17.mp4

Writes the clip and, beside it, <name>.truth.json: for every frame the box and label of
each digit fully in view, the boxes of non-digit marks (label -1), and the paper in view
(`page`: its outline, cut by the frame's edge, clockwise from top-left). A digit no one
could read in a frame (under 14 px tall, blurred past reading, or washed out by glare)
says why in `ignore`.
`--preset random` draws every factor of the scene from --seed
(livedigit.synthetic.random_scene); its truth file names the value each factor took.
The same seed gives the same clip and truth. `--line-width` and `--line-colour` draw the
scene's ruled or grid lines otherwise, `--lens` films it through a lens that bends
straight lines, and `--curl` bows the sheet (the truth file names them too), so that a
preset is measured over what it was not made with:

    python scripts/make_clip.py --data ../shared/data/mnist.npz --preset ruled-hd --line-width 3 --out thick.mp4
    python scripts/make_clip.py --data ../shared/data/mnist.npz --preset ruled-hd --lens -0.1 --out bent.mp4
    python scripts/make_clip.py --data ../shared/data/mnist.npz --preset ruled-hd --curl 0.03 --out bowed.mp4
"""
from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from livedigit.synthetic import PRESETS, PageItem, make_clip, preset, random_scene

RANDOM = "random"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="mnist.npz; its test split is used")
    parser.add_argument("--preset", choices=sorted(PRESETS) + [RANDOM], default="clean")
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help=".mp4 or .avi")
    parser.add_argument("--line-width", type=int, help="ruled and grid lines this many page pixels wide")
    parser.add_argument("--line-colour", type=bgr, help="ruled and grid lines of this colour, as B,G,R (0-255)")
    parser.add_argument("--lens", type=float, help="the lens's radial distortion, -0.3 to 0.3: below 0 barrel "
                                                   "(a webcam's wide lens, about -0.1), above 0 pincushion")
    parser.add_argument("--curl", type=float, help="the sheet bowed, its rows sagging at its middle by this much of "
                                                   "its width, -0.1 to 0.1 (a sheet held up by its sides: about 0.03)")
    args = parser.parse_args(argv)

    with np.load(args.data) as data:
        digits, labels = data["x_test"], data["y_test"]
    scene = random_scene(args.seed) if args.preset == RANDOM else None
    if args.lens is not None and not -0.3 <= args.lens <= 0.3:
        parser.error(f"--lens {args.lens}: a distortion from -0.3 to 0.3")
    if args.curl is not None and not -0.1 <= args.curl <= 0.1:
        parser.error(f"--curl {args.curl}: a sag from -0.1 to 0.1 of the sheet's width")
    asked = (("line_width", args.line_width), ("line_colour", args.line_colour), ("lens", args.lens),
             ("curl", args.curl))
    drawn_otherwise = {name: value for name, value in asked if value is not None}
    style = replace(scene.style if scene else preset(args.preset), **drawn_otherwise)
    fourcc = cv2.VideoWriter_fourcc(*("MJPG" if args.out.suffix == ".avi" else "mp4v"))
    writer = cv2.VideoWriter(str(args.out), fourcc, args.fps, style.frame_size)
    truth = []
    for index, (frame, items, sheet) in enumerate(make_clip(digits, labels, style, args.frames, args.seed, args.fps)):
        writer.write(frame)
        truth.append({"frame": index, "page": np.round(sheet).astype(int).tolist(),
                      "items": [truth_item(item) for item in items]})
    writer.release()
    truth_path = args.out.with_suffix(".truth.json")
    factors = {"factors": scene.factors} if scene else {}
    truth_path.write_text(json.dumps({"preset": args.preset, "seed": args.seed, "size": list(style.frame_size),
                                      **factors, **drawn_otherwise, "frames": truth}) + "\n")
    digits_per_frame = np.mean([sum(i["label"] >= 0 for i in f["items"]) for f in truth])
    print(f"wrote {args.out} ({args.frames} frames, {digits_per_frame:.0f} digits a frame) and {truth_path}")


def bgr(text: str) -> tuple[int, int, int]:
    """A colour given as B,G,R, each 0-255."""
    try:
        colour = tuple(int(part) for part in text.split(","))
    except ValueError:
        colour = ()
    if len(colour) != 3 or not all(0 <= part <= 255 for part in colour):
        raise argparse.ArgumentTypeError(f"{text!r} is no B,G,R colour (three numbers 0-255, comma-separated)")
    return colour


def truth_item(item: PageItem) -> dict:
    """An item of a frame's truth; a digit no one could read there is marked to be ignored
    (livedigit-eval counts it neither missed nor, where read, false); a digit gives the
    number it is written in (the id of that number's first digit)."""
    return {"id": item.id, "box": list(item.box), "label": item.label,
            **({"number": item.number} if item.number >= 0 else {}),
            **({"ignore": item.unreadable} if item.unreadable else {})}


if __name__ == "__main__":
    main()
