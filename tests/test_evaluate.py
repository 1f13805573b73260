"""Scoring: a hit needs an overlapping box and the right label."""
import json
import subprocess
import sys

from livedigit.evaluate import score_clip, score_photos


def line(frame, *detections):
    return {"frame": frame, "detections": [{"box": box, "digit": digit, "confidence": 0.9}
                                           for box, digit in detections]}


TRUTH = {"frames": [
    {"frame": 0, "items": [{"id": 0, "box": [10, 10, 20, 30], "label": 3},
                           {"id": 1, "box": [40, 10, 20, 30], "label": 5},
                           {"id": 2, "box": [80, 10, 30, 30], "label": -1}]},
    {"frame": 1, "items": [{"id": 0, "box": [12, 10, 20, 30], "label": 3},
                           {"id": 1, "box": [42, 10, 20, 30], "label": 5}]},
]}


def test_right_labels_on_overlapping_boxes_score_perfectly():
    score = score_clip([line(0, ([11, 11, 20, 30], 3), ([40, 10, 19, 29], 5)),
                        line(1, ([12, 10, 20, 30], 3), ([42, 10, 20, 30], 5))], TRUTH)
    assert (score.precision, score.recall, score.f1, score.flicker_rate) == (1, 1, 1, 0)


def test_a_clip_with_no_digit_in_view_scores_1_when_nothing_is_reported_and_0_when_something_is():
    empty = {"frames": [{"frame": 0, "items": [{"id": 0, "box": [80, 10, 30, 30], "label": -1}]}]}
    assert score_clip([line(0)], empty).f1 == 1
    score = score_clip([line(0, ([80, 10, 30, 30], 1))], empty)
    assert (score.precision, score.recall, score.f1) == (0, 1, 0)


def test_reported_digits_are_counted_by_confidence_with_how_many_were_right():
    frame = {"frame": 0, "detections": [{"box": [10, 10, 20, 30], "digit": 3, "confidence": 0.97},   # right
                                        {"box": [40, 10, 20, 30], "digit": 5, "confidence": 0.99},   # right
                                        {"box": [80, 10, 30, 30], "digit": 1, "confidence": 0.62}]}  # on a mark
    summary = score_clip([frame], {"frames": TRUTH["frames"][:1]}).summary()
    assert summary["reliability"] == {"0.60": {"reported": 1, "right": 0, "mean_confidence": 0.62},
                                      "0.95": {"reported": 2, "right": 2, "mean_confidence": 0.98}}
    assert summary["calibration_error"] == round((0.04 + 0.62) / 3, 4)


def test_a_wrong_label_is_a_false_digit_and_a_miss_and_a_mark_read_as_digit_is_false():
    score = score_clip([line(0, ([10, 10, 20, 30], 8), ([40, 10, 20, 30], 5), ([80, 10, 30, 30], 1)),
                        line(1, ([12, 10, 20, 30], 3))], TRUTH)
    assert (score.hits, score.false_digits, score.missed) == (2, 2, 2)
    assert score.confusions == {(3, 8): 1}
    assert score.flicker_rate == 1.0  # the one digit read in both frames: 8, then 3


def test_a_digit_no_one_could_read_is_neither_missed_nor_false_where_read():
    unreadable = {"frames": [{"frame": 0, "items": [{"id": 0, "box": [10, 10, 20, 30], "label": 3},
                                                    {"id": 1, "box": [40, 10, 8, 12], "label": 5, "ignore": "small"}]}]}
    for reported in ([], [([40, 10, 8, 12], 5)], [([40, 11, 8, 12], 6)]):
        score = score_clip([line(0, ([10, 10, 20, 30], 3), *reported)], unreadable)
        assert (score.hits, score.false_digits, score.missed) == (1, 0, 0)


def test_digits_reported_off_the_paper_are_counted_a_frame_where_the_truth_knows_the_paper():
    on_paper = {"frames": [{**frame, "page": [[0, 0], [120, 0], [120, 60], [0, 60]]} for frame in TRUTH["frames"]]}
    lines = [line(0, ([11, 11, 20, 30], 3), ([200, 100, 20, 30], 1)), line(1, ([300, 10, 20, 30], 7))]
    assert score_clip(lines, on_paper).summary()["off_page_per_frame"] == 1.0
    assert "off_page_per_frame" not in score_clip(lines, TRUTH).summary()


