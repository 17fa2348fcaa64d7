//! An `http_request` argument checked as the IC checks it, and what it costs.
//!
//! Promises: the limits and reject messages are the IC's (`CanisterHttpRequestContext`):
//! the transform must be the calling canister's, the URL at most 8,192 bytes, at most 64
//! request headers of at most 8 KiB per name or value and 48 KiB in all, headers + body at
//! most 2,000,000 bytes, `max_response_bytes` at most 2,000,000 (default), `put`/`delete`
//! only with `is_replicated = opt false`. The fee is [`fees::http_request`] (also what
//! `ic0.cost_http_request` answers); too few cycles attached is the
//! IC's reject. All of these reject with code 4 before anything is sent.

use candid::Principal;
use ic_management_canister_types::{HttpMethod, HttpRequestArgs};

use crate::error::Reject;
use crate::fees;

/// The most bytes a response may have, and the limit when `max_response_bytes` is not given.
pub const MAX_RESPONSE_BYTES: u64 = 2_000_000;
const MAX_REQUEST_BYTES: usize = 2_000_000;
const MAX_URL_SIZE: usize = 8192;
const MAX_HEADER_NUM: usize = 64;
const MAX_HEADER_NAME_VALUE_LENGTH: usize = 8 * 1024;
const MAX_HEADER_TOTAL_SIZE: usize = 48 * 1024;

/// A checked outcall, ready to be performed.
#[derive(Debug, Clone)]
pub struct Outcall {
    pub url: String,
    pub method: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub max_response_bytes: u64,
    /// The caller's transform query and its context.
    pub transform: Option<(String, Vec<u8>)>,
    /// Cycles the call costs (kept; the rest of the attached cycles is refunded).
    pub fee: u128,
}

/// Checks the argument of `http_request` from canister `caller` with `cycles` attached.
pub fn prepare(caller: Principal, args: HttpRequestArgs, cycles: u128) -> Result<Outcall, Reject> {
    if let Some(t) = &args.transform {
        let actual = t.function.0.principal;
        if actual != caller {
            return Err(rejected(format!(
                "transform principal id expected to be {caller}, got {actual}"
            )));
        }
    }
    if args.url.len() > MAX_URL_SIZE {
        return Err(rejected(format!(
            "url size {} exceeds {MAX_URL_SIZE}",
            args.url.len()
        )));
    }
    check_headers_and_body(&args)?;
    let max_response_bytes = args.max_response_bytes.unwrap_or(MAX_RESPONSE_BYTES);
    if max_response_bytes > MAX_RESPONSE_BYTES {
        return Err(rejected(format!(
            "max_response_bytes expected to be in the range [0..{MAX_RESPONSE_BYTES}], got {max_response_bytes}"
        )));
    }
    let non_replicated = args.is_replicated == Some(false);
    let method = match args.method {
        HttpMethod::GET => "GET",
        HttpMethod::POST => "POST",
        HttpMethod::HEAD => "HEAD",
        HttpMethod::PUT if non_replicated => "PUT",
        HttpMethod::DELETE if non_replicated => "DELETE",
        HttpMethod::PUT | HttpMethod::DELETE => {
            return Err(rejected(
                "The requested HTTP method is only allowed for non-replicated requests.".into(),
            ))
        }
        HttpMethod::PATCH => {
            return Err(rejected(
                "http_request: method `patch` is not supported (use get, post or head)".into(),
            ))
        }
    };
    let transform = args.transform.map(|t| (t.function.0.method, t.context));
    let request_size = args.url.len()
        + args
            .headers
            .iter()
            .map(|h| h.name.len() + h.value.len())
            .sum::<usize>()
        + args.body.as_ref().map_or(0, Vec::len)
        + transform.as_ref().map_or(0, |(m, c)| m.len() + c.len());
    let fee = fees::http_request(request_size as u64, max_response_bytes);
    if cycles < fee {
        return Err(rejected(format!(
            "http_request request sent with {cycles} cycles, but {fee} cycles are required."
        )));
    }
    Ok(Outcall {
        url: args.url,
        method,
        headers: args
            .headers
            .into_iter()
            .map(|h| (h.name, h.value))
            .collect(),
        body: args.body,
        max_response_bytes,
        transform,
        fee,
    })
}

fn check_headers_and_body(args: &HttpRequestArgs) -> Result<(), Reject> {
    let headers = &args.headers;
    if headers.len() > MAX_HEADER_NUM {
        return Err(rejected(format!(
            "number of all http headers {} exceeds {MAX_HEADER_NUM}",
            headers.len()
        )));
    }
    let longest_name = headers.iter().map(|h| h.name.len()).max().unwrap_or(0);
    if longest_name > MAX_HEADER_NAME_VALUE_LENGTH {
        return Err(rejected(format!("number of bytes to represent some http header name {longest_name} exceeds {MAX_HEADER_NAME_VALUE_LENGTH}")));
    }
    let longest_value = headers.iter().map(|h| h.value.len()).max().unwrap_or(0);
    if longest_value > MAX_HEADER_NAME_VALUE_LENGTH {
        return Err(rejected(format!("number of bytes to represent some http header value {longest_value} exceeds {MAX_HEADER_NAME_VALUE_LENGTH}")));
    }
    let headers_size: usize = headers.iter().map(|h| h.name.len() + h.value.len()).sum();
    if headers_size > MAX_HEADER_TOTAL_SIZE {
        return Err(rejected(format!("total number of bytes to represent all http header names and values {headers_size} exceeds {MAX_HEADER_TOTAL_SIZE}")));
    }
    let total = headers_size + args.body.as_ref().map_or(0, Vec::len);
    if total > MAX_REQUEST_BYTES {
        return Err(rejected(format!("total number of bytes to represent all http header names and values and http body {total} exceeds {MAX_REQUEST_BYTES}")));
    }
    Ok(())
}

/// A reject of the management canister (reject code 4, as the IC).
fn rejected(message: String) -> Reject {
    Reject::ic("IC0406", message)
}
