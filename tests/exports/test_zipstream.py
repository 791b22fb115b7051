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


def test_added_entries_are_the_bytes_writestr_makes(tmp_path: Path) -> None:
    """``add`` writes each entry in one go; the archive is byte for byte ``writestr``'s."""
    moment = (2026, 4, 1, 12, 0, 0)
    pages = [(f"page-{n:03d}-café.md", f"# Page {n}\n".encode() * (n + 1)) for n in range(40)]
    added, written = tmp_path / "added.zip", tmp_path / "written.zip"
    with StreamingZipFile(added) as archive:
        for number, (name, data) in enumerate(pages):
            archive.add(name, data, moment, compress=number % 3 != 0)
    with StreamingZipFile(written) as archive:
        for number, (name, data) in enumerate(pages):
            archive.writestr(
                zipfile.ZipInfo(name, date_time=moment),
                data,
                compress_type=zipfile.ZIP_DEFLATED if number % 3 else zipfile.ZIP_STORED,
            )
    assert added.read_bytes() == written.read_bytes()
    with zipfile.ZipFile(added) as archive:
        assert archive.testzip() is None
        assert [(info.filename, archive.read(info)) for info in archive.infolist()] == pages
