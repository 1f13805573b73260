"""Frame in, detections out: detection, normalization and one batched model call."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .classify import NOT_A_DIGIT, DigitClassifier
from .detect import Regions, find_regions
from .detections import Detections
from .fragments import Pair, close_pairs, join_fragments, union_mask
from .numbers import neighbours
from .params import DetectionParams
from .reuse import ReadingMemory, signatures
from .upright import page_turns, turning, upright_sizes


@dataclass(frozen=True)
class Candidates:
    """What the model reads in a frame: its regions, then the unions of pairs of regions
    that may be pieces of one broken digit, then the glyphs beside the regions that are
    read only as their context (Regions.context_boxes), each as a box and an ink mask."""

    boxes: np.ndarray
    masks: list[np.ndarray]
    signatures: np.ndarray  # of the masks' ink (see reuse.signatures)
    pairs: list[Pair]  # indices into the regions, then into the strokes beside them
    pieces: int        # the first `pieces` rows are the regions
    gray: np.ndarray   # the grey frame: the model reads the ink's grey levels on each mask
    page: np.ndarray | None = None  # the page's corners, where one was found: the crops are turned upright by it


class Recognizer:
    """Reads every handwritten digit in a frame.

    >>> recognizer = Recognizer()
    >>> detections = recognizer(frame)   # boxes, digits, confidences

    The steps are public so that a pipeline can run them apart (the capture loop finds
    regions in another process: `find` is stateless, `read` remembers the last frame)
    and a benchmark can time them.
    """

    def __init__(self, params: DetectionParams | None = None, model: str | Path | None = None):
        self.params = params or DetectionParams()
        self.classifier = DigitClassifier(model)
        self.memory = ReadingMemory()

    def __call__(self, frame: np.ndarray) -> Detections:
        return self.read(self.find(frame))

    def read_regions(self, frame: np.ndarray) -> tuple[Detections, Regions]:
        """The digits, and the candidate regions (with the binary mask) they were read from."""
        regions = self.find(frame)
        return self.read(regions), regions

    def forget(self) -> None:
        """Forget the last frame's readings: the next frame shows other digits (the next
        photo of a folder), whose regions must not take a reading from this one's."""
        self.memory = ReadingMemory()

    def find(self, frame: np.ndarray) -> Regions:
        return find_regions(frame, self.params)

    def read(self, regions: Regions) -> Detections:
        """The digits among the regions; regions and possible broken-digit pairs go through
        the model together, in one batch."""
        return self.read_unsure(regions)[0]

    def read_unsure(self, regions: Regions) -> tuple[Detections, Detections]:
        """The digits among the regions, and those read with too little confidence to report
        (see `sort_out`)."""
        if not regions.masks and not regions.stroke_masks:
            return Detections(), Detections()
        candidates = self.candidates(regions)
        return self.sort_out(candidates, self.classify(candidates))

    def candidates(self, regions: Regions) -> Candidates:
        pieces = len(regions.masks)
        boxes = np.concatenate([regions.boxes, regions.stroke_boxes])
        masks = regions.masks + regions.stroke_masks
        cuts = set(regions.cuts)
        pairs = [Pair(i, j, "cut") for i, j in regions.cuts]
        pairs += close_pairs(boxes, pieces, self.params, regions.frame_height, cuts)
        unions = [union_mask(boxes, masks, pair.first, pair.second) for pair in pairs]
        union_boxes = np.array([box for box, _ in unions], np.int32).reshape(-1, 4)
        union_masks = [mask for _, mask in unions]
        region_signatures = regions.signatures if regions.signatures is not None else signatures(regions.masks)
        return Candidates(np.concatenate([regions.boxes, union_boxes, regions.context_boxes]),
                          regions.masks + union_masks + regions.context_masks,
                          np.concatenate([region_signatures, signatures(union_masks + regions.context_masks)]),
                          pairs, pieces, regions.gray, regions.page)

    def classify(self, candidates: Candidates) -> np.ndarray:
        """Class probabilities of each candidate; only the regions that changed since the
        last frame are normalized and read by the model, all in one call."""
        return self.memory.read(candidates.boxes, candidates.masks, candidates.gray, self.classifier,
                                candidates.signatures, candidates.page)

    def sort_out(self, candidates: Candidates, probabilities: np.ndarray) -> tuple[Detections, Detections]:
        """Keep pieces or their unions, whichever reads better; then the confident digits
        that are not specks beside the others nor letters of a word (with the glyphs read
        as context), and apart the digits read unsurely (at least UNSURE), which may only
        continue a digit tracked in earlier frames."""
        pieces = candidates.pieces
        unions = pieces + len(candidates.pairs)  # the rows up to here: regions, then unions
        boxes, readings, sources = join_fragments(candidates.boxes[:pieces], probabilities[:pieces],
                                                  candidates.pairs, candidates.boxes[pieces:unions],
                                                  probabilities[pieces:unions], NOT_A_DIGIT, self.params.confidence)
        best = readings.argmax(axis=1)
        confidences = readings[np.arange(len(best)), best]
        digit = best < NOT_A_DIGIT
        confident = digit & (confidences >= self.params.confidence)
        context = probabilities[unions:]
        sizes = sizes_as_the_page_stands(boxes, [candidates.masks[source] for source in sources],
                                         confident & (best == 1), candidates.page, candidates.gray.shape)
        dropped = dropped_readings(boxes, best, confidences, confident, candidates.boxes[unions:],
                                   word_letters(context.argmax(axis=1), context.max(axis=1)), sizes)
        sure = confident & ~np.any(list(dropped.values()), axis=0)
        unsure = digit & (confidences >= UNSURE) & (confidences < self.params.confidence)

        def chosen(rows: np.ndarray) -> Detections:
            return Detections(boxes[rows].astype(np.int32), best[rows].astype(np.int32),
                              confidences[rows].astype(np.float32))

        return chosen(sure), chosen(unsure)


