#!/usr/bin/env sh
# Peak memory (max RSS of nianbao and its parser child) and time of `nianbao extract` on
# hostile inputs made here: the XLSX whose sheet spans the whole grid (A1:XFD1048576), the
# XLSX with 1.2 million shared strings declared as a trillion, 1,000,000 nested <div>s, a
# 60 MB text file (the seed sample repeated; BIG_MB=N for another size), and 16 MB of random bytes.
#   cargo build --release && sh crates/sandbox/benches/memory.sh
set -eu
cd "$(dirname "$0")/../../.."
bin=${NIANBAO_BIN:-target/release/nianbao}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$tmp" <<'PY'
import os, sys, zipfile
d = sys.argv[1]
ct = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
rels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
wb = '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
wbrels = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
def xlsx(name, sheet, sst):
    with zipfile.ZipFile(os.path.join(d, name), "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
                     ("xl/_rels/workbook.xml.rels", wbrels), ("xl/worksheets/sheet1.xml", sheet),
                     ("xl/sharedStrings.xml", sst)]:
            z.writestr(n, b)
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
xlsx("dimension.xlsx", f'<worksheet {ns}><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row></sheetData></worksheet>', '<sst xmlns="x" count="0" uniqueCount="0"/>')
many = '<sst xmlns="x" count="1000000000000" uniqueCount="1000000000000">' + "".join(f"<si><t>{i % 1000}</t></si>" for i in range(1_200_000)) + "</sst>"
xlsx("strings.xlsx", f'<worksheet {ns}><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>', many)
n = 1_000_000
with open(os.path.join(d, "divs.html"), "w") as f:
    f.write("<html><body>" + "<div>" * n + "年度报告" + "</div>" * n)
seed = open("data/samples/seed.txt", encoding="utf-8").read()
with open(os.path.join(d, "big.txt"), "w", encoding="utf-8") as f:
    while f.tell() < int(os.environ.get("BIG_MB", "60")) << 20:
        f.write(seed)
with open(os.path.join(d, "noise.txt"), "wb") as f:
    f.write(os.urandom(16 << 20))
PY
printf '%-16s %10s %9s %12s %5s\n' input bytes seconds "peak RSS MB" exit
for f in dimension.xlsx strings.xlsx divs.html big.txt noise.txt; do
  size=$(stat -c %s "$tmp/$f")
  set +e
  /usr/bin/time -f '%e %M' -o "$tmp/time" "$bin" extract "$tmp/$f" --format json > /dev/null 2> "$tmp/err"
  code=$?
  set -e
  read -r secs kb <<EOT
$(tail -n 1 "$tmp/time")
EOT
  printf '%-16s %10s %9s %12s %5s\n' "$f" "$size" "$secs" "$((kb / 1024))" "$code"
done
