//! The resolver of the HTTP client: it resolves a host name, refuses the name when any of
//! its addresses is forbidden ([`crate::scope::forbidden`]), and hands exactly the checked
//! addresses to the connector. Checking and connecting use the same answer, so a DNS
//! rebinding trick (a public address for the check, a private one for the connection) has
//! no window. Fixed answers for names (`[crawl] resolve`, like curl's `--resolve`) go
//! through the same check.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use crate::scope::forbidden;

/// Why a name gave no usable address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveErrorKind {
    /// The lookup failed or returned nothing.
    Dns,
    /// An address of the name is forbidden (private, loopback, reserved, ...).
    Forbidden,
}

/// A resolver failure, found again in the client's error chain to classify the fetch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ResolveError {
    /// The kind.
    pub kind: ResolveErrorKind,
    /// Human-readable detail (names the range of a forbidden address).
    pub message: String,
}

/// Resolves, filters and pins.
#[derive(Debug, Clone, Default)]
pub struct GuardedResolver {
    allow_private: bool,
    fixed: Arc<HashMap<String, Vec<IpAddr>>>,
}

impl GuardedResolver {
    /// A resolver refusing forbidden addresses unless `allow_private`; `fixed` answers
    /// some names without asking the system resolver.
    pub fn new(allow_private: bool, fixed: HashMap<String, Vec<IpAddr>>) -> GuardedResolver {
        let fixed = fixed
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
        GuardedResolver {
            allow_private,
            fixed: Arc::new(fixed),
        }
    }

    /// Resolve `host` and check every address.
    pub async fn lookup(&self, host: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<IpAddr> = match self.fixed.get(&host.to_ascii_lowercase()) {
            Some(a) => a.clone(),
            None => match host.parse::<IpAddr>() {
                Ok(ip) => vec![ip],
                Err(_) => tokio::net::lookup_host((host, 0))
                    .await
                    .map_err(|e| ResolveError {
                        kind: ResolveErrorKind::Dns,
                        message: format!("dns: {host}: {e}"),
                    })?
                    .map(|sa| sa.ip())
                    .collect(),
            },
        };
        if addrs.is_empty() {
            return Err(ResolveError {
                kind: ResolveErrorKind::Dns,
                message: format!("dns: {host}: no address"),
            });
        }
        if !self.allow_private {
            // One forbidden answer condemns the name: a mix of public and private
            // answers is how rebinding attacks are set up.
            if let Some((ip, why)) = addrs.iter().find_map(|ip| forbidden(*ip).map(|w| (ip, w))) {
                return Err(ResolveError {
                    kind: ResolveErrorKind::Forbidden,
                    message: format!(
                        "private address {ip} of {host} refused: {why} (allow_private_addresses = false)"
                    ),
                });
            }
        }
        Ok(addrs)
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let me = self.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = me.lookup(&host).await?;
            // Port 0: the connector puts in the URL's port.
            let it: Addrs = Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(it)
        })
    }
}

/// The resolver error in an error's source chain, if any.
pub fn find_resolve_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a ResolveError> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(r) = c.downcast_ref::<ResolveError>() {
            return Some(r);
        }
        cur = c.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn filters_and_pins() {
        let mut fixed = HashMap::new();
        fixed.insert(
            "mixed.test".to_string(),
            vec!["8.8.8.8".parse().unwrap(), "127.0.0.1".parse().unwrap()],
        );
        fixed.insert(
            "nat64.test".to_string(),
            vec!["64:ff9b::7f00:1".parse().unwrap()],
        );
        fixed.insert("public.test".to_string(), vec!["8.8.8.8".parse().unwrap()]);
        fixed.insert("empty.test".to_string(), vec![]);
        let r = GuardedResolver::new(false, fixed.clone());
        let e = r.lookup("mixed.test").await.unwrap_err();
        assert_eq!(e.kind, ResolveErrorKind::Forbidden);
        assert!(e.message.contains("127.0.0.1"), "{}", e.message);
        assert_eq!(
            r.lookup("NAT64.test").await.unwrap_err().kind,
            ResolveErrorKind::Forbidden
        );
        assert_eq!(
            r.lookup("public.test").await.unwrap(),
            vec!["8.8.8.8".parse::<IpAddr>().unwrap()]
        );
        let open = GuardedResolver::new(true, fixed);
        assert_eq!(open.lookup("mixed.test").await.unwrap().len(), 2);
        assert_eq!(
            r.lookup("empty.test").await.unwrap_err().kind,
            ResolveErrorKind::Dns
        );
    }
}
