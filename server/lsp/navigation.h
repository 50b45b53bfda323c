// Where the objects a migration names came from: go to definition (the statement that created
// the name under the cursor, in an earlier migration or earlier in the document), find
// references (every statement of the history and of the document that touched it) and the
// origin line of hover ("index users_email_idx on users, created in 0001_init.sql:12").
// `options` are the document's, with its history (options_with_history); `own` is the document's
// split and the model of its own statements (analysis::file_index, built once per text by the
// caller: a hover must not split or parse the whole document again). Call it on the analysis worker.
#pragma once

#include <string>

#include "analysis/options.h"
#include "analysis/object_at.h"
#include "protocol/jsonrpc.h"
#include "protocol/line_index.h"
#include "server/lsp/document.h"
#include "server/lsp/document_history.h"

namespace lockward::server::lsp {

using protocol::Json;

// A Location, or null when the name is not one the history or the document created.
Json definition(const Document& doc, const DocumentHistory* history, const analysis::Options& options,
                const analysis::FileIndex& own, protocol::PositionEncoding enc, std::size_t offset);
// Locations, oldest first; [] for an unknown name.
Json references(const Document& doc, const DocumentHistory* history, const analysis::Options& options,
                const analysis::FileIndex& own, protocol::PositionEncoding enc, std::size_t offset,
                bool include_declaration);
// "" when not known.
std::string origin_line(const Document& doc, const DocumentHistory* history, const analysis::Options& options,
                        const analysis::FileIndex& own, protocol::PositionEncoding enc, std::size_t offset);

}  // namespace lockward::server::lsp
