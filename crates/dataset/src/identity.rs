//! Agency identity columns. The matching itself (division codes, year-aware names, aliases)
//! is `nianbao_divisions`; this module only carries its answer as strings through the spill
//! store.

/// What identifies an agency, as far as the dataset knows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// Stable agency id.
    pub agency_id: Option<String>,
    /// 6-digit division code.
    pub division_code: Option<String>,
    /// Division name.
    pub division_name: Option<String>,
    /// `province`, `prefecture`, `county`, `township`.
    pub division_level: Option<String>,
    /// `government`, `department`, `other`.
    pub agency_kind: Option<String>,
    /// Province name.
    pub province: Option<String>,
    /// Prefecture name.
    pub prefecture: Option<String>,
    /// How it was found or why it is empty.
    pub flags: Vec<String>,
}

/// What is known about a report's agency (see `nianbao_divisions::IdentityInput`).
#[derive(Debug, Clone, Default)]
pub struct IdentityInput<'a> {
    /// Agency as read.
    pub agency: Option<&'a str>,
    /// Title.
    pub title: Option<&'a str>,
    /// Year reported on.
    pub year: Option<i32>,
    /// `SiteIDCode` of the page.
    pub site_id_code: Option<&'a str>,
    /// `division_code` of the crawl source.
    pub source_division: Option<&'a str>,
}

/// The identity of an agency, as `nianbao_divisions::identify` finds it (the only matcher).
pub fn identify(input: &IdentityInput<'_>) -> Identity {
    let id = nianbao_divisions::identify(&nianbao_divisions::IdentityInput {
        agency: input.agency,
        title: input.title,
        year: input.year,
        site_id: input.site_id_code,
        source_division_code: input.source_division,
    });
    Identity {
        agency_id: id.agency_id,
        division_code: id.division_code,
        division_name: id.division_name,
        division_level: id.division_level.map(|l| l.as_str().to_string()),
        agency_kind: id.agency_kind.map(|k| k.as_str().to_string()),
        province: id.province,
        prefecture: id.prefecture,
        flags: id.flags.iter().map(|f| f.to_string()).collect(),
    }
}

fn opt(v: &serde_json::Value, k: &str) -> Option<String> {
    v.get(k).and_then(|x| x.as_str()).map(str::to_string)
}

impl Identity {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Identity::default()
    }

    /// As JSON for the spill store.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "agency_id": self.agency_id,
            "division_code": self.division_code,
            "division_name": self.division_name,
            "division_level": self.division_level,
            "agency_kind": self.agency_kind,
            "province": self.province,
            "prefecture": self.prefecture,
            "flags": self.flags,
        })
        .to_string()
    }

    /// From [`Identity::to_json`].
    pub fn from_json(s: &str) -> Identity {
        let v: serde_json::Value = serde_json::from_str(s).unwrap_or_default();
        Identity {
            agency_id: opt(&v, "agency_id"),
            division_code: opt(&v, "division_code"),
            division_name: opt(&v, "division_name"),
            division_level: opt(&v, "division_level"),
            agency_kind: opt(&v, "agency_kind"),
            province: opt(&v, "province"),
            prefecture: opt(&v, "prefecture"),
            flags: v
                .get("flags")
                .and_then(|f| f.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}
