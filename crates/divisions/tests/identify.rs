//! Agency identity on real names: the cases of issue 8, names that must stay unmatched,
//! hints, traditional characters, and every agency named by a corpus truth sidecar.

use nianbao_divisions::{
    check_table, division, identify, AgencyKind, DivisionLevel, Identity, IdentityInput,
};

fn id(agency: &str, year: i32) -> Identity {
    identify(&IdentityInput {
        agency: Some(agency),
        year: Some(year),
        ..Default::default()
    })
}

fn code(i: &Identity) -> Option<&str> {
    i.division_code.as_deref()
}

#[test]
fn bundled_table_parses_completely() {
    let s = check_table().expect("the bundled division table must parse");
    assert_eq!(s.rows, 6823, "rows of data/divisions/areacodes.csv");
    assert!(s.aliases >= 1);
    assert_eq!((s.first_year, s.last_year), (1981, 2025));
}

#[test]
fn huaian_is_a_county_level_city_in_1995_and_a_prefecture_in_2024() {
    let old = id("淮安市人民政府", 1995);
    assert_eq!(code(&old), Some("320882"), "{old:?}");
    assert_eq!(old.division_level, Some(DivisionLevel::County));
    assert_eq!(old.prefecture.as_deref(), Some("淮阴市"));
    let new = id("淮安市人民政府", 2024);
    assert_eq!(code(&new), Some("320800"), "{new:?}");
    assert_eq!(new.division_level, Some(DivisionLevel::Prefecture));
    assert_eq!(new.agency_kind, Some(AgencyKind::Government));
    // Different governments, different keys: the old city's lineage ends in 淮安区.
    assert_eq!(old.agency_id.as_deref(), Some("320803"));
    assert_eq!(new.agency_id.as_deref(), Some("320800"));
    // The prefecture kept its code through the renaming 淮阴市 → 淮安市.
    assert_eq!(
        id("淮阴市人民政府", 1995).agency_id.as_deref(),
        Some("320800")
    );
    // A department of the 2024 prefecture and a district under it.
    let d = id("淮安市洪泽区人民政府", 2024);
    assert_eq!(code(&d), Some("320813"));
    assert_eq!(d.prefecture.as_deref(), Some("淮安市"));
    // Without a year 淮安市 is not certain.
    let none = identify(&IdentityInput {
        agency: Some("淮安市人民政府"),
        ..Default::default()
    });
    assert_eq!(code(&none), None);
    assert!(none.flags.contains(&"year_unknown"), "{none:?}");
}

#[test]
fn shuyang_reports_are_321322() {
    let i = identify(&IdentityInput {
        agency: Some("沭阳县发展和改革局"),
        title: Some("沭阳县发展和改革局2023年政府信息公开年度报告"),
        year: Some(2023),
        site_id: Some("3213220037"),
        ..Default::default()
    });
    assert_eq!(code(&i), Some("321322"), "{i:?}");
    assert_eq!(i.division_level, Some(DivisionLevel::County));
    assert_eq!(i.agency_kind, Some(AgencyKind::Department));
    assert_eq!(i.prefecture.as_deref(), Some("宿迁市"));
    assert_eq!(i.agency_id.as_deref(), Some("321322-发展和改革局"));
    assert!(i.flags.is_empty(), "{:?}", i.flags);
    let g = identify(&IdentityInput {
        title: Some("沭阳县2023年政府信息公开工作年度报告"),
        year: Some(2023),
        ..Default::default()
    });
    assert_eq!(code(&g), Some("321322"));
    assert_eq!(g.agency_kind, Some(AgencyKind::Government));
    // 沭阳县 belonged to 淮阴市 until 1996, under the code 320823.
    let old = id("沭阳县人民政府", 1995);
    assert_eq!(code(&old), Some("320823"));
    assert_eq!(old.prefecture.as_deref(), Some("淮阴市"));
    assert_eq!(old.agency_id.as_deref(), Some("321322"));
}

