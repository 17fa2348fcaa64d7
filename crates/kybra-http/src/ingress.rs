//! The status of every update call (ingress message) the replica accepted, for
//! `/request_status/<request_id>`: `received` → `processing` → `replied` | `rejected`, then
//! `done` (the reply is forgotten) once the reply has been kept for 5 minutes and the
//! request's expiry has passed, then pruned. Identical submissions are executed once.

use crate::request_id::RequestId;
use candid::Principal;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::watch;

/// How long replies are kept after they are produced (and after the request expired).
const KEEP_REPLY_NANOS: u64 = 5 * 60 * 1_000_000_000;

/// A request's status, as the state tree shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Received,
    Processing,
    Replied(Vec<u8>),
    Rejected {
        code: u64,
        message: String,
        error_code: Option<String>,
    },
    Done,
}

struct Entry {
    status: Status,
    sender: Principal,
    effective: Principal,
    expiry: u64,
    finished_at: Option<u64>,
    finished: watch::Sender<bool>,
}

/// What [`IngressStore::submit`] did.
pub enum Submission {
    /// A new request: the caller must execute it.
    New(watch::Receiver<bool>),
    /// Already known: someone else executes (or executed) it.
    Duplicate(watch::Receiver<bool>),
}

/// A request's status plus who sent it where (for the read_state authorization rules).
#[derive(Debug, Clone)]
pub struct Record {
    pub status: Status,
    pub sender: Principal,
    pub effective: Principal,
}

/// All known requests.
#[derive(Default)]
pub struct IngressStore {
    entries: Mutex<HashMap<RequestId, Entry>>,
}

impl IngressStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<RequestId, Entry>> {
        // A panic while holding the lock cannot leave an entry half-written; keep serving.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a request as `received`, unless it is already known.
    pub fn submit(
        &self,
        id: RequestId,
        sender: Principal,
        effective: Principal,
        expiry: u64,
    ) -> Submission {
        let mut entries = self.lock();
        if let Some(e) = entries.get(&id) {
            return Submission::Duplicate(e.finished.subscribe());
        }
        let (tx, rx) = watch::channel(false);
        entries.insert(
            id,
            Entry {
                status: Status::Received,
                sender,
                effective,
                expiry,
                finished_at: None,
                finished: tx,
            },
        );
        Submission::New(rx)
    }

    /// Marks a request as being executed.
    pub fn set_processing(&self, id: &RequestId) {
        if let Some(e) = self.lock().get_mut(id) {
            e.status = Status::Processing;
        }
    }

    /// Stores a request's outcome at replica time `now` and wakes its waiters.
    pub fn finish(&self, id: &RequestId, status: Status, now: u64) {
        if let Some(e) = self.lock().get_mut(id) {
            e.status = status;
            e.finished_at = Some(now);
            e.finished.send_replace(true);
        }
    }

    /// The record of a request, if known.
    pub fn get(&self, id: &RequestId) -> Option<Record> {
        self.lock().get(id).map(|e| Record {
            status: e.status.clone(),
            sender: e.sender,
            effective: e.effective,
        })
    }

    /// Turns old replies into `done` and forgets requests whose `done` has been kept long enough.
    pub fn prune(&self, now: u64) {
        self.lock().retain(|_, e| {
            let Some(finished_at) = e.finished_at else {
                return true;
            };
            let forget_reply_at = finished_at.saturating_add(KEEP_REPLY_NANOS).max(e.expiry);
            if now > forget_reply_at.saturating_add(KEEP_REPLY_NANOS) {
                return false;
            }
            if now > forget_reply_at {
                e.status = Status::Done;
            }
            true
        });
    }

    /// How many requests are known.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let store = IngressStore::default();
        let id = RequestId([1; 32]);
        let a = Principal::anonymous();
        let Submission::New(mut rx) = store.submit(id, a, a, 100) else {
            panic!("new")
        };
        assert!(matches!(
            store.submit(id, a, a, 100),
            Submission::Duplicate(_)
        ));
        assert_eq!(store.get(&id).unwrap().status, Status::Received);
        store.set_processing(&id);
        assert_eq!(store.get(&id).unwrap().status, Status::Processing);
        store.finish(&id, Status::Replied(vec![1]), 50);
        assert!(*rx.borrow_and_update());
        store.prune(50 + KEEP_REPLY_NANOS);
        assert_eq!(store.get(&id).unwrap().status, Status::Replied(vec![1]));
        store.prune(50 + KEEP_REPLY_NANOS + 1);
        assert_eq!(store.get(&id).unwrap().status, Status::Done);
        store.prune(50 + 2 * KEEP_REPLY_NANOS + 1);
        assert_eq!(store.len(), 0);
    }
}
