#!/usr/bin/env python3
"""HTML pages per second on one core: nianbao's full table extraction vs trafilatura's plain
text extraction, on the same pages, in the same run.

    pip install trafilatura lxml_html_clean
    cargo build --release -p nianbao-html --example throughput
    python3 crates/html/benches/compare_trafilatura.py [SECONDS]

Both are single-threaded; trafilatura runs in this process, nianbao in its `throughput`
example (warm-up excluded on both sides).
"""
import glob, json, os, subprocess, sys, time

import trafilatura

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
root = os.path.join(os.path.dirname(__file__), "..", "..", "..")
pages = sorted(glob.glob(os.path.join(root, "tests", "fixtures", "html", "*.html")))
data = [open(p, "rb").read() for p in pages]
size = sum(len(d) for d in data)

for d in data:  # warm-up
    trafilatura.extract(d)
n = b = 0
t0 = time.perf_counter()
while time.perf_counter() - t0 < secs:
    for d in data:
        trafilatura.extract(d)
        n += 1
        b += len(d)
took = time.perf_counter() - t0
traf = {"pages": n, "seconds": took, "pages_per_s": n / took, "mb_per_s": b / took / 1e6}

target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
exe = os.path.join(target, "release", "examples", "throughput")
out = subprocess.run([exe, str(secs)] + pages, capture_output=True, text=True, check=True).stdout
nb = json.loads(out.strip().splitlines()[-1])

print(f"{len(pages)} pages, {size / 1e3:.0f} kB")
print(f"trafilatura {trafilatura.__version__} (text only):   {traf['pages_per_s']:8.1f} pages/s  {traf['mb_per_s']:6.2f} MB/s")
print(f"nianbao extract_page (full tables): {nb['pages_per_s']:8.1f} pages/s  {nb['mb_per_s']:6.2f} MB/s")
print(f"ratio: {nb['pages_per_s'] / traf['pages_per_s']:.1f}x")
