//! The replica's state tree, as far as `read_state` and call certificates reveal it:
//! `/time`, `/subnet/<sid>/{public_key,canister_ranges,node/<nid>/public_key}`,
//! `/canister_ranges/<sid>/<shard>`, `/request_status/<rid>/{status,reply,reject_code,
//! reject_message,error_code}` and `/canister/<cid>/{module_hash,controllers,metadata/<name>}`.
//! Requests are checked against the specification's rules on which paths a sender may read
//! at which endpoint. A certificate contains exactly the requested paths that exist, plus `/time`;
//! everything else is left out (so lookups outside the requested paths report absence).

use crate::error::ApiError;
use crate::ingress::{IngressStore, Status};
use crate::keys::ReplicaKeys;
use crate::request_id::{leb128_u64, RequestId};
use crate::tree::LabeledTree;
use candid::Principal;
use kybra_replica::Replica;

/// Where a read_state request was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Canister(Principal),
    Subnet(Principal),
}

fn show(path: &[Vec<u8>]) -> String {
    let mut s = String::new();
    for l in path {
        s.push('/');
        match std::str::from_utf8(l) {
            Ok(t) if !t.is_empty() && t.chars().all(|c| c.is_ascii_graphic()) => s.push_str(t),
            _ => s.push_str(&hex::encode(l)),
        }
    }
    if s.is_empty() {
        s.push('/');
    }
    s
}

const READABLE: &str = "readable paths are /time, /subnet/..., /canister_ranges/..., \
/request_status/<request_id>/{status,reply,reject_code,reject_message,error_code} and \
/canister/<canister_id>/{module_hash,controllers,metadata/<name>}";

/// What a read_state request needs from the replica, after its paths were checked.
#[derive(Debug, Default)]
pub struct Needs {
    request_id: Option<RequestId>,
    canisters: Vec<(Principal, Option<String>)>,
}

/// Checks the requested paths against the read rules for `sender` at `endpoint`.
pub fn check_paths(
    paths: &[Vec<Vec<u8>>],
    endpoint: Endpoint,
    sender: Principal,
    ingress: &IngressStore,
) -> Result<Needs, ApiError> {
    let mut needs = Needs::default();
    for path in paths {
        let Some(first) = path.first() else {
            return Err(ApiError::not_found(format!(
                "the empty path would reveal the whole state tree; {READABLE}"
            )));
        };
        match first.as_slice() {
            b"time" if path.len() == 1 => {}
            b"subnet" | b"canister_ranges" | b"api_boundary_nodes" => {}
            b"request_status" => {
                let Some(rid) = path.get(1) else {
                    return Err(ApiError::not_found(format!(
                        "{} needs a request id: /request_status/<request_id>",
                        show(path)
                    )));
                };
                let rid: [u8; 32] = rid.as_slice().try_into().map_err(|_| {
                    ApiError::bad_request(format!(
                        "{}: a request id is 32 bytes, this one is {}",
                        show(path),
                        rid.len()
                    ))
                })?;
                let rid = RequestId(rid);
                if needs.request_id.is_some_and(|known| known != rid) {
                    return Err(ApiError::bad_request(
                        "all /request_status paths of one read_state request must name the same request id",
                    ));
                }
                if path.len() > 3
                    || path.get(2).is_some_and(|l| {
                        ![
                            &b"status"[..],
                            b"reply",
                            b"reject_code",
                            b"reject_message",
                            b"error_code",
                        ]
                        .contains(&l.as_slice())
                    })
                {
                    return Err(ApiError::not_found(format!(
                        "{} is not a request status path; {READABLE}",
                        show(path)
                    )));
                }
                if let Some(record) = ingress.get(&rid) {
                    if record.sender != sender {
                        return Err(ApiError::forbidden(format!(
                            "request {rid} was sent by {}, not by {sender}; only its sender may read its status",
                            record.sender
                        )));
                    }
                    if let Endpoint::Canister(effective) = endpoint {
                        if record.effective != effective {
                            return Err(ApiError::forbidden(format!(
                                "request {rid} was sent to effective canister {}, not {effective}; \
                                 read its status at /api/v2/canister/{}/read_state",
                                record.effective, record.effective
                            )));
                        }
                    }
                }
                needs.request_id = Some(rid);
            }
            b"canister" => {
                let Endpoint::Canister(effective) = endpoint else {
                    return Err(ApiError::not_found(format!(
                        "{} can only be read at /api/v2/canister/<canister_id>/read_state",
                        show(path)
                    )));
                };
                let (Some(cid), Some(what)) = (path.get(1), path.get(2)) else {
                    return Err(ApiError::not_found(format!(
                        "{} is incomplete: read /canister/<id>/module_hash, /controllers or /metadata/<name>",
                        show(path)
                    )));
                };
                let cid = Principal::try_from_slice(cid).map_err(|e| {
                    ApiError::bad_request(format!("{}: invalid canister id: {e}", show(path)))
                })?;
                if cid != effective {
                    return Err(ApiError::bad_request(format!(
                        "{}: the canister {cid} is not the effective canister id of the URL ({effective})",
                        show(path)
                    )));
                }
                match (what.as_slice(), path.len()) {
                    (b"module_hash" | b"controllers", 3) => needs.canisters.push((cid, None)),
                    (b"metadata", 4) => {
                        let name = String::from_utf8(path[3].clone()).map_err(|_| {
                            ApiError::bad_request(format!(
                                "{}: metadata names are UTF-8",
                                show(path)
                            ))
                        })?;
                        needs.canisters.push((cid, Some(name)));
                    }
                    _ => {
                        return Err(ApiError::not_found(format!(
                            "{} is not a canister path; {READABLE}",
                            show(path)
                        )))
                    }
                }
            }
            _ => {
                return Err(ApiError::not_found(format!(
                    "{} is not part of the state tree; {READABLE}",
                    show(path)
                )))
            }
        }
    }
    Ok(needs)
}

