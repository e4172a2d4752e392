#!/usr/bin/env python3
"""Crawl speed and memory, nianbao next to Scrapy in the same run.

Builds a local multi-host site from the corpus' real report pages, serves it with nginx
(from apt: a neutral, fast static server with keep-alive, so neither crawler waits on the
server; the crate's own test server answers one request per connection and would run in
the measured process), then crawls it with nianbao and with Scrapy under the same rules:

* 16 hosts on 127.0.0.10-25:18080, each with robots.txt, a TRS-style paginated 年报 column
  (25 links per list page, 下一页 link and createPageHTML paging) and N report pages made
  from /work/shared/corpus HTML reports (title and a marker changed per page, relative
  links neutralised so both crawlers fetch exactly robots.txt + list pages + reports);
* concurrency 16, 1 request per host, no delay, robots.txt obeyed;
* each crawler pinned to one core (`taskset -c CORE`), nginx to another;
* nianbao: `nianbao-crawl-worker` (the crawl only: fetch, discover, WARC + SQLite archive
  with fsync; the dataset refresh of `nianbao crawl` is a separate step);
  Scrapy: a spider following the same links, yielding url/status/length/sha256 of every
  report to a JSON-lines feed.

Prints responses, wall time, pages/s, CPU seconds and peak RSS (`/usr/bin/time -v`) of
both, and the ratios. Usage (from the repository root, after
`cargo build --release -p nianbao-crawl --bin nianbao-crawl-worker`):

    python3 crates/crawl/benches/compare_scrapy.py [--sizes 125,500] [--hosts 16]

Needs nginx (`apt-get install nginx-light`) and Scrapy (`pip install scrapy`); prints
SKIPPED and exits 0 when one is missing.
"""

import argparse
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CORPUS = next(
    (p for p in [Path(os.environ.get("NIANBAO_CORPUS", "")), ROOT.parent / "shared" / "corpus",
                 ROOT.parents[1] / "shared" / "corpus"] if str(p) != "." and (p / "html").is_dir()),
    ROOT.parent / "shared" / "corpus",
)
TEMPLATES = ["html/002.html", "html/003.html", "html/005.html", "html/006.html", "dev/006.html"]
PORT = 18080
PER_PAGE = 25

SPIDER = r'''
import hashlib, json, re
from urllib.parse import urlparse
import scrapy

YEAR = re.compile(r"(19|20)\d{2}")
REPORT = re.compile(r"年度[报報]告|年[报報]")
EXCLUDE = re.compile(r"政府工作报告|工作要点|的函$|通知$")
ATTACHMENT = re.compile(r"\.(pdf|docx?|xlsx?|wps|et|ofd|txt|rtf|odt)$", re.I)


def is_report(title):
    t = "".join(title.split())
    return bool(YEAR.search(t) and REPORT.search(t) and not EXCLUDE.search(t))


class Bench(scrapy.Spider):
    name = "bench"

    def __init__(self, hosts="", stats="", **kw):
        super().__init__(**kw)
        self.hosts = set(hosts.split(","))
        self.stats_path = stats
        self.start_urls = [f"http://{h}/nb/index.html" for h in sorted(self.hosts)]

    def links(self, response):
        for a in response.css("a"):
            href = a.attrib.get("href")
            if not href:
                continue
            url = response.urljoin(href)
            if urlparse(url).netloc not in self.hosts:
                continue
            title = a.attrib.get("title") or " ".join(a.css("::text").getall()).strip()
            yield url, title

    def parse(self, response):
        for url, title in self.links(response):
            if title == "下一页":
                yield scrapy.Request(url, callback=self.parse)
            elif is_report(title):
                yield scrapy.Request(url, callback=self.parse_report)

    def parse_report(self, response):
        yield {
            "url": response.url,
            "status": response.status,
            "len": len(response.body),
            "sha256": hashlib.sha256(response.body).hexdigest(),
        }
        for url, title in self.links(response):
            if ATTACHMENT.search(urlparse(url).path) or is_report(title):
                yield scrapy.Request(url, callback=self.parse_report)

    def closed(self, reason):
        with open(self.stats_path, "w") as f:
            json.dump({k: str(v) for k, v in self.crawler.stats.get_stats().items()}, f)
'''


def log(msg):
    print(msg, flush=True)


