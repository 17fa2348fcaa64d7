//! A bounded fuzz run of the runtime's argument decoder on the real replica: valid
//! encodings of random values of random types, mutated (bit flips, interesting bytes,
//! truncation, trailing bytes, spliced type tables, huge LEB128 lengths, inserted and
//! deleted ranges), sent to update methods that bump a counter and echo their argument.
//!
//! Asserts, for every input: the replica does not panic; the answer is a reply or a
//! reject with a message; after a reject the counter is unchanged, after a reply it went
//! up by one and the reply is valid Candid of the declared type; the runtime accepts
//! nothing the reference decoder (`candid::IDLArgs::from_bytes_with_types`) rejects (it
//! may reject more: it checks whole wire types, the reference only the parts a value
//! uses; such inputs are printed); and the canister still answers (a query after every input, an update every 50).
//! `KYBRA_FUZZ_INPUTS=N` runs more inputs, `KYBRA_TEST_SEED=N` another sequence.
mod common;
mod gen;
#[path = "fuzz_decoder/mutate.rs"]
mod mutate;

use std::panic::{catch_unwind, AssertUnwindSafe};

use candid::types::TypeEnv;
use candid::{Decode, Encode};
use common::{Canister, Harness};
use gen::{Kinds, Rng, TypeGen};
use kybra_interface::{Field, Method, MethodKind, Param, Type, TypeDef};
use kybra_replica::RejectCode;

const SOURCE: &str = "from kybra import Principal  # noqa: F401\ncount = 0\n\
def bump(x):\n    global count\n    count += 1\n    return x\n\
def get_count():\n    return count\n";

fn fuzz_method(i: usize, ty: &Type) -> Method {
    Method {
        name: format!("f{i}"),
        module: "main".into(),
        function: "bump".into(),
        kind: MethodKind::Update,
        params: vec![Param {
            name: "x".into(),
            ty: ty.clone(),
        }],
        returns: vec![ty.clone()],
        guard: None,
        manual_reply: false,
    }
}

/// True when a `vec` of this type could hold millions of elements in a few bytes
/// (`vec null`, `vec record {}`): a length of 2^32 is then a memory bomb, tested once on
/// its own (`zero_sized_elements_are_bounded`) rather than hit at random.
fn zero_sized(ty: &Type) -> bool {
    match ty {
        Type::Null | Type::Reserved => true,
        Type::Record(fs) => fs.iter().all(|f| zero_sized(&f.ty)),
        Type::Tuple(ts) => ts.iter().all(zero_sized),
        _ => false,
    }
}

fn has_zero_sized_vec(ty: &Type, defs: &[TypeDef], depth: u32) -> bool {
    if depth > 8 {
        return false;
    }
    let any = |mut ts: Box<dyn Iterator<Item = &Type> + '_>| {
        ts.any(|t| has_zero_sized_vec(t, defs, depth + 1))
    };
    match ty {
        Type::Vec(t) => zero_sized(t) || has_zero_sized_vec(t, defs, depth + 1),
        Type::Opt(t) => has_zero_sized_vec(t, defs, depth + 1),
        Type::Record(fs) | Type::Variant(fs) => any(Box::new(fs.iter().map(|f| &f.ty))),
        Type::Tuple(ts) => any(Box::new(ts.iter())),
        Type::Named(n) => defs
            .iter()
            .find(|d| &d.name == n)
            .is_some_and(|d| has_zero_sized_vec(&d.ty, defs, depth + 1)),
        _ => false,
    }
}

/// The fuzzed types: fixed ones covering every decoder path, then random ones.
fn fuzz_types(rng: &mut Rng) -> (Vec<Type>, TypeGen) {
    let b = Box::new;
    let mut g = TypeGen::new(Kinds {
        references: false,
        python_keys: false,
    });
    let mut types = vec![
        Type::Text,
        Type::Nat,
        Type::Int,
        Type::Blob,
        Type::Float64,
        Type::Principal,
        Type::Vec(b(Type::Nat64)),
        Type::Opt(b(Type::Vec(b(Type::Opt(b(Type::Text)))))),
        Type::Record(vec![
            Field::new("id", Type::Nat64),
            Field::new("name", Type::Text),
            Field::new("tags", Type::Vec(b(Type::Text))),
            Field::new("score", Type::Float64),
        ]),
        Type::Variant(vec![
            Field::new("a", Type::Null),
            Field::new("b", Type::Text),
            Field::new("c", Type::Nat),
        ]),
        Type::Tuple(vec![Type::Nat8, Type::Int16, Type::Bool]),
    ];
    while types.len() < 24 {
        let t = g.gen(rng, 4);
        if !has_zero_sized_vec(&t, &g.defs, 0) {
            types.push(t);
        }
    }
    (types, g)
}

fn count(c: &Canister) -> Result<u64, String> {
    let out = c
        .query("count", &Encode!().unwrap())
        .map_err(|r| format!("the canister no longer answers a query: {r}"))?;
    Decode!(&out, u64).map_err(|e| e.to_string())
}

fn deploy(h: &Harness, types: &[Type], defs: Vec<TypeDef>) -> Canister {
    let mut methods: Vec<Method> = types
        .iter()
        .enumerate()
        .map(|(i, t)| fuzz_method(i, t))
        .collect();
    methods.push(Method {
        name: "count".into(),
        module: "main".into(),
        function: "get_count".into(),
        kind: MethodKind::Query,
        params: vec![],
        returns: vec![Type::Nat64],
        guard: None,
        manual_reply: false,
    });
    h.deploy(SOURCE, methods, defs)
}

