#include "node/node.h"
void Count(Db& db) { db.Prepare("SELECT count(*) FROM person"); }
void Write(Txn* txn) { txn->Set("membership", id, "intro", text); }
