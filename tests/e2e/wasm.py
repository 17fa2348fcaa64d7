"""Just enough of the WebAssembly binary format to check what a built module declares:
its imports, exports and custom sections."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WasmSummary:
    imports: list[tuple[str, str]] = field(default_factory=list)
    exports: list[str] = field(default_factory=list)
    custom: dict[str, bytes] = field(default_factory=dict)


def _leb(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def _name(data: bytes, pos: int) -> tuple[str, int]:
    size, pos = _leb(data, pos)
    return data[pos : pos + size].decode(), pos + size


def summarize(module: bytes) -> WasmSummary:
    assert module[:4] == b"\0asm", "not a wasm module"
    out = WasmSummary()
    pos = 8
    while pos < len(module):
        section, pos = module[pos], pos + 1
        size, pos = _leb(module, pos)
        body = module[pos : pos + size]
        pos += size
        if section == 0:
            name, at = _name(body, 0)
            out.custom[name] = body[at:]
        elif section == 2:
            count, at = _leb(body, 0)
            for _ in range(count):
                mod, at = _name(body, at)
                item, at = _name(body, at)
                kind, at = body[at], at + 1
                if kind == 0:  # function: type index
                    _, at = _leb(body, at)
                elif kind == 1:  # table: reftype + limits
                    at += 1
                    flags, at = _leb(body, at + 0)
                    _, at = _leb(body, at)
                    if flags & 1:
                        _, at = _leb(body, at)
                elif kind == 2:  # memory: limits
                    flags, at = _leb(body, at)
                    _, at = _leb(body, at)
                    if flags & 1:
                        _, at = _leb(body, at)
                elif kind == 3:  # global: valtype + mutability
                    at += 2
                out.imports.append((mod, item))
        elif section == 7:
            count, at = _leb(body, 0)
            for _ in range(count):
                name, at = _name(body, at)
                at += 1
                _, at = _leb(body, at)
                out.exports.append(name)
    return out
