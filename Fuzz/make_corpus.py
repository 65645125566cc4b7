#!/usr/bin/env python3
"""Writes the seed corpora Fuzz/corpus/<target>/ (committed; rerun only to refresh them).

Usage: python3 Fuzz/make_corpus.py path/to/reprise

Seeds are small valid inputs, taken from the repository's fixtures or made by `reprise` itself (a synthesized archive,
its bundle, checkpoint and run index; a quick run of fixtures/studies/tiny.json for real manifests), and a few
nearly-valid variants of each (cut short, one field wrong). Each seed is at most a few KiB.
"""
import gzip, json, os, shutil, struct, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "corpus")
LIMIT = 4096


def put(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def head(path, limit=LIMIT):
    """The file's first lines that fit in `limit` bytes (whole lines, so the seed stays valid)."""
    data = open(path, "rb").read()
    if len(data) <= limit:
        return data
    return data[: data.rindex(b"\n", 0, limit) + 1]


def two_parts(first, second):
    """FuzzInput.twoParts: 2-byte little-endian length of the first part, the first part, the second."""
    assert len(first) < 65536
    return struct.pack("<H", len(first)) + first + second


def bundle_objects(path):
    """(id, bytes) of every object in a bundle (Sources/Archive/Bundle.swift's format)."""
    data, i, out = open(path, "rb").read(), 0, []
    i = data.index(b"\n") + 1
    while True:
        end = data.index(b"\n", i)
        parts = data[i:end].split(b" ")
        i = end + 1
        if parts[0] != b"object":
            return out
        n = int(parts[2])
        out.append((parts[1].decode(), data[i : i + n]))
        i += n


def main(reprise):
    shutil.rmtree(CORPUS, ignore_errors=True)
    work = tempfile.mkdtemp()
    run = lambda *args: subprocess.run([reprise, *args], check=True, capture_output=True, text=True).stdout
    fixtures = os.path.join(ROOT, "fixtures")

    # CSV and claims: the fixtures' tables and claims files (their first lines), and broken variants.
    for d in ["published", "timm-results"]:
        for f in sorted(os.listdir(os.path.join(fixtures, d)))[:4]:
            if f.endswith(".csv"):
                put("CSV", f, head(os.path.join(fixtures, d, f), 2048))
    put("CSV", "quoted.csv", 'a,"b ""q"", c"\n"x\ny",2\r\n,\n')
    put("CSV", "unterminated.csv", 'a,b\n"1,2\n')
    put("CSV", "ragged.csv", "a,b\n1\n1,2,3\n")
    for f in sorted(os.listdir(os.path.join(fixtures, "claims"))):
        if f.endswith(".csv"):
            put("Claims", f, head(os.path.join(fixtures, "claims", f)))
    for f in sorted(os.listdir(os.path.join(fixtures, "published")))[:2]:
        put("Claims", "table-" + f, head(os.path.join(fixtures, "published", f), 2048))
    put("Claims", "bad-argument.csv", "id,paper,location,published,analysis,input,arguments,note\n"
        "c1,p,l,0.50,pearson-r,t.csv,x=a; y,n\nc1,p,l,1e400,mean,t.csv,column=a,n\n")

    # Canonical JSON, study specs.
    for f in sorted(os.listdir(os.path.join(fixtures, "studies"))):
        if f.endswith(".json"):
            put("CanonicalJSON", f, head(os.path.join(fixtures, "studies", f)))
            put("StudySpec", f, head(os.path.join(fixtures, "studies", f), 8192))
    put("CanonicalJSON", "example.json", '{"b": [1.0, 0.5], "a": "x"}')
    put("CanonicalJSON", "numbers.json", "[0, -0, 1e0, 1.5e-5, 9007199254740993, -9223372036854775808, 1E400, 0.1]")
    put("CanonicalJSON", "strings.json", r'["\u00e9\ud83d\ude00", "\b\f\n\r\t\"\\\/", "\u0001", "é"]')
    put("CanonicalJSON", "nested.json", "[" * 40 + "{}" + "]" * 40)
    put("CanonicalJSON", "duplicate.json", '{"a": 1, "a": 2}')
    tiny = json.load(open(os.path.join(fixtures, "studies", "tiny.json")))
    tiny["trainig"] = tiny.pop("training")
    put("StudySpec", "typo.json", json.dumps(tiny))
    tiny = json.load(open(os.path.join(fixtures, "studies", "tiny.json")))
    tiny["quick"]["architectures"] = 99
    tiny["training"]["fear"] = {"thresholdPercent": 0, "stage2Epochs": 0}
    put("StudySpec", "invalid.json", json.dumps(tiny))

    # An archive made by reprise: manifests and records (Manifest, RunSpec), bundle, checkpoint, run index.
    archive = os.path.join(work, "a")
    run("synthesize", "--archive", archive, "--runs", "3", "--tensor-bytes", "64")
    runs = sorted(os.listdir(os.path.join(archive, "refs", "runs")))
    run("ls", "--archive", archive)
    run("bundle", "export", "--archive", archive, runs[0], "-o", os.path.join(work, "one.bundle"))
    bundle = open(os.path.join(work, "one.bundle"), "rb").read()
    put("Bundle", "one-run.bundle", bundle)
    put("Bundle", "truncated.bundle", bundle[: len(bundle) // 2])
    put("Bundle", "bad-ref.bundle", b"reprise-bundle 1\nref ../runs " + runs[0].encode() + b" " + runs[1].encode() + b"\nend\n")
    for n, (oid, data) in enumerate(bundle_objects(os.path.join(work, "one.bundle"))):
        if data.startswith(b"{") and len(data) <= LIMIT:
            put("Manifest", "synthesized-%d.json" % n, data)
    index = open(os.path.join(archive, "index", "runs"), "rb").read()
    journal = open(os.path.join(archive, "index", "journal"), "rb").read()
    put("RunIndex", "snapshot-and-journal", two_parts(index, journal))
    put("RunIndex", "snapshot-only", two_parts(index.replace(b"reprise-run-index 1 " + str(len(journal)).encode(), b"reprise-run-index 1 0"), b""))
    put("RunIndex", "escapes", two_parts(b"reprise-run-index 1 0\n" + runs[0].encode() +
                                         b"\ttrain\tdi\\tgits\\s\t0123456789ab\t-7\tfailed\tr\\e\\\\\\n\tx\\s=1;test_top1_error=0.5\n", journal))
    put("RunIndex", "journal-only", two_parts(b"", journal + journal[:50]))
    h5 = os.path.join(work, "c.h5")
    run("checkpoint", "export", "--archive", archive, runs[0], "-o", h5)
    put("HDF5Checkpoint", "synthesized.h5", open(h5, "rb").read())

    # Real manifests (RunSpec, Manifest) and a multi-tensor checkpoint from a quick study run, when one is given.
    study = os.environ.get("REPRISE_SEED_STUDY")
    if study:
        study_runs = sorted(os.listdir(os.path.join(study, "refs", "runs")))
        run("bundle", "export", "--archive", study, study_runs[0], "-o", os.path.join(work, "study.bundle"))
        for n, (oid, data) in enumerate(bundle_objects(os.path.join(work, "study.bundle"))):
            if data.startswith(b"{") and len(data) <= LIMIT:
                put("Manifest", "study-%d.json" % n, data)
                if b'"architecture"' in data:
                    put("RunSpec", "manifest-%d.json" % n, data)
                    m = json.loads(data)
                    put("RunSpec", "runspec-%d.json" % n, json.dumps({k: m[k] for k in ["architecture", "dataset", "training", "seed"]}))
                    put("RunSpec", "training-%d.json" % n, json.dumps(m["training"]))
        run("checkpoint", "export", "--archive", study, study_runs[0], "--epoch", "0", "-o", h5)
        if os.path.getsize(h5) <= 32768:
            put("HDF5Checkpoint", "study-epoch0.h5", open(h5, "rb").read())
    # Checkpoints as h5py writes them (when it is installed): several tensors, chunked and gzip-compressed; and a
    # Reprise-layout file with three tensors but h5py's variable-length strings (refused: a nearly-valid seed).
    try:
        import h5py, numpy
    except ImportError:
        h5py = None
    if h5py:
        for name, chunked in [("h5py-gzip.h5", True), ("h5py-three-tensors.h5", False)]:
            with h5py.File(h5, "w", libver="earliest", track_order=False) as f:
                shapes = {"stem.conv.weight": (4, 1, 3, 3), "head.fc.bias": (5,), "s1.b1.bn.running_var": (4,)}
                for t, shape in shapes.items():
                    values = numpy.arange(numpy.prod(shape), dtype="<f4").reshape(shape) / 8
                    f.create_dataset(t, data=values, **({"chunks": shape, "compression": "gzip"} if chunked else {}))
                text = numpy.bytes_ if chunked else str
                f.attrs["reprise_format"] = text("reprise-checkpoint 1")
                f.attrs["run_id"] = text(runs[0])
                f.attrs["epoch"], f.attrs["step"] = numpy.int64(1), numpy.int64(12)
                order = "\n".join(shapes)
                f.attrs["tensor_order"] = text(order)
            put("HDF5Checkpoint", name, open(h5, "rb").read())
    put("RunSpec", "steps.json", '{"epochs": 3, "batchSize": 2, "schedule": "steps", "steps": [1, 2], "warmupEpochs": 2,'
        ' "fear": {"thresholdPercent": 50, "stage2Epochs": 1}, "earlyStoppingPatience": 1}')

    # Notebooks: the committed text notebooks (first lines) and unclosed or odd fences.
    nb = os.path.join(ROOT, "notebooks-text")
    for f in sorted(os.listdir(nb)):
        put("Notebook", f, head(os.path.join(nb, f), 3072))
    put("Notebook", "unclosed.md", "# t\n```reprise\nreprise ls\n")
    put("Notebook", "options.md", "```reprise exit=1 exit=x\nfalse\n```\n```output\n```\n````\n")

    # IDX (image file and label file, as two parts) and CIFAR records.
    images = struct.pack(">IIII", 0x803, 2, 3, 3) + bytes(range(18))
    labels = struct.pack(">II", 0x801, 2) + bytes([1, 9])
    put("IDX", "two-images", two_parts(images, labels))
    put("IDX", "gzipped", two_parts(gzip.compress(images, mtime=0), gzip.compress(labels, mtime=0)))
    put("IDX", "label-out-of-range", two_parts(images, struct.pack(">II", 0x801, 2) + bytes([1, 10])))
    put("IDX", "truncated", two_parts(images[:-1], labels))
    put("CIFAR", "cifar10-record", bytes([3]) + bytes(i % 256 for i in range(3072)))
    put("CIFAR", "cifar100-record", bytes([1, 42]) + bytes(i % 251 for i in range(3072)))
    put("CIFAR", "short", bytes([3]) + bytes(100))
    shutil.rmtree(work)


if __name__ == "__main__":
    main(sys.argv[1])
