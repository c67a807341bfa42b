#!/usr/bin/env python3
"""Write decompressed JSON blocks of a pipe_base ``.qg`` file to stdout, for lsst/qgFile (the TypeScript reader).

    qg_blocks.py GRAPH NAME [NAME ...]

A ``.qg`` (written by ``pipetask qgraph --save-qgraph X.qg``) is a zip archive of zstd-compressed JSON blocks
(``header.json.zst``, ``pipeline_graph.json.zst``, ``thin_graph.json.zst``, ...), compressed with a trained
dictionary (the ``compression_dict`` member) when the graph is large. Zstandard with dictionaries is the only part
of the format that Node cannot decode by itself, so this helper does just that: for each NAME it writes one line
``NAME LENGTH\\n`` followed by LENGTH bytes of JSON. It imports neither ``lsst`` nor pydantic (start-up is a few tens
of milliseconds), reads only the members it is asked for, and streams each one out decompressed in chunks of 1 MiB
(about 20 MB resident whatever the size of the graph, where holding a 100k-quanta thin graph whole took 46 MB).

Exit codes: 0 ok; 2 bad input (missing file, not a zip, a member that is not there or damaged, bad zstd data), one line on
stderr naming the file and the problem; 1 when the ``zstandard`` module is missing (the LSST venv brings it).
"""

from __future__ import annotations

import sys
import zipfile


def fail(message: str, code: int = 2) -> None:
    print(f"qg_blocks: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def write_block(out, name: str, archive: zipfile.ZipFile, member: str, decompressor) -> None:
    """Writes one block: its header line, then its bytes decompressed chunk by chunk (a block is never held whole,
    so this process stays small however large the graph; zipfile checks the member's CRC as it is read)."""
    import zstandard

    with archive.open(member) as compressed:
        head = compressed.read(18)  # a zstd frame header is at most 18 bytes
        try:
            length = zstandard.frame_content_size(head)
        except zstandard.ZstdError:
            length = -1
        if length < 0:  # the frame does not say its size: decompress it whole
            data = decompressor.decompress(head + compressed.read())
            out.write(f"{name} {len(data)}\n".encode())
            out.write(data)
            return
        out.write(f"{name} {length}\n".encode())
        written = 0
        reader = decompressor.stream_reader(_Prefixed(head, compressed), read_across_frames=False)
        while True:
            chunk = reader.read(CHUNK)
            if not chunk:
                break
            written += len(chunk)
            out.write(chunk)
        compressed.read()  # to the member's end, where zipfile checks its CRC
        if written != length:
            raise zstandard.ZstdError(f"the frame says {length} bytes but {written} came out")


CHUNK = 1 << 20


class _Prefixed:
    """A file-like object that yields `head` and then the rest of `rest` (the bytes read to learn the frame size)."""

    def __init__(self, head: bytes, rest) -> None:
        self.head = head
        self.rest = rest

    def read(self, size: int = -1) -> bytes:
        if self.head:
            if size < 0:
                data, self.head = self.head + self.rest.read(), b""
                return data
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.rest.read(size)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        fail("usage: qg_blocks.py GRAPH NAME [NAME ...]")
    path, names = argv[0], argv[1:]
    try:
        import zstandard
    except ImportError as err:
        fail(f"the zstandard module is missing ({err}); run scripts/setup-lsst.sh and use .venv/bin/python", 1)
    try:
        archive = zipfile.ZipFile(path, "r")
    except FileNotFoundError:
        fail(f"{path}: no such file")
    except (zipfile.BadZipFile, OSError) as err:
        fail(f"{path}: not a pipe_base .qg archive ({err})")
    out = sys.stdout.buffer
    with archive:
        members = set(archive.namelist())
        dictionary = None
        if "compression_dict" in members:
            dictionary = zstandard.ZstdCompressionDict(archive.read("compression_dict"))
        decompressor = zstandard.ZstdDecompressor(dict_data=dictionary)
        for name in names:
            member = f"{name}.json.zst"
            if member not in members:
                fail(f"{path}: no {member} in the archive (members: {', '.join(sorted(members))})")
            try:
                write_block(out, name, archive, member, decompressor)
            except zstandard.ZstdError as err:
                fail(f"{path}: {member}: cannot decompress ({err})")
            except (zipfile.BadZipFile, EOFError, OSError) as err:
                fail(f"{path}: not a readable pipe_base quantum graph ({type(err).__name__}: {err})")
    out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
