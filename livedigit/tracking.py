"""Follow digits across video frames, so labels do not flicker.

When the camera moves, the whole page moves: the tracker estimates that shift from
frame to frame (the last move, corrected by the move most pairs of boxes agree on, see
camera_shift) and carries every track along. Detections are then matched to
tracks by overlap. A track's label is the confidence-weighted vote of its last
observations and its box a running average, so a digit read 7, 7, 1, 7 stays a 7.

Tracks are rows of arrays, so a frame with a hundred digits costs a few numpy calls.
"""
from __future__ import annotations

import cv2
import numpy as np

from .detections import Detections, iou


# A page's shift from one frame to the next is the move that brings the most of the last
# frame's boxes onto this frame's: every pair of boxes up to MAX_SHIFT box heights apart
# votes for its move, in bins of SHIFT_BIN of a box height. (The median move of each box to
# its nearest, which this replaced, takes a box's neighbour for the box itself once the page
# moves more than half the digits' spacing, as a shaken camera does: the tracks then carry
# their labels to the wrong digits.) The votes are counted around the last move and around
# no move (a pan stopped dead: from where the last move predicts it, the page may lie
# beyond the votes' reach, and a row of digits one or two places along lines up as well).
# A move far from where its votes were counted needs more of them, GUESS_WEIGHT a bin
# away: among a few digits, a neighbour's votes may outnumber a digit's own.
MAX_SHIFT = 2
SHIFT_BIN = 0.25
GUESS_WEIGHT = 0.5


def camera_shift(before: np.ndarray, after: np.ndarray, guess: np.ndarray | None = None) -> np.ndarray | None:
    """The move (dx, dy) of the page from the boxes `before` to the boxes `after`: the one
    most pairs of them vote for within MAX_SHIFT box heights of the `guess` (the last move)
    or of no move; None where no boxes vote."""
    if not len(before) or not len(after):
        return None
    height = float(np.median(np.concatenate([before[:, 3], after[:, 3]])))
    centres_to_try = [np.zeros(2)] if guess is None or not guess.any() else [guess, np.zeros(2)]
    starts, ends = centres(before), centres(after)
    voted = [move for move in (voted_move(starts, ends, centre, height) for centre in centres_to_try)
             if move is not None]
    return max(voted, key=lambda move: move[1])[0] if voted else None


def voted_move(before: np.ndarray, after: np.ndarray, centre: np.ndarray,
               height: float) -> tuple[np.ndarray, float] | None:
    """The move of the points `before` to the points `after` that most pairs vote for,
    within MAX_SHIFT `height`s of `centre`, and its support (votes, less GUESS_WEIGHT a bin
    from the centre); None where no pair votes for a move with any support."""
    bin_size = max(SHIFT_BIN * height, 1.0)
    reach = int(np.ceil(MAX_SHIFT / SHIFT_BIN))
    moves = pairs_within(before + centre, after, reach * bin_size)
    if not len(moves):
        return None
    bins = np.floor(moves / bin_size).astype(np.int32) + reach
    side = 2 * reach + 1
    votes = np.bincount(bins[:, 0] * side + bins[:, 1], minlength=side * side).reshape(side, side).astype(np.float32)
    # a move on the border of two bins splits its votes: count each bin with its neighbours
    support = cv2.boxFilter(votes, -1, (3, 3), normalize=False, borderType=cv2.BORDER_CONSTANT)
    support -= GUESS_WEIGHT * distance_from_centre(side)
    best = np.unravel_index(np.argmax(support), support.shape)
    agreeing = (np.abs(bins - best) <= 1).all(axis=1)
    if not agreeing.any():  # the few votes lie so far from the centre that none outweighs no move
        return None
    return centre + np.median(moves[agreeing], axis=0), float(support[best])


def pairs_within(before: np.ndarray, after: np.ndarray, reach: float) -> np.ndarray:
    """(n, 2) moves from points `before` to points `after` of the pairs less than `reach`
    apart along both axes."""
    dx = np.subtract.outer(after[:, 0].astype(np.float32), before[:, 0].astype(np.float32))
    dy = np.subtract.outer(after[:, 1].astype(np.float32), before[:, 1].astype(np.float32))
    near = (np.abs(dx) < reach) & (np.abs(dy) < reach)
    return np.stack([dx[near], dy[near]], axis=1)


def centres(boxes: np.ndarray) -> np.ndarray:
    return boxes[:, :2] + boxes[:, 2:] / 2


def distance_from_centre(side: int) -> np.ndarray:
    """Each cell's distance from the middle of a side x side grid."""
    offsets = np.arange(side) - side // 2
    return np.hypot(offsets[:, None], offsets[None, :])


