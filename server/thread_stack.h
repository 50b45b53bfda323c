// Gives every thread that may analyse SQL the stack analysis needs (analysis::kParseStackBytes):
// libpg_query recurses once per tree level with no stack check of its own, and glibc's default
// for new threads follows `ulimit -s` (2 MiB when it is unlimited, less when set low).
#pragma once

namespace lockward::server {

// Raises the main thread's soft stack limit and the default stack size of threads started
// afterwards (std::thread, Asio's pools) to at least kParseStackBytes. Call first in main().
// Where the hard limit forbids it, a warning goes to stderr and lockward carries on.
void reserve_analysis_stack();

}  // namespace lockward::server
