# Qun change sets: the unit of change that admins' nodes exchange.
#
# A change set is one local write transaction of one author. Its header says
# who wrote it, where it sits in that author's chain and what it depended on;
# its ops travel encrypted under the community key; an Ed25519 signature binds
# header and ciphertext to the author. docs/protocol.md frames this file byte
# by byte.
#
# Evolution: fields are only ever added, with the next ordinal; none is
# renamed in meaning, retyped or removed. `formatVersion` changes only when a
# node of the previous version could not apply the change set correctly.

@0x9645a261cc284974;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("qun::schema");

# What travels on the wire and in bundles.
struct ChangeSet {
  header @0 :Data;
  # A `ChangeSetHeader` message in Cap'n Proto's standard (unpacked) framing,
  # kept as these exact bytes: they are what the signature covers and the
  # AEAD associated data, so a node never needs to re-serialize them.

  ciphertext @1 :Data;
  # XChaCha20-Poly1305 (IETF) encryption of a `Payload` message (standard
  # framing) under the community key of `header.keyEpoch`, with
  # `header.nonce` and the header bytes as associated data. Ends with the
  # 16-byte Poly1305 tag.

  signature @2 :Data;
  # 64-byte Ed25519 detached signature by `header.author` over the signed
  # message: "qun-changeset-v1" (16 ASCII bytes), the header length as an
  # unsigned 32-bit little-endian integer, the header bytes, then the
  # ciphertext.
}

struct ChangeSetHeader {
  formatVersion @0 :UInt16;
  # 1 for this schema. A node stores and forwards change sets of a newer
  # format but does not apply them.

  communityId @1 :Data;
  # 16 bytes: the community this change belongs to.

  author @2 :Data;
  # 32 bytes: the Ed25519 public key of the node that wrote it.

  seq @3 :UInt64;
  # 1, 2, 3... per author, without gaps.

  previousHash @4 :Data;
  # 32 bytes: the hash (see docs/protocol.md) of this author's change set
  # seq - 1; empty when seq is 1.

  dependencies @5 :List(VersionEntry);
  # For each other author whose change sets the writer had seen (applied, or
  # named by the invite it joined with): the highest seq seen. A change set
  # is applied only after all of these, and its clock ceiling is measured
  # from them.

  keyEpoch @6 :UInt32;
  # Which community key encrypts the payload; 0 is the founder's first key.

  nonce @7 :Data;
  # 24 random bytes, the XChaCha20-Poly1305 nonce.

  continues @8 :Bool;
  # True when the author's write transaction goes on in its change set
  # seq + 1: a transaction too large for one change set is sealed as a run
  # of change sets, every one but the last with `continues` set. A node
  # applies such a run together, in one database transaction, once it holds
  # all of it up to the one without `continues`, or none of it. Versions
  # before this field apply each part as it comes (false when absent).
}

struct VersionEntry {
  author @0 :Data;   # 32-byte public key
  seq @1 :UInt64;    # highest seq of that author
}

# The decrypted content of a change set.
struct Payload {
  ops @0 :List(Op);
  note @1 :Text;     # what the author did, e.g. "member add", for the history
  padding @2 :Data;
  # Zero bytes that bring the encoded payload to the size of its bucket
  # (docs/protocol.md, "Padding"), so that the ciphertext's size tells a
  # relay or an eavesdropper little about which command made the change
  # set. Readers ignore it, whatever its length and content; absent in
  # change sets made before it existed, and when no padding was needed.
}

# One field write. Its author is the change set's author.
struct Op {
  table @0 :Text;    # e.g. "person"
  rowId @1 :Text;    # lowercase hex: 32 characters, 64 for a node row (its key)
  column @2 :Text;   # e.g. "display_name"
  value @3 :Value;
  hlc @4 :UInt64;    # hybrid logical clock: ms since the epoch << 16 | counter
}

struct Value {
  union {
    null @0 :Void;
    int @1 :Int64;
    real @2 :Float64;
    text @3 :Text;
    bytes @4 :Data;
  }
}
