//! The edges of the property suite: numbers beyond 2^128, a 100,000-item vec, the largest
//! blob an ingress message can carry (2 MiB: the IC caps arguments and replies, so a 10 MB
//! blob is tested inside the canister), and deep nesting (opt and vec 50 deep, a recursive
//! list up to 200,000 deep, encoded by hand past the reference encoder's 65,535 levels). Deep values are built, encoded and dropped on a thread with a
//! large stack: the reference `candid` crate recurses once per level on the host too.
use super::*;

/// Runs `f` on a thread with a 1 GiB stack.
fn big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn_scoped(s, f)
            .unwrap()
            .join()
            .unwrap()
    })
}

fn nested(depth: usize, leaf: IDLValue, wrap: impl Fn(IDLValue) -> IDLValue) -> IDLValue {
    (0..depth).fold(leaf, |v, _| wrap(v))
}

fn nested_type(depth: usize, leaf: Type, wrap: impl Fn(Box<Type>) -> Type) -> Type {
    (0..depth).fold(leaf, |t, _| wrap(Box::new(t)))
}

const PING: &str = "def ping():\n    return 'pong'\n";

fn ping(c: &Canister) -> Result<(), String> {
    let out = c
        .update("ping", &Encode!().unwrap())
        .map_err(|r| format!("ping after it was rejected: {r}"))?;
    (Decode!(&out, String).ok().as_deref() == Some("pong"))
        .then_some(())
        .ok_or_else(|| "ping replied something else".into())
}

#[test]
fn large_values() {
    let Some(h) = Harness::new() else { return };
    let types = [
        Type::Nat,
        Type::Int,
        Type::Vec(Box::new(Type::Nat64)),
        Type::Blob,
        Type::Vec(Box::new(Type::Text)),
    ];
    let mut source = PING.to_string();
    let mut methods = vec![method("ping", MethodKind::Update, &[], Some(Type::Text))];
    for (i, ty) in types.iter().enumerate() {
        source.push_str(&format!("def echo_{i}(x):\n    return x\n"));
        methods.push(echo(
            format!("q{i}"),
            &format!("echo_{i}"),
            MethodKind::Query,
            ty,
        ));
        methods.push(echo(
            format!("u{i}"),
            &format!("echo_{i}"),
            MethodKind::Update,
            ty,
        ));
    }
    // A 10 MB blob through Python data structures, inside one message.
    source.push_str(
        "def blob_inside(n):\n    b = bytes(n)\n    box = {'data': [b]}\n    c = bytearray(box['data'][0])\n    c[-1] = 1\n    \
         return len(bytes(c)) + c[-1]\n\
         def blob_of(n):\n    return bytes(n)\n",
    );
    methods.push(method(
        "blob_inside",
        MethodKind::Query,
        &[Type::Nat64],
        Some(Type::Nat64),
    ));
    methods.push(method(
        "blob_of",
        MethodKind::Query,
        &[Type::Nat64],
        Some(Type::Blob),
    ));
    let c = h.deploy(&source, methods, vec![]);
    let env = TypeEnv::new();
    let mut failures = Vec::new();
    let mut check = |what: &str, i: usize, v: IDLValue| {
        let ty = types[i].to_candid();
        for m in [format!("q{i}"), format!("u{i}")] {
            match round_trip(&c, &m, &env, &ty, &v) {
                Ok(()) => println!(
                    "large_values: {what} via {m}: ok, {} instructions",
                    c.last_instructions()
                ),
                Err(e) => failures.push(format!("{m}: {what}: {e}")),
            }
        }
    };
    for bits in [128, 1000, 10_000] {
        check(&format!("nat 2^{bits}"), 0, IDLValue::Nat(gen::pow2(bits)));
        let minus: candid::Int = format!("-{}", gen::pow2(bits).0).parse().unwrap();
        check(&format!("int -2^{bits}"), 1, IDLValue::Int(minus));
    }
    check(
        "vec nat64 of 100,000",
        2,
        IDLValue::Vec((0..100_000u64).map(|i| IDLValue::Nat64(i * 7919)).collect()),
    );
    check(
        "vec text of 100,000",
        4,
        IDLValue::Vec(
            (0..100_000)
                .map(|i| IDLValue::Text(format!("item {i}")))
                .collect(),
        ),
    );

    // The largest blob whose argument fits the 2 MiB ingress limit; one byte more is
    // refused by the replica before the canister runs.
    let blob_ty = Type::Blob.to_candid();
    let fits = |n: usize| {
        gen::encode(&env, &blob_ty, &IDLValue::Blob(vec![0; n])).len() <= MAX_MESSAGE_BYTES
    };
    let largest = (MAX_MESSAGE_BYTES - 64..MAX_MESSAGE_BYTES)
        .rev()
        .find(|&n| fits(n))
        .unwrap();
    let mut rng = Rng::new(1);
    check(
        &format!("blob of {largest} bytes (the largest argument)"),
        3,
        IDLValue::Blob(rng.bytes(largest)),
    );
    match c.update(
        "u3",
        &gen::encode(&env, &blob_ty, &IDLValue::Blob(vec![0; largest + 1])),
    ) {
        Ok(_) => failures.push(format!(
            "a blob of {} bytes (argument over 2 MiB) was accepted",
            largest + 1
        )),
        Err(r) => println!(
            "large_values: blob of {} bytes: refused as expected: {r}",
            largest + 1
        ),
    }

    match c
        .query("blob_inside", &Encode!(&10_000_000u64).unwrap())
        .map(|out| Decode!(&out, u64))
    {
        Ok(Ok(10_000_001)) => println!(
            "large_values: 10 MB blob inside the canister: ok, {} instructions",
            c.last_instructions()
        ),
        other => failures.push(format!(
            "blob_inside(10_000_000): expected 10000001, got {other:?}"
        )),
    }
    match c.query("blob_of", &Encode!(&10_000_000u64).unwrap()) {
        Ok(_) => failures.push(
            "blob_of(10_000_000): a 10 MB reply was accepted (the IC caps replies at 2 MiB)".into(),
        ),
        Err(r) => println!("large_values: returning a 10 MB blob: {r}"),
    }
    if let Err(e) = ping(&c) {
        failures.push(e);
    }
    report("large_values", &failures);
}

