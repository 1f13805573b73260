"""A video's ruled lines followed from frame to frame: fitted to each new frame's ink."""
from __future__ import annotations

from typing import Callable

import numpy as np

from .fit import MIN_FIT_PIXELS, fitted_to_ink
from .geometry import Segment, parallel
from .search import search_factor


def found_before(line: Segment, passes: list[list[list[Segment]]], spread: float = 1) -> bool:
    """Whether the line lies in the band of a line of the `passes`, from end to end: found
    again where its ink was kept as a stroke lying along a line (darker than the page's
    lines), which every pass after would find again; or followed into a new frame onto
    the line another pass followed (one found alone may move far). Either would be
    erased and followed twice over, one more pass each frame. (What the band left of a
    line, a straight fit of one seen bent by perspective or the lens, runs out of it.)
    `spread`: the band's half-width as so many times the line's (and a pixel)."""
    along = line.dx * line.x0 + line.dy * line.y0
    ends = [(line.x0 + (end - along) * line.dx, line.y0 + (end - along) * line.dy) for end in (line.start, line.end)]
    return any(parallel(line, other) and all(other.distance_across(x, y)
                                             <= spread * other.erased_thickness / 2 + 1 for x, y in ends)
               for families in passes for family in families for other in family)


class LineTracker:
    """The ruled lines of a video's last frame: fitted to each new frame's ink, where a
    search would cost several times more (line_families), and searched for afresh every
    SEARCH_EVERY frames, lest a line followed stray onto other ink."""

    def __init__(self) -> None:
        self.passes: list[list[list[Segment]]] = []  # the last frame's lines, by pass and direction
        self.on_fainter_ink: list[bool] = []  # for each pass, whether it was found, and is followed, on fainter ink
        self.frames = 0
        self.searches_without_fainter = 0  # since fainter lines were last looked for and found

    def fainter_due(self) -> bool:
        """Whether this search afresh should look for the page's fainter lines too: at each
        while the last found some, else at every FAINTER_EVERY-th (the page in view may
        have changed)."""
        return self.searches_without_fainter % FAINTER_EVERY == 0

    def fainter_found(self, found: bool) -> None:
        """Count a search afresh that looked for fainter lines: whether it found some."""
        self.searches_without_fainter = 0 if found else self.searches_without_fainter + 1

    def refound(self, binary: np.ndarray, fainter_ink: Callable[[], np.ndarray] | None = None
                ) -> tuple[list[list[list[Segment]]], list[bool]]:
        """The last frame's lines that still show in this frame's ink, fitted to it, by
        pass and direction, and for each pass whether it was found on fainter ink: its
        lines are fitted to `fainter_ink` (on the ink they are dashes, and a fit to them
        strays onto the strokes beside them). None every SEARCH_EVERY frames."""
        self.frames += 1
        if self.frames % SEARCH_EVERY == 0:
            return [], []
        passes: list[list[list[Segment]]] = []
        on_fainter_ink: list[bool] = []
        for families, faint in zip(self.passes, self.on_fainter_ink):
            ink = fainter_ink() if faint and fainter_ink is not None else binary
            # a line followed onto one an earlier pass followed is that one
            families = [[line for line in followed_to_ink(family, ink) if not found_before(line, passes)]
                        for family in families]
            families = [family for family in families if family]
            if families:
                passes.append(families)
                on_fainter_ink.append(faint)
        return passes, on_fainter_ink


SEARCH_EVERY = 8
# A page whose lines were all found when last looked for on fainter ink is looked at so
# again only at every this-many-th search afresh: the search costs as much as a frame.
FAINTER_EVERY = 4
# A line is followed up to this fraction of the frame's width from one frame to the next
# (a hand-held camera's shake), where its neighbours are far enough apart.
FOLLOW_REACH = 0.02


def followed_to_ink(family: list[Segment], binary: np.ndarray) -> list[Segment]:
    """The lines of a direction fitted to the ink of a frame they may have moved in (by
    up to FOLLOW_REACH, less half the space between two of them), less those with under
    FOLLOW_SUPPORT of the ink they had (gone from view or hidden: the stroke of a digit
    along where one was must stay) and those that came onto another's ink."""
    factor = search_factor(binary)
    thickest = max(line.thickness for line in family)
    offsets = np.sort([line.offset for line in family])
    spacing = np.min(np.diff(offsets)) if len(family) > 1 else np.inf
    slack = int(max(1, min(FOLLOW_REACH * binary.shape[1], (spacing - thickest) // 2 - factor - 2)))
    kept: list[Segment] = []
    for line, before in zip(fitted_to_ink(family, binary, (factor + 1, 1), moved=slack), family):
        if line.support >= max(MIN_FIT_PIXELS, FOLLOW_SUPPORT * before.support) and not any(
                abs(line.offset - other.offset) <= line.thickness + 2 for other in kept):
            kept.append(line)
    return kept


FOLLOW_SUPPORT = 0.5
