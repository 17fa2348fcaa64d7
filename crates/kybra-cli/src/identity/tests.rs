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
        let path = s.create(name, key, StorageMode::Plaintext, false).unwrap();
        let a = s.load(name).unwrap().sender().unwrap();
        assert_eq!(a, s.load(name).unwrap().sender().unwrap());
        // Self-authenticating principals end in 0x02 and are 29 bytes.
        assert_eq!(a.as_slice().len(), 29);
        assert_eq!(a.as_slice()[28], 0x02);
        let text = std::fs::read_to_string(&path).unwrap();
        let label = if key == KeyType::Secp256k1 {
            "EC PRIVATE KEY"
        } else {
            "PRIVATE KEY"
        };
        assert!(
            text.starts_with(&format!("-----BEGIN {label}-----")),
            "{text}"
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert_ne!(
        s.load("k").unwrap().sender().unwrap(),
        s.load("e").unwrap().sender().unwrap()
    );
}

#[test]
fn default_is_created_on_first_use_and_anonymous_is_built_in() {
    let (_dir, s) = store();
    assert_eq!(s.default_name().unwrap(), DEFAULT);
    let p = s.load(DEFAULT).unwrap().sender().unwrap();
    assert_eq!(s.load(DEFAULT).unwrap().sender().unwrap(), p);
    assert_eq!(
        s.load(ANONYMOUS).unwrap().sender().unwrap().to_text(),
        "2vxsx-fae"
    );
    assert_eq!(s.list().unwrap(), ["anonymous", "default"]);
}

#[test]
fn use_list_remove_and_their_errors() {
    let (_dir, s) = store();
    s.create("alice", KeyType::Ed25519, StorageMode::Plaintext, false)
        .unwrap();
    assert!(s
        .create("alice", KeyType::Ed25519, StorageMode::Plaintext, false)
        .unwrap_err()
        .to_string()
        .contains("--force"));
    s.create("alice", KeyType::Secp256k1, StorageMode::Plaintext, true)
        .unwrap();
    s.set_default("alice").unwrap();
    assert_eq!(s.default_name().unwrap(), "alice");
    assert!(s
        .remove("alice")
        .unwrap_err()
        .to_string()
        .contains("in use"));
    assert!(s
        .set_default("bob")
        .unwrap_err()
        .to_string()
        .contains("kybra identity new bob"));
    assert!(s
        .load("bob")
        .err()
        .unwrap()
        .to_string()
        .contains("no identity named bob"));
    assert!(s
        .create("../evil", KeyType::Ed25519, StorageMode::Plaintext, false)
        .unwrap_err()
        .to_string()
        .contains("not a valid identity name"));
    assert!(s.remove(ANONYMOUS).is_err());
    s.set_default(ANONYMOUS).unwrap();
    s.remove("alice").unwrap();
    assert_eq!(s.list().unwrap(), ["anonymous"]);
}

#[test]
fn import_takes_dfx_pem_files_and_refuses_garbage() {
    let (dir, s) = store();
    let src = s
        .create("orig", KeyType::Secp256k1, StorageMode::Plaintext, false)
        .unwrap();
    s.import("copy", &src, StorageMode::Plaintext, false)
        .unwrap();
    assert_eq!(
        s.load("copy").unwrap().sender().unwrap(),
        s.load("orig").unwrap().sender().unwrap()
    );
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a key").unwrap();
    assert!(s
        .import("junk", &junk, StorageMode::Plaintext, false)
        .unwrap_err()
        .to_string()
        .contains("not a key kybra can use"));
    assert!(!s.list().unwrap().contains(&"junk".to_string()));
}

// --- Password-protected identities (dfx's `--storage-mode password-protected`) ---------

const PASSWORD: &str = "correct horse battery staple";
const PROTECTED: StorageMode = StorageMode::PasswordProtected;

fn error_of(r: Result<Box<dyn Identity>>) -> String {
    format!("{:#}", r.err().expect("loading should have failed"))
}

