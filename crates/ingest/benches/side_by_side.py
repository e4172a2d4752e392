#!/usr/bin/env python3
"""Whole-process speed of `nianbao extract DIR --format json` on one core, side by side with
trafilatura (HTML) and `pdftotext -layout` (PDF) on the same files, in the same run.

    pip install trafilatura                       # once
    cargo build --release --bin nianbao
    python3 crates/ingest/benches/side_by_side.py [--copies-text 50] [--copies-html 20]
                                                  [--copies-pdf 10] [--rounds 3]
                                                  [--nianbao-arg=--no-sandbox]

Every process is pinned to CPU 0 (`taskset -c 0`) and nianbao runs with `-j 1`. nianbao's
figures include process start-up, reading every file, extraction and writing the JSON array
to stdout (discarded); trafilatura's exclude its import and start-up (it runs in one Python
process over the files already in memory), which favours trafilatura; pdftotext runs once per
file (it has no batch mode), so its figures include one process start per file, as in use.
`--nianbao-arg` (repeatable) adds an argument to every nianbao command, e.g. `--no-sandbox`
to parse PDFs in the process instead of one parser child per document (the default).
Each figure is the best of --rounds runs (the machine is shared; the best run is the one
least disturbed), printed twice: by wall-clock time and by the CPU time the processes
themselves used (user + sys, from wait4 / process_time), which a busy machine distorts less.
Inputs:

- text: the bundled text reports (`data/samples/*.txt`, `*.md`) × --copies-text;
- HTML: the HTML pages of the corpus copied into the repo (`tests/fixtures/html/*.html`: report
  pages, a list page, a pre-2019 report) × --copies-html, the same bytes for trafilatura;
- PDF: `tests/fixtures/documents/009-text.pdf` and `006.pdf`, plus the two real report PDFs
  `../shared/corpus/dev/025.pdf`, `026.pdf` when present (the README says which were used)
  × --copies-pdf; pages counted with `pdfinfo`.
"""
import argparse, glob, json, os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PIN = ["taskset", "-c", "0"]


def copies(files, n, into):
    os.makedirs(into, exist_ok=True)
    out = []
    for i in range(n):
        for f in files:
            base = os.path.basename(f)
            dst = os.path.join(into, f"{i:03d}-{base}")
            shutil.copyfile(f, dst)
            out.append(dst)
    return out


