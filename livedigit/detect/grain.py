"""How much the surface around a blob varies, against how much darker the blob's ink is.

A digit's ink stands out of the paper around it: the paper varies (its grain, the camera's
noise) by a small fraction of how much darker the ink is. Around a streak of wood grain, a
fleck of plaster or the weave of fabric, the surface varies by a good part of the streak's
own contrast.
"""
from __future__ import annotations

import cv2
import numpy as np

# Of the digits read in random scenes 0-299, 0.2 % lie over MAX_GRAIN, of their false
# digits a quarter, of the digits read in frames of the surroundings alone two thirds;
# the presets' digits lie under it but a few of `pencil-dim`'s faint ones on noisy paper.
# A surface's own flecks are mostly small: blobs under SMALL pixels tall, as most false
# digits on the surroundings alone are, must stand out more (MAX_SMALL_GRAIN; the small
# digits read right in random scenes and the presets lie under 0.05).
MAX_GRAIN = 0.08
MAX_SMALL_GRAIN = 0.06
SMALL = 24
# The paper is sampled at LOOP_SAMPLES points along each of two loops through the ring
# around a box, at 0.4 and 0.8 of its width: a quarter of the box's height, up to
# RING_REACH pixels (the light over a wider ring bends more than a plane follows); the ink
# on a grid of INK_SAMPLES points a side over the box.
LOOP_SAMPLES = 48
LOOPS = (0.4, 0.8)
RING_REACH = 8
INK_SAMPLES = 8
# Samples this near ink lie on the stroke's blurred edge, and are no paper.
INK_REACH = 2
# Samples this many grey levels darker than the plane fitted to their loop are a ruled
# line (erased from the ink, not from the frame) or ink beside the box, dark enough to be
# ink: they pull the plane down, and a grid's lines along a loop fill a good part of it.
# The plane is fitted again without them, twice.
LINE_DEPTH = 12


