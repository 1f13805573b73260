"""OpenCV's own digit reader, the baseline livedigit is measured against (issue 15).

    python scripts/opencv_sample.py --data ../shared/data/mnist.npz --source clip.mp4 --jsonl sample.jsonl
    livedigit-eval --jsonl sample.jsonl --truth clip.truth.json
    python scripts/opencv_sample.py --data ../shared/data/mnist.npz --source photos/ --jsonl sample.jsonl
    livedigit-eval --jsonl sample.jsonl --labels photos/labels.json

The recipe of OpenCV's `samples/python/digits_video.py` (with its `digits.py`), restated
here: OpenCV's Python wheel ships neither the samples nor their `digits.png`. Each frame
is made grey and thresholded against the mean of a 31x31 window (10 levels under it),
then median-blurred 3x3; every outer contour 16-64 px tall and at most 1.2 times as wide
as tall is widened to a square, read where a tenth to four tenths of it is ink, scaled
so that its height spans 20 / 1.5 px of a 20x20 crop centred on the ink's centre of
mass, deskewed by its moments and described by histograms of gradient directions (16
bins in each quarter, square-rooted: the Hellinger kernel); an RBF SVM (C 2.67, gamma
5.383) reads the crops. The SVM learns from the first 5,000 MNIST training digits shrunk
to 20x20 (as many as `digits.png` holds, 20x20 like them, each digit about 14 px tall as
the crops' are), deskewed the same way.

OpenCV 5 moved the `ml` module, and its SVM, out of the main package: the SVM is
scikit-learn's `SVC`, built on libsvm as OpenCV's was. It reads a frame's crops in one
call where the sample read them one at a time: one call spares the baseline scikit-learn's
checks of each call's input, so it runs at least as fast as the sample would.

Writes livedigit's JSONL (`frame`, `source`, `time_ms`, `detections` with `box` and
`digit`; the SVM gives no confidence), so that `livedigit-eval` scores it as it scores
livedigit, and prints the frames a second from decoding to results, the training excluded.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np
from sklearn.svm import SVC

from livedigit.detect import to_gray
from livedigit.errors import InputError
from livedigit.sources import open_source

SIZE = 20  # the crops' side
TRAINING_DIGITS = 5000
SVM_C, SVM_GAMMA = 2.67, 5.383
DIRECTION_BINS = 16


def deskewed(crop: np.ndarray) -> np.ndarray:
    """The crop sheared upright by its second moments."""
    moments = cv2.moments(crop)
    if abs(moments["mu02"]) < 1e-2:
        return crop.copy()
    skew = moments["mu11"] / moments["mu02"]
    shear = np.float32([[1, skew, -0.5 * SIZE * skew], [0, 1, 0]])
    return cv2.warpAffine(crop, shear, (SIZE, SIZE), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR)


def gradient_histograms(crop: np.ndarray) -> np.ndarray:
    """The crop's gradient directions, weighted by strength, in a histogram for each
    quarter, square-rooted and of unit length (the Hellinger kernel)."""
    strength, angle = cv2.cartToPolar(cv2.Sobel(crop, cv2.CV_32F, 1, 0), cv2.Sobel(crop, cv2.CV_32F, 0, 1))
    bins = np.minimum((DIRECTION_BINS * angle / (2 * np.pi)).astype(int), DIRECTION_BINS - 1)
    half = SIZE // 2
    quarters = [(slice(top, top + half), slice(left, left + half)) for left in (0, half) for top in (0, half)]
    histogram = np.hstack([np.bincount(bins[q].ravel(), strength[q].ravel(), DIRECTION_BINS) for q in quarters])
    histogram = np.sqrt(histogram / (histogram.sum() + 1e-7))
    return (histogram / (np.linalg.norm(histogram) + 1e-7)).astype(np.float32)


def trained_svm(digits: np.ndarray, labels: np.ndarray) -> SVC:
    """The sample's SVM, trained on the first TRAINING_DIGITS 28x28 MNIST digits shrunk to SIZE."""
    crops = [deskewed(cv2.resize(digit, (SIZE, SIZE), interpolation=cv2.INTER_AREA))
             for digit in digits[:TRAINING_DIGITS]]
    return SVC(C=SVM_C, gamma=SVM_GAMMA).fit([gradient_histograms(crop) for crop in crops], labels[:TRAINING_DIGITS])


def read_frame(frame: np.ndarray, svm: SVC) -> list[dict]:
    """The digits the sample reports in a frame: boxes (x, y, w, h) and digits. The box
    is the contour's own; the sample draws the square it reads (a 1's box as wide as tall),
    which would miss a narrow digit's true box by more than the score's overlap allows."""
    ink = cv2.medianBlur(cv2.adaptiveThreshold(to_gray(frame), 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 10), 3)
    contours, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    boxes, crops = [], []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0] if hierarchy is not None else []):
        if parent >= 0:  # a hole
            continue
        x, y, w, h = cv2.boundingRect(contour)
        if not (16 <= h <= 64 and w <= 1.2 * h):
            continue
        left = max(x - max(h - w, 0) // 2, 0)
        box_ink = ink[y:y + h, left:left + max(w, h)]
        if not 0.1 < np.count_nonzero(box_ink) / box_ink.size < 0.4:
            continue
        boxes.append([x, y, w, h])
        crops.append(gradient_histograms(normalized(box_ink)))
    digits = svm.predict(crops) if crops else []
    return [{"box": box, "digit": int(digit)} for box, digit in zip(boxes, digits)]


def normalized(box_ink: np.ndarray) -> np.ndarray:
    """The box's ink in a SIZE x SIZE crop, its height spanning SIZE / 1.5, centred on its
    centre of mass, deskewed."""
    scale = 1.5 * box_ink.shape[0] / SIZE
    moments = cv2.moments(box_ink)
    centre = np.float32([moments["m10"], moments["m01"]]) / moments["m00"]
    to_box = np.float32([[scale, 0, 0], [0, scale, 0]])
    to_box[:, 2] = centre - scale * np.float32([SIZE / 2, SIZE / 2])
    return deskewed(cv2.warpAffine(box_ink, to_box, (SIZE, SIZE), flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR))


def read_source(source: str, svm: SVC, jsonl: Path | None = None) -> float:
    """Reads every frame of a video, or every photo of a folder, as the sample does (opened
    as livedigit opens a --source), writing livedigit's JSONL where asked, every frame read
    before an error included; the frames a second from decoding to results."""
    try:
        frames = open_source(source)
    except InputError as error:
        sys.exit(f"opencv_sample: {error}")
    lines = []
    started = frame_started = time.perf_counter()
    try:
        for frame in frames:  # decoded as the loop asks for it, within the frame's time
            detections = read_frame(frame.image, svm)
            done = time.perf_counter()
            lines.append({"frame": len(lines), "source": frame.source,
                          "time_ms": round(1000 * (done - frame_started), 3), "detections": detections})
            frame_started = done
    except InputError as error:
        sys.exit(f"opencv_sample: {error}")
    finally:
        frames.close()
        if jsonl is not None:
            jsonl.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return len(lines) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="mnist.npz (its first training digits train the SVM)")
    parser.add_argument("--source", required=True, help="a video file, or a folder of photos")
    parser.add_argument("--jsonl", type=Path, help="write the digits read, as livedigit's JSONL")
    args = parser.parse_args()
    with np.load(args.data) as mnist:
        svm = trained_svm(mnist["x_train"], mnist["y_train"])
    print(f"{read_source(args.source, svm, args.jsonl):.1f} frames a second")


if __name__ == "__main__":
    main()
