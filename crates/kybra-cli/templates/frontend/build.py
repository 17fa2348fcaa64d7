"""Builds this frontend for its asset canister (dfx.json's "build" runs it, after `kybra
generate`, from the project root): copies src/ to dist/, adds the generated declarations
(src/declarations/) and writes dist/env.js, which gives the page the canister ids that
kybra deploy puts in the environment (CANISTER_ID_<NAME>, DFX_NETWORK), as a bundler
would put them into process.env."""

import json
import os
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]


def main() -> None:
    dist = HERE / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    shutil.copytree(HERE / "src", dist)
    declarations = PROJECT / "src" / "declarations"
    if declarations.is_dir():
        shutil.copytree(declarations, dist / "declarations")
    env = {
        key: value
        for key, value in os.environ.items()
        if key.startswith("CANISTER_ID_") or key == "DFX_NETWORK"
    }
    (dist / "env.js").write_text(
        "globalThis.process = globalThis.process ?? { env: {} };\n"
        f"Object.assign(globalThis.process.env, {json.dumps(env, sort_keys=True)});\n"
    )
    print(
        f"wrote {dist.relative_to(PROJECT)} ({len(env)} environment values in env.js)"
    )


if __name__ == "__main__":
    main()
