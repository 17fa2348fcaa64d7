//! The `kybra` binary: the book's dfx commands for Python canisters.
//!
//! Promises: a thin shell over the libraries. Every failure prints `Error: ...` saying
//! what went wrong and what to do, and exits non-zero.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use kybra_cli::commands;

#[derive(Parser)]
#[command(name = "kybra", version, about = "Build, run and call Python canisters for the Internet Computer", long_about = None)]
struct Cli {
    /// Sign requests as this identity (default: the one `kybra identity use` chose).
    #[arg(long, global = true)]
    identity: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new project: the book's hello world (src/main.py, dfx.json, icp.yaml,
    /// .gitignore, tests/test_main.py).
    New {
        /// Project (directory and canister) name, e.g. `kybra_hello_world`.
        name: String,
        /// Also a frontend: an asset canister NAME_frontend with a page that calls the
        /// backend through its generated declarations.
        #[arg(long)]
        frontend: bool,
    },
    /// Build the Kybra canisters of dfx.json into .kybra/NAME/ (NAME.wasm, NAME.wasm.gz, NAME.did).
    Build {
        /// Build only this canister.
        name: Option<String>,
        /// List every module and data file of each installed package a canister carries.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Build one canister from explicit paths, in the current directory. This is what the
    /// book's dfx.json build command `python -m kybra NAME src/main.py src/main.did` runs.
    Compile {
        /// Canister name: outputs go to .kybra/NAME/.
        name: String,
        /// Entry module, e.g. src/main.py.
        main: PathBuf,
        /// Where to write the generated Candid interface, e.g. src/main.did.
        did: Option<PathBuf>,
        /// List every module and data file of each installed package the canister carries.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Run the local replica (IC HTTP interface) until Ctrl-C.
    ///
    /// State persists in .kybra/local/state/: canisters, their memory and ids survive
    /// `kybra stop` and crashes (every acknowledged update is on disk).
    Start {
        /// Run in the background: return once the replica answers; stop it with `kybra stop`.
        #[arg(long)]
        background: bool,
        /// Start empty: wipe the replica's state and the project's local canister ids.
        #[arg(long)]
        clean: bool,
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = kybra_cli::network::DEFAULT_HOST)]
        host: String,
        /// Also run the system canisters at their mainnet ids: the cycles minting canister,
        /// the cycles ledger and the ICP ledger (as `dfx start --system-canisters`; the `icp`
        /// command line needs them).
        #[arg(long)]
        system_canisters: bool,
        /// Behave like mainnet: the system canisters run (with the ICP ledger), ingress may not
        /// use the provisional API, and creating a canister through the cycles ledger is paid
        /// from the caller's cycles. Fund identities with `kybra ledger faucet`.
        #[arg(long)]
        mainnet_like: bool,
        /// Milliseconds an update call waits before it runs and replies (as dfx's
        /// `--artificial-delay`; mainnet takes about 2000).
        #[arg(long, default_value_t = 0, value_name = "MS")]
        artificial_delay: u64,
    },
    /// Stop the local replica started with `kybra start --background`.
    Stop,
    /// Create (if needed), build and install canisters, dependencies first.
    Deploy {
        /// Deploy only this canister (and the canisters it depends on).
        name: Option<String>,
        /// Init arguments in Candid text, e.g. '(42, "text")', or a single value without
        /// the parentheses, e.g. 'record { a = 1 }' (default: dfx.json's `init_arg`).
        #[arg(long, conflicts_with = "argument_file")]
        argument: Option<String>,
        /// Read the init arguments (Candid text) from this file (`-` for standard input).
        #[arg(long)]
        argument_file: Option<PathBuf>,
        /// Install mode: auto installs new canisters and upgrades installed ones.
        #[arg(long, value_enum, default_value_t = Mode::Auto)]
        mode: Mode,
        /// Upgrade even a canister whose module is unchanged (so `post_upgrade` runs, e.g.
        /// with a new argument); by default an unchanged module is skipped.
        #[arg(long)]
        upgrade_unchanged: bool,
        /// Cycles to create new canisters with (default: 100T on the local replica; 1T, paid from the identity's cycles, elsewhere).
        #[arg(long, value_name = "CYCLES")]
        with_cycles: Option<u128>,
        /// Create the named canister at this id (local replicas).
        #[arg(long, value_name = "PRINCIPAL")]
        specified_id: Option<String>,
        /// Do not ask before a reinstall deletes a canister's state.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Create canisters through a cycles wallet, paid from it: the given one, else the
        /// identity's (`kybra identity get-wallet`; made on the local network if missing).
        #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "")]
        wallet: Option<String>,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Write JavaScript/TypeScript declarations of the canisters' interfaces (as `dfx generate`).
    Generate {
        /// Generate only this canister's.
        name: Option<String>,
    },
    /// Manage the identities requests are signed with (kept in ~/.config/kybra, PEM files as dfx's).
    Identity {
        #[command(subcommand)]
        command: IdentityCommand,
    },
    /// Canister operations.
    Canister {
        #[command(subcommand)]
        command: CanisterCommand,
    },
    /// The local replica's simulated bitcoin regtest network: fund and inspect addresses.
    Bitcoin {
        #[command(subcommand)]
        command: BitcoinCommand,
    },
    /// The ICP ledger: account identifiers, balances, transfers; the local faucet; cycles
    /// for local canisters.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Cycles on the cycles ledger: balance, ICP → cycles, topping canisters up.
    Cycles {
        #[command(subcommand)]
        command: CyclesCommand,
    },
    /// The identity's cycles wallet: balance, sending cycles, custodians (`kybra identity
    /// deploy-wallet` makes one).
    Wallet {
        #[command(subcommand)]
        command: WalletCommand,
    },
}

#[derive(Subcommand)]
enum CyclesCommand {
    /// The cycles of the current identity (or a principal) on the cycles ledger.
    Balance {
        #[arg(long)]
        of_principal: Option<String>,
        /// `local`, `ic`, or a replica URL (default: local).
        #[arg(long)]
        network: Option<String>,
    },
    /// Turn ICP of the current identity into cycles on its cycles-ledger account (through
    /// the cycles minting canister).
    Convert {
        /// ICP to convert, e.g. `1.5`.
        #[arg(long)]
        amount: String,
        #[arg(long)]
        network: Option<String>,
    },
    /// Send cycles from the current identity's cycles-ledger account to a principal's.
    Transfer {
        /// The receiving principal.
        #[arg(long)]
        to: String,
        /// Trillions of cycles.
        #[arg(long, conflicts_with = "cycles", required_unless_present = "cycles")]
        t: Option<u128>,
        #[arg(long)]
        cycles: Option<u128>,
        #[arg(long)]
        network: Option<String>,
    },
    /// Give a canister cycles: from the identity's cycles (`--t`, `--cycles`) or its ICP
    /// (`--icp`, through the cycles minting canister).
    TopUp {
        /// The canister (dfx.json name or id).
        canister: String,
        /// Trillions of cycles.
        #[arg(long, conflicts_with_all = ["cycles", "icp"])]
        t: Option<u128>,
        #[arg(long, conflicts_with = "icp")]
        cycles: Option<u128>,
        /// ICP to turn into cycles for the canister, e.g. `0.5`.
        #[arg(long)]
        icp: Option<String>,
        #[arg(long)]
        network: Option<String>,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Fund an identity with ICP and cycles out of nothing, for tests (a replica of this
    /// machine with the system canisters only; default: 100 ICP and 100 T cycles).
    Faucet {
        /// Whom to fund (default: the current identity).
        #[arg(long)]
        of_principal: Option<String>,
        /// ICP to mint, e.g. `10`.
        #[arg(long)]
        icp: Option<String>,
        /// Trillions of cycles to mint on the cycles ledger.
        #[arg(long)]
        t: Option<u64>,
        #[arg(long)]
        network: Option<String>,
    },
    /// The ICP of the current identity (or a principal, or an account identifier).
    Balance {
        #[arg(long, conflicts_with = "account_id")]
        of_principal: Option<String>,
        /// An account identifier (64 hex digits).
        #[arg(long)]
        account_id: Option<String>,
        #[arg(long)]
        network: Option<String>,
    },
    /// Send ICP from the current identity's default account.
    Transfer {
        /// The receiving account identifier (64 hex digits; `kybra ledger account-id`).
        #[arg(long)]
        to: String,
        /// ICP to send, e.g. `1.25` (the 0.0001 ICP fee comes on top).
        #[arg(long)]
        amount: String,
        #[arg(long, default_value_t = 0)]
        memo: u64,
        #[arg(long)]
        network: Option<String>,
    },
    /// Print the ledger account identifier of the current identity, a principal or a canister.
    AccountId {
        /// The principal whose account to print (default: the current identity's).
        #[arg(long)]
        of_principal: Option<String>,
        /// The canister (a dfx.json name deployed on the network, or an id) whose account to print.
        #[arg(long)]
        of_canister: Option<String>,
        /// The subaccount, up to 64 hex digits (default: all zeros).
        #[arg(long)]
        subaccount: Option<String>,
        /// The network of `--of-canister` (default: local).
        #[arg(long)]
        network: Option<String>,
    },
    /// Give a canister cycles out of nothing (a local replica only; dfx's
    /// `ledger fabricate-cycles`): `--cycles N` or `--t T` (trillions; default 10T).
    FabricateCycles {
        /// The canister (dfx.json name or id); omit with --all.
        #[arg(long)]
        canister: Option<String>,
        /// Every canister of dfx.json that has an id.
        #[arg(long, conflicts_with = "canister")]
        all: bool,
        /// Cycles to add.
        #[arg(long, conflicts_with = "t")]
        cycles: Option<u128>,
        /// Trillions of cycles to add.
        #[arg(long)]
        t: Option<u128>,
        /// Local replica to talk to (default: the project's).
        #[arg(long)]
        network: Option<String>,
    },
}

#[derive(Subcommand)]
enum BitcoinCommand {
    /// Mine regtest blocks paying their coinbase to ADDRESS (the first confirms sent transactions).
    Mine {
        /// A regtest address (bcrt1…, m…/n…, 2…).
        address: String,
        #[arg(long, default_value_t = 1)]
        blocks: u32,
        /// Local replica to talk to (default: the project's).
        #[arg(long)]
        network: Option<String>,
    },
    /// Show an address's balance and UTXO count.
    Balance {
        address: String,
        /// Count only outputs with at least this many confirmations.
        #[arg(long, default_value_t = 0)]
        min_confirmations: u32,
        /// Local replica to talk to (default: the project's).
        #[arg(long)]
        network: Option<String>,
    },
}

#[derive(Subcommand)]
enum SnapshotCommand {
    /// Snapshot a canister's code and memory (module, heap, stable memory, chunks).
    Create {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// Replace this snapshot (hex id) instead of adding one (a canister keeps at most 10).
        #[arg(long, value_name = "SNAPSHOT_ID")]
        replace: Option<String>,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Put a snapshot's code and memory back into the canister.
    Load {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// The snapshot's id (hex, as `list` prints it).
        snapshot: String,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// List a canister's snapshots: id, size and when it was taken.
    List {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Delete one of a canister's snapshots.
    Delete {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// The snapshot's id (hex, as `list` prints it).
        snapshot: String,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
}

impl SnapshotCommand {
    fn run(self) -> anyhow::Result<()> {
        use commands::snapshot::{run, Operation};
        let (op, canister, network) = match self {
            SnapshotCommand::Create {
                canister,
                replace,
                network,
            } => (Operation::Create { replace }, canister, network),
            SnapshotCommand::Load {
                canister,
                snapshot,
                network,
            } => (Operation::Load { snapshot }, canister, network),
            SnapshotCommand::List { canister, network } => (Operation::List, canister, network),
            SnapshotCommand::Delete {
                canister,
                snapshot,
                network,
            } => (Operation::Delete { snapshot }, canister, network),
        };
        run(op, &canister, network.as_deref())
    }
}

#[derive(Subcommand)]
enum CanisterCommand {
    /// Give a canister cycles from the current identity's cycles-ledger account (dfx's
    /// `canister deposit-cycles AMOUNT CANISTER`).
    DepositCycles {
        /// Cycles to deposit.
        cycles: u128,
        /// The canister (dfx.json name or id).
        canister: String,
        #[arg(long)]
        network: Option<String>,
    },
    /// Call a canister method with Candid arguments, e.g.
    /// `kybra canister call hello set_message '("Hello World!")'`.
    Call {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// Method name.
        method: String,
        /// Arguments in Candid text, e.g. '("Hello World!")'; omit for none.
        #[arg(conflicts_with = "argument_file")]
        argument: Option<String>,
        /// Read the arguments (Candid text) from this file (`-` for standard input).
        #[arg(long)]
        argument_file: Option<PathBuf>,
        /// Call as a query (default: as the interface declares the method).
        #[arg(long, conflicts_with = "update")]
        query: bool,
        /// Call as an update.
        #[arg(long)]
        update: bool,
        /// How to print the reply.
        #[arg(long, value_enum, default_value_t = Output::Idl)]
        output: Output,
        /// Attach this many cycles to the (update) call, paid from a cycles wallet that
        /// forwards it (`wallet_call128`).
        #[arg(long, value_name = "CYCLES")]
        with_cycles: Option<u128>,
        /// The wallet that forwards a call with cycles (default: the identity's; made on the
        /// local network if missing).
        #[arg(long, value_name = "ID", requires = "with_cycles")]
        wallet: Option<String>,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Show a canister's status, controllers, memory, balance and module hash.
    Status {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Start a stopped canister.
    Start {
        canister: String,
        #[arg(long)]
        network: Option<String>,
    },
    /// Stop a canister (it finishes its open calls and accepts no new ones).
    Stop {
        canister: String,
        #[arg(long)]
        network: Option<String>,
    },
    /// Delete a canister (stopping it first) and forget its id.
    Delete {
        canister: String,
        #[arg(long)]
        network: Option<String>,
    },
    /// Remove a canister's code and state; the canister and its id remain.
    UninstallCode {
        canister: String,
        #[arg(long)]
        network: Option<String>,
    },
    /// Change a canister's settings (controllers, allocations, thresholds, limits, log
    /// visibility), as dfx's `canister update-settings`; settings not given stay.
    UpdateSettings {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// Add a controller (repeatable).
        #[arg(long, value_name = "PRINCIPAL")]
        add_controller: Vec<String>,
        /// Remove a controller (repeatable).
        #[arg(long, value_name = "PRINCIPAL")]
        remove_controller: Vec<String>,
        /// Make these the only controllers (repeatable).
        #[arg(long, value_name = "PRINCIPAL")]
        set_controller: Vec<String>,
        /// Percent of an execution core reserved for the canister (0..=100).
        #[arg(long)]
        compute_allocation: Option<u64>,
        /// Bytes of memory reserved for the canister.
        #[arg(long)]
        memory_allocation: Option<u64>,
        /// Seconds of idle cycles the canister must keep before it freezes.
        #[arg(long)]
        freezing_threshold: Option<u64>,
        /// The most cycles the canister may reserve for storage.
        #[arg(long)]
        reserved_cycles_limit: Option<u128>,
        /// The most bytes of Wasm heap memory the canister may use.
        #[arg(long)]
        wasm_memory_limit: Option<u64>,
        /// Who may read the canister's log: `controllers` or `public`.
        #[arg(long)]
        log_visibility: Option<String>,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Print a canister's controllers and module hash (from the certified state; anyone may).
    Info {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Take, load, list and delete a canister's snapshots (dfx's `canister snapshot`).
    Snapshot {
        #[command(subcommand)]
        command: SnapshotCommand,
    },
    /// Print a canister's log (its prints and traps), as dfx's `canister logs`.
    Logs {
        /// Canister name (from dfx.json) or id.
        canister: String,
        /// Keep printing new records as they come (until interrupted).
        #[arg(long)]
        follow: bool,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Create canisters without installing code (dfx's `canister create`), recording their ids.
    Create {
        /// Canister name (from dfx.json); omit with --all.
        canister: Option<String>,
        /// Create every canister of dfx.json.
        #[arg(long, conflicts_with = "canister")]
        all: bool,
        /// Cycles to create each with (default: 100T on the local replica; 1T, paid from the identity's cycles, elsewhere).
        #[arg(long, value_name = "CYCLES")]
        with_cycles: Option<u128>,
        /// Create the named canister at this id (local replicas).
        #[arg(long, value_name = "PRINCIPAL")]
        specified_id: Option<String>,
        /// Create canisters through a cycles wallet, paid from it: the given one, else the
        /// identity's (`kybra identity get-wallet`; made on the local network if missing).
        #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "")]
        wallet: Option<String>,
        /// Replica to talk to: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
    /// Install a built canister's code: `--mode install|reinstall|upgrade` (default: install).
    Install {
        /// Canister name (from dfx.json).
        canister: String,
        /// Init or post-upgrade arguments in Candid text.
        #[arg(long, conflicts_with = "argument_file")]
        argument: Option<String>,
        /// Read the arguments (Candid text) from this file (`-` for standard input).
        #[arg(long)]
        argument_file: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Mode::Install)]
        mode: Mode,
        /// Do not ask before a reinstall deletes the canister's state.
        #[arg(long, short = 'y')]
        yes: bool,
        #[arg(long)]
        network: Option<String>,
    },
    /// Print a canister's id.
    Id {
        /// Canister name (from dfx.json).
        canister: String,
        /// The network whose id to print: `local` (default), `ic`, or a URL.
        #[arg(long)]
        network: Option<String>,
    },
}

#[derive(Subcommand)]
enum IdentityCommand {
    /// Create an identity with a new key.
    New {
        name: String,
        /// Key type (dfx's default is secp256k1).
        #[arg(long, value_enum, default_value_t = KeyKind::Secp256k1)]
        key_type: KeyKind,
        /// How to keep the key: a plain PEM file, or encrypted with a password (asked for, or
        /// taken from $KYBRA_IDENTITY_PASSWORD, now and whenever the identity signs).
        #[arg(long, value_enum, default_value_t = StorageKind::Plaintext)]
        storage_mode: StorageKind,
        /// Replace the key of an existing identity.
        #[arg(long)]
        force: bool,
    },
    /// Import a PEM private key (Ed25519, secp256k1 or P-256; e.g. from ~/.config/dfx/identity/NAME/identity.pem).
    Import {
        name: String,
        pem_file: PathBuf,
        /// How to keep the key (as for `new`).
        #[arg(long, value_enum, default_value_t = StorageKind::Plaintext)]
        storage_mode: StorageKind,
        #[arg(long)]
        force: bool,
    },
    /// Use this identity when --identity is not given.
    Use { name: String },
    /// List identities; the one in use is marked with *.
    List,
    /// Print the name of the identity in use.
    Whoami,
    /// Print the principal of the identity in use.
    GetPrincipal,
    /// Delete an identity and its key.
    Remove { name: String },
    /// Print an identity's PEM private key (decrypted) on standard output, as dfx's.
    Export { name: String },
    /// Keep an identity's key under a new password ($KYBRA_IDENTITY_NEW_PASSWORD, else asked
    /// for; the current one from $KYBRA_IDENTITY_PASSWORD, else asked for), or as plaintext.
    ChangePassword {
        name: String,
        /// How to keep the key from now on.
        #[arg(long, value_enum, default_value_t = StorageKind::PasswordProtected)]
        storage_mode: StorageKind,
    },
    /// Install the cycles wallet into CANISTER_ID (empty, controlled by the identity), or into
    /// a new canister, and make it the identity's wallet on the network.
    DeployWallet {
        canister_id: Option<String>,
        /// Cycles for a new wallet canister (default: 100T locally; 3T, paid from the
        /// identity's cycles, elsewhere).
        #[arg(long, value_name = "CYCLES")]
        with_cycles: Option<u128>,
        #[arg(long)]
        network: Option<String>,
    },
    /// Print the identity's cycles wallet on the network.
    GetWallet {
        #[arg(long)]
        network: Option<String>,
    },
    /// Make the wallet at ID the identity's on the network (it must answer as a wallet).
    SetWallet {
        id: String,
        #[arg(long)]
        network: Option<String>,
    },
}

#[derive(Subcommand)]
enum WalletCommand {
    /// The wallet's cycles.
    Balance {
        /// Print every digit instead of trillions.
        #[arg(long)]
        precise: bool,
        #[arg(long)]
        network: Option<String>,
    },
    /// Send cycles from the wallet to a canister (dfx.json name or id).
    Send {
        destination: String,
        cycles: u128,
        #[arg(long)]
        network: Option<String>,
    },
    /// Let a principal spend from the wallet.
    Authorize {
        custodian: String,
        #[arg(long)]
        network: Option<String>,
    },
    /// Stop a principal spending from the wallet.
    Deauthorize {
        custodian: String,
        #[arg(long)]
        network: Option<String>,
    },
    /// List who may spend from the wallet.
    Custodians {
        #[arg(long)]
        network: Option<String>,
    },
    /// List who controls the wallet.
    Controllers {
        #[arg(long)]
        network: Option<String>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum KeyKind {
    Secp256k1,
    Ed25519,
}

#[derive(Clone, Copy, ValueEnum)]
enum StorageKind {
    Plaintext,
    PasswordProtected,
}

impl From<StorageKind> for kybra_cli::identity::StorageMode {
    fn from(s: StorageKind) -> Self {
        match s {
            StorageKind::Plaintext => Self::Plaintext,
            StorageKind::PasswordProtected => Self::PasswordProtected,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Mode {
    Auto,
    Install,
    Reinstall,
    Upgrade,
}

impl From<Mode> for commands::deploy::Mode {
    fn from(m: Mode) -> Self {
        match m {
            Mode::Auto => commands::deploy::Mode::Auto,
            Mode::Install => commands::deploy::Mode::Install,
            Mode::Reinstall => commands::deploy::Mode::Reinstall,
            Mode::Upgrade => commands::deploy::Mode::Upgrade,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    /// Candid text, as dfx prints it.
    Idl,
    /// The reply's bytes in hex.
    Raw,
    /// JSON (64-bit and unbounded numbers as strings, blobs as hex).
    Json,
}

impl From<Output> for commands::call::Output {
    fn from(o: Output) -> Self {
        match o {
            Output::Idl => commands::call::Output::Idl,
            Output::Raw => commands::call::Output::Raw,
            Output::Json => commands::call::Output::Json,
        }
    }
}

/// The command line with dfx's `--ic` spelled out as `--network ic` (mainnet), so every
/// command that takes `--network` takes `--ic` too.
fn args() -> Vec<std::ffi::OsString> {
    expand_ic(std::env::args_os())
}

fn expand_ic(args: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    args.flat_map(|a| {
        if a == "--ic" {
            vec!["--network".into(), "ic".into()]
        } else {
            vec![a]
        }
    })
    .collect()
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(args());
    kybra_cli::identity::select(cli.identity.clone());
    let result = match cli.command {
        Command::New { name, frontend } => commands::new::run(&name, frontend),
        Command::Build { name, verbose } => {
            commands::build::set_verbose(verbose);
            commands::build::run(name.as_deref())
        }
        Command::Compile {
            name,
            main,
            did,
            verbose,
        } => {
            commands::build::set_verbose(verbose);
            commands::build::run_compile(&name, &main, did.as_deref())
        }
        Command::Start {
            background,
            clean,
            host,
            system_canisters,
            mainnet_like,
            artificial_delay,
        } => commands::start::run(&commands::start::Options {
            background,
            clean,
            host,
            system_canisters,
            mainnet_like,
            artificial_delay_ms: artificial_delay,
        }),
        Command::Stop => commands::stop::run(),
        Command::Deploy {
            name,
            argument,
            argument_file,
            mode,
            upgrade_unchanged,
            with_cycles,
            specified_id,
            yes,
            wallet,
            network,
        } => match commands::read_argument(argument, argument_file.as_deref()) {
            Ok(argument) => commands::deploy::run(&commands::deploy::Options {
                name,
                argument,
                mode: Some(mode.into()),
                network,
                upgrade_unchanged,
                with_cycles,
                specified_id,
                yes,
                wallet: wallet_option(wallet),
            }),
            Err(e) => Err(e),
        },
        Command::Generate { name } => commands::generate::run(name.as_deref()),
        Command::Identity { command } => match command {
            IdentityCommand::New {
                name,
                key_type,
                storage_mode,
                force,
            } => {
                let key = match key_type {
                    KeyKind::Secp256k1 => kybra_cli::identity::KeyType::Secp256k1,
                    KeyKind::Ed25519 => kybra_cli::identity::KeyType::Ed25519,
                };
                commands::identity::new(&name, key, storage_mode.into(), force)
            }
            IdentityCommand::Import {
                name,
                pem_file,
                storage_mode,
                force,
            } => commands::identity::import(&name, &pem_file, storage_mode.into(), force),
            IdentityCommand::Use { name } => commands::identity::use_(&name),
            IdentityCommand::List => commands::identity::list(),
            IdentityCommand::Whoami => commands::identity::whoami(cli.identity.as_deref()),
            IdentityCommand::GetPrincipal => commands::identity::get_principal(),
            IdentityCommand::Remove { name } => commands::identity::remove(&name),
            IdentityCommand::Export { name } => commands::identity::export(&name),
            IdentityCommand::ChangePassword { name, storage_mode } => {
                commands::identity::change_password(&name, storage_mode.into())
            }
            IdentityCommand::DeployWallet {
                canister_id,
                with_cycles,
                network,
            } => commands::wallet::deploy_wallet(
                canister_id.as_deref(),
                with_cycles,
                network.as_deref(),
            ),
            IdentityCommand::GetWallet { network } => {
                commands::wallet::get_wallet(network.as_deref())
            }
            IdentityCommand::SetWallet { id, network } => {
                commands::wallet::set_wallet(&id, network.as_deref())
            }
        },
        Command::Wallet { command } => {
            use commands::wallet::Operation;
            let (op, network) = match command {
                WalletCommand::Balance { precise, network } => {
                    (Operation::Balance { precise }, network)
                }
                WalletCommand::Send {
                    destination,
                    cycles,
                    network,
                } => (
                    Operation::Send {
                        to: destination,
                        cycles,
                    },
                    network,
                ),
                WalletCommand::Authorize { custodian, network } => {
                    (Operation::Authorize(custodian), network)
                }
                WalletCommand::Deauthorize { custodian, network } => {
                    (Operation::Deauthorize(custodian), network)
                }
                WalletCommand::Custodians { network } => (Operation::Custodians, network),
                WalletCommand::Controllers { network } => (Operation::Controllers, network),
            };
            commands::wallet::run(op, network.as_deref())
        }
        Command::Cycles { command } => match command {
            CyclesCommand::Balance {
                of_principal,
                network,
            } => commands::cycles::cycles_balance(of_principal.as_deref(), network.as_deref()),
            CyclesCommand::Convert { amount, network } => {
                commands::cycles::convert(&amount, network.as_deref())
            }
            CyclesCommand::Transfer {
                to,
                t,
                cycles,
                network,
            } => commands::cycles::transfer(
                &to,
                cycles
                    .or(t.map(|t| t.saturating_mul(1_000_000_000_000)))
                    .unwrap_or(0),
                network.as_deref(),
            ),
            CyclesCommand::TopUp {
                canister,
                t,
                cycles,
                icp,
                network,
            } => commands::cycles::top_up(
                &canister,
                cycles.or(t.map(|t| t.saturating_mul(1_000_000_000_000))),
                icp.as_deref(),
                network.as_deref(),
            ),
        },
        Command::Ledger { command } => match command {
            LedgerCommand::Faucet {
                of_principal,
                icp,
                t,
                network,
            } => commands::cycles::faucet(
                of_principal.as_deref(),
                icp.as_deref(),
                t,
                network.as_deref(),
            ),
            LedgerCommand::Balance {
                of_principal,
                account_id,
                network,
            } => commands::cycles::icp_balance(
                of_principal.as_deref(),
                account_id.as_deref(),
                network.as_deref(),
            ),
            LedgerCommand::Transfer {
                to,
                amount,
                memo,
                network,
            } => commands::cycles::icp_transfer(&to, &amount, memo, network.as_deref()),
            LedgerCommand::AccountId {
                of_principal,
                of_canister,
                subaccount,
                network,
            } => commands::ledger::account_id(
                of_principal.as_deref(),
                of_canister.as_deref(),
                subaccount.as_deref(),
                network.as_deref(),
            ),
            LedgerCommand::FabricateCycles {
                canister,
                all,
                cycles,
                t,
                network,
            } => commands::ledger::fabricate_cycles(
                canister.as_deref(),
                all,
                cycles.or(t.map(|t| t.saturating_mul(1_000_000_000_000))),
                network.as_deref(),
            ),
        },
        Command::Bitcoin { command } => match command {
            BitcoinCommand::Mine {
                address,
                blocks,
                network,
            } => commands::bitcoin::mine(&address, blocks, network.as_deref()),
            BitcoinCommand::Balance {
                address,
                min_confirmations,
                network,
            } => commands::bitcoin::balance(&address, min_confirmations, network.as_deref()),
        },
        Command::Canister { command } => match command {
            CanisterCommand::Call {
                canister,
                method,
                argument,
                argument_file,
                query,
                update,
                output,
                with_cycles,
                wallet,
                network,
            } => {
                let kind = match (query, update) {
                    (true, _) => commands::call::Kind::Query,
                    (_, true) => commands::call::Kind::Update,
                    _ => commands::call::Kind::AsDeclared,
                };
                match commands::read_argument(argument, argument_file.as_deref()) {
                    Ok(argument) => commands::call::run(
                        &canister,
                        &method,
                        argument.as_deref(),
                        kind,
                        output.into(),
                        with_cycles.map(|cycles| commands::call::Payment { cycles, wallet }),
                        network.as_deref(),
                    ),
                    Err(e) => Err(e),
                }
            }
            CanisterCommand::Status { canister, network } => commands::canister::run(
                commands::canister::Operation::Status,
                &canister,
                network.as_deref(),
            ),
            CanisterCommand::Start { canister, network } => commands::canister::run(
                commands::canister::Operation::Start,
                &canister,
                network.as_deref(),
            ),
            CanisterCommand::Stop { canister, network } => commands::canister::run(
                commands::canister::Operation::Stop,
                &canister,
                network.as_deref(),
            ),
            CanisterCommand::Delete { canister, network } => commands::canister::run(
                commands::canister::Operation::Delete,
                &canister,
                network.as_deref(),
            ),
            CanisterCommand::UninstallCode { canister, network } => commands::canister::run(
                commands::canister::Operation::UninstallCode,
                &canister,
                network.as_deref(),
            ),
            CanisterCommand::Install {
                canister,
                argument,
                argument_file,
                mode,
                yes,
                network,
            } => match commands::read_argument(argument, argument_file.as_deref()) {
                Ok(argument) => commands::deploy::install(&commands::deploy::Options {
                    name: Some(canister),
                    argument,
                    mode: Some(mode.into()),
                    network,
                    yes,
                    ..Default::default()
                }),
                Err(e) => Err(e),
            },
            CanisterCommand::UpdateSettings {
                canister,
                add_controller,
                remove_controller,
                set_controller,
                compute_allocation,
                memory_allocation,
                freezing_threshold,
                reserved_cycles_limit,
                wasm_memory_limit,
                log_visibility,
                network,
            } => commands::settings::run(
                &canister,
                &commands::settings::Changes {
                    add_controllers: add_controller,
                    remove_controllers: remove_controller,
                    set_controllers: set_controller,
                    compute_allocation,
                    memory_allocation,
                    freezing_threshold,
                    reserved_cycles_limit,
                    wasm_memory_limit,
                    log_visibility,
                },
                network.as_deref(),
            ),
            CanisterCommand::DepositCycles {
                cycles,
                canister,
                network,
            } => commands::cycles::top_up(&canister, Some(cycles), None, network.as_deref()),
            CanisterCommand::Info { canister, network } => {
                commands::info::run(&canister, network.as_deref())
            }
            CanisterCommand::Logs {
                canister,
                follow,
                network,
            } => commands::logs::run(&canister, follow, network.as_deref()),
            CanisterCommand::Snapshot { command } => command.run(),
            CanisterCommand::Create {
                canister,
                all,
                with_cycles,
                specified_id,
                wallet,
                network,
            } => {
                if canister.is_none() && !all {
                    Err(anyhow::anyhow!(
                        "name the canister to create, or pass --all, e.g. `kybra canister create hello`"
                    ))
                } else {
                    commands::deploy::create(&commands::deploy::Options {
                        name: canister,
                        network,
                        with_cycles,
                        specified_id,
                        wallet: wallet_option(wallet),
                        ..Default::default()
                    })
                }
            }
            CanisterCommand::Id { canister, network } => {
                commands::call::print_id(&canister, network.as_deref())
            }
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error),
    }
}

/// `--wallet` absent, bare (the identity's wallet) or with an id.
fn wallet_option(wallet: Option<String>) -> Option<Option<String>> {
    wallet.map(|id| Some(id).filter(|id| !id.is_empty()))
}

fn fail(error: anyhow::Error) -> ExitCode {
    eprintln!("Error: {error:#}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_dash_ic_means_mainnet() {
        let argv = ["kybra", "deploy", "hello", "--ic"].map(std::ffi::OsString::from);
        let cli = Cli::parse_from(expand_ic(argv.into_iter()));
        let Command::Deploy { network, .. } = cli.command else {
            panic!("parsed as another command")
        };
        assert_eq!(network.as_deref(), Some("ic"));
    }
}
