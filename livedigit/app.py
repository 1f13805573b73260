"""The capture loop: source -> regions -> digits -> overlay -> sinks; regions found ahead."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from .ahead import FindingProcess, keep_freed_memory
from .annotate import FpsMeter, draw_detections, draw_numbers, draw_page, draw_status, to_bgr
from .detections import Detections
from .numbers import Number, group_numbers
from .recognize import Recognizer
from .signals import StopOnSignals
from .sinks import JsonlSink, VideoSink, WindowSink
from .sources import Frame
from .tracking import Tracker


@dataclass
class RunSummary:
    frames: int = 0
    digits: int = 0
    seconds: float = 0.0
    # Each half's own time on the frames, added up: finding their regions (in the finding
    # process, beside the rest; their last step in the main process where frames wait for
    # it) and reading them. The run goes at the pace of the larger.
    finding_seconds: float = 0.0
    reading_seconds: float = 0.0


def annotate(frame: Frame, page: np.ndarray | None, detections: Detections, numbers: list[Number],
             fps: float) -> np.ndarray:
    image = draw_page(to_bgr(frame.image), page)
    image = draw_numbers(draw_detections(image, detections), numbers)
    return draw_status(image, frame.index, fps)


def record(frame: Frame, time_ms: float, page: np.ndarray | None, detections: Detections, numbers: list[Number],
           annotated: np.ndarray | None, jsonl: JsonlSink | None, video: VideoSink | None) -> None:
    if jsonl:
        found_page = {} if page is None else {"page": np.round(page).astype(int).tolist()}
        jsonl.write(frame.index, frame.source, time_ms, detections,
                    numbers=[number.to_record() for number in numbers], **found_page)
    if video:
        video.write(annotated)


@contextmanager
def opencv_on_one_thread():
    """The finding process keeps the other core busy: OpenCV's own worker threads would
    only compete with it (measured: 3-7 % more frames a second at 640x480 without them)."""
    threads = cv2.getNumThreads()
    cv2.setNumThreads(0)
    try:
        yield
    finally:
        cv2.setNumThreads(threads)


def run(source, recognizer: Recognizer, *, jsonl: JsonlSink | None = None, video: VideoSink | None = None,
        window: WindowSink | None = None, max_frames: int | None = None,
        signals: StopOnSignals | None = None, on_frame: Callable[[], object] | None = None) -> RunSummary:
    """Process frames until the source ends, max_frames is reached, q/Esc or a signal;
    `on_frame` is called after each frame (a progress bar's update)."""
    keep_freed_memory()  # decoded frames are allocated and freed every frame
    summary = RunSummary()
    meter = FpsMeter()
    tracker = Tracker(confirm_frames=recognizer.params.confirm_frames) if source.sequential else None
    started = None
    drawn = bool(video or window)  # drawing costs time: only when someone sees or records it
    with FindingProcess(recognizer.params, source.sequential) as finder, opencv_on_one_thread():
        for frame, regions, finding_s in finder.find_in_each(source, live=source.live):
            frame_started = time.perf_counter()
            if started is None:  # start-up (opening the source, starting the process) is not counted
                started = frame_started - finding_s
            fps = meter.tick()
            detections, unsure = recognizer.read_unsure(regions)
            if tracker:
                detections = tracker.update(detections, unsure, frame.image.shape[:2])
            else:
                recognizer.forget()
            numbers = group_numbers(detections)
            annotated = annotate(frame, regions.page, detections, numbers, fps) if drawn else None
            time_ms = (finding_s + time.perf_counter() - frame_started) * 1000
            record(frame, time_ms, regions.page, detections, numbers, annotated, jsonl, video)
            summary.frames += 1
            summary.digits += len(detections)
            summary.finding_seconds += finding_s
            summary.reading_seconds += time.perf_counter() - frame_started
            if on_frame:
                on_frame()
            if window and not window.show(annotated):
                break
            if (max_frames and summary.frames >= max_frames) or (signals and signals.received):
                break
    summary.seconds = time.perf_counter() - started if started else 0.0
    return summary
