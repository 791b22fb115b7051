"""The write-only ZIP that keeps its directory on disk produces an ordinary archive."""

from __future__ import annotations

import zipfile
from pathlib import Path

from storage.exports.zipstream import StreamingZipFile


def test_streaming_zip_is_readable_with_every_entry_in_order(tmp_path: Path) -> None:
    path = tmp_path / "pages.zip"
    with StreamingZipFile(path) as archive:
        for number in range(300):
            archive.writestr(f"page-{number:03d}.md", f"# Page {number}\n" * 50)

    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == [f"page-{number:03d}.md" for number in range(300)]
        assert archive.read("page-123.md").decode() == "# Page 123\n" * 50
        assert archive.getinfo("page-007.md").compress_type == zipfile.ZIP_DEFLATED
