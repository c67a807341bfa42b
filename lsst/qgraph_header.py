#!/usr/bin/env python3
"""Print the header of a saved pipe_base quantum graph as one JSON line.

    qgraph_header.py GRAPH

GRAPH is a ``.qg`` (or old ``.qgraph``) file written by ``pipetask qgraph --save-qgraph``. Prints
``{"format": "qg"|"qgraph", "graphType", "outputRun", "output", "inputs", "quanta"}``; for the old
format what its header metadata says (``quanta`` null, the others null when it does not say).
Only the header (and, for a ``.qg``, the pipeline description, task classes not imported) is read,
so this answers in about the time of a Python start with lsst.pipe.base. tbps uses it to check a
given ``qgraphFile`` before a run starts and to decide whether the graph must be rewritten to the
submission's output run.

Exit codes: 0 ok, 2 not a readable quantum graph (one line on stderr), 1 the stack is not importable.
"""

from __future__ import annotations

import ast
import json
import sys
from typing import Any


def fail(msg: str, code: int = 2) -> None:
    print(f"qgraph_header: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


def one_line(text: str) -> str:
    return " ".join(text.split())[:500]


def new_format(path: str) -> dict[str, Any]:
    from lsst.pipe.base.pipeline_graph import TaskImportMode
    from lsst.pipe.base.quantum_graph import PredictedQuantumGraph

    with PredictedQuantumGraph.open(path, import_mode=TaskImportMode.DO_NOT_IMPORT) as reader:
        h = reader.header
        return {
            "format": "qg",
            "graphType": h.graph_type,
            "outputRun": h.output_run or None,
            "output": h.output or None,
            "inputs": list(h.inputs or []),
            "quanta": h.n_quanta,
        }


def old_format(path: str) -> dict[str, Any]:
    from lsst.pipe.base import QuantumGraph

    text = QuantumGraph.readHeader(path)
    if text is None:
        raise ValueError("the file has no header")
    header = json.loads(text)
    metadata = header.get("Metadata")
    if isinstance(metadata, str):  # written as the repr of a dict
        try:
            metadata = ast.literal_eval(metadata)
        except (ValueError, SyntaxError):
            metadata = None
    if not isinstance(metadata, dict):
        metadata = {}
    return {
        "format": "qgraph",
        "graphType": "predicted",
        "outputRun": metadata.get("output_run"),
        "output": metadata.get("output"),
        "inputs": list(metadata.get("input") or []),
        "quanta": None,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        fail("usage: qgraph_header.py GRAPH")
    path = argv[0]
    try:
        import lsst.pipe.base  # noqa: F401
    except ImportError as e:
        fail(f"LSST middleware not importable ({e}); run 'npm run setup' and use .venv/bin/python", 1)
    try:
        info = old_format(path) if path.endswith(".qgraph") else new_format(path)
    except Exception as e:  # unreadable / not a quantum graph
        fail(f"{path}: not a readable pipe_base quantum graph ({type(e).__name__}: {one_line(str(e))})")
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