def report_pages():
    pages = []
    for rel in TEMPLATES:
        p = CORPUS / rel
        if not p.exists():
            continue
        text = p.read_text("utf-8", errors="replace")
        # Relative links would point at pages that do not exist on the replica: neutralise
        # them (absolute links to real sites stay; both crawlers leave them out of scope).
        text = re.sub(r'''(href|src)\s*=\s*(["'])(?!https?:)[^"']*\2''', r'\1="#"', text)
        pages.append(text)
    if not pages:
        sys.exit(f"no report pages under {CORPUS}")
    return pages


def make_site(root, hosts, per_host, templates):
    for h in range(hosts):
        d = root / f"h{h}"
        (d / "nb" / "202501").mkdir(parents=True)
        (d / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
        for i in range(per_host):
            t = templates[(h * per_host + i) % len(templates)]
            marker = f"<!-- bench host {h} report {i} -->"
            body = t.replace("</head>", marker + "</head>", 1)
            (d / "nb" / "202501" / f"t{i}.htm").write_text(body, "utf-8")
        pages = max(1, math.ceil(per_host / PER_PAGE))
        for k in range(pages):
            items = "\n".join(
                f'<li><a href="./202501/t{i}.htm" title="第{h}-{i}单位2024年政府信息公开工作年度报告">'
                f"第{h}-{i}单位2024年政府信息公开工作年度报告</a><span>2025-01-20</span></li>"
                for i in range(k * PER_PAGE, min(per_host, (k + 1) * PER_PAGE))
            )
            nxt = f'<a href="index_{k + 1}.html">下一页</a>' if k + 1 < pages else ""
            name = "index.html" if k == 0 else f"index_{k}.html"
            (d / "nb" / name).write_text(
                f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
                f"<ul>{items}</ul>{nxt}"
                f'<script>createPageHTML({pages}, {k}, "index", "html");</script></body></html>',
                "utf-8",
            )


def start_nginx(tmp, site, hosts, core):
    servers = "\n".join(
        f"  server {{ listen 127.0.0.{10 + h}:{PORT}; root {site}/h{h}; }}" for h in range(hosts)
    )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""user root;
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  default_type text/html;
  types {{ text/html html htm; text/plain txt; }}
  keepalive_requests 100000;
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fastcgi;
{servers}
}}
"""
    )
    proc = subprocess.Popen(["taskset", "-c", str(core), "nginx", "-c", str(conf)])
    time.sleep(0.5)
    if proc.poll() is not None:
        sys.exit("nginx did not start: " + (tmp / "nginx-error.log").read_text())
    return proc


def timed(cmd, cwd):
    """Run under /usr/bin/time -v: wall seconds, CPU seconds, peak RSS in MB."""
    t0 = time.monotonic()
    p = subprocess.run(
        ["/usr/bin/time", "-v"] + cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    field = lambda name: float(re.search(re.escape(name) + r":\s*([\d.]+)", p.stderr).group(1))
    cpu = field("User time (seconds)") + field("System time (seconds)")
    rss = field("Maximum resident set size (kbytes)") / 1024
    return wall, cpu, rss


def run_nianbao(tmp, worker, hosts, core, tag):
    data = tmp / f"nianbao-{tag}"
    starts = ", ".join(f'"http://127.0.0.{10 + h}:{PORT}/nb/index.html"' for h in range(hosts))
    cfg = tmp / f"nianbao-{tag}.toml"
    cfg.write_text(
        f"""[[sources]]
