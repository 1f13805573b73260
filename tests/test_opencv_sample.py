"""OpenCV's own digit reader, restated as the baseline the bench and accuracy scripts measure against."""
import json
import subprocess
import sys

import cv2
import numpy as np

from conftest import MNIST, ROOT, run_cli

sys.path.insert(0, str(ROOT / "scripts"))
import opencv_sample  # noqa: E402  (a script's module: scripts/ is not a package)

SCRIPT = str(ROOT / "scripts" / "opencv_sample.py")


def test_its_svm_reads_mnist_test_digits_about_as_well_as_the_sample_reads_its_own(mnist):
    svm = opencv_sample.trained_svm(mnist["x_train"], mnist["y_train"])
    crops = [opencv_sample.deskewed(cv2.resize(digit, (opencv_sample.SIZE,) * 2, interpolation=cv2.INTER_AREA))
             for digit in mnist["x_test"][:1000]]
    read = svm.predict([opencv_sample.gradient_histograms(crop) for crop in crops])
    assert np.mean(read == mnist["y_test"][:1000]) >= 0.95


def test_its_readings_of_a_clip_are_scored_by_livedigit_eval_as_livedigits_are(clip, tmp_path):
    video, truth = clip
    (tmp_path / "truth.json").write_text(json.dumps(truth))
    jsonl = tmp_path / "sample.jsonl"
    done = subprocess.run([sys.executable, SCRIPT, "--data", str(MNIST), "--source", str(video),
                           "--jsonl", str(jsonl)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "frames a second" in done.stdout
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [line["frame"] for line in lines] == list(range(len(truth["frames"])))
    scored = run_cli("--jsonl", str(jsonl), "--truth", str(tmp_path / "truth.json"), module="livedigit.evaluate")
    assert scored.returncode == 0, scored.stderr
    score = json.loads(scored.stdout)
    assert score["precision"] > 0.5 and score["recall"] > 0.5  # a clean page: it reads most digits, as OpenCV's does


def test_a_folder_of_photos_gives_a_line_for_each_photo_named_by_it(clip, tmp_path):
    video, _ = clip
    capture = cv2.VideoCapture(str(video))
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("b.png", "a.jpg"):
        cv2.imwrite(str(photos / name), capture.read()[1])
    (photos / "labels.json").write_text("[]")  # not a photo: passed over
    jsonl = tmp_path / "sample.jsonl"
    subprocess.run([sys.executable, SCRIPT, "--data", str(MNIST), "--source", str(photos), "--jsonl", str(jsonl)],
                   check=True, capture_output=True)
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [line["source"] for line in lines] == [str(photos / "a.jpg"), str(photos / "b.png")]
    assert all(line["detections"] for line in lines)


def test_a_source_it_cannot_open_is_named_in_one_line(tmp_path):
    missing = tmp_path / "missing.mp4"
    done = subprocess.run([sys.executable, SCRIPT, "--data", str(MNIST), "--source", str(missing)],
                          capture_output=True, text=True)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        f"opencv_sample: source {missing}: no such file or folder, and not a camera index or stream URL"]
