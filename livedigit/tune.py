"""Live tuning: trackbars for every detection parameter, the mask the detector sees, the result.

Keys: s save profile, r reset, a auto-calibrate block size and C, space/p pause,
n next frame while paused, q/Esc quit.
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Callable, NamedTuple

import cv2
import numpy as np

from .annotate import FpsMeter, draw_label
from .app import annotate, record
from .detect import binarize, to_gray
from .detect.threshold import paper_brightness
from .numbers import group_numbers
from .params import THRESHOLD_METHODS, DetectionParams, save_profile
from .recognize import Recognizer
from .signals import StopOnSignals
from .sinks import QUIT_KEYS, JsonlSink, VideoSink

CONTROLS = "livedigit controls"
MASK = "livedigit mask"
VIDEO = "livedigit"
HELP = "s save  r reset  a auto  space/p pause  n step  q quit"


class Trackbar(NamedTuple):
    field: str
    label: str
    top: int                               # highest trackbar position
    to_value: Callable[[int], object]      # trackbar position -> parameter value
    to_position: Callable[[object], int]


TRACKBARS = (
    Trackbar("threshold", "method " + " ".join(f"{i} {m}" for i, m in enumerate(THRESHOLD_METHODS)),
             len(THRESHOLD_METHODS) - 1, lambda p: THRESHOLD_METHODS[p], THRESHOLD_METHODS.index),
    Trackbar("window", "background window %", 100, lambda p: max(p, 2), int),
    Trackbar("block_size", "block size (odd)", 149, lambda p: 2 * p + 3, lambda v: (v - 3) // 2),
    Trackbar("c", "C + 50", 150, lambda p: p - 50, lambda v: v + 50),
    Trackbar("blur", "blur (odd)", 15, lambda p: 2 * p + 1, lambda v: (v - 1) // 2),
    Trackbar("morph_kernel", "morphology kernel", 15, lambda p: max(p, 1), int),
    Trackbar("min_height", "min digit height px", 300, lambda p: max(p, 4), int),
    Trackbar("max_height", "max digit height %", 100, lambda p: max(p, 1), int),
    Trackbar("max_aspect", "max aspect x10", 100, lambda p: max(p, 2) / 10, lambda v: round(v * 10)),
    Trackbar("min_fill", "min ink fill %", 100, lambda p: p / 100, lambda v: round(v * 100)),
    Trackbar("confidence", "confidence %", 100, lambda p: p / 100, lambda v: round(v * 100)),
)


def set_trackbars(params: DetectionParams) -> None:
    for bar in TRACKBARS:
        cv2.setTrackbarPos(bar.label, CONTROLS, bar.to_position(getattr(params, bar.field)))


def read_trackbars() -> DetectionParams:
    return DetectionParams(**{bar.field: bar.to_value(cv2.getTrackbarPos(bar.label, CONTROLS))
                              for bar in TRACKBARS})


def open_windows(params: DetectionParams, frame_size: tuple[int, int]) -> None:
    """The video at the top left, the controls beside it and the mask below them."""
    width, height = frame_size
    cv2.namedWindow(VIDEO, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
    cv2.moveWindow(VIDEO, 0, 0)
    cv2.namedWindow(CONTROLS, cv2.WINDOW_NORMAL | cv2.WINDOW_GUI_NORMAL)
    cv2.resizeWindow(CONTROLS, 520, 480)
    cv2.moveWindow(CONTROLS, width + 10, 0)
    for bar in TRACKBARS:
        cv2.createTrackbar(bar.label, CONTROLS, bar.to_position(getattr(params, bar.field)), bar.top,
                           lambda _: None)
    cv2.namedWindow(MASK, cv2.WINDOW_NORMAL | cv2.WINDOW_GUI_NORMAL)
    cv2.resizeWindow(MASK, 320, 320 * height // max(width, 1))
    cv2.moveWindow(MASK, width + 10, 520)


def auto_calibrate(frame: np.ndarray, params: DetectionParams) -> DetectionParams:
    """Block size from the typical ink blob height and C from the paper's noise, on one
    frame, for the threshold method in use."""
    gray = to_gray(frame)
    ink = binarize(gray, replace(params, morph_kernel=1)) > 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8))
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    heights = heights[(heights >= params.min_height) & (heights <= gray.shape[0] * params.max_height / 100)]
    block = int(np.clip(np.median(heights), 11, 149)) if len(heights) else params.block_size
    block += 1 - block % 2
    if params.threshold == "background":
        expected = paper_brightness(gray, params.window).brightness
    else:
        expected = cv2.blur(gray, (block, block))
    deviation = expected.astype(np.float32)[~ink] - gray.astype(np.float32)[~ink]
    # Median absolute deviation: the faint halos around strokes do not inflate it.
    noise = 1.4826 * float(np.median(np.abs(deviation - np.median(deviation)))) if deviation.size else 2.0
    return replace(params, block_size=block, c=int(np.clip(round(2.5 * noise + 4), 8, 60)))


def default_profile_path(source_name: str) -> Path:
    stem = Path(source_name).stem if not source_name.isdigit() else f"camera{source_name}"
    return Path("calibration") / f"{stem or 'profile'}.json"


def tune(source, recognizer: Recognizer, profile: str | None, *, jsonl: JsonlSink | None = None,
         video: VideoSink | None = None, signals: StopOnSignals | None = None) -> None:
    """Show the tuning windows until q/Esc or a signal; when a file ends its last frame stays."""
    frames = iter(source)
    frame, fresh = next(frames, None), True
    if frame is None:
        return
    open_windows(recognizer.params, (frame.image.shape[1], frame.image.shape[0]))
    paused = False
    meter = FpsMeter()
    try:
        while frame is not None and not (signals and signals.received):
            started = time.perf_counter()
            recognizer.params = read_trackbars()
            detections, regions = recognizer.read_regions(frame.image)
            numbers = group_numbers(detections)
            annotated = annotate(frame, regions.page, detections, numbers, meter.tick())
            if fresh:  # each frame is recorded once, however long it is tuned on
                record(frame, (time.perf_counter() - started) * 1000, regions.page, detections, numbers, annotated,
                       jsonl, video)
            draw_label(annotated, HELP + ("  [paused]" if paused else ""), (4, annotated.shape[0] - 4),
                       (200, 200, 200), 0.5)
            cv2.imshow(VIDEO, annotated)
            cv2.imshow(MASK, regions.binary)
            key = cv2.waitKey(30 if paused else 1) & 0xFF
            if key in QUIT_KEYS:
                break
            if key == ord("s"):
                path = save_profile(recognizer.params, profile or default_profile_path(source.name))
                print(f"livedigit: saved profile {path}", flush=True)
            elif key == ord("r"):
                set_trackbars(DetectionParams())
            elif key == ord("a"):
                set_trackbars(auto_calibrate(frame.image, recognizer.params))
            elif key in (ord(" "), ord("p")):
                paused = not paused
            fresh = False
            if not paused or key == ord("n"):
                following = next(frames, None)
                if following is None:
                    paused = True  # the file ended: hold its last frame
                else:
                    frame, fresh = following, True
    finally:
        cv2.destroyAllWindows()
