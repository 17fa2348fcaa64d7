//! The Candid web UI, served by the replica itself (as dfx prints a Candid UI link after a
//! deploy):
//!
//! * `GET /_/candid` — a page listing the canisters, each linked to its UI;
//! * `GET /_/candid?id=<canister-id>` — the UI page of one canister: one form per method of
//!   its `candid:service` metadata, called through `@dfinity/agent` in the browser;
//! * `GET /_/candid/ui.js` — the page's script (`ui/candid`, bundled by
//!   `scripts/build-candid-ui.sh` and embedded at compile time, see `build.rs`);
//! * `GET /_/candid/<canister-id>/service.js` — an ES module `export const idlFactory = ...;
//!   export const init = ...;` generated from the canister's `candid:service` by
//!   `candid_parser`'s JavaScript bindings, the generator dfx uses.
//!
//! Promises: an unknown or malformed canister id, a canister without (public) `candid:service`
//! metadata, an interface that does not parse, or a binary built without the UI bundle are
//! answered with a 4xx/5xx page that says what was wrong and what to do; never a panic.

use crate::handlers::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use candid::Principal;
use candid_parser::bindings::javascript;
use candid_parser::utils::CandidSource;
use kybra_replica::Replica;
use std::sync::Arc;

/// The bundled page script (empty when `scripts/build-candid-ui.sh` had not run at build time).
const UI_JS: &[u8] = include_bytes!(env!("KYBRA_CANDID_UI_JS"));
const PAGE: &str = include_str!("candid_ui/page.html");
const METADATA: &str = "candid:service";
const NOT_BUILT: &str = "The Candid UI was not built into this replica: run <code>bash scripts/build-candid-ui.sh</code>, \
then rebuild the <code>kybra</code> binary (<code>cargo build --release -p kybra-cli</code>).";

/// The UI's routes, merged into the replica's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_/candid", get(page))
        .route("/_/candid/ui.js", get(script))
        .route("/_/candid/{id}/service.js", get(service))
}

/// Why a UI request cannot be answered: the HTTP status and a message (HTML, escaped).
struct Failure(StatusCode, String);

impl Failure {
    fn canister(status: StatusCode, id: &str, what: impl std::fmt::Display) -> Self {
        Failure(
            status,
            format!("Canister <code>{}</code>: {}", escape(id), what),
        )
    }
}

/// What the replica knows of a canister's interface.
enum Interface {
    Did(String),
    Missing(Failure),
}

fn interface(replica: &Replica, text: &str) -> Interface {
    let Ok(id) = Principal::from_text(text) else {
        return Interface::Missing(Failure::canister(
            StatusCode::BAD_REQUEST,
            text,
            "this is not a valid canister id (expected the text form, e.g. <code>bkyz2-fmaaa-aaaaa-qaaaq-cai</code>; \
             <code>kybra canister id NAME</code> prints it).",
        ));
    };
    if !replica.canister_exists(id) {
        return Interface::Missing(Failure::canister(
            StatusCode::NOT_FOUND,
            text,
            "no such canister on this replica. Deploy it (<code>kybra deploy</code>) or pick one from \
             <a href=\"/_/candid\">the list</a>.",
        ));
    }
    match (replica.metadata(id, METADATA), replica.metadata_is_public(id, METADATA)) {
        (None, _) => Interface::Missing(Failure::canister(
            StatusCode::NOT_FOUND,
            text,
            "it has no <code>candid:service</code> metadata (no code installed, or a module built without its \
             Candid interface), so there is nothing to show. Kybra canisters carry it: install one with \
             <code>kybra deploy</code>.",
        )),
        (Some(_), Some(false)) => Interface::Missing(Failure::canister(
            StatusCode::FORBIDDEN,
            text,
            "its <code>candid:service</code> metadata is private, so the UI (an anonymous page) may not read it.",
        )),
        (Some(bytes), _) => match String::from_utf8(bytes) {
            Ok(did) => Interface::Did(did),
            Err(e) => Interface::Missing(Failure::canister(
                StatusCode::UNPROCESSABLE_ENTITY,
                text,
                format_args!("its <code>candid:service</code> metadata is not UTF-8 text ({e})."),
            )),
        },
    }
}

/// `export const idlFactory = ...; export const init = ...;` for the interface in `did`.
fn service_module(did: &str) -> Result<String, String> {
    let (env, actor) = CandidSource::Text(did)
        .load()
        .map_err(|e| format!("it does not parse as Candid: {e}"))?;
    if actor.is_none() {
        return Err("it declares no service, so there are no methods to show".into());
    }
    // candid_parser's generator unwraps on inputs its checker accepted; keep a bad one from
    // taking the connection down with it.
    std::panic::catch_unwind(|| javascript::compile(&env, &actor))
        .map_err(|_| "the JavaScript binding generator failed on it".to_string())
}

/// Replica lookups take its lock, which a long install may hold: off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Failure> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        Failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the lookup failed: {}", escape(&e.to_string())),
        )
    })
}