#[test]
fn password_protected_identities_round_trip_and_keep_no_plain_key() {
    let (_dir, s) = store();
    let s = s.with_password(PASSWORD);
    for (name, key) in [("pk", KeyType::Secp256k1), ("pe", KeyType::Ed25519)] {
        let sealed = s.create(name, key, PROTECTED, false).unwrap();
        assert_eq!(sealed.file_name().unwrap(), "identity.pem.encrypted");
        let folder = sealed.parent().unwrap();
        assert!(!folder.join("identity.pem").exists());
        let bytes = std::fs::read(&sealed).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("PRIVATE KEY"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&sealed).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(folder.join("identity.json")).unwrap())
                .unwrap();
        let salt = config["encryption"]["pw_salt"].as_str().unwrap();
        assert!(
            salt.len() == 64 && salt.chars().all(|c| c.is_ascii_hexdigit()),
            "{config}"
        );
        assert_eq!(
            config["encryption"]["file_nonce"].as_array().unwrap().len(),
            12
        );
        let p = s.load(name).unwrap().sender().unwrap();
        assert_eq!(p.as_slice().len(), 29);
        assert_eq!(s.load(name).unwrap().sender().unwrap(), p);
    }
    // Same password, fresh salt and nonce: two identities never share a sealed form.
    let a = std::fs::read_to_string(s.dir("pk").join("identity.json")).unwrap();
    assert_ne!(
        a,
        std::fs::read_to_string(s.dir("pe").join("identity.json")).unwrap()
    );
    assert_eq!(s.list().unwrap(), ["anonymous", "pe", "pk"]);
    s.set_default("pk").unwrap();
    s.set_default(ANONYMOUS).unwrap();
    s.remove("pk").unwrap();
    assert_eq!(s.list().unwrap(), ["anonymous", "pe"]);
}

#[test]
fn a_wrong_password_is_a_clear_error() {
    let (dir, s) = store();
    s.with_password(PASSWORD)
        .create("locked", KeyType::Ed25519, PROTECTED, false)
        .unwrap();
    let wrong = Store::at(dir.path()).with_password("not the password");
    assert!(error_of(wrong.load("locked")).contains("wrong password for identity locked"));
}

#[test]
fn a_tampered_file_or_settings_are_clear_errors() {
    let (_dir, s) = store();
    let s = s.with_password(PASSWORD);
    s.create("t", KeyType::Secp256k1, PROTECTED, false).unwrap();
    let sealed = s.dir("t").join("identity.pem.encrypted");
    let mut bytes = std::fs::read(&sealed).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&sealed, &bytes).unwrap();
    assert!(error_of(s.load("t")).contains("or its identity.pem.encrypted was altered"));
    bytes[10] ^= 1;
    std::fs::write(&sealed, &bytes).unwrap();
    s.load("t").unwrap();
    let json = s.dir("t").join("identity.json");
    let good = std::fs::read_to_string(&json).unwrap();
    let mut config: serde_json::Value = serde_json::from_str(&good).unwrap();
    config["encryption"]["file_nonce"] = serde_json::json!([1, 2, 3]);
    std::fs::write(&json, config.to_string()).unwrap();
    assert!(error_of(s.load("t")).contains("file_nonce has 3 bytes, not 12"));
    std::fs::write(&json, "{ not json").unwrap();
    assert!(error_of(s.load("t")).contains("is not an identity configuration"));
}

#[test]
fn short_passwords_are_refused_and_the_old_key_stays() {
    let (dir, s) = store();
    let before = s
        .create("k", KeyType::Ed25519, StorageMode::Plaintext, false)
        .unwrap();
    let p = s.load("k").unwrap().sender().unwrap();
    let short = Store::at(dir.path()).with_password("12345678");
    let err = short
        .create("k", KeyType::Ed25519, PROTECTED, true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("longer than 8 characters"), "{err}");
    assert!(before.is_file());
    assert_eq!(s.load("k").unwrap().sender().unwrap(), p);
}

