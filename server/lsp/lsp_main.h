// `lockward lsp`: the language server on stdin/stdout.
#pragma once

#include <optional>
#include <string>

namespace lockward::server::lsp {

struct LspArgs {
  std::optional<std::string> log_file;  // default: stderr
  // trace, debug, info, warn, error, off. Unset: warn on stderr (clients such as Neovim show
  // whatever a server writes there as errors), info in a --log-file.
  std::optional<std::string> log_level;
  std::size_t max_message_bytes = 64u << 20;
};

int run_lsp(const LspArgs& args);

}  // namespace lockward::server::lsp
