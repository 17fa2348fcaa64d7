//! Talking to a replica over the IC HTTP interface with `ic-agent`.
//!
//! Promises: signs as the selected identity ([`crate::identity`]); picks the URL (`--network`, else the project's running local replica, else
//! `http://127.0.0.1:4943`); fetches the root key for replicas on this machine (never for
//! mainnet, whose key is built in);
//! turns "connection refused" into "start it with `kybra start --background`" and replica
//! rejects into `reject code N (NAME): message [IC0xxx]`.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use ic_agent::agent::RejectResponse;
use ic_agent::{Agent, AgentError};

use crate::local;

/// The default address of the local replica (as dfx).
pub const DEFAULT_HOST: &str = "127.0.0.1:4943";
const MAINNET_URL: &str = "https://icp-api.io";

/// Where to send requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The name ids are recorded under in `canister_ids.json`: `local`, `ic`, or the URL.
    pub name: String,
    pub url: String,
    /// Whether this is the project's local network: canisters are created with the
    /// provisional API and their ids kept in `.kybra/local/`. Any other network (`ic`, a
    /// URL) is treated as mainnet: canisters are created through the cycles ledger, paid
    /// with the identity's cycles, and their ids kept in `canister_ids.json` at the root.
    pub local: bool,
    /// Whether the replica runs on this machine (its root key is fetched; local tooling such
    /// as `fabricate-cycles` and the faucet works).
    pub loopback: bool,
}

/// Resolves `--network` (`local`, `ic`, or a URL) for the project at `root`.
pub fn resolve(network: Option<&str>, root: &Path) -> Network {
    match network {
        Some("ic") => Network {
            name: "ic".into(),
            url: MAINNET_URL.into(),
            local: false,
            loopback: false,
        },
        Some(url) if url != "local" => {
            let url = if url.contains("://") {
                url.to_string()
            } else {
                format!("http://{url}")
            };
            let loopback =
                url.contains("127.0.0.1") || url.contains("localhost") || url.contains("[::1]");
            Network {
                name: url.clone(),
                url,
                local: false,
                loopback,
            }
        }
        _ => match local::running_replica(root) {
            Some(info) => Network {
                name: local::LOCAL.into(),
                url: info.url,
                local: true,
                loopback: true,
            },
            None => Network {
                name: local::LOCAL.into(),
                url: format!("http://{DEFAULT_HOST}"),
                local: true,
                loopback: true,
            },
        },
    }
}

/// An agent for `network` signing as the selected identity (`--identity`, else the
/// default one), with the root key fetched for local networks.
pub async fn connect(network: &Network) -> Result<Agent> {
    let agent = Agent::builder()
        .with_url(network.url.as_str())
        .with_arc_identity(crate::identity::current()?)
        .build()
        .with_context(|| format!("cannot use the replica URL {}", network.url))?;
    if network.loopback {
        agent
            .fetch_root_key()
            .await
            .map_err(|e| explain(e, network))?;
    }
    Ok(agent)
}

/// Whether a replica answers `/api/v2/status` at `url`.
pub async fn status_ok(url: &str) -> bool {
    match Agent::builder().with_url(url).build() {
        Ok(agent) => agent.status().await.is_ok(),
        Err(_) => false,
    }
}

/// Turns an agent error into a message that says what happened and what to do.
pub fn explain(error: AgentError, network: &Network) -> anyhow::Error {
    if let Some(reject) = reject_of(&error) {
        return anyhow!("{}", reject_text(reject));
    }
    if is_connection_refused(&error) {
        return if network.local {
            anyhow!(
                "the local replica is not running (nothing answers at {}): start it with `kybra start --background`",
                network.url
            )
        } else {
            anyhow!("cannot connect to {}: {error}", network.url)
        };
    }
    anyhow!("{error}")
}

/// The reject inside an agent error, if the replica rejected the call.
pub fn reject_of(error: &AgentError) -> Option<&RejectResponse> {
    match error {
        AgentError::CertifiedReject { reject, .. }
        | AgentError::UncertifiedReject { reject, .. } => Some(reject),
        _ => None,
    }
}

/// `the replica rejected the call: reject code 5 (CanisterError): message [IC0503]`.
pub fn reject_text(reject: &RejectResponse) -> String {
    let code = reject.reject_code as u8;
    let mut text = format!(
        "the replica rejected the call: reject code {code} ({:?}): {}",
        reject.reject_code, reject.reject_message
    );
    if let Some(error_code) = &reject.error_code {
        text.push_str(&format!(" [{error_code}]"));
    }
    text
}

fn is_connection_refused(error: &AgentError) -> bool {
    let mut texts = vec![format!("{error:?}"), error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        texts.push(inner.to_string());
        source = inner.source();
    }
    texts.iter().any(|t| {
        let t = t.to_ascii_lowercase();
        t.contains("connection refused")
            || t.contains("connectionrefused")
            || t.contains("tcp connect error")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_networks() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            resolve(None, dir.path()),
            Network {
                name: "local".into(),
                url: "http://127.0.0.1:4943".into(),
                local: true,
                loopback: true,
            }
        );
        assert_eq!(
            resolve(Some("local"), dir.path()).url,
            "http://127.0.0.1:4943"
        );
        assert_eq!(
            resolve(Some("ic"), dir.path()),
            Network {
                name: "ic".into(),
                url: MAINNET_URL.into(),
                local: false,
                loopback: false,
            }
        );
        let url = resolve(Some("127.0.0.1:8000"), dir.path());
        assert_eq!(
            (url.url.as_str(), url.name.as_str()),
            ("http://127.0.0.1:8000", "http://127.0.0.1:8000")
        );
        assert!(
            !url.local && url.loopback,
            "a URL is not the local network, though on this machine"
        );
        let me = local::ReplicaInfo {
            pid: std::process::id(),
            url: "http://127.0.0.1:5555".into(),
        };
        local::record_replica(dir.path(), &me).unwrap();
        assert_eq!(resolve(None, dir.path()).url, "http://127.0.0.1:5555");
    }

    #[tokio::test]
    async fn connection_refused_says_how_to_start() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let network = Network {
            name: "local".into(),
            url: format!("http://127.0.0.1:{port}"),
            local: true,
            loopback: true,
        };
        let error = connect(&network).await.unwrap_err().to_string();
        assert!(error.contains("kybra start --background"), "{error}");
        assert!(!status_ok(&network.url).await);
    }
}
