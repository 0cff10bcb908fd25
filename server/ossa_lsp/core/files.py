"""The one place that reads and writes user files: manifests, configuration, whatever a repository holds.

Repositories are hostile (a pull request from a stranger, any folder an editor opens), so:
- only regular files are read. The open never blocks (O_NONBLOCK: a FIFO would otherwise wait for a
  writer for ever) and the checks run on the descriptor we hold (fstat), so what was checked is what
  is read;
- the size is known before reading and no read goes past the limit: at most `limit + 1` bytes, which
  also stops a file that lies about its size (`/proc`) or grows while we read;
- text is UTF-8 with or without a BOM; newlines are left as they are, so fixes keep CRLF files CRLF;
- writes go to the real file behind a symlink, keep hard links, mode and owner, refuse read-only files,
  and are atomic where the file allows it (see `write_atomic`).
Nothing here raises anything but `FileError` for a problem with the file itself.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from ossa_lsp.core.findings import Finding, Severity
from ossa_lsp.core.text.spans import ZERO, Pos, Span, end_of

MAX_BYTES = 10_000_000  # as core.text.source.Limits.max_chars: a larger manifest would not be analysed anyway
BOM = b"\xef\xbb\xbf"
_READ_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
_CHUNK = 1 << 20
_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
_NO_FALLOCATE = (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS)  # the file system cannot reserve: just write


class FileError(Exception):
    """A file that cannot be read or written; `str()` is a message for people, without the path."""

    def __init__(self, message: str, kind: str = "unreadable") -> None:
        super().__init__(message)
        self.kind = kind  # missing, directory, not-regular, unreadable, too-large, read-only, changed, unwritable


class TooLarge(FileError):
    """Over the size limit; `size` is None when only "more than the limit" is known (a stream, /proc)."""

    def __init__(self, size: int | None, limit: int) -> None:
        mb = f"{limit / 1_000_000:.0f} MB"
        super().__init__(f"File is {size / 1_000_000:.1f} MB, over the {mb} analysis limit; not analysed"
                         if size is not None else f"File is over the {mb} analysis limit; not analysed", "too-large")
        self.size, self.limit = size, limit

    def finding(self) -> Finding:
        return Finding(code="YAML006", severity=Severity.WARNING, source="yaml", message=str(self), span=ZERO)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A file as read: its bytes, and its text when it is UTF-8 text (else `problem` says why not)."""

    raw: bytes
    text: str | None
    problem: Finding | None = None

    @property
    def bom(self) -> bool:
        return self.raw.startswith(BOM)

    def encode(self, text: str) -> bytes:
        """New text for this file, in its encoding (the BOM kept when it had one)."""
        return (BOM if self.bom else b"") + text.encode("utf-8")


# --- reading ---------------------------------------------------------------------------------------


