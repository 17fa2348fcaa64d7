use super::*;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path());
    (dir, store)
}

#[test]
fn new_keys_load_back_with_a_self_authenticating_principal() {
    let (_dir, s) = store();
    for (name, key) in [("k", KeyType::Secp256k1), ("e", KeyType::Ed25519)] {
        let path = s.create(name, key, false).unwrap();
        let a = s.load(name).unwrap().sender().unwrap();
        assert_eq!(a, s.load(name).unwrap().sender().unwrap());
        // Self-authenticating principals end in 0x02 and are 29 bytes.
        assert_eq!(a.as_slice().len(), 29);
        assert_eq!(a.as_slice()[28], 0x02);
        let text = std::fs::read_to_string(&path).unwrap();
        let label = if key == KeyType::Secp256k1 { "EC PRIVATE KEY" } else { "PRIVATE KEY" };
        assert!(text.starts_with(&format!("-----BEGIN {label}-----")), "{text}");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    assert_ne!(s.load("k").unwrap().sender().unwrap(), s.load("e").unwrap().sender().unwrap());
}

#[test]
fn default_is_created_on_first_use_and_anonymous_is_built_in() {
    let (_dir, s) = store();
    assert_eq!(s.default_name().unwrap(), DEFAULT);
    let p = s.load(DEFAULT).unwrap().sender().unwrap();
    assert_eq!(s.load(DEFAULT).unwrap().sender().unwrap(), p);
    assert_eq!(s.load(ANONYMOUS).unwrap().sender().unwrap().to_text(), "2vxsx-fae");
    assert_eq!(s.list().unwrap(), ["anonymous", "default"]);
}

#[test]
fn use_list_remove_and_their_errors() {
    let (_dir, s) = store();
    s.create("alice", KeyType::Ed25519, false).unwrap();
    assert!(s.create("alice", KeyType::Ed25519, false).unwrap_err().to_string().contains("--force"));
    s.create("alice", KeyType::Secp256k1, true).unwrap();
    s.set_default("alice").unwrap();
    assert_eq!(s.default_name().unwrap(), "alice");
    assert!(s.remove("alice").unwrap_err().to_string().contains("in use"));
    assert!(s.set_default("bob").unwrap_err().to_string().contains("kybra identity new bob"));
    assert!(s.load("bob").err().unwrap().to_string().contains("no identity named bob"));
    assert!(s.create("../evil", KeyType::Ed25519, false).unwrap_err().to_string().contains("not a valid identity name"));
    assert!(s.remove(ANONYMOUS).is_err());
    s.set_default(ANONYMOUS).unwrap();
    s.remove("alice").unwrap();
    assert_eq!(s.list().unwrap(), ["anonymous"]);
}

#[test]
fn import_takes_dfx_pem_files_and_refuses_garbage() {
    let (dir, s) = store();
    let src = s.create("orig", KeyType::Secp256k1, false).unwrap();
    s.import("copy", &src, false).unwrap();
    assert_eq!(s.load("copy").unwrap().sender().unwrap(), s.load("orig").unwrap().sender().unwrap());
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a key").unwrap();
    assert!(s.import("junk", &junk, false).unwrap_err().to_string().contains("not a key kybra can use"));
    assert!(!s.list().unwrap().contains(&"junk".to_string()));
}
