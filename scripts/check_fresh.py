"""Reads `cargo ... --message-format=json` on stdin and fails when one of the heavy
dependencies was compiled again (not `fresh`): a sign that this build selection resolved
other features than the set-up's builds did, which costs minutes on every cold set-up.

Usage: cargo test --release --workspace --no-run --message-format=json | python3 scripts/check_fresh.py
The fix is `cargo hakari generate` (crates/kybra-workspace-hack)."""

from __future__ import annotations

import json
import sys

HEAVY = {"wasmtime", "cranelift-codegen"}


def main() -> int:
    recompiled: list[str] = []
    seen: set[str] = set()
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            continue
        if (
            message.get("reason") == "compiler-message"
            and message["message"].get("level") == "error"
        ):
            print(message["message"].get("rendered", ""), file=sys.stderr)
        if message.get("reason") == "build-finished" and not message.get("success"):
            print(
                "error: cargo failed (see the compiler's messages above)",
                file=sys.stderr,
            )
            return 1
        if message.get("reason") != "compiler-artifact":
            continue
        name = message["target"]["name"].replace("_", "-")
        if name in HEAVY:
            seen.add(name)
            if not message.get("fresh"):
                recompiled.append(f"{name} ({message['package_id']})")
    if recompiled:
        print(
            "error: compiled again with another feature set: "
            + ", ".join(recompiled)
            + "\n  Every build selection must resolve the same features: run `cargo hakari generate`"
            " (crates/kybra-workspace-hack) and commit the result.",
            file=sys.stderr,
        )
        return 1
    if seen != HEAVY:
        # A check that saw nothing proves nothing: the selection must reach every one.
        print(
            f"error: this build did not reach {', '.join(sorted(HEAVY - seen))}",
            file=sys.stderr,
        )
        return 1
    print(f"one build of each heavy dependency: {', '.join(sorted(seen))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