def read_bytes(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> bytes:
    """All bytes of a regular file of at most `limit` bytes; FileError (TooLarge) otherwise."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as err:
        raise _open_error(err) from None
    try:
        st = os.fstat(fd)
        _require_regular(st)
        if st.st_size > limit:
            raise TooLarge(st.st_size, limit)
        data = _read_at_most(fd, limit + 1, st.st_size + 1)
        if len(data) > limit:  # the size lied (/proc, a file growing under us)
            raise TooLarge(None, limit)
        return data
    except OSError as err:
        raise FileError(f"cannot read: {err.strerror or err}") from None
    finally:
        os.close(fd)


def read_head(path: str | os.PathLike[str], limit: int) -> bytes | None:
    """Up to the first `limit` bytes of a regular file, or None for anything else (for sniffing:
    which files are manifests; a file we cannot read is simply not one)."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        return _read_at_most(fd, limit, min(limit, st.st_size + 1))
    except OSError:
        return None
    finally:
        os.close(fd)


def read_stream(stream: BinaryIO, limit: int = MAX_BYTES) -> bytes:
    """At most `limit` bytes of a stream (stdin); TooLarge when there is more."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        raise TooLarge(None, limit)
    return b"".join(chunks)


def load(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> Loaded:
    """A file read and decoded. Too large or not text is a `problem` finding; FileError when it cannot be read."""
    try:
        raw = read_bytes(path, limit)
    except TooLarge as big:
        return Loaded(b"", None, big.finding())
    return load_bytes(raw)


def load_bytes(raw: bytes) -> Loaded:
    text, problem = decode(raw)
    return Loaded(raw, text, problem)


def decode(data: bytes) -> tuple[str | None, Finding | None]:
    """UTF-8 (with or without BOM) text, or a finding that says where the bytes stop being text."""
    if b"\x00" in data[:8192]:
        return None, Finding(code="YAML005", severity=Severity.ERROR, source="yaml",
                             message="This is a binary file, not a text manifest", span=ZERO)
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as err:
        line, col = end_of(data[: err.start].decode("utf-8", "replace"))
        return None, Finding(code="YAML005", severity=Severity.ERROR, source="yaml",
                             message=f"Invalid UTF-8 byte 0x{data[err.start]:02x}: manifests must be UTF-8 text",
                             span=Span(Pos(line, col), Pos(line, col + 1)))


def _read_at_most(fd: int, limit: int, first: int) -> bytes:
    """Read until end of file or `limit` bytes; `first` sizes the first read (one call for most files)."""
    chunks: list[bytes] = []
    left = limit
    want = max(1, min(first, left))
    while left > 0:
        chunk = os.read(fd, min(want, left))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
        want = _CHUNK
    return b"".join(chunks)


def _open_error(err: OSError) -> FileError:
    if isinstance(err, FileNotFoundError):
        return FileError("file not found (it may have been deleted)", "missing")
    if isinstance(err, IsADirectoryError):
        return FileError("is a directory", "directory")
    return FileError(f"cannot read: {err.strerror or err}")


def _require_regular(st: os.stat_result) -> None:
    if stat.S_ISREG(st.st_mode):
        return
    if stat.S_ISDIR(st.st_mode):
        raise FileError("is a directory", "directory")
    what = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
    raise FileError(f"is {what}, not a regular file; only regular files are read", "not-regular")


# --- writing ---------------------------------------------------------------------------------------


def write_atomic(path: str | os.PathLike[str], data: bytes, expected: bytes | None = None) -> None:
    """Replace the content of the file at `path` with `data`, or raise FileError and change nothing.

    - A symlink is followed: the real file is written and the link stays a link.
    - A read-only file (no write bit, or no write permission for us) is refused, even for root, as
      ruff, black and prettier do.
    - With `expected` (the bytes the new content was computed from), a file changed meanwhile is refused.
    - Normally: a temporary file next to the real file, synced, given its mode and owner, renamed over
      it — a crash or a full disk leaves the original intact.
    - When a rename would break something — the file has other hard links (they would keep the old
      content), its owner cannot be given to a new file, or the folder is not writable — the same inode
      is rewritten in place instead: the space is reserved first (a full disk fails before any byte
      changes), and on a write error the original bytes are put back.
    """
    target = os.path.realpath(path)
    try:
        st = os.stat(target)
    except OSError as err:
        raise _open_error(err) from None
    _require_regular(st)
    if not st.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise FileError("the file is read-only (no write permission)", "read-only")
    if expected is not None and _current(target) != expected:
        raise _changed()
    if st.st_nlink > 1 or not _replace(target, data, st):
        _rewrite_in_place(target, data, st, expected)


def _replace(target: str, data: bytes, st: os.stat_result) -> bool:
    """Write a temporary file next to `target` and rename it over; False when that cannot keep the
    owner or the folder is not writable (the caller rewrites in place)."""
    folder, name = os.path.split(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".ossa-lsp-tmp", dir=folder)
    except PermissionError:
        return False
    except OSError as err:
        raise _write_error(err) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if (st.st_uid, st.st_gid) != _owner(fh.fileno()):
                os.fchown(fh.fileno(), st.st_uid, st.st_gid)  # before chmod: chown may clear set-id bits
            os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except PermissionError:  # not allowed to give the new file the old owner
        _unlink(tmp)
        return False
    except OSError as err:
        _unlink(tmp)
        raise _write_error(err) from None
    except BaseException:
        _unlink(tmp)
        raise
    _sync_folder(folder)
    return True


def _rewrite_in_place(target: str, data: bytes, st: os.stat_result, expected: bytes | None) -> None:
    try:
        fd = os.open(target, os.O_RDWR | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise _write_error(err) from None
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino) or not stat.S_ISREG(now.st_mode):
            raise _changed()
        before = _read_at_most(fd, MAX_BYTES + 1, now.st_size + 1)
        if expected is not None and before != expected:
            raise _changed()
        if len(data) > len(before) and hasattr(os, "posix_fallocate"):
            try:
                os.posix_fallocate(fd, 0, len(data))
            except OSError as err:
                if err.errno not in _NO_FALLOCATE:
                    raise
        try:
            _overwrite(fd, data)
        except OSError:
            with contextlib.suppress(OSError):
                _overwrite(fd, before)
            raise
    except OSError as err:
        raise _write_error(err) from None
    finally:
        os.close(fd)


def _overwrite(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.ftruncate(fd, len(data))
    os.fsync(fd)


def _current(target: str) -> bytes | None:
    try:
        return read_bytes(target)
    except FileError:
        return None


def _owner(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_uid, st.st_gid


def _changed() -> FileError:
    return FileError("the file changed on disk while it was being fixed", "changed")


def _write_error(err: OSError) -> FileError:
    return FileError(f"cannot write (the file is unchanged): {err.strerror or err}", "unwritable")


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable (best effort: not every platform can open a folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- diffs -----------------------------------------------------------------------------------------


def unified_diff(old: str, new: str, shown: str) -> str:
    """A unified diff as git prints it (`a/` and `b/` prefixes for relative paths)."""
    return "".join(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True),
        fromfile=shown if shown.startswith("/") else f"a/{shown}",
        tofile=shown if shown.startswith("/") else f"b/{shown}"))
