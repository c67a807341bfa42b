#!/usr/bin/env python3
"""Print what ctrl_bps's generic workflow holds, as one JSON object, for the parity test.

    read_bps_workflow.py SUBMIT_DIR

SUBMIT_DIR is the submit directory of a ``bps transform`` (or ``bps prepare``) run with ``saveGenericWorkflow: true``;
it holds ``bps_generic_workflow.pickle``. Run it with the interpreter of the venv that has lsst-ctrl-bps (the pickle
needs its classes). Output: ``{"jobs": [{"name", "label", "quanta": {task: n}, "nodeIds": [...], "executable"}],
"edges": [[parent, child], ...], "final": {"name", "executable", "script"}, "qgraphFile": PATH}``.
"""

from __future__ import annotations

import json
import os
import pickle
import sys


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    path = os.path.join(argv[1], "bps_generic_workflow.pickle")
    if not os.path.isfile(path):
        print(f"read_bps_workflow: {path}: no such file (run bps transform with saveGenericWorkflow: true)", file=sys.stderr)
        return 2
    import lsst.ctrl.bps  # noqa: F401  (the pickle's classes)

    with open(path, "rb") as f:
        workflow = pickle.load(f)
    jobs = []
    qgraph_file = None
    for name in workflow:
        job = workflow.get_job(name)
        node_ids = str(job.cmdvals.get("qgraphNodeId", "") or "")
        jobs.append(
            {
                "name": name,
                "label": job.label,
                "quanta": dict(job.quanta_counts),
                "nodeIds": [n for n in node_ids.split(",") if n],
                "executable": job.executable.src_uri if job.executable else None,
            }
        )
        for gw_file in workflow.get_job_inputs(name):
            if gw_file.name == "runQgraphFile":
                qgraph_file = gw_file.src_uri
    final = workflow.get_final()
    final_out = None
    if final is not None:
        script = final.executable.src_uri if final.executable else None
        text = open(script).read() if script and os.path.isfile(script) else ""
        final_out = {"name": final.name, "executable": script, "script": text}
    edges = [[parent, child] for parent, child in workflow.edges]
    print(json.dumps({"jobs": jobs, "edges": edges, "final": final_out, "qgraphFile": qgraph_file}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
