//! Scope rules: which hosts a source may fetch, and which addresses a public crawler must
//! never connect to (SSRF guard) unless `[crawl] allow_private_addresses = true`.
//!
//! The address table follows the IANA IPv4 and IPv6 Special-Purpose Address Registries
//! (plus multicast, the IPv4 "reserved" block and every IPv6 range outside global unicast
//! `2000::/3`). Forms that carry an IPv4 address inside an IPv6 one are judged by the IPv4
//! address they carry: IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96` and 6to4
//! `2002::/16`; IPv4-compatible `::a.b.c.d`, local-use NAT64 `64:ff9b:1::/48` and Teredo
//! `2001::/32` are refused outright (no public site is reached that way).
//!
//! The check happens in the resolver the HTTP client uses ([`crate::resolve`]), so the
//! address that passed it is the address connected to; literal addresses in URLs never
//! reach a resolver and are checked by [`check_literal`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::Url;

/// The host key of a URL: `host` or `host:port` when the port is not the scheme default.
pub fn host_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

/// IPv4 special-purpose and non-unicast blocks: (network, prefix length, name).
const V4: &[(u32, u8, &str)] = &[
    (0x0000_0000, 8, "this network 0.0.0.0/8"),
    (0x0A00_0000, 8, "private 10.0.0.0/8"),
    (0x6440_0000, 10, "shared address space 100.64.0.0/10"),
    (0x7F00_0000, 8, "loopback 127.0.0.0/8"),
    (0xA9FE_0000, 16, "link-local 169.254.0.0/16"),
    (0xAC10_0000, 12, "private 172.16.0.0/12"),
    (0xC000_0000, 24, "IETF protocol assignments 192.0.0.0/24"),
    (0xC000_0200, 24, "documentation 192.0.2.0/24"),
    (0xC01F_C400, 24, "AS112-v4 192.31.196.0/24"),
    (0xC034_C100, 24, "AMT 192.52.193.0/24"),
    (0xC058_6300, 24, "6to4 relay anycast 192.88.99.0/24"),
    (0xC0A8_0000, 16, "private 192.168.0.0/16"),
    (0xC0AF_3000, 24, "direct delegation AS112 192.175.48.0/24"),
    (0xC612_0000, 15, "benchmarking 198.18.0.0/15"),
    (0xC633_6400, 24, "documentation 198.51.100.0/24"),
    (0xCB00_7100, 24, "documentation 203.0.113.0/24"),
    (0xE000_0000, 4, "multicast 224.0.0.0/4"),
    (0xF000_0000, 4, "reserved 240.0.0.0/4 (and broadcast)"),
];

/// IPv6 special-purpose blocks inside global unicast `2000::/3` (everything outside it is
/// refused as not global unicast, apart from the embedded-IPv4 forms handled first).
const V6: &[(u128, u8, &str)] = &[
    (
        0x2001_0000 << 96,
        23,
        "IETF protocol assignments 2001::/23 (Teredo, benchmarking, ORCHID)",
    ),
    (0x2001_0db8 << 96, 32, "documentation 2001:db8::/32"),
    (
        0x2620_004f_8000 << 80,
        48,
        "direct delegation AS112 2620:4f:8000::/48",
    ),
    (0x3fff << 112, 20, "documentation 3fff::/20"),
];

fn in_v4(a: u32, net: u32, len: u8) -> bool {
    len == 0 || (a ^ net) >> (32 - u32::from(len)) == 0
}

fn in_v6(a: u128, net: u128, len: u8) -> bool {
    len == 0 || (a ^ net) >> (128 - u32::from(len)) == 0
}

/// Why an IPv4 address must not be contacted, or `None` for a public unicast address.
pub fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let a = u32::from(ip);
    V4.iter()
        .find(|(net, len, _)| in_v4(a, *net, *len))
        .map(|(_, _, name)| *name)
}

