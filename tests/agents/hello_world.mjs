// The book's hello world, already deployed by the `kybra` CLI, driven through @dfinity/agent.
//
// Usage: node hello_world.mjs REPLICA_URL CANISTER_ID MESSAGE_V3 MESSAGE_V2
//
// Promises: deploys nothing and asserts nothing itself. It prints ONE JSON object on stdout
// with what the agent saw, for tests/e2e/test_agents.py to check:
//   root_key_bytes       length of the root key fetched with fetchRootKey()
//   before, after_v3, after_v2
//                        get_message() (query, signature verified) before and after each update
//   first_query_endpoints
//                        the replica paths the first query used (the query, and the read_state
//                        that fetches the node keys its signature is checked with)
//   set_v3               set_message(MESSAGE_V3) through the Actor (the agent's default, v3 call):
//                        { status, endpoints } where endpoints are the replica paths it used
//   set_v2               set_message(MESSAGE_V2) through agent.call({ callSync: false }) (v2 call,
//                        then read_state polling): { status, reply_hex, endpoints }
//   forged_query         a get_message() whose reply bytes were altered on the wire before the
//                        agent saw them: { rejected, error } (the agent must refuse it)
//   module_hash, controllers
//                        CanisterStatus.request (certified read_state)
// Any unexpected failure exits non-zero with the error on stderr.
import { Actor, CanisterStatus, Cbor, HttpAgent, pollForResponse } from '@dfinity/agent';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';

const [host, canisterText, messageV3, messageV2] = process.argv.slice(2);
if (messageV2 === undefined) {
  console.error('usage: node hello_world.mjs REPLICA_URL CANISTER_ID MESSAGE_V3 MESSAGE_V2');
  process.exit(2);
}
const canisterId = Principal.fromText(canisterText);

// The hello world service, as in the book's src/main.did.
const helloIdl = ({ IDL }) =>
  IDL.Service({
    get_message: IDL.Func([], [IDL.Text], ['query']),
    set_message: IDL.Func([IDL.Text], [], []),
  });

/** A fetch that records "METHOD /path" of every request, and may rewrite responses. */
function recordingFetch(log, rewrite) {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input.url);
    log.push(`${init?.method ?? 'GET'} ${url.pathname}`);
    const response = await fetch(input, init);
    return rewrite ? rewrite(url, response) : response;
  };
}

/** Runs `action` and returns its result with the endpoints it used. */
async function tracked(log, action) {
  const start = log.length;
  const result = await action();
  return { result, endpoints: log.slice(start) };
}

const log = [];
const agent = await HttpAgent.create({
  host,
  fetch: recordingFetch(log),
  shouldFetchRootKey: true,
  verifyQuerySignatures: true,
});
const hello = Actor.createActorWithHttpDetails(helloIdl, { agent, canisterId });

const first = await tracked(log, () => hello.get_message());
const before = first.result.result;

const v3 = await tracked(log, () => hello.set_message(messageV3));
const afterV3 = (await hello.get_message()).result;

// The v2 path: submit (202 Accepted), then poll request_status through read_state.
const v2 = await tracked(log, async () => {
  const { requestId, response } = await agent.call(canisterId, {
    methodName: 'set_message',
    arg: IDL.encode([IDL.Text], [messageV2]),
    callSync: false,
  });
  const { reply } = await pollForResponse(agent, canisterId, requestId);
  return { status: response.status, reply: new Uint8Array(reply) };
});
const afterV2 = (await hello.get_message()).result;

// A man in the middle changes the answer of a query: signature verification must catch it.
const forger = await HttpAgent.create({
  host,
  shouldFetchRootKey: true,
  verifyQuerySignatures: true,
  fetch: recordingFetch([], async (url, response) => {
    if (!url.pathname.endsWith('/query') || response.status !== 200) return response;
    const body = Cbor.decode(new Uint8Array(await response.arrayBuffer()));
    if (body.status === 'replied') {
      body.reply.arg = IDL.encode([IDL.Text], ['forged answer']);
    }
    return new Response(Cbor.encode(body), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }),
});
let forgedQuery;
try {
  const value = await Actor.createActor(helloIdl, { agent: forger, canisterId }).get_message();
  forgedQuery = { rejected: false, value };
} catch (error) {
  forgedQuery = { rejected: true, error: String(error?.message ?? error).split('\n')[0] };
}

const status = await CanisterStatus.request({
  agent,
  canisterId,
  paths: ['module_hash', 'controllers'],
});

console.log(
  JSON.stringify({
    root_key_bytes: agent.rootKey?.byteLength ?? 0,
    before,
    first_query_endpoints: first.endpoints,
    set_v3: { status: v3.result.httpDetails.status, endpoints: v3.endpoints },
    after_v3: afterV3,
    set_v2: {
      status: v2.result.status,
      reply_hex: Buffer.from(v2.result.reply).toString('hex'),
      endpoints: v2.endpoints,
    },
    after_v2: afterV2,
    forged_query: forgedQuery,
    module_hash: status.get('module_hash') ?? null,
    controllers: (status.get('controllers') ?? []).map((p) => p.toText()),
  }),
);