/// The subtree of one request's status.
pub fn request_status_tree(status: &Status) -> LabeledTree {
    let mut t = LabeledTree::new();
    let text = |s: &str| LabeledTree::Leaf(s.as_bytes().to_vec());
    match status {
        Status::Received => t.insert(&[b"status"], text("received")),
        Status::Processing => t.insert(&[b"status"], text("processing")),
        Status::Done => t.insert(&[b"status"], text("done")),
        Status::Replied(reply) => {
            t.insert(&[b"status"], text("replied"));
            t.insert(&[b"reply"], LabeledTree::Leaf(reply.clone()));
        }
        Status::Rejected {
            code,
            message,
            error_code,
        } => {
            t.insert(&[b"status"], text("rejected"));
            t.insert(&[b"reject_code"], LabeledTree::Leaf(leb128_u64(*code)));
            t.insert(&[b"reject_message"], text(message));
            if let Some(ec) = error_code {
                t.insert(&[b"error_code"], text(ec));
            }
        }
    }
    t
}

/// The parts of the state tree that are always readable: `/time`, `/subnet`, `/canister_ranges`.
fn base_tree(replica: &Replica, keys: &ReplicaKeys, now: u64) -> LabeledTree {
    let mut t = LabeledTree::new();
    t.insert(&[b"time"], LabeledTree::Leaf(leb128_u64(now)));
    let sid = keys.subnet_id();
    let sid = sid.as_slice();
    let ranges = replica.root_subnet_canister_ranges();
    let ranges_cbor = crate::cbor::encode_tagged(&ranges);
    t.insert(
        &[b"subnet", sid, b"public_key"],
        LabeledTree::Leaf(keys.root_key_der().to_vec()),
    );
    t.insert(
        &[b"subnet", sid, b"canister_ranges"],
        LabeledTree::Leaf(ranges_cbor.clone()),
    );
    t.insert(
        &[
            b"subnet",
            sid,
            b"node",
            keys.node_id().as_slice(),
            b"public_key",
        ],
        LabeledTree::Leaf(keys.node_key_der().to_vec()),
    );
    if let Some((low, _)) = ranges.first() {
        t.insert(
            &[b"canister_ranges", sid, low.as_slice()],
            LabeledTree::Leaf(ranges_cbor),
        );
    }
    t
}

/// Private metadata (`icp:private NAME`) may only be read by the canister's controllers.
pub fn check_private_metadata(
    replica: &Replica,
    needs: &Needs,
    sender: Principal,
) -> Result<(), ApiError> {
    for (cid, name) in &needs.canisters {
        let Some(name) = name else { continue };
        if replica.metadata_is_public(*cid, name) == Some(false)
            && !replica
                .controllers(*cid)
                .unwrap_or_default()
                .contains(&sender)
        {
            return Err(ApiError::forbidden(format!(
                "the metadata section `{name}` of canister {cid} is private (icp:private); only its controllers may read it, \
                 and {sender} is not one"
            )));
        }
    }
    Ok(())
}