/// What a deep value did: replied equal (with its instructions), or was rejected (with
/// the reject's message); an error for anything else.
fn deep_call(
    c: &Canister,
    m: &str,
    env: &TypeEnv,
    ty: &CType,
    v: &IDLValue,
) -> Result<String, String> {
    match round_trip(c, m, env, ty, v) {
        Ok(()) => Ok(format!("ok, {} instructions", c.last_instructions())),
        Err(e) if e.starts_with("rejected: ") && e.len() > 20 => Ok(e),
        Err(e) => Err(e),
    }
}

/// A recursive `List` (`opt record { head: nat64; tail: List }`) `depth` nodes deep,
/// encoded by hand: the reference encoder stops at 65,535 levels (a `u16` depth counter).
fn list_bytes(depth: usize) -> Vec<u8> {
    let (head, tail) = (candid::idl_hash("head"), candid::idl_hash("tail"));
    let mut fields = [(head, 0x78u8), (tail, 0x00)]; // nat64, type 0
    fields.sort();
    let mut out = b"DIDL\x02\x6e\x01\x6c\x02".to_vec();
    for (hash, ty) in fields {
        let mut h = hash as u64;
        loop {
            let byte = (h & 0x7f) as u8;
            h >>= 7;
            out.push(if h == 0 { byte } else { byte | 0x80 });
            if h == 0 {
                break;
            }
        }
        out.push(ty);
    }
    out.extend_from_slice(&[0x01, 0x00]); // one argument of type 0
    let node = (depth as u64).to_le_bytes();
    if head < tail {
        (0..depth).for_each(|_| {
            out.push(1);
            out.extend_from_slice(&node);
        });
        out.push(0);
    } else {
        out.extend(std::iter::repeat_n(1u8, depth));
        out.push(0);
        (0..depth).for_each(|_| out.extend_from_slice(&node));
    }
    out
}