def test_a_number_wholly_in_view_is_read_where_one_number_of_its_digits_is_reported_over_it():
    """35 is written in both frames; 21 has its 1 out of view in the second, and is no
    number of that frame. A number reported with a digit too many, or none, reads none."""
    digit = {"id": 0, "box": [10, 10, 20, 30], "label": 3, "number": 0}
    numbered = {"frames": [
        {"frame": 0, "items": [digit, {"id": 1, "box": [34, 10, 20, 30], "label": 5, "number": 0},
                               {"id": 2, "box": [10, 60, 20, 30], "label": 2, "number": 2},
                               {"id": 3, "box": [34, 60, 20, 30], "label": 1, "number": 2}]},
        {"frame": 1, "items": [digit, {"id": 1, "box": [34, 10, 20, 30], "label": 5, "number": 0},
                               {"id": 2, "box": [10, 60, 20, 30], "label": 2, "number": 2}]}]}

    def read(*numbers):
        return {**line(0), "numbers": [{"value": value, "box": box} for value, box in numbers]}

    lines = [read(("35", [10, 10, 44, 30]), ("21", [10, 60, 44, 30])), {**read(("352", [10, 10, 44, 80])), "frame": 1}]
    assert score_clip(lines, numbered).summary()["numbers"] == {"written": 3, "read": 2}
    assert "numbers" not in score_clip(lines, TRUTH).summary()


def test_each_false_digit_is_put_down_to_what_it_lies_on():
    """A misread digit, the desk beyond the paper, a word, a piece of a digit, blank paper;
    a digit read right and one no one could read are no false digits."""
    frame = {"frame": 0, "page": [[0, 0], [200, 0], [200, 100], [0, 100]],
             "items": [{"id": 0, "box": [10, 10, 20, 30], "label": 3},
                       {"id": 1, "box": [40, 10, 20, 30], "label": 5},
                       {"id": 2, "box": [80, 10, 60, 20], "label": -1},
                       {"id": 3, "box": [10, 60, 40, 30], "label": 7},
                       {"id": 4, "box": [160, 60, 8, 12], "label": 1, "ignore": "small"}]}
    reported = line(0, ([10, 10, 20, 30], 3), ([40, 10, 20, 30], 8), ([300, 50, 20, 30], 1),
                    ([100, 12, 10, 16], 1), ([12, 62, 8, 26], 1), ([120, 60, 20, 30], 4), ([160, 60, 8, 12], 1))
    summary = score_clip([reported], {"frames": [frame]}).summary()
    assert summary["false_digits"] == 5
    assert summary["false_on"] == {"a digit, misread": 1, "off the paper": 1, "a mark, letter or word": 1,
                                   "part of a digit": 1, "nothing drawn: paper, lines, texture": 1}


def test_the_page_reported_is_judged_against_the_paper_in_view():
    """Right where it overlaps the paper closely; wrong where it is part of it; missed where
    none is reported though the paper leaves much of the frame; rightly none where the
    paper fills the frame."""
    sheet = [[100, 100], [300, 100], [300, 250], [100, 250]]
    whole = [[0, 0], [640, 0], [640, 480], [0, 480]]
    truth = {"size": [640, 480], "frames": [{"frame": n, "items": [], "page": paper}
                                            for n, paper in enumerate([sheet, sheet, sheet, whole])]}
    lines = [{"frame": 0, "detections": [], "page": [[102, 98], [301, 101], [299, 252], [99, 249]]},
             {"frame": 1, "detections": [], "page": [[100, 100], [200, 100], [200, 250], [100, 250]]},
             {"frame": 2, "detections": []},
             {"frame": 3, "detections": []}]
    assert score_clip(lines, truth).summary()["page_found"] == {
        "right": 1, "wrong": 1, "missed": 1, "none: the paper fills the frame": 1}
    assert "page_found" not in score_clip(lines, {"frames": truth["frames"]}).summary()  # no frame size


def test_photos_count_the_digits_found_against_the_digits_written():
    labels = [{"file": "a.png", "digits": "12"}, {"file": "b.png", "digits": "7"}]
    lines = [{"source": "/x/a.png", "detections": [{"digit": 1}, {"digit": 2}, {"digit": 2}]},
             {"source": "/x/b.png", "detections": []}]
    score, wrong = score_photos(lines, labels)
    assert (score.hits, score.false_digits, score.missed) == (2, 1, 1)
    assert len(wrong) == 2


def test_a_reader_that_stops_early_ends_the_report_quietly(tmp_path):
    """`livedigit-eval ... | head` ends as any Unix tool's output would, without a traceback."""
    lines, truth = tmp_path / "run.jsonl", tmp_path / "truth.json"
    lines.write_text(json.dumps(line(0, ([10, 10, 20, 30], 3))) + "\n")
    truth.write_text(json.dumps(TRUTH))
    command = [sys.executable, "-m", "livedigit.evaluate", "--jsonl", str(lines), "--truth", str(truth)]
    report = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    report.stdout.close()  # the reader is gone before the report is written
    _, errors = report.communicate(timeout=60)
    assert report.returncode == 0 and errors == b""
