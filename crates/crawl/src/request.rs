//! A request of the crawl: URL, method and body, what it is fetched for, and where it came
//! from. It is what the scheduler takes from the frontier and hands to the downloader.

use nianbao_archive::{FrontierItem, Method, NewItem, RecordRow};
use url::Url;

use crate::discover::Role;
use crate::fetch::Validators;
use crate::scope::host_key;

/// One request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Frontier key ([`nianbao_archive::request_key`]).
    pub key: String,
    /// The URL.
    pub url: Url,
    /// HTTP method.
    pub method: Method,
    /// Body (form POSTs); empty for GET.
    pub body: Vec<u8>,
    /// What it is fetched for.
    pub role: Role,
    /// Link depth from a start URL.
    pub depth: i64,
    /// Page that linked to it.
    pub referrer: Option<String>,
    /// Configured source it belongs to.
    pub source: Option<String>,
    /// Redirects already followed to reach it (counted against `max_redirects`).
    pub hops: u32,
    /// Validators of the archived copy, for a conditional request.
    pub validators: Option<Validators>,
    /// The archived copy the validators come from (read back when the server says 304).
    pub cached: Option<RecordRow>,
}

impl Request {
    /// A GET of `url`.
    pub fn get(url: Url, role: Role) -> Request {
        Request {
            key: url.to_string(),
            url,
            method: Method::Get,
            body: Vec::new(),
            role,
            depth: 0,
            referrer: None,
            source: None,
            hops: 0,
            validators: None,
            cached: None,
        }
    }

    /// The request of a frontier entry (`None` when its URL does not parse).
    pub fn from_item(item: &FrontierItem) -> Option<Request> {
        let url = Url::parse(&item.url).ok()?;
        Some(Request {
            key: item.key.clone(),
            url,
            method: item.method,
            body: item.body.clone(),
            role: Role::parse(&item.role),
            depth: item.depth,
            referrer: item.referrer.clone(),
            source: item.source.clone(),
            hops: item.hops,
            validators: None,
            cached: None,
        })
    }

    /// Host key of the URL.
    pub fn host(&self) -> String {
        host_key(&self.url)
    }

    /// A frontier entry for a new request derived from this one (same role and source).
    pub fn follow(&self, url: &Url, method: Method, body: Vec<u8>) -> NewItem {
        NewItem {
            url: url.to_string(),
            method,
            body,
            host: host_key(url),
            role: self.role.as_str().into(),
            depth: self.depth,
            referrer: self.referrer.clone(),
            source: self.source.clone(),
            revisit: true,
            ..Default::default()
        }
    }
}