#[test]
fn pingtan_zone_is_350128_by_alias() {
    let i = id("平潭综合实验区", 2023);
    assert_eq!(code(&i), Some("350128"), "{i:?}");
    assert_eq!(i.division_level, Some(DivisionLevel::County));
    assert_eq!(i.agency_kind, Some(AgencyKind::Government));
    assert!(i.flags.contains(&"division_alias"));
    // Its 2011 report as 平潭县 has the same key.
    let old = id("平潭县人民政府", 2011);
    assert_eq!(code(&old), Some("350128"));
    assert_eq!(old.agency_id, i.agency_id);
    // html/002: the office publishes the zone's report; SiteIDCode 3590000001 is no code.
    let page = identify(&IdentityInput {
        agency: Some("平潭综合实验区管委会办公室"),
        title: Some("平潭综合实验区2023年度政府信息公开工作年度报告"),
        year: Some(2023),
        site_id: Some("3590000001"),
        source_division_code: None,
    });
    assert_eq!(code(&page), Some("350128"), "{page:?}");
    assert_eq!(page.agency_kind, Some(AgencyKind::Government));
    assert!(page.flags.contains(&"published_by_office"));
    assert_eq!(page.agency_id.as_deref(), Some("350128"));
    // html/005: `区公安局` on the zone's site gets the source's division; the 区 of the
    // zone's name fits.
    let dept = identify(&IdentityInput {
        agency: Some("区公安局"),
        year: Some(2024),
        site_id: Some("3590000001"),
        source_division_code: Some("350128"),
        ..Default::default()
    });
    assert_eq!(code(&dept), Some("350128"), "{dept:?}");
    assert_eq!(dept.agency_kind, Some(AgencyKind::Department));
    assert_eq!(dept.agency_id.as_deref(), Some("350128-公安局"));
    assert!(dept.flags.contains(&"division_from_source"));
    // Before the zone existed the alias does not apply.
    assert_eq!(code(&id("平潭综合实验区", 2005)), None);
}

#[test]
fn meihekou_commerce_bureau_is_a_department_of_a_county_level_government() {
    let i = identify(&IdentityInput {
        agency: Some("梅河口市商务局"),
        title: Some("2020年梅河口市商务局政府信息公开工作年度报告"),
        year: Some(2020),
        ..Default::default()
    });
    assert_eq!(code(&i), Some("220581"));
    assert_eq!(i.division_name.as_deref(), Some("梅河口市"));
    assert_eq!(i.division_level, Some(DivisionLevel::County));
    assert_eq!(i.agency_kind, Some(AgencyKind::Department));
    assert_eq!(i.province.as_deref(), Some("吉林省"));
    assert_eq!(i.prefecture.as_deref(), Some("通化市"));
    assert_eq!(i.agency_id.as_deref(), Some("220581-商务局"));
    // With the province in front, or through the bundled seed's traditional spelling.
    assert_eq!(code(&id("吉林省梅河口市商务局", 2020)), Some("220581"));
    let trad = identify(&IdentityInput {
        agency: None,
        title: Some("2020年梅河口市商務(wù)局政府信息公開工作年度報告"),
        year: Some(2020),
        ..Default::default()
    });
    assert_eq!(trad.agency_id, i.agency_id, "{trad:?}");
}

