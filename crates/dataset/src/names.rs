//! Short column names for Stata and SAS (≤ 32 characters, `[a-z_][a-z0-9_]*`): each part of
//! a cell key has a fixed abbreviation, so a name depends only on its key (stable across
//! releases and datasets) and different keys give different names (no abbreviation contains
//! `_`, so the parts can be told apart).

/// The longest name Stata and SAS accept.
pub const MAX_LEN: usize = 32;

/// Abbreviation of every part of the keys in `data/templates/keys.tsv`.
const PARTS: &[(&str, &str)] = &[
    ("a20_1", "a201"),
    ("a20_5", "a205"),
    ("a20_6", "a206"),
    ("a20_8", "a208"),
    ("a20_9", "a209"),
    ("admin_fee", "adfee"),
    ("admin_query", "adquery"),
    ("amount_wan", "amt"),
    ("carried_forward", "cfwd"),
    ("carried_over", "cover"),
    ("central_procurement", "cproc"),
    ("change", "chg"),
    ("coercion", "coerc"),
    ("confirm_reissue", "reissue"),
    ("corrected", "corr"),
    ("decisions", "dec"),
    ("denied", "deny"),
    ("enforcement_file", "enffile"),
    ("excessive", "excess"),
    ("granted", "grant"),
    ("in_force", "inforce"),
    ("internal_affairs", "internal"),
    ("issued", "issued"),
    ("law_prohibited", "lawproh"),
    ("license", "lic"),
    ("natural_person", "nat"),
    ("needs_creation", "create"),
    ("new_made", "newmade"),
    ("new_published", "newpub"),
    ("new_received", "newrec"),
    ("no_correction", "nocorr"),
    ("normative_doc", "normdoc"),
    ("not_held", "notheld"),
    ("not_processed", "noproc"),
    ("org_commercial", "ocom"),
    ("org_legal", "olegal"),
    ("org_nonprofit", "onpo"),
    ("org_other", "ooth"),
    ("org_research", "ores"),
    ("other", "oth"),
    ("other_mgmt_service", "othmgmt"),
    ("partial", "partial"),
    ("penalty", "penalty"),
    ("pending", "pend"),
    ("petition", "petition"),
    ("prev_year_items", "prevyr"),
    ("process_info", "procinfo"),
    ("projects", "proj"),
    ("publication", "publ"),
    ("repealed", "repeal"),
    ("repeat", "repeat"),
    ("result", "res"),
    ("review", "review"),
    ("rule", "rule"),
    ("security_stability", "security"),
    ("state_secret", "secret"),
    ("still_unclear", "unclear"),
    ("suit_after_review", "suitrev"),
    ("suit_direct", "suitdir"),
    ("t2", "t2"),
    ("t3", "t3"),
    ("t4", "t4"),
    ("third_party", "thirdpty"),
    ("total", "tot"),
    ("total_published", "totpub"),
    ("unable", "unable"),
    ("unpaid_fee", "unpaid"),
    ("upheld", "upheld"),
];

/// Whether `name` is a valid Stata/SAS variable name as written by nianbao.
pub fn is_valid(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_LEN
        && (b[0].is_ascii_lowercase() || b[0] == b'_')
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

fn fnv(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// The short name of a column key: the key itself when already valid, else the key's parts
/// abbreviated and joined with `_`. A part missing from the table (a key added later) is
/// cut to 8 letters and digits; a name still too long gets a hash of the key as its tail.
pub fn short_name(key: &str) -> String {
    if is_valid(key) {
        return key.to_string();
    }
    let parts: Vec<String> = key
        .split('.')
        .map(|p| match PARTS.iter().find(|(k, _)| *k == p) {
            Some((_, a)) => a.to_string(),
            None => p
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .take(8)
                .collect(),
        })
        .filter(|p| !p.is_empty())
        .collect();
    let mut name = parts.join("_");
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert(0, 'v');
    }
    if !is_valid(&name) {
        let tail = format!("_{:08x}", fnv(key));
        name.truncate(MAX_LEN - tail.len());
        name.push_str(&tail);
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_are_distinct_and_underscore_free() {
        let mut seen = std::collections::BTreeSet::new();
        for (k, a) in PARTS {
            assert!(!a.contains('_'), "{k} → {a}");
            assert!(seen.insert(*a), "{a} used twice");
        }
    }

    #[test]
    fn every_key_gets_a_valid_unique_name() {
        let mut seen = std::collections::BTreeMap::new();
        for info in nianbao_templates::key_infos() {
            let n = short_name(&info.key);
            assert!(is_valid(&n), "{} → {n}", info.key);
            if let Some(prev) = seen.insert(n.clone(), info.key.clone()) {
                panic!("{prev} and {} both → {n}", info.key);
            }
        }
        assert_eq!(
            short_name("t3.result.not_processed.confirm_reissue.org_commercial"),
            "t3_res_noproc_reissue_ocom"
        );
        assert_eq!(short_name("report_id"), "report_id");
    }

    #[test]
    fn unknown_long_keys_still_fit() {
        let n = short_name("t9.some_new_block.an_unusually_long_part.another_long_part.x.y");
        assert!(is_valid(&n), "{n}");
        assert_ne!(
            n,
            short_name("t9.some_new_block.an_unusually_long_part.another_long_part.x.z")
        );
    }
}
