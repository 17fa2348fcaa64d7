//! The principals the suites call as.

use candid::Principal;

/// The user that creates, installs and calls the test canisters.
pub fn user() -> Principal {
    Principal::from_slice(&[0xAB; 29])
}

/// Another user (not a controller).
pub fn other_user() -> Principal {
    Principal::from_slice(&[0xCD; 29])
}
