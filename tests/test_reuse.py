"""Regions whose ink looks as it did in the last frame keep their reading; the model reads the rest."""
import cv2
import numpy as np
import pytest

from livedigit import Recognizer
from livedigit.app import run
from livedigit.reuse import ReadingMemory, signatures
from livedigit.sources import VideoFileSource, open_source

from conftest import CountingClassifier


@pytest.fixture
def digits(mnist):
    """Ten MNIST test digits written in a row on a grey frame: their boxes, binary ink masks, the frame."""
    masks = [np.where(digit > 100, 255, 0).astype(np.uint8) for digit in mnist["x_test"][:10]]
    boxes = np.array([[40 * i + 10, 50, 28, 28] for i in range(10)], np.int32)
    gray = np.full((130, 420), 230, np.uint8)
    for (x, y, w, h), digit in zip(boxes, mnist["x_test"][:10]):
        gray[y:y + h, x:x + w] -= (0.8 * digit).astype(np.uint8)
    return boxes, masks, gray


@pytest.fixture
def counting(recognizer):
    return CountingClassifier(recognizer.classifier)


def in_reverse_order(gray, boxes):
    """The frame with the digits in the boxes written in reverse order."""
    reversed_gray = gray.copy()
    for (x, y, w, h), (other_x, other_y, _, _) in zip(boxes, boxes[::-1]):
        reversed_gray[y:y + h, x:x + w] = gray[other_y:other_y + h, other_x:other_x + w]
    return reversed_gray


def shifted(masks, pixels):
    return [np.roll(mask, pixels, axis=1) for mask in masks]


def test_the_same_regions_are_read_once(digits, counting):
    boxes, masks, gray = digits
    memory = ReadingMemory()
    first = memory.read(boxes, masks, gray, counting)
    again = memory.read(boxes.copy(), [mask.copy() for mask in masks], gray, counting)
    assert counting.crops == 10 and np.array_equal(first, again)


def test_a_page_that_moved_a_little_keeps_its_confident_readings(digits, counting):
    boxes, masks, gray = digits
    memory = ReadingMemory()
    first = memory.read(boxes, masks, gray, counting)
    unsure = np.count_nonzero(first.max(axis=1) < 0.98)
    moved = memory.read(boxes + [3, 2, 0, 0], shifted(masks, 1), gray, counting)  # the ink moved a pixel in its box
    assert counting.crops == 10 + unsure
    assert np.array_equal(moved.argmax(axis=1), first.argmax(axis=1))


def test_a_different_digit_in_the_same_place_is_read_afresh(digits, counting):
    boxes, masks, gray = digits
    memory = ReadingMemory()
    first = memory.read(boxes, masks, gray, counting)
    swapped = memory.read(boxes, masks[::-1], in_reverse_order(gray, boxes), counting)
    assert counting.crops == 20
    assert np.array_equal(swapped.argmax(axis=1), first.argmax(axis=1)[::-1])


def test_a_region_that_moved_away_from_the_others_or_grew_is_read_afresh(digits, counting):
    boxes, masks, gray = digits
    memory = ReadingMemory()
    memory.read(boxes, masks, gray, counting)
    moved_away = boxes.copy()
    moved_away[0, 1] += 30
    memory.read(moved_away, masks, gray, counting)  # the first moved away, the others stayed
    grown = [np.pad(mask, ((0, 0), (0, 10))) for mask in masks]
    memory.read(boxes + [0, 0, 10, 0], grown, gray, counting)  # grew
    assert counting.crops == 10 + 1 + 10


def test_a_page_the_camera_moved_by_more_than_its_digits_height_keeps_its_confident_readings(digits, counting):
    """A hand-held camera's shake moves the whole page: the regions are matched to the
    last frame's where that move took them (the median move to the nearest), not where
    they were."""
    boxes, masks, gray = digits
    memory = ReadingMemory()
    first = memory.read(boxes, masks, gray, counting)
    unsure = np.count_nonzero(first.max(axis=1) < 0.98)
    moved = memory.read(boxes + [12, 30, 0, 0], masks, gray, counting)
    assert counting.crops == 10 + unsure
    assert np.array_equal(moved.argmax(axis=1), first.argmax(axis=1))


def test_small_changes_add_up_until_the_region_is_read_again(digits, counting):
    boxes, masks, gray = digits
    memory = ReadingMemory()
    memory.read(boxes[:1], masks[:1], gray, counting)
    for pixels in range(1, 6):  # the ink drifts a pixel a frame
        memory.read(boxes[:1], shifted(masks[:1], pixels), gray, counting)
    assert counting.crops >= 2


def test_a_digit_read_alike_three_times_in_a_row_may_change_more_before_it_is_read_again(digits, counting):
    """A moving camera's sub-pixel steps change a signature by up to 0.15: a digit read
    the same three times in a row may change that much, one read once only 0.1."""
    boxes, masks, gray = digits
    memory = ReadingMemory()
    ink = signatures(masks)
    for step in range(4):  # the page moves a pixel a frame, and every signature changes by 0.12
        probabilities = memory.read(boxes + [step, 0, 0, 0], masks, gray, counting, ink + 0.12 * (step % 2))
    confident = np.count_nonzero(probabilities.max(axis=1) >= 0.98)
    assert confident > 0 and counting.crops == 3 * 10 + (10 - confident)


def test_a_signature_keeps_the_shape_of_the_ink():
    stroke = np.zeros((40, 10), np.uint8)
    stroke[:, 4:7] = 255  # a 1: tall and thin stays tall and thin
    signature = signatures([stroke])[0]
    assert signature.shape == (8, 8)
    assert signature[:, 3:5].all() and not signature[:, :3].any() and not signature[:, 5:].any()


def crops_read_in_folder(folder, page, photos: int) -> int:
    """How many crops the model reads in a folder of `photos` copies of one page."""
    folder.mkdir()
    for index in range(photos):
        cv2.imwrite(str(folder / f"{index}.png"), page)
    recognizer = Recognizer()
    recognizer.classifier = counting = CountingClassifier(recognizer.classifier)
    run(open_source(str(folder)), recognizer)
    return counting.crops


def test_each_photo_of_a_folder_is_read_afresh(tmp_path, clip):
    """Photos are not frames of one scene: a region never takes the reading of the region
    in the same place in the photo before (here the same page twice, read twice)."""
    video, _ = clip
    page = next(iter(VideoFileSource(str(video)))).image
    one_photo = crops_read_in_folder(tmp_path / "one", page, 1)
    assert one_photo > 0 and crops_read_in_folder(tmp_path / "two", page, 2) == 2 * one_photo
