// How much a heavy test pushes through: all of it normally; less under
// QUN_TEST_SCALE (a number in (0, 1]), which setup.sh sets for the run
// under the sanitizers, where every step costs several times more and the
// normal build has pushed the full amount already. What each test asserts
// holds at any scale: only the amount of data shrinks, never below `least`.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace qun::testing {

inline double TestScale() {
  const char* s = std::getenv("QUN_TEST_SCALE");
  if (!s || !*s) return 1.0;
  double v = std::atof(s);
  return v > 0 && v <= 1 ? v : 1.0;
}

inline int Scaled(int n, int least) {
  return std::max(least, static_cast<int>(std::lround(n * TestScale())));
}

}  // namespace qun::testing
