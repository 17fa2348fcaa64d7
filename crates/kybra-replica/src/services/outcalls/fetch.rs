//! Performing a checked outcall over the network (on an outcall thread, never under the
//! replica's lock).
//!
//! Promises: `https://` to any host (rustls, the Mozilla roots of `webpki-roots`); plain
//! `http://` only to loopback hosts (`localhost`, `*.localhost`, 127.0.0.0/8, `[::1]`) —
//! anything else is rejected with `SysFatal` before connecting. Redirects are not followed
//! (as on the IC); a `User-Agent: ic/1.0` header is sent unless the canister gives one.
//! Connecting takes at most 10 s and the whole exchange at most 30 s. A failure to connect
//! or resolve, or a timeout, rejects with `SysTransient` (code 2) and the error text. Every
//! HTTP status is a response. Response headers (names lowercased, as the IC's adapter) and
//! body together may have at most `max_response_bytes` bytes, else `SysFatal` with the IC's
//! messages.

use std::io::Read;
use std::time::Duration;

use super::request::Outcall;
use crate::error::{Reject, RejectCode};

/// What the server answered.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends the request and reads the response within the call's limits.
pub fn perform(call: &Outcall) -> Result<Fetched, Reject> {
    check_url(&call.url)?;
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(CONNECT_TIMEOUT)
        .timeout(TOTAL_TIMEOUT)
        .redirects(0)
        .user_agent("ic/1.0")
        .build();
    let mut request = agent.request(call.method, &call.url);
    for (name, value) in &call.headers {
        request = request.set(name, value);
    }
    let sent = match &call.body {
        Some(body) => request.send_bytes(body),
        None => request.call(),
    };
    let response = match sent {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => {
            return Err(reject(
                RejectCode::SysTransient,
                format!("http_request failed: {t}"),
            ))
        }
    };
    let status = response.status();
    let names = response.headers_names();
    let mut seen = std::collections::BTreeSet::new();
    let mut headers = Vec::new();
    for name in names {
        if !seen.insert(name.clone()) {
            continue;
        }
        for value in response.all(&name) {
            headers.push((name.clone(), value.to_string()));
        }
    }
    let limit = call.max_response_bytes;
    let headers_size: u64 = headers
        .iter()
        .map(|(n, v)| (n.len() + v.len()) as u64)
        .sum();
    if headers_size > limit {
        return Err(reject(
            RejectCode::SysFatal,
            format!("Header size exceeds specified response size limit {limit}"),
        ));
    }
    let mut body = Vec::new();
    let room = limit - headers_size;
    response
        .into_reader()
        .take(room + 1)
        .read_to_end(&mut body)
        .map_err(|e| {
            reject(
                RejectCode::SysTransient,
                format!(
                    "http_request to {}: reading the response failed: {e}",
                    call.url
                ),
            )
        })?;
    if body.len() as u64 > room {
        return Err(reject(
            RejectCode::SysFatal,
            format!("Http body exceeds size limit of {limit} bytes."),
        ));
    }
    Ok(Fetched {
        status,
        headers,
        body,
    })
}

/// `https://` anywhere, `http://` to loopback hosts only.
fn check_url(raw: &str) -> Result<(), Reject> {
    let url = url::Url::parse(raw).map_err(|e| {
        reject(
            RejectCode::SysFatal,
            format!("http_request: `{raw}` is not a valid URL: {e}"),
        )
    })?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err(reject(
            RejectCode::SysFatal,
            format!("Url need to specify https scheme: `{raw}` (the local replica allows http:// only to loopback hosts: localhost, 127.0.0.0/8, [::1])"),
        )),
        other => Err(reject(
            RejectCode::SysFatal,
            format!("http_request: unsupported URL scheme `{other}` in `{raw}`; use https://"),
        )),
    }
}

fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost" || d.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

fn reject(code: RejectCode, message: String) -> Reject {
    Reject {
        code,
        message,
        error_code: None,
    }
}