/// Sends a `depth`-deep list to `u2`: equal reply or a reject, else an error.
fn deep_list(c: &Canister, env: &TypeEnv, ty: &CType, depth: usize) -> Result<String, String> {
    let input = list_bytes(depth);
    match c.update("u2", &input) {
        Err(r) => Ok(format!(
            "rejected: {r} ({} instructions)",
            c.last_instructions()
        )),
        Ok(reply) if depth < 60_000 => {
            let back = gen::decode(env, ty, &reply)
                .map_err(|e| format!("the reply does not decode: {e}"))?;
            gen::same(&list(depth), &back).map_err(|e| format!("the reply differs: {e}"))?;
            Ok(format!("ok, {} instructions", c.last_instructions()))
        }
        Ok(reply) if reply == input => Ok(format!("ok, {} instructions", c.last_instructions())),
        Ok(_) => Err("replied with other bytes than it was sent".into()),
    }
}

/// A recursive `List` value `depth` nodes deep.
fn list(depth: usize) -> IDLValue {
    nested(depth, IDLValue::None, |tail| {
        let mut fields = vec![
            IDLField {
                id: Label::Named("head".into()),
                val: IDLValue::Nat64(depth as u64),
            },
            IDLField {
                id: Label::Named("tail".into()),
                val: tail,
            },
        ];
        fields.sort_by_key(|f| f.id.get_id());
        IDLValue::Opt(Box::new(IDLValue::Record(fields)))
    })
}

#[test]
fn deep_nesting() {
    let Some(h) = Harness::new() else { return };
    // Everything on one big-stack thread: candid's types are `Rc`s, not `Send`.
    big_stack(|| deep_nesting_on(&h));
}

fn deep_nesting_on(h: &Harness) {
    let list_ty = Type::Named("List".into());
    let node = Type::Record(vec![
        Field::new("head", Type::Nat64),
        Field::new("tail", list_ty.clone()),
    ]);
    let defs = vec![TypeDef {
        name: "List".into(),
        ty: Type::Opt(Box::new(node)),
        class: None,
    }];
    let types = [
        nested_type(50, Type::Nat, Type::Opt),
        nested_type(50, Type::Nat, Type::Vec),
        list_ty,
    ];
    let mut source = PING.to_string();
    let mut methods = vec![method("ping", MethodKind::Update, &[], Some(Type::Text))];
    for (i, ty) in types.iter().enumerate() {
        source.push_str(&format!("def echo_{i}(x):\n    return x\n"));
        methods.push(echo(
            format!("q{i}"),
            &format!("echo_{i}"),
            MethodKind::Query,
            ty,
        ));
        methods.push(echo(
            format!("u{i}"),
            &format!("echo_{i}"),
            MethodKind::Update,
            ty,
        ));
    }
    let c = h.deploy(&source, methods, defs.clone());
    let mut env = TypeEnv::new();
    env.0.insert("List".into(), defs[0].ty.to_candid());
    let seven = || IDLValue::Nat(7u8.into());
    let cases = vec![
        (
            "opt nested 50 deep".to_string(),
            0,
            nested(50, seven(), |v| IDLValue::Opt(Box::new(v))),
        ),
        (
            "vec nested 50 deep".to_string(),
            1,
            nested(50, seven(), |v| IDLValue::Vec(vec![v])),
        ),
    ];
    let mut failures = Vec::new();
    let mut outcome = |what: String, result: Result<String, String>| {
        match result {
            Ok(outcome) => println!("deep_nesting: {what}: {outcome}"),
            Err(e) => failures.push(format!("{what}: {e}")),
        }
        if let Err(e) = ping(&c) {
            failures.push(format!("{what}: the canister no longer answers: {e}"));
        }
    };
    for (what, i, v) in cases {
        outcome(
            what,
            deep_call(&c, &format!("u{i}"), &env, &types[i].to_candid(), &v),
        );
    }
    for depth in [1_000usize, 3_000, 10_000, 100_000, 200_000] {
        outcome(
            format!("recursive list {depth} deep"),
            deep_list(&c, &env, &types[2].to_candid(), depth),
        );
    }
    report("deep_nesting", &failures);
}
