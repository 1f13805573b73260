"""The capture loop: source -> recognizer -> overlay -> sinks."""
from __future__ import annotations

import time
from dataclasses import dataclass

from .annotate import FpsMeter, draw_detections, draw_status, to_bgr
from .recognize import Recognizer
from .signals import StopOnSignals
from .sinks import JsonlSink, VideoSink, WindowSink


@dataclass
class RunSummary:
    frames: int = 0
    digits: int = 0
    seconds: float = 0.0
    stopped_by_user: bool = False


def run(source, recognizer: Recognizer, *, jsonl: JsonlSink | None = None, video: VideoSink | None = None,
        window: WindowSink | None = None, max_frames: int | None = None,
        signals: StopOnSignals | None = None) -> RunSummary:
    """Process frames until the source ends, max_frames is reached, q/Esc or a signal."""
    summary = RunSummary()
    meter = FpsMeter()
    started = time.perf_counter()
    for frame in source:
        frame_started = time.perf_counter()
        fps = meter.tick()
        detections = recognizer(frame.image)
        annotated = None
        if video or window:  # drawing costs time: only when someone sees or records it
            annotated = draw_status(draw_detections(to_bgr(frame.image), detections), frame.index, fps)
        time_ms = (time.perf_counter() - frame_started) * 1000
        if jsonl:
            jsonl.write(frame.index, frame.source, time_ms, detections)
        if video:
            video.write(annotated)
        summary.frames += 1
        summary.digits += len(detections)
        if window and not window.show(annotated):
            summary.stopped_by_user = True
            break
        if (max_frames and summary.frames >= max_frames) or (signals and signals.received):
            break
    summary.seconds = time.perf_counter() - started
    return summary
