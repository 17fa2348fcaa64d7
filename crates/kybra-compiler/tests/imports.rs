//! Import resolution: user modules, packages, relative imports, kybra renames, bundled
//! modules, and unknown modules.
mod common;

use common::Project;
use kybra_interface::{MethodKind, ModuleCode, Payload};

fn payload(files: &[(&str, &str)]) -> Payload {
    let p = Project::new(files);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib)
        .unwrap_or_else(|e| panic!("{e}"))
        .0
}

fn module_names(p: &Payload) -> Vec<&str> {
    p.modules.iter().map(|m| m.name.as_str()).collect()
}

fn filename(p: &Payload, name: &str) -> String {
    match &p.modules.iter().find(|m| m.name == name).unwrap().code {
        ModuleCode::Source { filename, .. } => filename.clone(),
        ModuleCode::Bytecode(_) => panic!("{name} is bundled"),
    }
}

#[test]
fn local_modules_packages_and_relative_imports() {
    let p = payload(&[
        (
            "src/main.py",
            "import util\nfrom pkg import api\nfrom pkg.sub.deep import thing\n",
        ),
        ("src/util.py", "import json\n"),
        ("src/pkg/__init__.py", "from .api import x\n"),
        (
            "src/pkg/api.py",
            "from . import helpers\nfrom .sub import deep\nx = 1\n",
        ),
        ("src/pkg/helpers.py", "from .sub.deep import thing\n"),
        ("src/pkg/sub/__init__.py", ""),
        ("src/pkg/sub/deep.py", "from .. import helpers\nthing = 2\n"),
        ("src/unused.py", "import numpy\n"),
    ]);
    let names = module_names(&p);
    assert_eq!(
        names[..7],
        [
            "main",
            "util",
            "pkg",
            "pkg.api",
            "pkg.sub",
            "pkg.sub.deep",
            "pkg.helpers"
        ],
        "{names:?}"
    );
    assert!(
        names.contains(&"json") && names.contains(&"json.decoder"),
        "{names:?}"
    );
    assert!(!names.contains(&"unused"));
    assert_eq!(filename(&p, "pkg.sub.deep"), "src/pkg/sub/deep.py");
    assert_eq!(filename(&p, "pkg"), "src/pkg/__init__.py");
    assert!(p.modules[2].is_package && !p.modules[3].is_package);
}

#[test]
fn relative_import_beyond_the_top_is_an_error() {
    let p = Project::new(&[
        ("src/main.py", "from . import x\nimport pkg.mod\n"),
        ("src/pkg/__init__.py", ""),
        ("src/pkg/mod.py", "from ... import y\n"),
    ]);
    let errs = p.errors();
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(errs[0].starts_with("src/main.py:1:1: cannot import: relative import in `main`, which is not inside a package"), "{errs:#?}");
    assert!(
        errs[1].starts_with("src/pkg/mod.py:1:1: cannot import: relative import with 3 dots"),
        "{errs:#?}"
    );
}

#[test]
fn kybra_renames_resolve_through_imports() {
    let p = payload(&[(
        "src/main.py",
        "import kybra\nimport kybra as k\nfrom kybra import query as q, update as u, nat64 as N\n\
         from kybra.principal import Principal as P\n\n\
         @kybra.query\ndef a() -> kybra.text: ...\n\
         @k.update\ndef b(x: k.nat8) -> k.void: ...\n\
         @q\ndef c() -> N: ...\n\
         @u(guard=None)\ndef d(p: P) -> None: ...\n\
         @q()\ndef e() -> str: ...\n",
    )]);
    let m: Vec<_> = p
        .methods
        .iter()
        .map(|m| (m.name.as_str(), m.kind))
        .collect();
    use MethodKind::*;
    assert_eq!(
        m,
        [
            ("a", Query),
            ("b", Update),
            ("c", Query),
            ("d", Update),
            ("e", Query)
        ]
    );
    use kybra_interface::Type;
    assert_eq!(p.methods[1].params[0].ty, Type::Nat8);
    assert!(p.methods[1].returns.is_empty());
    assert_eq!(p.methods[2].returns, [Type::Nat64]);
    assert_eq!(p.methods[3].params[0].ty, Type::Principal);
}

