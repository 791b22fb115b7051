"""A ZIP writer whose memory does not grow with the number of entries.

``zipfile.ZipFile`` keeps a ``ZipInfo`` (about half a kilobyte) per entry until it writes
the central directory at the end: 100,000 Markdown files would hold some 50 MB. This
subclass spills those entries to a temporary file as they are written and reads them
back for the central directory. It is write-only: reading, appending and duplicate-name
warnings are not supported (callers make names unique themselves).

:meth:`StreamingZipFile.add` writes an entry whose content is all at hand (every export's
entries are): compressed in one call and written with its final header in one write, where
``writestr`` writes a provisional header and seeks back to rewrite it (each seek flushing
the file's buffer). Both give the same bytes.
"""

from __future__ import annotations

import operator
import pickle
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

# What an entry written here holds (``_raw_time`` is only ever set on reading).
_SLOTS: tuple[str, ...] = tuple(name for name in zipfile.ZipInfo.__slots__ if name != "_raw_time")
_VALUES = operator.attrgetter(*_SLOTS)


class _SpilledInfos:
    """Stands in for ``ZipFile.filelist``: appended entries go to disk, not to memory.

    An entry is stored as the tuple of its attributes (pickling a tuple of plain values is
    several times cheaper than pickling the ``ZipInfo``) and made again when read back.
    """

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._count = 0

    def append(self, info: zipfile.ZipInfo) -> None:
        # Entries are only ever appended, then read back once by ``close``: the file's
        # position stays at its end until then.
        # One pickle per entry: a shared pickler would remember every entry it wrote.
        self._file.write(pickle.dumps(_VALUES(info), protocol=pickle.HIGHEST_PROTOCOL))
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[zipfile.ZipInfo]:
        self._file.flush()
        self._file.seek(0)
        for _ in range(self._count):
            info = zipfile.ZipInfo.__new__(zipfile.ZipInfo)
            for name, value in zip(_SLOTS, pickle.load(self._file), strict=True):
                setattr(info, name, value)
            yield info

    def close(self) -> None:
        self._file.close()


class _NoNames(dict[str, zipfile.ZipInfo]):
    """Stands in for ``ZipFile.NameToInfo``: remembers no names (write-only archive)."""

    def __setitem__(self, key: str, value: zipfile.ZipInfo) -> None:
        return None


class StreamingZipFile(zipfile.ZipFile):
    """A write-only, deflated ZIP file that keeps its directory on disk until closing."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, mode="w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self._spilled = _SpilledInfos()
        self.filelist: Any = self._spilled
        self.NameToInfo = _NoNames()

    def add(
        self,
        name: str,
        data: bytes,
        date_time: tuple[int, int, int, int, int, int],
        *,
        compress: bool = True,
    ) -> None:
        """Add an entry named ``name`` holding ``data``, deflated unless ``compress`` is false:
        the same bytes as ``writestr`` with a ``ZipInfo`` of that name and time."""
        if not self.fp:
            raise ValueError("Attempt to write to ZIP archive that was already closed")
        info = zipfile.ZipInfo(name, date_time=date_time)
        info.external_attr = 0o600 << 16  # ?rw-------, as writestr gives a file
        info.file_size = len(data)
        info.CRC = zlib.crc32(data)
        if compress:
            info.compress_type = zipfile.ZIP_DEFLATED
            # A raw deflate stream at zlib's default level, as ZipFile makes it.
            data = zlib.compress(data, zlib.Z_DEFAULT_COMPRESSION, -zlib.MAX_WBITS)
        else:
            info.compress_type = zipfile.ZIP_STORED
        info.compress_size = len(data)
        # ZipFile's own rule for a local header with ZIP64 sizes.
        zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT
        info.header_offset = self.start_dir
        self._writecheck(info)  # type: ignore[attr-defined]
        self._didModify = True
        header = info.FileHeader(zip64)
        self.fp.write(header)
        self.fp.write(data)
        self.start_dir += len(header) + len(data)
        self.filelist.append(info)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._spilled.close()
