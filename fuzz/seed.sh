#!/usr/bin/env sh
# Seed fuzz/corpus/<target>/ from the bundled samples and fixtures (and ../shared/corpus when
# it is there). The corpus folders are not committed; regressions/ is.
set -eu
cd "$(dirname "$0")"
root=..
# The shared corpus beside the checkout (as CI lays it), or where SHARED_CORPUS says.
shared=${SHARED_CORPUS:-../../shared/corpus}
t() { target=$1; shift; mkdir -p "corpus/$target"; for f in "$@"; do [ -f "$f" ] && cp "$f" "corpus/$target/$(basename "$(dirname "$f")")-$(basename "$f")"; done; true; }
t text $root/data/samples/*.txt $root/data/samples/*.md $shared/*.txt $shared/dev/*.txt $shared/dev/*.md
t html $root/data/samples/*.html $root/tests/fixtures/html/*.html $shared/html/*.html
t pdf $root/tests/fixtures/documents/*.pdf $shared/dev/*.pdf
t docx $root/tests/fixtures/documents/*.docx
t xlsx $root/tests/fixtures/documents/*.xlsx
t ods $root/tests/fixtures/documents/*.ods
t xls $root/tests/fixtures/documents/*.xls $root/tests/fixtures/documents/*.doc
t robots
printf 'User-agent: *\nDisallow: /secret/\nCrawl-delay: 2\n\nUser-agent: nianbao\nAllow: /\n' > corpus/robots/basic.txt
t discover $(find $root/data/demo/sites -name '*.html' | head -20) $(find $root/data/demo/sites -name '*.json' | head -5)
# WARC: two gzip members (request + response), as the archive writes them.
mkdir -p corpus/warc
body='<html><body>2023年政府信息公开工作年度报告</body></html>'
http="HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ${#body}\r\n\r\n$body"
{
  printf 'WARC/1.1\r\nWARC-Type: request\r\nWARC-Target-URI: http://a.gov.cn/t.htm\r\nContent-Length: 18\r\n\r\nGET /t.htm HTTP/1.1\r\n\r\n' | gzip -c
  printf "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: http://a.gov.cn/t.htm\r\nContent-Type: application/http;msgtype=response\r\nContent-Length: 200\r\n\r\n$http\r\n\r\n" | gzip -c
} > corpus/warc/two-records.warc.gz
# Windows of 4,000 bytes of every text and HTML seed longer than that: the tables of a report
# come after its first pages, and a run with `-max_len=4096` reads only the first 4,096 bytes
# of each corpus file.
for target in text html; do
  for f in corpus/$target/*; do
    case $f in *.w[0-9]*) continue ;; esac
    [ "$(wc -c < "$f")" -gt 4096 ] && split -b 4000 -d -a 2 "$f" "$f.w"
  done
done
for d in corpus/*; do echo "$d: $(ls "$d" | wc -l) files"; done
