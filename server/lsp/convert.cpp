#include "server/lsp/convert.h"

#include "protocol/json_writer.h"

namespace lockward::server::lsp {

Json Converter::position(std::size_t offset) const {
  protocol::Position p = lines.position(offset, encoding);
  return Json{{"line", p.line}, {"character", p.character}};
}

Json Converter::range(analysis::TextRange r) const {
  return Json{{"start", position(r.begin)}, {"end", position(r.end)}};
}

std::size_t Converter::offset(const Json& position) const {
  protocol::Position p;
  p.line = position.at("line").get<std::size_t>();
  p.character = position.at("character").get<std::size_t>();
  return lines.offset(p, encoding);
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

namespace {

void write_range(protocol::JsonWriter& w, const Converter& conv, analysis::TextRange r) {
  protocol::Position a = conv.lines.position(r.begin, conv.encoding);
  protocol::Position b = conv.lines.position(r.end, conv.encoding);
  w.begin_object()
      .key("start").begin_object().key("line").number(static_cast<long long>(a.line))
      .key("character").number(static_cast<long long>(a.character)).end_object()
      .key("end").begin_object().key("line").number(static_cast<long long>(b.line))
      .key("character").number(static_cast<long long>(b.character)).end_object()
      .end_object();
}

}  // namespace

std::string diagnostics_json(const std::string& uri, const protocol::LineIndex& lines, const analysis::Analysis& a,
                             protocol::PositionEncoding enc, const FeatureSettings& settings) {
  Converter conv{lines, enc};
  protocol::JsonWriter w;
  const std::string version_note = ", PostgreSQL " + std::to_string(a.pg_version) + "]";
  w.begin_array();
  for (const analysis::Finding& f : a.findings) {
    w.begin_object();
    w.key("range");
    write_range(w, conv, f.range);
    w.key("severity").number(lsp_severity(f.severity));
    w.key("code").string(f.rule);
    w.key("source").string("lockward");
    w.key("message").string(f.message + " [" + std::string(analysis::risk_name(f.risk)) + version_note +
                            (f.help.empty() ? "" : "\n" + f.help));
    if (!settings.docs_url.empty()) {
      w.key("codeDescription").begin_object().key("href").string(settings.docs_url + "#" + f.rule).end_object();
    }
    if (!f.related.empty()) {
      w.key("relatedInformation").begin_array();
      for (const auto& r : f.related) {
        w.begin_object().key("location").begin_object().key("uri").string(uri).key("range");
        write_range(w, conv, r.range);
        w.end_object().key("message").string(r.message).end_object();
      }
      w.end_array();
    }
    w.key("data").begin_object().key("risk").string(analysis::risk_name(f.risk)).end_object();
    w.end_object();
  }
  w.end_array();
  return w.take();
}

}  // namespace lockward::server::lsp
