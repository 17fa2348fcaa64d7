//! Outgoing HTTP requests (`http_request` of the management canister) from a Rust canister
//! (`tests/canisters/rust_mgmt`) to a real HTTP server the test runs on 127.0.0.1:
//! transforms, methods, headers and bodies, `max_response_bytes`, the IC's fee and rejects,
//! the replica staying responsive while a request is in flight, and a request in flight
//! surviving a restart of a persistent replica.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use candid::Principal;
use common::*;
use ic_management_canister_types::{
    HttpHeader, HttpMethod, HttpRequestArgs, HttpRequestResult, TransformContext, TransformFunc,
};
use kybra_replica::Replica;

/// The IC's fee for the replica's one-node subnet, written out from the interface spec's formula.
fn fee(args: &HttpRequestArgs) -> u128 {
    let n = 1u128;
    let request_size = args.url.len()
        + args
            .headers
            .iter()
            .map(|h| h.name.len() + h.value.len())
            .sum::<usize>()
        + args.body.as_ref().map_or(0, |b| b.len())
        + args
            .transform
            .as_ref()
            .map_or(0, |t| t.function.0.method.len() + t.context.len());
    let max = args.max_response_bytes.unwrap_or(2_000_000) as u128;
    (3_000_000 + 60_000 * n) * n + 400 * n * request_size as u128 + 800 * n * max
}

const PLENTY: u128 = 1_000_000_000_000;

/// A tiny HTTP/1.1 server: `/hello` (a header and a body), `/echo` (method, body and the
/// `x-custom` and `user-agent` request headers), `/big` (5,000 bytes), `/slow` (answers after
/// 1.5 s). One thread per connection; `Connection: close`.
fn server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    format!("http://{addr}")
}

fn serve(stream: TcpStream) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    if reader.read_line(&mut first).is_err() {
        return; // not HTTP (e.g. a TLS handshake)
    }
    let mut parts = first.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_string(),
        parts.next().unwrap_or("").to_string(),
    );
    let (mut length, mut custom, mut agent) = (0usize, String::new(), String::new());
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap(),
            "x-custom" => custom = value.trim().to_string(),
            "user-agent" => agent = value.trim().to_string(),
            _ => {}
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    let (extra, out) = match path.as_str() {
        "/hello" => ("X-Test: yes\r\n", b"hello world".to_vec()),
        "/echo" => (
            "",
            format!(
                "{method}|{}|{custom}|{agent}",
                String::from_utf8_lossy(&body)
            )
            .into_bytes(),
        ),
        "/big" => ("", vec![b'x'; 5000]),
        "/slow" => {
            std::thread::sleep(Duration::from_millis(1500));
            ("", b"finally".to_vec())
        }
        _ => ("", b"not found".to_vec()),
    };
    let status = if path == "/missing" {
        "404 Not Found"
    } else {
        "200 OK"
    };
    let head = format!(
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n",
        out.len()
    );
    let mut stream = stream;
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&out);
    }
}

fn setup() -> (Replica, Principal) {
    let r = replica();
    let id = create(&r, user());
    install(&r, user(), id, kybra_test_support::rust_mgmt()).unwrap();
    (r, id)
}

fn get(url: String) -> HttpRequestArgs {
    HttpRequestArgs {
        url,
        max_response_bytes: Some(10_000),
        ..Default::default()
    }
}

fn with_transform(
    mut args: HttpRequestArgs,
    id: Principal,
    method: &str,
    context: &[u8],
) -> HttpRequestArgs {
    args.transform = Some(TransformContext {
        function: TransformFunc(candid::Func {
            principal: id,
            method: method.into(),
        }),
        context: context.to_vec(),
    });
    args
}

fn outcall(r: &Replica, id: Principal, args: &HttpRequestArgs, cycles: u128) -> Outcome {
    let arg = candid::encode_args(("http_request", enc(args), cycles)).unwrap();
    dec(&r.update(user(), id, None, "call_mgmt", &arg).unwrap())
}

