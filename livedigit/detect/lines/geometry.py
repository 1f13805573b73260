"""The shapes the line steps share: segments of lines, the ink's extent, kernels, shrunk copies."""
from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np


def parallel(a: Segment, b: Segment) -> bool:
    return abs(a.dx * b.dx + a.dy * b.dy) > PARALLEL


# Lines whose directions' cosine is above this (within 25 degrees) run one way, spread by
# perspective.
PARALLEL = 0.9


def draw_across(image: np.ndarray, line: Segment, value: int, thickness: int) -> None:
    """Draw the line from edge to edge of the image, along its bend where it has one."""
    reach = image.shape[0] + image.shape[1]
    if not line.bend:
        cv2.line(image, (round(line.x0 - line.dx * reach), round(line.y0 - line.dy * reach)),
                 (round(line.x0 + line.dx * reach), round(line.y0 + line.dy * reach)), value, thickness)
        return
    knots = [along for along, _ in line.bend]
    x, y = line.at(np.array([knots[0] - reach, *knots, knots[-1] + reach]))
    cv2.polylines(image, [np.stack([x, y], axis=1).round().astype(np.int32)], False, value, thickness)


def sampled_along(image: np.ndarray, line: Segment, first: int, length: int, reach: int) -> np.ndarray:
    """The image's pixels nearest the points of a strip along the line (and its bend):
    column c at `first` + c steps along it from (x0, y0), row r at r - `reach` across it;
    0 beyond the image."""
    if line.bend:
        return cv2.remap(image, *strip_maps([line], [first], length, reach), cv2.INTER_NEAREST,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    to_frame = np.array([[line.dx, -line.dy, line.x0 + line.dx * first + line.dy * reach],
                         [line.dy, line.dx, line.y0 + line.dy * first - line.dx * reach]])
    return cv2.warpAffine(image, to_frame, (length, 2 * reach + 1), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def strip_maps(lines: list[Segment], firsts: list[int], length: int, reach: int,
               step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """x and y in the frame (cv2.remap's maps) of strips as sampled_along samples them, one
    below another, each along its line's bend, their columns `step` pixels apart."""
    steps = np.array(firsts, np.float64)[:, None, None] + step * np.arange(length)[None, None, :]
    across = np.arange(-reach, reach + 1, dtype=np.float64)[None, :, None]
    map_x, map_y = [], []
    for line, along in zip(lines, steps):
        xs, ys = line.at(line.dx * line.x0 + line.dy * line.y0 + along, across)
        map_x.append(xs)
        map_y.append(ys)
    return (np.concatenate(map_x).reshape(-1, length).astype(np.float32),
            np.concatenate(map_y).reshape(-1, length).astype(np.float32))


def bends_at(lines: list[Segment], along: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """For points at positions `along` lines (each in the measure of the line `owner`
    indexes), how far that line lies off its straight fit there: 0 where it is straight."""
    bent = np.zeros(len(along))
    for index, line in enumerate(lines):
        if line.bend:
            mine = owner == index
            bent[mine] = line.bent_by(along[mine])
    return bent


def steps_inside(line: Segment, shape: tuple[int, int]) -> tuple[int, int]:
    """The first and last whole steps along the line from (x0, y0) that lie inside a frame
    of `shape`."""
    first, last = Extent.of_box(0, 0, shape[1] - 1, shape[0] - 1).span_through(line.x0, line.y0, line.dx, line.dy)
    return int(np.ceil(first)), max(int(np.floor(last)), int(np.ceil(first)))


def unit(degrees: float) -> tuple[float, float]:
    """The unit vector `degrees` from the x axis (y down)."""
    return float(np.cos(np.radians(degrees))), float(np.sin(np.radians(degrees)))


def max_pooled(binary: np.ndarray, factor: int) -> np.ndarray:
    """The ink shrunk by a whole factor, any ink in a cell inking the cell: blobs stay
    connected and only join."""
    if factor == 1:
        return binary
    h, w = binary.shape
    cells = cv2.dilate(binary, np.ones((factor, factor), np.uint8), anchor=(0, 0))  # ink anywhere in the cell
    return cv2.resize(cells, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_NEAREST)


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
    support: int = 0    # the ink pixels it was last fitted to
    ink_width: int = 0  # across it, where measured as it was followed into a new frame
    # Where the line bends (a lens's distortion, a sheet's curl), how far it lies off its
    # straight fit, across it, at points along it: (along, across) pairs, along in the
    # same measure as start and end; none where it is straight.
    bend: tuple[tuple[float, float], ...] = ()

    @property
    def erased_thickness(self) -> int:
        """Its thickness as found, or the ink's width across it where that is more than a
        pixel wider: blur and perspective thicken a line as the camera moves, and its
        edges left unerased read as 1s."""
        return self.ink_width if self.ink_width > self.thickness + 1 else int(self.thickness)

    def distance_across(self, x: float | np.ndarray, y: float | np.ndarray) -> float | np.ndarray:
        """How far the point (x, y), or each of arrays of them, lies from the segment's line
        (along its bend)."""
        across = -self.dy * (x - self.x0) + self.dx * (y - self.y0)
        return abs(across - self.bent_by(self.dx * x + self.dy * y)) if self.bend else abs(across)

    def bent_by(self, along: float | np.ndarray) -> float | np.ndarray:
        """How far the line lies off its straight fit, across it, at points along it:
        between its bends' points on the straight line joining them, beyond the first and
        the last on along the line through the last two (to the frame's edge, which they
        lie within a stretch and a half of)."""
        if not self.bend:
            return np.zeros_like(along, dtype=np.float64)
        knots, offsets = zip(*self.bend)
        slope_before = (offsets[1] - offsets[0]) / (knots[1] - knots[0])
        slope_after = (offsets[-1] - offsets[-2]) / (knots[-1] - knots[-2])
        return np.where(along < knots[0], offsets[0] + (along - knots[0]) * slope_before,
                        np.where(along > knots[-1], offsets[-1] + (along - knots[-1]) * slope_after,
                                 np.interp(along, knots, offsets)))

    def at(self, along: np.ndarray, across: float | np.ndarray = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """x and y of the points `across` pixels off the line (along its bend) at positions
        along it."""
        steps, off = along - (self.dx * self.x0 + self.dy * self.y0), across + self.bent_by(along)
        return self.x0 + self.dx * steps - self.dy * off, self.y0 + self.dy * steps + self.dx * off

    def enlarged(self, factor: int) -> Segment:
        """The segment found on a copy shrunk by `factor` (max_pooled), at full size: a line
        t pixels thick covers about (t + factor - 1) / factor cells of the copy."""
        if factor == 1:
            return self
        x0, y0 = self.x0 * factor + (factor - 1) / 2, self.y0 * factor + (factor - 1) / 2  # cell centres
        along, half_length = self.dx * x0 + self.dy * y0, (self.end - self.start) * factor / 2
        return self._replace(x0=x0, y0=y0, thickness=max(1, round(self.thickness * factor - (factor - 1))),
                             offset=-self.dy * x0 + self.dx * y0, start=along - half_length, end=along + half_length)


def crossing_inside(a: Segment, b: Segment, extent: Extent) -> bool:
    """Whether the lines through two segments meet inside the extent."""
    determinant = a.dx * b.dy - a.dy * b.dx
    if abs(determinant) < 1e-9:
        return False
    t = ((b.x0 - a.x0) * b.dy - (b.y0 - a.y0) * b.dx) / determinant
    return extent.holds(a.x0 + t * a.dx, a.y0 + t * a.dy)


class Extent(NamedTuple):
    """Where the ink lies: the overlap of the upright box round it and the smallest
    rectangle at any slant round it. That of a long, narrow page seen turned is as narrow
    as the page, where the upright box may be as tall as it is wide; the turned rectangle
    may reach beyond the frame, where the box does not. Each is two slabs: the points
    whose distance along a unit vector from a middle is at most half the slab's width."""

    slabs: tuple[tuple[float, float, float, float], ...]  # unit vector x, y; middle; half width
    middle: tuple[float, float]  # the turned rectangle's centre

    @classmethod
    def around(cls, binary: np.ndarray) -> Extent:
        """The ink's extent, from the outlines of a copy shrunk by EXTENT_CELL (a fraction
        of the ink's every pixel)."""
        cells, _ = cv2.findContours(max_pooled(binary, EXTENT_CELL), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        (cx, cy), (width, height), degrees = cv2.minAreaRect(np.concatenate(cells))
        half_cell = (EXTENT_CELL - 1) / 2  # a cell's centre at full size
        cx, cy = cx * EXTENT_CELL + half_cell, cy * EXTENT_CELL + half_cell
        (ux, uy), (vx, vy) = unit(degrees), unit(degrees + 90)
        turned = ((ux, uy, ux * cx + uy * cy, (width + 1) * EXTENT_CELL / 2),
                  (vx, vy, vx * cx + vy * cy, (height + 1) * EXTENT_CELL / 2))
        return cls(turned + cls.of_box(*cv2.boundingRect(binary)).slabs, (cx, cy))

    @classmethod
    def of_outline(cls, points: np.ndarray) -> Extent:
        """The extent of a polygon, from its (n, 2) corner points."""
        points = np.asarray(points, np.float32)
        (cx, cy), (width, height), degrees = cv2.minAreaRect(points)
        (ux, uy), (vx, vy) = unit(degrees), unit(degrees + 90)
        turned = ((ux, uy, ux * cx + uy * cy, width / 2), (vx, vy, vx * cx + vy * cy, height / 2))
        (left, top), (right, bottom) = points.min(axis=0), points.max(axis=0)
        return cls(turned + cls.of_box(left, top, right - left, bottom - top).slabs, (cx, cy))

    @classmethod
    def of_box(cls, x: float, y: float, w: float, h: float) -> Extent:
        return cls(((1.0, 0.0, x + w / 2, w / 2), (0.0, 1.0, y + h / 2, h / 2)), (x + w / 2, y + h / 2))

    def holds(self, x: float, y: float) -> bool:
        return all(abs(nx * x + ny * y - middle) <= half for nx, ny, middle, half in self.slabs)

    def length_inside(self, line: Segment) -> float:
        """How long the line through the segment runs inside the extent."""
        return self.length_through(line.x0, line.y0, line.dx, line.dy)

    def length_through(self, x: float, y: float, dx: float, dy: float) -> float:
        """How long the line through (x, y) along the unit vector (dx, dy) runs inside the extent."""
        first, last = self.span_through(x, y, dx, dy)
        return max(0.0, last - first)

    def span_through(self, x: float, y: float, dx: float, dy: float) -> tuple[float, float]:
        """Where the line through (x, y) along the unit vector (dx, dy) enters the extent and
        where it leaves it, as steps along it from (x, y); the first after the last where it
        misses the extent."""
        first, last = -np.inf, np.inf
        for nx, ny, middle, half in self.slabs:
            start, step = nx * x + ny * y - middle, nx * dx + ny * dy
            if abs(step) < 1e-9:
                if abs(start) > half:
                    return 0.0, -1.0
                continue
            low, high = sorted(((-half - start) / step, (half - start) / step))
            first, last = max(first, low), min(last, high)
        return first, last


# The ink's extent is found on a copy shrunk by this factor.
EXTENT_CELL = 4


def line_kernel(vx: float, vy: float, length: int) -> np.ndarray:
    """A one-pixel line of `length` along direction (vx, vy), as a morphology kernel."""
    half = length // 2
    kernel = np.zeros((2 * half + 1, 2 * half + 1), np.uint8)
    cv2.line(kernel, (round(half - vx * half), round(half - vy * half)),
             (round(half + vx * half), round(half + vy * half)), 1, 1)
    return kernel
