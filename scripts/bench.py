"""Speed and memory of livedigit, printed as tables.

    python scripts/bench.py --data ../shared/data/mnist.npz [--frames 300] [--soak 30000]
    python scripts/bench.py --data ../shared/data/mnist.npz --batch 8 [--frames 300]
    python scripts/bench.py --data ../shared/data/mnist.npz --mix [--frames 60] [--scenes squared,"random 3"]
    python scripts/bench.py --data ../shared/data/mnist.npz --memory [--frames 60]

Prints first the processor and the model export the app runs on it (figures from one
processor say little of another's). Generates a 640x480 clip with about 60 digits a frame
and a 1280x720 one with about 80 (scripts/make_clip.py's `clean` and `hd` presets), then
prints per clip: end-to-end FPS headless (decode to JSONL written, start-up excluded; the
median of three runs), per-frame latency p50/p99 (processing time, capture excluded, as
in the JSONL), peak RSS of the bench and of the finding process, decode alone; time per
stage; the naive approach (`model.predict` per crop) and the inference backends side by
side. `--soak N` loops the 640x480 clip for N frames and prints memory and open files of
both processes after warm-up and at the end. `--batch N` times, instead, N clips of
--frames frames read by `livedigit` one after another and by `livedigit-batch` with 1, 2
and 3 workers, in turn. `--mix` runs every preset and three random scenes at each of
640x480, 1280x720 and 1920x1080 instead: FPS, latency, each process's own time a frame in
the capture loop (finding the regions, and reading them: the loop goes at the pace of the
larger) and the main stages of each clip, and beside them OpenCV's own digit reader's FPS
on the same clip (scripts/opencv_sample.py, decoding to results), then the worst a size
and on how many clips livedigit is the faster; `--scenes` names the scenes to run, of
those. `--memory` runs, instead, the CLI headless, as a user would, on 1920x1080 clips of
squared paper (`squared`, `squared-far`), and again with --save-video: the peak resident
memory of each of its processes and of their sum, sampled from /proc.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from livedigit import DetectionParams, JsonlSink, Recognizer, VideoSink
from livedigit.app import annotate, record, run
from livedigit.classify import KERAS_BATCH_SIZES, LITERT_BATCH_SIZES, DigitClassifier, running_on
from livedigit.detect import SceneTracker, binarize, find_page, regions_in, to_gray
from livedigit.normalize import normalize_grey
from livedigit.numbers import group_numbers
from livedigit.shipped import shipped_file
from livedigit.sources import Frame, VideoFileSource, open_source
from livedigit.synthetic import PRESETS, make_clip, preset, random_scene
from livedigit.tracking import Tracker
from opencv_sample import read_source, trained_svm  # beside this script

CLIPS = {"640x480": "clean", "1280x720": "hd"}
RUNS = 3  # end-to-end runs per clip; the median is printed, this machine's speed drifts


def write_clip(data: Path, preset_name: str, frames: int, path: Path, seed: int = 7, style=None) -> Path:
    with np.load(data) as mnist:
        digits, labels = mnist["x_test"], mnist["y_test"]
    style = style or preset(preset_name)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, style.frame_size)
    for frame, _, _ in make_clip(digits, labels, style, frames, seed=seed):
        writer.write(frame)
    writer.release()
    return path


def process_ids() -> list[int]:
    """This process and its children: the finding process, while a run goes on."""
    return [os.getpid()] + [child.pid for child in multiprocessing.active_children()]


def memory_mb(field: str) -> list[float]:
    """A memory figure from /proc (VmRSS: resident now, VmHWM: peak resident) of this
    process, then of the finding process while a run goes on."""
    figures = []
    for pid in process_ids():
        with open(f"/proc/{pid}/status") as status:
            figures.append(next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024)
    return figures


def open_files() -> int:
    return sum(len(os.listdir(f"/proc/{pid}/fd")) for pid in process_ids())


class ProbingJsonl(JsonlSink):
    """A JSONL sink that reads memory and open files of both processes at some frames."""

    def __init__(self, path: Path, probe_frames: tuple[int, ...]):
        super().__init__(path)
        self.probe_frames, self.probed = probe_frames, {}

    def write(self, frame_index: int, *args, **kwargs) -> None:
        super().write(frame_index, *args, **kwargs)
        if frame_index in self.probe_frames:
            self.probed[frame_index] = {"rss": sum(memory_mb("VmRSS")), "peak": memory_mb("VmHWM"),
                                        "files": open_files()}


def end_to_end(path: Path, recognizer: Recognizer, folder: Path) -> dict:
    """The capture loop as the CLI runs it; latency is each frame's processing time."""
    jsonl_path = folder / "bench.jsonl"
    source = open_source(str(path), gray=True)  # as the CLI opens it headless
    last_frame = source.reported_frames - 1
    with ProbingJsonl(jsonl_path, probe_frames=(last_frame,)) as jsonl:
        summary = run(source, recognizer, jsonl=jsonl)
    source.close()
    latency = [json.loads(line)["time_ms"] for line in jsonl_path.read_text().splitlines()]
    frames = max(summary.frames, 1)
    return {"fps": summary.frames / summary.seconds, "p50": np.percentile(latency, 50),
            "p99": np.percentile(latency, 99), "digits": summary.digits / frames,
            "finding_ms": 1000 * summary.finding_seconds / frames,
            "reading_ms": 1000 * summary.reading_seconds / frames,
            "peak_mb": jsonl.probed[last_frame]["peak"]}


