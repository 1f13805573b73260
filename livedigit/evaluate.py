"""Score livedigit's JSONL output against ground truth.

    livedigit-eval --jsonl out.jsonl --truth clip.truth.json [--why]
    livedigit-eval --jsonl out.jsonl --labels photos/labels.json

A hit is a reported digit whose box overlaps a true digit's box (IoU >= 0.3) with the
right label; each true digit is hit at most once. A digit the truth marks to `ignore` (no
one could read it: too small, blurred past reading, washed out) counts neither way: it is
not missed, and a digit reported on it is not false. Where the truth gives the paper in
view (its outline), reported digits centred off the paper are counted apart
(`off_page_per_frame`): what surrounds the paper must never produce a digit. Each false
digit is put down to what it lies on (`false_on`): a true digit misread, the paper's
surroundings, a mark (a letter, a word, an arrow, a box), part of a digit (a piece of one,
or two merged), or nothing drawn (paper, lines, texture). Where the truth also gives the
frame's size, the page the JSONL reports is judged against the paper in view
(`page_found`): right (IoU >= 0.8), wrong, missed, or rightly none where the paper fills
the frame; and where it gives the number each digit is written in, how many of the numbers
wholly in view were reported as one number of their digits over them (`numbers`). A clip's
reported digits are also counted by their confidence, in bins a twentieth wide, with how
many of them were right (`reliability`), and the gap between confidence and the share
right, weighted by the digits in each bin (`calibration_error`): a digit reported at
confidence c should be right about c of the time. For a folder of photos with a labels
file (each file's `digits` string), the digits found are compared with those written. With
--why, every missed or misread digit of a clip is put down to the stage that lost it
(livedigit/why.py): the clip is read again, from the source its JSONL names, as a headless
run reads it (--in-colour: as a run that showed or recorded it), with the profile and
model the run read it with (--profile, --model).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .cli import add_version
from .detections import iou
from .errors import InputError
from .numbers import union_boxes

MIN_IOU = 0.3


@dataclass
class Score:
    hits: int = 0
    false_digits: int = 0
    missed: int = 0
    confusions: Counter = field(default_factory=Counter)   # (true, reported) -> count, wrong labels
    label_changes: int = 0
    label_pairs: int = 0
    off_page: int = 0          # false digits centred off the paper, where the truth knows where it is
    frames_with_page: int = 0
    false_on: Counter = field(default_factory=Counter)     # what each false digit lies on -> count
    page_found: Counter = field(default_factory=Counter)   # how the page reported matched the paper in view -> frames
    numbers_written: int = 0   # numbers wholly in view and readable, frame by frame, where the truth knows them
    numbers_read: int = 0      # of those, reported as one number of the same digits over them
    # reported digits by confidence bin (CONFIDENCE_BINS a unit): how many, how many right, their confidences added up
    reported_at: Counter = field(default_factory=Counter)
    right_at: Counter = field(default_factory=Counter)
    confidence_at: Counter = field(default_factory=Counter)

    # Nothing reported is nothing wrong, nothing to find is nothing missed: a clip with no
    # digit in view, read as such, scores 1.
    @property
    def precision(self) -> float:
        reported = self.hits + self.false_digits
        return self.hits / reported if reported else 1.0

    @property
    def recall(self) -> float:
        written = self.hits + self.missed
        return self.hits / written if written else 1.0

    @property
    def f1(self) -> float:
        return 2 * self.precision * self.recall / max(self.precision + self.recall, 1e-9)

    @property
    def flicker_rate(self) -> float:
        """How often a true digit read in two consecutive frames changed its label."""
        return self.label_changes / max(self.label_pairs, 1)

    def summary(self) -> dict:
        off_page = ({"off_page_per_frame": round(self.off_page / self.frames_with_page, 3)}
                    if self.frames_with_page else {})
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "hits": self.hits, "false_digits": self.false_digits, "missed": self.missed,
                "flicker_rate": round(self.flicker_rate, 4), **off_page,
                "confusions": {f"{t}->{r}": n for (t, r), n in self.confusions.most_common()},
                "false_on": dict(self.false_on.most_common()),
                **({"page_found": dict(self.page_found.most_common())} if self.page_found else {}),
                **({"numbers": {"written": self.numbers_written, "read": self.numbers_read}}
                   if self.numbers_written else {}),
                **self.reliability()}

    def count_reported(self, confidence: float | None, right: bool) -> None:
        """Count a reported digit judged right or wrong in its confidence's bin (none where
        the JSONL gives no confidence)."""
        if confidence is None:
            return
        low = min(int(confidence * CONFIDENCE_BINS), CONFIDENCE_BINS - 1)
        self.reported_at[low] += 1
        self.right_at[low] += right
        self.confidence_at[low] += confidence

    def reliability(self) -> dict:
        """The reported digits by confidence bin (its lower end): how many, how many right,
        their mean confidence; and the expected calibration error; nothing where none."""
        reported = sum(self.reported_at.values())
        if not reported:
            return {}
        gap = sum(abs(self.confidence_at[low] - self.right_at[low]) for low in self.reported_at)
        return {"reliability": {f"{low / CONFIDENCE_BINS:.2f}": {
                    "reported": self.reported_at[low], "right": self.right_at[low],
                    "mean_confidence": round(self.confidence_at[low] / self.reported_at[low], 4)}
                    for low in sorted(self.reported_at)},
                "calibration_error": round(gap / reported, 4)}


CONFIDENCE_BINS = 20


def scored_digits(truth: list[dict]) -> list[dict]:
    """The digits of a frame's truth items that count: not marks, not marked to ignore."""
    return [item for item in truth if item["label"] >= 0 and not item.get("ignore")]


