"""Crops as livedigit's own detection cuts them from scenes and photos, for training.

Hard negatives (`mine_hard_negatives`): regions found, with the page turned off so that
what surrounds the paper is searched too, in

- random scenes (`livedigit.synthetic.random_scene`) written with MNIST training digits:
  every region away from the true digits is a letter, a printed word, a mark, an arrow,
  a page edge, a shadow or the desk, wall or door around the paper;
- real photographs from `skimage.data` (brick, grass, gravel, coffee, a cat's fur, a
  face, a rocket, a page of printed text, ...), shrunk or enlarged and turned: textures
  no generator of ours draws.

Those the mining model reads as a digit are kept, with a share of the others.

Labelled crops (`labelled_scene_crops`): the regions the app itself would read in random
scenes, each with its true digit or not-a-digit, to calibrate and judge confidences.
"""
from __future__ import annotations

import cv2
import numpy as np

from livedigit.classify import NOT_A_DIGIT, DigitClassifier
from livedigit.detect import Regions, find_regions
from livedigit.detections import iou
from livedigit.normalize import normalize_grey
from livedigit.params import DetectionParams
from livedigit.synthetic import make_clip, random_scene

# Scenes for training are drawn from seeds far above those that are scored (0 on).
FIRST_TRAINING_SEED = 1_000_000
# skimage.data's photographs without handwritten digits in them ("text" has some).
PHOTOS = ("astronaut", "brick", "camera", "chelsea", "clock", "coffee", "coins", "grass", "gravel", "moon",
          "page", "rocket", "hubble_deep_field", "immunohistochemistry", "retina")
# A region the mining model reads as a digit at this confidence or more is a hard negative.
HARD = 0.5
# A lone straight stroke, normalized, is MNIST's 1: taught as no digit, it would teach the
# model to doubt every 1 (the crop keeps no size or surroundings to tell them apart).
STROKE_READING = 1
# Of the regions it rejects already, this share is kept too.
EASY_SHARE = 0.1
# A region overlapping a true digit this much (IoU) is that digit.
SAME_DIGIT = 0.5
SEARCH_ALL = DetectionParams(page=False)


def mine_hard_negatives(count: int, seed: int, digits: np.ndarray, labels: np.ndarray,
                        model=None) -> np.ndarray:
    """`count` normalized crops (N, 28, 28) float32 of regions that are not digits; every
    other frame is a scene, the others a photograph."""
    rng = np.random.default_rng(seed)
    classifier = DigitClassifier(model)
    photos = [load_photo(name) for name in PHOTOS]
    found, total = [], 0
    for index in range(10 ** 6):
        if total >= count:
            break
        if index % 2:
            frame, boxes, _ = scene_frame(FIRST_TRAINING_SEED + seed * 10_000 + index, digits, labels)
        else:
            frame, boxes = photo_frame(photos[rng.integers(len(photos))], rng), np.zeros((0, 4))
        crops = not_digit_crops(frame, boxes)
        if len(crops):
            found.append(crops[keep_hard(classifier(crops), rng)])
            total += len(found[-1])
    return np.concatenate(found)[:count] if found else np.zeros((0, 28, 28), np.float32)


def labelled_scene_crops(count: int, first_seed: int, digits: np.ndarray,
                         labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """At least `count` crops of the regions the app reads in random scenes from `first_seed`
    on, each labelled with the digit it is (IoU >= SAME_DIGIT) or NOT_A_DIGIT (touching none)."""
    crops, truths = [], []
    for seed in range(first_seed, first_seed + 10 ** 6):
        if sum(map(len, truths)) >= count:
            break
        frame, boxes, digit_labels = scene_frame(seed, digits, labels)
        regions = find_regions(frame, DetectionParams())
        if not len(regions.boxes):
            continue
        overlaps = iou(regions.boxes, boxes) if len(boxes) else np.zeros((len(regions.boxes), 0))
        best = overlaps.argmax(axis=1) if len(boxes) else np.zeros(len(regions.boxes), int)
        matched = overlaps.max(axis=1, initial=0) >= SAME_DIGIT
        clear = np.array([not touches_any(box, boxes) and clear_of_edge(box, frame.shape) for box in regions.boxes])
        keep = matched | clear
        if keep.any():
            crops.append(crops_of(regions, keep))
            truths.append(np.where(matched, digit_labels[best] if len(boxes) else NOT_A_DIGIT, NOT_A_DIGIT)[keep])
    return np.concatenate(crops), np.concatenate(truths).astype(np.int32)


def load_photo(name: str) -> np.ndarray:
    import skimage.data

    image = getattr(skimage.data, name)()
    if image.ndim == 3:
        image = cv2.cvtColor(image[:, :, :3], cv2.COLOR_RGB2GRAY)
    return image


def photo_frame(photo: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The photograph shrunk or enlarged (so that its texture comes at every size), turned
    and lit anew."""
    scale = float(np.exp(rng.uniform(np.log(0.6), np.log(3.0))))
    resized = cv2.resize(photo, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    h, w = resized.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-30, 30)), 1.0)
    turned = cv2.warpAffine(resized, turn, (w, h), borderMode=cv2.BORDER_REFLECT)
    lit = turned.astype(np.float32) * rng.uniform(0.5, 1.2) + rng.uniform(-20, 30)
    return np.clip(lit[:720, :960], 0, 255).astype(np.uint8)


def scene_frame(scene_seed: int, digits: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random scene's first frame, and the boxes and labels of the digits fully in view on it."""
    style = random_scene(scene_seed).style
    frame, items, _ = next(make_clip(digits, labels, style, frames=1, seed=scene_seed))
    digit_items = [item for item in items if item.label >= 0]
    return (frame, np.array([item.box for item in digit_items], np.float64).reshape(-1, 4),
            np.array([item.label for item in digit_items], np.int32))


def not_digit_crops(frame: np.ndarray, digit_boxes: np.ndarray) -> np.ndarray:
    """Crops of the regions that touch no true digit and lie a height off the frame's edge:
    a piece of a digit, or of one the frame cuts (not among the boxes), is not a negative."""
    regions = find_regions(frame, SEARCH_ALL)
    return crops_of(regions, np.array([not touches_any(box, digit_boxes) and clear_of_edge(box, frame.shape)
                                       for box in regions.boxes], bool))


def crops_of(regions: Regions, keep: np.ndarray) -> np.ndarray:
    """The normalized crops (N, 28, 28) of the regions `keep` marks: their grey ink, as the app reads them."""
    return normalize_grey(regions.gray, regions.boxes[keep], [mask for mask, kept in zip(regions.masks, keep) if kept],
                          regions.page)


def clear_of_edge(box: np.ndarray, shape: tuple[int, ...]) -> bool:
    x, y, w, h = box
    return h <= x and h <= y and x + w + h <= shape[1] and y + h + h <= shape[0]


def touches_any(box: np.ndarray, boxes: np.ndarray, reach: float = 0.25) -> bool:
    """Whether the box, widened by `reach` of its height, overlaps any of the boxes."""
    x, y, w, h = box
    margin = reach * h
    return bool(np.any((boxes[:, 0] < x + w + margin) & (boxes[:, 0] + boxes[:, 2] > x - margin)
                       & (boxes[:, 1] < y + h + margin) & (boxes[:, 1] + boxes[:, 3] > y - margin)))


def keep_hard(probabilities: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    read = probabilities.argmax(axis=1)
    read_as_digit = (read != NOT_A_DIGIT) & (probabilities.max(axis=1) >= HARD)
    kept = read_as_digit | (rng.uniform(size=len(probabilities)) < EASY_SHARE)
    return kept & (read != STROKE_READING)
