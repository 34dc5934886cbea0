#include "core/db.h"
#include "community/events.h"