#[test]
fn import_and_force_move_a_key_between_storage_modes() {
    let (_dir, s) = store();
    let s = s.with_password(PASSWORD);
    let plain = s
        .create("plain", KeyType::Secp256k1, StorageMode::Plaintext, false)
        .unwrap();
    let p = s.load("plain").unwrap().sender().unwrap();
    s.import("sealed", &plain, PROTECTED, false).unwrap();
    assert_eq!(s.load("sealed").unwrap().sender().unwrap(), p);
    assert!(s
        .import("sealed", &plain, PROTECTED, false)
        .unwrap_err()
        .to_string()
        .contains("--force"));
    // Back to plaintext with --force: no sealed file or settings left behind.
    s.import("sealed", &plain, StorageMode::Plaintext, true)
        .unwrap();
    assert!(
        !s.dir("sealed").join("identity.pem.encrypted").exists()
            && !s.dir("sealed").join("identity.json").exists()
    );
    assert_eq!(
        Store::at(&s.root).load("sealed").unwrap().sender().unwrap(),
        p
    );
}

/// A throwaway secp256k1 key, and that key sealed as dfx seals it: produced outside this
/// crate with the library calls dfx's `pem_safekeeping` makes (argon2 0.4's
/// `PasswordHasher::hash_password` on the `pw_salt` text, then AES-256-GCM), password
/// `correct horse battery staple`.
const DFX_PLAIN_PEM: &str = "-----BEGIN EC PRIVATE KEY-----
MHQCAQEEIErEz2XDOjdHcQXESNY1LyXY3aAX39rsBJnIyDqG0EH0oAcGBSuBBAAK
oUQDQgAEj83P9niIhOsKUkR4/K0gE1fdHdASDBnRqLGhJ89cmlw0uWeYyb7Yt8pY
fhf4rQhHoi5QcaqfYGjUquVCkTV6JQ==
-----END EC PRIVATE KEY-----
";
const DFX_IDENTITY_JSON: &str = r#"{
  "hsm": null,
  "encryption": {
    "pw_salt": "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0",
    "file_nonce": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
  },
  "keyring_identity_suffix": null
}"#;
const DFX_SEALED_HEX: &str = "7532246c4e6e91c7103b2dc82f844b354a4574b5c5b58b721c53b9192c74cea9e349077593c3fcdb143bdc5213b9d69d616c956d052eca7c31d58ba3a0cbd7504f4b7516c650758a0bcd3526ce2860d35cbc8896d2578633616acf16bc9cfa0edbbc9605c2601142e5facca36e86ee518cba5a15ecef8f9493be96260940ab54e108c970595fd34d2ba255e671a5ee1d047e365bb45bf65f160c43434cf5f751a199a3c0bbd607d4187bb3adfa54da38c8e19ef552707955d87f9711433e52c7567dce7ffc8e24c5676428536173214a9a932b1b3e75bdb1d4b23b446d6e1fde31b01d01a80362108ca1aefad01089";

#[test]
fn an_identity_folder_sealed_as_dfx_seals_it_loads() {
    let (_dir, s) = store();
    let folder = s.dir("from_dfx");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("identity.json"), DFX_IDENTITY_JSON).unwrap();
    let sealed: Vec<u8> = (0..DFX_SEALED_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&DFX_SEALED_HEX[i..i + 2], 16).unwrap())
        .collect();
    std::fs::write(folder.join("identity.pem.encrypted"), &sealed).unwrap();
    let expected = identity_from_pem(DFX_PLAIN_PEM.as_bytes())
        .unwrap()
        .sender()
        .unwrap();
    assert_eq!(s.list().unwrap(), ["anonymous", "from_dfx"]);
    let s = s.with_password(PASSWORD);
    assert_eq!(s.load("from_dfx").unwrap().sender().unwrap(), expected);
    // And the other way: what kybra seals with these settings is byte for byte dfx's.
    let settings: encrypted::IdentityConfig = serde_json::from_str(DFX_IDENTITY_JSON).unwrap();
    assert_eq!(
        settings
            .encryption
            .unwrap()
            .seal("x", DFX_PLAIN_PEM.as_bytes(), PASSWORD)
            .unwrap(),
        sealed
    );
}
