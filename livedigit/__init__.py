"""livedigit: read handwritten digits live from a camera, stream, video or photos.

    from livedigit import Recognizer, open_source

    recognizer = Recognizer()                  # the shipped model and default profile
    for frame in open_source("page.mp4"):
        detections = recognizer(frame.image)   # boxes, digits, confidences
"""
__version__ = "0.1.0"  # the one source of truth: setup.cfg reads it from here

from .errors import InputError  # first: it sets OpenCV's log levels before OpenCV is imported
from .annotate import draw_detections
from .detections import Detections
from .params import DetectionParams, load_profile, save_profile
from .recognize import Recognizer
from .sinks import JsonlSink, VideoSink, WindowSink
from .sources import Frame, open_source

__all__ = [
    "Detections", "DetectionParams", "Frame", "InputError", "JsonlSink", "Recognizer", "VideoSink",
    "WindowSink", "draw_detections", "load_profile", "open_source", "save_profile",
]
