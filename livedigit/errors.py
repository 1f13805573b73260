"""How livedigit reports trouble: errors the user can fix, and warnings."""
import sys


class InputError(Exception):
    """Bad input named by the message (a source, model, profile or output path): exit status 2."""


def warn(message: str) -> None:
    print(f"livedigit: warning: {message}", file=sys.stderr, flush=True)