#[test]
fn names_that_must_stay_unmatched() {
    // 朝阳区 is in Beijing and in Changchun.
    let c = id("朝阳区人民政府", 2023);
    assert_eq!(code(&c), None);
    assert_eq!(c.agency_id, None);
    assert!(c.flags.contains(&"division_ambiguous"), "{c:?}");
    // 市中区 is in 济南, 枣庄 (山东), 内江 and 乐山 (四川): not even the province is certain.
    let s = id("市中区教育局", 2024);
    assert_eq!(code(&s), None);
    assert_eq!(s.province, None);
    // A made-up place.
    let f = id("桃花源市人民政府", 2023);
    assert_eq!(code(&f), None);
    assert!(f.flags.contains(&"division_unmatched"));
    // Courts belong to no government: no division, kind other (located, not matched).
    for court in ["沭阳县人民法院", "北京市高级人民法院", "最高人民法院"] {
        let k = id(court, 2023);
        assert_eq!(code(&k), None, "{court}");
        assert_eq!(k.division_level, None, "{court}");
        assert_eq!(k.agency_kind, Some(AgencyKind::Other), "{court}");
    }
    // Place names inside other words are not places.
    let w = id("住房和城乡建设局", 2023);
    assert_eq!((code(&w), w.province.as_deref()), (None, None));
    // The agency and the title name unrelated places.
    let x = identify(&IdentityInput {
        agency: Some("沭阳县商务局"),
        title: Some("2020年梅河口市商务局政府信息公开工作年度报告"),
        year: Some(2020),
        ..Default::default()
    });
    assert_eq!(code(&x), None);
    assert!(x.flags.contains(&"agency_title_conflict"));
    // No name at all: a hint alone is not enough (it could be a township's report).
    let n = identify(&IdentityInput {
        title: Some("2022年政府信息公开工作年度报告"),
        year: Some(2022),
        source_division_code: Some("321322"),
        ..Default::default()
    });
    assert_eq!(code(&n), None);
    assert!(n.flags.contains(&"no_agency_name"));
}

#[test]
fn site_id_counts_only_when_its_prefix_is_a_code_that_year() {
    let with = |site: &str, year: i32| {
        identify(&IdentityInput {
            agency: Some("朝阳区商务局"),
            year: Some(year),
            site_id: Some(site),
            ..Default::default()
        })
    };
    let bj = with("1101050001", 2023);
    assert_eq!(code(&bj), Some("110105"));
    assert!(bj.flags.contains(&"disambiguated_by_site_id"));
    let cc = with("2201040012", 2023);
    assert_eq!(code(&cc), Some("220104"));
    assert_eq!(cc.prefecture.as_deref(), Some("长春市"));
    // A province prefix that contains one candidate disambiguates too.
    assert_eq!(code(&with("2200000001", 2023)), Some("220104"));
    let bad = with("3590000001", 2023);
    assert_eq!(code(&bad), None);
    assert!(bad.flags.contains(&"site_id_rejected"), "{bad:?}");
    // 320813 (洪泽区) is a code from 2016: a 2010 site id with it is rejected.
    let place = |year: i32| {
        identify(&IdentityInput {
            agency: Some("区人民政府"),
            year: Some(year),
            site_id: Some("3208130001"),
            ..Default::default()
        })
    };
    let ok = place(2020);
    assert_eq!(code(&ok), Some("320813"));
    assert!(ok.flags.contains(&"division_from_site_id"));
    let early = place(2010);
    assert_eq!(code(&early), None);
    assert!(early.flags.contains(&"site_id_rejected"), "{early:?}");
    // A prefix that does not fit the site's division: 县 on a 区 site.
    let misfit = identify(&IdentityInput {
        agency: Some("县人民政府"),
        year: Some(2020),
        site_id: Some("3208130001"),
        ..Default::default()
    });
    assert_eq!(code(&misfit), None);
    assert!(misfit.flags.contains(&"hint_level_mismatch"));
}

#[test]
fn source_code_disambiguates_and_follows_renamings() {
    let s = identify(&IdentityInput {
        agency: Some("市中区人民政府"),
        year: Some(2023),
        source_division_code: Some("370103"),
        ..Default::default()
    });
    assert_eq!(code(&s), Some("370103"));
    assert_eq!(s.prefecture.as_deref(), Some("济南市"));
    assert!(s.flags.contains(&"disambiguated_by_source"));
    // A registry holds today's code (洪泽区 320813); the 2012 report is 洪泽县's (320829).
    let old = identify(&IdentityInput {
        agency: Some("县商务局"),
        year: Some(2012),
        source_division_code: Some("320813"),
        ..Default::default()
    });
    assert_eq!(code(&old), Some("320829"), "{old:?}");
    assert_eq!(old.agency_id.as_deref(), Some("320813-商务局"));
    assert!(old.flags.contains(&"source_code_of_other_year"));
    // A hint that contradicts a certain name is flagged; the name stands.
    let c = identify(&IdentityInput {
        agency: Some("梅河口市商务局"),
        year: Some(2020),
        source_division_code: Some("321322"),
        ..Default::default()
    });
    assert_eq!(code(&c), Some("220581"));
    assert!(c.flags.contains(&"source_code_conflict"));
}

