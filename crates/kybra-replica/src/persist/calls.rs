//! Calls in flight on disk: the scheduler's [`Calls`] — call contexts, callbacks, queued
//! messages and the next id — as one snapshot, written into every checkpoint and, whenever
//! it changed, into the journal entry of the message that changed it.
//!
//! Promises of [`restore`]: each callback is tied to its canister's restored code (one made
//! by code that has since been replaced stays dead, as before the restart); ingress call
//! contexts become ones nobody waits for (their callers are gone); a callback that waited
//! for a service's later answer keeps waiting when the restored service took the call up
//! again (an HTTP outcall is made again), else gets a `SysTransient` reject, so every
//! callback still runs exactly once.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use candid::Principal;

use super::codec::{Corrupt, Reader, Writer};
use crate::calls::{CallContext, Callback, Calls, Message, Origin};
use crate::canister::Canister;
use crate::error::{Reject, RejectCode};

fn current_code(canisters: &BTreeMap<Principal, Canister>, id: &Principal) -> Option<u64> {
    canisters
        .get(id)
        .and_then(|c| c.exec.as_ref())
        .map(|e| e.serial)
}

fn pair(w: &mut Writer, (a, b): (u32, u32)) {
    w.u64(u64::from(a));
    w.u64(u64::from(b));
}

fn read_pair(r: &mut Reader) -> Result<(u32, u32), Corrupt> {
    let mut half = || {
        u32::try_from(r.u64()?).map_err(|_| Corrupt("a callback's table index is too large".into()))
    };
    Ok((half()?, half()?))
}

fn write_reject(w: &mut Writer, reject: &Reject) {
    w.u8(reject.code as u8);
    w.bytes(reject.message.as_bytes());
    match &reject.error_code {
        Some(c) => {
            w.u8(1);
            w.bytes(c.as_bytes());
        }
        None => w.u8(0),
    }
}

fn text(r: &mut Reader) -> Result<String, Corrupt> {
    String::from_utf8(r.bytes()?.to_vec()).map_err(|_| Corrupt("text that is not UTF-8".into()))
}

fn read_reject(r: &mut Reader) -> Result<Reject, Corrupt> {
    let code = match r.u8()? {
        1 => RejectCode::SysFatal,
        2 => RejectCode::SysTransient,
        3 => RejectCode::DestinationInvalid,
        4 => RejectCode::CanisterReject,
        5 => RejectCode::CanisterError,
        other => return Err(Corrupt(format!("unknown reject code {other}"))),
    };
    let message = text(r)?;
    let error_code = match r.u8()? {
        0 => None,
        _ => Some(text(r)?),
    };
    Ok(Reject {
        code,
        message,
        error_code,
    })
}

/// Appends the snapshot of `calls` (the canisters tell which callbacks' code is current).
pub fn write_calls(w: &mut Writer, calls: &Calls, canisters: &BTreeMap<Principal, Canister>) {
    w.u64(calls.next_id());
    w.len(calls.contexts.len());
    for (id, cc) in &calls.contexts {
        w.u64(*id);
        w.principal(&cc.canister);
        w.principal(&cc.caller);
        w.bytes(cc.method.as_bytes());
        match cc.origin {
            Origin::Ingress => w.u8(0),
            Origin::Canister { callback } if cc.deadline == 0 => {
                w.u8(1);
                w.u64(callback);
            }
            Origin::Canister { callback } => {
                // A best-effort call (tag 3, added with best-effort calls; older files read as before).
                w.u8(3);
                w.u64(callback);
                w.u64(cc.deadline);
            }
            Origin::System => w.u8(2),
        }
        w.u128(cc.cycles);
        w.bool(cc.responded);
        w.u64(u64::from(cc.outstanding));
        w.bool(cc.composite);
    }
    w.len(calls.callbacks.len());
    for (id, cb) in &calls.callbacks {
        w.u64(*id);
        w.principal(&cb.canister);
        w.u64(cb.context);
        pair(w, cb.reply);
        pair(w, cb.reject);
        match cb.cleanup {
            Some(c) => {
                w.u8(1);
                pair(w, c);
            }
            None => w.u8(0),
        }
        w.bool(current_code(canisters, &cb.canister) == Some(cb.serial));
    }
    w.len(calls.queue.len());
    for m in &calls.queue {
        match m {
            Message::Request {
                callback,
                from,
                to,
                method,
                arg,
                cycles,
                deadline,
            } => {
                // Tag 2: a best-effort call, its deadline last (added with best-effort
                // calls; an older file has none and reads as before).
                w.u8(if *deadline == 0 { 0 } else { 2 });
                w.u64(*callback);
                w.principal(from);
                w.principal(to);
                w.bytes(method.as_bytes());
                w.bytes(arg);
                w.u128(*cycles);
                if *deadline != 0 {
                    w.u64(*deadline);
                }
            }
            Message::Response {
                callback,
                result,
                refund,
            } => {
                w.u8(1);
                w.u64(*callback);
                match result {
                    Ok(bytes) => {
                        w.u8(0);
                        w.bytes(bytes);
                    }
                    Err(reject) => {
                        w.u8(1);
                        write_reject(w, reject);
                    }
                }
                w.u128(*refund);
            }
        }
    }
}

