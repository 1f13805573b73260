"""Draw what was read onto the frame: boxes, digits with confidence, FPS and frame number."""
from __future__ import annotations

import time
from collections import deque

import cv2
import numpy as np

from .detections import Detections
from .numbers import Number

BOX_COLOUR = (40, 200, 40)
LABEL_COLOUR = (255, 255, 255)
NUMBER_COLOUR = (230, 120, 30)
STATUS_COLOUR = (0, 220, 255)
PAGE_COLOUR = (230, 200, 60)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def to_bgr(frame: np.ndarray) -> np.ndarray:
    """An 8-bit BGR copy of any frame, to draw on and to record."""
    if frame.dtype != np.uint8:
        frame = cv2.normalize(frame, None, 0, 255, cv2.NORM_MINMAX, dtype=cv2.CV_8U)
    if frame.ndim == 2 or frame.shape[2] == 1:
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)
    if frame.shape[2] == 4:
        return cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR)
    return frame.copy()


def draw_label(image: np.ndarray, text: str, origin: tuple[int, int], colour, scale: float = 0.5) -> None:
    """Text on a filled background so it reads on any paper."""
    (w, h), baseline = cv2.getTextSize(text, FONT, scale, 1)
    x, y = origin
    y = max(y, h + baseline)
    cv2.rectangle(image, (x, y - h - baseline), (x + w + 2, y + 1), colour, cv2.FILLED)
    cv2.putText(image, text, (x + 1, y - baseline + 1), FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)


def draw_page(image: np.ndarray, corners: np.ndarray | None) -> np.ndarray:
    """The outline of the paper digits are read on, where one was found, in place."""
    if corners is not None:
        cv2.polylines(image, [np.round(corners).astype(np.int32)], True, PAGE_COLOUR, 2, cv2.LINE_AA)
    return image


def draw_detections(image: np.ndarray, detections: Detections) -> np.ndarray:
    """Box every digit and write 'digit confidence' above it, in place."""
    for (x, y, w, h), digit, confidence in zip(detections.boxes.tolist(), detections.digits.tolist(),
                                               detections.confidences.tolist()):
        cv2.rectangle(image, (x, y), (x + w, y + h), BOX_COLOUR, 2)
        draw_label(image, f"{digit} {confidence:.2f}", (x, y - 2), BOX_COLOUR, 0.4)
    return image


def draw_numbers(image: np.ndarray, numbers: list[Number]) -> np.ndarray:
    """A frame around each number of two or more digits, its value below it, in place."""
    for number in numbers:
        if len(number.value) < 2:
            continue
        x, y, w, h = number.box
        cv2.rectangle(image, (x - 3, y - 3), (x + w + 3, y + h + 3), NUMBER_COLOUR, 1)
        draw_label(image, number.value, (x - 3, y + h + 18), NUMBER_COLOUR)
    return image


def draw_status(image: np.ndarray, frame_index: int, fps: float) -> np.ndarray:
    draw_label(image, f"frame {frame_index}  {fps:5.1f} fps", (4, 4), STATUS_COLOUR, 0.6)
    return image


class FpsMeter:
    """Frames per second over the last `window` frames."""

    def __init__(self, window: int = 30):
        self.stamps: deque[float] = deque(maxlen=window)

    def tick(self) -> float:
        self.stamps.append(time.perf_counter())
        if len(self.stamps) < 2:
            return 0.0
        return (len(self.stamps) - 1) / (self.stamps[-1] - self.stamps[0])
