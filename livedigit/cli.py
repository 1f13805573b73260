"""livedigit command line: read handwritten digits from a camera, stream, video or images."""
from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from pathlib import Path

from . import __version__
from .errors import InputError
from .params import DetectionParams, load_profile
from .shipped import shipped_file
from .sinks import STDOUT

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="livedigit", description=__doc__)
    add_version(parser)
    parser.add_argument("--source", default="0",
                        help="camera index, video file, image file, folder or glob of images, "
                             "or rtsp:// / http(s):// stream URL (default: 0, the first camera)")
    parser.add_argument("--no-display", action="store_true", help="run headless, with no window")
    parser.add_argument("--save-video", metavar="PATH", help="write the annotated video (.mp4 or .avi)")
    parser.add_argument("--jsonl", metavar="PATH",
                        help="write one JSON object per frame ('-': to standard output, everything else to stderr)")
    parser.add_argument("--max-frames", type=positive_int, metavar="N", help="stop after N frames")
    parser.add_argument("--model", metavar="PATH", help="a .keras or .tflite model (default: the shipped one)")
    parser.add_argument("--profile", metavar="PATH", help="calibration profile (JSON) to load, and to save with --tune")
    parser.add_argument("--tune", action="store_true", help="tune detection live with trackbars")
    parser.add_argument("--demo", action="store_true", help="run on the demo clip shipped with livedigit")
    return parser


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def demo_clip() -> str:
    return str(shipped_file("samples", "demo.mp4"))


def initial_params(args: argparse.Namespace) -> DetectionParams:
    """The profile named, or the defaults; --tune may name a profile it is about to create."""
    if args.profile and (Path(args.profile).exists() or not args.tune):
        return load_profile(args.profile)
    return DetectionParams()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run_cli(args)
    except InputError as error:
        print(f"livedigit: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:  # Ctrl-C while starting up, before the run's own handler is in place
        print("livedigit: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # --jsonl -, and its reader stopped early (`| head`): quietly, as Unix tools do
        return 0


def progress_bar(source, max_frames: int | None):
    """A tqdm bar of the frames of a video file, where stderr is a terminal; else one that shows nothing."""
    from tqdm import tqdm

    total = getattr(source, "reported_frames", 0)
    shown = sys.stderr.isatty() and total > 0
    return tqdm(total=min(total, max_frames or total), unit="frame", file=sys.stderr, disable=not shown,
                leave=False, dynamic_ncols=True)


def run_cli(args: argparse.Namespace) -> int:
    from .app import run
    from .recognize import Recognizer
    from .signals import StopOnSignals
    from .sinks import JsonlSink, VideoSink, WindowSink, check_writable
    from .sources import open_source

    params = initial_params(args)
    for path, option in ((args.save_video, "--save-video"), (args.jsonl, "--jsonl")):
        if path and path != STDOUT:
            check_writable(path, option)
    display = has_display() and not args.no_display
    if args.tune and not display:
        raise InputError("--tune: needs a display (DISPLAY is not set, or --no-display was given)")
    if not display and not args.no_display:
        print("livedigit: no display found, running headless", file=sys.stderr)

    drawn = display or args.save_video  # otherwise nothing shows or records the frames: grey ones will do
    source = open_source(demo_clip() if args.demo else args.source, gray=not drawn)
    with ExitStack() as stack:
        stack.callback(source.close)
        recognizer = Recognizer(params, args.model)
        signals = stack.enter_context(StopOnSignals(getattr(source, "stop", lambda: None)))
        jsonl = stack.enter_context(JsonlSink(args.jsonl)) if args.jsonl else None
        video = stack.enter_context(VideoSink(args.save_video, source.fps)) if args.save_video else None
        if args.tune:
            from .tune import tune
            tune(source, recognizer, args.profile, jsonl=jsonl, video=video, signals=signals)
        else:
            window = stack.enter_context(WindowSink()) if display else None
            progress = None if display else stack.enter_context(progress_bar(source, args.max_frames))
            summary = run(source, recognizer, jsonl=jsonl, video=video, window=window, max_frames=args.max_frames,
                          signals=signals, on_frame=None if progress is None else progress.update)
            if progress is not None:
                progress.close()  # the bar's line cleared before the summary's
            rate = summary.frames / summary.seconds if summary.seconds else 0.0
            print(f"livedigit: {summary.frames} frames, {summary.digits} digits, {rate:.1f} fps",
                  file=sys.stderr)
    return signals.exit_code