name = "bench"
start = [{starts}]
[crawl]
allow_private_addresses = true
max_concurrency = 16
max_pages_per_host = 100000
max_list_pages = 1000
[politeness]
delay_ms = 0
per_host_concurrency = 1
respect_robots = true
retries = 1
[storage]
data = "{data}"
out = "{tmp}/out-{tag}"
"""
    )
    wall, cpu, rss = timed(["taskset", "-c", str(core), str(worker), str(cfg)], tmp)
    db = sqlite3.connect(data / "index.sqlite")
    responses = db.execute("SELECT COUNT(*) FROM records WHERE status IS NOT NULL").fetchone()[0]
    reports = db.execute(
        "SELECT COUNT(*) FROM records WHERE role = 'report' AND outcome = 'ok'"
    ).fetchone()[0]
    db.close()
    return responses, reports, wall, cpu, rss


def run_scrapy(tmp, hosts, core, tag):
    spider = tmp / "bench_spider.py"
    spider.write_text(SPIDER)
    stats = tmp / f"scrapy-{tag}.json"
    feed = tmp / f"scrapy-{tag}.jsonl"
    host_list = ",".join(f"127.0.0.{10 + h}:{PORT}" for h in range(hosts))
    cmd = [
        "taskset", "-c", str(core), sys.executable, "-m", "scrapy", "runspider", str(spider),
        "-a", f"hosts={host_list}", "-a", f"stats={stats}", "-o", f"{feed}:jsonlines",
        "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
        "-s", "DOWNLOAD_DELAY=0", "-s", "ROBOTSTXT_OBEY=True", "-s", "LOG_LEVEL=WARNING",
        "-s", "TELNETCONSOLE_ENABLED=False", "-s", "RETRY_TIMES=1",
        "-s", "USER_AGENT=nianbao-bench-scrapy",
    ]
    wall, cpu, rss = timed(cmd, tmp)
    st = json.loads(stats.read_text())
    responses = int(st.get("downloader/response_count", "0"))
    reports = sum(1 for _ in feed.open())
    return responses, reports, wall, cpu, rss


def loadavg():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="125,500", help="reports per host, comma-separated")
    ap.add_argument("--hosts", type=int, default=16)
    ap.add_argument("--core", type=int, default=0, help="core for the crawlers")
    ap.add_argument("--server-core", type=int, default=1, help="core for nginx")
    ap.add_argument("--worker", default=str(ROOT / "target/release/nianbao-crawl-worker"))
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--nianbao-only", action="store_true", help="skip Scrapy (profiling runs)")
    args = ap.parse_args()
    for tool in ["nginx", "taskset"]:
        if not shutil.which(tool):
            print(f"SKIPPED: {tool} not installed (apt-get install nginx-light util-linux)")
            return
    if subprocess.run([sys.executable, "-c", "import scrapy"], capture_output=True).returncode:
        print("SKIPPED: Scrapy not installed (pip install scrapy)")
        return
    worker = Path(args.worker)
    if not worker.exists():
        sys.exit(f"{worker} missing: cargo build --release -p nianbao-crawl --bin nianbao-crawl-worker")
    scrapy_version = subprocess.run(
        [sys.executable, "-c", "import scrapy; print(scrapy.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    rows = []
    try:
        templates = report_pages()
        for size in [int(s) for s in args.sizes.split(",")]:
            site = tmp / f"site-{size}"
            make_site(site, args.hosts, size, templates)
            nginx = start_nginx(tmp, site, args.hosts, args.server_core)
            try:
                log(f"-- {args.hosts} hosts x {size} reports (load average {loadavg()})")
                n = run_nianbao(tmp, worker, args.hosts, args.core, str(size))
                log(f"   nianbao  {n}")
                s = n if args.nianbao_only else run_scrapy(tmp, args.hosts, args.core, str(size))
                log(f"   scrapy   {s}")
                rows.append((size, n, s, loadavg()))
            finally:
                nginx.terminate()
                nginx.wait()
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print()
    print(f"one core each (taskset -c {args.core}), nginx on core {args.server_core}; "
          f"Scrapy {scrapy_version}; concurrency 16, 1 per host, no delay, robots.txt obeyed")
    print(f"{'pages':>6} {'tool':<8} {'responses':>9} {'reports':>7} {'wall s':>7} {'pages/s':>8} "
          f"{'cpu s':>6} {'pages/cpu-s':>11} {'peak RSS MB':>11}")
    for size, n, s, la in rows:
        for name, (resp, rep, wall, cpu, rss) in [("nianbao", n), ("scrapy", s)]:
            print(f"{size * args.hosts:>6} {name:<8} {resp:>9} {rep:>7} {wall:>7.1f} {resp / wall:>8.1f} "
                  f"{cpu:>6.1f} {resp / max(cpu, 1e-9):>11.1f} {rss:>11.1f}")
        speed = (n[0] / n[2]) / (s[0] / s[2])
        per_cpu = (n[0] / n[3]) / (s[0] / s[3])
        print(f"{'':>6} ratio    nianbao/scrapy: pages/s x{speed:.2f}, pages per CPU-second "
              f"x{per_cpu:.2f}, peak RSS {n[4] / s[4]:.2f} (load average after: {la})")
    if len(rows) >= 2:
        print(f"nianbao peak RSS {rows[-1][0] * args.hosts} vs {rows[0][0] * args.hosts} pages: "
              f"x{rows[-1][1][4] / rows[0][1][4]:.2f}; Scrapy x{rows[-1][2][4] / rows[0][2][4]:.2f}")


if __name__ == "__main__":
    main()
