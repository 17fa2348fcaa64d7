//! Which requests the HTTP gateway serves, and for which canister, as dfx's local gateway
//! decides: a `Host` of `<canister-id>.localhost[:port]` (or `<canister-id>.raw.localhost`),
//! else a `canisterId=<canister-id>` query parameter. Paths under `/api/` (the IC HTTP
//! interface) and `/_/` (the replica's own pages) are never the gateway's.

use axum::http::{header, Request};
use candid::Principal;

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// Not a gateway request: the IC HTTP interface and the replica's pages handle it.
    Interface,
    /// A gateway request for this canister.
    Canister(Principal),
    /// A gateway request whose canister id is not a principal (the message says why).
    Invalid(String),
}

/// The target of `req`.
pub fn of<B>(req: &Request<B>) -> Target {
    let path = req.uri().path();
    if path.starts_with("/api/") || path == "/api" || path.starts_with("/_/") || path == "/_" {
        return Target::Interface;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().host());
    if let Some(label) = host.and_then(canister_label) {
        return parse(label, "the host name's canister label");
    }
    match query_param(req.uri().query().unwrap_or(""), "canisterId") {
        Some(id) => parse(&id, "the `canisterId` query parameter"),
        None => Target::Interface,
    }
}

fn parse(text: &str, what: &str) -> Target {
    match Principal::from_text(text) {
        Ok(id) => Target::Canister(id),
        Err(e) => Target::Invalid(format!(
            "{what}, `{text}`, is not a canister id ({e}); use http://<canister-id>.localhost:<port>/path \
             or /path?canisterId=<canister-id> (`kybra canister id NAME` prints a canister's id)"
        )),
    }
}

/// `abc` of `abc.localhost`, `abc.raw.localhost`, `abc.localhost:4943` (any case).
fn canister_label(host: &str) -> Option<&str> {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    let len = name.len();
    if len <= ".localhost".len()
        || !name[len - ".localhost".len()..].eq_ignore_ascii_case(".localhost")
    {
        return None;
    }
    let rest = &name[..len - ".localhost".len()];
    let rest = match rest.len().checked_sub(".raw".len()) {
        Some(i) if rest[i..].eq_ignore_ascii_case(".raw") && i > 0 => &rest[..i],
        _ => rest,
    };
    Some(rest)
}

/// The first value of `name` in a query string (percent-decoding is not needed for
/// principals, which are lowercase letters, digits and dashes).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| v.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(host: Option<&str>, uri: &str) -> Target {
        let mut b = Request::builder().uri(uri);
        if let Some(h) = host {
            b = b.header(header::HOST, h);
        }
        of(&b.body(()).unwrap())
    }

    const ID: &str = "bkyz2-fmaaa-aaaaa-qaaaq-cai";

    #[test]
    fn hosts_and_query_parameters_pick_the_canister() {
        let id = Principal::from_text(ID).unwrap();
        for host in [
            format!("{ID}.localhost:4943"),
            format!("{ID}.raw.localhost:4943"),
            format!("{ID}.LOCALHOST"),
        ] {
            assert_eq!(
                target(Some(&host), "/path?x=1"),
                Target::Canister(id),
                "{host}"
            );
        }
        assert_eq!(
            target(Some("127.0.0.1:4943"), &format!("/?canisterId={ID}")),
            Target::Canister(id)
        );
        assert_eq!(
            target(Some("localhost:4943"), &format!("/a/b?x=1&canisterId={ID}")),
            Target::Canister(id)
        );
    }

    #[test]
    fn the_interface_and_the_replica_pages_stay_theirs() {
        assert_eq!(
            target(Some(&format!("{ID}.localhost:4943")), "/api/v2/status"),
            Target::Interface
        );
        assert_eq!(
            target(
                Some("127.0.0.1:4943"),
                &format!("/_/candid?id={ID}&canisterId={ID}")
            ),
            Target::Interface
        );
        assert_eq!(target(Some("127.0.0.1:4943"), "/"), Target::Interface);
        assert_eq!(
            target(Some("localhost:4943"), "/index.html"),
            Target::Interface
        );
        assert_eq!(target(None, "/"), Target::Interface);
    }

    #[test]
    fn a_bad_canister_id_says_so() {
        let Target::Invalid(msg) = target(Some("not-a-canister.localhost:4943"), "/") else {
            panic!()
        };
        assert!(
            msg.contains("`not-a-canister`, is not a canister id"),
            "{msg}"
        );
        let Target::Invalid(msg) = target(Some("127.0.0.1"), "/?canisterId=xyz") else {
            panic!()
        };
        assert!(msg.contains("`canisterId` query parameter, `xyz`"), "{msg}");
    }
}
