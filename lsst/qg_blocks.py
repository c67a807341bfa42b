#!/usr/bin/env python3
"""Write decompressed JSON blocks of a pipe_base ``.qg`` file to stdout, for lsst/qgFile (the TypeScript reader).

    qg_blocks.py GRAPH NAME [NAME ...]

A ``.qg`` (written by ``pipetask qgraph --save-qgraph X.qg``) is a zip archive of zstd-compressed JSON blocks
(``header.json.zst``, ``pipeline_graph.json.zst``, ``thin_graph.json.zst``, ...), compressed with a trained
dictionary (the ``compression_dict`` member) when the graph is large. Zstandard with dictionaries is the only part
of the format that Node cannot decode by itself, so this helper does just that: for each NAME it writes one line
``NAME LENGTH\\n`` followed by LENGTH bytes of JSON. It imports neither ``lsst`` nor pydantic (start-up is a few tens
of milliseconds) and reads only the members it is asked for.

Exit codes: 0 ok; 2 bad input (missing file, not a zip, a member that is not there, bad zstd data), one line on
stderr naming the file and the problem; 1 when the ``zstandard`` module is missing (the LSST venv brings it).
"""

from __future__ import annotations

import sys
import zipfile


def fail(message: str, code: int = 2) -> None:
    print(f"qg_blocks: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


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
                data = decompressor.decompress(archive.read(member))
            except zstandard.ZstdError as err:
                fail(f"{path}: {member}: cannot decompress ({err})")
            out.write(f"{name} {len(data)}\n".encode())
            out.write(data)
    out.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
