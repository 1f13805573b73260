"""The page's rows and columns at each region, so that its crop is read upright.

A camera held at a slant turns the page in view, and tilted away it leans the page's
columns towards a vanishing point: the digits turn and lean with it, past the few
degrees the model learnt. Where the page was found, its edges tell the direction of its
rows and columns at each region, and the region's ink is turned (and unsheared) so that
they run level and upright before the MNIST recipe.

Where both edges of the rows (or of the columns) are in view, the rows run at each point
towards where those two edges meet; the other direction stands square to them unless
both its edges are in view too. One edge alone slants as the page does only near it
(seen in perspective, the far side of a page slants less than the near side): where no
direction has both edges in view, the page is only turned, by the mean slant of the
edges that are. The sides of the page's outline that lie along the frame's edge, where
the frame cuts the paper, are no edges of it.
"""
from __future__ import annotations

import numpy as np

from .detect.page import small_copy_factor

# A side of the page's outline with both ends within this many pixels of the page's small
# copy (see page.PAGE_SIDE) of one edge of the frame lies along that edge: the outline is
# found on that copy, whose last whole block may end short of the frame's edge.
ALONG_FRAME_EDGE = 2
# A page turned by less than this (degrees: its rows or its columns) is left as it is: its
# outline, found on a copy of the frame 4-9 times smaller, gives its edges' slant only to
# a degree or two, and the model learnt digits turned by up to 15 degrees. Crops turned by
# so little are blurred for nothing: borderline readings flip (on seed 11 of the `door`
# and `desk` presets a 7 and a 0 turned by 2.5 degrees were read as no digit).
MIN_TURN = np.radians(3)
# Directions this near parallel (the sine of the angle between them) are taken as
# parallel: two edges meet too far off to tell a direction by, two axes span no page.
NEAR_PARALLEL = 1e-3

Edge = tuple[np.ndarray, np.ndarray]  # a point on it and its direction, rightwards or downwards


def page_turns(corners: np.ndarray, frame_shape: tuple[int, ...], boxes: np.ndarray) -> np.ndarray:
    """For each x, y, w, h box, the 2x2 linear map that takes the page's rows and columns
    at its centre to the frame's (unit vectors to unit vectors); the identity where no
    edge of the page is in view or the turn is under MIN_TURN. `corners`: the page's
    outline, clockwise from top-left."""
    rows, columns = paper_edges(np.asarray(corners, np.float64), frame_shape)
    boxes = np.asarray(boxes, np.float64)
    if len(rows) == 2 or len(columns) == 2:
        turns = unleaned(boxes[:, :2] + boxes[:, 2:] / 2, rows, columns)
    else:
        turns = np.tile(mean_turn(rows, columns), (len(boxes), 1, 1))
    turns[~turned_enough(turns)] = np.eye(2)
    return turns


def turning(turns: np.ndarray) -> np.ndarray:
    """Which of page_turns' 2x2 maps turn their region at all (it leaves the identity where
    the page is turned by under MIN_TURN)."""
    return (turns != np.eye(2)).any(axis=(1, 2))