/// The tree a read_state certificate reveals: the requested paths that exist, plus `/time`.
pub fn read_state_tree(
    replica: &Replica,
    keys: &ReplicaKeys,
    ingress: &IngressStore,
    paths: &[Vec<Vec<u8>>],
    needs: &Needs,
) -> LabeledTree {
    let now = replica.time_nanos();
    let mut full = base_tree(replica, keys, now);
    if let Some(rid) = needs.request_id {
        if let Some(record) = ingress.get(&rid) {
            full.insert(
                &[b"request_status", rid.as_bytes()],
                request_status_tree(&record.status),
            );
        }
    }
    for (cid, metadata) in &needs.canisters {
        let c = cid.as_slice();
        match metadata {
            None => {
                if let Some(hash) = replica.module_hash(*cid) {
                    full.insert(
                        &[b"canister", c, b"module_hash"],
                        LabeledTree::Leaf(hash.to_vec()),
                    );
                }
                if let Some(controllers) = replica.controllers(*cid) {
                    full.insert(
                        &[b"canister", c, b"controllers"],
                        LabeledTree::Leaf(crate::cbor::encode_tagged(&controllers)),
                    );
                }
            }
            Some(name) => {
                if let Some(section) = replica.metadata(*cid, name) {
                    full.insert(
                        &[b"canister", c, b"metadata", name.as_bytes()],
                        LabeledTree::Leaf(section),
                    );
                }
            }
        }
    }
    let mut out = LabeledTree::new();
    out.insert(&[b"time"], LabeledTree::Leaf(leb128_u64(now)));
    for path in paths {
        if let Some(node) = full.get(path) {
            let labels: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
            out.insert(&labels, node.clone());
        }
    }
    out
}

/// The tree of a query's data certificate: `/canister/<cid>/certified_data` and `/time`.
pub fn data_certificate_tree(now: u64, canister: Principal, certified_data: &[u8]) -> LabeledTree {
    let mut t = LabeledTree::new();
    t.insert(&[b"time"], LabeledTree::Leaf(leb128_u64(now)));
    t.insert(
        &[b"canister", canister.as_slice(), b"certified_data"],
        LabeledTree::Leaf(certified_data.to_vec()),
    );
    t
}

/// The tree of a synchronous call's certificate: `/request_status/<rid>` and `/time`.
pub fn call_tree(now: u64, rid: &RequestId, status: &Status) -> LabeledTree {
    let mut t = LabeledTree::new();
    t.insert(&[b"time"], LabeledTree::Leaf(leb128_u64(now)));
    t.insert(
        &[b"request_status", rid.as_bytes()],
        request_status_tree(status),
    );
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_rules() {
        let store = IngressStore::default();
        let me = Principal::anonymous();
        let c = Principal::from_slice(&[1]);
        let ep = Endpoint::Canister(c);
        let p = |labels: &[&[u8]]| vec![labels.iter().map(|l| l.to_vec()).collect::<Vec<_>>()];
        assert!(check_paths(&p(&[b"time"]), ep, me, &store).is_ok());
        assert!(check_paths(&p(&[b"subnet"]), ep, me, &store).is_ok());
        assert_eq!(
            check_paths(&p(&[b"nope"]), ep, me, &store)
                .unwrap_err()
                .status,
            404
        );
        assert_eq!(
            check_paths(&p(&[]), ep, me, &store).unwrap_err().status,
            404
        );
        assert!(check_paths(&p(&[b"canister", &[1], b"module_hash"]), ep, me, &store).is_ok());
        assert_eq!(
            check_paths(&p(&[b"canister", &[2], b"module_hash"]), ep, me, &store)
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            check_paths(&p(&[b"canister", &[1], b"certified_data"]), ep, me, &store)
                .unwrap_err()
                .status,
            404
        );
        assert_eq!(
            check_paths(
                &p(&[b"canister", &[1], b"module_hash"]),
                Endpoint::Subnet(c),
                me,
                &store
            )
            .unwrap_err()
            .status,
            404
        );
        let rid = RequestId([3; 32]);
        let other = Principal::from_slice(&[7; 29]);
        let _ = store.submit(rid, other, c, 0);
        let err = check_paths(&p(&[b"request_status", &[3; 32]]), ep, me, &store).unwrap_err();
        assert_eq!(err.status, 403, "{}", err.message);
        assert!(check_paths(
            &p(&[b"request_status", &[3; 32], b"status"]),
            ep,
            other,
            &store
        )
        .is_ok());
        assert_eq!(
            check_paths(&p(&[b"request_status", &[3; 31]]), ep, other, &store)
                .unwrap_err()
                .status,
            400
        );
    }
}
