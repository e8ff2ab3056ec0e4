"""Zip archives written front to back, of entries deflated once (APPNOTE 4.3, PKWARE's zip format).

A Part keeps an entry's deflated bytes, CRC and size, so the same sheet goes into any number of
workbooks without being compressed again; a Deflater compresses an entry as it comes, for
entries that are streamed. Every entry is dated 1980-01-01 00:00, so an archive is a pure
function of its entries. No Zip64: an archive past 4 GB or 65,535 entries is refused (Excel
itself opens nothing that big).
"""

from __future__ import annotations

import struct
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Iterator

# Raw deflate (no zlib header), as zip stores it. Level 3, not zlib's default 6: the workbooks of
# a large site are compressed several times faster for files a little larger (docs/scaling.md).
LEVEL = 3


@dataclass(frozen=True)
class Part:
    """A zip entry's content, deflated once: reused as is by every archive that holds it."""

    deflated: bytes
    crc: int
    size: int  # uncompressed
    compressed: int  # len(deflated), or of the bytes kept elsewhere (Deflater)

    @classmethod
    def of(cls, data: bytes) -> Part:
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        deflated = compressor.compress(data) + compressor.flush()
        return cls(deflated, zlib.crc32(data), len(data), len(deflated))


class Deflater:
    """A zip entry's content deflated as it comes, to `sink`; its CRC and sizes counted."""

    def __init__(self, sink: BinaryIO):
        self.sink, self.compressor = sink, zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        self.crc = self.size = self.deflated = 0

    def write(self, data: bytes) -> None:
        self.crc, self.size = zlib.crc32(data, self.crc), self.size + len(data)
        self.emit(self.compressor.compress(data))

    def close(self) -> Part:
        """The entry's CRC and sizes (its `deflated` left empty: the bytes went to the sink)."""
        self.emit(self.compressor.flush())
        return Part(b"", self.crc, self.size, self.deflated)

    def emit(self, data: bytes) -> None:
        if data:
            self.sink.write(data)
            self.deflated += len(data)


DOS_DATE = (1980 - 1980) << 9 | 1 << 5 | 1  # 1980-01-01, the zip format's first day; time 00:00
UNIX_FILE = 0o100600 << 16  # external attributes: a regular file, rw for its owner
LIMIT = 0xFFFFFFFF
LATER = 0x08  # general purpose flag: CRC and sizes follow the data (a streamed entry)


class Zip:
    """Writes a zip archive to a binary stream, front to back (APPNOTE 4.3), entry by entry."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.offset = 0
        self.directory: list[bytes] = []

    def put(self, name: str, part: Part) -> None:
        self.header(name, 0, part)
        self.write(part.deflated)

    def put_file(self, name: str, part: Part, file: BinaryIO) -> None:
        """An entry whose deflated bytes (part.compressed of them) wait in `file`, from its start."""
        self.header(name, 0, part)
        file.seek(0)
        while chunk := file.read(1 << 20):
            self.write(chunk)

    @contextmanager
    def stream_entry(self, name: str) -> Iterator[Deflater]:
        """An entry written as it comes: its CRC and sizes follow it (a data descriptor)."""
        start = self.offset
        self.write(self.local(name, LATER, Part(b"", 0, 0, 0)))
        deflater = Deflater(self)  # type: ignore[arg-type]
        yield deflater
        part = deflater.close()
        self.write(struct.pack("<IIII", 0x08074B50, part.crc, part.compressed, part.size))
        self.directory.append(self.central(name, LATER, part, start))

    def header(self, name: str, flags: int, part: Part) -> None:
        self.directory.append(self.central(name, flags, part, self.offset))
        self.write(self.local(name, flags, part))

    def local(self, name: str, flags: int, part: Part) -> bytes:
        encoded = name.encode("ascii")
        return struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, 8, 0, DOS_DATE, part.crc, part.compressed, part.size,
                           len(encoded), 0) + encoded

    def central(self, name: str, flags: int, part: Part, offset: int) -> bytes:
        if offset > LIMIT or part.compressed > LIMIT or part.size > LIMIT or len(self.directory) >= 0xFFFF:
            raise ValueError(f"XLSX 太大（超过 4 GB 或 65535 个部件），无法写出：{name}")
        encoded = name.encode("ascii")
        return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 3 << 8 | 20, 20, flags, 8, 0, DOS_DATE, part.crc,
                           part.compressed, part.size, len(encoded), 0, 0, 0, 0, UNIX_FILE, offset) + encoded

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.offset += len(data)

    def close(self) -> None:
        start = self.offset
        for entry in self.directory:
            self.write(entry)
        count = len(self.directory)
        self.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, self.offset - start, start, 0))
