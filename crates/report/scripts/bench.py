#!/usr/bin/env python3
"""Benchmark `nianbao report`: wall time and peak RSS for datasets of growing size.

    python3 crates/report/scripts/bench.py [--sizes 1000,10000,100000] [--runs 3] [--bin PATH]

Builds a seed dataset from the bundled real reports (`nianbao extract data/samples --out`),
then synthetic datasets in the dataset contract of issue 8 by repeating those real rows with
identity, provenance and publication dates (31 provinces, 2019-2024, governments and
departments, ~15 % missing agency-years, X1 rows), and times `nianbao report` on each
(best wall time of --runs, largest peak RSS, both from GNU time). Not a test:
figures for the README. Pin to one core with `taskset -c 0 python3 ...` if asked.
"""
import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PROVINCES = [
    ("110000", "北京市"), ("120000", "天津市"), ("130000", "河北省"), ("140000", "山西省"),
    ("150000", "内蒙古自治区"), ("210000", "辽宁省"), ("220000", "吉林省"), ("230000", "黑龙江省"),
    ("310000", "上海市"), ("320000", "江苏省"), ("330000", "浙江省"), ("340000", "安徽省"),
    ("350000", "福建省"), ("360000", "江西省"), ("370000", "山东省"), ("410000", "河南省"),
    ("420000", "湖北省"), ("430000", "湖南省"), ("440000", "广东省"), ("450000", "广西壮族自治区"),
    ("460000", "海南省"), ("500000", "重庆市"), ("510000", "四川省"), ("520000", "贵州省"),
    ("530000", "云南省"), ("540000", "西藏自治区"), ("610000", "陕西省"), ("620000", "甘肃省"),
    ("630000", "青海省"), ("640000", "宁夏回族自治区"), ("650000", "新疆维吾尔自治区"),
]
LEVELS = ["province", "prefecture", "county", "county", "county"]
REASONS = ["listed_404", "not_listed", "blocked", "fetch_error", "image_only", "robots_denied"]
IDENT = ["agency_id", "division_code", "division_name", "division_level", "agency_kind",
         "province", "prefecture", "identity_flags"]
PROV = ["url", "source_name", "published_date", "fetched_at", "sha256", "warc_file",
        "warc_offset", "version", "first_seen"]
COVERAGE = ["agency_id", "agency", "division_code", "division_name", "division_level",
            "agency_kind", "province", "prefecture", "year", "found", "reason", "report_id",
            "url", "published_date", "deadline", "late"]