class TimedClassifier:
    """The recognizer's classifier, adding up the time spent in it."""

    def __init__(self, classifier):
        self.classifier, self.num_classes, self.ms = classifier, classifier.num_classes, 0.0

    def __call__(self, crops: np.ndarray) -> np.ndarray:
        started = time.perf_counter()
        probabilities = self.classifier(crops)
        self.ms += (time.perf_counter() - started) * 1000
        return probabilities


def stages(path: Path, recognizer: Recognizer, folder: Path) -> dict[str, float]:
    """Mean milliseconds per frame of each stage, run one after another on every frame."""
    params: DetectionParams = recognizer.params
    totals = dict.fromkeys(("decode (in colour)", "page", "threshold", "contours", "candidates", "reuse check + normalization",
                            "inference", "decision+tracking+numbers", "overlay", "JSONL", "video file"), 0.0)
    capture = cv2.VideoCapture(str(path))
    tracker, scene = Tracker(), SceneTracker()
    classifier, recognizer.classifier = recognizer.classifier, TimedClassifier(recognizer.classifier)
    frames = 0
    with JsonlSink(folder / "stages.jsonl") as jsonl, VideoSink(folder / "stages.mp4", 30.0) as video:
        while True:
            clock = time.perf_counter()
            ok, image = capture.read()
            if not ok:
                break
            marks = [clock, time.perf_counter()]
            gray = to_gray(image)
            scene.follow_size(gray.shape)  # as find_regions does
            page = scene.pages.follow(find_page(gray) if params.page else None, gray)
            marks.append(time.perf_counter())
            binary = binarize(gray, params, page=page, lines=scene.lines)
            marks.append(time.perf_counter())
            regions = regions_in(binary, params, page, gray)
            marks.append(time.perf_counter())
            candidates = recognizer.candidates(regions)  # with the unions of broken-digit pieces
            marks.append(time.perf_counter())
            model_ms = recognizer.classifier.ms
            probabilities = recognizer.classify(candidates)
            model_ms = recognizer.classifier.ms - model_ms
            marks += [time.perf_counter() - model_ms / 1000, time.perf_counter()]
            detections = tracker.update(*recognizer.sort_out(candidates, probabilities))
            numbers = group_numbers(detections)
            marks.append(time.perf_counter())
            frame = Frame(frames, image, str(path))
            annotated = annotate(frame, regions.page, detections, numbers, 0.0)
            marks.append(time.perf_counter())
            record(frame, 0.0, regions.page, detections, numbers, None, jsonl, None)
            marks.append(time.perf_counter())
            record(frame, 0.0, regions.page, detections, numbers, annotated, None, video)
            marks.append(time.perf_counter())
            for name, start, end in zip(totals, marks[:-1], marks[1:]):
                totals[name] += (end - start) * 1000
            frames += 1
    recognizer.classifier = classifier
    return {name: total / frames for name, total in totals.items()}