def match_frame(reported: list[dict], truth: list[dict], score: Score,
                page: list[list[float]] | None = None) -> dict[int, int]:
    """Count one frame's hits and errors, and what each false digit lies on (the paper in
    view, where given, tells what lies off it); returns true digit id -> label read for it.

    A wrong label is both a false digit and a missed one.
    """
    digits = scored_digits(truth)
    pairs = []
    if reported and digits:
        overlaps = iou(np.array([d["box"] for d in reported]), np.array([t["box"] for t in digits]))
        pairs = sorted(zip(*np.nonzero(overlaps >= MIN_IOU)), key=lambda pair: -overlaps[pair])
    used_reported, used_truth, read = set(), set(), {}
    hits = 0
    for r, t in pairs:
        if r in used_reported or t in used_truth:
            continue
        used_reported.add(r)
        used_truth.add(t)
        true_label, label = digits[t]["label"], reported[r]["digit"]
        read[digits[t].get("id", t)] = label
        score.count_reported(reported[r].get("confidence"), label == true_label)
        if label == true_label:
            hits += 1
        else:
            score.confusions[(true_label, label)] += 1
    unmatched = [detection for r, detection in enumerate(reported) if r not in used_reported]
    false = [detection for detection, ignored
             in zip(unmatched, on_ignored([detection["box"] for detection in unmatched], truth)) if not ignored]
    for detection in false:
        score.count_reported(detection.get("confidence"), False)
    misread = len(used_reported) - hits
    score.hits += hits
    score.false_digits += misread + len(false)
    score.missed += len(digits) - hits
    if misread:
        score.false_on[MISREAD] += misread
    score.false_on.update(what_lies_under(detection["box"], truth, page) for detection in false)
    return read


def on_ignored(boxes: list[list[int]], truth: list[dict]) -> np.ndarray:
    """Which of the `boxes` lie on a digit the truth marks to ignore."""
    ignored = [item["box"] for item in truth if item.get("ignore")]
    if not boxes or not ignored:
        return np.zeros(len(boxes), bool)
    return iou(np.array(boxes), np.array(ignored)).max(axis=1) >= MIN_IOU


# What a false digit lies on (Score.false_on): a true digit read as another; else, by its
# box's centre, the first of: off the paper, on a mark (a letter, a word, an arrow, a box
# drawn), on part of a true digit (a piece of one, or a blob of two merged), on nothing.
MISREAD = "a digit, misread"
OFF_PAPER = "off the paper"
ON_MARK = "a mark, letter or word"
ON_PART = "part of a digit"
ON_NOTHING = "nothing drawn: paper, lines, texture"


