#include "core/db.h"
#include "sync/change_set.h"
