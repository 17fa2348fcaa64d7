// Imports the declarations `kybra generate` wrote, exactly as they are, and calls the
// book's hello world through them — no agent set up here: `createActor` makes its own
// agent, which must fetch the local replica's root key itself (DFX_NETWORK is not `ic`),
// so that the update's certificate and the query's signatures verify.
//
// Usage: node declarations.mjs DECLARATIONS_DIR NAME REPLICA_URL CANISTER_ID MESSAGE
// (CANISTER_ID is put in process.env.CANISTER_ID_<NAME> before the import, as a bundler or
// `kybra deploy` would.) Then, with DFX_NETWORK=ic, an actor from createActor must not fetch
// the root key: it verifies with mainnet's, so its call to this replica must fail.
// Prints ONE JSON line: { exports, canisterId, before, after, root_key_bytes, default_actor,
// mainnet: { rejected, error } }. Any other failure exits non-zero with the error on stderr.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Actor } from '@dfinity/agent';

const [dir, name, host, id, message] = process.argv.slice(2);
if (message === undefined) {
  console.error('usage: node declarations.mjs DECLARATIONS_DIR NAME REPLICA_URL CANISTER_ID MESSAGE');
  process.exit(2);
}
process.env[`CANISTER_ID_${name.toUpperCase().replaceAll('-', '_')}`] = id;
const declarations = await import(pathToFileURL(path.resolve(dir, 'index.js')).href);
const actor = declarations.createActor(declarations.canisterId, { agentOptions: { host } });
const before = await actor.get_message();
await actor.set_message(message);
const after = await actor.get_message();
process.env.DFX_NETWORK = 'ic';
const mainnet = declarations.createActor(declarations.canisterId, { agentOptions: { host } });
const ic = await mainnet.get_message().then(
  (value) => ({ rejected: false, error: `answered ${value}` }),
  (error) => ({ rejected: true, error: String(error) }),
);
console.log(JSON.stringify({
  exports: Object.keys(declarations).sort(),
  canisterId: declarations.canisterId,
  before,
  after,
  root_key_bytes: Actor.agentOf(actor).rootKey?.length ?? null,
  default_actor: typeof declarations[name]?.get_message,
  mainnet: ic,
}));
