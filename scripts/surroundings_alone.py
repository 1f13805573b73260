"""Count the digits livedigit reports on frames that show no paper at all: the generated
surroundings of the random scenes (a table, wood, wallpaper, plaster, a leather desk,
fabric) filling a 640x480 frame, each from a few seeds and at full, half and a third of
the light. Every digit reported there is false.

    python scripts/surroundings_alone.py [--seeds 4]
"""
from __future__ import annotations

import argparse

import cv2
import numpy as np

from livedigit import Recognizer
from livedigit.synthetic.surroundings import SURROUNDS

FRAME_SHAPE = (480, 640)
LIGHTS = (1.0, 0.5, 0.3)


def surroundings_frame(name: str, seed: int, light: float) -> np.ndarray:
    texture = SURROUNDS[name](FRAME_SHAPE, np.random.default_rng(seed)) * light
    return cv2.GaussianBlur(np.clip(texture, 0, 255).astype(np.uint8), (3, 3), 0)


def read_alone(recognizer: Recognizer, frame: np.ndarray) -> np.ndarray:
    """The digits read in a frame as a photo on its own: nothing carried over from the last."""
    recognizer.forget()
    return recognizer(frame).digits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4, help="frames of each surface at each light (default 4)")
    args = parser.parse_args()
    recognizer = Recognizer()
    print("| surroundings | frames | false digits |\n|---|---|---|")
    total = 0
    for name in SURROUNDS:
        count = sum(len(read_alone(recognizer, surroundings_frame(name, seed, light)))
                    for seed in range(args.seeds) for light in LIGHTS)
        total += count
        print(f"| {name} | {args.seeds * len(LIGHTS)} | {count} |")
    print(f"| all | {args.seeds * len(LIGHTS) * len(SURROUNDS)} | {total} |")


if __name__ == "__main__":
    main()