fn reply(o: Outcome) -> HttpRequestResult {
    assert_eq!(o.reject_code, 0, "rejected: {}", o.reject_message);
    dec(&o.reply.unwrap())
}

#[test]
fn transform_drops_headers_and_sees_the_context() {
    let (r, id) = setup();
    let base = server();
    let plain = reply(outcall(&r, id, &get(format!("{base}/hello")), PLENTY));
    assert_eq!(plain.status, candid::Nat::from(200u16));
    assert_eq!(plain.body, b"hello world");
    assert!(
        plain.headers.contains(&HttpHeader {
            name: "x-test".into(),
            value: "yes".into()
        }),
        "{:?}",
        plain.headers
    );

    let args = with_transform(get(format!("{base}/hello")), id, "drop_headers", b"ctx:");
    let start = Instant::now();
    let o = outcall(&r, id, &args, PLENTY);
    let elapsed = start.elapsed();
    eprintln!(
        "one transformed outcall round trip (ingress → canister → HTTP → transform → callback): {elapsed:?}, {} instructions in the callback",
        r.last_instructions(id).unwrap()
    );
    assert_eq!(
        o.refunded,
        PLENTY - fee(&args),
        "the IC's fee is kept, the rest refunded"
    );
    let t = reply(o);
    assert_eq!(t.status, candid::Nat::from(200u16));
    assert!(t.headers.is_empty());
    assert_eq!(t.body, b"ctx:hello world");

    let missing = reply(outcall(&r, id, &get(format!("{base}/missing")), PLENTY));
    assert_eq!(
        missing.status,
        candid::Nat::from(404u16),
        "every status is a response"
    );
}

#[test]
fn methods_headers_and_bodies_reach_the_server() {
    let (r, id) = setup();
    let base = server();
    let mut args = get(format!("{base}/echo"));
    args.method = HttpMethod::POST;
    args.body = Some(b"{\"jsonrpc\":\"2.0\"}".to_vec());
    args.headers = vec![HttpHeader {
        name: "X-Custom".into(),
        value: "42".into(),
    }];
    let echoed = reply(outcall(&r, id, &args, PLENTY));
    assert_eq!(
        String::from_utf8(echoed.body).unwrap(),
        "POST|{\"jsonrpc\":\"2.0\"}|42|ic/1.0"
    );

    args.headers.push(HttpHeader {
        name: "User-Agent".into(),
        value: "mine".into(),
    });
    let echoed = reply(outcall(&r, id, &args, PLENTY));
    assert!(String::from_utf8(echoed.body)
        .unwrap()
        .ends_with("|42|mine"));

    let mut head = get(format!("{base}/hello"));
    head.method = HttpMethod::HEAD;
    let h = reply(outcall(&r, id, &head, PLENTY));
    assert!(h.body.is_empty());
    assert_eq!(h.status, candid::Nat::from(200u16));
}

#[test]
fn network_failures_reject_with_sys_transient() {
    let (r, id) = setup();
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let o = outcall(&r, id, &get(format!("http://{closed}/x")), PLENTY);
    assert_eq!(o.reject_code, 2, "{}", o.reject_message);
    assert!(
        o.reject_message.contains(&closed.to_string()),
        "{}",
        o.reject_message
    );
    eprintln!("connection refused: {}", o.reject_message);
    let o = outcall(&r, id, &get("https://no-such-host.invalid/".into()), PLENTY);
    assert_eq!(o.reject_code, 2, "{}", o.reject_message);
    eprintln!("unknown host: {}", o.reject_message);
    // https:// speaks TLS: a plain HTTP server fails the handshake.
    let tls = server().replace("http://", "https://");
    let o = outcall(&r, id, &get(format!("{tls}/hello")), PLENTY);
    assert_eq!(o.reject_code, 2, "{}", o.reject_message);
    eprintln!("TLS to a plain server: {}", o.reject_message);
}