/// The snapshot `write_calls` wrote, with each callback's "made by the current code" flag.
pub struct SavedCalls {
    next_id: u64,
    contexts: BTreeMap<u64, CallContext>,
    callbacks: BTreeMap<u64, (Callback, bool)>,
    queue: VecDeque<Message>,
}

pub fn read_calls(r: &mut Reader) -> Result<SavedCalls, Corrupt> {
    let next_id = r.u64()?;
    let mut contexts = BTreeMap::new();
    for _ in 0..r.len()? {
        let id = r.u64()?;
        let canister = r.principal()?;
        let caller = r.principal()?;
        let method = text(r)?;
        let (origin, deadline) = match r.u8()? {
            0 => (Origin::Ingress, 0),
            1 => (Origin::Canister { callback: r.u64()? }, 0),
            2 => (Origin::System, 0),
            3 => (Origin::Canister { callback: r.u64()? }, r.u64()?),
            other => return Err(Corrupt(format!("unknown call origin {other}"))),
        };
        let cc = CallContext {
            canister,
            caller,
            method,
            origin,
            cycles: r.u128()?,
            responded: r.bool()?,
            outstanding: u32::try_from(r.u64()?)
                .map_err(|_| Corrupt("too many outstanding calls".into()))?,
            composite: r.bool()?,
            deadline,
        };
        contexts.insert(id, cc);
    }
    let mut callbacks = BTreeMap::new();
    for _ in 0..r.len()? {
        let id = r.u64()?;
        let canister = r.principal()?;
        let context = r.u64()?;
        let reply = read_pair(r)?;
        let reject = read_pair(r)?;
        let cleanup = match r.u8()? {
            0 => None,
            _ => Some(read_pair(r)?),
        };
        let current = r.bool()?;
        let cb = Callback {
            canister,
            context,
            reply,
            reject,
            cleanup,
            serial: 0,
        };
        callbacks.insert(id, (cb, current));
    }
    let mut queue = VecDeque::new();
    for _ in 0..r.len()? {
        let m = match r.u8()? {
            tag @ (0 | 2) => Message::Request {
                callback: r.u64()?,
                from: r.principal()?,
                to: r.principal()?,
                method: text(r)?,
                arg: r.bytes()?.to_vec(),
                cycles: r.u128()?,
                deadline: if tag == 2 { r.u64()? } else { 0 },
            },
            1 => {
                let callback = r.u64()?;
                let result = match r.u8()? {
                    0 => Ok(r.bytes()?.to_vec()),
                    _ => Err(read_reject(r)?),
                };
                Message::Response {
                    callback,
                    result,
                    refund: r.u128()?,
                }
            }
            other => return Err(Corrupt(format!("unknown queued message kind {other}"))),
        };
        queue.push_back(m);
    }
    Ok(SavedCalls {
        next_id,
        contexts,
        callbacks,
        queue,
    })
}