/// Tallies of the answers.
#[derive(Default, Debug)]
struct Tally {
    replies: usize,
    rejects: usize,
    traps: usize,
}

#[test]
fn mutated_arguments_never_break_the_canister() {
    let Some(h) = Harness::new() else { return };
    let started = std::time::Instant::now();
    let mut rng = Rng::new(gen::seed("fuzz_decoder", 0xf022));
    let inputs: usize = std::env::var("KYBRA_FUZZ_INPUTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000);
    let (types, g) = fuzz_types(&mut rng);
    let env: TypeEnv = g.env();
    let c = deploy(&h, &types, g.defs.clone());
    let ctypes: Vec<_> = types.iter().map(Type::to_candid).collect();
    let mut expected = 0u64;
    let mut tally = Tally::default();
    let mut failures: Vec<String> = Vec::new();
    let mut trap_samples: Vec<String> = Vec::new();
    let mut stricter: Vec<String> = Vec::new();
    for n in 0..inputs {
        let i = rng.below(types.len());
        let valid = gen::encode(&env, &ctypes[i], &gen::value(&mut rng, &env, &ctypes[i], 0));
        let j = rng.below(types.len());
        let other = gen::encode(&env, &ctypes[j], &gen::value(&mut rng, &env, &ctypes[j], 0));
        let (input, how) = mutate::mutate(&mut rng, &valid, &other);
        let reference = gen::decode(&env, &ctypes[i], &input);
        let repro = || {
            format!(
                "input #{n} to f{i} : {} ({how}): {}",
                ctypes[i],
                mutate::hex(&input)
            )
        };
        let answer = match catch_unwind(AssertUnwindSafe(|| c.update(&format!("f{i}"), &input))) {
            Ok(a) => a,
            Err(_) => {
                failures.push(format!("the replica panicked on {}", repro()));
                break;
            }
        };
        match &answer {
            Ok(reply) => {
                tally.replies += 1;
                expected += 1;
                if let Err(e) = gen::decode(&env, &ctypes[i], reply) {
                    failures.push(format!(
                        "the reply is not a valid {}: {e}; {}",
                        ctypes[i],
                        repro()
                    ));
                }
                if let Err(e) = &reference {
                    failures.push(format!(
                        "accepted an argument the reference decoder rejects ({e}): {}",
                        repro()
                    ));
                }
            }
            Err(r) => {
                if r.code == RejectCode::CanisterReject {
                    tally.rejects += 1;
                } else {
                    tally.traps += 1;
                    if trap_samples.len() < 5 {
                        trap_samples.push(format!("{r} — {}", repro()));
                    }
                }
                if r.message.trim().is_empty() {
                    failures.push(format!("a reject without a message: {}", repro()));
                }
                if reference.is_ok() && stricter.len() < 5 {
                    // The reference checks only the parts of the type a value uses; the
                    // runtime checks the whole wire type (as the Candid spec does), so it
                    // may refuse more. Reported, not failed.
                    stricter.push(format!("{r} — {}", repro()));
                }
            }
        }
        match count(&c) {
            Ok(got) if got == expected => {}
            Ok(got) => {
                failures.push(format!(
                    "the counter is {got}, expected {expected}, after {}",
                    repro()
                ));
                expected = got;
            }
            Err(e) => {
                failures.push(format!("{e}, after {}", repro()));
                break;
            }
        }
        if n % 50 == 49 {
            let v = gen::encode(
                &env,
                &ctypes[0],
                &candid::types::value::IDLValue::Text("still alive".into()),
            );
            match c.update("f0", &v) {
                Ok(_) => expected += 1,
                Err(r) => failures.push(format!("a valid update failed after input #{n}: {r}")),
            }
        }
    }
    println!(
        "fuzz_decoder: {inputs} inputs over {} types in {:.1} s: {tally:?}",
        types.len(),
        started.elapsed().as_secs_f64()
    );
    for t in &trap_samples {
        println!("fuzz_decoder: trap (not a clean reject): {t}");
    }
    for t in &stricter {
        println!("fuzz_decoder: rejected although the reference decoder accepts: {t}");
    }
    failures.truncate(30);
    assert!(
        failures.is_empty(),
        "fuzz_decoder: failures (first 30):\n{}",
        failures.join("\n")
    );
}

/// `vec null` of length 2^32 costs five bytes on the wire: the decoder must refuse it
/// (or stop at the instruction limit) without leaving the canister unusable.
#[test]
fn zero_sized_elements_are_bounded() {
    let Some(h) = Harness::new() else { return };
    let types = [
        Type::Vec(Box::new(Type::Null)),
        Type::Vec(Box::new(Type::Record(vec![]))),
    ];
    let c = deploy(&h, &types, vec![]);
    let mut failures = Vec::new();
    for (i, len) in [(0usize, 1u64 << 20), (0, 1 << 32), (1, 1 << 32)] {
        let env = TypeEnv::new();
        let mut input = gen::encode(
            &env,
            &types[i].to_candid(),
            &candid::types::value::IDLValue::Vec(vec![]),
        );
        input.pop(); // the length 0
        mutate::leb128(&mut input, len);
        let started = std::time::Instant::now();
        let answer = c.update(&format!("f{i}"), &input);
        let took = started.elapsed().as_secs_f64();
        let what = format!("{} of length {len}", types[i].to_candid());
        match &answer {
            Ok(_) => println!(
                "zero_sized: {what}: replied ({} instructions, {took:.1} s)",
                c.last_instructions()
            ),
            Err(r) => println!(
                "zero_sized: {what}: {r} ({} instructions, {took:.1} s)",
                c.last_instructions()
            ),
        }
        if let Err(e) = count(&c) {
            failures.push(format!("{what}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
