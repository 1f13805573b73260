"""Find candidate digit regions: threshold, light morphology, contours, filters."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .params import DetectionParams


@dataclass(frozen=True)
class Regions:
    """Candidate digits in a frame: boxes (N, 4) x, y, w, h and each one's ink mask."""

    boxes: np.ndarray
    masks: list[np.ndarray]
    binary: np.ndarray  # the thresholded frame the regions were cut from (ink = 255)


def to_gray(frame: np.ndarray) -> np.ndarray:
    """8-bit grayscale from a grayscale, BGR or BGRA frame of any bit depth."""
    if frame.dtype != np.uint8:
        frame = cv2.normalize(frame, None, 0, 255, cv2.NORM_MINMAX, dtype=cv2.CV_8U)
    if frame.ndim == 2:
        return frame
    if frame.shape[2] == 1:
        return frame[:, :, 0]
    code = cv2.COLOR_BGRA2GRAY if frame.shape[2] == 4 else cv2.COLOR_BGR2GRAY
    return cv2.cvtColor(frame, code)


def binarize(gray: np.ndarray, params: DetectionParams) -> np.ndarray:
    """Ink as 255 on 0, by the profile's threshold method."""
    if params.blur > 1:
        gray = cv2.GaussianBlur(gray, (params.blur, params.blur), 0)
    if params.threshold == "otsu":
        _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    else:
        binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                       params.block_size, params.c)
    if params.morph_kernel > 1:
        kernel = np.ones((params.morph_kernel, params.morph_kernel), np.uint8)
        binary = cv2.morphologyEx(binary, cv2.MORPH_CLOSE, kernel)
    return binary


def contour_depths(parents: np.ndarray) -> np.ndarray:
    """Nesting depth of each contour in a RETR_TREE hierarchy: even = ink outline, odd = hole."""
    depths = np.zeros(len(parents), np.int32)
    ancestors = parents.copy()
    while (alive := ancestors >= 0).any():
        depths[alive] += 1
        ancestors[alive] = parents[ancestors[alive]]
    return depths


def find_regions(frame: np.ndarray, params: DetectionParams) -> Regions:
    """Outlines of ink blobs sized like digits, minus holes and frames drawn around digits."""
    binary = binarize(to_gray(frame), params)
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return Regions(np.zeros((0, 4), np.int32), [], binary)
    parents = hierarchy[0, :, 3]
    boxes = np.array([cv2.boundingRect(c) for c in contours], np.int32).reshape(-1, 4)
    outlines = contour_depths(parents) % 2 == 0
    candidates = outlines & sized_like_digits(boxes, binary.shape, params)
    candidates &= ~encloses(candidates, parents)
    masks, kept = [], []
    for index in np.flatnonzero(candidates):
        mask = ink_mask(binary, contours[index], boxes[index])
        x, y, w, h = boxes[index]
        if np.count_nonzero(mask) >= params.min_fill * w * h:
            masks.append(mask)
            kept.append(index)
    return Regions(boxes[kept], masks, binary)


def sized_like_digits(boxes: np.ndarray, shape: tuple[int, int], params: DetectionParams) -> np.ndarray:
    """Height within limits, not too wide, and clear of the frame edge (a cut digit misleads)."""
    x, y, w, h = boxes.T
    frame_h, frame_w = shape
    return ((h >= params.min_height) & (h <= params.max_height * frame_h / 100)
            & (w <= params.max_aspect * h)
            & (x > 0) & (y > 0) & (x + w < frame_w) & (y + h < frame_h))


def encloses(candidates: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Outlines whose hole holds a candidate: boxes and circles drawn around an answer."""
    holes = parents[candidates]
    holes = holes[holes >= 0]
    enclosing = np.zeros(len(parents), bool)
    enclosing[parents[holes]] = True
    return enclosing


def ink_mask(binary: np.ndarray, contour: np.ndarray, box: np.ndarray) -> np.ndarray:
    """The ink of one outline (holes stay open), cut to its box, without neighbours' ink."""
    x, y, w, h = box
    inside = np.zeros((h, w), np.uint8)
    cv2.drawContours(inside, [contour], 0, 255, cv2.FILLED, offset=(-int(x), -int(y)))
    return cv2.bitwise_and(inside, binary[y:y + h, x:x + w])