async fn page(State(s): State<Arc<AppState>>, uri: Uri) -> Response {
    let Some(id) = query_param(uri.query().unwrap_or(""), "id") else {
        return index(s).await;
    };
    if UI_JS.is_empty() {
        return html(
            StatusCode::SERVICE_UNAVAILABLE,
            "Candid UI not built",
            "Candid UI not built",
            &message(NOT_BUILT),
            "",
            "",
        );
    }
    let replica = s.replica.clone();
    let lookup = id.clone();
    let found = match blocking(move || interface(&replica, &lookup)).await {
        Ok(Interface::Did(_)) => Ok(()),
        Ok(Interface::Missing(failure)) | Err(failure) => Err(failure),
    };
    match found {
        Ok(()) => html(
            StatusCode::OK,
            &format!("Candid UI: {id}"),
            &format!("Canister <code>{id}</code>"),
            "<p class=\"message info\">Loading the canister's interface…</p>",
            &format!(" data-canister-id=\"{id}\""),
            "<script type=\"module\" src=\"/_/candid/ui.js\"></script>",
        ),
        Err(Failure(status, text)) => html(
            status,
            "Candid UI: no interface",
            "No Candid UI for this canister",
            &message(&text),
            "",
            "",
        ),
    }
}

/// `GET /_/candid`: every canister, linked to its UI.
async fn index(s: Arc<AppState>) -> Response {
    let replica = s.replica.clone();
    let ids = match blocking(move || replica.canister_ids()).await {
        Ok(ids) => ids,
        Err(Failure(status, text)) => {
            return html(status, "Candid UI", "Candid UI", &message(&text), "", "")
        }
    };
    let content = if ids.is_empty() {
        "<p class=\"message info\">No canisters on this replica yet: deploy one with <code>kybra deploy</code>.</p>".to_string()
    } else {
        let items: String = ids
            .iter()
            .map(|id| format!("<li><a href=\"/_/candid?id={id}\"><code>{id}</code></a></li>"))
            .collect();
        format!("<p>Pick a canister:</p><ul class=\"canisters\">{items}</ul>")
    };
    html(StatusCode::OK, "Candid UI", "Canisters", &content, "", "")
}

async fn script() -> Response {
    if UI_JS.is_empty() {
        let text = "The Candid UI was not built into this replica: run `bash scripts/build-candid-ui.sh`, then rebuild kybra.\n";
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            text,
        )
            .into_response();
    }
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        UI_JS,
    )
        .into_response()
}

async fn service(State(s): State<Arc<AppState>>, Path(id): Path<String>) -> Response {
    let replica = s.replica.clone();
    let module = blocking(move || match interface(&replica, &id) {
        Interface::Did(did) => service_module(&did).map_err(|why| {
            Failure::canister(
                StatusCode::UNPROCESSABLE_ENTITY,
                &id,
                format_args!("its candid:service cannot be used: {}", escape(&why)),
            )
        }),
        Interface::Missing(failure) => Err(failure),
    })
    .await;
    match module.and_then(|m| m) {
        Ok(js) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            js,
        )
            .into_response(),
        Err(Failure(status, text)) => (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", strip_tags(&text)),
        )
            .into_response(),
    }
}

fn message(html_text: &str) -> String {
    format!("<p class=\"message\">{html_text}</p>")
}

fn html(
    status: StatusCode,
    title: &str,
    heading: &str,
    content: &str,
    body_attributes: &str,
    script: &str,
) -> Response {
    let body = PAGE
        .replace("{{title}}", &escape(title))
        .replace("{{heading}}", heading)
        .replace("{{body_attributes}}", body_attributes)
        .replace("{{content}}", content)
        .replace("{{script}}", script);
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// The first value of `name` in a URL query string, percent-decoded (ids need no more).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then(|| percent_decode(value))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The plain-text form of a message written as HTML (for non-HTML answers).
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_found_and_decoded() {
        assert_eq!(
            query_param("id=aaaaa-aa", "id").as_deref(),
            Some("aaaaa-aa")
        );
        assert_eq!(
            query_param("x=1&id=a%2Db%20c", "id").as_deref(),
            Some("a-b c")
        );
        assert_eq!(query_param("ids=1&x", "id"), None);
        assert_eq!(query_param("id=50%", "id").as_deref(), Some("50%"));
    }

    #[test]
    fn service_module_exports_the_interface_and_init() {
        let js =
            service_module("service : (text) -> { get: () -> (text) query; set: (text) -> () }")
                .unwrap();
        assert!(
            js.contains("export const idlFactory = ({ IDL }) =>"),
            "{js}"
        );
        assert!(
            js.contains("'get' : IDL.Func([], [IDL.Text], ['query'])"),
            "{js}"
        );
        assert!(
            js.contains("export const init = ({ IDL }) => { return [IDL.Text]; };"),
            "{js}"
        );
        assert!(service_module("type t = nat;")
            .unwrap_err()
            .contains("no service"));
        assert!(service_module("service : { oops }")
            .unwrap_err()
            .contains("does not parse"));
    }

    #[test]
    fn messages_lose_their_markup_for_plain_text() {
        assert_eq!(
            strip_tags("Canister <code>x</code>: a &lt;b&gt;"),
            "Canister x: a <b>"
        );
        assert_eq!(
            escape("<a href=\"x\">&"),
            "&lt;a href=&quot;x&quot;&gt;&amp;"
        );
    }
}
