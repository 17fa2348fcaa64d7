//! What can go wrong with a bitcoin request: a bad address, another network, a malformed
//! or invalid transaction, a bad block count, a replica that cannot save its chain.

/// What went wrong with a bitcoin request or a [`Replica`] bitcoin call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BitcoinError {
    #[error("`{0}` is not a bitcoin address ({1})")]
    Address(String, String),
    #[error("`{0}` is not a regtest address (regtest addresses start with m, n, 2 or bcrt1)")]
    WrongNetwork(String),
    #[error("this replica simulates the bitcoin regtest network only; network `{0}` is not available: use variant {{ regtest }}")]
    Network(&'static str),
    #[error("MalformedTransaction: {0}")]
    Malformed(String),
    #[error("the transaction was rejected: {0}")]
    Rejected(String),
    #[error("cannot mine {0} blocks: mine between 1 and 10000 per call")]
    BlockCount(u32),
    #[error("the blocks were mined, but the replica could not save them (its state folder failed): restart the replica")]
    NotSaved,
}
