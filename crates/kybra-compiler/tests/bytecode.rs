//! Installed packages' modules compiled to bytecode at build time by a host CPython 3.11
//! (`python3.11`, which the set-up installs): the `.pyc` files are the ones CPython's path
//! finder loads without the source, named for the canister's file system, the same bytes
//! on every build; a host that cannot compile for the canister leaves the modules as
//! source (compiled in the canister), and says why.
mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::Project;
use kybra_compiler::packages::bytecode::MAGIC;
use kybra_compiler::packages::{BytecodeError, Compiled, Environment, HostPython};
use kybra_compiler::stdlib::Stdlib;

/// The host CPython 3.11; the test fails (never skips) without it.
fn python311() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|d| d.join("python3.11"))
        .find(|p| p.is_file())
        .expect(
            "python3.11 is not on PATH: scripts/setup.sh installs it (apt-get install python3.11)",
        )
}

#[test]
fn host_bytecode_is_an_unchecked_hash_pyc_named_for_the_canister_and_reproducible() {
    let p = Project::new(&[
        (
            "site/a.py",
            "LETTERS = {'a', 'b', 'c', 'd'}\ndef f():\n    return sorted(LETTERS)\n",
        ),
        ("site/bad.py", "def (:\n"),
    ]);
    let sources = vec![
        (
            "/lib/python3.11/site-packages/a.py".to_string(),
            p.root.join("site/a.py"),
        ),
        (
            "/lib/python3.11/site-packages/bad.py".to_string(),
            p.root.join("site/bad.py"),
        ),
    ];
    let host = HostPython::new(python311());
    let pycs = host.compile(&sources).unwrap();
    assert_eq!(pycs.len(), 2);
    assert!(
        pycs[1].is_none(),
        "a module with a syntax error has no bytecode"
    );
    let pyc = pycs[0].clone().expect("a.py compiles");
    assert_eq!(pyc[..4], MAGIC);
    assert_eq!(
        pyc[4..8],
        [1, 0, 0, 0],
        "hash-based, source not checked (PEP 552)"
    );
    // Frozen sets of strings are ordered by hash: PYTHONHASHSEED=0 makes them repeatable.
    for _ in 0..2 {
        assert_eq!(host.compile(&sources).unwrap()[0].as_ref(), Some(&pyc));
    }

    // CPython's own loader takes it as the module's code without reading the source.
    let dir = p.root.join("check");
    std::fs::create_dir_all(dir.join("__pycache__")).unwrap();
    std::fs::copy(p.root.join("site/a.py"), dir.join("a.py")).unwrap();
    std::fs::write(dir.join("__pycache__/a.cpython-311.pyc"), &pyc).unwrap();
    // The loader must not fall back to the source: make the source say something else.
    std::fs::write(
        dir.join("a.py"),
        "raise SystemExit('the source was compiled')\n",
    )
    .unwrap();
    let out = std::process::Command::new(python311())
        .args([
            "-B",
            "-c",
            "import a; print(a.f(), a.f.__code__.co_filename)",
        ])
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // (The loader points `co_filename` at the file it found, as in the canister.)
    let shown = dir.join("a.py");
    assert_eq!(
        stdout.trim(),
        format!("['a', 'b', 'c', 'd'] {}", shown.display())
    );
    let canister_name = b"/lib/python3.11/site-packages/a.py";
    assert!(pyc.windows(canister_name.len()).any(|w| w == canister_name));
}

#[test]
fn a_host_that_cannot_compile_for_the_canister_is_refused() {
    let missing = HostPython::new("/nonexistent/python3.11");
    let err = missing
        .compile(&[("x.py".into(), PathBuf::from("x.py"))])
        .unwrap_err();
    assert!(matches!(err, BytecodeError::Run { .. }), "{err}");

    // An interpreter of another version answers with its own magic number.
    let p = Project::new(&[(
        "python3.12",
        "#!/bin/sh\ncat >/dev/null\nprintf '\\313\\r\\r\\n'\n",
    )]);
    let fake = p.root.join("python3.12");
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = HostPython::new(&fake)
        .compile(&[("x.py".into(), PathBuf::from("x.py"))])
        .unwrap_err();
    assert!(matches!(err, BytecodeError::Magic { .. }), "{err}");
    assert!(err.to_string().contains("CPython 3.11"), "{err}");
}