class Tracker:
    def __init__(self, history: int = 8, min_iou: float = 0.3, max_missed: int = 5, smoothing: float = 0.4,
                 confirm_frames: int = 1):
        self.history, self.min_iou, self.max_missed, self.smoothing = history, min_iou, max_missed, smoothing
        self.confirm_frames = confirm_frames
        self.next_id = 0
        self.frame_size: tuple[int, ...] = ()
        self._forget_tracks()

    def _forget_tracks(self) -> None:
        self.ids = np.zeros(0, np.int32)
        self.boxes = np.zeros((0, 4))       # x, y, w, h averaged over recent frames
        self.last = np.zeros((0, 4))        # where each track was last seen, carried along with the page
        self.missed = np.zeros(0, np.int32)  # frames since last seen
        self.votes = np.zeros((0, self.history), np.int32)        # recent digits, -1 = none yet
        self.vote_weights = np.zeros((0, self.history), np.float32)  # and their confidences
        self.observations = np.zeros(0, np.int64)
        self.confirmed = np.zeros(0, bool)  # read the same in confirm_frames frames: reported from then on
        self.velocity = np.zeros(2)

    def update(self, detections: Detections, unsure: Detections | None = None,
               frame_size: tuple[int, ...] = ()) -> Detections:
        """The same detections with track ids, smoothed labels, confidences and boxes.

        `unsure` readings (a confidence too low to report a digit) continue a track that
        reads the same digit: a stroke blurred or cut for a frame does not drop the digit.
        Where the frames change size (`frame_size`: a stream that changed its resolution),
        the tracks are let go: a digit now where another was is not the same digit.
        """
        if frame_size != self.frame_size:
            self.frame_size = frame_size
            self._forget_tracks()
        boxes = detections.boxes.astype(np.float64)
        self._follow_camera(boxes)
        rows = self._match(boxes)
        if unsure is not None and len(unsure) and len(self.ids):
            free = np.ones(len(self.ids), bool)
            free[rows[rows >= 0]] = False
            continued = self._match(unsure.boxes.astype(np.float64), free & self._agree(unsure.digits))
            kept = continued >= 0
            detections = Detections(np.concatenate([detections.boxes, unsure.boxes[kept]]),
                                    np.concatenate([detections.digits, unsure.digits[kept]]),
                                    np.concatenate([detections.confidences, unsure.confidences[kept]]))
            boxes = detections.boxes.astype(np.float64)
            rows = np.concatenate([rows, continued[kept]])
        rows[rows < 0] = self._start(boxes[rows < 0])
        self._observe(rows, boxes, detections.digits, detections.confidences)
        digits, confidences, agreeing = self._labels(rows)
        self.confirmed[rows] |= agreeing >= self.confirm_frames
        tracked = Detections(np.round(self.boxes[rows]).astype(np.int32), digits, confidences, self.ids[rows].copy())
        tracked = tracked[self.confirmed[rows]]
        self._forget()
        return tracked

    def _follow_camera(self, boxes: np.ndarray) -> None:
        """Move every track by the page's estimated shift since the last frame."""
        recent = self.missed == 0
        if recent.any() and len(boxes):
            shift = camera_shift(self.last[recent], boxes, self.velocity)
            self.velocity = np.zeros(2) if shift is None else shift
        self.boxes[:, :2] += self.velocity
        self.last[:, :2] += self.velocity

    def _agree(self, digits: np.ndarray) -> np.ndarray:
        """(detections, tracks) bool: the track's label is the detection's digit."""
        labels, _, _ = self._labels(np.arange(len(self.ids)))
        return digits[:, None] == labels[None, :]

    def _match(self, boxes: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
        """The track row of each detection, greedily by overlap; -1 where none overlaps enough
        (or none of the `allowed` (detections, tracks) pairs does)."""
        rows = np.full(len(boxes), -1)
        if not len(boxes) or not len(self.ids):
            return rows
        overlaps = iou(boxes, self.last)
        if allowed is not None:
            overlaps[~np.broadcast_to(allowed, overlaps.shape)] = 0
        detection, track = np.nonzero(overlaps >= self.min_iou)
        order = np.argsort(-overlaps[detection, track], kind="stable")
        taken = set()
        for d, t in zip(detection[order].tolist(), track[order].tolist()):
            if rows[d] < 0 and t not in taken:
                rows[d] = t
                taken.add(t)
        return rows

    def _start(self, boxes: np.ndarray) -> np.ndarray:
        """New tracks at these boxes; their rows."""
        count = len(boxes)
        first_row = len(self.ids)
        self.ids = np.concatenate([self.ids, np.arange(self.next_id, self.next_id + count, dtype=np.int32)])
        self.next_id += count
        self.boxes = np.concatenate([self.boxes, boxes])
        self.last = np.concatenate([self.last, boxes])
        self.missed = np.concatenate([self.missed, np.zeros(count, np.int32)])
        self.votes = np.concatenate([self.votes, np.full((count, self.history), -1, np.int32)])
        self.vote_weights = np.concatenate([self.vote_weights, np.zeros((count, self.history), np.float32)])
        self.observations = np.concatenate([self.observations, np.zeros(count, np.int64)])
        self.confirmed = np.concatenate([self.confirmed, np.zeros(count, bool)])
        return np.arange(first_row, first_row + count)

    def _observe(self, rows: np.ndarray, boxes: np.ndarray, digits: np.ndarray, confidences: np.ndarray) -> None:
        self.boxes[rows] = self.smoothing * self.boxes[rows] + (1 - self.smoothing) * boxes
        self.last[rows] = boxes
        slots = self.observations[rows] % self.history
        self.votes[rows, slots] = digits
        self.vote_weights[rows, slots] = confidences
        self.observations[rows] += 1
        self.missed += 1
        self.missed[rows] = 0

    def _labels(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per row, the digit with the most confidence over recent frames, its mean confidence,
        and in how many of those frames it was read."""
        votes = self.votes[rows]
        cast = votes >= 0
        cells = (np.arange(len(rows))[:, None] * 10 + votes)[cast]  # (row, digit) flattened
        totals = np.bincount(cells, self.vote_weights[rows][cast], minlength=10 * len(rows)).reshape(-1, 10)
        counts = np.bincount(cells, minlength=10 * len(rows)).reshape(-1, 10)
        digits = totals.argmax(axis=1)
        chosen = np.arange(len(rows)), digits
        return (digits.astype(np.int32), (totals[chosen] / np.maximum(counts[chosen], 1)).astype(np.float32),
                counts[chosen])

    def _forget(self) -> None:
        """Drop tracks not seen for more than max_missed frames."""
        alive = self.missed <= self.max_missed
        for name in ("ids", "boxes", "last", "missed", "votes", "vote_weights", "observations", "confirmed"):
            setattr(self, name, getattr(self, name)[alive])
