"""Measure livedigit's accuracy: generated clips of every preset, and real photos when present.

    python scripts/accuracy.py --data ../shared/data/mnist.npz [--photos ../shared/realdev]

Each clip is generated from MNIST test digits (scripts/make_clip.py), read by the
`livedigit` command headless, and scored by `livedigit-eval`; prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from livedigit.synthetic import PRESETS

SCRIPTS = Path(__file__).resolve().parent


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def score_clip(preset: str, data: Path, frames: int, seed: int, folder: Path) -> dict:
    clip, jsonl = folder / f"{preset}.mp4", folder / f"{preset}.jsonl"
    run(sys.executable, str(SCRIPTS / "make_clip.py"), "--data", str(data), "--preset", preset,
        "--frames", str(frames), "--seed", str(seed), "--out", str(clip))
    run(sys.executable, "-m", "livedigit", "--source", str(clip), "--no-display", "--jsonl", str(jsonl))
    return json.loads(run(sys.executable, "-m", "livedigit.evaluate", "--jsonl", str(jsonl),
                          "--truth", str(clip.with_suffix(".truth.json"))))


def score_photos(photos: Path, folder: Path) -> dict:
    jsonl = folder / "photos.jsonl"
    run(sys.executable, "-m", "livedigit", "--source", str(photos), "--no-display", "--jsonl", str(jsonl))
    return json.loads(run(sys.executable, "-m", "livedigit.evaluate", "--jsonl", str(jsonl),
                          "--labels", str(photos / "labels.json")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="mnist.npz (its test split is used)")
    parser.add_argument("--photos", type=Path, help="folder of photos with labels.json")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    print("| material | precision | recall | F1 | flicker |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        rows = [(f"clip `{name}`", score_clip(name, args.data, args.frames, args.seed, Path(folder)))
                for name in PRESETS]
        if args.photos:
            rows.append((f"photos `{args.photos.name}`", score_photos(args.photos, Path(folder))))
        for name, score in rows:
            print(f"| {name} | {score['precision']:.3f} | {score['recall']:.3f} | {score['f1']:.3f} "
                  f"| {score['flicker_rate']:.3f} |", flush=True)


if __name__ == "__main__":
    main()
