"""Tracking keeps labels steady across frames; numbers group digits on one line."""
import numpy as np
import pytest

from livedigit import Detections
from livedigit.numbers import group_numbers
from livedigit.tracking import Tracker, camera_shift


def detections(boxes, digits, confidences=None):
    confidences = confidences or [0.9] * len(digits)
    return Detections(np.array(boxes, np.int32).reshape(-1, 4), np.array(digits, np.int32),
                      np.array(confidences, np.float32))


def test_a_digit_keeps_its_track_id_as_the_camera_moves():
    tracker = Tracker()
    ids = []
    for step in range(6):
        shift = 12 * step  # the whole page slides 12 px a frame
        tracked = tracker.update(detections([[100 + shift, 50, 20, 30], [130 + shift, 50, 20, 30]], [3, 8]))
        ids.append(tracked.tracks.tolist())
    assert all(frame_ids == ids[0] for frame_ids in ids)
    assert ids[0][0] != ids[0][1]


def test_digits_keep_their_labels_when_a_shaken_camera_jumps_further_than_half_their_spacing():
    """The page jumps back after a jump the other way: where the last move predicted the page,
    each digit is nearer to its neighbour than to itself."""
    tracker = Tracker()
    row = [[100 + 33 * place, 50, 24, 30] for place in range(5)]
    for dx, dy in [(0, 0), (-11, -4), (-1, 8), (-12, 2), (0, 0)]:
        tracked = tracker.update(detections([[x + dx, y + dy, w, h] for x, y, w, h in row], [1, 2, 3, 4, 5]))
        assert tracked.digits.tolist() == [1, 2, 3, 4, 5]


def test_digits_keep_their_tracks_when_a_page_panned_faster_and_faster_stops_dead():
    """The page sped up by 20 px a frame to 80, then stopped: from where its last move
    predicted it, the page is more than twice the digits' height away. The tracker looks
    again around no move, rather than carrying the tracks on at 80 px a frame."""
    tracker = Tracker()
    row = [[100 + 33 * place, 50, 24, 30] for place in range(5)]
    ids = []
    for dx in [0, 20, 60, 120, 200, 200, 200, 200]:
        tracked = tracker.update(detections([[x + dx, y, w, h] for x, y, w, h in row], [1, 2, 3, 4, 5]))
        ids.append(tracked.tracks.tolist())
    assert ids[-1] == ids[-2] == ids[-3] == ids[-4]


def test_a_lone_box_far_from_any_other_gives_no_camera_shift_rather_than_an_undefined_one():
    """One pair of boxes nearly two box heights apart is too little to vote a move that far."""
    before = np.array([[100, 50, 20, 30]])
    assert camera_shift(before, before + [57, 0, 0, 0]) is None
    assert (camera_shift(before, before + [3, 0, 0, 0]) == [3, 0]).all()


def test_a_one_frame_misreading_does_not_flicker_the_label():
    tracker = Tracker()
    labels = [tracker.update(detections([[100, 50, 20, 30]], [digit], [confidence])).digits[0]
              for digit, confidence in [(7, 0.95), (7, 0.9), (1, 0.7), (7, 0.92)]]
    assert labels == [7, 7, 7, 7]


def test_where_the_frames_change_size_a_digit_where_another_was_is_read_as_itself():
    """A stream that changed its resolution: before, the 7 now where a 3 was took the 3's
    votes, and was reported as a 3."""
    tracker = Tracker()
    for _ in range(6):
        tracker.update(detections([[100, 50, 20, 30]], [3], [0.99]), frame_size=(720, 1280))
    after = tracker.update(detections([[102, 52, 20, 30]], [7], [0.8]), frame_size=(480, 640))
    assert after.digits.tolist() == [7]


