// Wires stdin (a plain blocking reader thread: Asio's stream descriptors refuse regular files,
// which tests and users pipe in) to the event loop, and the loop to stdout.
#include "server/lsp/lsp_main.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <fcntl.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <utility>  // before Boost 1.74 Asio, whose awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
#include <cerrno>
#include <chrono>
#include <future>
#include <thread>

#include "protocol/framing.h"
#include "server/lsp/lsp_server.h"

namespace lockward::server::lsp {
namespace {

// How long the server may take to tear down after `exit` or the end of input.
constexpr std::chrono::milliseconds kTeardownLimit{500};

void write_all(int fd, std::string_view data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the client is gone; exit will follow on stdin EOF
    done += static_cast<std::size_t>(n);
  }
}

void setup_logging(const LspArgs& args) {
  std::shared_ptr<spdlog::logger> logger;
  if (args.log_file) logger = spdlog::basic_logger_mt("lockward", *args.log_file);
  else logger = spdlog::stderr_logger_mt("lockward");
  logger->set_level(spdlog::level::from_str(args.log_level.value_or(args.log_file ? "info" : "warn")));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace

int run_lsp(const LspArgs& args) {
  setup_logging(args);
  // Every keystroke in a large document copies its text (MBs) and rebuilds its line index:
  // with glibc's defaults such blocks get fresh mappings or trimmed heap pages each time, and
  // page faults were a third of a keystroke's cost. Blocks up to 16 MiB come from the heap, and
  // up to 64 MiB of free heap stays mapped, so the next keystroke reuses the same pages.
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  // A large document's diagnostics can be MBs per edit (maxDiagnostics 0): a 1 MiB pipe (the
  // default maximum) instead of 64 KiB lets them go out with fewer waits for the client. Not a
  // pipe: no-op.
  fcntl(STDOUT_FILENO, F_SETPIPE_SZ, 1 << 20);
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  // No signal handling of our own: trace clusters are leased (trace/warm_cluster), and when
  // SIGTERM/SIGINT/SIGHUP ends this process its keeper sees the lease's process gone and stops
  // the cluster within a second unless another lockward still uses it.
  auto owned = std::make_unique<LspServer>(io, [](std::string_view bytes) { write_all(STDOUT_FILENO, bytes); });
  LspServer& server = *owned;
  spdlog::info("lockward language server started");

  std::thread reader([&io, &server, max = args.max_message_bytes] {
    protocol::FrameReader frames(max);
    char buffer[64 * 1024];
    for (;;) {
      ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      frames.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
      for (auto event = frames.next(); !std::holds_alternative<std::monostate>(event); event = frames.next()) {
        if (auto* body = std::get_if<std::string>(&event)) {
          boost::asio::post(io, [&server, b = std::move(*body)]() mutable { server.on_body(std::move(b)); });
        } else if (auto* error = std::get_if<protocol::FrameError>(&event)) {
          boost::asio::post(io, [&server, m = error->message] { server.on_frame_error(m); });
        } else if (auto* big = std::get_if<protocol::OversizedFrame>(&event)) {
          std::string m = "message of " + std::to_string(big->length) + " bytes exceeds the limit of " +
                          std::to_string(max) + " bytes and was skipped";
          boost::asio::post(io, [&server, m] { server.on_frame_error(m); });
        }
      }
    }
    if (frames.pending() > 0) {
      boost::asio::post(io, [&server] { server.on_frame_error("input ended inside a message"); });
    }
    boost::asio::post(io, [&server] { server.on_end_of_input(); });
  });
  // A handler that throws must not end the server: every request's handler runs guarded
  // (LspServer::answer_guarded); this catches whatever else escapes, and the loop goes on.
  for (;;) {
    try {
      io.run();
      break;
    } catch (const std::exception& e) {
      spdlog::error("event loop: {}", e.what());
    } catch (...) {
      spdlog::error("event loop: unknown exception");
    }
  }
  int code = server.exit_code();
  // `exit` ends the process within a second, whatever the server is doing: the teardown
  // (joining an analysis of a huge document, stopping trace clusters) gets that long, then
  // the process ends without it. A trace cluster left behind stops by itself once its lease's
  // process is gone (trace/warm_cluster).
  std::promise<void> torn_down;
  std::future<void> done = torn_down.get_future();
  std::thread teardown([&owned, &torn_down] {
    owned.reset();  // joins workers, stops trace clusters
    torn_down.set_value();
  });
  const bool finished = done.wait_for(kTeardownLimit) == std::future_status::ready;
  if (finished) {
    teardown.join();
    spdlog::info("lockward language server exiting with {}", code);
    spdlog::shutdown();
  } else {
    // Expected on a loaded machine (a trace cluster slow to stop) and harmless, so not a
    // warning: editors show a server's stderr as errors (Neovim's LSP log did, in CI).
    spdlog::info("lockward language server exiting with {} before its workers finished", code);
    spdlog::default_logger()->flush();
    teardown.detach();
  }
  // The reader may still be blocked in read(); the process exit ends it.
  reader.detach();
  std::fflush(nullptr);
  std::_Exit(code);
}

}  // namespace lockward::server::lsp
