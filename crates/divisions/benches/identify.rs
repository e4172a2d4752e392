//! Throughput of `identify` on a realistic mix: every county-level division in use gets a
//! department report (agency + title with province and prefecture), every prefecture a
//! government report, plus townships, traditional spellings, ambiguous and unknown names, and
//! hints. `cargo bench -p nianbao-divisions` reports elements/s = calls/s on one thread; the
//! one-time table parse is timed separately before the benchmark.

use criterion::{criterion_group, Criterion, Throughput};
use nianbao_divisions::{check_table, identify, IdentityInput};
use std::hint::black_box;
use std::time::Instant;

struct Case {
    agency: String,
    title: String,
    year: i32,
    site: Option<String>,
}

fn cases() -> Vec<Case> {
    let csv = include_str!("../../../data/divisions/areacodes.csv");
    let mut out = Vec::new();
    for line in csv.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if f.len() < 9 || f[5] != "在用" {
            continue;
        }
        let (code, prov, pref, name, level) = (f[0], f[1], f[2], f[3], f[4]);
        let pref = if pref == "直辖" { "" } else { pref };
        match level {
            "县级" => {
                let agency = format!("{name}商务局");
                out.push(Case {
                    title: format!("2023年{prov}{pref}{agency}政府信息公开工作年度报告"),
                    agency,
                    year: 2023,
                    site: Some(format!("{code}0001")),
                });
                if out.len() % 7 == 0 {
                    out.push(Case {
                        agency: format!("{name}城关镇人民政府"),
                        title: "2022年政府信息公开工作年度报告".into(),
                        year: 2022,
                        site: None,
                    });
                }
            }
            "地级" => out.push(Case {
                agency: format!("{name}人民政府办公室"),
                title: format!("{name}2021年政府信息公开工作年度报告"),
                year: 2021,
                site: None,
            }),
            _ => {}
        }
    }
    for (agency, title, year) in [
        ("朝阳区人民政府", "", 2023),
        (
            "梅河口市商務(wù)局",
            "2020年梅河口市商務(wù)局政府信息公開工作年度報告",
            2020,
        ),
        ("区公安局", "", 2024),
        (
            "平潭综合实验区管委会办公室",
            "平潭综合实验区2023年度政府信息公开工作年度报告",
            2023,
        ),
        ("桃花源市人民政府", "", 2023),
        ("沭阳县人民法院", "", 2023),
        ("淮安市人民政府", "", 1995),
    ] {
        out.push(Case {
            agency: agency.into(),
            title: title.into(),
            year,
            site: Some("3590000001".into()),
        });
    }
    out
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    let matched = cases
        .iter()
        .filter(|k| {
            identify(&IdentityInput {
                agency: Some(&k.agency),
                title: Some(&k.title),
                year: Some(k.year),
                site_id: k.site.as_deref(),
                source_division_code: None,
            })
            .agency_id
            .is_some()
        })
        .count();
    eprintln!("{} inputs, {matched} with an agency_id", cases.len());
    let mut g = c.benchmark_group("identify");
    g.throughput(Throughput::Elements(cases.len() as u64));
    g.sample_size(20);
    g.bench_function("mixed", |b| {
        b.iter(|| {
            for k in &cases {
                black_box(identify(black_box(&IdentityInput {
                    agency: Some(&k.agency),
                    title: Some(&k.title),
                    year: Some(k.year),
                    site_id: k.site.as_deref(),
                    source_division_code: None,
                })));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

fn main() {
    let t = Instant::now();
    match check_table() {
        Ok(s) => eprintln!(
            "table parse + automaton: {:.1} ms ({} rows, {} aliases)",
            t.elapsed().as_secs_f64() * 1e3,
            s.rows,
            s.aliases
        ),
        Err(e) => eprintln!("table error: {e}"),
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