def decode_fps(path: Path) -> float:
    """Frames a second of reading the clip as a headless run reads it (luma only)."""
    source = VideoFileSource(str(path), gray=True)
    started = time.perf_counter()
    frames = sum(1 for _ in source)
    source.close()
    return frames / (time.perf_counter() - started)


def sample_crops(path: Path, recognizer: Recognizer, frames: int = 5) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    batches = []
    for _ in range(frames):
        image = capture.read()[1]
        candidates = recognizer.candidates(recognizer.find(image))
        batches.append(normalize_grey(candidates.gray, candidates.boxes, candidates.masks, candidates.page))
    return batches


def naive_ms_per_frame(batches: list[np.ndarray]) -> float:
    """The tutorial way: model.predict on each crop, one at a time."""
    import keras

    model = keras.saving.load_model(shipped_file("models", "digits.keras"), safe_mode=True)
    crops = batches[0]
    started = time.perf_counter()
    for crop in crops:
        model.predict(crop[None, :, :, None], verbose=0)
    return (time.perf_counter() - started) * 1000


def decisions(probabilities: np.ndarray, confidence: float) -> np.ndarray:
    """The class each crop is read as, or -1 where no class reaches `confidence`."""
    return np.where(probabilities.max(axis=1) >= confidence, probabilities.argmax(axis=1), -1)


def backends(batches: list[np.ndarray], confidence: float) -> list[tuple[str, float, float, float]]:
    """(backend, ms per frame's batch, largest probability difference from Keras,
    fraction of crops decided as Keras decides them)."""
    import keras

    model = keras.saving.load_model(shipped_file("models", "digits.keras"), safe_mode=True)
    reference = np.concatenate([np.asarray(model(batch[..., None], training=False)) for batch in batches])
    candidates = {
        "keras direct call": lambda batch: np.asarray(model(batch[..., None], training=False)),
        "tf.function, padded batches": DigitClassifier(shipped_file("models", "digits.keras")),
        "LiteRT, padded batches": DigitClassifier(shipped_file("models", "digits.tflite")),
        "LiteRT, 8-bit weights, padded batches": DigitClassifier(shipped_file("models", "digits-int8.tflite")),
    }
    rows = []
    for name, classify in candidates.items():
        for batch in batches:
            classify(batch)  # warm up every batch size
        repeats = 10
        started = time.perf_counter()
        for _ in range(repeats):
            outputs = [classify(batch) for batch in batches]
        elapsed = (time.perf_counter() - started) * 1000 / (repeats * len(batches))
        outputs = np.concatenate(outputs)
        same = np.mean(decisions(outputs, confidence) == decisions(reference, confidence))
        rows.append((name, elapsed, float(np.abs(outputs - reference).max()), float(same)))
    return rows


class LoopedVideo(VideoFileSource):
    """A clip played `loops` times over as one long video, read as a headless run reads it."""

    def __init__(self, path: str, loops: int):
        super().__init__(path, gray=True)
        self.loops = loops

    def __iter__(self):
        index = 0
        for _ in range(self.loops):
            clip = VideoFileSource(self.name, gray=True)
            for frame in clip:
                yield replace(frame, index=index)
                index += 1
            clip.close()


