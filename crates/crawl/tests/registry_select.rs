//! Source selection: `[registry]` rows chosen by kind, province, level, CMS and code prefix,
//! hand-written `[[sources]]` next to them, and the narrowing of one run (`--source`,
//! `--province`, `--level`, `--shard`). The registry file is a fixture in the format of
//! `data/sources/registry.csv` (real portal addresses from the reference table).

use nianbao_crawl::select::{Selection, Shard};
use nianbao_crawl::Config;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/registry.csv")
}

fn config(registry_filters: &str, hand: &str) -> Config {
    let toml = format!(
        "[registry]\nfile = {:?}\n{registry_filters}\n{hand}",
        fixture().display().to_string()
    );
    Config::from_toml(&toml, "test").expect("config parses")
}

fn names(c: &Config) -> Vec<&str> {
    c.sources.iter().map(|s| s.name.as_str()).collect()
}

#[test]
fn whole_registry_with_unique_names_and_metadata() {
    let mut c = config("", "");
    let r = c.resolve(&Selection::default()).expect("resolve");
    assert_eq!(r.from_registry, 14);
    c.validate().expect("valid after resolve");
    let n = names(&c);
    assert!(n.contains(&"朝阳区 [110105]"), "{n:?}");
    assert!(
        n.contains(&"朝阳区 [220104 www.ccchaoyang.gov.cn]"),
        "{n:?}"
    );
    assert!(
        n.contains(&"朝阳区 [220104 chaoyang.changchun.gov.cn]"),
        "{n:?}"
    );
    let longgang = c
        .sources
        .iter()
        .find(|s| s.name == "龙岗区")
        .expect("龙岗区");
    assert_eq!(longgang.division_code.as_deref(), Some("440307"));
    assert_eq!(longgang.start, ["http://www.lg.gov.cn"]);
    assert_eq!(longgang.kind.as_deref(), Some("portal"));
    assert_eq!(longgang.cms.as_deref(), Some("gkmlpt"));
    let pingtan = c
        .sources
        .iter()
        .find(|s| s.name == "平潭综合实验区")
        .expect("平潭");
    assert_eq!(pingtan.division_code, None, "empty code stays empty");
}

#[test]
fn registry_filters() {
    let mut c = config("kind = [\"column\"]", "");
    c.resolve(&Selection::default()).expect("resolve");
    assert_eq!(names(&c), ["沭阳县发展和改革局", "平潭综合实验区"]);

    let mut c = config(
        "province = [\"福建\", \"34\"]\nlevel = [\"province\", \"prefecture\"]",
        "",
    );
    c.resolve(&Selection::default()).expect("resolve");
    assert_eq!(names(&c), ["安徽省", "黄山市", "福建省", "福州市"]);

    let mut c = config("cms = [\"TRS\"]", "");
    c.resolve(&Selection::default()).expect("resolve");
    assert_eq!(names(&c), ["福建省", "平潭综合实验区"]);

    let mut c = config("division_code = [\"3213\"]\nkind = [\"portal\"]", "");
    c.resolve(&Selection::default()).expect("resolve");
    assert_eq!(names(&c), ["沭阳县"]);
}

#[test]
fn hand_sources_next_to_the_registry() {
    let hand =
        "[[sources]]\nname = \"某县审计局\"\nstart = [\"http://sjj.example.gov.cn/gknb/\"]\n\
                division_code = \"350121\"\nlevel = \"department\"\n";
    let mut c = config("kind = [\"column\"]", hand);
    c.resolve(&Selection::default()).expect("resolve");
    assert_eq!(
        names(&c),
        ["某县审计局", "沭阳县发展和改革局", "平潭综合实验区"]
    );
    assert_eq!(c.sources[0].division_code.as_deref(), Some("350121"));

    // --province by code reaches a hand source through its division code.
    let mut c = config("kind = [\"column\"]", hand);
    c.resolve(&Selection {
        provinces: vec!["35".into()],
        ..Default::default()
    })
    .expect("resolve");
    assert_eq!(names(&c), ["某县审计局", "平潭综合实验区"]);

    // The same name twice is an error: names key the summary and --due.
    let twice = "[[sources]]\nname = \"平潭综合实验区\"\nstart = [\"http://a.example.gov.cn/\"]\n";
    let mut c = config("kind = [\"column\"]", twice);
    let e = c.resolve(&Selection::default()).unwrap_err().to_string();
    assert!(e.contains("平潭综合实验区"), "{e}");
}

#[test]
fn command_line_narrowing() {
    let mut c = config("", "");
    c.resolve(&Selection {
        sources: vec!["朝阳区".into()],
        ..Default::default()
    })
    .expect("resolve");
    assert_eq!(c.sources.len(), 3, "a registry name selects all its rows");

    let mut c = config("", "");
    c.resolve(&Selection {
        sources: vec!["440307".into(), "https://www.ah.gov.cn/hfwy/".into()],
        ..Default::default()
    })
    .expect("resolve");
    assert_eq!(names(&c), ["安徽省", "龙岗区"], "by code and by start URL");

    let mut c = config("", "");
    c.resolve(&Selection {
        provinces: vec!["吉林省".into()],
        levels: vec!["county".into()],
        ..Default::default()
    })
    .expect("resolve");
    assert_eq!(c.sources.len(), 2);

    for bad in [
        Selection {
            sources: vec!["朝阳".into()],
            ..Default::default()
        },
        Selection {
            provinces: vec!["台湾".into()],
            ..Default::default()
        },
        Selection {
            levels: vec!["town".into()],
            ..Default::default()
        },
    ] {
        let mut c = config("", "");
        assert!(c.resolve(&bad).is_err(), "{bad:?} matches nothing: error");
    }

    let mut c = Config::from_toml("[registry]\nfile = \"/nonexistent/registry.csv\"\n", "test")
        .expect("parses");
    assert!(c.resolve(&Selection::default()).is_err(), "missing file");
    assert!(
        Config::from_toml("[registry]\nfile = \"x\"\nprovinces = [\"福建\"]\n", "t").is_err(),
        "unknown filter key"
    );
}

#[test]
fn shards_partition_the_sources() {
    let mut all = config("", "");
    all.resolve(&Selection::default()).expect("resolve");
    let mut seen: Vec<String> = Vec::new();
    for i in 0..3 {
        let mut c = config("", "");
        c.resolve(&Selection {
            shard: Some(Shard { index: i, count: 3 }),
            ..Default::default()
        })
        .expect("resolve");
        seen.extend(c.sources.iter().map(|s| s.name.clone()));
    }
    seen.sort();
    let mut want: Vec<String> = all.sources.iter().map(|s| s.name.clone()).collect();
    want.sort();
    assert_eq!(seen, want, "every source in exactly one of 3 shards");
}