/// The live calls of a restored replica (see the module documentation); `awaited`: the
/// tickets (callback ids) of the calls restored services have taken up again.
pub fn restore(
    saved: SavedCalls,
    canisters: &BTreeMap<Principal, Canister>,
    awaited: &BTreeSet<u64>,
) -> Calls {
    let mut referenced = BTreeSet::new();
    for m in &saved.queue {
        match m {
            Message::Request { callback, .. } | Message::Response { callback, .. } => {
                referenced.insert(*callback)
            }
        };
    }
    let mut contexts = saved.contexts;
    for cc in contexts.values_mut() {
        match cc.origin {
            Origin::Canister { callback } => {
                referenced.insert(callback);
            }
            Origin::Ingress => cc.origin = Origin::System,
            Origin::System => {}
        }
    }
    let mut queue = saved.queue;
    let mut callbacks = BTreeMap::new();
    for (id, (mut cb, current)) in saved.callbacks {
        cb.serial = match current_code(canisters, &cb.canister) {
            Some(serial) if current => serial,
            _ => 0,
        };
        if !referenced.contains(&id) && !awaited.contains(&id) {
            queue.push_back(Message::Response {
                callback: id,
                result: Err(Reject {
                    code: RejectCode::SysTransient,
                    message: "the replica restarted while a system service (an HTTP outcall) was answering this call; make the call again".into(),
                    error_code: None,
                }),
                refund: 0,
            });
        }
        callbacks.insert(id, cb);
    }
    Calls::restored(saved.next_id, contexts, callbacks, queue)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(n: u8) -> Principal {
        Principal::from_slice(&[n; 10])
    }

    /// What `deadlines_are_saved_under_their_own_tags` saves, byte for byte.
    const GOLDEN: &str = concat!(
        "0a00000000000000020000000000000001000000000000000a00000000000000010101010101010101010a00",
        "0000000000000202020202020202020201000000000000006d03070000000000000000002a36fe9c97170500",
        "00000000000000000000000000000000000000000000000002000000000000000a0000000000000001010101",
        "0101010101010a000000000000000202020202020202020201000000000000006e0108000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000020000000000000002090000",
        "00000000000a00000000000000010101010101010101010a0000000000000003030303030303030303010000",
        "00000000007802000000000000000102040000000000000000000000000000000000b49376e2fa1800090000",
        "00000000000a00000000000000010101010101010101010a0000000000000003030303030303030303010000",
        "0000000000780200000000000000010204000000000000000000000000000000",
    );

    /// A best-effort call survives a save: the callee's call context and a queued request
    /// keep their deadlines (tags 3 and 2); calls without one keep the old tags 1 and 0, so
    /// files written before best-effort calls read as before (pinned by `tests/golden/`).
    #[test]
    fn deadlines_are_saved_under_their_own_tags() {
        let mut cc = CallContext::new(
            p(1),
            p(2),
            "m".into(),
            Origin::Canister { callback: 7 },
            5,
            false,
        );
        cc.deadline = 1_700_000_000_000_000_000;
        let plain = CallContext::new(
            p(1),
            p(2),
            "n".into(),
            Origin::Canister { callback: 8 },
            0,
            false,
        );
        let request = |deadline| Message::Request {
            callback: 9,
            from: p(1),
            to: p(3),
            method: "x".into(),
            arg: vec![1, 2],
            cycles: 4,
            deadline,
        };
        let calls = Calls::restored(
            10,
            BTreeMap::from([(1, cc), (2, plain)]),
            BTreeMap::new(),
            VecDeque::from([request(1_800_000_000_000_000_000), request(0)]),
        );
        let mut w = Writer::default();
        write_calls(&mut w, &calls, &BTreeMap::new());
        let bytes = w.buf;
        assert_eq!(hex::encode(&bytes), GOLDEN, "the saved layout changed");
        let saved = read_calls(&mut Reader::new(&bytes)).unwrap();
        assert_eq!(saved.contexts[&1].deadline, 1_700_000_000_000_000_000);
        assert_eq!(saved.contexts[&1].origin, Origin::Canister { callback: 7 });
        assert_eq!(saved.contexts[&2].deadline, 0);
        let deadlines: Vec<u64> = saved
            .queue
            .iter()
            .map(|m| match m {
                Message::Request { deadline, .. } => *deadline,
                Message::Response { .. } => panic!("a request was saved"),
            })
            .collect();
        assert_eq!(deadlines, [1_800_000_000_000_000_000, 0]);
    }
}