def soak(path: Path, recognizer: Recognizer, frames: int, folder: Path) -> None:
    clip_frames = int(cv2.VideoCapture(str(path)).get(cv2.CAP_PROP_FRAME_COUNT))
    source = LoopedVideo(str(path), loops=-(-frames // clip_frames))
    warm_frame, last_frame = min(1000, frames // 10), frames - 1
    started = time.perf_counter()
    with ProbingJsonl(folder / "soak.jsonl", probe_frames=(warm_frame, last_frame)) as jsonl:
        summary = run(source, recognizer, jsonl=jsonl, max_frames=frames)
    source.close()
    warm, end = jsonl.probed[warm_frame], jsonl.probed[last_frame]
    print(f"\nSoak: {summary.frames} frames in {time.perf_counter() - started:.0f} s "
          f"({summary.frames / summary.seconds:.0f} fps)")
    print(f"RSS (main and finding process) after warm-up {warm['rss']:.1f} MB, at the end {end['rss']:.1f} MB "
          f"(growth {100 * (end['rss'] / warm['rss'] - 1):+.2f} %); "
          f"open files {warm['files']} then {end['files']}")


BATCH_WORKERS = (1, 2, 3)
BATCH_ROUNDS = 2


def batch_bench(data: Path, clips: int, frames: int, folder: Path) -> None:
    """Seconds for a folder of clips: `livedigit` on each in turn, then `livedigit-batch`."""
    inputs = folder / "clips"
    inputs.mkdir()
    paths = [write_clip(data, "clean", frames, inputs / f"clip{n}.mp4", seed=n) for n in range(clips)]
    ways = {"livedigit, one clip after another": lambda out: [
        subprocess.run([sys.executable, "-m", "livedigit", "--source", str(path), "--no-display", "--jsonl",
                        str(out / f"{path.name}.jsonl")], check=True, capture_output=True) for path in paths]}
    for workers in BATCH_WORKERS:
        ways[f"livedigit-batch --workers {workers}"] = lambda out, workers=workers: subprocess.run(
            [sys.executable, "-m", "livedigit.batch.cli", str(inputs), "--out", str(out), "--workers", str(workers)],
            check=True, capture_output=True)
    seconds = {way: [] for way in ways}
    for round_ in range(BATCH_ROUNDS):
        for way, command in ways.items():
            out = folder / f"out-{round_}-{len(seconds[way])}-{abs(hash(way))}"
            out.mkdir()
            started = time.perf_counter()
            command(out)
            seconds[way].append(time.perf_counter() - started)
    print(f"{clips} clips of {frames} frames at 640x480, {BATCH_ROUNDS} rounds taken in turn:\n")
    print("| way | seconds, each round | frames a second (best round) |\n|---|---|---|")
    for way, taken in seconds.items():
        print(f"| {way} | {' / '.join(f'{t:.1f}' for t in taken)} | {clips * frames / min(taken):.0f} |")


MIX_SIZES = ((640, 480), (1280, 720), (1920, 1080))
MIX_RANDOM_SCENES = {f"random {seed}": seed for seed in (3, 14, 27)}
MIX_STAGES = ("threshold", "contours", "candidates", "inference")


def scene_mix(data: Path, frames: int, recognizer: Recognizer, folder: Path, only: list[str] | None = None) -> None:
    """Every preset and a few random scenes at each size (`only` those named, where given):
    speed, latency and the main stages, and OpenCV's sample's speed on the same clip."""
    with np.load(data) as mnist:
        sample_svm = trained_svm(mnist["x_train"], mnist["y_train"])
    print("| size | scene | digits/frame | FPS | OpenCV sample FPS | latency p50 ms | p99 ms | finding / reading ms | "
          + " | ".join(f"{stage} ms" for stage in MIX_STAGES) + " |")
    print("|---|---|---|---|---|---|---|---|" + "---|" * len(MIX_STAGES))
    worst, against_sample = {}, []
    for width, height in MIX_SIZES:
        scenes = {name: preset(name, frame_size=(width, height)) for name in PRESETS}
        scenes.update({name: replace(random_scene(seed).style, frame_size=(width, height))
                       for name, seed in MIX_RANDOM_SCENES.items()})
        scenes = {name: style for name, style in scenes.items() if only is None or name in only}
        for name, style in scenes.items():
            path = write_clip(data, "", frames, folder / f"mix-{width}-{name.replace(' ', '')}.mp4", style=style)
            result, timings = end_to_end(path, recognizer, folder), stages(path, recognizer, folder)
            sample_fps = read_source(str(path), sample_svm)
            against_sample.append((result["fps"] / sample_fps, f"{width}x{height} {name}"))
            print(f"| {width}x{height} | {name} | {result['digits']:.0f} | {result['fps']:.0f} | {sample_fps:.0f} "
                  f"| {result['p50']:.1f} "
                  f"| {result['p99']:.1f} | {result['finding_ms']:.1f} / {result['reading_ms']:.1f} | "
                  + " | ".join(f"{timings[stage]:.2f}" for stage in MIX_STAGES) + " |", flush=True)
            worst[width, height] = min(worst.get((width, height), (np.inf, "")), (result["fps"], name))
    print("\nWorst a size: " + "; ".join(f"{w}x{h} {fps:.0f} FPS ({name})" for (w, h), (fps, name) in worst.items()))
    faster = sum(ratio > 1 for ratio, _ in against_sample)
    print(f"Faster than OpenCV's sample on {faster} of {len(against_sample)} clips; furthest behind it: "
          + "; ".join(f"{clip} ({ratio:.2f} times its FPS)" for ratio, clip in sorted(against_sample)[:3]))


# The heaviest scenes at 1920x1080 for memory: the most digits, and squared paper's lines.
MEMORY_SCENES = ("squared", "squared-far")
MEMORY_SIZE = (1920, 1080)
SAMPLE_S = 0.1


def cli_memory(data: Path, frames: int, folder: Path) -> None:
    """The CLI headless on 1920x1080 clips of MEMORY_SCENES, and with --save-video: each
    process's peak resident memory, and the peaks of their sum and of their proportional
    set sizes (shared pages split between them), sampled from /proc every SAMPLE_S."""
    roles = ("main", "finding", "resource tracker")
    print(f"| {MEMORY_SIZE[0]}x{MEMORY_SIZE[1]} clip | " + " | ".join(f"{role} MB" for role in roles)
          + " | added up MB | PSS added up MB |")
    print("|---|" + "---|" * (len(roles) + 2))
    for name in MEMORY_SCENES:
        clip = write_clip(data, "", frames, folder / f"memory-{name}.mp4", style=preset(name, frame_size=MEMORY_SIZE))
        for extra in ((), ("--save-video", str(folder / "memory.mp4"))):
            peaks = peak_memory([sys.executable, "-m", "livedigit", "--source", str(clip), "--no-display",
                                 "--jsonl", str(folder / "memory.jsonl"), *extra])
            print(f"| `{name}`{' with --save-video' if extra else ''} | "
                  + " | ".join(f"{peaks.get(role, 0):.0f}" for role in roles)
                  + f" | {peaks['added up']:.0f} | {peaks['PSS added up']:.0f} |", flush=True)


def peak_memory(command: list[str]) -> dict[str, float]:
    """Runs the command; the peak resident MB of each of its processes by role (the
    main one, the finding one, Python's shared-memory resource tracker), of their sum,
    and of their proportional set sizes' sum."""
    cli = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peaks: dict[str, float] = {}
    while cli.poll() is None:
        sample = {role: memory for role, pid in cli_processes(cli.pid) if (memory := resident_mb(pid))}
        for role, (rss, _) in sample.items():
            peaks[role] = max(peaks.get(role, 0.0), rss)
        peaks["added up"] = max(peaks.get("added up", 0.0), sum(rss for rss, _ in sample.values()))
        peaks["PSS added up"] = max(peaks.get("PSS added up", 0.0), sum(pss for _, pss in sample.values()))
        time.sleep(SAMPLE_S)
    if cli.returncode:
        raise SystemExit(f"bench: {' '.join(command)} failed (exit code {cli.returncode})")
    return peaks


def cli_processes(pid: int) -> list[tuple[str, int]]:
    """The CLI's process and its children, each with its role."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            child_ids = [int(child) for child in children.read().split()]
    except OSError:  # it has just ended
        return []
    found = [("main", pid)]
    for child in child_ids:
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                tracker = b"resource_tracker" in cmdline.read()
        except OSError:
            continue
        found.append(("resource tracker" if tracker else "finding", child))
    return found


def resident_mb(pid: int) -> tuple[float, float] | None:
    """A process's resident and proportional set size in MB; None once it has ended."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            fields = dict(line.split()[:2] for line in rollup if line.startswith(("Rss:", "Pss:")))
    except OSError:
        return None
    return int(fields["Rss:"]) / 1024, int(fields["Pss:"]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="mnist.npz (its test digits are filmed)")
    parser.add_argument("--frames", type=int, default=300, help="frames per clip")
    parser.add_argument("--soak", type=int, help="also loop the 640x480 clip for this many frames")
    parser.add_argument("--batch", type=int, metavar="N", help="only time a batch of N clips (see above)")
    parser.add_argument("--mix", action="store_true", help="only run the scene mix (see above)")
    parser.add_argument("--scenes", type=lambda names: names.split(","),
                        help="with --mix, only these scenes, comma-separated (presets, 'random 3', ...)")
    parser.add_argument("--memory", action="store_true", help="only measure the CLI's memory at 1920x1080")
    args = parser.parse_args()
    mix_scenes = set(PRESETS) | set(MIX_RANDOM_SCENES)
    if unknown := set(args.scenes or ()) - mix_scenes:
        parser.error(f"--scenes: no scene {', '.join(sorted(unknown))} in the mix ({', '.join(sorted(mix_scenes))})")
    print(f"On {running_on()}\n", flush=True)
    if args.mix:
        with tempfile.TemporaryDirectory() as tmp:
            scene_mix(args.data, args.frames, Recognizer(), Path(tmp), args.scenes)
        return
    if args.batch:
        with tempfile.TemporaryDirectory() as tmp:
            batch_bench(args.data, args.batch, args.frames, Path(tmp))
        return
    if args.memory:
        with tempfile.TemporaryDirectory() as tmp:
            cli_memory(args.data, args.frames, Path(tmp))
        return
    recognizer = Recognizer()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clips = {size: write_clip(args.data, name, args.frames, folder / f"{size}.mp4")
                 for size, name in CLIPS.items()}
        print("| clip | digits/frame | end-to-end FPS | latency p50 ms | p99 ms | peak RSS MB, bench / finding "
              "process | decode alone FPS |")
        print("|---|---|---|---|---|---|---|")
        for size, path in clips.items():
            runs = sorted((end_to_end(path, recognizer, folder) for _ in range(RUNS)), key=lambda run: run["fps"])
            result = runs[len(runs) // 2]
            main_mb, finding_mb = result["peak_mb"]
            print(f"| {size} | {result['digits']:.0f} | {result['fps']:.0f} | {result['p50']:.1f} "
                  f"| {result['p99']:.1f} | {main_mb:.0f} / {finding_mb:.0f} | {decode_fps(path):.0f} |", flush=True)
        print("\nMean ms per frame by stage, run one after another (the capture loop finds regions\n"
              "(threshold + contours) in a process of its own, beside the rest):\n")
        timings = {size: stages(path, recognizer, folder) for size, path in clips.items()}
        print("| stage | " + " | ".join(timings) + " |")
        print("|---|" + "---|" * len(timings))
        for stage in next(iter(timings.values())):
            print(f"| {stage} | " + " | ".join(f"{t[stage]:.2f}" for t in timings.values()) + " |")
        batches = sample_crops(clips["640x480"], recognizer)
        print(f"\nInference backends, 640x480 frames ({np.mean([len(b) for b in batches]):.0f} crops a frame, "
              f"in padded batches of up to {LITERT_BATCH_SIZES[-1]} through LiteRT, "
              f"{KERAS_BATCH_SIZES[-1]} through tf.function):\n")
        print("| backend | ms per frame | max difference from Keras | same decisions as Keras |")
        print("|---|---|---|---|")
        for name, ms, difference, same in backends(batches, recognizer.params.confidence):
            print(f"| {name} | {ms:.2f} | {difference:.1e} | {100 * same:.2f} % |")
        print(f"| naive: model.predict per crop | {naive_ms_per_frame(batches):.0f} | - | - |")
        print(f"\nPeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB with TensorFlow "
              "loaded for the backend comparison")
        if args.soak:
            soak(clips["640x480"], recognizer, args.soak, folder)


if __name__ == "__main__":
    main()
