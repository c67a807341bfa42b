#!/usr/bin/env python3
"""Export a saved LSST quantum graph to the tbps interchange format (JSON Lines).

    export_qgraph.py GRAPH [-o OUT] [--pipeline P] [--butler B] [--full-data-ids]

GRAPH is the file written by ``pipetask qgraph --save-qgraph`` (``.qg``; the old ``.qgraph`` format is
read too, but it has to be loaded whole). OUT defaults to stdout; a path is written through a
temporary file and renamed at the end, so a reader never sees half a file.

Line 1 is the header ``{"format":"tbps-qgraph","version":1,"metadata":{...},"tasks":[...],"quanta":N}``,
then one line per quantum ``{"id","label","dataId","parents"}`` in topological order (tasks in pipeline
order; a quantum's parents all belong to earlier tasks). See core/qgraph/FORMAT.md.

Only the graph's "thin" part (quantum ids, data ids, quantum-to-quantum edges) is read from a ``.qg``
file; task classes are not imported. Lines are written one at a time.

Exit codes: 0 ok, 2 bad input (missing or unreadable graph), 1 anything else.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Any

FORMAT = "tbps-qgraph"
VERSION = 1


def fail(msg: str, code: int = 2) -> None:
    print(f"export_qgraph: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


def versions() -> dict[str, str | None]:
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {}
    for name in ("lsst-ctrl-mpexec", "lsst-pipe-base", "lsst-daf-butler"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def option_from_command(command: str, *names: str) -> str | None:
    """Best-effort value of an option (e.g. -p/--pipeline) in the recorded pipetask command line."""
    try:
        argv = shlex.split(command)
    except ValueError:
        argv = command.split()
    for i, arg in enumerate(argv):
        for name in names:
            if arg == name and i + 1 < len(argv):
                return argv[i + 1]
            if name.startswith("--") and arg.startswith(name + "="):
                return arg[len(name) + 1 :]
    return None


class Graph:
    """The parts of a predicted quantum graph the export needs."""

    def __init__(self, header: Any, pipeline_graph: Any, thin_graph: Any):
        self.header = header
        self.pipeline_graph = pipeline_graph
        self.thin = thin_graph


def load(path: str) -> Graph:
    from lsst.pipe.base.pipeline_graph import TaskImportMode
    from lsst.pipe.base.quantum_graph import PredictedQuantumGraph, PredictedQuantumGraphComponents

    if path.endswith(".qgraph"):
        # Old format: no partial reads; it is loaded whole (task classes imported) and converted.
        from lsst.pipe.base import QuantumGraph

        components = PredictedQuantumGraphComponents.from_old_quantum_graph(QuantumGraph.loadUri(path))
        components.quantum_datasets.clear()  # only the thin graph is needed from here on
        return Graph(components.header, components.pipeline_graph, components.thin_graph)
    reader_cm = PredictedQuantumGraph.open(path, import_mode=TaskImportMode.DO_NOT_IMPORT)
    with reader_cm as reader:
        reader.read_thin_graph()
        return Graph(reader.header, reader.pipeline_graph, reader.components.thin_graph)


def header_line(g: Graph, source: str, extra: dict[str, str]) -> dict[str, Any]:
    h = g.header
    meta_in = dict(h.metadata or {})
    command = h.command or ""
    pipeline = extra.pop("pipeline", None) or option_from_command(command, "-p", "--pipeline")
    butler = extra.pop("butler", None) or meta_in.get("butler_argument") or option_from_command(
        command, "-b", "--butler-config"
    )
    metadata: dict[str, Any] = {
        "source": os.path.abspath(source),
        "butler": butler,
        "inputs": list(h.inputs or []),
        "output": h.output or None,
        "outputRun": h.output_run,
        "pipeline": pipeline,
        "dataQuery": meta_in.get("data_query"),
        "user": h.user,
        "timestamp": h.timestamp.isoformat() if h.timestamp is not None else None,
        "command": command,
        "nDatasets": h.n_datasets,
        "taskQuanta": dict(h.n_task_quanta or {}),
        "versions": versions(),
    }
    metadata.update(extra)
    tasks = []
    for label, node in g.pipeline_graph.tasks.items():
        tasks.append(
            {"label": label, "dimensions": list(node.dimensions.required), "taskClass": node.task_class_name}
        )
    n = sum(len(v) for v in g.thin.quanta.values())
    return {"format": FORMAT, "version": VERSION, "metadata": metadata, "tasks": tasks, "quanta": n}


def quantum_lines(g: Graph, full_data_ids: bool) -> Iterator[str]:
    """Yield one JSON line per quantum, parents first."""
    parents: dict[Any, list[Any]] = {}
    for parent, child in g.thin.edges:
        parents.setdefault(child, []).append(parent)
    g.thin.edges = []  # the index above replaces the edge list
    seen: set[Any] = set()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    order = list(g.pipeline_graph.tasks.keys())  # pipeline graphs are kept topologically sorted
    unknown = set(g.thin.quanta) - set(order)
    if unknown:
        raise RuntimeError(f"graph has quanta for labels not in its pipeline: {sorted(unknown)}")
    for label in order:
        node = g.pipeline_graph.tasks[label]
        keys = list(node.dimensions.data_coordinate_keys if full_data_ids else node.dimensions.required)
        for q in g.thin.quanta.get(label, ()):
            values = q.data_coordinate
            data_id = {k: values[i] for i, k in enumerate(keys)}
            ps = parents.get(q.quantum_id, ())
            for p in ps:
                if p not in seen:
                    raise RuntimeError(f"quantum {q.quantum_id} ({label}) comes before its parent {p}")
            seen.add(q.quantum_id)
            yield dumps({"id": str(q.quantum_id), "label": label, "dataId": data_id, "parents": [str(p) for p in ps]})


def write(g: Graph, out: IO[str], source: str, extra: dict[str, str], full_data_ids: bool) -> int:
    header = header_line(g, source, extra)
    out.write(json.dumps(header, separators=(",", ":"), default=str) + "\n")
    n = 0
    for line in quantum_lines(g, full_data_ids):
        out.write(line)
        out.write("\n")
        n += 1
    if n != header["quanta"]:
        raise RuntimeError(f"wrote {n} quanta but the header says {header['quanta']}")
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Export a saved LSST quantum graph as tbps-qgraph JSON Lines.")
    ap.add_argument("graph", help="quantum graph file (.qg, or old .qgraph)")
    ap.add_argument("-o", "--output", default="-", help="output path, '-' for stdout (default)")
    ap.add_argument("--pipeline", help="pipeline to record in metadata (default: -p of the recorded command)")
    ap.add_argument("--butler", help="butler to record in metadata (default: the one the graph was built from)")
    ap.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE", help="extra metadata (repeatable)")
    ap.add_argument("--full-data-ids", action="store_true",
                    help="also write implied dimensions (band, physical_filter, day_obs, ...) in dataId")
    args = ap.parse_args(argv)

    if not os.path.isfile(args.graph):
        fail(f"{args.graph}: no such file")
    if not (args.graph.endswith(".qg") or args.graph.endswith(".qgraph")):
        fail(f"{args.graph}: expected a .qg (or old .qgraph) file written by 'pipetask qgraph --save-qgraph'")
    extra: dict[str, str] = {}
    for kv in args.meta:
        if "=" not in kv:
            fail(f"--meta {kv!r}: expected KEY=VALUE")
        k, v = kv.split("=", 1)
        extra[k] = v
    if args.pipeline:
        extra["pipeline"] = args.pipeline
    if args.butler:
        extra["butler"] = args.butler

    try:
        g = load(args.graph)
    except ImportError as e:
        fail(f"LSST middleware not importable ({e}); run scripts/setup-lsst.sh and use .venv/bin/python", 1)
        raise
    except Exception as e:  # unreadable / not a quantum graph
        fail(f"{args.graph}: cannot read quantum graph: {type(e).__name__}: {e}")
        raise

    if args.output == "-":
        n = write(g, sys.stdout, args.graph, extra, args.full_data_ids)
        sys.stdout.flush()
    else:
        target = os.path.abspath(args.output)
        fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".tmp", dir=os.path.dirname(target))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", buffering=1 << 20) as f:
                n = write(g, f, args.graph, extra, args.full_data_ids)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    print(f"export_qgraph: {n} quanta written to {args.output if args.output != '-' else 'stdout'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(1)
