// An analysis::ParallelFor on the calling thread and a few pool threads of its own (never the
// analysis worker's pool: a job waiting on its own pool could wait forever). Shared by the
// language server's whole-file analyses and the CLI's files and large files. Several threads
// may call it at once: each call waits only for its own items.
#pragma once

#include <utility>  // before Boost 1.74 Asio, whose awaitable.hpp uses std::exchange without it
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <functional>

#include "analysis/parallel.h"

namespace lockward::server {

class PoolParallelFor {
 public:
  // `helpers` threads besides the caller's; 0 runs everything on the caller's.
  explicit PoolParallelFor(unsigned helpers);
  ~PoolParallelFor();
  PoolParallelFor(const PoolParallelFor&) = delete;
  PoolParallelFor& operator=(const PoolParallelFor&) = delete;

  // Runs work(i) for each i in [0, n); an exception from `work` is rethrown here once every
  // thread has stopped.
  void operator()(std::size_t n, const std::function<void(std::size_t)>& work);

  // This pool as the analysis' type (valid while the pool lives).
  analysis::ParallelFor parallel_for() {
    return [this](std::size_t n, const std::function<void(std::size_t)>& work) { (*this)(n, work); };
  }

  // Helper threads worth having here: one per core beyond the caller's, at most `cap`.
  static unsigned helpers_for_cores(unsigned cap);

 private:
  unsigned helpers_;
  boost::asio::thread_pool pool_;
};

}  // namespace lockward::server
