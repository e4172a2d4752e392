//! Scope rules: which hosts a source may fetch, and the refusal of private, loopback and
//! link-local addresses (SSRF guard) unless `[crawl] allow_private_addresses = true`.

use std::net::IpAddr;
use url::Url;

/// The host key of a URL: `host` or `host:port` when the port is not the scheme default.
pub fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

/// True for addresses a public crawler must not reach: loopback, private (RFC 1918, ULA),
/// link-local, CGNAT, unspecified, multicast, broadcast, documentation.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || o[0] == 0
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Resolve the URL's host and check every address. `Ok(Some(ip))` gives the first address.
pub async fn check_address(url: &Url, allow_private: bool) -> Result<Option<IpAddr>, String> {
    let host = url.host_str().ok_or("URL without host")?;
    let port = url.port_or_known_default().unwrap_or(80);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| format!("dns: {e}"))?
            .map(|sa| sa.ip())
            .collect(),
    };
    if addrs.is_empty() {
        return Err("dns: no address".into());
    }
    if !allow_private {
        if let Some(ip) = addrs.iter().find(|ip| is_private(**ip)) {
            return Err(format!(
                "private address {ip} refused (allow_private_addresses = false)"
            ));
        }
    }
    Ok(addrs.first().copied())
}

/// The hosts of a list of URLs.
pub fn hosts_of(urls: &[String]) -> Vec<String> {
    let mut out: Vec<String> = urls
        .iter()
        .filter_map(|u| Url::parse(u).ok())
        .map(|u| host_key(&u))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.5",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "100.64.0.1",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_private(s.parse().unwrap()), "{s}");
        }
        for s in ["202.96.0.1", "8.8.8.8", "2400:3200::1"] {
            assert!(!is_private(s.parse().unwrap()), "{s}");
        }
        let u = Url::parse("http://Example.gov.cn:8080/x").unwrap();
        assert_eq!(host_key(&u), "example.gov.cn:8080");
        assert_eq!(host_key(&Url::parse("https://a.cn/").unwrap()), "a.cn");
    }

    #[tokio::test]
    async fn refuses_loopback() {
        let u = Url::parse("http://127.0.0.1:1/").unwrap();
        assert!(check_address(&u, false).await.is_err());
        assert!(check_address(&u, true).await.is_ok());
    }
}
