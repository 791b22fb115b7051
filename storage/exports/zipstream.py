"""A ZIP writer whose memory does not grow with the number of entries.

``zipfile.ZipFile`` keeps a ``ZipInfo`` (about half a kilobyte) per entry until it writes
the central directory at the end: 100,000 Markdown files would hold some 50 MB. This
subclass spills those entries to a temporary file as they are written and reads them
back for the central directory. It is write-only: reading, appending and duplicate-name
warnings are not supported (callers make names unique themselves).
"""

from __future__ import annotations

import pickle
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


class _SpilledInfos:
    """Stands in for ``ZipFile.filelist``: appended entries go to disk, not to memory."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._count = 0

    def append(self, info: zipfile.ZipInfo) -> None:
        self._file.seek(0, 2)
        pickle.dump(info, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[zipfile.ZipInfo]:
        self._file.seek(0)
        for _ in range(self._count):
            info: zipfile.ZipInfo = pickle.load(self._file)
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

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._spilled.close()
