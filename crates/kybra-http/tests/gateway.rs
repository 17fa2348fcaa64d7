//! The HTTP gateway against the real server in process: the book's http_counter example
//! (`examples/http_counter`, a Python canister built with the real runtime template and
//! installed through `ic-agent`) served over plain HTTP — GET, POST upgraded to
//! `http_request_update`, a streamed body — and the error answers (unknown canister, a
//! canister without `http_request`, a reply that is not an `HttpResponse`, a bad id).
//!
//! The Python canisters need the build assets (`runtime/build-assets.sh`); without them the
//! tests that need one print `SKIPPED` and pass, as the compiler's real-template tests do.

mod common;
use candid::Principal;
use common::*;
use ic_utils::interfaces::ManagementCanister;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The real assets, or `None` (after printing why the test is skipped; a failure when
/// `KYBRA_REQUIRE_ASSETS=1`).
fn assets() -> Option<(Vec<u8>, Vec<u8>, Vec<u8>)> {
    let a = kybra_test_support::assets::read()?;
    Some((a.template, a.stdlib_index, a.stdlib_code))
}

/// Builds the Python project at `root` (entry `src/main.py`) and returns its `.wasm.gz`.
fn build_python(root: &Path) -> Option<Vec<u8>> {
    let (template, index, code) = assets()?;
    let assets = kybra_compiler::Assets {
        template: &template,
        stdlib_index: &index,
        stdlib_code: &code,
    };
    let canister = kybra_compiler::build(&root.join("src/main.py"), root, &assets)
        .unwrap_or_else(|e| panic!("building {} failed:\n{e}", root.display()));
    Some(canister.wasm_gz)
}

/// Creates a canister and installs `module` through the management canister (chunked by
/// `ic-utils` when large, as `kybra deploy` does).
async fn deploy(net: &Net, module: &[u8]) -> Principal {
    let agent = net.agent().await;
    let mgmt = ManagementCanister::create(&agent);
    let (id,) = mgmt
        .create_canister()
        .as_provisional_create_with_amount(None)
        .with_effective_canister_id(net.effective_id())
        .call_and_wait()
        .await
        .expect("provisional_create_canister_with_cycles");
    mgmt.install(&id, module)
        .call_and_wait()
        .await
        .expect("install");
    id
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

/// `method url` with `body`; `host` (e.g. `<id>.localhost`) resolves to the server.
async fn http(net: &Net, method: &str, url: &str, host: Option<&str>, body: &str) -> Answer {
    let mut client = reqwest::Client::builder();
    if let Some(host) = host {
        client = client.resolve(host, net.server.addr());
    }
    let resp = client
        .build()
        .unwrap()
        .request(method.parse().unwrap(), url)
        .body(body.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    let body = resp
        .text()
        .await
        .unwrap_or_else(|e| panic!("{method} {url}: the body could not be read: {e}"));
    Answer {
        status,
        headers,
        body,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_counter_served_over_plain_http() {
    let Some(module) = build_python(&repo().join("examples/http_counter")) else {
        return;
    };
    let net = start().await;
    let id = deploy(&net, &module).await;
    let port = net.server.addr().port();
    let by_query = |path: &str| format!("http://127.0.0.1:{port}{path}?canisterId={id}");
    let host = format!("{id}.localhost");
    let by_host = |path: &str| format!("http://{id}.localhost:{port}{path}");

    // GET: the query `http_request` answers; status, headers and body come through.
    let a = http(&net, "GET", &by_query("/"), None, "").await;
    assert_eq!((a.status, a.body.as_str()), (200, "Counter is 0\n"));
    assert_eq!(a.headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(a.headers["content-length"], "13");

    // POST: `upgrade = opt true`, so the update `http_request_update` answers and counts.
    let a = http(&net, "POST", &by_host("/"), Some(&host), "").await;
    assert_eq!((a.status, a.body.as_str()), (201, "Counter updated to 1\n"));
    let a = http(&net, "POST", &by_query("/"), None, "").await;
    assert_eq!((a.status, a.body.as_str()), (201, "Counter updated to 2\n"));
    let a = http(&net, "GET", &by_host("/"), Some(&host), "").await;
    assert_eq!((a.status, a.body.as_str()), (200, "Counter is 2\n"));
    // The `.raw.localhost` form names the same canister.
    let raw = format!("{id}.raw.localhost");
    let a = http(
        &net,
        "GET",
        &format!("http://{raw}:{port}/"),
        Some(&raw),
        "",
    )
    .await;
    assert_eq!((a.status, a.body.as_str()), (200, "Counter is 2\n"));

    // Streaming: the first body, then three callback chunks, assembled in order, chunked.
    let a = http(&net, "GET", &by_host("/stream"), Some(&host), "").await;
    assert_eq!(
        (a.status, a.body.as_str()),
        (200, "Counter is 2 (streamed)\n")
    );
    assert_eq!(a.headers["transfer-encoding"], "chunked");
    assert!(a.headers.get("content-length").is_none());
    let a = http(&net, "GET", &by_query("/stream"), None, "").await;
    assert_eq!(a.body, "Counter is 2 (streamed)\n");

    // A method the canister refuses: its own status code and text.
    let a = http(&net, "PUT", &by_query("/"), None, "x").await;
    assert_eq!(
        (a.status, a.body.as_str()),
        (400, "Method PUT is not supported\n")
    );

    // The IC HTTP interface and the replica's pages are not the gateway's, whatever the host.
    let a = http(&net, "GET", &by_host("/api/v2/status"), Some(&host), "").await;
    assert_eq!(
        (a.status, a.headers["content-type"].to_str().unwrap()),
        (200, "application/cbor")
    );
    let a = http(
        &net,
        "GET",
        &format!("http://127.0.0.1:{port}/_/candid?id={id}&canisterId={id}"),
        None,
        "",
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.contains(&format!("Candid UI: {id}")), "{}", a.body);
    net.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_say_what_was_wrong() {
    let net = start().await;
    let port = net.server.addr().port();

    // No such canister: 404.
    let ghost = Principal::from_text("bd3sg-teaaa-aaaaa-qaaba-cai").unwrap();
    assert!(!net.replica.canister_exists(ghost));
    let a = http(
        &net,
        "GET",
        &format!("http://127.0.0.1:{port}/?canisterId={ghost}"),
        None,
        "",
    )
    .await;
    assert_eq!(a.status, 404, "{}", a.body);
    assert!(
        a.body.contains(&format!("canister {ghost} does not exist")),
        "{}",
        a.body
    );

    // Not a canister id: 400.
    let a = http(
        &net,
        "GET",
        &format!("http://nonsense.localhost:{port}/"),
        Some("nonsense.localhost"),
        "",
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(
        a.body.contains("`nonsense`, is not a canister id"),
        "{}",
        a.body
    );

    // A canister without `http_request` (the Rust hello canister): 502 with the reject.
    let hello = deploy(&net, &rust_hello_wasm()).await;
    let a = http(
        &net,
        "GET",
        &format!("http://127.0.0.1:{port}/?canisterId={hello}"),
        None,
        "",
    )
    .await;
    assert_eq!(a.status, 502, "{}", a.body);
    assert!(
        a.body.contains(&format!(
            "canister {hello} rejected the HTTP gateway's call to `http_request`"
        )),
        "{}",
        a.body
    );
    assert!(a.body.contains("http_request"), "{}", a.body);

    // A canister whose `http_request` answers something else than an HttpResponse: 502
    // naming the field.
    let dir = std::env::temp_dir().join(format!("kybra-http-gateway-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/main.py"),
        "from kybra import blob, query, Record, Tuple, Vec\n\n\n\
         class HttpRequest(Record):\n    method: str\n    url: str\n    headers: Vec[Tuple[str, str]]\n    body: blob\n\n\n\
         class NotAResponse(Record):\n    status_code: str\n    body: blob\n\n\n\
         @query\ndef http_request(req: HttpRequest) -> NotAResponse:\n    return {\"status_code\": \"OK\", \"body\": req[\"url\"].encode()}\n",
    )
    .unwrap();
    let built = build_python(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(module) = built {
        let bad = deploy(&net, &module).await;
        let a = http(
            &net,
            "GET",
            &format!("http://{bad}.localhost:{port}/x"),
            Some(&format!("{bad}.localhost")),
            "",
        )
        .await;
        assert_eq!(a.status, 502, "{}", a.body);
        assert!(
            a.body
                .contains("is not an HTTP gateway response: field `status_code` is \"OK\""),
            "{}",
            a.body
        );
    }
    net.server.shutdown().await.unwrap();
}
