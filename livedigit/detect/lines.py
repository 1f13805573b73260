"""Ruled and grid lines: found at any slant and spacing, erased, and the strokes across them mended."""
from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from .regions import ink_mask


def remove_ruled_lines(binary: np.ndarray) -> np.ndarray:
    """Erase ruled and grid lines and mend the digit strokes that crossed them.

    The lines of one direction are erased, then those of another where there are (the
    grid of squared paper): the first erasure mends the lines across it like any stroke,
    so they are whole to be found. Seen in perspective, lines converge, and the lines of
    one direction may take more than one pass.
    """
    fewest = MIN_RULED_LINES
    for _ in range(MAX_LINE_DIRECTIONS):
        erased = remove_parallel_lines(binary, fewest)
        if erased is binary:
            break
        binary, fewest = erased, 1  # the paper is ruled: any line left is the page's too
    return binary


# Passes of remove_parallel_lines: a grid's two directions, each seen in perspective.
MAX_LINE_DIRECTIONS = 4


def remove_parallel_lines(binary: np.ndarray, fewest: int) -> np.ndarray:
    """Erase the ruled lines of one direction (the input itself where there are none).

    The page's lines show as long, sparse blobs, most of whose edges run along the lines
    (dominant_direction). Long thin runs of ink along that direction are line segments;
    collinear segments that together span much of the ink are a ruled line. Where there
    are `fewest` such lines, or two that run across the whole frame (a grid of large
    squares seen close up), they are erased from edge to edge (so also where they pass
    between and through digits), and strokes cut by them are joined again. The lines are
    looked for on a copy of the ink at most about LINE_SEARCH_WIDTH wide, and erased at
    full size.
    """
    factor = max(1, binary.shape[1] // LINE_SEARCH_WIDTH)
    lines = [line.enlarged(factor) for line in find_ruled_lines(max_pooled(binary, factor), fewest)]
    if not lines:
        return binary
    thickness = max(line.thickness for line in lines)
    band = np.zeros_like(binary)
    frame_h, frame_w = binary.shape
    reach = frame_w + frame_h
    for line in lines:
        cv2.line(band, (round(line.x0 - line.dx * reach), round(line.y0 - line.dy * reach)),
                 (round(line.x0 + line.dx * reach), round(line.y0 + line.dy * reach)), 255, thickness + 2)
    kept = binary & ~band
    return kept | strokes_across(kept, band, -lines[0].dy, lines[0].dx, thickness + 3)


# Lines are looked for on a copy of the ink shrunk by a whole factor to about this width:
# the search costs the factor squared less, and lines a pixel thin stay whole in it.
LINE_SEARCH_WIDTH = 640


def find_ruled_lines(binary: np.ndarray, fewest: int) -> list[Segment]:
    """The ruled lines in the ink (see remove_ruled_lines), or none."""
    frame_h, frame_w = binary.shape
    if not may_hold_blobs_longer_than(binary, frame_w // 4):
        return []
    long = [(box, pixels) for box, pixels in blobs_longer_than(binary, frame_w // 4)
            if cv2.countNonZero(pixels) < 0.5 * box[2] * box[3]]
    if not long:
        return []
    long_ink = np.zeros_like(binary)
    for (x, y, w, h), pixels in long:
        long_ink[y:y + h, x:x + w] |= pixels
    vx, vy = dominant_direction(long_ink)
    run = max(frame_w // 12, 20)
    # runs along the direction or a few degrees off it: lines seen in perspective converge
    segments = np.zeros_like(binary)
    for turn in np.radians(PERSPECTIVE_TURNS):
        kernel = line_kernel(vx * np.cos(turn) - vy * np.sin(turn), vx * np.sin(turn) + vy * np.cos(turn), run)
        segments |= cv2.morphologyEx(binary, cv2.MORPH_OPEN, kernel)
    # a line spans much of the ink's extent, not the frame's: a page small in view, its
    # surroundings masked off, has lines as long against it as a page filling the frame
    _, _, ink_w, ink_h = cv2.boundingRect(binary)
    return ruled_lines(segments, run, chord((vx, vy), (ink_w, ink_h)), chord((vx, vy), (frame_w, frame_h)),
                       fewest)


def chord(direction: tuple[float, float], size: tuple[int, int]) -> float:
    """The longest line along `direction` across a box of `size` (w, h)."""
    return min(size[0] / max(abs(direction[0]), 1e-6), size[1] / max(abs(direction[1]), 1e-6))


# Lines are looked for along the direction found and these many degrees off it.
PERSPECTIVE_TURNS = (-3, 0, 3)


def max_pooled(binary: np.ndarray, factor: int) -> np.ndarray:
    """The ink shrunk by a whole factor, any ink in a cell inking the cell: blobs stay
    connected and only join."""
    if factor == 1:
        return binary
    h, w = binary.shape
    cells = cv2.dilate(binary, np.ones((factor, factor), np.uint8), anchor=(0, 0))  # ink anywhere in the cell
    return cv2.resize(cells, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_NEAREST)


def may_hold_blobs_longer_than(binary: np.ndarray, length: int) -> bool:
    """False when no blob can be `length` long: checked on a copy a quarter the size (max_pooled)."""
    coarse = max_pooled(binary, 4)
    contours, _ = cv2.findContours(coarse, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    cells_long = length // 4 - 1
    # An outline `cells_long` cells long goes there and back, one cell a step: most are
    # too short to be measured at all.
    return any(len(contour) >= 2 * (cells_long - 1) and max(cv2.boundingRect(contour)[2:]) >= cells_long
               for contour in contours)


def blobs_longer_than(binary: np.ndarray, length: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Boxes and ink of the blobs whose box is at least `length` long.

    Outer contours and their boxes are found in a fraction of the time that a full
    connected-components labelling with statistics takes.
    """
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    boxes = [np.array(cv2.boundingRect(contour)) for contour in contours]
    return [(box, ink_mask(binary, contour, box))
            for contour, box in zip(contours, boxes) if max(box[2:]) >= length]


def dominant_direction(ink: np.ndarray) -> tuple[float, float]:
    """The direction most of the ink's edges run along: that of its lines, where it has
    lines, also where they cross in a grid (the denser of its two directions) or digits
    and words hang off them.

    A histogram of the edges' orientations, each weighted by its strength, smoothed over
    a few degrees: robust where a line fit through a grid or a line with writing on it
    is not.
    """
    smooth = cv2.GaussianBlur(ink, (7, 7), 0)  # a thin slanting line steps in pixels; blurred, it slants
    # the gradients at every other pixel of every other row: votes enough, a quarter of them to weigh
    gx = np.ascontiguousarray(cv2.Sobel(smooth, cv2.CV_32F, 1, 0)[::2, ::2])
    gy = np.ascontiguousarray(cv2.Sobel(smooth, cv2.CV_32F, 0, 1)[::2, ::2])
    strength, angle = cv2.cartToPolar(gx, gy, angleInDegrees=True)
    edges = strength > 0
    votes = np.bincount(angle[edges].astype(int) % 180, weights=strength[edges], minlength=180)
    votes = np.convolve(np.concatenate([votes[-2:], votes, votes[:2]]), np.ones(5), mode="valid")
    along = np.radians(np.argmax(votes) + 90)  # edges' gradients point across their lines
    return float(np.cos(along)), float(np.sin(along))


class Segment(NamedTuple):
    """A thin straight run of ink: its direction, a point on it, and where it lies along it."""

    dx: float
    dy: float
    x0: float
    y0: float
    thickness: float
    offset: float    # signed distance of its line from the origin
    start: float     # extent along the direction
    end: float

    def enlarged(self, factor: int) -> "Segment":
        """The segment found on a copy shrunk by `factor` (max_pooled), at full size: a line
        t pixels thick covers about (t + factor - 1) / factor cells of the copy."""
        if factor == 1:
            return self
        x0, y0 = self.x0 * factor + (factor - 1) / 2, self.y0 * factor + (factor - 1) / 2  # cell centres
        along, half_length = self.dx * x0 + self.dy * y0, (self.end - self.start) * factor / 2
        return self._replace(x0=x0, y0=y0, thickness=max(1, round(self.thickness * factor - (factor - 1))),
                             offset=-self.dy * x0 + self.dx * y0, start=along - half_length, end=along + half_length)


# Ruled paper shows several parallel lines; one or two long lines are more likely the
# sides of a box drawn around an answer, which must stay whole, unless two run across
# the whole frame (WHOLE_SPAN of it): a grid of large squares seen close up.
MIN_RULED_LINES = 3
WHOLE_SPAN = 0.9


def ruled_lines(segments: np.ndarray, run: int, ink_extent: float, frame_extent: float,
                fewest: int) -> list[Segment]:
    """Lines made of thin collinear segments that together span 40 % of the ink's extent
    (the longest chord across its box along them), where there are `fewest` of them; else
    those spanning WHOLE_SPAN of the frame's, where there are two; else none.

    A marker stroke may be straight and long, but it is thick; a digit's thin straight
    stroke is long, but alone on its line.
    """
    found = []
    for (x, y, w, h), pixels in blobs_longer_than(segments, 2 * run):
        across = np.count_nonzero(pixels, axis=0 if w >= h else 1)
        thickness = float(np.median(across[across > 0]))  # strokes touching the line do not count
        if thickness <= run / 4:
            dx, dy, x0, y0 = cv2.fitLine(cv2.findNonZero(pixels),
                                         cv2.DIST_L2, 0, 0.01, 0.01).ravel()
            x0, y0, length = x0 + x, y0 + y, abs(dx) * w + abs(dy) * h  # along its slant
            along = dx * x0 + dy * y0
            found.append(Segment(dx, dy, x0, y0, thickness, -dy * x0 + dx * y0, along - length / 2, along + length / 2))
    lines, used = [], set()
    for i, segment in enumerate(found):
        if i in used:
            continue
        group = [other for j, other in enumerate(found)
                 if j not in used and abs(other.offset - segment.offset) <= 2 * segment.thickness + 2
                 and abs(other.dx * segment.dx + other.dy * segment.dy) > 0.999]
        used.update(j for j, other in enumerate(found) if other in group)
        span = max(s.end for s in group) - min(s.start for s in group)
        if span >= 0.4 * ink_extent:
            lines.append((span, segment._replace(thickness=round(max(s.thickness for s in group)))))
    if len(lines) >= fewest:
        return [line for _, line in lines]
    whole = [line for span, line in lines if span >= WHOLE_SPAN * frame_extent]
    return whole if len(whole) >= 2 else []


def line_kernel(vx: float, vy: float, length: int) -> np.ndarray:
    """A one-pixel line of `length` along direction (vx, vy), as a morphology kernel."""
    half = length // 2
    kernel = np.zeros((2 * half + 1, 2 * half + 1), np.uint8)
    cv2.line(kernel, (round(half - vx * half), round(half - vy * half)),
             (round(half + vx * half), round(half + vy * half)), 1, 1)
    return kernel


def strokes_across(ink: np.ndarray, band: np.ndarray, nx: float, ny: float, reach: int) -> np.ndarray:
    """The band's pixels with ink on both sides of it along the normal (nx, ny): strokes that crossed."""
    size = 2 * reach + 1
    ahead = np.zeros((size, size), np.uint8)
    cv2.line(ahead, (reach, reach), (round(reach + nx * reach), round(reach + ny * reach)), 1, 3)
    behind = ahead[::-1, ::-1].copy()
    return band & cv2.dilate(ink, ahead) & cv2.dilate(ink, behind)
