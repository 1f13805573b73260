"""Faults end in a clear message or a clean recovery, never a traceback or a broken file."""
import errno
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from livedigit import DetectionParams, InputError, JsonlSink
from livedigit.classify import DigitClassifier
from livedigit.detect import find_regions

from conftest import run_cli, start_cli, wait_for_lines


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_truncated_video_gives_every_readable_frame_and_a_warning(clip, tmp_path):
    whole = clip[0].read_bytes()
    truncated = tmp_path / "truncated.avi"
    truncated.write_bytes(whole[:int(len(whole) * 0.6)])
    jsonl = tmp_path / "out.jsonl"
    result = run_cli("--source", str(truncated), "--no-display", "--jsonl", str(jsonl))
    assert result.returncode == 0, result.stderr
    assert "truncated" in result.stderr and "Traceback" not in result.stderr
    assert 3 <= len(read_jsonl(jsonl)) < 12


def test_images_of_any_type_are_read(tmp_path, clip):
    page = cv2.VideoCapture(str(clip[0])).read()[1]
    gray = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    cv2.imwrite(str(tmp_path / "1-gray.png"), gray)
    cv2.imwrite(str(tmp_path / "2-bgra.png"), cv2.cvtColor(page, cv2.COLOR_BGR2BGRA))
    cv2.imwrite(str(tmp_path / "3-deep.png"), gray.astype(np.uint16) * 257)
    cv2.imwrite(str(tmp_path / "4-tiny.png"), np.zeros((1, 1), np.uint8))
    jsonl, video = tmp_path / "out.jsonl", tmp_path / "out.avi"
    result = run_cli("--source", str(tmp_path / "*.png"), "--no-display", "--jsonl", str(jsonl),
                     "--save-video", str(video))
    assert result.returncode == 0, result.stderr
    lines = read_jsonl(jsonl)
    assert len(lines) == 4
    assert all(len(line["detections"]) > 20 for line in lines[:3]) and lines[3]["detections"] == []
    capture = cv2.VideoCapture(str(video))
    assert sum(1 for _ in iter(lambda: capture.read()[0], False)) == 4


def test_a_model_with_the_wrong_input_shape_is_refused(tmp_path):
    inputs = keras.Input((32, 32, 1))
    outputs = keras.layers.Dense(11, activation="softmax")(keras.layers.Flatten()(inputs))
    path = tmp_path / "wide.keras"
    keras.Model(inputs, outputs).save(path)
    with pytest.raises(InputError, match="shape"):
        DigitClassifier(path)


class DiskFullAfter:
    """os.write for one file on a disk with `room` bytes left: the write that crosses the
    limit takes what fits, every write after it fails with ENOSPC, as on a real disk."""

    def __init__(self, path, room: int):
        self.path, self.room, self.write = str(path), room, os.write

    def __call__(self, fd: int, data) -> int:
        if os.readlink(f"/proc/self/fd/{fd}") != self.path:
            return self.write(fd, data)
        if self.room == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = self.write(fd, bytes(data[:self.room]))
        self.room -= written
        return written


def test_a_jsonl_line_that_does_not_fit_on_the_disk_is_taken_back_whole(tmp_path, monkeypatch, recognizer, clip):
    path = tmp_path / "out.jsonl"
    frame = cv2.VideoCapture(str(clip[0])).read()[1]
    detections = recognizer(frame)
    monkeypatch.setattr(os, "write", DiskFullAfter(path, room=10_000))
    with JsonlSink(path) as sink, pytest.raises(InputError, match="No space left"):
        for index in range(100):
            sink.write(index, "page.avi", 1.0, detections)
    text = path.read_text()
    assert text.endswith("\n") and 0 < len(text) <= 10_000
    assert [json.loads(line)["frame"] for line in text.splitlines()] == list(range(text.count("\n")))


def test_a_full_disk_mid_run_leaves_whole_jsonl_lines_and_a_finalized_video(tmp_path, monkeypatch, long_clip):
    from livedigit.cli import main

    jsonl, annotated = tmp_path / "out.jsonl", tmp_path / "out.mp4"
    monkeypatch.setattr(os, "write", DiskFullAfter(jsonl, room=40_000))
    assert main(["--source", str(long_clip), "--no-display", "--jsonl", str(jsonl),
                 "--save-video", str(annotated)]) == 2
    lines = read_jsonl(jsonl)
    assert 3 <= len(lines) < 800
    capture = cv2.VideoCapture(str(annotated))
    assert sum(1 for _ in iter(lambda: capture.read()[0], False)) == len(lines)


def test_a_finding_process_killed_mid_run_ends_it_with_one_line_and_whole_outputs(tmp_path, long_clip):
    jsonl = tmp_path / "out.jsonl"
    process = start_cli("--source", str(long_clip), "--no-display", "--jsonl", str(jsonl))
    wait_for_lines(jsonl, 10)
    os.kill(finding_process_of(process.pid), signal.SIGKILL)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert stderr == "livedigit: finding regions stopped: its process ended with exit code -9\n"
    assert 10 <= len(read_jsonl(jsonl)) < 800


def finding_process_of(pid: int) -> int:
    """The child that multiprocessing spawned to find regions (not its resource tracker)."""
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
            return int(child)
    raise AssertionError(f"process {pid} has no finding process")


def test_a_full_disk_stops_with_a_clear_error_naming_the_output(clip):
    result = run_cli("--source", str(clip[0]), "--no-display", "--jsonl", "/dev/full")
    assert result.returncode == 2
    assert "--jsonl /dev/full" in result.stderr and "No space left" in result.stderr
    assert "Traceback" not in result.stderr


class DroppingStream:
    """An MJPEG server that sends a few frames per connection, then dies for good."""

    def __init__(self, jpeg: bytes, frames: int):
        stream = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                for _ in range(frames):
                    self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n"
                                     + f"Content-Length: {len(jpeg)}\r\n\r\n".encode() + jpeg + b"\r\n")
                    time.sleep(1 / 30)
                threading.Thread(target=stream.server.shutdown).start()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/video.mjpg"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.server_close()


def test_a_stream_that_drops_is_retried_then_ends_cleanly(clip, tmp_path):
    jpeg = cv2.imencode(".jpg", cv2.VideoCapture(str(clip[0])).read()[1])[1].tobytes()
    stream = DroppingStream(jpeg, frames=40)
    jsonl = tmp_path / "out.jsonl"
    started = time.monotonic()
    try:
        result = run_cli("--source", stream.url, "--no-display", "--jsonl", str(jsonl), timeout=90)
    finally:
        stream.close()
    assert result.returncode == 0, result.stderr
    assert "reconnecting" in result.stderr and "lost for good" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(read_jsonl(jsonl)) >= 1
    assert time.monotonic() - started < 60


@settings(max_examples=40, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 200), st.integers(1, 200), st.sampled_from([1, 3, 4])),
              elements=st.integers(0, 255)),
       st.sampled_from(["background", "adaptive", "otsu"]))
def test_detection_on_any_image_gives_well_formed_regions(image, method):
    regions = find_regions(image, DetectionParams(threshold=method))
    h, w = image.shape[:2]
    assert regions.boxes.shape == (len(regions.masks), 4)
    for (x, y, bw, bh), mask in zip(regions.boxes, regions.masks):
        assert 0 <= x and 0 <= y and x + bw <= w and y + bh <= h and mask.shape == (bh, bw)
