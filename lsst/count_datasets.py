#!/usr/bin/env python3
"""Count datasets per dataset type in a collection of a butler repository, as JSON.

    count_datasets.py REPO COLLECTION

Prints {"<datasetType>": count, ...} (find-first over the collection, so a chain counts each dataset once).
Used by the demo and the end-to-end tests to compare repositories.
"""

import json
import sys
from collections import Counter


def main() -> None:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    from lsst.daf.butler import Butler

    butler = Butler.from_config(sys.argv[1])
    counts: Counter[str] = Counter()
    for ref in butler.registry.queryDatasets(..., collections=[sys.argv[2]], findFirst=True):
        counts[ref.datasetType.name] += 1
    json.dump(dict(sorted(counts.items())), sys.stdout)
    print()


if __name__ == "__main__":
    main()