def upright_extent(points: np.ndarray, turn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The least and the greatest x, y of (N, 2) points as the page stands: mapped by the
    2x2 `turn` of page_turns."""
    upright = points.reshape(-1, 2) @ turn.T
    return upright.min(axis=0), upright.max(axis=0)


def upright_sizes(masks: list[np.ndarray], turns: np.ndarray) -> np.ndarray:
    """The width and height (N, 2) of each mask's ink as the page stands (upright_extent of
    its pixels, mapped by the region's 2x2 map), a pixel counted whole."""
    sizes = np.zeros((len(masks), 2))
    for row, (mask, turn) in enumerate(zip(masks, turns)):
        points = np.argwhere(mask > 0)[:, ::-1]  # x, y
        if len(points):
            low, high = upright_extent(points, turn)
            sizes[row] = high - low + 1
    return sizes


def unleaned(centres: np.ndarray, rows: list[Edge], columns: list[Edge]) -> np.ndarray:
    """The maps at each centre where both edges of the rows or of the columns are in view:
    that direction towards where its edges meet, the other square to it unless both its
    edges are in view too; the identity where the two directions span no page."""
    along_rows = directions_at(centres, rows) if len(rows) == 2 else None
    along_columns = directions_at(centres, columns) if len(columns) == 2 else None
    if along_rows is None:  # a quarter turn anticlockwise from downwards (y points down) is rightwards
        along_rows = np.column_stack([along_columns[:, 1], -along_columns[:, 0]])
    if along_columns is None:
        along_columns = np.column_stack([-along_rows[:, 1], along_rows[:, 0]])
    axes = np.stack([along_rows, along_columns], axis=2)
    turns = np.tile(np.eye(2), (len(centres), 1, 1))
    spanning = np.abs(np.linalg.det(axes)) > NEAR_PARALLEL
    turns[spanning] = np.linalg.inv(axes[spanning])
    return turns


def mean_turn(rows: list[Edge], columns: list[Edge]) -> np.ndarray:
    """The rotation that undoes the mean slant of the edges in view; the identity for none."""
    slants = [slant(direction, upright) for edges, upright in ((rows, False), (columns, True))
              for _, direction in edges]
    return turned_back(float(np.mean(slants))) if slants else np.eye(2)


def turned_enough(turns: np.ndarray) -> np.ndarray:
    """Which 2x2 maps turn the frame's rows or its columns by MIN_TURN or more."""
    rows, columns = turns[:, :, 0], turns[:, :, 1]
    return np.maximum(np.abs(np.arctan2(rows[:, 1], rows[:, 0])),
                      np.abs(np.arctan2(-columns[:, 0], columns[:, 1]))) >= MIN_TURN


def paper_edges(corners: np.ndarray, frame_shape: tuple[int, ...]) -> tuple[list[Edge], list[Edge]]:
    """The sides of the page's outline that are the paper's own edges: those nearer
    level (its top and bottom, pointing right) and those nearer upright (pointing down)."""
    height, width = frame_shape[:2]
    near = ALONG_FRAME_EDGE * small_copy_factor(frame_shape)
    rows, columns = [], []
    for side, (start, end) in enumerate(zip(corners, np.roll(corners, -1, axis=0))):
        ends = np.stack([start, end])
        if any((np.abs(ends[:, axis] - edge) <= near).all()
               for axis, edge in ((0, 0), (0, width), (1, 0), (1, height))):
            continue
        direction = end - start
        if abs(direction[0]) >= abs(direction[1]):
            rows.append((side, (start, direction * np.sign(direction[0]))))
        else:
            columns.append((side, (start, direction * np.sign(direction[1]))))
    return opposite_sides(rows, len(corners)), opposite_sides(columns, len(corners))


def opposite_sides(edges: list[tuple[int, Edge]], sides: int) -> list[Edge]:
    """The edges of one direction, each given with its side's place round the outline: two
    that are neighbouring sides meet at a corner in view, and are no two opposite edges of
    the page (a sheet the frame cuts to a triangle or a pentagon, its outline simplified to
    four corners: its rows or columns were taken to run towards that corner, and its crops
    were turned askew, scene 248's by 68 degrees). Of two such, the longer alone."""
    if len(edges) == 2 and (edges[1][0] - edges[0][0]) % sides in (1, sides - 1):
        return [max((edge for _, edge in edges), key=lambda edge: np.linalg.norm(edge[1]))]
    return [edge for _, edge in edges]


def directions_at(points: np.ndarray, edges: list[Edge]) -> np.ndarray:
    """The unit directions of the page's rows (or columns) at points, given their two
    edges: towards where the edges meet, or theirs where they are parallel."""
    units = np.array([direction / np.linalg.norm(direction) for _, direction in edges])
    mean = units.sum(axis=0) / np.linalg.norm(units.sum(axis=0))
    if abs(np.linalg.det(units)) <= NEAR_PARALLEL:
        return np.tile(mean, (len(points), 1))
    (first, along_first), (second, along_second) = edges
    reach = np.linalg.solve(np.column_stack([along_first, -along_second]), second - first)[0]
    towards = first + reach * along_first - points
    towards *= np.where(towards @ mean < 0, -1.0, 1.0)[:, None]
    return towards / np.maximum(np.linalg.norm(towards, axis=1, keepdims=True), 1e-9)


def slant(direction: np.ndarray, upright: bool) -> float:
    """How far (radians, clockwise as y points down) a rightward direction turns from the
    frame's rows, or a downward one (`upright`) from its columns."""
    return float(np.arctan2(-direction[0], direction[1]) if upright else np.arctan2(direction[1], direction[0]))


def turned_back(angle: float) -> np.ndarray:
    """The rotation that undoes a clockwise turn by `angle` radians."""
    cos, sin = np.cos(angle), np.sin(angle)
    return np.array([[cos, sin], [-sin, cos]])