def test_with_confirmation_a_digit_is_reported_from_its_second_reading_and_a_one_frame_flash_never():
    tracker = Tracker(confirm_frames=2)
    digit, flash = [100, 50, 20, 30], [300, 50, 20, 30]
    first = tracker.update(detections([digit, flash], [7, 1]))
    second = tracker.update(detections([digit], [7]))
    third = tracker.update(detections([digit], [7]))
    assert len(first) == 0
    assert second.digits.tolist() == [7] and third.tracks.tolist() == second.tracks.tolist()


def test_a_track_read_two_ways_is_confirmed_only_once_one_reading_repeats():
    tracker = Tracker(confirm_frames=2)
    counts = [len(tracker.update(detections([[100, 50, 20, 30]], [digit]))) for digit in (7, 1, 7)]
    assert counts == [0, 0, 1]


def test_an_unsure_reading_continues_a_track_of_the_same_digit_but_starts_none():
    tracker = Tracker()
    first = tracker.update(detections([[100, 50, 20, 30]], [7], [0.95]))
    blurred = tracker.update(Detections(), unsure=detections([[101, 50, 20, 30]], [7], [0.4]))
    assert blurred.digits.tolist() == [7] and blurred.tracks.tolist() == first.tracks.tolist()
    assert len(tracker.update(Detections(), unsure=detections([[300, 50, 20, 30]], [4], [0.4]))) == 0


def test_an_unsure_reading_of_another_digit_does_not_continue_a_track():
    tracker = Tracker()
    tracker.update(detections([[100, 50, 20, 30]], [7], [0.95]))
    assert len(tracker.update(Detections(), unsure=detections([[100, 50, 20, 30]], [1], [0.5]))) == 0


def test_a_digit_seen_again_after_leaving_gets_a_new_track():
    tracker = Tracker(max_missed=2)
    first = tracker.update(detections([[100, 50, 20, 30]], [5])).tracks[0]
    for _ in range(4):
        tracker.update(Detections())
    assert tracker.update(detections([[100, 50, 20, 30]], [5])).tracks[0] != first


def test_digits_close_together_on_one_line_form_a_number():
    found = group_numbers(detections(
        [[130, 52, 18, 30], [100, 50, 20, 30], [155, 49, 20, 31], [300, 50, 20, 30], [100, 150, 20, 30]],
        [0, 2, 9, 7, 4]))
    assert [n.value for n in found] == ["209", "7", "4"]
    assert found[0].box == (100, 49, 75, 33)


def digits_on_a_sheet_turned(degrees: float) -> Detections:
    """The numbers 2019 and 75 on two lines, 26x40 px digits 8 px apart, the sheet turned
    about the frame's centre: each digit's frame box is the box around it turned."""
    turn = np.radians(degrees)
    cos, sin = np.cos(turn), np.sin(turn)
    boxes, digits = [], []
    for text, y in (("2019", -50), ("75", 50)):
        for place, digit in enumerate(text):
            x = -50 + 34 * place
            cx, cy = 320 + x * cos - y * sin, 240 + x * sin + y * cos
            w, h = 26 * abs(cos) + 40 * abs(sin), 40 * abs(cos) + 26 * abs(sin)
            boxes.append([cx - w / 2, cy - h / 2, w, h])
            digits.append(int(digit))
    return detections(np.round(boxes).astype(int).tolist(), digits)


@pytest.mark.parametrize("degrees", [0, 20, 35, -35])
def test_the_digits_of_a_number_on_a_sheet_seen_turned_form_that_number(degrees):
    """Judged along the frame's rows, the digits of a number on a sheet turned 30 degrees
    or more stand too far above one another to be on one line."""
    assert sorted(number.value for number in group_numbers(digits_on_a_sheet_turned(degrees))) == ["2019", "75"]


def test_digits_of_very_different_size_or_far_apart_stay_separate():
    found = group_numbers(detections([[100, 50, 20, 30], [125, 40, 40, 70], [200, 50, 20, 30]], [1, 2, 3]))
    assert sorted(n.value for n in found) == ["1", "2", "3"]