#[test]
fn limits_fees_and_schemes_are_the_ics() {
    let (r, id) = setup();
    let base = server();
    let mut small = get(format!("{base}/big"));
    small.max_response_bytes = Some(1000);
    let o = outcall(&r, id, &small, PLENTY);
    assert_eq!(o.reject_code, 1, "{}", o.reject_message);
    assert_eq!(
        o.reject_message,
        "Http body exceeds size limit of 1000 bytes."
    );

    let mut too_big = get(format!("{base}/hello"));
    too_big.max_response_bytes = Some(2_000_001);
    let o = outcall(&r, id, &too_big, PLENTY);
    assert_eq!(o.reject_code, 4);
    assert_eq!(
        o.reject_message,
        "max_response_bytes expected to be in the range [0..2000000], got 2000001"
    );

    let args = get(format!("{base}/hello"));
    let needed = fee(&args);
    let o = outcall(&r, id, &args, needed - 1);
    assert_eq!(o.reject_code, 4);
    assert_eq!(
        o.reject_message,
        format!(
            "http_request request sent with {} cycles, but {needed} cycles are required.",
            needed - 1
        )
    );
    assert_eq!(o.refunded, needed - 1);
    let o = outcall(&r, id, &args, needed);
    assert_eq!(
        o.reject_code, 0,
        "exactly the fee is enough: {}",
        o.reject_message
    );
    assert_eq!(o.refunded, 0);

    let o = outcall(&r, id, &get("http://example.com/".into()), PLENTY);
    assert_eq!(o.reject_code, 1, "{}", o.reject_message);
    assert!(o.reject_message.contains("https"), "{}", o.reject_message);

    let foreign = with_transform(get(format!("{base}/hello")), user(), "drop_headers", b"");
    let o = outcall(&r, id, &foreign, PLENTY);
    assert_eq!(o.reject_code, 4);
    assert!(
        o.reject_message
            .starts_with("transform principal id expected to be"),
        "{}",
        o.reject_message
    );
}

#[test]
fn a_trapping_transform_rejects_the_call() {
    let (r, id) = setup();
    let base = server();
    let args = with_transform(get(format!("{base}/hello")), id, "trap_transform", b"");
    let o = outcall(&r, id, &args, PLENTY);
    assert_eq!(o.reject_code, 5, "{}", o.reject_message);
    assert!(
        o.reject_message.contains("trap_transform always traps"),
        "{}",
        o.reject_message
    );
    let missing = with_transform(get(format!("{base}/hello")), id, "no_such_query", b"");
    let o = outcall(&r, id, &missing, PLENTY);
    assert_ne!(o.reject_code, 0);
    assert!(
        o.reject_message.contains("no_such_query"),
        "{}",
        o.reject_message
    );
}

