// Structure views: inlay hints (the lock at the end of each statement that locks an existing
// table), code lens on transaction blocks, document symbols, folding ranges.
#include <algorithm>

#include "server/lsp/convert.h"

namespace lockward::server::lsp {
namespace {

const analysis::LockFact* strongest_existing(const analysis::Statement& s) {
  const analysis::LockFact* best = nullptr;
  for (const auto& l : s.locks) {
    if (!l.new_object && (!best || l.mode > best->mode)) best = &l;
  }
  return best;
}

// Transaction blocks: [BEGIN statement, COMMIT/ROLLBACK statement or last statement].
std::vector<std::pair<std::size_t, std::size_t>> transaction_blocks(const analysis::Analysis& a) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t open = kNone;
  for (const auto& s : a.statements) {
    if (s.tx_control == analysis::TxControl::Begin && open == kNone) open = s.index;
    if ((s.tx_control == analysis::TxControl::Commit || s.tx_control == analysis::TxControl::Rollback) && open != kNone) {
      out.emplace_back(open, s.index);
      open = kNone;
    }
  }
  if (open != kNone) out.emplace_back(open, a.statements.size() - 1);
  return out;
}

}  // namespace

Json inlay_hints(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc,
                 analysis::TextRange range, const TraceResults* trace) {
  Converter conv{doc.lines(), enc};
  Json out = Json::array();
  const std::vector<const StatementEvidence*> evidence = evidence_by_statement(trace, *doc.text(), a);
  for (const auto& s : a.statements) {
    if (s.code.end < range.begin || s.code.begin > range.end) continue;
    const analysis::LockFact* l = strongest_existing(s);
    if (!l) continue;
    std::string label = std::string(analysis::lock_mode_name(l->mode)) + " " + l->object.sql();
    if (s.risk >= analysis::Risk::Medium) label += " · " + std::string(analysis::risk_name(s.risk));
    if (const StatementEvidence* e = evidence[s.index])
      label += " · " + std::string(evidence_mark(e->status));
    std::size_t at = s.terminated && s.code.end < doc.text()->size() ? s.code.end + 1 : s.code.end;
    out.push_back(Json{{"position", conv.position(at)},
                       {"label", label},
                       {"paddingLeft", true},
                       {"tooltip", analysis::blocks_in_words(l->mode)}});
  }
  return out;
}

Json code_lenses(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc) {
  Converter conv{doc.lines(), enc};
  Json out = Json::array();
  for (auto [begin, end] : transaction_blocks(a)) {
    std::vector<analysis::LockFact> locks;
    for (std::size_t i = begin; i <= end; ++i) {
      for (const auto& l : a.statements[i].locks) {
        if (l.new_object || l.until_statement_end) continue;  // not held until COMMIT
        auto it = std::find_if(locks.begin(), locks.end(), [&](const auto& x) { return x.object == l.object; });
        if (it == locks.end()) locks.push_back(l);
        else if (l.mode > it->mode) it->mode = l.mode;
      }
    }
    std::string title = "holds until COMMIT: ";
    if (locks.empty()) title += "no lock on an existing object";
    for (std::size_t i = 0; i < locks.size(); ++i) {
      if (i) title += ", ";
      title += std::string(analysis::lock_mode_name(locks[i].mode)) + " " + locks[i].object.sql();
    }
    out.push_back(Json{{"range", conv.range(a.statements[begin].code)}, {"command", Json{{"title", title}, {"command", ""}}}});
  }
  return out;
}

Json document_symbols(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc) {
  Converter conv{doc.lines(), enc};
  Json out = Json::array();
  for (const auto& s : a.statements) {
    const analysis::LockFact* l = strongest_existing(s);
    std::string detail = l ? std::string(analysis::lock_mode_name(l->mode)) + " on " + l->object.sql() : "";
    std::string name = s.summary.empty() ? "statement" : s.summary;
    out.push_back(Json{{"name", name},
                       {"detail", detail},
                       {"kind", s.tx_control != analysis::TxControl::None ? 2 /* Module */ : 12 /* Function */},
                       {"range", conv.range(s.with_comments)},
                       {"selectionRange", conv.range(s.code)}});
  }
  return out;
}

Json folding_ranges(const Document& doc, const analysis::Analysis& a) {
  Json out = Json::array();
  auto line = [&](std::size_t offset) { return doc.lines().position(offset, protocol::PositionEncoding::Utf8).line; };
  for (auto [begin, end] : transaction_blocks(a)) {
    std::size_t l0 = line(a.statements[begin].code.begin), l1 = line(a.statements[end].code.end);
    if (l1 > l0) out.push_back(Json{{"startLine", l0}, {"endLine", l1}, {"kind", "region"}});
  }
  for (const auto& s : a.statements) {
    std::size_t l0 = line(s.code.begin), l1 = line(s.code.end);
    if (l1 > l0) out.push_back(Json{{"startLine", l0}, {"endLine", l1}});
  }
  return out;
}

}  // namespace lockward::server::lsp
