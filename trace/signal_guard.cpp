#include "trace/signal_guard.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

namespace lockward::trace {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

}  // namespace

SignalGuard::SignalGuard(std::function<void()> cleanup) : state_(std::make_shared<State>()) {
  state_->cleanup = std::move(cleanup);
  sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([state = state_, set] {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) return;
    // Exit while still holding the mutex: the clean-up may unblock the main thread, whose
    // normal return then waits in ~SignalGuard instead of exiting 0 first.
    std::lock_guard<std::mutex> lock(state->mutex);
    if (state->cleanup) {
      std::fprintf(stderr, "lockward: stopping on signal %d, cleaning up\n", sig);
      state->cleanup();
    }
    _exit(128 + sig);
  }).detach();
}

SignalGuard::~SignalGuard() {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->cleanup = nullptr;
}

}  // namespace lockward::trace
