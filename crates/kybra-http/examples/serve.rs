//! Serves an empty in-memory replica for manual testing with any agent:
//! `cargo run --release -p kybra-http --example serve -- [PORT]` (default 4943; 0 = any free port).
//! Prints the URL and the canister range, then serves until Ctrl-C.

use kybra_http::{serve, DEFAULT_PORT};
use kybra_replica::{Replica, ReplicaConfig};
use std::sync::Arc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port = match std::env::args().nth(1) {
        Some(p) => p
            .parse::<u16>()
            .map_err(|e| format!("PORT must be a number 0-65535, got {p:?}: {e}"))?,
        None => DEFAULT_PORT,
    };
    let replica = Arc::new(Replica::new(ReplicaConfig::default()));
    let (low, high) = *replica
        .root_subnet_canister_ranges()
        .last()
        .expect("the replica has a canister range");
    let server = serve(replica, ([127, 0, 0, 1], port).into()).await?;
    println!("{}", server.url());
    println!(
        "canister range {low} .. {high}; subnet {}",
        server.keys().subnet_id()
    );
    tokio::signal::ctrl_c().await?;
    server.shutdown().await?;
    Ok(())
}
