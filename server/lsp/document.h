// An open text document: its text, version and line index, and the latest analysis of it.
// Lives on the event-loop thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/model.h"
#include "protocol/jsonrpc.h"
#include "protocol/line_index.h"
#include "server/lsp/diagnostics_message.h"

namespace lockward::server::lsp {

struct TextChange {
  std::optional<std::pair<protocol::Position, protocol::Position>> range;  // none: full text
  std::string text;
};

class Document {
 public:
  Document(std::string uri, std::string language_id, long version, std::string text);

  const std::string& uri() const { return uri_; }
  const std::string& language_id() const { return language_id_; }
  long version() const { return version_; }
  const std::shared_ptr<const std::string>& text() const { return text_; }
  const protocol::LineIndex& lines() const { return *lines_; }
  // The index of this version's text, for jobs that outlive the next edit.
  const std::shared_ptr<const protocol::LineIndex>& lines_ptr() const { return lines_; }

  // Applies LSP content changes in order; positions use `encoding`. Out-of-range positions
  // clamp (LineIndex), so a confused client cannot make the server index out of bounds.
  void apply(long version, const std::vector<TextChange>& changes, protocol::PositionEncoding encoding);
  // Byte offset where the latest edit ended (0 until one): where the user is working.
  std::size_t last_edit() const { return last_edit_; }

  // The latest finished analysis and the version it describes.
  std::shared_ptr<const analysis::Analysis> analysis;
  // The publishDiagnostics notification for `analysis`, ready to send.
  std::shared_ptr<const DiagnosticsMessage> diagnostics_message;
  // The bytes in which it shows every finding (past maxDiagnostics, less than the whole text).
  analysis::TextRange diagnostics_shown;
  long analysed_version = -1;
  bool analysis_current() const { return analysis && analysed_version == version_; }

 private:
  void reindex();
  std::string uri_;
  std::string language_id_;
  long version_ = 0;
  std::size_t last_edit_ = 0;
  std::shared_ptr<const std::string> text_;
  std::shared_ptr<const protocol::LineIndex> lines_;
};

}  // namespace lockward::server::lsp
