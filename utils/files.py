"""Reading a user's text file safely: one check for missing, empty, oversized, binary and non-UTF-8 files."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Advice:
    """What to tell the user to do, for each way a file can be unreadable."""

    missing: str
    empty: str
    too_big: str
    binary: str
    encoding: str


def read_utf8(path: Path, max_bytes: int, error: type[Exception], advice: Advice) -> str:
    """The file's text, or ``error`` with a message that names the file, the problem and the fix."""
    if not path.is_file():
        raise error(f"{path}: no such file. {advice.missing}")
    size = path.stat().st_size
    if size == 0:
        raise error(f"{path}: the file is empty. {advice.empty}")
    if size > max_bytes:
        raise error(f"{path}: {size:,} bytes is more than the limit of {max_bytes:,}. {advice.too_big}")
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise error(f"{path}: this file is UTF-16 text. {advice.encoding}")
    if b"\x00" in raw[:8192]:
        raise error(f"{path}: this is a binary file{advice.binary}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise error(f"{path}, line {line}: not UTF-8 text (byte {raw[err.start]:#x}). {advice.encoding}") from None
