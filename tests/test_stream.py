"""Network cameras: an MJPEG stream over HTTP on 127.0.0.1, as phones serve it."""
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import pytest

from conftest import run_cli


@pytest.fixture
def mjpeg_stream(clip):
    """Serve the clip's frames as multipart JPEG, looping, until the test ends."""
    capture = cv2.VideoCapture(str(clip[0]))
    jpegs = []
    while (read := capture.read())[0]:
        jpegs.append(cv2.imencode(".jpg", read[1])[1].tobytes())
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
            self.end_headers()
            index = 0
            while not stop.is_set():
                jpeg = jpegs[index % len(jpegs)]
                try:
                    self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n"
                                     + f"Content-Length: {len(jpeg)}\r\n\r\n".encode() + jpeg + b"\r\n")
                except OSError:
                    return
                index += 1
                stop.wait(1 / 30)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/video.mjpg"
    stop.set()
    server.shutdown()


def test_an_mjpeg_stream_is_read_live(mjpeg_stream, tmp_path):
    jsonl = tmp_path / "stream.jsonl"
    result = run_cli("--source", mjpeg_stream, "--no-display", "--max-frames", "8", "--jsonl", str(jsonl))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert len(lines) == 8
    assert all(line["source"] == mjpeg_stream for line in lines)
    assert [line["frame"] for line in lines] == sorted({line["frame"] for line in lines})
    assert sum(len(line["detections"]) for line in lines) > 100


def test_an_unreachable_stream_fails_with_a_clear_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/video.mjpg"
    result = run_cli("--source", url, "--no-display", timeout=60)
    assert result.returncode == 2
    assert url in result.stderr and "Traceback" not in result.stderr
