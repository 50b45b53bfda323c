// libFuzzer target: analyze() on any bytes, under several options. Never throws or crashes;
// every range lies inside the text; and a document updated after an edit equals analyze() of
// the edited text (the invariant the language server relies on).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "analysis/analyze.h"
#include "analysis/document_analysis.h"
#include "fuzz/fuzz_input.h"

namespace {

using namespace lockward::analysis;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_analyze: %s\n", what);
  std::abort();
}

void check_ranges(std::string_view text, const Analysis& a) {
  for (const Statement& s : a.statements)
    if (s.code.begin > s.code.end || s.code.end > text.size() || s.with_comments.end > text.size())
      fail("statement range outside the text");
  for (const Finding& f : a.findings) {
    if (f.range.begin > f.range.end || f.range.end > text.size()) fail("finding range outside the text");
    if (f.statement && *f.statement >= a.statements.size()) fail("finding names a statement that does not exist");
    for (const Fix& fix : f.fixes)
      if (fix.replace.begin > fix.replace.end || fix.replace.end > text.size()) fail("fix range outside the text");
  }
}

void check_same(const Analysis& incremental, const Analysis& whole) {
  if (incremental.statements.size() != whole.statements.size()) fail("statement count differs after an edit");
  for (std::size_t i = 0; i < whole.statements.size(); ++i) {
    const Statement& x = incremental.statements[i];
    const Statement& y = whole.statements[i];
    if (x.code != y.code || x.with_comments != y.with_comments || x.status != y.status || x.node != y.node ||
        x.summary != y.summary || x.risk != y.risk || x.tx.in_transaction != y.tx.in_transaction ||
        x.locks.size() != y.locks.size())
      fail("a statement differs after an edit");
  }
  if (incremental.findings.size() != whole.findings.size()) fail("finding count differs after an edit");
  for (std::size_t i = 0; i < whole.findings.size(); ++i) {
    const Finding& x = incremental.findings[i];
    const Finding& y = whole.findings[i];
    if (x.rule != y.rule || x.range != y.range || x.statement != y.statement || x.message != y.message ||
        x.risk != y.risk || x.severity != y.severity)
      fail("a finding differs after an edit");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  lockward::fuzz::EditedText input = lockward::fuzz::edited_text(data, size);
  Options options;
  std::uint8_t pick = size > 4 ? data[4] : 0;
  options.pg_version = kMinPgVersion + pick % (kMaxPgVersion - kMinPgVersion + 1);
  static const char* const kTools[] = {"", "goose", "flyway", "django"};
  options.migration_tool = kTools[(pick >> 4) % 4];

  Analysis before = analyze(input.before, options);
  check_ranges(input.before, before);
  Analysis after = analyze(input.after, options);
  check_ranges(input.after, after);

  DocumentAnalysis document;
  document.update(input.before, options);
  check_same(*document.update(input.after, options), after);
  return 0;
}
