#pragma once
#include "base/status.h"
#include "community/registry.h"
