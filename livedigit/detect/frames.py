"""Frames drawn around numbers: boxes whose four straight sides are taken off the ink, so
that the digits that touch them come apart from them."""
from __future__ import annotations

import cv2
import numpy as np

from .regions import blobs_reaching

# A frame's hole (the box's inside) spans at least this fraction of the frame's width and
# height: a digit's loop is no more than half as tall as the digit.
HOLE_SPAN = 0.6
# Along each of a frame's four sides, at least this fraction of the points is ink: the
# chords between the corners of a 0 or a 4's loop run through their insides.
SIDE_INKED = 0.9
# A frame's sides are drawn at most this thick against its shortest side: a bold 0 is
# thicker, and its outline may make a quadrilateral inked all along its sides.
THIN_SIDES = 0.15
# The convex hull of a frame's outline is at most this much larger than the quadrilateral
# of its four corners: a 0 is rounder (an ellipse is half as large again as the rhombus
# in it), a box's corners are cut only where its lines overshoot them.
SQUARE_CORNERED = 1.25
# Ink starts at most this many pixels in from the hull's side.
SIDE_REACH = 2
# Points along a side, its corners left out.
SIDE_POINTS = np.linspace(0.1, 0.9, 17)


def without_drawn_frames(binary: np.ndarray, contours: tuple, hierarchy: np.ndarray,
                         min_height: int) -> np.ndarray | None:
    """The ink with the boxes drawn around numbers taken off, or None where there are
    none. A box is an outline with a wide hole whose outline is a quadrilateral (its
    convex hull simplified) with ink all along its four sides, each at least
    `min_height` long."""
    frames = [(index, *found) for index in with_wide_holes(contours, hierarchy)
              if (found := frame_quadrilateral(contours[index], binary, min_height)) is not None]
    if not frames:
        return None
    unframed = binary.copy()
    for index, quad, thickness in frames:
        take_off(unframed, quad, thickness, contours, hierarchy, index)
    return unframed


def take_off(binary: np.ndarray, quad: np.ndarray, thickness: int, contours: tuple, hierarchy: np.ndarray,
             index: int) -> None:
    """Erase a frame's sides, in place, and what is left of its blob (outline `index`)
    wholly near them (where its lines were not quite straight or overshot a corner): a
    digit touching the frame reaches further in, and one beside a side, touching nothing,
    is none of the frame's (a 1 written close along a side was erased with it). Only the
    frame's own part of the image is looked at."""
    near = 3 * thickness
    x, y, w, h = cv2.boundingRect(quad.round().astype(np.int32))
    x0, y0 = max(x - near - 1, 0), max(y - near - 1, 0)
    x1, y1 = min(x + w + near + 1, binary.shape[1]), min(y + h + near + 1, binary.shape[0])
    around = binary[y0:y1, x0:x1]  # a view: erased in place
    outline = [(quad - (x0, y0)).round().astype(np.int32)]
    sides, near_sides, blob = np.zeros_like(around), np.zeros_like(around), np.zeros_like(around)
    cv2.polylines(sides, outline, True, 255, 2 * thickness + 1)
    cv2.polylines(near_sides, outline, True, 255, 2 * near + 1)
    cv2.drawContours(blob, contours, index, 255, cv2.FILLED, hierarchy=hierarchy, maxLevel=1, offset=(-x0, -y0))
    erased = around & ~sides
    around[:] = blobs_reaching(erased, erased & ~(near_sides & blob))


def with_wide_holes(contours: tuple, hierarchy: np.ndarray) -> list[int]:
    """The outlines one of whose holes spans HOLE_SPAN of their width and height."""
    parents = hierarchy[0, :, 3]
    found = []
    for hole in np.flatnonzero(parents >= 0).tolist():
        outline = int(parents[hole])
        _, _, w, h = cv2.boundingRect(contours[outline])
        _, _, hole_w, hole_h = cv2.boundingRect(contours[hole])
        if hole_w >= HOLE_SPAN * w and hole_h >= HOLE_SPAN * h and outline not in found:
            found.append(outline)
    return found


def frame_quadrilateral(contour: np.ndarray, binary: np.ndarray,
                        min_height: int) -> tuple[np.ndarray, int] | None:
    """The outline's corners (4, 2) and its sides' thickness, where it is a frame."""
    hull = cv2.convexHull(contour)
    corners = cv2.approxPolyDP(hull, 0.04 * cv2.arcLength(hull, True), True).reshape(-1, 2).astype(np.float32)
    if len(corners) != 4 or cv2.contourArea(hull) > SQUARE_CORNERED * cv2.contourArea(corners):
        return None
    ends = np.roll(corners, -1, axis=0)
    sides = np.linalg.norm(ends - corners, axis=1)
    if sides.min() < min_height:
        return None
    inward = (ends - corners)[:, ::-1] * (1, -1) / sides[:, None]  # normal to each side
    inward *= np.sign(((corners.mean(axis=0) - corners) * inward).sum(axis=1, keepdims=True))
    points = corners[:, None] + SIDE_POINTS[None, :, None] * (ends - corners)[:, None]
    runs = ink_runs(binary, points, inward)
    # a side is inked at a point where ink starts within SIDE_REACH of the hull
    if ((runs[..., :SIDE_REACH].any(axis=2)).mean(axis=1) < SIDE_INKED).any():
        return None
    thickness = side_thickness(runs)
    return (corners, thickness) if thickness <= THIN_SIDES * sides.min() else None


def ink_at(binary: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Whether there is ink at each (x, y) point (False beyond the frame)."""
    xs, ys = np.round(points[..., 0]).astype(int), np.round(points[..., 1]).astype(int)
    height, width = binary.shape
    inside = (xs >= 0) & (ys >= 0) & (xs < width) & (ys < height)
    inked = np.zeros(points.shape[:-1], bool)
    inked[inside] = binary[ys[inside], xs[inside]] > 0
    return inked


def ink_runs(binary: np.ndarray, points: np.ndarray, inward: np.ndarray, longest: int = 16) -> np.ndarray:
    """Ink at each of `longest` steps of a pixel in from each point of each side: (4, points, steps)."""
    steps = np.arange(longest)
    return ink_at(binary, points[:, :, None] + steps[None, None, :, None] * inward[:, None, None])


def side_thickness(runs: np.ndarray) -> int:
    """How far in from the hull the sides' ink reaches, in pixels (median over the points)."""
    steps = np.arange(runs.shape[2])
    start = np.argmax(runs, axis=2)
    gap = ~runs & (steps > start[..., None])  # past the side's ink
    end = np.where(gap.any(axis=2), np.argmax(gap, axis=2), runs.shape[2])
    return int(np.median(end[runs.any(axis=2)])) + 1
