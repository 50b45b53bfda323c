#include "server/thread_stack.h"

#include <pthread.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "analysis/syntax/nesting.h"

namespace lockward::server {

void reserve_analysis_stack() {
  constexpr rlim_t kNeeded = analysis::kParseStackBytes;
  // The main thread's stack grows on demand up to the soft limit in force at the time.
  rlimit limit{};
  if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < kNeeded) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max == RLIM_INFINITY ? kNeeded : std::max(limit.rlim_cur, std::min(limit.rlim_max, kNeeded));
    if (raised.rlim_cur < kNeeded || setrlimit(RLIMIT_STACK, &raised) != 0)
      std::fprintf(stderr, "lockward: warning: the stack limit (ulimit -s) is below %zu KiB and cannot be raised; "
                           "very deeply nested SQL may crash lockward\n",
                   static_cast<std::size_t>(kNeeded / 1024));
  }
  pthread_attr_t attr;
  if (pthread_getattr_default_np(&attr) != 0) return;
  std::size_t size = 0;
  if (pthread_attr_getstacksize(&attr, &size) == 0 && size < kNeeded) {
    int err = pthread_attr_setstacksize(&attr, kNeeded);
    if (err == 0) err = pthread_setattr_default_np(&attr);
    if (err != 0)
      std::fprintf(stderr, "lockward: warning: cannot give new threads a %zu KiB stack: %s\n",
                   static_cast<std::size_t>(kNeeded / 1024), std::strerror(err));
  }
  pthread_attr_destroy(&attr);
}

}  // namespace lockward::server
