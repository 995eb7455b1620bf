"""Stage `read`: files, folders, globs and stdin to `Article`s, one reader per format.

Every problem with an input is a `Rejection` in the output stream; the batch goes on.
"""

from storyline.read._common import DEFAULT_MAX_BYTES
from storyline.read._paths import read_paths
from storyline.read.detect import FORMATS, detect_format
from storyline.read.dispatch import read_bytes

__all__ = ["DEFAULT_MAX_BYTES", "FORMATS", "detect_format", "read_bytes", "read_paths"]
