#!/usr/bin/env python3
"""End-to-end check of the LSST side of the tbps demo, driven the way BPS drives it.

For each step (step1, step2, step3 of lsst/pipelines/mock_drp.yaml) it runs, printing every command:

  pipetask qgraph ... --save-qgraph STEP.qg --qgraph-datastore-records     (graph generation)
  lsst/export_qgraph.py STEP.qg -o STEP.jsonl                               (tbps interchange file)
  pipetask pre-exec-init-qbb REPO STEP.qg                                   (pipetaskInit)
  pipetask run-qbb REPO STEP.qg --qgraph-node-id ID[,ID...]                 (one call per job, N at a time,
                                                                             a job starts when its parents end)
  butler aggregate-graph STEP.qg REPO --register-dataset-types --update-output-chain --mock-storage-classes
                                                                            (finalJob)

Each step reads the previous step's output chain. In step1 one job is a cluster (the 4 visit-level quanta of
one detector); every other job is one quantum. Then it runs the same steps with plain single-process
`pipetask run` into a second repository and compares dataset counts per dataset type, and finally injects a
failure (mock `fail_condition`) and reports run-qbb's exit code and root-cause log line.

Usage: .venv/bin/python tests/lsst/verify_demo.py [WORKDIR] [-j 2] [--skip-reference] [--skip-failure]
Prints a JSON summary (timings, quanta per step, counts) on stdout's last line; exits 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
PY = os.path.join(VENV_BIN, "python")
PIPETASK = os.path.join(VENV_BIN, "pipetask")
BUTLER = os.path.join(VENV_BIN, "butler")
PIPELINE = os.path.join(ROOT, "lsst", "pipelines", "mock_drp.yaml")
MAKE_REPO = os.path.join(ROOT, "lsst", "make_demo_repo.py")
EXPORT = os.path.join(ROOT, "lsst", "export_qgraph.py")
STEPS = ["step1", "step2", "step3"]
QUERY = {"step1": "instrument='HSC'", "step2": "instrument='HSC'", "step3": "skymap='discrete/ci_hsc'"}
_print_lock = threading.Lock()


def say(msg: str) -> None:
    with _print_lock:
        print(msg, file=sys.stderr, flush=True)


def run(cmd: list[str], log: str | None = None, check: bool = True, quiet: bool = False) -> tuple[int, float]:
    if not quiet:
        say("$ " + shlex.join(cmd))
    t0 = time.monotonic()
    if log:
        with open(log, "w") as f:
            rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT)
    else:
        rc = subprocess.call(cmd)
    dt = time.monotonic() - t0
    if check and rc != 0:
        tail = open(log).read()[-3000:] if log else ""
        raise SystemExit(f"command failed with exit code {rc}: {shlex.join(cmd)}\n{tail}")
    return rc, dt


def read_jsonl(path: str) -> tuple[dict, list[dict]]:
    with open(path) as f:
        header = json.loads(f.readline())
        quanta = [json.loads(line) for line in f]
    return header, quanta


def make_jobs(step: str, quanta: list[dict]) -> list[list[dict]]:
    """One quantum per job, except (step1) one cluster of the visit-level chain of one detector."""
    jobs: list[list[dict]] = []
    cluster: list[dict] = []
    if step == "step1":
        first = next(q for q in quanta if q["label"] == "characterizeImage")
        key = (first["dataId"]["visit"], first["dataId"]["detector"])
        cluster = [
            q for q in quanta
            if q["label"] != "isr" and (q["dataId"].get("visit"), q["dataId"].get("detector")) == key
        ]
    in_cluster = {q["id"] for q in cluster}
    placed = False
    for q in quanta:
        if q["id"] in in_cluster:
            if not placed:
                jobs.append(cluster)
                placed = True
            continue
        jobs.append([q])
    return jobs


def execute(repo: str, qg: str, jobs: list[list[dict]], workers: int, logdir: str) -> dict:
    """Run jobs with `workers` concurrent run-qbb processes, each job after all its parent jobs."""
    job_of = {q["id"]: i for i, job in enumerate(jobs) for q in job}
    deps = [set() for _ in jobs]
    children: list[set[int]] = [set() for _ in jobs]
    for i, job in enumerate(jobs):
        for q in job:
            for p in q["parents"]:
                j = job_of[p]
                if j != i:
                    deps[i].add(j)
                    children[j].add(i)
    waiting = [len(d) for d in deps]
    ready = [i for i, n in enumerate(waiting) if n == 0]
    durations: list[float] = []
    failed: list[int] = []
    shown = 0

    def one(i: int) -> tuple[int, int, float]:
        ids = ",".join(q["id"] for q in jobs[i])
        cmd = [PIPETASK, "run-qbb", repo, qg, "--qgraph-node-id", ids]
        nonlocal shown
        quiet = shown >= 2 and len(jobs[i]) == 1
        shown += 1
        rc, dt = run(cmd, log=os.path.join(logdir, f"job{i:05d}.log"), check=False, quiet=quiet)
        return i, rc, dt

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        running = set()
        while ready or running:
            while ready and len(running) < workers:
                running.add(pool.submit(one, ready.pop(0)))
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                i, rc, dt = fut.result()
                durations.append(dt)
                if rc != 0:
                    failed.append(i)
                    say(f"job {i} failed with exit code {rc}; see {logdir}/job{i:05d}.log")
                    continue  # children stay blocked (BPS marks them pruned)
                for c in children[i]:
                    waiting[c] -= 1
                    if waiting[c] == 0:
                        ready.append(c)
    wall = time.monotonic() - t0
    durations.sort()
    return {
        "jobs": len(jobs),
        "failedJobs": len(failed),
        "wallSeconds": round(wall, 1),
        "jobSecondsMedian": round(durations[len(durations) // 2], 2) if durations else None,
        "jobSecondsMax": round(durations[-1], 2) if durations else None,
    }


def dataset_counts(repo: str, collection: str) -> Counter:
    """Datasets per type in the RUN collection(s) of an output chain, via the butler Python API."""
    code = (
        "import json,sys\n"
        "from lsst.daf.butler import Butler\n"
        "b=Butler.from_config(sys.argv[1])\n"
        "runs=[c for c in b.collections.query(sys.argv[2], flatten_chains=True)"
        " if c.startswith('u/')]\n"
        "out={}\n"
        "for dt in b.registry.queryDatasetTypes():\n"
        "  n=b.registry.queryDatasets(dt, collections=runs).count(exact=True) if runs else 0\n"
        "  if n: out[dt.name]=n\n"
        "print(json.dumps(out))\n"
    )
    out = subprocess.check_output([PY, "-c", code, repo, collection], text=True)
    return Counter(json.loads(out.strip().splitlines()[-1]))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("workdir", nargs="?", default=os.path.join(ROOT, ".data", "lsst-verify"))
    ap.add_argument("-j", "--jobs", type=int, default=2, help="concurrent run-qbb processes (default 2)")
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--skip-failure", action="store_true")
    args = ap.parse_args()
    for exe in (PY, PIPETASK, BUTLER):
        if not os.path.exists(exe):
            raise SystemExit(f"{exe} missing: run scripts/setup-lsst.sh first")

    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    repo = os.path.join(work, "repo")
    summary: dict = {"workdir": work, "versions": json.load(open(os.path.join(ROOT, ".venv", "lsst-versions.json")))}

    _, dt = run([PY, MAKE_REPO, repo], log=os.path.join(work, "make_repo.log"))
    summary["repoBuildSeconds"] = round(dt, 1)

    steps: dict = {}
    inputs = "HSC/defaults"
    for step in STEPS:
        sd = os.path.join(work, step)
        os.makedirs(os.path.join(sd, "logs"))
        qg = os.path.join(sd, f"{step}.qg")
        out, run_coll = f"u/demo/{step}", f"u/demo/{step}/run"
        info: dict = {}
        _, info["qgraphSeconds"] = run(
            [PIPETASK, "qgraph", "-b", repo, "-i", inputs, "-o", out, "--output-run", run_coll,
             "-p", f"{PIPELINE}#{step}", "-d", QUERY[step], "--save-qgraph", qg, "--qgraph-datastore-records"],
            log=os.path.join(sd, "qgraph.log"),
        )
        jsonl = os.path.join(sd, f"{step}.jsonl")
        _, info["exportSeconds"] = run([PY, EXPORT, qg, "-o", jsonl], log=os.path.join(sd, "export.log"))
        header, quanta = read_jsonl(jsonl)
        info["quanta"] = len(quanta)
        info["quantaPerTask"] = dict(Counter(q["label"] for q in quanta))
        _, info["initSeconds"] = run([PIPETASK, "pre-exec-init-qbb", repo, qg], log=os.path.join(sd, "init.log"))
        jobs = make_jobs(step, quanta)
        info["execute"] = execute(repo, qg, jobs, args.jobs, os.path.join(sd, "logs"))
        if info["execute"]["failedJobs"]:
            raise SystemExit(f"{step}: {info['execute']['failedJobs']} jobs failed")
        _, info["aggregateSeconds"] = run(
            [BUTLER, "aggregate-graph", qg, repo, "--register-dataset-types", "--update-output-chain",
             "--mock-storage-classes"],
            log=os.path.join(sd, "aggregate.log"),
        )
        run([BUTLER, "query-datasets", repo, "--collections", run_coll, "*"],
            log=os.path.join(sd, "query-datasets.txt"))
        info["outputs"] = sum(dataset_counts(repo, run_coll).values())
        steps[step] = info
        say(f"== {step}: {json.dumps(info)}")
        inputs = out
    summary["steps"] = steps

    ok = True
    if not args.skip_reference:
        ref = os.path.join(work, "repo_ref")
        run([PY, MAKE_REPO, ref], log=os.path.join(work, "make_repo_ref.log"))
        inputs = "HSC/defaults"
        ref_times = {}
        for step in STEPS:
            out = f"u/ref/{step}"
            _, ref_times[step] = run(
                [PIPETASK, "run", "-b", ref, "-i", inputs, "-o", out, "--output-run", f"{out}/run",
                 "-p", f"{PIPELINE}#{step}", "-d", QUERY[step], "--register-dataset-types"],
                log=os.path.join(work, f"ref_{step}.log"),
            )
            inputs = out
        a = dataset_counts(repo, "u/demo/step3")
        b = dataset_counts(ref, "u/ref/step3")
        summary["reference"] = {
            "pipetaskRunSeconds": {k: round(v, 1) for k, v in ref_times.items()},
            "datasetsQbb": sum(a.values()),
            "datasetsPipetaskRun": sum(b.values()),
            "sameCountsPerDatasetType": a == b,
        }
        if a != b:
            ok = False
            diff = {k: (a.get(k, 0), b.get(k, 0)) for k in set(a) | set(b) if a.get(k, 0) != b.get(k, 0)}
            say(f"MISMATCH per dataset type (qbb, run): {diff}")

    if not args.skip_failure:
        fd = os.path.join(work, "failure")
        os.makedirs(fd)
        qg = os.path.join(fd, "fail.qg")
        run([PIPETASK, "qgraph", "-b", repo, "-i", "HSC/defaults", "-o", "u/demo/fail", "--output-run",
             "u/demo/fail/run", "-p", f"{PIPELINE}#step1", "-d", "visit = 903334 AND detector = 16",
             "-c", "calibrate:fail_condition=visit IN (903334) AND detector IN (16)",
             "-c", "calibrate:fail_exception=builtins.RuntimeError",
             "--save-qgraph", qg, "--qgraph-datastore-records"], log=os.path.join(fd, "qgraph.log"))
        jsonl = os.path.join(fd, "fail.jsonl")
        run([PY, EXPORT, qg, "-o", jsonl], log=os.path.join(fd, "export.log"))
        run([PIPETASK, "pre-exec-init-qbb", repo, qg], log=os.path.join(fd, "init.log"))
        _, quanta = read_jsonl(jsonl)
        by_label = {q["label"]: q["id"] for q in quanta}
        run([PIPETASK, "run-qbb", repo, qg, "--qgraph-node-id",
             f"{by_label['isr']},{by_label['characterizeImage']}"], log=os.path.join(fd, "pre.log"))
        log = os.path.join(fd, "calibrate.log")
        rc, _ = run([PIPETASK, "--long-log", "run-qbb", repo, qg, "--qgraph-node-id", by_label["calibrate"]],
                    log=log, check=False)
        text = open(log).read().splitlines()
        root = [line for line in text if line.startswith("RuntimeError: ")]
        summary["failure"] = {"runQbbExitCode": rc, "rootCause": root[0] if root else None}
        if rc != 1 or not root:
            ok = False
            say(f"failure injection: expected exit code 1 and a RuntimeError line; got {rc}, {root}")

    summary["ok"] = ok
    print(json.dumps(summary))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
