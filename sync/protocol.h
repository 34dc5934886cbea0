// The network sync protocol's messages (schemas/sync.capnp) as C++ values,
// and their encoding. docs/protocol.md, "Network sync", says who sends what
// when; this file only says what each message holds.
//
// DecodeMessage is the one reader of bytes from the network: anything that
// is not a well-formed SyncMessage of a known kind is Corruption, never a
// crash or an exception.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/status.h"
#include "core/identity.h"
#include "sync/bundle.h"
#include "sync/change_set.h"
#include "sync/change_set_store.h"

namespace qun::sync {

// The protocol this build speaks.
constexpr uint16_t kProtocolVersion = 1;

// The largest ZeroMQ message a node takes: one change set of the largest
// size with room for its framing. Larger ones are dropped by ZeroMQ before
// they reach memory (ZMQ_MAXMSGSIZE), and the connection with them.
constexpr int64_t kMaxMessageSize = int64_t{kMaxChangeSetSize} + (1 << 20);

// A batch holds change sets up to about this many bytes (at least one).
constexpr size_t kBatchBytes = 512 * 1024;
constexpr size_t kBatchChangeSets = 1024;
// Batches a receiver accepts before it grants more: with kBatchBytes, about
// 2 MiB in flight each way.
constexpr uint32_t kCreditWindow = 4;

struct Hello {
  uint16_t protocol_version = kProtocolVersion;
  CommunityId community{};
  Heads heads;
  uint32_t credit = kCreditWindow;
  uint64_t sending = 0;
  bool relay = false;
};

struct Batch {
  std::vector<std::string> change_sets;
};

struct Credit {
  uint32_t batches = 1;
  uint32_t applied = 0, already_held = 0, pending = 0, rejected = 0;
};

struct Done {
  Heads heads;
};

enum class ErrorCode {
  kBadMessage,
  kProtocolVersion,
  kOtherCommunity,
  kNoSession,
  kBusy,
  kInternal,
  kBadCode
};

struct Error {
  ErrorCode code = ErrorCode::kBadMessage;
  std::string message;
};

struct Join {
  std::string secret;
  std::string name;
  core::PublicKey node{};
};

struct Invited {
  std::string invite;
};

using Message = std::variant<Hello, Batch, Credit, Done, Error, Join, Invited>;

std::string EncodeMessage(const Message& m);
// Corruption when `bytes` is not one SyncMessage, or one of a kind this
// build does not know, or a field has an impossible size.
Result<Message> DecodeMessage(std::string_view bytes);

}  // namespace qun::sync
