// The vetKD notes sample (examples/vetkd_notes), deployed by the `kybra` CLI, used as a
// browser app would: through @dfinity/agent, with DFINITY's client library @dfinity/vetkeys
// decrypting and verifying the keys the canister obtains from the replica's vetKD.
//
// Usage: node vetkd_notes.mjs REPLICA_URL CANISTER_ID NOTE
//
// Promises: asserts nothing itself. It prints ONE JSON object on stdout for
// tests/e2e/test_vetkd.py to check:
//   public_key_bytes      length of public_key()'s key
//   encrypted_key_bytes   length of encrypted_key()'s answer
//   verified              alice's vetKey decrypted and verified against public_key()
//   same_key_again        a second transport key gives alice the same vetKey
//   note_back             alice's note, saved encrypted and decrypted after my_note()
//   stored_is_plaintext   whether the canister's copy contains the note in the clear
//   bob_note              bob's my_note() before he saved one (null)
//   bob_reads_alice       whether bob's key decrypts alice's ciphertext
//   bob_as_alice          whether bob's vetKey verifies as alice's
//   bad_transport_key     encrypted_key() with bytes that are no G1 point: its Err
// Any unexpected failure exits non-zero with the error on stderr.
import { Actor, HttpAgent } from '@dfinity/agent';
import { Ed25519KeyIdentity } from '@dfinity/identity';
import { Principal } from '@dfinity/principal';
import {
  DerivedPublicKey,
  EncryptedVetKey,
  TransportSecretKey,
} from '@dfinity/vetkeys';

const [host, canisterText, note] = process.argv.slice(2);
if (note === undefined) {
  console.error('usage: node vetkd_notes.mjs REPLICA_URL CANISTER_ID NOTE');
  process.exit(2);
}
const canisterId = Principal.fromText(canisterText);
const DOMAIN = 'kybra vetkd notes example';

// The sample's interface, as in its generated .did.
const idl = ({ IDL }) => {
  const BlobResult = IDL.Variant({ Ok: IDL.Vec(IDL.Nat8), Err: IDL.Text });
  return IDL.Service({
    public_key: IDL.Func([], [BlobResult], []),
    encrypted_key: IDL.Func([IDL.Vec(IDL.Nat8)], [BlobResult], []),
    save_note: IDL.Func([IDL.Vec(IDL.Nat8)], [], []),
    my_note: IDL.Func([], [IDL.Opt(IDL.Vec(IDL.Nat8))], ['query']),
  });
};

/** An actor for a fresh identity made from `seed`. */
async function user(seed) {
  const identity = Ed25519KeyIdentity.generate(new Uint8Array(32).fill(seed));
  const agent = await HttpAgent.create({ host, identity, shouldFetchRootKey: true });
  return { actor: Actor.createActor(idl, { agent, canisterId }), principal: identity.getPrincipal() };
}

function ok(result, what) {
  if ('Err' in result) throw new Error(`${what}: ${result.Err}`);
  return new Uint8Array(result.Ok);
}

/** `who`'s vetKey (verified against `dpk` for `input`) through a new transport key. */
async function vetKey(who, dpk, input) {
  const tsk = TransportSecretKey.random();
  const encrypted = ok(await who.actor.encrypted_key(tsk.publicKeyBytes()), 'encrypted_key');
  return { key: EncryptedVetKey.deserialize(encrypted).decryptAndVerify(tsk, dpk, input), bytes: encrypted.length };
}

const alice = await user(1);
const bob = await user(2);
const publicKey = ok(await alice.actor.public_key(), 'public_key');
const dpk = DerivedPublicKey.deserialize(publicKey);

const aliceKey = await vetKey(alice, dpk, alice.principal.toUint8Array());
const again = await vetKey(alice, dpk, alice.principal.toUint8Array());
const aliceMaterial = await aliceKey.key.asDerivedKeyMaterial();
const ciphertext = await aliceMaterial.encryptMessage(note, DOMAIN);
await alice.actor.save_note(ciphertext);
const stored = new Uint8Array((await alice.actor.my_note())[0]);
const back = new TextDecoder().decode(await aliceMaterial.decryptMessage(stored, DOMAIN));

const bobNote = await bob.actor.my_note();
const bobKey = await vetKey(bob, dpk, bob.principal.toUint8Array());
let bobReadsAlice = true;
try {
  await (await bobKey.key.asDerivedKeyMaterial()).decryptMessage(stored, DOMAIN);
} catch {
  bobReadsAlice = false;
}
let bobAsAlice = true;
try {
  await vetKey(bob, dpk, alice.principal.toUint8Array());
} catch {
  bobAsAlice = false;
}
const bad = await alice.actor.encrypted_key(new Uint8Array(48).fill(1));

console.log(
  JSON.stringify({
    public_key_bytes: publicKey.length,
    encrypted_key_bytes: aliceKey.bytes,
    verified: true,
    same_key_again:
      Buffer.from(again.key.signatureBytes()).equals(Buffer.from(aliceKey.key.signatureBytes())),
    note_back: back,
    stored_is_plaintext: Buffer.from(stored).includes(Buffer.from(note)),
    bob_note: bobNote.length === 0 ? null : 'present',
    bob_reads_alice: bobReadsAlice,
    bob_as_alice: bobAsAlice,
    bad_transport_key: bad.Err ?? null,
  }),
);
