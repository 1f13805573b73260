"""Lines fitted again to the full-size ink along them."""
from __future__ import annotations

import cv2
import numpy as np

from .bend import bent_along_ink
from .geometry import Segment, bends_at, draw_across


def fitted_to_ink(lines: list[Segment], binary: np.ndarray, reaches: tuple[int, ...], moved: int = 0) -> list[Segment]:
    """The lines fitted again to the full-size ink along them: each first moved across
    itself by up to `moved` pixels to where the ink along it is densest (a line followed
    into the next frame; its ink's width across it is measured there too), then fitted
    to the ink up to the first of `reaches` pixels beyond its edges, again to that up to
    the next reach beyond the last fit's, and so on. Found on a shrunk copy, and from the
    segments of a few slants, a line may stray a pixel or two from the one seen across
    the frame: enough to erase a stroke lying along it, or leave a sliver of its edge
    that reads as a 1. Each line fitted knows the ink pixels it was last fitted to
    (`support`). A line found afresh whose ink leaves its straight fit, or one followed
    that was bent, is given its bend (bend.bent_along_ink); one followed whose bend is not
    traced again keeps the bend it had, moved across with it."""
    if len(lines) > 255:  # numbered in 8 bits below
        return fitted_to_ink(lines[:255], binary, reaches, moved) + fitted_to_ink(lines[255:], binary, reaches, moved)
    band_reach = moved + reaches[0]
    found = ink_along(lines, binary, band_reach)
    if found is None:
        return [line._replace(support=0) for line in lines]
    *in_band, every = found
    xs, ys, owner = in_band
    fit = tuple(np.array([getattr(line, name) for line in lines]) for name in ("x0", "y0", "dx", "dy"))
    thickness = np.array([line.thickness for line in lines])
    shifts = np.zeros(len(lines))  # how far each line moved across itself
    if moved:
        x0, y0, dx, dy = fit
        bent = bends_along(lines, *in_band)
        shifts = densest_across(across_histogram(*in_band, fit, thickness, band_reach, bent), thickness)
        fit = x0 - dy * shifts, y0 + dx * shifts, dx, dy
    for reach in reaches:
        x0, y0, dx, dy = fit
        close = np.abs(dx[owner] * (ys - y0[owner]) - dy[owner] * (xs - x0[owner])) <= thickness[owner] / 2 + reach
        xs, ys, owner = xs[close], ys[close], owner[close]
        fit = principal_axes(xs, ys, owner, len(lines))
    support = np.bincount(owner, minlength=len(lines)) * every
    fitted = [refitted(line, *line_fit, int(pixels)) for line, *line_fit, pixels in zip(lines, *fit, support)]
    # a line found afresh is traced for a bend; one followed into the next frame, where it had one
    refit = [index for index, line in enumerate(fitted)
             if line.support >= MIN_FIT_PIXELS and (lines[index].bend or not moved)]
    for index, line in zip(refit, bent_along_ink([fitted[index] for index in refit], binary)):
        # a line followed along its bend whose bend is not traced again (the digits on it
        # hide too much of it) keeps it, moved across as its ink moved: fitted straight
        # again, a bowed line was erased along part of its length only
        if line.bend or not lines[index].bend:
            fitted[index] = line
        else:
            fitted[index] = moved_across(lines[index], float(shifts[index]))._replace(support=line.support)
    if not moved:
        return fitted
    bent = bends_along(fitted, *in_band)
    widths = ink_width(across_histogram(*in_band, fit, thickness, band_reach, bent), thickness)
    return [line._replace(ink_width=int(width)) if line.support >= MIN_FIT_PIXELS else line
            for line, width in zip(fitted, widths)]


def moved_across(line: Segment, shift: float) -> Segment:
    """The line moved across itself by `shift` pixels, its bend and extent along it as they were."""
    return line._replace(x0=line.x0 - line.dy * shift, y0=line.y0 + line.dx * shift, offset=line.offset + shift)