def too_grainy(gray: np.ndarray, binary: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Which x, y, w, h boxes' surroundings vary by too large a part of their ink's contrast
    for the blob to be ink: MAX_GRAIN, MAX_SMALL_GRAIN for a box under SMALL pixels tall."""
    limits = np.where(boxes[:, 3] < SMALL, MAX_SMALL_GRAIN, MAX_GRAIN)
    return grain_against_ink(gray, binary, boxes) > limits


def grain_against_ink(gray: np.ndarray, binary: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """For each x, y, w, h box, how much the paper around it varies against how much darker
    its ink is: the paper's grain (see paper_grain) over the paper's median grey less the
    ink's. 0 where under a quarter of the ring's samples are paper, or none in the box is ink."""
    if not len(boxes):
        return np.zeros(0)
    xs, ys = ring_around(boxes, gray.shape)
    near_ink = cv2.dilate(binary, np.ones((2 * INK_REACH + 1,) * 2, np.uint8))
    # under a 3x3 mean: the camera's noise evens out, a surface's grain does not
    paper = np.where(near_ink[ys, xs] == 0, cv2.blur(gray, (3, 3))[ys, xs].astype(np.float32), np.nan)
    grain, paper = paper_grain(paper)
    ink_xs, ink_ys = grid_over(boxes, gray.shape)
    ink = np.where(binary[ink_ys, ink_xs] > 0, gray[ink_ys, ink_xs].astype(np.float32), np.nan)
    contrast = row_quantiles(paper, 0.5) - row_quantiles(ink, 0.5)
    measured = (np.count_nonzero(~np.isnan(paper), axis=1) >= paper.shape[1] // 4) & ~np.isnan(contrast)
    return np.where(measured, grain / np.maximum(np.nan_to_num(contrast), 1), 0.0)


def square_loop(count: int) -> np.ndarray:
    """(count, 2): u, v of `count` points evenly around the outline of the square from -1 to 1."""
    around = np.arange(count, dtype=np.float32) * 8 / count  # each side 2 long
    side, along = np.floor(around / 2), around % 2 - 1
    u = np.select([side == 0, side == 1, side == 2], [along, np.ones_like(along), -along], -np.ones_like(along))
    v = np.select([side == 0, side == 1, side == 2], [-np.ones_like(along), along, np.ones_like(along)], -along)
    return np.stack([u, v], axis=1)


LOOP = square_loop(LOOP_SAMPLES)
# A plane over a loop is 1, u and v: fitted to any loop's samples by the same sums.
PLANE = np.column_stack([np.ones(LOOP_SAMPLES, np.float32), LOOP])
PLANE_PRODUCTS = (PLANE[:, :, None] * PLANE[:, None, :]).reshape(LOOP_SAMPLES, 9)


def ring_around(boxes: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """x and y (rows of LOOP_SAMPLES per loop) of the points sampled in the ring around each box."""
    x, y, w, h = (column[:, None].astype(np.float32) for column in boxes.T)
    reach = np.clip(np.round(h / 4), 2, RING_REACH)
    u, v = LOOP.T
    xs = np.concatenate([x + w / 2 + u * (w / 2 + share * reach) for share in LOOPS], axis=1)
    ys = np.concatenate([y + h / 2 + v * (h / 2 + share * reach) for share in LOOPS], axis=1)
    return clipped(xs, shape[1]), clipped(ys, shape[0])


def grid_over(boxes: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """x and y (rows of INK_SAMPLES ** 2) of a grid of points over each box."""
    x, y, w, h = (column[:, None].astype(np.float32) for column in boxes.T)
    steps = (np.arange(INK_SAMPLES, dtype=np.float32) + 0.5) / INK_SAMPLES
    return (clipped(np.repeat(x + w * steps, INK_SAMPLES, axis=1), shape[1]),
            clipped(np.tile(y + h * steps, (1, INK_SAMPLES)), shape[0]))


def clipped(coordinates: np.ndarray, size: int) -> np.ndarray:
    """Whole pixel coordinates within 0..size-1."""
    return np.clip(np.round(coordinates), 0, size - 1).astype(np.intp)


def paper_grain(paper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each row of grey levels sampled along the ring's loops (NaN: no paper), how much
    they vary once the plane each loop's samples fit is taken off (a lamp's glare or a
    shadow slopes across a ring, and is no grain): the lower quartile of how far each lies
    from their median. And the samples left once those LINE_DEPTH darker than their plane
    are dropped."""
    loops = paper.reshape(-1, LOOP_SAMPLES).copy()
    residual = loops - plane_fit(loops)
    for _ in range(2):
        loops[residual < -LINE_DEPTH] = np.nan
        residual = loops - plane_fit(loops)
    residual = residual.reshape(paper.shape)
    return row_quantiles(np.abs(residual - row_quantiles(residual, 0.5)[:, None]), 0.25), loops.reshape(paper.shape)


def plane_fit(loops: np.ndarray) -> np.ndarray:
    """For each row of samples along a loop, the least-squares plane through those that are
    not NaN, at every sample."""
    known = (~np.isnan(loops)).astype(np.float32)
    normal = (known @ PLANE_PRODUCTS).reshape(-1, 3, 3) + 1e-3 * np.eye(3, dtype=np.float32)
    target = (np.nan_to_num(loops) * known) @ PLANE
    return np.linalg.solve(normal, target[..., None])[..., 0] @ PLANE.T


def row_quantiles(values: np.ndarray, fraction: float) -> np.ndarray:
    """The `fraction` quantile (nearest rank) of each row's values that are not NaN; NaN
    for a row of none."""
    ordered = np.sort(values, axis=1)  # NaN last
    known = np.count_nonzero(~np.isnan(values), axis=1)
    rank = np.maximum(np.round((known - 1) * fraction).astype(np.intp), 0)
    return np.where(known > 0, np.take_along_axis(ordered, rank[:, None], axis=1)[:, 0], np.nan)
