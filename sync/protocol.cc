#include "sync/protocol.h"

#include "schemas/sync.capnp.h"
#include "sync/capnp_io.h"

namespace qun::sync {
namespace {

void SetHeads(capnp::List<schema::VectorEntry>::Builder out, const Heads& heads) {
  for (size_t i = 0; i < heads.size(); ++i) {
    auto e = out[static_cast<unsigned>(i)];
    e.setAuthor(AsData(heads[i].author));
    e.setSeq(heads[i].seq);
    e.setHeadHash(AsData(heads[i].hash));
    e.setForked(heads[i].forked);
  }
}

Result<Heads> GetHeads(capnp::List<schema::VectorEntry>::Reader in) {
  Heads out;
  out.reserve(in.size());
  for (auto e : in) {
    Head h;
    if (!CopyFixed(e.getAuthor(), &h.author) || !CopyFixed(e.getHeadHash(), &h.hash))
      return Status::Corruption(
          "a sync message is damaged: a version vector entry has the wrong size");
    h.seq = e.getSeq();
    h.forked = e.getForked();
    if (!out.empty() && !(out.back().author < h.author))
      return Status::Corruption("a sync message is damaged: its version vector is not in order");
    out.push_back(h);
  }
  return out;
}

schema::Error::Code ToSchema(ErrorCode c) {
  switch (c) {
    case ErrorCode::kBadMessage:
      return schema::Error::Code::BAD_MESSAGE;
    case ErrorCode::kProtocolVersion:
      return schema::Error::Code::PROTOCOL_VERSION;
    case ErrorCode::kOtherCommunity:
      return schema::Error::Code::OTHER_COMMUNITY;
    case ErrorCode::kNoSession:
      return schema::Error::Code::NO_SESSION;
    case ErrorCode::kBusy:
      return schema::Error::Code::BUSY;
    case ErrorCode::kInternal:
      return schema::Error::Code::INTERNAL;
    case ErrorCode::kBadCode:
      return schema::Error::Code::BAD_CODE;
  }
  return schema::Error::Code::INTERNAL;
}

ErrorCode FromSchema(schema::Error::Code c) {
  switch (c) {
    case schema::Error::Code::BAD_MESSAGE:
      return ErrorCode::kBadMessage;
    case schema::Error::Code::PROTOCOL_VERSION:
      return ErrorCode::kProtocolVersion;
    case schema::Error::Code::OTHER_COMMUNITY:
      return ErrorCode::kOtherCommunity;
    case schema::Error::Code::NO_SESSION:
      return ErrorCode::kNoSession;
    case schema::Error::Code::BUSY:
      return ErrorCode::kBusy;
    case schema::Error::Code::INTERNAL:
      return ErrorCode::kInternal;
    case schema::Error::Code::BAD_CODE:
      return ErrorCode::kBadCode;
  }
  // A code added by a newer Qun: its message still says what happened.
  return ErrorCode::kInternal;
}

struct Encoder {
  schema::SyncMessage::Builder m;
  void operator()(const Hello& h) {
    auto b = m.initHello();
    b.setProtocolVersion(h.protocol_version);
    b.setCommunityId(AsData(h.community));
    SetHeads(b.initVector(static_cast<unsigned>(h.heads.size())), h.heads);
    b.setCredit(h.credit);
    b.setSending(h.sending);
    b.setRole(h.relay ? schema::Hello::Role::RELAY : schema::Hello::Role::NODE);
  }
  void operator()(const Batch& batch) {
    auto list = m.initBatch().initChangeSets(static_cast<unsigned>(batch.change_sets.size()));
    for (size_t i = 0; i < batch.change_sets.size(); ++i)
      list.set(static_cast<unsigned>(i), AsData(batch.change_sets[i]));
  }
  void operator()(const Credit& c) {
    auto b = m.initCredit();
    b.setBatches(c.batches);
    b.setApplied(c.applied);
    b.setAlreadyHeld(c.already_held);
    b.setPending(c.pending);
    b.setRejected(c.rejected);
  }
  void operator()(const Done& d) {
    SetHeads(m.initDone().initVector(static_cast<unsigned>(d.heads.size())), d.heads);
  }
  void operator()(const Error& e) {
    auto b = m.initError();
    b.setCode(ToSchema(e.code));
    b.setMessage(e.message);
  }
  void operator()(const Join& j) {
    auto b = m.initJoin();
    b.setSecret(AsData(j.secret));
    b.setName(j.name);
    b.setNode(AsData(j.node));
  }
  void operator()(const Invited& i) { m.initInvited().setInvite(AsData(i.invite)); }
};

}  // namespace

std::string EncodeMessage(const Message& m) {
  capnp::MallocMessageBuilder message;
  std::visit(Encoder{message.initRoot<schema::SyncMessage>()}, m);
  return ToBytes(message);
}

Result<Message> DecodeMessage(std::string_view bytes) {
  return ReadMessage<Message>(
      bytes, "sync message", [](capnp::MessageReader& reader) -> Result<Message> {
        auto m = reader.getRoot<schema::SyncMessage>();
        switch (m.which()) {
          case schema::SyncMessage::HELLO: {
            auto h = m.getHello();
            Hello out;
            out.protocol_version = h.getProtocolVersion();
            // A hello of another version is still read this far, so that
            // the answer can say which version each side speaks.
            if (out.protocol_version != kProtocolVersion) return Message(out);
            if (!CopyFixed(h.getCommunityId(), &out.community))
              return Status::Corruption(
                  "a sync message is damaged: the community id has the wrong size");
            QUN_ASSIGN_OR_RETURN(out.heads, GetHeads(h.getVector()));
            out.credit = h.getCredit();
            out.sending = h.getSending();
            out.relay = h.getRole() == schema::Hello::Role::RELAY;
            return Message(out);
          }
          case schema::SyncMessage::BATCH: {
            Batch out;
            auto list = m.getBatch().getChangeSets();
            out.change_sets.reserve(list.size());
            for (auto d : list)
              out.change_sets.emplace_back(reinterpret_cast<const char*>(d.begin()), d.size());
            return Message(std::move(out));
          }
          case schema::SyncMessage::CREDIT: {
            auto c = m.getCredit();
            return Message(Credit{c.getBatches(), c.getApplied(), c.getAlreadyHeld(),
                                  c.getPending(), c.getRejected()});
          }
          case schema::SyncMessage::DONE: {
            Done out;
            QUN_ASSIGN_OR_RETURN(out.heads, GetHeads(m.getDone().getVector()));
            return Message(out);
          }
          case schema::SyncMessage::ERROR: {
            auto e = m.getError();
            return Message(Error{FromSchema(e.getCode()), e.getMessage()});
          }
          case schema::SyncMessage::JOIN: {
            auto j = m.getJoin();
            auto secret = j.getSecret();
            Join out{std::string(reinterpret_cast<const char*>(secret.begin()), secret.size()),
                     j.getName(),
                     {}};
            if (!CopyFixed(j.getNode(), &out.node))
              return Status::Corruption(
                  "a sync message is damaged: the node id has the wrong size");
            return Message(out);
          }
          case schema::SyncMessage::INVITED: {
            auto invite = m.getInvited().getInvite();
            return Message(
                Invited{std::string(reinterpret_cast<const char*>(invite.begin()), invite.size())});
          }
        }
        return Status::Corruption("a sync message is of a kind this version of qun does not know");
      });
}

}  // namespace qun::sync
