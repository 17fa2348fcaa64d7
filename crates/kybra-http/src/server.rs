//! Starting and stopping the HTTP server: [`serve`] binds (port 0 picks a free port), spawns
//! the server on the current tokio runtime and returns a [`ServerHandle`] with the bound
//! address; [`ServerHandle::shutdown`] (or dropping the handle) stops it gracefully.

use crate::error::Error;
use crate::handlers::{self, AppState};
use crate::ingress::IngressStore;
use crate::keys::ReplicaKeys;
use kybra_replica::Replica;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The port dfx and agents use for a local replica by default.
pub const DEFAULT_PORT: u16 = 4943;

/// How to serve a replica.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where to listen (port 0: any free port).
    pub addr: SocketAddr,
    /// The root and node keys (random by default; keep a seed to keep the root key).
    pub keys: ReplicaKeys,
    /// How long a synchronous (`/api/v3|v4/.../call`) request waits for the call to finish
    /// before answering 202 (then agents poll `read_state`).
    pub sync_call_timeout: Duration,
    /// How long every update call waits before it runs (dfx's `--artificial-delay`: the
    /// time a block takes on the IC), so its reply comes at least this late.
    pub artificial_delay: Duration,
}

impl ServeConfig {
    /// Random keys, 10 s synchronous-call timeout, no artificial delay.
    pub fn new(addr: SocketAddr) -> Self {
        ServeConfig {
            addr,
            keys: ReplicaKeys::generate(),
            sync_call_timeout: Duration::from_secs(10),
            artificial_delay: Duration::ZERO,
        }
    }
}

/// A running server. Dropping it stops the server (gracefully, in the background).
pub struct ServerHandle {
    addr: SocketAddr,
    keys: ReplicaKeys,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` (what agents take as their URL).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The replica's keys (root key DER, subnet id, node id).
    pub fn keys(&self) -> &ReplicaKeys {
        &self.keys
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for that.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        self.stop.send_replace(true);
        self.join().await
    }

    /// Waits until the server stops (e.g. for a foreground `kybra start`).
    pub async fn wait(mut self) -> std::io::Result<()> {
        self.join().await
    }

    async fn join(&mut self) -> std::io::Result<()> {
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Ok(()),
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// Serves `replica` on `addr` with fresh random keys. Must be called inside a tokio runtime.
pub async fn serve(replica: Arc<Replica>, addr: SocketAddr) -> Result<ServerHandle, Error> {
    serve_with(replica, ServeConfig::new(addr)).await
}

/// Serves `replica` as `config` says. Must be called inside a tokio runtime.
pub async fn serve_with(replica: Arc<Replica>, config: ServeConfig) -> Result<ServerHandle, Error> {
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|source| Error::Bind {
            addr: config.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind {
        addr: config.addr,
        source,
    })?;
    // The built-in cycles minting canister reports the subnet id this server certifies.
    replica.set_subnet_id(config.keys.subnet_id());
    replica.set_root_key(config.keys.root_key_der().to_vec());
    let state = Arc::new(AppState {
        replica,
        status_body: handlers::status_body(&config.keys),
        keys: config.keys.clone(),
        ingress: IngressStore::default(),
        sync_call_timeout: config.sync_call_timeout,
        artificial_delay: config.artificial_delay,
    });
    let (stop, stop_rx) = watch::channel(false);
    tokio::spawn(handlers::prune_loop(
        state.clone(),
        Duration::from_secs(30),
        stop_rx.clone(),
    ));
    // Timers, heartbeats and inter-canister messages left in flight run in the background
    // (wall-clock mode only: with fixed time, tests drive `Replica::tick` themselves).
    if state.replica.is_wall_clock() {
        tokio::spawn(tick_loop(
            state.replica.clone(),
            TICK_PERIOD,
            stop_rx.clone(),
        ));
    }
    let app = handlers::router(state);
    let mut stop_server = stop_rx;
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop_server.wait_for(|stopped| *stopped).await;
            })
            .await
    });
    Ok(ServerHandle {
        addr,
        keys: config.keys,
        stop,
        task: Some(task),
    })
}

/// How often the background ticker runs [`Replica::tick`] (an idle tick costs microseconds).
const TICK_PERIOD: Duration = Duration::from_millis(200);

async fn tick_loop(replica: Arc<Replica>, period: Duration, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(period) => {
                let r = replica.clone();
                let _ = tokio::task::spawn_blocking(move || r.tick()).await;
            }
            _ = stop.changed() => return,
        }
    }
}
