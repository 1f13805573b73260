"""Ruled and grid lines: found at any slant and spacing, erased, and the strokes across them mended.

The steps, one module each: `search` finds the lines of a frame (on a shrunk copy of
its ink, along the directions its edges run and the slants perspective spreads them
over; where it finds some, the page's fainter ones on ink at a lower threshold), `fit`
fits them again to the full-size ink, `bend` follows those seen bent (a lens's
distortion, a sheet's curl) along their ink, `follow` carries a video's lines from frame
to frame, `erase` takes them off the ink, mends the strokes they crossed and keeps those
lying along them (`strips` tells those darker than their own line's ink); `geometry`
holds the segments, extents and kernels they share.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..page import Page
from .erase import StrokesOnLines, erased
from .follow import LineTracker, found_before
from .geometry import Extent, Segment, crossing_inside, parallel
from .search import MIN_RULED_LINES, line_families

__all__ = ["LineTracker", "remove_ruled_lines"]


def remove_ruled_lines(binary: np.ndarray, followed: LineTracker | None = None,
                       darkness: np.ndarray | None = None,
                       fainter_ink: Callable[[], np.ndarray] | None = None,
                       page: Page | None = None) -> np.ndarray:
    """Erase ruled and grid lines and mend the digit strokes that crossed them; where the
    ink's `darkness` (how much darker than the paper) is given, keep the strokes lying
    along them (StrokesOnLines). On the `page` found in view, a line or two running
    across it are its lines, as they are where they run across the frame.

    A pass finds the lines of a direction and those across it (line_families). Seen close
    up in perspective, the lines of one direction may spread over more slants than one
    search follows: what is left after a pass is looked at again, and as the paper is
    ruled, any one line found then is the page's. In a video (`followed`), the last
    frame's lines, fitted to this frame's ink where they still show, take the first
    pass's place: the passes after it find the lines that came into view.

    Where lines were looked for afresh and found, a last pass looks for the page's others
    on `fainter_ink` (ink at a lower threshold, made when asked for): lines fainter than
    the threshold in places, which it broke into dashes (fainter_lines). In a video it
    does so at every search afresh while it finds some, else at every few, and its lines
    are followed on the fainter ink (LineTracker).
    """
    passes, on_fainter_ink = followed.refound(binary, fainter_ink) if followed is not None else ([], [])
    searched_afresh = not passes
    strokes = StrokesOnLines(darkness)
    for families in passes:
        binary = erased(binary, families, strokes)
    fewest = 1 if passes else MIN_RULED_LINES
    for _ in range(MAX_PASSES - 1 if passes else MAX_PASSES):
        usual = usual_thickness(passes[0]) if passes else None
        families = [new for family in line_families(binary, fewest, usual, page=page)
                    if (new := [line for line in family if not found_before(line, passes)])]
        if not families:
            break
        binary, fewest = erased(binary, families, strokes), 1
        passes.append(families)
        on_fainter_ink.append(False)
    if searched_afresh and passes and fainter_ink is not None and (followed is None or followed.fainter_due()):
        families = fainter_lines(binary, fainter_ink(), passes)
        if followed is not None:
            followed.fainter_found(bool(families))
        if families:
            binary = erased(binary, families, strokes)
            passes.append(families)
            on_fainter_ink.append(True)
    if followed is not None:
        followed.passes, followed.on_fainter_ink = passes, on_fainter_ink
    return binary


# On faint ink the strokes along a line found pull its fit off it by up to its thickness
# at an end: a line within this many times the band's half-width of one found is that one.
FOUND_AGAIN = 4


def fainter_lines(binary: np.ndarray, faint: np.ndarray, passes: list[list[list[Segment]]]) -> list[list[Segment]]:
    """The page's lines that the `passes` missed, looked for on the `faint` ink and fitted
    to the ink: MIN_RULED_LINES or more along a direction the passes found lines along,
    none of them crossing one of those inside the frame (on faint ink the halos of
    strokes line up at slants of their own) or lying within FOUND_AGAIN half-widths of
    one (that line found again)."""
    frame = Extent.of_box(0, 0, binary.shape[1], binary.shape[0])
    found = [line for families in passes for family in families for line in family]
    families = []
    for family in line_families(binary, MIN_RULED_LINES, usual_thickness(passes[0]), faint):
        along = [other for other in found if parallel(family[0], other)]
        if not along:
            continue
        new = [line for line in family if not found_before(line, passes, FOUND_AGAIN)
               and not any(crossing_inside(line, other, frame) for other in along)]
        if len(new) >= MIN_RULED_LINES:
            families.append(new)
    return families


def usual_thickness(families: list[list[Segment]]) -> float:
    """How thick the lines of a pass are, at the median: the page's usual line."""
    return float(np.median([line.thickness for family in families for line in family]))


# The first pass, and up to two more for the lines it missed.
MAX_PASSES = 3
