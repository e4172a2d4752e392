//! Discovery from portal roots: five local sites shaped like real government portals
//! (`tests/fixtures/portals/`, built by `make_portals.py` from the corpus pages) are listed
//! as `portal` rows of a registry file, and the crawl must find every 年报 column from the
//! home page: home → 政府信息公开 platform → 年报 column → reports, and platform →
//! department list → department → its 年报 column → report, including the provincial
//! platforms (Fujian 动静结合 POST API, Anhui `/site/label`, Jiangxi embedded JSON,
//! Guangdong gkmlpt, a Hanweb home page composed of iframes) — and nothing else (no news,
//! no 政府工作报告).

use nianbao_crawl::select::Selection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/portals")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portals_lead_to_every_annual_report_column() {
    let (sites, _servers) = nianbao_crawl::serve::spawn_sites(&fixtures(), 0)
        .await
        .expect("serve the portals");
    let addr: BTreeMap<String, String> = sites.into_iter().collect();
    let dir = tempfile::tempdir().expect("tmp");
    let registry = dir.path().join("registry.csv");
    let mut csv =
        String::from("kind,name,start,division_code,level,province,cms,evidence,source\n");
    for (site, name, code, province) in [
        ("fj", "平潭综合实验区", "350128", "福建省"),
        ("hw", "某大汉站", "", "江苏省"),
        ("ah", "霍山县", "341525", "安徽省"),
        ("gd", "龙岗区", "440307", "广东省"),
        ("jx", "江西省", "360000", "江西省"),
    ] {
        csv.push_str(&format!(
            "portal,{name},http://{}/,{code},county,{province},,,test\n",
            addr[site]
        ));
    }
    std::fs::write(&registry, csv).expect("registry");
    let (data, out) = (dir.path().join("data"), dir.path().join("out"));
    let toml = format!(
        "[registry]\nfile = {:?}\n\n[crawl]\nallow_private_addresses = true\n\n\
         [politeness]\ndelay_ms = 5\nretries = 0\n\n[storage]\ndata = {:?}\nout = {:?}\n",
        registry.display().to_string(),
        data.display().to_string(),
        out.display().to_string()
    );
    let mut cfg = nianbao_crawl::Config::from_toml(&toml, "test").expect("config");
    cfg.resolve(&Selection::default()).expect("registry");
    assert!(cfg
        .sources
        .iter()
        .all(|s| s.seed_role() == nianbao_crawl::discover::Role::Hub));
    let report = nianbao_crawl::run(cfg).await.expect("crawl");
    println!("{}", report.summary);

    let archive = nianbao_archive::Archive::open_read_only(&data).expect("archive");
    let records = archive.index().all_records().expect("records");
    let host_site: BTreeMap<&str, &str> =
        addr.iter().map(|(s, a)| (a.as_str(), s.as_str())).collect();
    let mut reports: BTreeSet<String> = BTreeSet::new();
    for r in &records {
        if r.role == "report" && r.outcome == "ok" {
            let u = url::Url::parse(&r.url).expect("url");
            let site = host_site.get(r.host.as_str()).copied().unwrap_or("?");
            reports.insert(format!("{site}{}", u.path()));
        }
    }
    let want: BTreeSet<String> = [
        // the column (static part), and the 2011 report only the POST API lists
        "fj/zwgk/zfxxgk/zfxxgknb/202403/t20240308_87885.htm",
        "fj/zwgk/zfxxgk/zfxxgknb/201204/t20120425_80716.htm",
        // department list → departments → their columns
        "fj/bm/tjj/zfxxgknb/202401/t20240115_tjj.htm",
        "fj/bm/smt/zfxxgknb/202401/t20240115_smt.htm",
        "fj/bm/tfl/zfxxgknb/202401/t20240115_tfl.htm",
        // Hanweb home page (iframes) → 信息公开 → datastore column
        "hw/art/2023/1/20/art_4180_1.html",
        "hw/art/2023/1/18/art_4180_2.html",
        // Anhui label lists, two pages
        "ah/public/6596221/1.html",
        "ah/public/6596221/2.html",
        // gkmlpt JSON API
        "gd/xxgk/content/post_1.html",
        // Jiangxi items in a script
        "jx/jxsrmzf/xxgkn142/pc/content/content_1881.html",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(
        want.difference(&reports).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "every report found"
    );

    // The 动静结合 records came from a form POST carrying the column's channel.
    let posts: Vec<_> = records.iter().filter(|r| r.method == "POST").collect();
    assert_eq!(posts.len(), 1, "one POST for 20 records: {posts:?}");
    assert!(posts[0].url.contains("/fjdzapp/search"));
    assert_eq!(posts[0].outcome, "ok");

    // Portals are not crawled wholesale: no news, no 政府工作报告, no non-report items.
    for r in &records {
        for not in [
            "/xwzx/",
            "zfgzbg",
            "/art/2018/",
            "post_2.html",
            "content_1234567890",
            "t20150410_80440",
        ] {
            assert!(!r.url.contains(not), "fetched {} ({})", r.url, r.role);
        }
    }
    let requests = records.iter().filter(|r| r.role != "robots").count();
    assert!(requests < 80, "{requests} requests for 5 portals");

    // The dataset built from this archive holds the reports with their tables.
    drop(archive);
    let stats = nianbao_dataset::refresh(&data, &out, false).expect("dataset");
    assert!(stats.reports >= 10, "{stats:?}");
    let csv = std::fs::read_to_string(out.join("reports.csv")).expect("reports.csv");
    assert!(csv.contains("平潭县人民政府2011年政府信息公开工作年度报告"));
}
