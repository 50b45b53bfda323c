// Go to definition, find references and the origin line of hover: the name under the cursor
// (analysis::name_at), looked up in the document's history model (the migrations before it) and
// in a model of the document's own statements. Runs on the analysis worker (it parses, and the
// history belongs to that thread); a name nobody created answers null / [], never an error.
#include "server/lsp/navigation.h"

#include <cstdio>
#include <map>

#include "analysis/object_at.h"
#include "server/lsp/convert.h"
#include "server/lsp/lsp_server.h"

namespace lockward::server::lsp {
namespace {

using analysis::ObjectRef;
using analysis::SchemaModel;
using analysis::Touch;
using analysis::TouchKind;

// A file:// URI for an absolute path; bytes outside the unreserved set are percent-encoded.
std::string uri_from_path(const std::filesystem::path& path) {
  std::string out = "file://";
  for (unsigned char c : path.generic_string()) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

struct Resolved {
  analysis::NameAt at;
  ObjectRef ref;
  std::vector<Touch> earlier;  // the history's touches (places before the document)
  std::vector<Touch> local;    // the document's own
};

class Navigator {
 public:
  Navigator(const Document& doc, const DocumentHistory* history, const analysis::Options& options,
            const analysis::FileIndex& own, protocol::PositionEncoding enc)
      : doc_(doc), history_(history), options_(options), enc_(enc), own_(own), local_(own.model) {}

  std::optional<Resolved> resolve(std::size_t offset) {
    const std::string& text = *doc_.text();
    std::optional<analysis::NameAt> at = analysis::name_at(text, offset, &own_.split);
    if (!at || at->candidates.empty()) return std::nullopt;
    for (const ObjectRef& ref : at->candidates) {
      Resolved r{*at, ref, {}, local_.touches(ref)};
      if (const SchemaModel* model = history_model())
        for (const Touch& t : model->touches(ref))
          if (t.place < options_.schema_place) r.earlier.push_back(t);
      if (!r.earlier.empty() || !r.local.empty()) return r;
    }
    return std::nullopt;
  }

  // The touch that created the object as the statement at the cursor sees it, and whether it
  // is in the document itself.
  std::optional<std::pair<Touch, bool>> origin(const Resolved& r) const {
    std::optional<Touch> local;
    bool dropped_here = false;
    for (const Touch& t : r.local) {
      if (t.begin > r.at.statement.begin) break;
      // The statement at the cursor: its own creation counts, what it drops or renames not yet.
      if (t.begin == r.at.statement.begin && t.kind != TouchKind::Created) continue;
      if (t.kind == TouchKind::Created) local = t;
      if (t.kind == TouchKind::Dropped || t.kind == TouchKind::Renamed) {
        local.reset();
        dropped_here = true;
      }
    }
    // The history first: a statement of the document that restates a column (ALTER … TYPE) looks
    // like its creation to the document's own model, which does not know the history.
    if (!dropped_here)
      if (const SchemaModel* model = history_model())
        if (std::optional<Touch> t = model->origin(r.ref, options_.schema_place)) return std::pair{*t, false};
    if (local) return std::pair{*local, true};
    return std::nullopt;
  }

  Json location(const Touch& t, bool local) {
    if (local) {
      Converter conv{doc_.lines(), enc_};
      return Json{{"uri", doc_.uri()}, {"range", conv.range({t.begin, t.end})}};
    }
    const std::string relative(history_model()->source(t.place));
    const protocol::LineIndex& lines = lines_of(relative);
    Converter conv{lines, enc_};
    return Json{{"uri", uri_from_path(history_->set->root() / relative)}, {"range", conv.range({t.begin, t.end})}};
  }

  // "0001_init.sql:12", or "line 3 of this file".
  std::string where(const Touch& t, bool local) {
    if (local) return "line " + std::to_string(doc_.lines().position(t.begin, enc_).line + 1) + " of this file";
    const std::string relative(history_model()->source(t.place));
    return relative + ":" + std::to_string(lines_of(relative).position(t.begin, enc_).line + 1);
  }

  std::string describe(const Resolved& r) const {
    if (const SchemaModel* model = history_model(); model && !r.earlier.empty())
      return model->describe(r.ref, options_.schema_place);
    return local_.describe(r.ref, 1);
  }

 private:
  const SchemaModel* history_model() const {
    return history_ && history_->set && options_.schema ? options_.schema : nullptr;
  }
  const protocol::LineIndex& lines_of(const std::string& relative) {
    auto it = lines_.find(relative);
    if (it != lines_.end()) return it->second;
    const std::string* text = history_->set->text(relative);
    return lines_.emplace(relative, protocol::LineIndex(text ? *text : std::string_view())).first->second;
  }

  const Document& doc_;
  const DocumentHistory* history_;
  const analysis::Options& options_;
  protocol::PositionEncoding enc_;
  const analysis::FileIndex& own_;
  const SchemaModel& local_;
  std::map<std::string, protocol::LineIndex> lines_;
};

}  // namespace

Json definition(const Document& doc, const DocumentHistory* history, const analysis::Options& options,
                const analysis::FileIndex& own, protocol::PositionEncoding enc, std::size_t offset) {
  Navigator nav(doc, history, options, own, enc);
  std::optional<Resolved> r = nav.resolve(offset);
  if (!r) return nullptr;
  std::optional<std::pair<Touch, bool>> o = nav.origin(*r);
  if (!o) return nullptr;
  return nav.location(o->first, o->second);
}

Json references(const Document& doc, const DocumentHistory* history, const analysis::Options& options,
                const analysis::FileIndex& own, protocol::PositionEncoding enc, std::size_t offset,
                bool include_declaration) {
  Navigator nav(doc, history, options, own, enc);
  std::optional<Resolved> r = nav.resolve(offset);
  Json out = Json::array();
  if (!r) return out;
  for (const Touch& t : r->earlier)
    if (include_declaration || t.kind != TouchKind::Created) out.push_back(nav.location(t, false));
  for (const Touch& t : r->local)
    if (include_declaration || t.kind != TouchKind::Created) out.push_back(nav.location(t, true));
  return out;
}

std::string origin_line(const Document& doc, const DocumentHistory* history, const analysis::Options& options,
                        const analysis::FileIndex& own, protocol::PositionEncoding enc, std::size_t offset) {
  Navigator nav(doc, history, options, own, enc);
  std::optional<Resolved> r = nav.resolve(offset);
  if (!r) return {};
  std::optional<std::pair<Touch, bool>> o = nav.origin(*r);
  if (!o) return {};
  return nav.describe(*r) + ", created in " + nav.where(o->first, o->second);
}

}  // namespace lockward::server::lsp