def ink_along(lines: list[Segment], binary: np.ndarray, reach: int) -> tuple[np.ndarray, ...] | None:
    """The inked pixels up to `reach` beyond the lines' edges (at most about
    MAX_FIT_POINTS of them: every k-th in rows, spread along each line), as x and y, the
    line each lies along (an index into `lines`), and k; None where there are none."""
    nearest = np.zeros_like(binary)  # the line each pixel lies along, numbered from 1
    for number, line in enumerate(lines, 1):
        draw_across(nearest, line, number, line.thickness + 2 * reach)
    points = cv2.findNonZero(cv2.bitwise_and(nearest, binary))
    if points is None:
        return None
    every = max(1, len(points) // MAX_FIT_POINTS)
    points = points.reshape(-1, 2)[::every]
    owner = nearest[points[:, 1], points[:, 0]].astype(np.intp) - 1
    return points[:, 0].astype(np.float64), points[:, 1].astype(np.float64), owner, every


def refitted(line: Segment, x0: float, y0: float, dx: float, dy: float, support: int) -> Segment:
    """The line through (x0, y0) along (dx, dy), turned as it was, where it was fitted to
    MIN_FIT_PIXELS or more (straight, its ink's width across it not yet measured); else
    the line as it was."""
    if support < MIN_FIT_PIXELS:
        return line._replace(support=support)
    if dx * line.dx + dy * line.dy < 0:
        dx, dy = -dx, -dy
    return line._replace(dx=float(dx), dy=float(dy), x0=float(x0), y0=float(y0), offset=float(-dy * x0 + dx * y0),
                         ink_width=0, support=support, bend=())


def bends_along(lines: list[Segment], xs: np.ndarray, ys: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """For each point (xs, ys), how far the line that owns it lies off its straight fit there."""
    if not any(line.bend for line in lines):
        return np.zeros(len(xs))
    dx, dy = (np.array([getattr(line, name) for line in lines])[owner] for name in ("dx", "dy"))
    return bends_at(lines, dx * xs + dy * ys, owner)


def across_histogram(xs: np.ndarray, ys: np.ndarray, owner: np.ndarray, lines: tuple[np.ndarray, ...],
                     thickness: np.ndarray, reach: int, bent: np.ndarray) -> np.ndarray:
    """For each of the lines (arrays x0, y0, dx, dy), how many of the points (xs, ys) it
    owns lie each whole pixel across it (less how far its bend, `bent` at each point, lies
    off it), from `reach` pixels beyond its thickest's edge on one side to as far on the other."""
    x0, y0, dx, dy = lines
    half = int(np.ceil(thickness.max() / 2)) + reach
    width = 2 * half + 1
    distances = -dy[owner] * (xs - x0[owner]) + dx[owner] * (ys - y0[owner]) - bent
    bins = np.clip(np.rint(distances).astype(np.intp) + half, 0, width - 1)
    return np.bincount(owner * width + bins, minlength=len(x0) * width).reshape(-1, width)


def densest_across(counts: np.ndarray, thickness: np.ndarray) -> np.ndarray:
    """For each line, how far across it (signed, whole pixels) a band its thickness holds
    the most of its ink (`counts` from across_histogram). A line's ink runs all along it;
    strokes across it spread out."""
    half = counts.shape[1] // 2
    running = np.concatenate([np.zeros((len(counts), 1)), np.cumsum(counts, axis=1)], axis=1)
    starts = np.arange(counts.shape[1])
    ends = np.minimum(starts[None, :] + thickness[:, None], counts.shape[1])
    in_band = np.take_along_axis(running, ends, axis=1) - running[:, starts]
    return starts[np.argmax(in_band, axis=1)] + (thickness - 1) / 2 - half


def ink_width(counts: np.ndarray, thickness: np.ndarray) -> np.ndarray:
    """For each line, how many whole pixels across it, up to its `thickness` from it on
    either side, hold at least half as much of its ink as the fullest (`counts` from
    across_histogram)."""
    half = counts.shape[1] // 2
    near = np.abs(np.arange(counts.shape[1])[None, :] - half) <= thickness[:, None]
    counts = np.where(near, counts, 0)
    return np.count_nonzero(counts >= counts.max(axis=1, keepdims=True) / 2, axis=1)


def principal_axes(xs: np.ndarray, ys: np.ndarray, owner: np.ndarray, count: int) -> tuple[np.ndarray, ...]:
    """For each of `count` lines, the least-squares line through the points (xs, ys) it
    owns: their centre x0, y0 and its unit direction dx, dy (arrays of `count`)."""
    n = np.maximum(np.bincount(owner, minlength=count), 1)
    x0, y0 = np.bincount(owner, xs, count) / n, np.bincount(owner, ys, count) / n
    u, v = xs - x0[owner], ys - y0[owner]
    angle = 0.5 * np.arctan2(2 * np.bincount(owner, u * v, count), np.bincount(owner, u * u - v * v, count))
    return x0, y0, np.cos(angle), np.sin(angle)


MIN_FIT_PIXELS = 20
# Enough points to fit the lines of a page, a few hundred a line where there are dozens.
MAX_FIT_POINTS = 20000
