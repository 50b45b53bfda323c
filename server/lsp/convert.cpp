#include "server/lsp/convert.h"

namespace lockward::server::lsp {

Json Converter::position(std::size_t offset) const {
  protocol::Position p = document.lines().position(offset, encoding);
  return Json{{"line", p.line}, {"character", p.character}};
}

Json Converter::range(analysis::TextRange r) const {
  return Json{{"start", position(r.begin)}, {"end", position(r.end)}};
}

std::size_t Converter::offset(const Json& position) const {
  protocol::Position p;
  p.line = position.at("line").get<std::size_t>();
  p.character = position.at("character").get<std::size_t>();
  return document.lines().offset(p, encoding);
}

analysis::TextRange Converter::byte_range(const Json& range) const {
  std::size_t a = offset(range.at("start"));
  std::size_t b = offset(range.at("end"));
  if (b < a) std::swap(a, b);
  return {a, b};
}

int lsp_severity(analysis::Severity severity) {
  switch (severity) {
    case analysis::Severity::Error: return 1;
    case analysis::Severity::Warning: return 2;
    case analysis::Severity::Information: return 3;
    case analysis::Severity::Hint: return 4;
  }
  return 2;
}

Json diagnostics(const Document& doc, const analysis::Analysis& a, protocol::PositionEncoding enc,
                 const FeatureSettings& settings) {
  Converter conv{doc, enc};
  Json out = Json::array();
  for (const analysis::Finding& f : a.findings) {
    Json d{{"range", conv.range(f.range)},
           {"severity", lsp_severity(f.severity)},
           {"code", f.rule},
           {"source", "lockward"},
           {"message", f.message + " [" + std::string(analysis::risk_name(f.risk)) + ", PostgreSQL " +
                           std::to_string(a.pg_version) + "]" + (f.help.empty() ? "" : "\n" + f.help)}};
    if (!settings.docs_url.empty()) d["codeDescription"] = Json{{"href", settings.docs_url + "#" + f.rule}};
    if (!f.related.empty()) {
      Json related = Json::array();
      for (const auto& r : f.related) {
        related.push_back(Json{{"location", Json{{"uri", doc.uri()}, {"range", conv.range(r.range)}}},
                               {"message", r.message}});
      }
      d["relatedInformation"] = std::move(related);
    }
    d["data"] = Json{{"risk", analysis::risk_name(f.risk)}};
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace lockward::server::lsp