def sizes_as_the_page_stands(boxes: np.ndarray, masks: list[np.ndarray], measured: np.ndarray,
                             page: np.ndarray | None, frame_shape: tuple[int, ...]) -> np.ndarray:
    """The width and height of each x, y, w, h box's ink as the page in view stands: its
    box's own, but for those `measured` on a page turned at them (upright.page_turns),
    whose ink (`masks`) spans other sizes once turned upright."""
    sizes = boxes[:, 2:].astype(np.float64)
    rows = np.flatnonzero(measured)
    if page is None or not len(rows):
        return sizes
    turns = page_turns(page, frame_shape, boxes[rows])
    turned = turning(turns)
    sizes[rows[turned]] = upright_sizes([masks[row] for row in rows[turned]], turns[turned])
    return sizes


def dropped_readings(boxes: np.ndarray, best: np.ndarray, confidences: np.ndarray, confident: np.ndarray,
                     context_boxes: np.ndarray | None = None, context_letters: np.ndarray | None = None,
                     sizes: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Per rule, which readings (`best` class of each x, y, w, h box, read with `confidences`)
    it drops: they are no digit however they read. `confident`: the digits read surely
    enough to report, among which specks are told by their height. `context_boxes`:
    glyphs beside them read only as context, of which `context_letters` read as letters.
    `sizes`: each reading's width and height as the page stands (sizes_as_the_page_stands;
    its box's where not given): a slash is told by them."""
    if sizes is None:
        sizes = boxes[:, 2:]
    speck = np.zeros(len(boxes), bool)
    speck[confident] = specks(boxes[confident, 3])
    if context_boxes is None:
        context_boxes, context_letters = np.zeros((0, 4), np.int32), np.zeros(0, bool)
    glyphs = np.concatenate([boxes, context_boxes])
    letters = np.concatenate([word_letters(best, confidences), context_letters])
    in_a_word = in_words(glyphs, letters) | between_letters(glyphs, letters)
    return {
        "a speck": speck,
        "a slash": (best == 1) & (sizes[:, 0] > SLASH_ASPECT * sizes[:, 1]),
        "a letter of a word": in_a_word[:len(boxes)],
        "a frame around a digit": around_digits(boxes, best < NOT_A_DIGIT),
    }


def word_letters(best: np.ndarray, confidences: np.ndarray) -> np.ndarray:
    """Which readings (`best` class, read with `confidences`) are surely no digit: letters,
    where they stand beside other glyphs."""
    return (best == NOT_A_DIGIT) & (confidences >= WORD_LETTER)


# A digit read this confidently, though not enough to report it, still continues its track.
UNSURE = 0.3
# A digit this much smaller than the typical large digit of its frame is a speck of dirt,
# paper grain or a pen mark, however confidently it reads.
SPECK_RATIO = 0.2


# A 1 is taller than wide: of MNIST's training 1s, 0.2 % are wider than 1.1 times their
# height. A stroke that wide read as 1 is a slash, a dash or a letter's slanting stroke;
# wide as the page stands, not as the frame shows it (a camera's roll turns the 1s over).
SLASH_ASPECT = 1.1
# Glyphs closer together on their line than the digits of a handwritten number stand
# make a word where one of them is a letter (read surely as no digit): the o and the b of
# "box", beside its x, are letters too. Words of digit-like letters alone ("log", "SOS")
# are not caught.
WORD_GAP = 0.12
WORD_LETTER = 0.9
# A glyph with a letter on either side of it, each at most this fraction of their height
# away, is a letter too: the l of "ala" and the O of "aOx", which bold type sets wider
# apart than WORD_GAP. A handwritten number seldom has a glyph read surely as no digit
# on both sides of one of its digits.
BETWEEN_LETTERS_GAP = 0.2


def in_words(boxes: np.ndarray, letters: np.ndarray) -> np.ndarray:
    """Which boxes, other than the `letters` boxes, are joined to one of them by a chain of
    boxes each right beside the next on their line."""
    beside = neighbours(boxes, WORD_GAP)
    beside |= beside.T
    word = letters.copy()
    while (grown := word | (beside & word[None, :]).any(axis=1)).sum() > word.sum():
        word = grown
    return word & ~letters


def between_letters(boxes: np.ndarray, letters: np.ndarray) -> np.ndarray:
    """Which boxes, other than the `letters` boxes, have one of them just left and one just right on their line."""
    beside = neighbours(boxes, BETWEEN_LETTERS_GAP)  # [i, j]: box j just right of box i
    after_a_letter = (beside & letters[:, None]).any(axis=0)
    before_a_letter = (beside & letters[None, :]).any(axis=1)
    return after_a_letter & before_a_letter & ~letters


# A box drawn around an answer, left open where a ruled line along its side was erased,
# has no hole around the digits any more, but its outline's box still holds theirs: a
# region whose box wholly holds the box of a region read as a digit, at least this
# fraction of its height, is a frame, not a digit. (Inside a digit's own box lie only
# specks and slivers of grid lines, read as no digit or shorter than that.)
FRAMED = 0.5


def around_digits(boxes: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Which x, y, w, h boxes wholly hold one of the `digits` boxes at least FRAMED of their height."""
    x, y, w, h = boxes.T
    holds = ((x[:, None] <= x[None, :]) & (y[:, None] <= y[None, :])
             & ((x + w)[:, None] >= (x + w)[None, :]) & ((y + h)[:, None] >= (y + h)[None, :])
             & (h[None, :] >= FRAMED * h[:, None]) & digits[None, :])
    np.fill_diagonal(holds, False)
    return holds.any(axis=1)


def specks(heights: np.ndarray) -> np.ndarray:
    """Heights far below the median of the taller half of the frame's digits."""
    if len(heights) < 2:
        return np.zeros(len(heights), bool)
    taller_half = np.sort(heights)[len(heights) // 2:]
    return heights < SPECK_RATIO * np.median(taller_half)
