"""Ink from a frame: 8-bit grey, the paper's brightness under each pixel, ink darker than it."""
from __future__ import annotations

from functools import cache, partial
from typing import NamedTuple

import cv2
import numpy as np

from ..params import DetectionParams
from .lines import LineTracker, remove_ruled_lines
from .page import Page, grey_percentile, square
from .regions import Blobs, blobs_reaching


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


def binarize(gray: np.ndarray, params: DetectionParams, keep_lines: bool = False, page: Page | None = None,
             lines: LineTracker | None = None) -> np.ndarray:
    """Ink as 255 on 0, by the profile's threshold method, only on the `page` where one is
    given, with ruled lines removed (unless `keep_lines`: `livedigit-eval --why` compares
    the two), followed from the last frame's where `lines` tracks them."""
    if params.blur > 1:
        gray = cv2.GaussianBlur(gray, (params.blur, params.blur), 0)
    stroke_widths = darkness = strong = faint_ink = faint_writing = None
    on_page = None if page is None else page.ink_mask(gray.shape)
    if params.threshold == "background":
        paper, off_page, gain = paper_brightness(gray, params.window, page)
        darkness = as_if_lit(cv2.subtract(paper, gray), gain)
        weak = ink_threshold(darkness, params.c, on_page, off_page)
        faint_writing = faint_blobs(darkness, params.c, on_page)
        binary, strong = weak.passed_by(darkness) | faint_writing, weak.scaled(STRONG_INK)
        faint_ink = cache(partial(fainter_ink, darkness, weak, on_page, off_page))  # made once, where asked for
        if off_page is not None:
            binary &= ~off_page
        stroke_widths = stroke_cores(darkness)
    elif params.threshold == "otsu":
        _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    else:
        binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                       params.block_size, params.c)
    if on_page is not None:
        binary &= on_page
    if not keep_lines:
        binary = remove_ruled_lines(binary, lines, darkness, faint_ink, page)
    if strong is not None:
        # Kept by their darkest pixel only once the lines are off: a line faint in places (a
        # grid in a shadow, light-blue rules) is found whole and erased; where only its darker
        # stretches stood, too few and too short to be found, they were read as 1s.
        binary = blobs_reaching(binary, strong.passed_by(darkness) | faint_writing)
    if stroke_widths is not None:
        binary &= stroke_widths
    if params.morph_kernel > 1:
        binary = close(binary, params.morph_kernel)
    return binary


def close(binary: np.ndarray, size: int) -> np.ndarray:
    """Morphological closing by a size x size square that leaves the ink where it was.
    (OpenCV's own closing erodes about the anchor it dilated about: with an even size,
    the ink moves a pixel down and right.)"""
    kernel = np.ones((size, size), np.uint8)
    reflected = size - 1 - size // 2  # the anchor of the kernel turned half round
    return cv2.erode(cv2.dilate(binary, kernel), kernel, anchor=(reflected, reflected))


# The paper's brightness is estimated on a copy of the frame at least this many pixels on its
# shorter side, shrunk by a whole-number factor.
BACKGROUND_SIDE = 96


# Where the estimate is darker than this fraction of the brightest paper near it, there is no paper.
OFF_PAGE = 0.4
# The off-page mask reaches this many pixels beyond what is darker than OFF_PAGE of the
# paper: over the paper's rim, blurred into the dark surroundings, which would stand as a
# thin stroke (a 1).
SEAM = 3


class PaperEstimate(NamedTuple):
    brightness: np.ndarray          # the paper's under each pixel, without ink
    off_page: np.ndarray | None     # 255 where the frame shows no paper; None where it shows paper throughout
    gain: np.ndarray | None         # as_if_lit's for each pixel; None where the paper is lit throughout


