#include "server/pool_parallel_for.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/post.hpp>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace lockward::server {

PoolParallelFor::PoolParallelFor(unsigned helpers) : helpers_(helpers), pool_(helpers == 0 ? 1 : helpers) {}

PoolParallelFor::~PoolParallelFor() { pool_.join(); }

unsigned PoolParallelFor::helpers_for_cores(unsigned cap) {
  return std::min(cap, std::max(1u, std::thread::hardware_concurrency()) - 1);
}

void PoolParallelFor::operator()(std::size_t n, const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::condition_variable finished;
  unsigned running = 0;
  std::exception_ptr error;
  auto drain = [&] {
    try {
      for (std::size_t i = next++; i < n; i = next++) work(i);
    } catch (...) {
      next = n;  // the others stop at their next item
      std::lock_guard lock(mutex);
      if (!error) error = std::current_exception();
    }
  };
  const unsigned helpers = n > 1 ? helpers_ : 0;
  running = helpers;
  for (unsigned h = 0; h < helpers; ++h) {
    boost::asio::post(pool_, [&] {
      drain();
      std::lock_guard lock(mutex);
      if (--running == 0) finished.notify_one();
    });
  }
  drain();
  // `work` and this frame must outlive every helper's loop.
  std::unique_lock lock(mutex);
  finished.wait(lock, [&] { return running == 0; });
  if (error) std::rethrow_exception(error);
}

}  // namespace lockward::server
