#!/usr/bin/env python3
"""Outputs of a soak's LSST campaign, as JSON: datasets per dataset type (find-first over the collection) and the
datasets found more than once over the RUN collections under the output prefix (same dataset type and data id),
with how often. Init-outputs (task configs, packages) are stored once per group run by design; the caller compares
these multiplicities with a plain run's, so only extra copies count.

    lsst_outputs.py REPO COLLECTION OUTPUT_PREFIX
"""

import json
import sys
from collections import Counter


def main() -> None:
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    from lsst.daf.butler import Butler, CollectionType

    repo, collection, prefix = sys.argv[1:]
    butler = Butler.from_config(repo)
    counts: Counter[str] = Counter()
    for ref in butler.registry.queryDatasets(..., collections=[collection], findFirst=True):
        counts[ref.datasetType.name] += 1
    runs = [c for c in butler.registry.queryCollections(prefix + "/*", collectionTypes={CollectionType.RUN})]
    seen: Counter[tuple[str, str]] = Counter()
    for ref in butler.registry.queryDatasets(..., collections=runs, findFirst=False) if runs else []:
        seen[(ref.datasetType.name, str(ref.dataId.required))] += 1
    repeated = {f"{t} {d}": n for (t, d), n in sorted(seen.items()) if n > 1}
    json.dump({"counts": dict(sorted(counts.items())), "runs": sorted(runs), "repeated": repeated}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
