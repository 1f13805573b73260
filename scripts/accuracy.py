"""Measure livedigit's accuracy: generated clips of every preset, random scenes, real photos.

    python scripts/accuracy.py --data ../shared/data/mnist.npz [--photos ../shared/realdev]
    python scripts/accuracy.py --data ../shared/data/mnist.npz --random 100 [--first-seed 0]
    python scripts/accuracy.py --data ../shared/data/mnist.npz --model models/digits.tflite   # another model

Each clip is generated from MNIST test digits (scripts/make_clip.py), read by the
`livedigit` command headless, and scored by `livedigit-eval`; prints Markdown tables.
With --random N, N scenes drawn at random (`make_clip.py --preset random --seed S`, seeds
from --first-seed on) are scored instead: the mean, 10th percentile and worst F1, the
worst scenes with their seeds and factors (each replays from its seed), F1 by the value
of every factor, and the stages that lost the missed digits (`livedigit-eval --why`).
Both end with the clips' reported digits by confidence against the share of them right
(`livedigit-eval`'s reliability). `--opencv-sample` scores OpenCV's own digit reader
(scripts/opencv_sample.py) on the same clips beside it.
First prints the processor and the model read with: by default the shipped export this
processor runs, whose 8-bit weights (on a processor with 8-bit dot products) read a few
digits otherwise than the float export does.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from livedigit.classify import running_on
from livedigit.evaluate import CONFIDENCE_BINS, Score
from livedigit.synthetic import PRESETS, random_scene

SCRIPTS = Path(__file__).resolve().parent
WORST_SHOWN = 10


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(command)} failed with exit code {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def reading_options(profile: Path | None, model: Path | None) -> list[str]:
    """The options that read a clip as the run did, for `livedigit` and `livedigit-eval --why`."""
    return [*(["--profile", str(profile)] if profile else []), *(["--model", str(model)] if model else [])]


def score_clip(preset: str, data: Path, frames: int, seed: int, folder: Path, suffix: str = ".mp4",
               why: bool = False, profile: Path | None = None, model: Path | None = None,
               opencv_sample: bool = False) -> dict:
    """livedigit's score on a generated clip; with `opencv_sample`, the sample's under that key."""
    clip = folder / f"{preset}-{seed}{suffix}"
    jsonl, truth = clip.with_suffix(".jsonl"), ["--truth", str(clip.with_suffix(".truth.json"))]
    run(sys.executable, str(SCRIPTS / "make_clip.py"), "--data", str(data), "--preset", preset,
        "--frames", str(frames), "--seed", str(seed), "--out", str(clip))
    run(sys.executable, "-m", "livedigit", "--source", str(clip), "--no-display", "--jsonl", str(jsonl),
        *reading_options(profile, model))
    score = json.loads(run(sys.executable, "-m", "livedigit.evaluate", "--jsonl", str(jsonl), *truth,
                           *(["--why", *reading_options(profile, model)] if why else [])))
    if opencv_sample:
        score["opencv_sample"] = score_opencv_sample(clip, data, clip.with_suffix(".opencv-sample.jsonl"), truth)
    return score


def score_opencv_sample(source: Path, data: Path, jsonl: Path, truth: list[str]) -> dict:
    """OpenCV's own digit reader (scripts/opencv_sample.py) on a clip or a folder of photos,
    its readings written to `jsonl`, scored against the `truth` options of livedigit-eval as
    livedigit is."""
    run(sys.executable, str(SCRIPTS / "opencv_sample.py"), "--data", str(data), "--source", str(source),
        "--jsonl", str(jsonl))
    return json.loads(run(sys.executable, "-m", "livedigit.evaluate", "--jsonl", str(jsonl), *truth))


def score_photos(photos: Path, folder: Path, profile: Path | None = None, model: Path | None = None,
                 opencv_sample_data: Path | None = None) -> dict:
    """livedigit's score on a folder of photos; with `opencv_sample_data` (mnist.npz), the
    sample's under "opencv_sample"."""
    jsonl = folder / "photos.jsonl"
    labels = ["--labels", str(photos / "labels.json")]
    run(sys.executable, "-m", "livedigit", "--source", str(photos), "--no-display", "--jsonl", str(jsonl),
        *reading_options(profile, model))
    score = json.loads(run(sys.executable, "-m", "livedigit.evaluate", "--jsonl", str(jsonl), *labels))
    if opencv_sample_data is not None:
        score["opencv_sample"] = score_opencv_sample(photos, opencv_sample_data, folder / "photos.opencv-sample.jsonl",
                                                     labels)
    return score