#[test]
fn traditional_characters_spaces_and_name_variants() {
    let t = id("淮安市人民政府辦公室", 2024);
    assert_eq!(code(&t), Some("320800"));
    assert_eq!(t.agency_kind, Some(AgencyKind::Department));
    assert_eq!(t.agency_id.as_deref(), Some("320800-办公室"));
    assert_eq!(code(&id("沭 陽 縣 人民政府", 2023)), Some("321322"));
    // Autonomous divisions in full and short form are one agency.
    let full = id("恩施土家族苗族自治州民族宗教事务委员会", 2020);
    let short = id("恩施州民族宗教事务委员会", 2020);
    assert_eq!(code(&full), Some("422800"));
    assert_eq!(full.agency_id, short.agency_id);
    assert_eq!(code(&id("大厂县人民政府", 2020)), Some("131028"));
    // OpenCC turns the 乾 of place names into 干; table names are folded the same way.
    assert_eq!(code(&id("乾安县人民政府", 2024)), Some("220723"));
    assert_eq!(
        id("乾安县人民政府", 2024).division_name.as_deref(),
        Some("乾安县")
    );
    // 人民政府 in front of a department's name is not part of its key.
    assert_eq!(
        id("梅河口市人民政府商务局", 2020).agency_id.as_deref(),
        Some("220581-商务局")
    );
}

#[test]
fn townships_get_their_county_but_no_code() {
    let t = id("桃江县松木塘镇人民政府", 2022);
    assert_eq!(code(&t), None);
    assert_eq!(t.division_level, Some(DivisionLevel::Township));
    assert_eq!(t.division_name.as_deref(), Some("松木塘镇"));
    assert_eq!(t.county_code.as_deref(), Some("430922"));
    assert_eq!(t.prefecture.as_deref(), Some("益阳市"));
    assert_eq!(t.province.as_deref(), Some("湖南省"));
    assert_eq!(t.agency_kind, Some(AgencyKind::Government));
    assert_eq!(t.agency_id.as_deref(), Some("430922-松木塘镇"));
    assert!(t.flags.contains(&"township_no_code"));
    let s = id("榆林市榆阳区驼峰路街道办事处", 2020);
    assert_eq!(s.division_name.as_deref(), Some("驼峰路街道"));
    assert_eq!(s.county_code.as_deref(), Some("610802"));
    // Unlocated: level and kind are still certain.
    let u = id("太平镇人民政府", 2022);
    assert_eq!(u.division_level, Some(DivisionLevel::Township));
    assert_eq!(u.province, None);
    assert!(u.flags.contains(&"division_unmatched"));
    // A county department whose name starts like a township is a department.
    let d = id("桃江县乡村振兴局", 2022);
    assert_eq!(code(&d), Some("430922"));
    assert_eq!(d.agency_kind, Some(AgencyKind::Department));
}

#[test]
fn divisions_by_code_and_year() {
    let d = division("320800", Some(1995)).expect("320800 in 1995");
    assert_eq!(d.name, "淮阴市");
    assert_eq!(
        division("320800", Some(2024)).map(|d| d.name).as_deref(),
        Some("淮安市")
    );
    assert_eq!(division("320813", Some(2010)), None);
    let d = division("320829", Some(2010)).expect("洪泽县");
    assert_eq!(d.lineage_code, "320813");
    // Merged districts keep their own keys: 清河区 and 清浦区 became 清江浦区 together.
    assert_eq!(
        division("320802", Some(2010))
            .map(|d| d.lineage_code)
            .as_deref(),
        Some("320802")
    );
    assert_eq!(
        division("320811", Some(2010))
            .map(|d| d.lineage_code)
            .as_deref(),
        Some("320811")
    );
    assert_eq!(division("12345", None), None);
}