def what_lies_under(box: list[int], truth: list[dict], page: list[list[float]] | None) -> str:
    """What a reported box that is no true digit lies on (see MISREAD ... ON_NOTHING)."""
    x, y, w, h = box
    centre = (x + w / 2, y + h / 2)
    if page is not None and centre_off_page(centre, page):
        return OFF_PAPER

    def covering(item: dict) -> bool:
        left, top, width, height = item["box"]
        return left <= centre[0] <= left + width and top <= centre[1] <= top + height

    if any(item["label"] < 0 and covering(item) for item in truth):
        return ON_MARK
    if any(item["label"] >= 0 and covering(item) for item in truth):
        return ON_PART
    return ON_NOTHING


def score_clip(lines: list[dict], truth: dict) -> Score:
    """Frames missing from the JSONL count as frames where nothing was read."""
    by_frame = {line["frame"]: line for line in lines}
    score, previous = Score(), {}
    digits_of_numbers = number_digits(truth)
    for frame in truth["frames"]:
        line = by_frame.get(frame["frame"], {})
        reported = line.get("detections", [])
        read = match_frame(reported, frame["items"], score, frame.get("page"))
        written = numbers_in_view(frame["items"], digits_of_numbers)
        score.numbers_written += len(written)
        score.numbers_read += count_numbers_read(line.get("numbers", []), written)
        if "page" in frame:
            score.frames_with_page += 1
            score.off_page += count_off_page(reported, frame["page"])
            if "size" in truth:
                score.page_found[page_match(line.get("page"), frame["page"], truth["size"])] += 1
        common = read.keys() & previous.keys()
        score.label_pairs += len(common)
        score.label_changes += sum(read[key] != previous[key] for key in common)
        previous = read
    return score


def number_digits(truth: dict) -> dict[int, set[int]]:
    """For each number the truth gives its digits of (`number`), the ids of all its digits
    seen in any frame."""
    digits: dict[int, set[int]] = {}
    for frame in truth["frames"]:
        for item in frame["items"]:
            if "number" in item:
                digits.setdefault(item["number"], set()).add(item["id"])
    return digits


def numbers_in_view(items: list[dict], digits_of_numbers: dict[int, set[int]]) -> list[tuple[str, list[int]]]:
    """The numbers of a frame whose digits are all in view (all the clip ever shows of
    it, see number_digits) and none marked to ignore: each its digits as written (in
    order of their ids) and the x, y, w, h box around them."""
    by_number: dict[int, list[dict]] = {}
    for item in items:
        if "number" in item:
            by_number.setdefault(item["number"], []).append(item)
    numbers = []
    for number, digits in by_number.items():
        if {d["id"] for d in digits} == digits_of_numbers[number] and not any(d.get("ignore") for d in digits):
            digits = sorted(digits, key=lambda d: d["id"])
            [box] = union_boxes(np.array([d["box"] for d in digits]), [list(range(len(digits)))])
            numbers.append(("".join(str(d["label"]) for d in digits), list(box)))
    return numbers


def count_numbers_read(reported: list[dict], written: list[tuple[str, list[int]]]) -> int:
    """How many of the numbers `written` in a frame were reported: a number of the same
    digits whose box overlaps theirs (IoU >= MIN_IOU), each reported number used once."""
    unused = list(reported)
    read = 0
    for value, box in written:
        match = next((number for number in unused if number["value"] == value
                      and iou(np.array([number["box"]]), np.array([box]))[0, 0] >= MIN_IOU), None)
        if match is not None:
            unused.remove(match)
            read += 1
    return read


# A page reported is right where it overlaps the paper in view this much (IoU); where none is
# reported, the paper rightly fills the frame where it covers this much of it.
PAGE_IOU = 0.8
FILLS_FRAME = 0.9