def seed(binary, tmp):
    out = os.path.join(tmp, "seed")
    subprocess.run([binary, "extract", os.path.join(ROOT, "data", "samples"), "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "reports.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    checks = {}
    with open(os.path.join(out, "checks.csv"), newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        next(rd)
        for r in rd:
            checks.setdefault(r[0], []).append(r[1:])
    return rows[0], rows[1:], checks


def date_after(year, days):
    import datetime
    return (datetime.date(year + 1, 1, 1) + datetime.timedelta(days=days)).isoformat()


def synth(n, header, rows, checks, out):
    rnd = random.Random(n)
    os.makedirs(out, exist_ok=True)
    meta_end = header.index("provenance") + 1
    head = header[:meta_end] + IDENT + PROV + header[meta_end:]
    i_year = header.index("year")
    i_id = header.index("report_id")
    # Agencies with 6 years each, ~15 % of agency-years missing, until n reports.
    with open(os.path.join(out, "reports.csv"), "w", newline="", encoding="utf-8") as fr, \
         open(os.path.join(out, "checks.csv"), "w", newline="", encoding="utf-8") as fc, \
         open(os.path.join(out, "coverage.csv"), "w", newline="", encoding="utf-8") as fv:
        wr, wc, wv = csv.writer(fr), csv.writer(fc), csv.writer(fv)
        wr.writerow(head)
        wc.writerow(["report_id", "id", "scope", "holds", "detail"])
        wv.writerow(COVERAGE)
        written = 0
        a = -1
        while written < n:
            a += 1
            code, prov = PROVINCES[a % len(PROVINCES)]
            kind = "department" if rnd.random() < 0.4 else "government"
            level = LEVELS[rnd.randrange(len(LEVELS))]
            dcode = code[:2] + f"{rnd.randrange(1, 99):02d}{rnd.randrange(1, 99):02d}" if level != "province" else code
            name = f"{prov}第{a}{'局' if kind == 'department' else '人民政府'}"
            aid = f"A{dcode}{'D' if kind == 'department' else 'G'}{a}"
            prev = None
            for year in range(2019, 2025):
                if written >= n:
                    break
                deadline = f"{year + 1}-01-31" if kind == "department" else f"{year + 1}-03-31"
                url = f"http://www.{code}.gov.cn/ndbg/{a}/{year}.html"
                if rnd.random() < 0.15:
                    wv.writerow([aid, name, dcode, "", level, kind, prov, "", year, "false",
                                 REASONS[rnd.randrange(len(REASONS))], "", url, "", deadline, ""])
                    prev = None
                    continue
                src = rows[rnd.randrange(len(rows))]
                rid = f"{written:016x}"
                days = int(rnd.gauss(25 if kind == "department" else 80, 20))
                pub = date_after(year, days)
                late = "true" if pub > deadline else "false"
                r = list(src)
                r[i_id] = rid
                r[i_year] = str(year)
                ident = [aid, dcode, prov, level, kind, prov, "", ""]
                provenance = [url, "bench", pub, f"{year + 1}-04-01T00:00:00Z", "0" * 64,
                              "warc/00001.warc.gz", str(written * 4096), "1", f"{year + 1}-04-01"]
                wr.writerow(r[:meta_end] + ident + provenance + r[meta_end:])
                for c in checks.get(src[i_id], []):
                    wc.writerow([rid] + c)
                if prev is not None:
                    holds = "true" if rnd.random() < 0.8 else "false"
                    wc.writerow([rid, "X1", f"natural_person {prev}→{rid}", holds, "1 = 1" if holds == "true" else "1 ≠ 2"])
                wv.writerow([aid, name, dcode, "", level, kind, prov, "", year, "true", "", rid,
                             url, pub, deadline, late])
                prev = rid
                written += 1
    return written


def measure(binary, data, runs):
    """Best wall time and largest peak RSS (KiB) of `runs` runs, through GNU time: Python's
    own wait4 rusage would count the forked interpreter's memory before exec."""
    best, rss = None, 0
    for _ in range(runs):
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", binary, "report", data, "--out", data],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit(f"nianbao report failed on {data}: {p.stderr}")
        wall, kib = p.stderr.strip().splitlines()[-1].split()
        best = float(wall) if best is None else min(best, float(wall))
        rss = max(rss, int(kib))
    return best, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "nianbao"))
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        subprocess.run(["cargo", "build", "--release", "--bin", "nianbao"], cwd=ROOT, check=True)
    tmp = tempfile.mkdtemp(prefix="nianbao-report-bench-")
    try:
        header, rows, checks = seed(args.bin, tmp)
        print(f"seed: {len(rows)} real reports from data/samples; binary {args.bin}")
        print(f"{'reports':>8} {'reports.csv':>12} {'checks':>9} {'coverage':>9} {'time (s)':>9} {'peak RSS':>9} {'page':>8}")
        for n in [int(s) for s in args.sizes.split(",")]:
            d = os.path.join(tmp, f"n{n}")
            written = synth(n, header, rows, checks, d)
            size = os.path.getsize(os.path.join(d, "reports.csv"))
            nchecks = sum(1 for _ in open(os.path.join(d, "checks.csv"), encoding="utf-8")) - 1
            ncov = sum(1 for _ in open(os.path.join(d, "coverage.csv"), encoding="utf-8")) - 1
            dt, rss = measure(args.bin, d, args.runs)
            page = os.path.getsize(os.path.join(d, "report.html"))
            print(f"{written:>8} {size / 1e6:>9.1f} MB {nchecks:>9} {ncov:>9} {dt:>9.3f} {rss / 1024:>6.1f} MB {page / 1024:>5.0f} KB", flush=True)
            shutil.rmtree(d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
