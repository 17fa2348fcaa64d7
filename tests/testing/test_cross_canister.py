"""Several canisters in one replica calling each other: the Rust test canister
`tests/canisters/rust_caller`, with its
interface given as Candid text."""

from pathlib import Path

from kybra.testing import Replica

CALLER_DID = """
type Outcome = record { reply : opt blob; reject_code : nat32; reject_message : text; refunded : nat };
service : {
  ping : (nat64) -> (nat64);
  double : (nat64) -> (nat64) query;
  call_ping : (principal, nat64) -> (nat64);
  chain : (vec principal, nat64) -> (nat64);
  call_raw : (principal, text, blob, nat) -> (Outcome);
  composite_sum : (principal, nat64) -> (nat64) composite_query;
  state : () -> (text, text, nat64, nat64, nat64, nat64) query;
  start_timer : (nat64) -> ();
}
"""


def test_canisters_call_each_other(replica: Replica, rust_caller: Path) -> None:
    a = replica.deploy(rust_caller, candid=CALLER_DID)
    b = replica.deploy(rust_caller, candid=CALLER_DID)
    assert a.call_ping(b.id, 41) == 42
    assert b.state()[2] == 1  # b counted one ping
    assert a.chain([b.id, a.id, b.id], 0) == 103  # three hops, then +100
    assert a.composite_sum(b.id, 5) == 22  # double(5) + double(6)


def test_a_reject_travels_back_as_a_value(replica: Replica, rust_caller: Path) -> None:
    a = replica.deploy(rust_caller, candid=CALLER_DID)
    b = replica.deploy(rust_caller, candid=CALLER_DID)
    out = a.call_raw(b.id, "no_such_method", b"DIDL\x00\x00", 0)
    assert out["reply"] is None
    assert out["reject_code"] == 5
    assert "no_such_method" in out["reject_message"]


def test_a_timer_of_a_rust_canister(replica: Replica, rust_caller: Path) -> None:
    a = replica.deploy(rust_caller, candid=CALLER_DID)
    a.start_timer(60)
    replica.advance_time(59)
    replica.tick()
    assert a.state()[4] == 0
    replica.advance_time(1)
    replica.tick()
    assert a.state()[4] == 1