def best_of(rounds, fn):
    """Best (wall, cpu) seconds of `rounds` runs, each taken separately."""
    runs = [fn() for _ in range(rounds)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def run_timed(cmd, stdout=subprocess.DEVNULL):
    """Run `cmd`; return (wall seconds, CPU seconds user+sys, stdout bytes, return code). CPU
    time is what the process itself used, so it holds on a busy machine where wall time
    does not."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL)
    out = p.stdout.read() if stdout == subprocess.PIPE else b""
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, out, p.returncode


def time_nianbao(exe, folder, expect, extra=()):
    def once():
        wall, cpu, out, rc = run_timed(PIN + [exe, "extract", folder, "--format", "json", "-j", "1",
                                              *extra],
                                       stdout=subprocess.PIPE)
        if rc not in (0, 2):
            sys.exit(f"nianbao failed with exit code {rc}")
        reports = json.loads(out)
        errors = [r["error"] for r in reports if r.get("error")]
        # Every input gives at least one report (a page may name its report by its URL).
        if len(reports) < expect or errors:
            sys.exit(f"nianbao gave {len(reports)} reports for {expect} inputs; errors: {errors[:3]}")
        return wall, cpu
    return once


TRAF = r"""
import sys, time, trafilatura
paths = sys.argv[1:]
data = [open(p, "rb").read() for p in paths]
trafilatura.extract(data[0])  # warm-up (lazy imports)
t0, c0 = time.perf_counter(), time.process_time()
for d in data:
    trafilatura.extract(d)
print(time.perf_counter() - t0, time.process_time() - c0)
"""


def time_trafilatura(files):
    def once():
        p = subprocess.run(PIN + [sys.executable, "-c", TRAF] + files,
                           capture_output=True, text=True, check=True)
        wall, cpu = p.stdout.strip().splitlines()[-1].split()
        return float(wall), float(cpu)
    return once


def time_pdftotext(files):
    def once():
        wall = cpu = 0.0
        for f in files:
            w, c, _, rc = run_timed(PIN + ["pdftotext", "-layout", f, "-"])
            if rc != 0:
                sys.exit(f"pdftotext failed on {f}")
            wall += w
            cpu += c
        return wall, cpu
    return once


def pages(pdf):
    out = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    return next(int(l.split()[-1]) for l in out.splitlines() if l.startswith("Pages:"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "nianbao"))
    ap.add_argument("--copies-text", type=int, default=50)
    ap.add_argument("--copies-html", type=int, default=20)
    ap.add_argument("--copies-pdf", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--nianbao-arg", action="append", default=[],
                    help="extra argument for every nianbao command (repeatable)")
    a = ap.parse_args()
    exe = a.bin
    text = sorted(glob.glob(os.path.join(ROOT, "data", "samples", "*.txt")) +
                  glob.glob(os.path.join(ROOT, "data", "samples", "*.md")))
    html = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "html", "*.html")))
    pdfs = [os.path.join(ROOT, "tests", "fixtures", "documents", n) for n in ("009-text.pdf", "006.pdf")]
    shared = os.path.join(ROOT, "..", "shared", "corpus", "dev")
    if not os.path.isdir(shared):
        shared = os.path.join(ROOT, "..", "..", "shared", "corpus", "dev")
    real = [os.path.join(shared, n) for n in ("025.pdf", "026.pdf")]
    if all(os.path.exists(p) for p in real):
        pdfs += real
    else:
        print("note: ../shared/corpus/dev/025.pdf, 026.pdf absent: SKIPPED in the PDF set")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        t_files = copies(text, a.copies_text, os.path.join(tmp, "text"))
        h_files = copies(html, a.copies_html, os.path.join(tmp, "html"))
        p_files = copies(pdfs, a.copies_pdf, os.path.join(tmp, "pdf"))
        n_pages = sum(pages(p) for p in pdfs) * a.copies_pdf

        s = best_of(a.rounds, time_nianbao(exe, os.path.join(tmp, "text"), len(t_files), a.nianbao_arg))
        h = best_of(a.rounds, time_nianbao(exe, os.path.join(tmp, "html"), len(h_files), a.nianbao_arg))
        tr = best_of(a.rounds, time_trafilatura(h_files))
        p = best_of(a.rounds, time_nianbao(exe, os.path.join(tmp, "pdf"), len(p_files), a.nianbao_arg))
        pt = best_of(a.rounds, time_pdftotext(p_files))
    for i, clock in enumerate(("wall", "cpu")):
        results[clock] = {
            "text_reports_per_s": len(t_files) / s[i],
            "html_pages_per_s": len(h_files) / h[i],
            "trafilatura_pages_per_s": len(h_files) / tr[i],
            "html_ratio": tr[i] / h[i],
            "pdf_pages_per_s": n_pages / p[i],
            "pdftotext_pages_per_s": n_pages / pt[i],
            "pdf_ratio": pt[i] / p[i],
        }
    results["inputs"] = {"text_reports": len(t_files), "html_pages": len(h_files),
                         "pdf_files": len(p_files), "pdf_pages": n_pages}
    print(f"inputs: {len(t_files)} text reports, {len(h_files)} HTML pages, "
          f"{len(p_files)} PDF files ({n_pages} pages); best of {a.rounds} rounds, CPU 0 only"
          + (f"; nianbao {' '.join(a.nianbao_arg)}" if a.nianbao_arg else ""))
    for clock in ("wall", "cpu"):
        r = results[clock]
        print(f"[{clock:4}] text {r['text_reports_per_s']:6.0f} reports/s | HTML {r['html_pages_per_s']:5.0f} pages/s"
              f" vs trafilatura {r['trafilatura_pages_per_s']:5.1f} = {r['html_ratio']:4.1f}x"
              f" | PDF {r['pdf_pages_per_s']:5.0f} pages/s vs pdftotext -layout"
              f" {r['pdftotext_pages_per_s']:5.0f} = {r['pdf_ratio']:3.1f}x")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
