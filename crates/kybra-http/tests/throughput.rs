//! Throughput of a trivial query (`get_message` of the Rust hello canister) through the
//! real `ic-agent`, query signature verification on. Run explicitly:
//! `cargo test --release -p kybra-http --test throughput -- --ignored --nocapture`.

mod common;
use candid::{Decode, Encode};
use common::*;
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check"]
async fn trivial_query_throughput() {
    let net = start().await;
    let agent = net.agent().await;
    let id = create_and_install(&agent, &net).await;
    let arg = Encode!().unwrap();
    // Warm up (also fills the agent's subnet-key cache).
    for _ in 0..20 {
        agent
            .query(&id, "get_message")
            .with_arg(arg.clone())
            .call()
            .await
            .unwrap();
    }
    for concurrency in [1usize, 8] {
        let n = 2000;
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let agent = agent.clone();
            let arg = arg.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..n / concurrency {
                    let r = agent
                        .query(&id, "get_message")
                        .with_arg(arg.clone())
                        .call()
                        .await
                        .unwrap();
                    Decode!(&r, String).unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        println!("trivial query, {concurrency} concurrent client(s): {n} queries in {secs:.2} s = {:.0} queries/s", n as f64 / secs);
    }
    net.server.shutdown().await.unwrap();
}