/// Why an IPv6 address must not be contacted, or `None` for a public unicast address.
pub fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let a = u128::from(ip);
    let embedded = |v4: u32| forbidden_v4(Ipv4Addr::from(v4));
    // IPv4-mapped ::ffff:a.b.c.d: the IPv4 address is what the socket reaches.
    if in_v6(a, 0xffff << 32, 96) {
        return embedded(a as u32).map(|_| "IPv4-mapped form of a forbidden IPv4 address");
    }
    // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): the gateway connects to the IPv4.
    if in_v6(a, 0x0064_ff9b << 96, 96) {
        return embedded(a as u32).map(|_| "NAT64 64:ff9b::/96 form of a forbidden IPv4 address");
    }
    if in_v6(a, (0x0064_ff9b_0001u128) << 80, 48) {
        return Some("local-use NAT64 64:ff9b:1::/48");
    }
    // 6to4 2002:AABB:CCDD::/48 carries a.b.c.d in bits 16..48.
    if in_v6(a, 0x2002 << 112, 16) {
        return embedded((a >> 80) as u32)
            .map(|_| "6to4 2002::/16 form of a forbidden IPv4 address");
    }
    if in_v6(a, 0, 96) {
        return Some(if a == 1 {
            "loopback ::1"
        } else if a == 0 {
            "unspecified ::"
        } else {
            "IPv4-compatible ::/96 (deprecated)"
        });
    }
    if in_v6(a, 0xff << 120, 8) {
        return Some("multicast ff00::/8");
    }
    if in_v6(a, 0xfc << 120, 7) {
        return Some("unique local fc00::/7");
    }
    if in_v6(a, 0xfe80 << 112, 10) {
        return Some("link-local fe80::/10");
    }
    if in_v6(a, 0x0100 << 112, 64) {
        return Some("discard-only 100::/64");
    }
    if !in_v6(a, 0x2 << 124, 3) {
        return Some("not global unicast (outside 2000::/3)");
    }
    V6.iter()
        .find(|(net, len, _)| in_v6(a, *net, *len))
        .map(|(_, _, name)| *name)
}

/// Why an address must not be contacted by a public crawler, or `None`.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

/// True for addresses a public crawler must not reach (see [`forbidden`]).
pub fn is_private(ip: IpAddr) -> bool {
    forbidden(ip).is_some()
}

/// A URL whose host is a literal address: refused when that address is forbidden (a
/// literal never goes through the resolver). Host names pass here; the resolver checks them.
pub fn check_literal(url: &Url, allow_private: bool) -> Result<(), String> {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(url::Host::Domain(_)) => return Ok(()),
        None => return Err("URL without host".into()),
    };
    match forbidden(ip) {
        Some(why) if !allow_private => Err(format!(
            "private address {ip} refused: {why} (allow_private_addresses = false)"
        )),
        _ => Ok(()),
    }
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

    /// Every special-purpose block, each embedded form, and public addresses next to them.
    #[test]
    fn address_table() {
        let forbidden_addrs = [
            "0.0.0.0",
            "0.1.2.3",
            "10.1.2.3",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.255",
            "169.254.169.254",
            "172.16.5.5",
            "172.31.255.255",
            "192.0.0.9",
            "192.0.0.170",
            "192.0.2.1",
            "192.31.196.1",
            "192.52.193.1",
            "192.88.99.1",
            "192.168.0.1",
            "192.175.48.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::7f00:1",
            "::127.0.0.1",
            "::8.8.8.8",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "64:ff9b::10.1.1.1",
            "64:ff9b::198.18.0.1",
            "64:ff9b:1::808:808",
            "2002:7f00:1::1",
            "2002:a9fe:a9fe::",
            "2002:c612:1::",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "2001:2::1",
            "2001:10::1",
            "2001:db8::1",
            "2620:4f:8000::1",
            "3fff::1",
            "100::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "5f00::1",
            "4000::1",
        ];
        for s in forbidden_addrs {
            let ip: IpAddr = s.parse().unwrap();
            assert!(forbidden(ip).is_some(), "{s} must be forbidden");
        }
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "202.96.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "192.0.3.1",
            "198.17.255.255",
            "198.20.0.1",
            "223.255.255.255",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "2400:3200::1",
            "2001:200::1",
            "2a00:1450::1",
        ];
        for s in public {
            let ip: IpAddr = s.parse().unwrap();
            assert_eq!(forbidden(ip), None, "{s} is public");
        }
        assert_eq!(
            forbidden("198.18.0.1".parse().unwrap()),
            Some("benchmarking 198.18.0.0/15")
        );
    }

    #[test]
    fn literals_and_host_keys() {
        let u = Url::parse("http://127.0.0.1:1/").unwrap();
        assert!(check_literal(&u, false).is_err());
        assert!(check_literal(&u, true).is_ok());
        let u = Url::parse("http://[::ffff:127.0.0.1]:1/").unwrap();
        assert!(check_literal(&u, false).is_err());
        let u = Url::parse("http://www.gov.cn/").unwrap();
        assert!(check_literal(&u, false).is_ok());
        let u = Url::parse("http://Example.gov.cn:8080/x").unwrap();
        assert_eq!(host_key(&u), "example.gov.cn:8080");
        assert_eq!(host_key(&Url::parse("https://a.cn/").unwrap()), "a.cn");
    }
}