def score_row(name: str, score: dict, opencv_sample: bool = False) -> str:
    off_page, numbers = score.get("off_page_per_frame"), score.get("numbers")
    numbers_read = "-" if numbers is None else f"{numbers['read'] / numbers['written']:.3f}"
    row = (f"| {name} | {score['precision']:.3f} | {score['recall']:.3f} | {score['f1']:.3f} "
           f"| {score['flicker_rate']:.3f} | {'-' if off_page is None else f'{off_page:.2f}'} | {numbers_read} |")
    if opencv_sample:
        sample = score.get("opencv_sample")
        row += " - |" if sample is None else f" {sample['precision']:.3f} / {sample['recall']:.3f} / {sample['f1']:.3f} |"
    return row


def print_reliability(scores: list[dict]) -> None:
    """The digits reported over all the clips by confidence (`livedigit-eval`'s
    reliability, added up): how many, their mean confidence and the share right."""
    total = Score()
    for score in scores:
        for low, counts in score.get("reliability", {}).items():
            index = round(float(low) * CONFIDENCE_BINS)
            total.reported_at[index] += counts["reported"]
            total.right_at[index] += counts["right"]
            total.confidence_at[index] += counts["mean_confidence"] * counts["reported"]
    if not (reliability := total.reliability()):
        return
    print("\n| reported at confidence | digits | mean confidence | share right |\n|---|---|---|---|")
    for low, counts in reliability["reliability"].items():
        print(f"| {low} | {counts['reported']:,} | {counts['mean_confidence']:.3f} "
              f"| {counts['right'] / counts['reported']:.3f} |")
    reported = sum(total.reported_at.values())
    print(f"| all (expected calibration error {reliability['calibration_error']:.3f}) | {reported:,} "
          f"| {sum(total.confidence_at.values()) / reported:.3f} | {sum(total.right_at.values()) / reported:.3f} |")


def presets_table(args: argparse.Namespace, folder: Path) -> None:
    sample_column = (" OpenCV sample: precision / recall / F1 |", "---|") if args.opencv_sample else ("", "")
    print(f"| material | precision | recall | F1 | flicker | off the page a frame | numbers read whole |{sample_column[0]}\n"
          f"|---|---|---|---|---|---|---|{sample_column[1]}")
    clips = []
    for name in PRESETS:
        clips.append(score_clip(name, args.data, args.frames, args.seed, folder, profile=args.profile,
                                model=args.model, opencv_sample=args.opencv_sample))
        print(score_row(f"clip `{name}`", clips[-1], args.opencv_sample), flush=True)
    if args.photos:
        score = score_photos(args.photos, folder, args.profile, args.model, args.data if args.opencv_sample else None)
        print(score_row(f"photos `{args.photos.name}`", score, args.opencv_sample), flush=True)
    print_reliability(clips)