def paper_brightness(gray: np.ndarray, window_percent: int, page: Page | None = None) -> PaperEstimate:
    """The brightness the paper would have under each pixel without ink, where the frame
    shows no paper at all (a dark table, wall or door around the page), and how much
    darker ink would be were the paper lit (as_if_lit).

    A median over a wide window (a percentage of the frame) ignores strokes of any width
    and keeps the sharp edges of shadows; it runs on a small copy of the frame, and a
    narrower one finds the paper of a sheet smaller than that window. Around
    the page the estimate blurs across the page's edge, which would make a thin false
    stroke there: the off-page mask reaches over that seam. Where the `page` is known,
    what lies around it counts as plain paper, so that a page small in view on a dark
    desk is not taken for darker than it is.
    """
    h, w = gray.shape
    factor = max(1, min(h, w) // BACKGROUND_SIDE)
    # A whole-number factor lets OpenCV average plain blocks (7x faster at 1280x720); the
    # few rows and columns beyond the last whole block are left out of the estimate.
    small_w, small_h = w // factor, h // factor
    small = cv2.resize(gray[:small_h * factor, :small_w * factor], (small_w, small_h), interpolation=cv2.INTER_AREA)
    if page is not None:
        small = around_paper_filled(small, page)
    window = max(3, round(min(small.shape) * window_percent / 100) | 1)
    background = with_small_sheets(small, cv2.medianBlur(small, min(window, 255)), window)
    # the brightest paper near each pixel, within the median's window: where a lamp's
    # glare lights part of the paper, the paper far from it is dim, but no darker than the
    # paper beside it
    lit = grey_percentile(background, None, 0.9)
    brightest_paper = np.minimum(cv2.dilate(background, square(window)), lit)
    paper = cv2.resize(background, (w, h), interpolation=cv2.INTER_LINEAR)
    gain = light_gain(background, (w, h))
    off_page = (background < OFF_PAGE * brightest_paper).astype(np.uint8) * 255
    if not off_page.any():
        return PaperEstimate(paper, None, gain)
    # Each pixel of the small copy is a block of the frame: in the blocks along what surrounds
    # the paper, only the pixels darker than OFF_PAGE of the paper are none of it. (All of
    # each block was: where the paper's edge runs at a slant, the blocks' steps cut a ruled
    # line along it into short strokes, read as 1s.)
    near_off_page = cv2.resize(cv2.dilate(off_page, np.ones((3, 3), np.uint8)), (w, h),
                               interpolation=cv2.INTER_NEAREST)
    no_paper_below = cv2.resize(cv2.multiply(brightest_paper, OFF_PAGE), (w, h), interpolation=cv2.INTER_NEAREST)
    off_page = near_off_page & cv2.compare(gray, no_paper_below, cv2.CMP_LT)
    return PaperEstimate(paper, cv2.dilate(off_page, np.ones((2 * SEAM + 1, 2 * SEAM + 1), np.uint8)), gain)


# A sheet smaller than the median's window (a sticky note far off on a desk, not found as
# the page) is brighter than the median over it, which takes the desk around it for its
# paper: its ink was no darker than that. Where the median over a window NEAR_WINDOW times
# narrower is SMALL_SHEET times brighter or more, that is the paper's brightness.
NEAR_WINDOW = 4
SMALL_SHEET = 1.25


def with_small_sheets(small: np.ndarray, background: np.ndarray, window: int) -> np.ndarray:
    """The median `background` of the frame's small copy over `window`, raised to the
    median over a narrower window on sheets smaller than that (see SMALL_SHEET)."""
    near = cv2.medianBlur(small, max(3, (window // NEAR_WINDOW) | 1))
    sheet = cv2.compare(near, cv2.multiply(background, SMALL_SHEET), cv2.CMP_GT)
    return cv2.max(background, near & sheet)


def around_paper_filled(small: np.ndarray, page: Page) -> np.ndarray:
    """A small copy of the frame with each pixel around the page set to the brightness of
    the paper nearest it. (Set to the paper's median brightness, the surroundings made the
    paper look darker than it is near an edge the light falls off towards: a band of false
    ink along the inside of that edge, which joined the digits beside it.)"""
    on_paper = cv2.resize(page.paper, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST)
    _, nearest_paper = cv2.distanceTransformWithLabels(cv2.bitwise_not(on_paper), cv2.DIST_L2, 3,
                                                       labelType=cv2.DIST_LABEL_PIXEL)
    paper_pixels = on_paper > 0
    brightness = np.zeros(nearest_paper.max() + 1, np.uint8)  # by label: each paper pixel has its own
    brightness[nearest_paper[paper_pixels]] = small[paper_pixels]
    return brightness[nearest_paper]


# Ink is darker than its paper by the same fraction under any light, so by fewer grey levels
# in dim light or in a shadow: the threshold's levels are for paper at least this bright,
# and the darkness of ink on dimmer paper is scaled up to it, by at most MAX_GAIN (noise
# grows with it). Each pixel's own paper counts: random scenes 0-99 / 100-299 F1 0.816 /
# 0.823 and the `pencil-dim` preset's recall 0.74-0.80 -> 0.86-0.91, where the paper's
# brightest tenth in the whole frame gave 0.825 / 0.820, and no gain 0.822 / 0.811 (see
# README, Random scenes).
LIT_PAPER = 130
MAX_GAIN = 2
# The gain for each level of the paper, in 64ths.
GAIN_64THS = np.clip(np.round(64 * LIT_PAPER / np.maximum(np.arange(256), 1)), 64, 64 * MAX_GAIN).astype(np.uint8)


def light_gain(background: np.ndarray, size: tuple[int, int]) -> np.ndarray | None:
    """as_if_lit's gain under each pixel of a frame of `size` (width, height), from the
    paper's brightness on its small copy; None where the paper is lit throughout."""
    gain = cv2.LUT(background, GAIN_64THS)
    return cv2.resize(gain, size, interpolation=cv2.INTER_LINEAR) if gain.max() > 64 else None


def as_if_lit(darkness: np.ndarray, gain: np.ndarray | None) -> np.ndarray:
    """How much darker than its paper each pixel would be were that paper lit to LIT_PAPER
    (`gain` in 64ths, from light_gain)."""
    return darkness if gain is None else cv2.multiply(darkness, gain, scale=1 / 64)


# Where the darkest tenth of what passes the threshold is fainter than INK_REFERENCE times
# the threshold (a pencil in dim light: all the ink in view is faint), the threshold is
# lowered in proportion, to no less than LOWEST_SCALE of it, where what passes covers
# MIN_INK_SHARE of the paper or more. Where dark ink in view keeps the threshold, each square
# tile of the frame (TILES to its shorter side) is judged so by its own ink: faint pencil
# beside dark printed words or boxes. Dark ink keeps the threshold in its tile, and where
# all the ink in view is faint the frame's judgement holds throughout (a faint grid in the
# tiles without writing is no fainter writing): paper grain and shadows stay below it.
INK_REFERENCE = 4
LOWEST_SCALE = 0.7
INK_SAMPLE_STRIDE = 4
MIN_INK_SHARE = 0.01
TILES = 8


class InkLevels(NamedTuple):
    """A level of darkness for each square tile of a frame, `side` pixels wide."""
    levels: np.ndarray  # float32, (rows, columns) of tiles
    side: int

    def scaled(self, factor: float) -> InkLevels:
        """The levels `factor` times as dark, each rounded to a whole grey level."""
        return InkLevels(np.round(factor * self.levels), self.side)

    def passed_by(self, darkness: np.ndarray) -> np.ndarray:
        """255 where the darkness is over the level of its tile, 0 elsewhere."""
        if (self.levels == self.levels.flat[0]).all():
            return darker_than(darkness, float(self.levels.flat[0]))
        rows, columns = self.levels.shape
        # darkness is in whole grey levels: over a level is over its whole part
        whole_levels = np.floor(self.levels).astype(np.uint8)
        tiled = cv2.resize(whole_levels, (columns * self.side, rows * self.side), interpolation=cv2.INTER_NEAREST)
        height, width = darkness.shape
        return cv2.compare(darkness, tiled[:height, :width], cv2.CMP_GT)


def ink_threshold(darkness: np.ndarray, threshold: int, on_page: np.ndarray | None,
                  off_page: np.ndarray | None) -> InkLevels:
    """The threshold for this frame's ink, tile by tile: `threshold`, lower where all the ink
    in view, or where dark ink in view keeps it, all the ink in a tile, is faint (and covers
    MIN_INK_SHARE of the paper there or more: a few specks of the paper's grain or of what
    surrounds a page not found are no measure of ink)."""
    sample = np.s_[::INK_SAMPLE_STRIDE, ::INK_SAMPLE_STRIDE]
    sampled = np.ascontiguousarray(darkness[sample])
    paper = np.ones(sampled.shape, bool)
    if on_page is not None:
        paper &= on_page[sample] > 0
    if off_page is not None:
        paper &= off_page[sample] == 0
    inked = np.flatnonzero(paper & (sampled > threshold))  # flat: a fifth of the time of rows and columns
    bins = histogram_bins(threshold)
    inked_darkness = np.minimum(sampled.ravel()[inked], bins - 1)
    whole = faint_ink_scales(np.bincount(inked_darkness, minlength=bins)[None], np.count_nonzero(paper), threshold)
    side = max(1, min(sampled.shape) // TILES)
    if whole[0] == 1:  # dark ink in view: each tile judged by its own
        scales = tile_scales(paper, inked, inked_darkness, side, threshold)
    else:  # all the ink in view faint, or too little of it to judge by
        scales = np.full([len(starts) for starts in tile_starts(sampled.shape, side)], whole[0])
    return InkLevels((threshold * np.nan_to_num(scales, nan=1.0)).astype(np.float32), side * INK_SAMPLE_STRIDE)


def tile_scales(paper: np.ndarray, inked: np.ndarray, inked_darkness: np.ndarray, side: int,
                threshold: int) -> np.ndarray:
    """faint_ink_scales for each square tile `side` pixels wide of the sampled `paper`, the
    ink on it given as flat indices (`inked`) with their darkness cut at the histograms' top."""
    row_starts, column_starts = tile_starts(paper.shape, side)
    rows, columns = len(row_starts), len(column_starts)
    bins = histogram_bins(threshold)
    ys, xs = np.divmod(inked, paper.shape[1])
    tiles = ys // side * columns + xs // side
    histograms = np.bincount(tiles * bins + inked_darkness, minlength=rows * columns * bins)
    paper_pixels = np.add.reduceat(np.add.reduceat(paper.view(np.uint8), row_starts, axis=0, dtype=np.uint16),
                                   column_starts, axis=1, dtype=np.int64)
    scales = faint_ink_scales(histograms.reshape(rows * columns, bins), paper_pixels.ravel(), threshold)
    return scales.reshape(rows, columns)


def tile_starts(shape: tuple[int, int], side: int) -> tuple[np.ndarray, np.ndarray]:
    """The first row and the first column of each square tile `side` pixels wide of an image."""
    return np.arange(0, shape[0], side), np.arange(0, shape[1], side)


def histogram_bins(threshold: int) -> int:
    """Bins of the ink's darkness, from 0 up to INK_REFERENCE times the threshold: ink as
    dark as that is not faint, darker ink is counted there."""
    return INK_REFERENCE * threshold + 1


def faint_ink_scales(histograms: np.ndarray, paper_pixels: np.ndarray, threshold: int) -> np.ndarray:
    """For histograms of the darkness that passes the threshold (a row each, over so many
    pixels of paper), how far to lower the threshold: 1 where the ink is not faint, NaN
    where it is too little to judge by."""
    inked = histograms.sum(axis=1)
    darkest_tenth = np.argmax(histograms.cumsum(axis=1) >= 0.9 * inked[:, None], axis=1)
    scales = np.clip(darkest_tenth / (INK_REFERENCE * threshold), LOWEST_SCALE, 1)
    return np.where((inked > 0) & (inked >= MIN_INK_SHARE * paper_pixels), scales, np.nan)


# Ink blobs must be this many times darker than the threshold somewhere: paper grain and
# soft shadow edges pass the threshold in places, but are never that dark.
STRONG_INK = 2


# Where dark ink keeps the threshold in a tile (printed words, a box), faint pencil beside it
# is held to the dark ink's threshold, which its strokes pass only in places: broken up or
# not at all, they were lost (random scenes 100-299: 832 digits "never inked", 205 a pencil
# on ruled paper beside printed words). A blob all of whose ink is faint is judged as the
# tile rule judges all the ink in view: what passes LOWEST_SCALE of the threshold, reaching
# STRONG_INK times that somewhere and INK_REFERENCE times it nowhere (no dark ink of its
# own). Not where it is a straight run FAINT_LINE times as long as it is wide: a stretch of
# a faint ruled line left where the line is not found, read as a 1.
FAINT_LINE = 4


def faint_blobs(darkness: np.ndarray, threshold: int, on_page: np.ndarray | None) -> np.ndarray:
    """The blobs of faint writing on the paper (see FAINT_LINE), 255 on 0."""
    level = threshold * LOWEST_SCALE
    ink = darker_than(darkness, level)
    if on_page is not None:
        ink &= on_page
    blobs = Blobs(ink)
    chosen = blobs.reaching(darker_than(darkness, STRONG_INK * level))
    chosen &= ~blobs.reaching(darker_than(darkness, INK_REFERENCE * level))
    if not chosen.any():
        return np.zeros_like(ink)
    faint = blobs.mask(chosen)
    outlines, _ = cv2.findContours(faint, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    straight = [outline for outline in outlines if is_straight_run(outline)]
    if straight:
        cv2.drawContours(faint, straight, -1, 0, cv2.FILLED)
    return faint


def is_straight_run(outline: np.ndarray) -> bool:
    """Whether the outline's smallest rectangle at any slant is FAINT_LINE times as long as it is wide."""
    _, (width, height), _ = cv2.minAreaRect(outline)
    return max(width, height) >= FAINT_LINE * max(min(width, height), 1)


# A page's thin lines seen from afar, or printed light, pass the threshold in dashes: a line
# a pixel wide is half as dark where it straddles two rows of pixels as where it runs
# through one. Too broken to be found, the dashes were read as 1s, 7s and 4s. Where lines
# are found, the page's others are looked for on what passes this fraction of the threshold.
FAINT_LINES = 0.5


def fainter_ink(darkness: np.ndarray, levels: InkLevels, on_page: np.ndarray | None,
                off_page: np.ndarray | None) -> np.ndarray:
    """What passes FAINT_LINES of the ink's threshold (`levels`) on the paper."""
    faint = levels.scaled(FAINT_LINES).passed_by(darkness)
    if on_page is not None:
        faint &= on_page
    if off_page is not None:
        faint &= ~off_page
    return faint


def stroke_cores(darkness: np.ndarray) -> np.ndarray:
    """Pixels at least half as dark as the darkest ink beside them: each stroke at its
    width at half depth, without the halo that lens and motion blur add around it (a
    halo fills the small loops of 2, 3 and 8 and joins neighbouring digits)."""
    half_depth = cv2.dilate(darkness, np.ones((5, 5), np.uint8))
    np.right_shift(half_depth, 1, out=half_depth)
    return cv2.compare(darkness, half_depth, cv2.CMP_GT)


def hysteresis(darkness: np.ndarray, weak: int, strong: int) -> np.ndarray:
    """Pixels darker than `weak` that are connected to a pixel darker than `strong`."""
    return blobs_reaching(darker_than(darkness, weak), darker_than(darkness, strong))


def darker_than(darkness: np.ndarray, level: float) -> np.ndarray:
    """255 where the darkness is over `level`, 0 elsewhere."""
    return cv2.threshold(darkness, level, 255, cv2.THRESH_BINARY)[1]
