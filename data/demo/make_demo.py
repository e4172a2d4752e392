#!/usr/bin/env python3
"""Builds data/demo/sites/ — an offline replica of three government sites in the CMS shapes
of /work/shared/spec/sites.md, from real report texts of /work/shared/corpus.

Report bodies are copied unchanged (html/002.html byte for byte; dev/006.html wrapped in a
Hanweb article template; text reports rendered line by line as simple table pages; PDFs
copied). Only the surrounding listing pages are synthetic.

  python3 data/demo/make_demo.py /work/shared/corpus
"""
import html, json, os, shutil, subprocess, sys, tempfile

CORPUS = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus"
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sites")


def w(site, path, data, enc="utf-8"):
    p = os.path.join(ROOT, site, path.lstrip("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode(enc))


def rd(p):
    with open(os.path.join(CORPUS, p), encoding="utf-8") as f:
        return f.read()


def text_as_table_page(title, date, text, charset_meta, column, body_class="TRS_Editor"):
    """A text report rendered as an article page: lines with '|' become table rows."""
    out, rows = [], []

    def flush():
        if rows:
            out.append('<table border="1" cellspacing="0">' + "".join(rows) + "</table>")
            rows.clear()

    for line in text.splitlines():
        if "|" in line:
            cells = [c.strip() for c in line.split("|")]
            while cells and cells[-1] == "":
                cells.pop()
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        else:
            flush()
            if line.strip():
                out.append(f"<p>{html.escape(line)}</p>")
    flush()
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset_meta}">' if charset_meta else ""
    return f"""<!DOCTYPE html>
<html><head>{meta}
<title>{html.escape(title)}</title>
<meta name="ArticleTitle" content="{html.escape(title)}">
<meta name="PubDate" content="{date}">
<meta name="ColumnName" content="{column}">
</head><body>
<div class="article_content"><h1>{html.escape(title)}</h1>
<div class={body_class}>
{chr(10).join(out)}
</div></div></body></html>
"""


def trs():
    s = "trs"
    w(s, "robots.txt", "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.1\n")
    w(s, "index.html", """<!DOCTYPE html><html><head><meta charset="utf-8"><title>平潭综合实验区（演示）</title></head><body>
<ul class="nav"><li><a href="/zwgk/zfgzbg/index.html">政府工作报告</a></li>
<li><a href="/zwgk/zfxxgk/zfxxgknb/">政府信息公开年报</a></li>
<li><a href="/private/admin.html">后台</a></li>
<li><a href="http://www.fujian.gov.cn/">福建省人民政府</a></li></ul></body></html>""")
    w(s, "zwgk/zfgzbg/index.html", """<html><head><meta charset="utf-8"></head><body>
<a href="./202401/t20240120_1.htm">2024年政府工作报告</a></body></html>""")
    w(s, "zwgk/zfxxgk/zfxxgknb/index.html", """<!DOCTYPE html><html><head><meta charset="utf-8" name="viewport" content="width=device-width">
<meta name="ColumnName" content="政府信息公开年报"><title>政府信息公开年报</title></head><body>
<div class="list" ms-controller="list"><dl>
<dd><a href="./202403/t20240308_87885.htm" title="平潭综合实验区2023年度政府信息公开工作年度报告">平潭综合实验区2023年度政府信息公开工作年度报告</a></dd><dd>2024-03-08</dd>
<dd><a href="./201504/t20150410_1001.htm" title="关于2014年政府信息公开工作要点落实情况的函">关于2014年政府信息公开工作要点落实情况的函</a></dd><dd>2015-04-10</dd>
</dl></div>
<div class="page"><script>createPageHTML(2, 0, "index", "html");</script></div>
</body></html>""")
    w(s, "zwgk/zfxxgk/zfxxgknb/index_1.html", """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>
<div class="list"><dl>
<dd><a href="./202202/t20220208_80613.htm" title="平潭综合实验区2021年度政府信息公开工作年度报告">平潭综合实验区2021年度政府信息公...</a></dd><dd>2022-02-08</dd>
</dl></div>
<div class="page"><script>createPageHTML(2, 1, "index", "html");</script></div>
</body></html>""")
    with open(os.path.join(CORPUS, "html/002.html"), "rb") as f:
        w(s, "zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm", f.read())
    w(s, "zwgk/zfxxgk/zfxxgknb/201504/t20150410_1001.htm", "<html><head><meta charset='utf-8'></head><body><p>关于2014年政府信息公开工作要点落实情况的函</p></body></html>")
    w(s, "zwgk/zfxxgk/zfxxgknb/202202/t20220208_80613.htm",
      text_as_table_page("平潭综合实验区2021年度政府信息公开工作年度报告", "2022-02-08 16:34", rd("dev/001.txt"), "utf-8", "政府信息公开年报"))
    w(s, "private/admin.html", "<html><body>robots.txt disallows this page</body></html>")


def hanweb():
    """Hanweb/大汉 JCMS, GBK: datastore first page + dataproxy.jsp paging."""
    s = "hanweb"
    w(s, "robots.txt", "User-agent: *\nDisallow: /module/visitcount/\n")
    rec = lambda href, title, date: f"<record><![CDATA[<li><a href='{href}' title='{title}' target='_blank'>{title[:14]}...</a><span>{date}</span></li>]]></record>"
    first = f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name='Generator' content='大汉版通'><meta name='Author' content='大汉网络'>
<title>信息公开年报</title></head><body>
<div id="4180"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=4180&unitid=4180&webname=%25E6%25B4%25AA%25E6%25B3%25BD&permissiontype=0"></a>]]></nextgroup>
<recordset>
{rec('/art/2025/1/20/art_4180_2001.html', '桃江县松木塘镇人民政府2022年政府信息公开工作年度报告', '2025-01-20')}
{rec('/art/2024/1/22/art_4180_1001.html', '丰收乡人民政府2022年政府信息公开工作年度报告', '2024-01-22')}
</recordset></datastore></script></div>
<script type="text/javascript">$('#4180').jpage({{ dataStore: '', totalRecord: 3, perPage: 2, proxyUrl: '/module/web/jpage/dataproxy.jsp' }});</script>
<a href='http://www.hanweb.com' style='display:none'>Produced By 大汉网络 大汉版通发布系统</a>
<iframe src="/module/visitcount/visit.jsp?type=1&i_webid=15&i_columnid=4180" style="display:none"></iframe>
</body></html>"""
    w(s, "col/col4180/index.html", first, "gb18030")
    proxy = f"""<?xml version="1.0" encoding="GBK"?>
<datastore><totalrecord>3</totalrecord><totalpage>2</totalpage><recordset>
{rec('/art/2020/1/31/art_4180_301.html', '2019年上海市人民政府办公厅政府信息公开工作年度报告', '2020-01-31')}
</recordset></datastore>"""
    w(s, "proxy/startrecord3.xml", proxy, "gb18030")
    w(s, "_routes.toml", """# Hanweb jpage proxy: GET with every parameter in the query
[[route]]
path = "/module/web/jpage/dataproxy.jsp"
query = "startrecord=3"
file = "proxy/startrecord3.xml"
content_type = "text/xml;charset=GBK"

# attachments through the download servlet
[[route]]
path = "/module/download/downfile.jsp"
query = "filename=P020250120301.pdf"
file = "files/P020250120301.pdf"
content_type = "application/pdf"

[[route]]
path = "/module/download/downfile.jsp"
query = "filename=P020240122101.pdf"
file = "files/P020240122101.pdf"
content_type = "application/pdf"

# a GBK page whose charset is declared only in the HTTP header
[[route]]
path = "/art/2020/1/31/art_4180_301.html"
file = "art/2020/1/31/art_4180_301.html"
content_type = "text/html; charset=GBK"
""")

    def art(title, date, pdf):
        return f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<meta name="ArticleTitle" content="{title}"><meta name="PubDate" content="{date}">
<title>{title}</title></head><body>
<!--ZJEG_RSS.content.begin--><meta name="ContentStart"><div id="zoom">
<p>{title}（全文见附件）</p>
<p>附件：<a href="/module/download/downfile.jsp?filename={pdf}&classid=0" title="{title}.pdf">{title}.pdf</a></p>
</div><meta name="ContentEnd"><!--ZJEG_RSS.content.end--></body></html>"""

    w(s, "art/2025/1/20/art_4180_2001.html", art("桃江县松木塘镇人民政府2022年政府信息公开工作年度报告", "2025-01-20", "P020250120301.pdf"), "gb18030")
    w(s, "art/2024/1/22/art_4180_1001.html", art("丰收乡人民政府2022年政府信息公开工作年度报告", "2024-01-22", "P020240122101.pdf"), "gb18030")
    os.makedirs(os.path.join(ROOT, s, "files"), exist_ok=True)
    # The attachments are PDFs made here with LibreOffice from dev reports that may live in
    # the repository (dev/025 and dev/026 may not): soffice --headless --convert-to pdf.
    for src, dst in (("dev/011.txt", "P020250120301.pdf"), ("dev/029.txt", "P020240122101.pdf")):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copyfile(os.path.join(CORPUS, src), os.path.join(tmp, "report.txt"))
            subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", tmp, os.path.join(tmp, "report.txt")], check=True, capture_output=True)
            shutil.copyfile(os.path.join(tmp, "report.pdf"), os.path.join(ROOT, s, "files", dst))
    body = rd("dev/006.html")
    page = f"""<!DOCTYPE html><html><head>
<title>2019年上海市人民政府办公厅政府信息公开工作年度报告</title>
<meta name="ArticleTitle" content="2019年上海市人民政府办公厅政府信息公开工作年度报告">
<meta name="PubDate" content="2020-01-31"></head><body>
<!--ZJEG_RSS.content.begin--><meta name="ContentStart"><div id="zoom">
{body}
</div><meta name="ContentEnd"><!--ZJEG_RSS.content.end--></body></html>"""
    # charset only in the HTTP header (see _routes.toml)
    w(s, "art/2020/1/31/art_4180_301.html", page, "gb18030")


def gkmlpt():
    """Guangdong 政府信息公开目录平台 (gkmlpt): entry page with SID, JSON list API."""
    s = "gkmlpt"
    # no robots.txt at all: 404 means allow everything
    w(s, "gkmlpt/index", """<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开目录</title></head><body>
<div id="app"></div>
<script>window._CONFIG = { SID: '755', CATID: '0', gkmlpt: true };</script>
<script src="/gkmlpt/static/js/app.js"></script></body></html>""")
    w(s, "_routes.toml", """[[route]]
path = "/gkmlpt/index"
content_type = "text/html; charset=utf-8"

[[route]]
path = "/gkmlpt/api/all/0"
query = "page=1"
file = "api/page1.json"
content_type = "application/json"

[[route]]
path = "/gkmlpt/api/all/0"
query = "page=2"
file = "api/page2.json"
content_type = "application/json"
""")
    base = "http://{{site:gkmlpt}}"
    p1 = {"total": 3, "articles": [
        {"title": "深圳市龙岗区2024年政府信息公开工作年度报告", "url": base + "/xxgk/xxgknb/qzfgzbm/content/post_11956962.html", "create_time": 1737000000},
        {"title": "关于做好2024年政务公开工作的通知", "url": base + "/xxgk/tzgg/content/post_1.html", "create_time": 1710000000}]}
    p2 = {"total": 3, "articles": [
        {"title": "2020年梅河口市商務局政府信息公開工作年度報告", "url": base + "/xxgk/xxgknb/content/post_9001.html", "create_time": 1612000000}]}
    w(s, "api/page1.json", json.dumps(p1, ensure_ascii=False))
    w(s, "api/page2.json", json.dumps(p2, ensure_ascii=False))
    w(s, "xxgk/xxgknb/qzfgzbm/content/post_11956962.html",
      text_as_table_page("深圳市龙岗区2024年政府信息公开工作年度报告", "2025-01-15", rd("dev/030.txt"), "utf-8", "政府信息公开年报", "article-content"))
    w(s, "xxgk/xxgknb/content/post_9001.html",
      text_as_table_page("2020年梅河口市商務(wù)局政府信息公開工作年度報告", "2021-01-29", rd("seed.txt"), "utf-8", "政府信息公开年报", "article-content"))
    w(s, "xxgk/tzgg/content/post_1.html", "<html><head><meta charset='utf-8'></head><body><p>通知</p></body></html>")


if __name__ == "__main__":
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    trs(); hanweb(); gkmlpt()
    print("demo sites written to", ROOT)
