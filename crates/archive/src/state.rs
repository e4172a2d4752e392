//! Typed crawl states. The index stores them as short snake_case strings (`as_str`) and
//! reads them back with `parse`, so the database stays readable with any SQLite tool while
//! the code never compares free-form strings.

use std::fmt;

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name stored in the index.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Parse a stored name (`None` for anything unknown).
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                $name::parse(s).ok_or_else(|| UnknownName(s.to_string()))
            }
        }
    };
}

/// A stored state name that this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown state name {0:?}")]
pub struct UnknownName(pub String);

string_enum! {
    /// What one fetch attempt (or redirect hop) came to.
    Outcome {
        /// 2xx (except 202) with a complete body.
        Ok => "ok",
        /// 304 to a conditional request: the archived copy is current.
        NotModified => "not_modified",
        /// 3xx with a `Location`; `error_kind` says why it was not followed, if it was not.
        Redirect => "redirect",
        /// Any other status (4xx, 5xx, 202).
        HttpError => "http_error",
        /// An anti-bot challenge or block page (`error_kind` = `blocked(vendor)`).
        Blocked => "blocked",
        /// No usable response: DNS, connect, TLS, timeout, reset, body cut.
        Failed => "failed",
        /// Not sent, by policy (private address, scope).
        Refused => "refused",
        /// A transient failure followed by another attempt.
        Retried => "retried",
    }
}

impl Outcome {
    /// `ok` or `not_modified`: the URL's content is known after this attempt.
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::NotModified)
    }
}

#[allow(clippy::derivable_impls)]
impl Default for Outcome {
    fn default() -> Self {
        Outcome::Failed
    }
}

string_enum! {
    /// State of one frontier entry in its run.
    FrontierState {
        /// Waiting to be fetched.
        Pending => "pending",
        /// Fetched (or answered 304, or a redirect followed elsewhere).
        Done => "done",
        /// Final failure (recorded with its kind).
        Failed => "failed",
        /// robots.txt disallows it: never requested.
        RobotsDenied => "robots_denied",
        /// Its host is outside the source's scope: never requested.
        OutOfScope => "out_of_scope",
        /// An archived report without validators: kept, not downloaded again.
        Kept => "kept",
        /// Not a usable URL.
        Invalid => "invalid",
        /// Its host used up `max_pages_per_host` in this run: left for a later run.
        OverBudget => "over_budget",
    }
}

#[allow(clippy::derivable_impls)]
impl Default for FrontierState {
    fn default() -> Self {
        FrontierState::Pending
    }
}

string_enum! {
    /// HTTP method of a request.
    Method {
        /// GET.
        Get => "GET",
        /// POST (form posts of list APIs; the body is part of the request).
        Post => "POST",
    }
}

#[allow(clippy::derivable_impls)]
impl Default for Method {
    fn default() -> Self {
        Method::Get
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(*o));
        }
        for s in FrontierState::ALL {
            assert_eq!(s.as_str().parse::<FrontierState>(), Ok(*s));
        }
        assert_eq!(Method::parse("POST"), Some(Method::Post));
        assert!(Outcome::parse("okay").is_none());
        assert!(Outcome::Ok == "ok");
        assert_eq!(format!("{}", FrontierState::OverBudget), "over_budget");
    }
}