def random_tables(args: argparse.Namespace, folder: Path) -> None:
    seeds = range(args.first_seed, args.first_seed + args.random)

    def score(seed: int) -> tuple[int, dict]:
        return seed, score_clip("random", args.data, args.frames, seed, folder, random_scene(seed).suffix, why=True,
                                profile=args.profile, model=args.model, opencv_sample=args.opencv_sample)

    with ThreadPoolExecutor(2) as pool:  # one scene generated while another is read
        scores = dict(pool.map(score, seeds))
    f1 = np.array([scores[seed]["f1"] for seed in seeds])
    numbers = [s.get("numbers", {"written": 0, "read": 0}) for s in scores.values()]
    print(f"{len(f1)} random scenes (seeds {seeds.start}-{seeds.stop - 1}, {args.frames} frames each): "
          f"F1 mean {f1.mean():.3f}, 10th percentile {np.percentile(f1, 10):.3f}, worst {f1.min():.3f}; "
          f"precision mean {np.mean([s['precision'] for s in scores.values()]):.3f}, "
          f"recall mean {np.mean([s['recall'] for s in scores.values()]):.3f}; "
          f"digits reported off the page {np.mean([s['off_page_per_frame'] for s in scores.values()]):.2f} "
          f"a frame; numbers wholly in view read as one number {sum(n['read'] for n in numbers)} "
          f"of {sum(n['written'] for n in numbers)}\n")
    if args.opencv_sample:
        sample_f1 = np.array([scores[seed]["opencv_sample"]["f1"] for seed in seeds])
        print(f"OpenCV's sample on the same scenes: F1 mean {sample_f1.mean():.3f}, 10th percentile "
              f"{np.percentile(sample_f1, 10):.3f}, worst {sample_f1.min():.3f}; livedigit's F1 higher in "
              f"{np.count_nonzero(f1 > sample_f1)} of {len(f1)} scenes, lower in {np.count_nonzero(f1 < sample_f1)}\n")
    print("| worst scenes: seed | precision | recall | F1 | factors | lost at |\n|---|---|---|---|---|---|")
    for seed in sorted(seeds, key=lambda s: scores[s]["f1"])[:WORST_SHOWN]:
        s, factors = scores[seed], random_scene(seed).factors
        print(f"| {seed} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} "
              f"| {'; '.join(f'{k} {v}' for k, v in factors.items())} | {top_stages(s['lost_at'])} |")
    print("\n| factor | value | scenes | F1 mean | F1 worst |\n|---|---|---|---|---|")
    by_value = defaultdict(list)
    for seed in seeds:
        for factor, value in random_scene(seed).factors.items():
            by_value[factor, value].append(scores[seed]["f1"])
    for (factor, value), values in sorted(by_value.items()):
        print(f"| {factor} | {value} | {len(values)} | {np.mean(values):.3f} | {min(values):.3f} |")
    print_totals("missed or misread digits lost at", [s["lost_at"] for s in scores.values()])
    print_totals("false digits on", [s["false_on"] for s in scores.values()])
    print_totals("the page reported", [s.get("page_found", {}) for s in scores.values()], "frames")
    print_reliability(list(scores.values()))


def print_totals(heading: str, counts: list[dict[str, int]], unit: str = "digits") -> None:
    """A table of counts by key summed over the scenes, largest first."""
    totals = defaultdict(int)
    for scene in counts:
        for key, count in scene.items():
            totals[key] += count
    print(f"\n| {heading} | {unit} |\n|---|---|")
    for key, count in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"| {key} | {count} |")


def top_stages(lost_at: dict, shown: int = 3) -> str:
    return ", ".join(f"{stage} {count}" for stage, count in list(lost_at.items())[:shown]) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="mnist.npz (its test split is used)")
    parser.add_argument("--photos", type=Path, help="folder of photos with labels.json")
    parser.add_argument("--frames", type=int, help="frames a clip (default: 60 a preset, 20 a random scene)")
    parser.add_argument("--seed", type=int, default=11, help="the presets' seed")
    parser.add_argument("--random", type=int, metavar="N", help="score N random scenes instead of the presets")
    parser.add_argument("--first-seed", type=int, default=0, help="the first random scene's seed")
    parser.add_argument("--profile", type=Path, help="a calibration profile for every run")
    parser.add_argument("--model", type=Path, help="a .keras or .tflite model for every run (default: the shipped one)")
    parser.add_argument("--opencv-sample", action="store_true",
                        help="also score OpenCV's own digit reader on the same clips (scripts/opencv_sample.py)")
    args = parser.parse_args()
    args.frames = args.frames or (20 if args.random else 60)
    print(f"On {running_on(args.model)}\n", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        (random_tables if args.random else presets_table)(args, Path(folder))


if __name__ == "__main__":
    main()
