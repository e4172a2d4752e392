#!/usr/bin/env python3
"""Peak memory of the dataset step as the number of reports grows (issue 8).

Writes N report files (the 12 bundled reports of data/samples, copied round-robin under new
names), runs `nianbao extract DIR --out OUT` on them and prints the peak RSS (GNU time's
%M) and wall time. With --archive it also stores the same files as fetched pages in a web
archive (examples/make_archive) and runs `nianbao export` on it.

    cargo build --release && cargo build --release -p nianbao-dataset --example make_archive
    python3 crates/dataset/benches/memory.py 2000 10000 --archive

This is a benchmark, not a test: numbers depend on the machine and its load.
"""
import os, shutil, subprocess, sys, tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.environ.get("NIANBAO", os.path.join(ROOT, "target", "release", "nianbao"))
MAKE = os.environ.get("MAKE_ARCHIVE", os.path.join(ROOT, "target", "release", "examples", "make_archive"))
SAMPLES = os.path.join(ROOT, "data", "samples")


def samples():
    return sorted(
        os.path.join(SAMPLES, f)
        for f in os.listdir(SAMPLES)
        if f.rsplit(".", 1)[-1] in ("txt", "md", "html") and f != "README.md"
    )


def peak(cmd):
    p = subprocess.run(["/usr/bin/time", "-f", "%M %e"] + cmd, capture_output=True, text=True)
    if p.returncode not in (0, 2):
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
    kb, secs = p.stderr.strip().splitlines()[-1].split()
    return int(kb) / 1024, float(secs)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    ns = [int(a) for a in args] or [2000, 10000]
    archive = "--archive" in sys.argv
    files = samples()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in ns:
            d = os.path.join(tmp, f"in-{n}")
            os.makedirs(d)
            for i in range(n):
                src = files[i % len(files)]
                ext = src.rsplit(".", 1)[-1]
                shutil.copyfile(src, os.path.join(d, f"{i:06d}.{ext}"))
            mb, secs = peak([BIN, "extract", d, "--out", os.path.join(tmp, f"out-{n}")])
            results.append(("extract --out", n, mb, secs))
            print(f"extract --out  {n:6d} reports: peak RSS {mb:7.1f} MB, {secs:6.1f} s", flush=True)
            if archive:
                data = os.path.join(tmp, f"data-{n}")
                subprocess.run([MAKE, d, data], check=True, capture_output=True)
                mb, secs = peak([BIN, "export", "--config", "/nonexistent", "--data", data,
                                 "--out", os.path.join(tmp, f"exp-{n}")])
                results.append(("export", n, mb, secs))
                print(f"export         {n:6d} reports: peak RSS {mb:7.1f} MB, {secs:6.1f} s", flush=True)
            shutil.rmtree(d)
    for kind in ("extract --out", "export"):
        r = [x for x in results if x[0] == kind]
        if len(r) >= 2:
            print(f"{kind}: {r[-1][1]} vs {r[0][1]} reports: peak RSS ratio {r[-1][2] / r[0][2]:.2f}")


if __name__ == "__main__":
    main()