#[test]
fn the_replica_runs_other_messages_while_a_request_is_in_flight() {
    let (r, id) = setup();
    let r = std::sync::Arc::new(r);
    let base = server();
    let slow = {
        let r = r.clone();
        let args = get(format!("{base}/slow"));
        std::thread::spawn(move || {
            let start = Instant::now();
            let body = reply(outcall(&r, id, &args, PLENTY)).body;
            (body, start.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let balance = r
        .query(user(), id, "balance", &candid::encode_args(()).unwrap())
        .unwrap();
    assert!(dec::<u128>(&balance) > 0);
    let o = outcall(&r, id, &get(format!("{base}/hello")), PLENTY);
    assert_eq!(reply(o).body, b"hello world");
    let quick = start.elapsed();
    assert!(
        quick < Duration::from_millis(1000),
        "a query and another outcall took {quick:?} while /slow was in flight"
    );
    let (body, slow_took) = slow.join().unwrap();
    assert_eq!(body, b"finally");
    assert!(slow_took >= Duration::from_millis(1400), "{slow_took:?}");
}

#[test]
fn outcalls_work_on_a_persistent_replica() {
    let dir = tempfile::tempdir().unwrap();
    let config = kybra_replica::ReplicaConfig {
        state_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let base = server();
    let id = {
        let r = Replica::new(config.clone());
        let id = create(&r, user());
        install(&r, user(), id, kybra_test_support::rust_mgmt()).unwrap();
        let args = with_transform(get(format!("{base}/hello")), id, "drop_headers", b"1:");
        assert_eq!(reply(outcall(&r, id, &args, PLENTY)).body, b"1:hello world");
        id
    };
    let r = Replica::new(config);
    let args = with_transform(get(format!("{base}/hello")), id, "drop_headers", b"2:");
    assert_eq!(reply(outcall(&r, id, &args, PLENTY)).body, b"2:hello world");
}

/// A persistent replica keeps an outcall in flight: its state folder copied while `/slow` is
/// being fetched (what `kill -9` leaves), and the folder the replica leaves at a clean
/// shutdown, each open in a new replica that makes the request again and delivers the answer
/// to the callback still waiting for it — a reply, never the restart's reject.
#[test]
fn an_outcall_in_flight_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (live, crashed) = (dir.path().join("live"), dir.path().join("crashed"));
    let open = |d: &std::path::Path| {
        Replica::new(kybra_replica::ReplicaConfig {
            state_dir: Some(d.to_path_buf()),
            ..Default::default()
        })
    };
    let base = server();
    let r = open(&live);
    let id = create(&r, user());
    install(&r, user(), id, kybra_test_support::rust_mgmt()).unwrap();
    let args = with_transform(get(format!("{base}/slow")), id, "drop_headers", b"bg:");
    let arg = candid::encode_args(("http_request", enc(&args), PLENTY)).unwrap();
    r.update(user(), id, None, "call_mgmt_later", &arg).unwrap();
    r.tick(); // the request message reaches the service: the fetch is under way
    std::fs::create_dir_all(&crashed).unwrap();
    for name in ["checkpoint", "journal"] {
        if live.join(name).exists() {
            std::fs::copy(live.join(name), crashed.join(name)).unwrap();
        }
    }
    drop(r);
    for folder in [&crashed, &live] {
        let r = open(folder);
        let background = || -> Option<Outcome> {
            dec(&r
                .query(user(), id, "background", &candid::encode_args(()).unwrap())
                .unwrap())
        };
        assert!(background().is_none(), "answered before the restart");
        let start = Instant::now();
        let outcome = loop {
            if let Some(o) = background() {
                break o;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "never delivered");
            r.tick();
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(reply(outcome).body, b"bg:finally", "{}", folder.display());
    }
}

/// Needs the internet (`cargo test ... -- --ignored`): TLS with the bundled root certificates.
#[test]
#[ignore]
fn https_to_a_public_host() {
    let (r, id) = setup();
    let mut args = get("https://crates.io/".into());
    args.max_response_bytes = Some(2_000_000);
    let got = reply(outcall(&r, id, &args, PLENTY));
    assert!(got.status > 0u8);
}

#[test]
fn a_request_nobody_waits_for_is_delivered_by_tick() {
    let (r, id) = setup();
    let base = server();
    let args = with_transform(get(format!("{base}/slow")), id, "drop_headers", b"bg:");
    let arg = candid::encode_args(("http_request", enc(&args), PLENTY)).unwrap();
    r.update(user(), id, None, "call_mgmt_later", &arg).unwrap();
    let background = || -> Option<Outcome> {
        dec(&r
            .query(user(), id, "background", &candid::encode_args(()).unwrap())
            .unwrap())
    };
    assert!(background().is_none(), "still in flight");
    let start = Instant::now();
    while background().is_none() {
        assert!(start.elapsed() < Duration::from_secs(10), "never delivered");
        r.tick();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(reply(background().unwrap()).body, b"bg:finally");
}