def page_match(reported: list[list[float]] | None, paper: list[list[float]], size: list[int]) -> str:
    """How the page reported in a frame matches the paper in view: "right", "wrong",
    "missed", or "none: the paper fills the frame". Judged on a copy at a quarter size."""
    def mask(outline: list[list[float]]) -> np.ndarray:
        canvas = np.zeros((size[1] // 4 + 1, size[0] // 4 + 1), np.uint8)
        if len(outline) >= 3:
            cv2.fillPoly(canvas, [np.round(np.array(outline) / 4).astype(np.int32)], 1)
        return canvas

    in_view = mask(paper)
    if not reported:
        return "none: the paper fills the frame" if in_view.mean() >= FILLS_FRAME else "missed"
    found = mask(reported)
    overlap = np.count_nonzero(found & in_view) / max(np.count_nonzero(found | in_view), 1)
    return "right" if overlap >= PAGE_IOU else "wrong"


def count_off_page(reported: list[dict], page: list[list[float]]) -> int:
    """How many of the reported boxes have their centre off the paper's outline."""
    return sum(centre_off_page((x + w / 2, y + h / 2), page) for x, y, w, h in (d["box"] for d in reported))


def centre_off_page(centre: tuple[float, float], page: list[list[float]]) -> bool:
    """Whether a point lies off the paper in view (all do where none is in view)."""
    return len(page) < 3 or cv2.pointPolygonTest(np.array(page, np.float32), centre, False) < 0


def score_photos(lines: list[dict], labels: list[dict]) -> tuple[Score, list[str]]:
    """Digits found in each photo against the digits written on it; lists the photos read wrong."""
    found_by_file = {Path(line["source"]).name: Counter(d["digit"] for d in line["detections"]) for line in lines}
    score, wrong = Score(), []
    for entry in labels:
        written = Counter(int(c) for c in entry["digits"])
        found = found_by_file.get(entry["file"], Counter())
        hits = sum((written & found).values())
        score.hits += hits
        score.false_digits += sum(found.values()) - hits
        score.missed += sum(written.values()) - hits
        if found != written:
            wrong.append(f"{entry['file']}: wrote {entry['digits']}, "
                         f"found {''.join(str(d) for d in sorted(found.elements())) or 'nothing'}")
    return score, wrong


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def why_report(lines: list[dict], truth: dict, args: argparse.Namespace) -> dict[str, int]:
    from .params import DetectionParams, load_profile
    from .why import MissExplainer, explain_misses

    params = load_profile(args.profile) if args.profile else DetectionParams()
    return explain_misses(lines, truth, MissExplainer(params, args.model), args.source, args.in_colour)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="livedigit-eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_version(parser)
    parser.add_argument("--jsonl", type=Path, required=True, help="livedigit's output")
    truth = parser.add_mutually_exclusive_group(required=True)
    truth.add_argument("--truth", type=Path, help="a clip's ground truth (scripts/make_clip.py)")
    truth.add_argument("--labels", type=Path, help="labels.json of a folder of photos")
    parser.add_argument("--why", action="store_true",
                        help="with --truth: the stage that lost each missed or misread digit")
    parser.add_argument("--source", help="with --why: the clip (default: the source the JSONL names)")
    parser.add_argument("--profile", type=Path, help="with --why: the profile the clip was read with")
    parser.add_argument("--model", type=Path,
                        help="with --why: the model the clip was read with (default: the shipped one)")
    parser.add_argument("--in-colour", action="store_true",
                        help="with --why: the run showed or recorded its frames, and so read them in colour "
                             "(default: as a headless run, grey from the video's luma)")
    args = parser.parse_args(argv)
    if args.why and not args.truth:
        parser.error("--why needs --truth: photos have no boxes to follow")
    lines = read_jsonl(args.jsonl)
    if args.truth:
        truth = json.loads(args.truth.read_text())
        report = score_clip(lines, truth).summary()
        if args.why:
            try:
                report["lost_at"] = why_report(lines, truth, args)
            except InputError as error:
                print(f"livedigit-eval: --why: {error}", file=sys.stderr)
                return 2
    else:
        score, wrong = score_photos(lines, json.loads(args.labels.read_text()))
        report = {**score.summary(), "photos_read_wrong": wrong}
    try:
        print(json.dumps(report, indent=2), flush=True)
    except BrokenPipeError:  # the reader stopped early (`| head`): quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
    return 0


if __name__ == "__main__":
    sys.exit(main())
