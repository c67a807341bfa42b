#!/usr/bin/env python3
"""Build the tbps demo butler repository.

The repository holds real HSC dimension records (with sky regions) from the files that the
lsst-daf-butler wheel ships in ``lsst/daf/butler/tests/registry_data`` and mock input datasets
(``lsst.pipe.base.tests.mocks.MockDataset`` JSON files with ``_mock_<StorageClass>`` storage classes)
for every overall input of the demo pipeline (``lsst/pipelines/mock_drp.yaml`` by default).

What the shipped record files lack is filled in, and reported:

* exposures: HSC visits are one exposure each, so an exposure (same id, filter, day_obs, times), a
  group and a ``visit_definition`` are made for each visit that has none;
* patches: the ci_hsc skymap file has the tract but no patches, so the tract is cut into an
  ``patch_nx_max`` x ``patch_ny_max`` grid of patch records (regions interpolated between the
  tract's corners);
* visit_detector_region: the hsc-rc2 file has none; each detector then gets the visit's region;
* nights: ci_hsc has two observing nights (day_obs 20130617 and 20131102); nightly campaigns want more, so
  ``--nights N`` (default 3) spreads the visits of the files' last night over N consecutive nights (day_obs D,
  D+1, ...; visits in id order, as evenly as possible, their times moved by whole days). ``--nights 1`` keeps
  the files' nights. With ci_hsc the nights are 20130617 (6 visits), 20131102 (903986, 903988), 20131103
  (903990, 904010) and 20131104 (904014).

Collections made (DRP-like names): ``HSC/raw/all`` (raw), ``HSC/calib`` (CALIBRATION, bias and flat
certified for all time) with its RUN ``HSC/calib/mock``, ``refcats`` (reference catalog shards),
``skymaps`` (skyMap), and the CHAINED input collection ``HSC/defaults`` over all of them.

Scale (benchmarks): ``--synthetic-visits N`` adds N visits, each a copy of a real visit in turn (same filter,
day_obs, pointing and detector regions; new ids from 2000000 up), and ``--synthetic-detectors M`` adds M detectors
(new ids above the real ones, below the instrument's ``detector_max``) to every visit, each with the region of one
of that visit's real detectors. With ci_hsc (11 visits, 3 detectors each) ``--synthetic-visits 209
--synthetic-detectors 87`` gives 220 visits x 90 detectors = 19,800 visit-detectors, about 101k quanta for
lsst/pipelines/mock_drp.yaml. Without these options the repository is the plain demo.

Usage:  make_demo_repo.py REPO [--records ci_hsc|hsc-rc2] [--visits 903334,903336] [--detectors ...] [--nights N]
        [--synthetic-visits N] [--synthetic-detectors M] [--pipeline PATH] [--clobber]
Needs the venv made by scripts/setup-lsst.sh (run it with .venv/bin/python).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict

RECORD_SETS = {
    # name: files in lsst/daf/butler/tests/registry_data, imported in order
    "ci_hsc": ["ci_hsc-subset.yaml", "ci_hsc-subset-skymap.yaml"],
    "hsc-rc2": ["hsc-rc2-subset-v0.yaml"],
}
DATA_ROOT = "resource://lsst.daf.butler/tests/registry_data/"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_PIPELINE = os.path.join(HERE, "pipelines", "mock_drp.yaml")

RAW_RUN = "HSC/raw/all"
CALIB_COLLECTION = "HSC/calib"
CALIB_RUN = "HSC/calib/mock"
REFCAT_RUN = "refcats"
SKYMAP_RUN = "skymaps"
INPUT_CHAIN = "HSC/defaults"


def log(msg: str) -> None:
    print(f"[make_demo_repo] {msg}", file=sys.stderr, flush=True)


def fail(msg: str, code: int = 2) -> None:
    print(f"[make_demo_repo] ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(code)


def dimension_only_yaml(name: str) -> str:
    """Return the export file ``name`` reduced to its dimension records.

    The shipped files also hold dataset entries that point at files which are not shipped (e.g. a
    pickled skyMap) and whose formatters need packages we do not have; those are dropped. Filtering
    happens on the YAML node tree, so the butler-specific tags stay untouched.
    """
    import yaml
    from lsst.resources import ResourcePath

    text = ResourcePath(DATA_ROOT + name).read().decode()
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    for key, value in root.value:
        if key.value == "data":
            value.value = [
                item
                for item in value.value
                if any(k.value == "type" and v.value == "dimension" for k, v in item.value)
            ]
    return yaml.serialize(root)


def import_records(butler, files: list[str]) -> None:
    for name in files:
        text = dimension_only_yaml(name)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(text)
        try:
            butler.import_(filename=f.name, format="yaml")
        finally:
            os.unlink(f.name)
        log(f"imported dimension records from {name}")


def records(butler, element: str, **kwargs) -> list:
    return list(butler.query_dimension_records(element, explain=False, **kwargs))


def complete_exposures(butler) -> int:
    """Make one exposure (+group, visit_definition, visit_system membership) per visit lacking one."""
    universe = butler.dimensions
    defined = {(r.instrument, r.visit) for r in records(butler, "visit_definition")}
    exposures = {(r.instrument, r.id) for r in records(butler, "exposure")}
    groups, exps, defs = [], [], []
    for v in records(butler, "visit"):
        if (v.instrument, v.id) in defined:
            continue
        if (v.instrument, v.id) not in exposures:
            groups.append(universe["group"].RecordClass(instrument=v.instrument, name=str(v.id)))
            exps.append(
                universe["exposure"].RecordClass(
                    instrument=v.instrument,
                    id=v.id,
                    day_obs=v.day_obs,
                    group=str(v.id),
                    physical_filter=v.physical_filter,
                    obs_id=v.name,
                    exposure_time=v.exposure_time,
                    dark_time=v.exposure_time,
                    observation_type="science",
                    observation_reason=v.observation_reason or "science",
                    seq_num=v.seq_num if v.seq_num is not None else v.id,
                    seq_start=v.seq_num if v.seq_num is not None else v.id,
                    seq_end=v.seq_num if v.seq_num is not None else v.id,
                    target_name=v.target_name,
                    science_program=v.science_program,
                    azimuth=v.azimuth,
                    zenith_angle=v.zenith_angle,
                    has_simulated=False,
                    can_see_sky=True,
                    timespan=v.timespan,
                )
            )
        defs.append(universe["visit_definition"].RecordClass(instrument=v.instrument, exposure=v.id, visit=v.id))
    if groups:
        butler.registry.insertDimensionData("group", *groups, skip_existing=True)
    if exps:
        butler.registry.insertDimensionData("exposure", *exps)
    if defs:
        butler.registry.insertDimensionData("visit_definition", *defs)
    # A 'one-to-one' visit system, as HSC defines it, when the files carry none.
    instruments = {v.instrument for v in records(butler, "visit")}
    have_systems = {(r.instrument, r.id) for r in records(butler, "visit_system")}
    members = {(r.instrument, r.visit) for r in records(butler, "visit_system_membership")}
    for inst in instruments:
        if (inst, 0) not in have_systems:
            butler.registry.insertDimensionData(
                "visit_system", universe["visit_system"].RecordClass(instrument=inst, id=0, name="one-to-one")
            )
    new_members = [
        universe["visit_system_membership"].RecordClass(instrument=v.instrument, visit_system=0, visit=v.id)
        for v in records(butler, "visit")
        if (v.instrument, v.id) not in members
    ]
    if new_members:
        butler.registry.insertDimensionData("visit_system_membership", *new_members)
    return len(exps)


def complete_visit_detector_regions(butler) -> int:
    """Give each (visit, detector) the visit's region when the files carry no per-detector regions."""
    if records(butler, "visit_detector_region"):
        return 0
    universe = butler.dimensions
    rows = []
    detectors = records(butler, "detector")
    for v in records(butler, "visit"):
        for d in detectors:
            if d.instrument == v.instrument:
                rows.append(
                    universe["visit_detector_region"].RecordClass(
                        instrument=v.instrument, visit=v.id, detector=d.id, region=v.region
                    )
                )
    if rows:
        butler.registry.insertDimensionData("visit_detector_region", *rows)
    return len(rows)


