// Code actions: every safe recipe as a quick fix, SET lock_timeout, ignore comments for the
// statement and the file, and a source action that applies every drop-in fix. A fix's edit
// is offered only when the text it produces, analysed again, is no worse (fix_check.h).
#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "analysis/rewrite/fix_check.h"

#include "server/lsp/convert.h"

namespace lockward::server::lsp {
namespace {

bool overlaps(analysis::TextRange a, analysis::TextRange b) {
  return a.begin <= b.end && b.begin <= a.end;
}

bool wanted(const Json& only, std::string_view kind) {
  if (!only.is_array() || only.empty()) return true;
  for (const auto& k : only) {
    if (!k.is_string()) continue;
    std::string prefix = k.get<std::string>();
    if (kind == prefix || (kind.starts_with(prefix) && kind.size() > prefix.size() && kind[prefix.size()] == '.'))
      return true;
  }
  return false;
}

Json edit(const Document& doc, const Converter& conv, analysis::TextRange range, const std::string& text) {
  return Json{{"changes", Json{{doc.uri(), Json::array({Json{{"range", conv.range(range)}, {"newText", text}}})}}}};
}

// The line break ending `line` ("\n" for the last line): an inserted line uses the document's.
std::string line_break(const Document& doc, std::size_t line) {
  const std::size_t end = doc.lines().line_end(line), next = doc.lines().line_start(line + 1);
  return next > end ? doc.text()->substr(end, next - end) : "\n";
}

// Start of the line holding `offset`, that line's indentation, and its line break.
struct LineAt {
  std::size_t start;
  std::string indent, line_break;
};
LineAt line_at(const Document& doc, std::size_t offset) {
  const std::string& text = *doc.text();
  const std::size_t line = doc.lines().position(offset, protocol::PositionEncoding::Utf8).line;
  const std::size_t start = doc.lines().line_start(line);
  std::size_t i = start;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  return {start, text.substr(start, i - start), line_break(doc, line)};
}

// Checking a fix analyses the whole text again (about 0.5 s of CPU per MiB): past this size a document's
// fixes are not offered (an unchecked fix could break the migration).
constexpr std::size_t kMaxCheckedBytes = 512u << 10;
// When every drop-in fix together is worse, each is checked alone: at most this many.
constexpr std::size_t kMaxSeparateChecks = 32;

// Whether fixes, applied together, leave the document no worse; memoised per single edit.
class FixChecker {
 public:
  FixChecker(const Document& doc, const analysis::Analysis& a, const analysis::Options& options,
             const analysis::ParallelFor* parallel)
      : text_(*doc.text()), analysis_(a), options_(options), parallel_(parallel) {}
  bool safe(const std::vector<const analysis::Fix*>& fixes) {
    if (text_.size() > kMaxCheckedBytes) return false;
    if (fixes.size() != 1) return analysis::fixes_are_safe(text_, analysis_, options_, fixes, parallel_);
    const analysis::Fix& fix = *fixes[0];
    auto [it, fresh] = single_.try_emplace({fix.replace.begin, fix.replace.end, fix.new_text}, false);
    if (fresh) it->second = analysis::fixes_are_safe(text_, analysis_, options_, fixes, parallel_);
    return it->second;
  }

