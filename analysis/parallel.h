// A way to run independent work on several threads, handed in by the caller: analysis/ starts
// no threads itself. Parsing and classifying statements needs no file context, so a whole-file
// analysis of a large text spreads that part over the caller's threads.
#pragma once

#include <cstddef>
#include <functional>

namespace lockward::analysis {

// Calls work(i) once for each i in [0, n), in any order, on any threads, and returns when all
// calls have. `work` is safe to call concurrently.
using ParallelFor = std::function<void(std::size_t n, const std::function<void(std::size_t)>& work)>;

}  // namespace lockward::analysis