def complete_patches(butler) -> int:
    """Cut each tract without patches into the skymap's patch grid."""
    from lsst.sphgeom import ConvexPolygon, UnitVector3d

    universe = butler.dimensions
    skymaps = {r.name: r for r in records(butler, "skymap")}
    with_patches = {(r.skymap, r.tract) for r in records(butler, "patch")}
    rows = []
    for tract in records(butler, "tract"):
        if (tract.skymap, tract.id) in with_patches:
            continue
        sm = skymaps[tract.skymap]
        nx, ny = sm.patch_nx_max, sm.patch_ny_max
        corners = list(tract.region.getVertices())
        if len(corners) != 4:
            fail(f"tract {tract.skymap}/{tract.id} region has {len(corners)} vertices; cannot grid it")
        c0, c1, c2, c3 = corners  # (min,min) (max,min) (max,max) (min,max), as in the shipped file

        def at(u: float, w: float) -> UnitVector3d:
            return UnitVector3d((c0 * (1 - u) + c1 * u) * (1 - w) + (c3 * (1 - u) + c2 * u) * w)

        for y in range(ny):
            for x in range(nx):
                poly = ConvexPolygon.convexHull(
                    [
                        at(x / nx, y / ny),
                        at((x + 1) / nx, y / ny),
                        at((x + 1) / nx, (y + 1) / ny),
                        at(x / nx, (y + 1) / ny),
                    ]
                )
                rows.append(
                    universe["patch"].RecordClass(
                        skymap=tract.skymap, tract=tract.id, id=y * nx + x, cell_x=x, cell_y=y, region=poly
                    )
                )
    if rows:
        butler.registry.insertDimensionData("patch", *rows)
    return len(rows)