 private:
  const std::string& text_;
  const analysis::Analysis& analysis_;
  const analysis::Options& options_;
  const analysis::ParallelFor* parallel_;
  std::map<std::tuple<std::size_t, std::size_t, std::string>, bool> single_;  // by edit
};

}  // namespace

Json code_actions(const Document& doc, const analysis::Analysis& a, const analysis::Options& options,
                  protocol::PositionEncoding enc, analysis::TextRange range, const Json& only, bool offer_trace,
                  const analysis::ParallelFor* parallel) {
  Converter conv{doc.lines(), enc};
  FixChecker checker(doc, a, options, parallel);
  Json out = Json::array();
  std::vector<std::string> ignored_file_rules;
  for (const analysis::Finding& f : a.findings) {
    if (!overlaps(f.range, range)) continue;
    Json diagnostic{{"range", conv.range(f.range)}, {"code", f.rule}, {"source", "lockward"}, {"message", f.message}};
    if (wanted(only, "quickfix")) {
      for (const analysis::Fix& fix : f.fixes) {
        const analysis::Fix* offered = &fix;
        std::optional<analysis::Fix> outside;
        if (!checker.safe({&fix})) {
          // Unsafe inside the tool's transaction: the same fix with the tool's switch, if that
          // is safe.
          outside = analysis::outside_transaction(*doc.text(), a, options, f, fix);
          if (!outside || !checker.safe({&*outside})) continue;
          offered = &*outside;
        }
        out.push_back(Json{{"title", offered->title},
                           {"kind", "quickfix"},
                           {"diagnostics", Json::array({diagnostic})},
                           {"isPreferred", offered->drop_in},
                           {"edit", edit(doc, conv, offered->replace, offered->new_text)}});
      }
      if (f.statement && f.rule != "syntax-error") {
        const analysis::Statement& s = a.statements[*f.statement];
        const LineAt line = line_at(doc, s.code.begin);
        out.push_back(Json{{"title", "Ignore " + f.rule + " for this statement"},
                           {"kind", "quickfix"},
                           {"diagnostics", Json::array({diagnostic})},
                           {"edit", edit(doc, conv, {line.start, line.start},
                                         line.indent + "-- lockward-ignore: " + f.rule + line.line_break)}});
      }
      if (std::find(ignored_file_rules.begin(), ignored_file_rules.end(), f.rule) == ignored_file_rules.end()) {
        ignored_file_rules.push_back(f.rule);
        out.push_back(Json{{"title", "Ignore " + f.rule + " for this file"},
                           {"kind", "quickfix"},
                           {"diagnostics", Json::array({diagnostic})},
                           {"edit", edit(doc, conv, {0, 0}, "-- lockward-ignore-file: " + f.rule + line_break(doc, 0))}});
      }
    }
  }
  if (offer_trace && wanted(only, "source.lockward.trace")) {
    out.push_back(Json{{"title", "Trace this migration (PostgreSQL " + std::to_string(a.pg_version) + ")"},
                       {"kind", "source.lockward.trace"},
                       {"command", Json{{"title", "Trace this migration"},
                                        {"command", "lockward.trace"},
                                        {"arguments", Json::array({doc.uri()})}}}});
  }
  if (wanted(only, "source.fixAll.lockward")) {
    // Every drop-in fix at once, non-overlapping, applied back to front by the client. The
    // whole set is checked; should it be worse, the fixes that are safe alone, then as many
    // of those as stay safe together.
    std::vector<const analysis::Fix*> chosen;
    std::vector<analysis::TextRange> taken;
    for (const analysis::Finding& f : a.findings) {
      for (const analysis::Fix& fix : f.fixes) {
        if (!fix.drop_in) continue;
        bool clash = std::any_of(taken.begin(), taken.end(), [&](auto r) { return overlaps(r, fix.replace); });
        if (clash) continue;
        taken.push_back(fix.replace);
        chosen.push_back(&fix);
      }
    }
    const bool together = checker.safe(chosen);
    if (!together && chosen.size() > kMaxSeparateChecks) {
      chosen.clear();  // too many to find the culprits one analysis each: no fix-all
    } else if (!together) {
      std::vector<const analysis::Fix*> alone;
      for (const analysis::Fix* fix : chosen) {
        if (checker.safe({fix})) alone.push_back(fix);
      }
      chosen.clear();
      if (checker.safe(alone)) {
        chosen = std::move(alone);
      } else {
        for (const analysis::Fix* fix : alone) {
          chosen.push_back(fix);
          if (!checker.safe(chosen)) chosen.pop_back();
        }
      }
    }
    Json edits = Json::array();
    for (const analysis::Fix* fix : chosen) {
      edits.push_back(Json{{"range", conv.range(fix->replace)}, {"newText", fix->new_text}});
    }
    if (!edits.empty()) {
      out.push_back(Json{{"title", "Apply every safe drop-in rewrite (lockward)"},
                         {"kind", "source.fixAll.lockward"},
                         {"edit", Json{{"changes", Json{{doc.uri(), edits}}}}}});
    }
  }
  return out;
}

}  // namespace lockward::server::lsp
