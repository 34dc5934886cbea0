#include "core/meta_keys.h"

#include "base/i18n.h"
#include "base/text.h"
#include "core/db.h"

namespace qun::core {

Result<std::optional<std::string>> GetMeta(Database& db, const char* key) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use("SELECT value FROM meta WHERE key=?"));
  s->Bind(1, key);
  QUN_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s->Text(0));
}

Status SetMeta(Database& db, const char* key, const std::string& value) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use("INSERT INTO meta(key, value) VALUES (?, ?) "
                                                 "ON CONFLICT(key) DO UPDATE SET "
                                                 "value=excluded.value"));
  s->Bind(1, key).Bind(2, value);
  return s->Run();
}

Status DeleteMeta(Database& db, const char* key) {
  QUN_ASSIGN_OR_RETURN(CachedStatement s, db.Use("DELETE FROM meta WHERE key=?"));
  s->Bind(1, key);
  return s->Run();
}

Result<std::optional<int64_t>> AuthorityGeneration(Database& db) {
  QUN_ASSIGN_OR_RETURN(auto text, GetMeta(db, kAuthorityGenerationKey));
  if (!text) return std::optional<int64_t>();
  auto n = text::ParseUint(*text);
  if (!n || *n > static_cast<uint64_t>(INT64_MAX))
    return Status::Corruption(
        _("this node's database is damaged: the authority rules' generation is not a number"));
  return std::optional<int64_t>(static_cast<int64_t>(*n));
}

Status BumpAuthorityGeneration(Database& db) {
  return db.Exec(
      "INSERT INTO meta(key, value) VALUES ('authority_generation', 1) ON CONFLICT(key) DO "
      "UPDATE SET value = value + 1");
}

Result<bool> AuthorityDirty(Database& db) {
  QUN_ASSIGN_OR_RETURN(auto v, GetMeta(db, kAuthorityDirtyKey));
  return v.has_value();
}

Status SetAuthorityDirty(Database& db, bool dirty) {
  if (!dirty) return DeleteMeta(db, kAuthorityDirtyKey);
  return db.Exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('authority_dirty', 1)");
}

Result<bool> OpsLearned(Database& db) {
  QUN_ASSIGN_OR_RETURN(auto v, GetMeta(db, kOpsLearnedKey));
  return v.has_value();
}

Status ClearOpsLearned(Database& db) { return DeleteMeta(db, kOpsLearnedKey); }

}  // namespace qun::core