#[test]
fn names_are_resolved_not_spelled() {
    // A local `query` is not kybra's; a name re-exported by a user module is followed.
    let p = payload(&[
        ("src/main.py", "from mykybra import expose, Num\n\ndef query(f):\n    return f\n\n@query\ndef hidden() -> str: ...\n\n@expose\ndef shown(n: Num) -> Num: ...\n"),
        ("src/mykybra.py", "from kybra import update as expose, nat32 as Num\n"),
    ]);
    assert_eq!(p.methods.len(), 1);
    assert_eq!(p.methods[0].name, "shown");
    assert_eq!(p.methods[0].kind, MethodKind::Update);
    assert_eq!(p.methods[0].params[0].ty, kybra_interface::Type::Nat32);
}

#[test]
fn methods_in_other_modules_come_in_discovery_order() {
    let p = payload(&[
        ("src/main.py", "from kybra import query\nimport api\n@query\ndef m() -> str: ...\n"),
        ("src/api.py", "from kybra import update\n@update\ndef z() -> str: ...\n@update\ndef a() -> str: ...\n"),
    ]);
    let m: Vec<_> = p
        .methods
        .iter()
        .map(|m| (m.name.as_str(), m.module.as_str()))
        .collect();
    assert_eq!(m, [("m", "main"), ("z", "api"), ("a", "api")]);
}

#[test]
fn unknown_modules_are_errors_with_a_hint() {
    let p = Project::new(&[("src/main.py", "import os\nfrom requests import get\n")]);
    let errs = p.errors();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    let e = &errs[0];
    assert!(
        e.starts_with("src/main.py:2:1: cannot import `requests`"),
        "{e}"
    );
    assert!(
        e.contains("src/requests.py") && e.contains("`pip install` it into that environment"),
        "{e}"
    );
}

#[test]
fn missing_submodule_of_a_user_package() {
    let p = Project::new(&[
        ("src/main.py", "import pkg.nothere\n"),
        ("src/pkg/__init__.py", ""),
    ]);
    let errs = p.errors();
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert!(
        errs[0].starts_with(
            "src/main.py:1:8: cannot import `pkg.nothere`: there is no src/pkg/nothere.py"
        ),
        "{errs:#?}"
    );
}

#[test]
fn optional_and_type_checking_imports_are_not_errors() {
    let p = payload(&[(
        "src/main.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import mypy_extensions\n\
         try:\n    import ujson as json\nexcept ImportError:\n    import json\n",
    )]);
    let names = module_names(&p);
    assert!(
        names.contains(&"json") && names.contains(&"typing"),
        "{names:?}"
    );
}

#[test]
fn user_modules_shadow_bundled_ones_and_namespace_packages_work() {
    let p = payload(&[
        ("src/main.py", "import json\nfrom lib.tools import x\n"),
        ("src/json.py", "dumps = str\n"),
        ("src/lib/tools.py", "x = 1\n"),
    ]);
    let names = module_names(&p);
    assert_eq!(
        names[..4],
        ["main", "json", "lib", "lib.tools"],
        "{names:?}"
    );
    assert_eq!(names.iter().filter(|n| **n == "json").count(), 1);
    assert!(!names.contains(&"json.decoder"));
    assert!(p.modules[2].is_package);
}

#[test]
fn from_bundled_package_import_submodule() {
    let p = payload(&[(
        "src/main.py",
        "from json import decoder\nimport __future__\nfrom __future__ import annotations\n",
    )]);
    let names = module_names(&p);
    assert!(
        names.contains(&"json.decoder") && names.contains(&"json.encoder"),
        "{names:?}"
    );
    assert!(names.contains(&"__future__"), "{names:?}");
}

#[test]
fn frozen_modules_are_left_out_but_their_imports_are_not() {
    // `os` and `_collections_abc` are deep-frozen in the interpreter: no code for them in
    // the payload, but `posixpath`, which `os` imports, must be there.
    let p = payload(&[("src/main.py", "import os\nimport json\n")]);
    let names = module_names(&p);
    for frozen in common::FROZEN {
        assert!(
            !names.contains(frozen),
            "{frozen} is frozen but shipped: {names:?}"
        );
    }
    assert!(
        names.contains(&"posixpath") && names.contains(&"json.decoder"),
        "{names:?}"
    );
}