def spread_last_night(butler, nights: int) -> dict[int, list[int]]:
    """Move the visits of the last night over ``nights`` consecutive nights; returns {day_obs: [visit ids]} moved."""
    import datetime

    from lsst.daf.butler import Timespan

    if nights <= 1:
        return {}
    universe = butler.dimensions
    visits = sorted(records(butler, "visit"), key=lambda v: (v.day_obs, v.id))
    if not visits:
        return {}
    last = max(v.day_obs for v in visits)
    instrument = visits[-1].instrument
    of_last = [v for v in visits if v.day_obs == last and v.instrument == instrument]
    day_records = {(r.instrument, r.id): r for r in records(butler, "day_obs")}
    base = datetime.date(last // 10000, last // 100 % 100, last % 100)
    moved: dict[int, list[int]] = defaultdict(list)
    per_night = -(-len(of_last) // nights)  # ceiling: the first nights get the extra visits
    for index, visit in enumerate(of_last):
        shift = min(index // per_night, nights - 1) if per_night else 0
        if shift == 0:
            continue
        day = base + datetime.timedelta(days=shift)
        day_obs = int(day.strftime("%Y%m%d"))
        delta = datetime.timedelta(days=shift)
        if (instrument, day_obs) not in day_records:
            template = day_records.get((instrument, last))
            span = None
            if template is not None and template.timespan is not None:
                span = Timespan(template.timespan.begin + delta, template.timespan.end + delta)
            record = universe["day_obs"].RecordClass(instrument=instrument, id=day_obs, timespan=span)
            butler.registry.insertDimensionData("day_obs", record)
            day_records[(instrument, day_obs)] = record
        fields = visit.toDict()
        fields["day_obs"] = day_obs
        if visit.timespan is not None:
            fields["timespan"] = Timespan(visit.timespan.begin + delta, visit.timespan.end + delta)
        butler.registry.syncDimensionData("visit", universe["visit"].RecordClass(**fields), update=True)
        moved[day_obs].append(visit.id)
    return dict(moved)


SYNTHETIC_VISIT_BASE = 2000000


def add_synthetic_visits(butler, count: int) -> int:
    """Add ``count`` visits, each a copy of a real visit in turn (with its visit_detector_region rows)."""
    if count <= 0:
        return 0
    universe = butler.dimensions
    templates = sorted(records(butler, "visit"), key=lambda v: (v.instrument, v.id))
    if not templates:
        fail("--synthetic-visits: the record files define no visits to copy")
    regions_of = defaultdict(list)
    for r in records(butler, "visit_detector_region"):
        regions_of[(r.instrument, r.visit)].append(r)
    visit_max = {r.name: r.visit_max for r in records(butler, "instrument")}
    taken = {(v.instrument, v.id) for v in templates}
    visits, regions = [], []
    for i in range(count):
        template = templates[i % len(templates)]
        new_id = SYNTHETIC_VISIT_BASE + i
        if (template.instrument, new_id) in taken or new_id >= (visit_max.get(template.instrument) or 1 << 62):
            fail(f"--synthetic-visits {count}: visit id {new_id} is taken or above the instrument's visit_max")
        fields = template.toDict()
        fields.update(id=new_id, name=f"SYNTHETIC{new_id}", seq_num=new_id)
        visits.append(universe["visit"].RecordClass(**fields))
        for r in regions_of[(template.instrument, template.id)]:
            regions.append(
                universe["visit_detector_region"].RecordClass(
                    instrument=r.instrument, visit=new_id, detector=r.detector, region=r.region
                )
            )
    butler.registry.insertDimensionData("visit", *visits)
    if regions:
        butler.registry.insertDimensionData("visit_detector_region", *regions)
    return len(visits)


def add_synthetic_detectors(butler, count: int) -> int:
    """Add ``count`` detectors and give every visit a region for each (a copy of one of its real detectors')."""
    if count <= 0:
        return 0
    universe = butler.dimensions
    detectors = sorted(records(butler, "detector"), key=lambda d: (d.instrument, d.id))
    if not detectors:
        fail("--synthetic-detectors: the record files define no detectors to copy")
    instrument = detectors[0].instrument
    detector_max = {r.name: r.detector_max for r in records(butler, "instrument")}.get(instrument) or 1 << 30
    first = max(d.id for d in detectors if d.instrument == instrument) + 1
    if first + count > detector_max:
        fail(
            f"--synthetic-detectors {count}: {instrument} allows detector ids below {detector_max} and the real ones "
            f"end at {first - 1}; use at most {detector_max - first} (add visits with --synthetic-visits instead)"
        )
    new = []
    for k in range(count):
        fields = detectors[0].toDict()
        fields.update(id=first + k, full_name=f"S_{first + k}", name_in_raft=str(first + k), raft="S")
        new.append(universe["detector"].RecordClass(**fields))
    butler.registry.insertDimensionData("detector", *new)
    regions_of = defaultdict(list)
    for r in records(butler, "visit_detector_region"):
        regions_of[(r.instrument, r.visit)].append(r)
    rows = []
    for (inst, visit), real in sorted(regions_of.items()):
        if inst != instrument:
            continue
        real.sort(key=lambda r: r.detector)
        for k, d in enumerate(new):
            rows.append(
                universe["visit_detector_region"].RecordClass(
                    instrument=inst, visit=visit, detector=d.id, region=real[k % len(real)].region
                )
            )
    if rows:
        butler.registry.insertDimensionData("visit_detector_region", *rows)
    return len(new)


def restrict(butler, visits: set[int] | None, detectors: set[int] | None) -> list[tuple[str, int, int, object]]:
    """(instrument, visit, detector, region) of the visit-detector pairs that get raws."""
    out = []
    for r in records(butler, "visit_detector_region"):
        if visits and r.visit not in visits:
            continue
        if detectors and r.detector not in detectors:
            continue
        out.append((r.instrument, r.visit, r.detector, r.region))
    return sorted(out, key=lambda t: t[:3])


def make_inputs(butler, pipeline_path: str, pairs, repo_root: str) -> dict[str, int]:
    """Register every overall-input dataset type of the pipeline and put mock datasets for it."""
    from lsst.daf.butler import CollectionType, DataCoordinate, DatasetRef, FileDataset, Timespan
    from lsst.daf.butler.formatters.json import JsonFormatter
    from lsst.pipe.base import Pipeline
    from lsst.pipe.base.tests.mocks import MockDataset
    from lsst.sphgeom import RangeSet

    graph = Pipeline.from_uri(pipeline_path).to_graph()
    graph.resolve(butler.registry)
    universe = butler.dimensions

    exposure_of_visit = defaultdict(list)
    for d in records(butler, "visit_definition"):
        exposure_of_visit[(d.instrument, d.visit)].append(d.exposure)
    filter_of_exposure = {(e.instrument, e.id): e.physical_filter for e in records(butler, "exposure")}

    butler.collections.register(RAW_RUN)
    butler.collections.register(CALIB_RUN)
    butler.collections.register(CALIB_COLLECTION, CollectionType.CALIBRATION)
    butler.collections.register(REFCAT_RUN)
    butler.collections.register(SKYMAP_RUN)

    def expand_all(dataset_type, data_ids) -> list:
        """Expanded data ids (with implied values): one registry query per data id for a few, one query for many."""
        dims = dataset_type.dimensions
        if dims.skypix or len(data_ids) < 100:
            return [butler.registry.expandDataId(d, dimensions=dims) for d in data_ids]
        known = {c.required_values: c for c in butler.registry.queryDataIds(dims).expanded()}
        out = []
        for d in data_ids:
            key = DataCoordinate.standardize(d, dimensions=dims).required_values
            if key not in known:
                fail(f"no dimension records for {dataset_type.name} data id {d}")
            out.append(known[key])
        return out

    def put_all(dataset_type, data_ids, run) -> list:
        """Write one mock dataset per data id and ingest them all in one transaction (a butler.put per dataset
        costs about 0.1 s here: half an hour for the 20k raws of a benchmark repository)."""
        refs, files = [], []
        staging = tempfile.mkdtemp(prefix=".mock-inputs-", dir=repo_root)
        try:
            for i, data_id in enumerate(expand_all(dataset_type, list(data_ids))):
                ref = DatasetRef(dataset_type, data_id, run=run)
                mock = MockDataset(
                    dataset_id=ref.id, dataset_type=dataset_type.to_simple(), data_id=dict(ref.dataId.mapping), run=run
                )
                path = os.path.join(staging, f"{i}.json")
                with open(path, "w") as f:
                    f.write(mock.model_dump_json())
                files.append(FileDataset(path=path, refs=[ref], formatter=JsonFormatter))
                refs.append(ref)
            if files:
                butler.ingest(*files, transfer="move")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return refs

    counts: dict[str, int] = {}
    for name, node in graph.iter_overall_inputs():
        dt = node.dataset_type
        butler.registry.registerDatasetType(dt)
        dims = set(dt.dimensions.required)
        if dt.dimensions.skypix:
            # Reference-catalog shards: every pixel that touches a selected detector.
            (skypix,) = dt.dimensions.skypix
            pixelization = universe.skypix_dimensions[skypix].pixelization
            ranges = RangeSet()
            for *_, region in pairs:
                ranges |= pixelization.envelope(region)
            ids = [
                DataCoordinate.from_required_values(dt.dimensions, (i,))
                for begin, end in ranges
                for i in range(begin, end)
            ]
            refs = put_all(dt, ids, REFCAT_RUN)
        elif dims <= {"skymap"}:
            ids = [{"skymap": s.name} for s in records(butler, "skymap")]
            refs = put_all(dt, ids, SKYMAP_RUN)
        elif dt.isCalibration():
            ids = set()
            for inst, visit, det, _ in pairs:
                for exp in exposure_of_visit[(inst, visit)]:
                    full = {
                        "instrument": inst,
                        "detector": det,
                        "physical_filter": filter_of_exposure[(inst, exp)],
                    }
                    ids.add(tuple(sorted((k, v) for k, v in full.items() if k in dims)))
            refs = put_all(dt, [dict(t) for t in sorted(ids)], CALIB_RUN)
            butler.registry.certify(CALIB_COLLECTION, refs, Timespan(None, None))
        elif dims == {"instrument", "exposure", "detector"}:
            ids = [
                {"instrument": inst, "exposure": exp, "detector": det}
                for inst, visit, det, _ in pairs
                for exp in exposure_of_visit[(inst, visit)]
            ]
            refs = put_all(dt, ids, RAW_RUN)
        else:
            fail(f"do not know how to make mock inputs for {name} with dimensions {sorted(dims)}")
        counts[name] = len(refs)
        log(f"  {name:24s} {len(refs):5d} mock datasets ({dt.storageClass_name})")
    butler.collections.register(INPUT_CHAIN, CollectionType.CHAINED)
    butler.collections.redefine_chain(INPUT_CHAIN, [RAW_RUN, CALIB_COLLECTION, REFCAT_RUN, SKYMAP_RUN])
    return counts


def nights_of(butler, visits: set[int]) -> dict[str, list[int]]:
    """{day_obs: [visit ids]} of the visits that got raws."""
    out: dict[str, list[int]] = defaultdict(list)
    for v in records(butler, "visit"):
        if v.id in visits:
            out[str(v.day_obs)].append(v.id)
    return {k: sorted(v) for k, v in sorted(out.items())}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("repo", help="directory of the new butler repository")
    ap.add_argument("--records", choices=sorted(RECORD_SETS), default="ci_hsc",
                    help="which shipped dimension-record files to use (default ci_hsc)")
    ap.add_argument("--visits", help="comma-separated visit ids to give raws (default: all)")
    ap.add_argument("--detectors", help="comma-separated detector ids to give raws (default: all)")
    ap.add_argument("--synthetic-visits", type=int, default=0, metavar="N",
                    help="add N visits, copies of the real ones in turn (benchmark scale; default 0)")
    ap.add_argument("--synthetic-detectors", type=int, default=0, metavar="M",
                    help="add M detectors to every visit (benchmark scale; default 0)")
    ap.add_argument("--nights", type=int, default=3, metavar="N",
                    help="spread the visits of the files' last night over N consecutive nights (default 3; 1 keeps them)")
    ap.add_argument("--pipeline", default=DEFAULT_PIPELINE,
                    help="pipeline whose overall inputs get mock datasets (default: %(default)s)")
    ap.add_argument("--clobber", action="store_true", help="delete REPO first if it exists")
    args = ap.parse_args(argv)

    def ints(s: str | None) -> set[int] | None:
        if not s:
            return None
        try:
            return {int(x) for x in s.split(",") if x.strip()}
        except ValueError:
            fail(f"not a comma-separated list of integers: {s!r}")
            raise

    visits, detectors = ints(args.visits), ints(args.detectors)
    if args.nights < 1:
        fail(f"--nights {args.nights}: expected a number >= 1")
    for option, value in (("--synthetic-visits", args.synthetic_visits), ("--synthetic-detectors", args.synthetic_detectors)):
        if value < 0:
            fail(f"{option} {value}: expected a number >= 0")
    if not os.path.exists(args.pipeline):
        fail(f"pipeline file not found: {args.pipeline}")
    if os.path.exists(args.repo) and os.listdir(args.repo):
        if not args.clobber:
            fail(f"{args.repo} exists and is not empty (pass --clobber to replace it)")
        shutil.rmtree(args.repo)

    t0 = time.monotonic()
    try:
        import lsst.daf.butler  # noqa: F401
        import lsst.pipe.base.tests.mocks  # noqa: F401  (teaches the butler the _mock_ storage classes)
    except ImportError as e:
        fail(f"LSST middleware not importable ({e}); run scripts/setup-lsst.sh and use .venv/bin/python")

    try:
        summary = build(args, visits, detectors, t0)
    except BaseException:
        # Never leave a half-built repository behind: the next run would refuse it or, worse, use it.
        shutil.rmtree(args.repo, ignore_errors=True)
        raise
    print(json.dumps(summary))
    log(f"done in {summary['seconds']} s; input collection {INPUT_CHAIN}")
    return 0


def build(args: argparse.Namespace, visits: set[int] | None, detectors: set[int] | None, t0: float) -> dict:
    from lsst.daf.butler import Butler

    config = Butler.makeRepo(args.repo)
    with Butler.from_config(config, writeable=True) as butler:
        import_records(butler, RECORD_SETS[args.records])
        n = complete_visit_detector_regions(butler)
        if n:
            log(f"made {n} visit_detector_region records from visit regions (the file has none)")
        moved = spread_last_night(butler, args.nights)
        for day_obs, ids in sorted(moved.items()):
            log(f"moved visits {', '.join(map(str, ids))} to night {day_obs} (--nights {args.nights})")
        n = add_synthetic_visits(butler, args.synthetic_visits)
        if n:
            log(f"added {n} synthetic visits (copies of the real ones)")
        n = add_synthetic_detectors(butler, args.synthetic_detectors)
        if n:
            log(f"added {n} synthetic detectors to every visit")
        n = complete_exposures(butler)
        if n:
            log(f"made {n} exposure records (one per visit, HSC-style) with visit_definition rows")
        n = complete_patches(butler)
        if n:
            log(f"made {n} patch records by gridding the tract regions")
        pairs = restrict(butler, visits, detectors)
        if not pairs:
            fail("no visit/detector pairs left after --visits/--detectors")
        log(f"{len(pairs)} visit/detector pairs over {len({p[1] for p in pairs})} visits get raws")
        counts = make_inputs(butler, args.pipeline, pairs, os.path.abspath(args.repo))
        summary = {
            "repo": os.path.abspath(args.repo),
            "records": args.records,
            "inputCollection": INPUT_CHAIN,
            "visits": sorted({p[1] for p in pairs}),
            "nights": nights_of(butler, {p[1] for p in pairs}),
            "visitDetectors": [[p[1], p[2]] for p in pairs],
            "inputs": counts,
            "seconds": round(time.monotonic() - t0, 2),
        }
    return summary


if __name__ == "__main__":
    sys.exit(main())
