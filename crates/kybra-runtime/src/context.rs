//! What the running message is, so the `ic` API can refuse, with a Python exception
//! (`kybra.IcError`), the calls the IC forbids in it — instead of letting `ic0` trap the
//! canister.
//!
//! Promises: every entry point of the template ([`crate::entry`], [`crate::hooks`],
//! [`crate::dispatch`]) calls [`enter`] before running Python; [`current`] is the kind of
//! the running message with what it has done so far (replied, accepted). Outside any
//! message (module import at start-up) the kind is the lifecycle export that started it.
//! [`last_call`] is what the call that returned last in this message left (for
//! `ic.reject_code()` and friends); [`IcError`] is the exception the `ic` API raises.

use std::cell::{Cell, RefCell};

use pyo3::create_exception;
use pyo3::exceptions::PyException;

create_exception!(
    _kybra_ic,
    IcError,
    PyException,
    "An `ic` API was called where the Internet Computer does not allow it."
);

/// The kind of message being executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Init,
    PreUpgrade,
    PostUpgrade,
    Query,
    CompositeQuery,
    Update,
    Heartbeat,
    InspectMessage,
    /// A callback of `ic.set_timer` / `ic.set_timer_interval` (its own update message).
    Timer,
}

impl Kind {
    /// How the decorator that makes this kind is written, for messages.
    pub fn decorator(self) -> &'static str {
        match self {
            Kind::Init => "@init",
            Kind::PreUpgrade => "@pre_upgrade",
            Kind::PostUpgrade => "@post_upgrade",
            Kind::Query => "@query",
            Kind::CompositeQuery => "composite @query (-> Async[T])",
            Kind::Update => "@update",
            Kind::Heartbeat => "@heartbeat",
            Kind::InspectMessage => "@inspect_message",
            Kind::Timer => "timer callback",
        }
    }

    /// May make cross-canister calls (`yield` / `await`).
    pub fn may_call(self) -> bool {
        matches!(
            self,
            Kind::Update | Kind::CompositeQuery | Kind::Timer | Kind::Heartbeat
        )
    }

    /// Queries: their state changes are discarded, they may not move cycles or certify data.
    pub fn is_query(self) -> bool {
        matches!(self, Kind::Query | Kind::CompositeQuery)
    }
}

/// The running message.
#[derive(Clone, Copy, Debug)]
pub struct Context {
    pub kind: Kind,
    /// Index of the method in the payload when the message is a method call.
    pub method: Option<usize>,
    /// The method replies itself (`manual_reply=True` / `-> Manual[T]`).
    pub manual: bool,
    /// `ic.reply`, `ic.reply_raw` or `ic.reject` was called.
    pub responded: bool,
    /// `ic.accept_message` was called.
    pub accepted: bool,
}

/// What the last returned call left for `ic.reject_code()` and friends.
#[derive(Clone, Default)]
pub struct Outcome {
    pub code: u32,
    pub message: String,
    pub refunded: u128,
}

thread_local! {
    static LAST: RefCell<Option<Outcome>> = const { RefCell::new(None) };
    static CURRENT: Cell<Context> = const {
        Cell::new(Context { kind: Kind::Init, method: None, manual: false, responded: false, accepted: false })
    };
}

/// Starts a message of `kind` (for method `method`, replying itself if `manual`).
pub fn enter(kind: Kind, method: Option<usize>, manual: bool) {
    CURRENT.set(Context {
        kind,
        method,
        manual,
        responded: false,
        accepted: false,
    });
    LAST.with_borrow_mut(|l| *l = None);
}

/// Resumes a message that awaited a cross-canister call, in the call's callback: `before`
/// is its record from before the `await` (other messages ran in between).
pub fn resume(before: Context) {
    CURRENT.set(before);
}

/// The running message.
pub fn current() -> Context {
    CURRENT.get()
}

/// Changes the running message's record.
pub fn update(f: impl FnOnce(&mut Context)) {
    let mut c = CURRENT.get();
    f(&mut c);
    CURRENT.set(c);
}

/// Records what the call that just returned left.
pub fn set_last_call(outcome: Outcome) {
    LAST.with_borrow_mut(|l| *l = Some(outcome));
}

/// The outcome of the call that returned last in this message, if any.
pub fn last_call() -> Option<Outcome> {
    LAST.with_borrow(|l| l.clone())
}
