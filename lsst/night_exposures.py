#!/usr/bin/env python3
"""The exposures of one observing night in a butler repository, and which of them a campaign already covers.

    night_exposures.py REPO --day-obs YYYYMMDD --collections IN[,IN...] [--dataset-type raw]
                       [--where QUERY] [--output PREFIX]

An exposure of the night is one with ``day_obs = YYYYMMDD`` that has a dataset of ``--dataset-type`` (default raw)
in the input collections and matches ``--where`` (the step's data query). It is *covered* when a RUN collection
named ``PREFIX/...`` (the campaign's output collections) holds any dataset of that exposure or of a
visit it belongs to. Prints one JSON line:

    {"dayObs": 20131102, "exposures": [{"exposure": 903986, "visits": [903986]}, ...], "covered": [903986],
     "outputRuns": ["u/demo/nightly_20131102/step1/g1"]}

Exit code 2 for bad input (a day_obs that is not a date, a missing repository or collection), one line on stderr.
Used by the nightly campaigns (activities/nightly.ts through lsst/nightExposures.ts).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys


def fail(message: str) -> None:
    print(f"night_exposures: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def day_obs_value(text: str) -> int:
    """YYYYMMDD (or YYYY-MM-DD) of a real calendar date, as the integer the butler stores."""
    digits = text.replace("-", "")
    try:
        if len(digits) != 8 or not digits.isdigit():
            raise ValueError
        datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        fail(f"--day-obs {text!r} is not a date; expected YYYYMMDD such as 20131102")
    return int(digits)


def output_runs(butler, prefix: str) -> list[str]:
    from lsst.daf.butler import CollectionType

    if not prefix:
        return []
    names = butler.collections.query(f"{prefix}/*", collection_types={CollectionType.RUN})
    return sorted(names)


def covered_exposures(butler, runs: list[str], where: str, exposures: dict[int, list[int]]) -> set[int]:
    """Exposures (of this night) with any dataset in ``runs``, directly or through one of their visits."""
    if not runs:
        return set()
    of_visit: dict[int, set[int]] = {}
    for exposure, visits in exposures.items():
        for visit in visits:
            of_visit.setdefault(visit, set()).add(exposure)
    covered: set[int] = set()
    dataset_types = butler.registry.queryDatasetTypes(...)
    for dataset_type in dataset_types:
        names = set(dataset_type.dimensions.names)
        key = "exposure" if "exposure" in names else "visit" if "visit" in names else None
        if key is None:
            continue
        refs = butler.registry.queryDatasets(
            dataset_type, collections=runs, where=where, findFirst=False
        )
        for ref in refs:
            value = ref.dataId[key]
            covered |= {value} if key == "exposure" else of_visit.get(value, set())
    return covered & set(exposures)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo")
    parser.add_argument("--day-obs", required=True)
    parser.add_argument("--collections", required=True, help="input collection(s), comma-separated")
    parser.add_argument("--dataset-type", default="raw")
    parser.add_argument("--where", default="")
    parser.add_argument("--output", default="", help="prefix of the campaign's output collections")
    args = parser.parse_args(argv)
    day_obs = day_obs_value(args.day_obs)

    from lsst.daf.butler import Butler, InvalidQueryError
    from lsst.daf.butler.registry import MissingCollectionError, MissingDatasetTypeError

    try:
        butler = Butler.from_config(args.repo)
    except Exception as error:  # noqa: BLE001  (any failure to open is a bad repository path)
        fail(f"cannot open butler repository {args.repo!r}: {error}")
    collections = [c for c in args.collections.split(",") if c]
    where = f"day_obs = {day_obs}"
    if args.where.strip():
        where = f"({args.where}) AND {where}"
    exposures: dict[int, list[int]] = {}
    instruments: set[str] = set()
    try:
        data_ids = butler.registry.queryDataIds(
            ["exposure"], datasets=args.dataset_type, collections=collections, where=where
        )
        for data_id in data_ids:
            exposures.setdefault(data_id["exposure"], [])
            instruments.add(data_id["instrument"])
    except MissingCollectionError as error:
        fail(f"--collections: {error}")
    except MissingDatasetTypeError as error:
        fail(f"--dataset-type: {error}")
    except InvalidQueryError as error:
        fail(f"--where {args.where!r}: {error} (the step's data query must name the instrument, e.g. instrument='HSC')")
    # Later queries name the instrument(s) outright: the butler refuses day_obs without one.
    night = f"instrument IN ({', '.join(repr(i) for i in sorted(instruments))}) AND day_obs = {day_obs}"
    if exposures:
        for record in butler.registry.queryDimensionRecords("visit_definition", where=night):
            if record.exposure in exposures:
                exposures[record.exposure].append(record.visit)
    runs = output_runs(butler, args.output)
    covered = covered_exposures(butler, runs, night, exposures)
    print(
        json.dumps(
            {
                "dayObs": day_obs,
                "exposures": [{"exposure": e, "visits": sorted(v)} for e, v in sorted(exposures.items())],
                "covered": sorted(covered),
                "outputRuns": runs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
