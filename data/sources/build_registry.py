#!/usr/bin/env python3
"""Build data/sources/registry.csv from its two inputs.

    python3 data/sources/build_registry.py [--gov-sites PATH]

Inputs
  * gov-sites.csv (the shared reference table of government portals; default
    ../shared/reference/gov-sites.csv, falling back to /work/shared/reference/gov-sites.csv)
    -> one `portal` row per line;
  * data/sources/columns.csv (hand-kept, one 年报 column per line, each with evidence)
    -> one `column` row per line;
  * data/divisions/areacodes.csv (bundled code table) -> the `province` column.

The output is deterministic (portals in input order, then columns in input order), so
re-running it on unchanged inputs gives a byte-identical file. Standard library only.
"""

import argparse
import csv
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HEADER = ["kind", "name", "start", "division_code", "level", "province", "cms", "evidence", "source"]

# Portal rows without a division code (the reference table's six `other` rows): their
# province, taken from the place itself because there is no code to look up.
PROVINCE_BY_NAME = {
    "两江新区": "重庆市",
    "新疆生产建设兵团": "新疆维吾尔自治区",
    "加格达奇区": "黑龙江省",
    "松岭区": "黑龙江省",
    "新林区": "黑龙江省",
    "呼中区": "黑龙江省",
}

GITHUB_SOURCE = re.compile(r"^github:([^/:]+/[^:]+):(.+)@([0-9a-f]{7,40})$")


def load_codes(path):
    """Code -> (province name, status) from the bundled areacodes.csv (UTF-8 with BOM)."""
    codes = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            # A retired code can reappear later; keep the in-use record when there are two.
            if row["代码"] not in codes or row["状态"] == "在用":
                codes[row["代码"]] = (row["一级行政区"], row["状态"])
    return codes


def fetchable(url):
    """A start URL a crawler can fetch: add http:// when the source gave no scheme
    (the crawler falls back to https when http fails)."""
    url = url.strip()
    if not re.match(r"^https?://", url, re.I):
        url = "http://" + url.lstrip("/")
    return url


def source_url(source):
    """github:owner/repo:path@commit -> https://github.com/owner/repo/blob/commit/path."""
    m = GITHUB_SOURCE.match(source)
    if not m:
        return source
    repo, path, commit = m.groups()
    return f"https://github.com/{repo}/blob/{commit}/{path}"


def province_of(code, name, codes):
    if code:
        if code not in codes:
            sys.exit(f"division code {code} ({name}) is not in areacodes.csv")
        return codes[code][0]
    if name not in PROVINCE_BY_NAME:
        sys.exit(f"no division code and no known province for {name}")
    return PROVINCE_BY_NAME[name]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gov-sites", help="path to the reference gov-sites.csv")
    ap.add_argument("--out", default=os.path.join(HERE, "registry.csv"))
    args = ap.parse_args()

    gov_sites = args.gov_sites
    if not gov_sites:
        for cand in (os.path.join(ROOT, "..", "shared", "reference", "gov-sites.csv"),
                     "/work/shared/reference/gov-sites.csv"):
            if os.path.exists(cand):
                gov_sites = cand
                break
        else:
            sys.exit("gov-sites.csv not found; pass --gov-sites PATH")

    codes = load_codes(os.path.join(ROOT, "data", "divisions", "areacodes.csv"))
    rows = []
    with open(gov_sites, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            rows.append({
                "kind": "portal",
                "name": r["name"],
                "start": fetchable(r["url"]),
                "division_code": r["division_code"],
                "level": r["level"],
                "province": province_of(r["division_code"], r["name"], codes),
                "cms": "",
                "evidence": source_url(r["source"]),
                "source": r["source"],
            })
    with open(os.path.join(HERE, "columns.csv"), encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            rows.append({
                "kind": "column",
                "name": r["name"],
                "start": fetchable(r["start"]),
                "division_code": r["division_code"],
                "level": r["level"],
                "province": province_of(r["division_code"], r["name"], codes),
                "cms": r["cms"],
                "evidence": r["evidence"],
                "source": "columns.csv:" + r["evidence_kind"],
            })
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    portals = sum(r["kind"] == "portal" for r in rows)
    print(f"{args.out}: {portals} portal rows, {len(rows) - portals} column rows")


if __name__ == "__main__":
    main()
