# Qun's network sync protocol: the messages two nodes (or a node and a relay)
# exchange over one ZeroMQ connection. docs/protocol.md, "Network sync",
# describes the exchange and frames each message.
#
# Every ZeroMQ message is exactly one `SyncMessage` in Cap'n Proto's standard
# (unpacked) framing, in a single frame. The connection itself is encrypted
# and authenticated by ZeroMQ's CURVE mechanism; change sets inside are
# additionally signed and encrypted on their own (changeset.capnp).
#
# Evolution: fields are only ever added, with the next ordinal.
# `protocolVersion` changes only when a node of the previous version could
# not take part correctly; a node refuses a hello of another version with an
# `Error` of code `protocolVersion`.

@0xa1b0d1babe453e31;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("qun::schema");

struct VectorEntry {
  # How far a node holds one author's chain.
  author @0 :Data;      # 32-byte Ed25519 public key
  seq @1 :UInt64;       # the highest seq held together with all before it
  headHash @2 :Data;    # 32-byte hash of that change set (see changeset.capnp)
  forked @3 :Bool;      # the node holds evidence that this author equivocated
}

struct Hello {
  protocolVersion @0 :UInt16;  # 1 for this schema
  communityId @1 :Data;        # 16 bytes
  vector @2 :List(VectorEntry);
  credit @3 :UInt32;
  # How many `Batch` messages the sender of this hello accepts before it
  # grants more with `credit`.
  sending @4 :UInt64;
  # The number of change sets the sender will stream. In the client's hello
  # it is 0: the client learns what the server lacks from the server's hello.
  role @5 :Role;
  enum Role {
    node @0;
    relay @1;    # stores and forwards; holds no community key
  }
}

struct Batch {
  changeSets @0 :List(Data);   # each a `ChangeSet` message, exactly as signed
}

struct Credit {
  # Sent after the receiver has taken in one `Batch`: the sender may send
  # `batches` more. The counts say what became of that batch's change sets.
  batches @0 :UInt32;
  applied @1 :UInt32;
  alreadyHeld @2 :UInt32;
  pending @3 :UInt32;
  rejected @4 :UInt32;
}

struct Done {
  # The client's last message: everything is sent and taken in. `vector` is
  # where the client now stands.
  vector @0 :List(VectorEntry);
}

struct Join {
  # A new node's first message to the node that gave it an invite code
  # (`qun join CODE`), instead of hello: the code's one-time secret, which
  # only the CURVE-encrypted connection carries.
  secret @0 :Data;     # 16 bytes
  name @1 :Text;       # the new admin's name, as co-admins will see it
  node @2 :Data;       # its node id (32 bytes), whose X25519 form must be
                       # the key it connected with
}

struct Invited {
  # The answer to a join with a good code: the invite, sealed to the new
  # node's key exactly as an invite file holds it (see "Invites").
  invite @0 :Data;
}

struct Error {
  code @0 :Code;
  message @1 :Text;   # for people; says what to do
  enum Code {
    badMessage @0;        # not a SyncMessage, or not one expected now
    protocolVersion @1;   # the hello's version is not this node's
    otherCommunity @2;    # the hello names a community this node is not in
    noSession @3;         # a message for a sync this node does not know (it restarted)
    busy @4;              # too many syncs at once; try again later
    internal @5;          # this node failed; its log says why
    badCode @6;           # a join with a code that is wrong, used or expired
  }
}

struct SyncMessage {
  union {
    hello @0 :Hello;
    batch @1 :Batch;
    credit @2 :Credit;
    done @3 :Done;
    error @4 :Error;
    join @5 :Join;
    invited @6 :Invited;
  }
}
