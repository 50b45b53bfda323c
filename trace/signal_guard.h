// Runs a clean-up when the process is asked to stop (SIGINT, SIGTERM, SIGHUP): the signals
// are blocked in the creating thread (and threads it starts later) and a dedicated thread
// waits for them, runs the clean-up (stopping clusters, removing their directories), and
// exits with 128 + the signal. Create it before starting other threads.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

namespace lockward::trace {

class SignalGuard {
 public:
  explicit SignalGuard(std::function<void()> cleanup);
  ~SignalGuard();  // disarms: a later signal just ends the process
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

  struct State {
    std::mutex mutex;
    std::function<void()> cleanup;
  };

 private:
  std::shared_ptr<State> state_;
};

}  // namespace lockward::trace
