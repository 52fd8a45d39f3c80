// The engine's Stats as JSON, for the TypeScript package's typed stats().
//
// Field names are the TypeScript ones (camelCase). User keys are arbitrary
// bytes, so they travel as lowercase hex strings. Counters are JSON numbers:
// exact up to 2^53, which no counter of one open database reaches.
#pragma once

#include <string>

#include "strata/stats.h"

namespace strata {

std::string StatsToJson(const Stats& stats);

}  // namespace strata
