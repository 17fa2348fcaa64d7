"""The management canister's chunk store, for modules larger than a message
(`upload_chunk`, `stored_chunks`, `clear_chunk_store`, `install_chunked_code`), as the IC
interface specification names their fields. A canister uploads a module in chunks of at most
1 MiB to a store canister it controls (often the target itself), then installs it by the
chunks' hashes.
"""

from kybra import Opt, Principal, Record, Vec, blob, nat64
from kybra.canisters.management.basic import InstallCodeMode


class ChunkHash(Record):
    hash: blob
    """SHA-256 of the chunk."""


class UploadChunkArgs(Record):
    canister_id: Principal
    """The store canister."""
    chunk: blob


class ClearChunkStoreArgs(Record):
    canister_id: Principal


class StoredChunksArgs(Record):
    canister_id: Principal


class InstallChunkedCodeArgs(Record):
    mode: InstallCodeMode
    target_canister: Principal
    store_canister: Opt[Principal]
    """Where the chunks are (`None`: the target itself)."""
    chunk_hashes_list: Vec[ChunkHash]
    """The chunks in module order."""
    wasm_module_hash: blob
    """SHA-256 of the whole module."""
    arg: blob
    sender_canister_version: Opt[nat64]