/// Every agency named by a truth sidecar of the bundled samples and of the shared corpus.
#[test]
fn every_sidecar_agency() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("data/samples")];
    // The shared corpus sits beside the repository (`../shared`), or beside the worktrees'
    // folder when run from a worktree (`../../shared`).
    let shared = [
        root.join("../shared/corpus"),
        root.join("../../shared/corpus"),
    ]
    .into_iter()
    .find(|p| p.is_dir());
    match &shared {
        Some(s) => dirs.extend([s.clone(), s.join("dev"), s.join("html")]),
        None => println!("SKIPPED: ../shared/corpus not found; only data/samples sidecars checked"),
    }
    let mut files = Vec::new();
    for d in &dirs {
        let Ok(rd) = std::fs::read_dir(d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut seen = std::collections::BTreeSet::new();
    let mut checked = 0;
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let (Some(agency), Some(year)) = (v["agency"].as_str(), v["year"].as_i64()) else {
            continue;
        };
        // Sidecars annotate the name: `平潭综合实验区（福建省，县级/实验区管委会）`.
        let name: String = agency
            .split(['（', '('])
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        if name.is_empty() || name.is_ascii() || name.starts_with("a ") {
            println!("{}: {agency:?} names no agency", f.display());
            continue;
        }
        if !seen.insert((name.clone(), year)) {
            continue;
        }
        let i = id(&name, year as i32);
        println!(
            "{} {year} {name} → {:?} {:?} {:?} {:?} {:?} {:?}",
            f.file_name().and_then(|n| n.to_str()).unwrap_or(""),
            i.division_code,
            i.division_name,
            i.division_level,
            i.agency_kind,
            i.agency_id,
            i.flags
        );
        // The sidecar's level (`county`, `county-department`, `township` …) must agree.
        let level = v["level"].as_str().unwrap_or("");
        let want_level = level.split(['-', ' ']).next().unwrap_or("");
        if let Some(l) = i.division_level {
            assert_eq!(l.as_str(), want_level, "{name}: level");
        }
        if level.ends_with("-department") {
            assert_eq!(i.agency_kind, Some(AgencyKind::Department), "{name}");
        }
        // The ones certain from the name alone.
        let want = match name.as_str() {
            "梅河口市商务局" => Some("220581"),
            "平潭综合实验区" => Some("350128"),
            "上海市科学技术委员会" | "上海市人民政府办公厅" => Some("310000"),
            "淮安市洪泽区人民政府" => Some("320813"),
            "西安市雁塔区统计局" => Some("610113"),
            _ => None,
        };
        if want.is_some() {
            assert_eq!(code(&i), want, "{name} {year}");
        }
        if level.starts_with("township") {
            assert_eq!(i.division_level, Some(DivisionLevel::Township), "{name}");
            assert_eq!(code(&i), None, "{name}");
        }
        if name == "桃江县松木塘镇人民政府" {
            assert_eq!(i.county_code.as_deref(), Some("430922"));
        }
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} sidecar agencies found");
}

proptest::proptest! {
    /// Any text, year and hint gives an answer without panicking, and a code only with a level.
    #[test]
    fn never_panics(
        agency in "[省市县区镇乡人民政府办公室局委沭阳淮安朝梅河口a-z0-9（）() ]{0,40}",
        title in "\\PC{0,60}",
        year in proptest::option::of(1900i32..2100),
        site in proptest::option::of("[0-9a-z]{0,12}"),
    ) {
        let i = identify(&IdentityInput {
            agency: Some(&agency),
            title: Some(&title),
            year,
            site_id: site.as_deref(),
            source_division_code: site.as_deref(),
        });
        proptest::prop_assert!(i.division_code.is_none() || i.division_level.is_some());
        proptest::prop_assert!(i.division_code.is_none() || i.agency_id.is_some());
    }
}

#[test]
fn hostile_lengths_are_cut() {
    let long = "梅河口市商务局".to_string() + &"局".repeat(200_000);
    let i = id(&long, 2020);
    assert_eq!(code(&i), Some("220581"));
    let noise = "朝阳区".repeat(50_000);
    assert_eq!(code(&id(&noise, 2020)), None);
}