/// The payload's package files of a project importing `pkg` from its `site` folder.
fn site_files(p: &Project, bytecode: Option<HostPython>) -> (Vec<String>, Compiled) {
    let (index, code) = common::stdlib();
    let stdlib = Stdlib::parse(index.as_bytes(), &code).unwrap();
    let env = Environment {
        site: vec![p.root.join("site")],
        bytecode,
    };
    let analysed = kybra_compiler::analyse(&p.main(), &p.root, &env, &stdlib)
        .unwrap_or_else(|e| panic!("{e}"));
    let paths = analysed
        .payload
        .site_packages
        .iter()
        .map(|f| f.path.clone())
        .collect();
    (paths, analysed.compiled)
}

fn package_project() -> Project {
    Project::new(&[
        (
            "src/main.py",
            "from kybra import query\nimport pkg.mod\n@query\ndef hi() -> str:\n    return pkg.mod.X\n",
        ),
        ("site/pkg/__init__.py", ""),
        ("site/pkg/mod.py", "X = 'hi'\n"),
        ("site/pkg/data.txt", "data\n"),
    ])
}

#[test]
fn a_build_ships_bytecode_beside_each_package_module_or_says_why_not() {
    let p = package_project();
    let (files, compiled) = site_files(&p, Some(HostPython::new(python311())));
    assert_eq!(
        files,
        [
            "pkg/__init__.py",
            "pkg/__pycache__/__init__.cpython-311.pyc",
            "pkg/__pycache__/mod.cpython-311.pyc",
            "pkg/data.txt",
            "pkg/mod.py",
        ]
    );
    assert_eq!(compiled, Compiled::AtBuild(python311()));

    let (files, compiled) = site_files(&p, None);
    assert_eq!(files, ["pkg/__init__.py", "pkg/data.txt", "pkg/mod.py"]);
    assert!(
        matches!(&compiled, Compiled::InCanister(why) if why.contains("no host CPython 3.11")),
        "{compiled:?}"
    );

    let (files, compiled) = site_files(&p, Some(HostPython::new(Path::new("/nonexistent/python"))));
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(
        matches!(&compiled, Compiled::InCanister(why) if why.contains("cannot run /nonexistent/python")),
        "{compiled:?}"
    );
}

#[test]
fn the_cache_answers_for_an_unchanged_file_and_a_changed_one_is_compiled_again() {
    let p = Project::new(&[("site/m.py", "A = 1\n"), ("site/n.py", "def (:\n")]);
    let cache = p.root.join("cache");
    let host = HostPython::new(python311()).with_cache(&cache);
    let sources = vec![
        ("/s/m.py".to_string(), p.root.join("site/m.py")),
        ("/s/n.py".to_string(), p.root.join("site/n.py")),
    ];
    let first = host.compile(&sources).unwrap();
    assert!(first[0].is_some() && first[1].is_none());
    let mut cached: Vec<PathBuf> = walk(&cache);
    cached.sort();
    assert_eq!(
        cached.len(),
        2,
        "one entry per file, even one that does not compile"
    );

    // What the cache holds is what a build gets: swap m.py's entry for other bytecode.
    let entry = cached
        .iter()
        .find(|f| std::fs::read(f).unwrap() == first[0].clone().unwrap())
        .unwrap()
        .clone();
    let marker = [&MAGIC[..], &[1, 0, 0, 0], &[7; 8], b"marker"].concat();
    std::fs::write(&entry, &marker).unwrap();
    assert_eq!(
        host.compile(&sources).unwrap()[0].as_deref(),
        Some(&marker[..])
    );

    // A changed source has another key: compiled again, and cached beside the old one.
    std::fs::write(p.root.join("site/m.py"), "A = 2\n").unwrap();
    let changed = host.compile(&sources).unwrap();
    assert!(changed[0]
        .as_ref()
        .is_some_and(|b| b != &marker && b != first[0].as_ref().unwrap()));
    assert_eq!(walk(&cache).len(), 3);

    // A cache folder that cannot be written is skipped.
    let blocked = HostPython::new(python311()).with_cache(p.root.join("site/m.py/cache"));
    assert_eq!(blocked.compile(&sources).unwrap(), changed);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}
