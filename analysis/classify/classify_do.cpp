// DO blocks: the static SQL of a LANGUAGE plpgsql body (syntax/plpgsql) classified statement by
// statement, its effects the DO statement's own with ranges at the inner text. What lockward
// cannot see (an EXECUTE of a dynamic string, another language, a body that does not parse)
// makes the DO statement UNKNOWN, at the place it is.
#include <algorithm>
#include <cctype>

#include "analysis/classify/classify_internal.h"
#include "analysis/syntax/plpgsql.h"

namespace lockward::analysis::classify_detail {
namespace {

constexpr int kMaxDoDepth = 4;  // DO blocks inside DO blocks read

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

void classify_do_block(const Input& in, StatementFacts& facts) {
  facts.summary = "DO block";
  std::string language = "plpgsql";
  std::string body;
  long body_location = -1;
  for (const auto& arg : ast::list(in.node.body, "args")) {
    const Json& d = ast::unwrap(arg, "DefElem");
    const std::string name = ast::str(d, "defname");
    const std::string value = ast::str(ast::unwrap(ast::field(d, "arg"), "String"), "sval");
    if (name == "as") {
      body = value;
      body_location = ast::location(d);
    } else if (name == "language") {
      language = lower(value);
    }
  }
  auto unknown = [&](std::string reason, std::optional<TextRange> range) {
    if (!facts.unknown) {
      facts.unknown = true;
      facts.unknown_reason = std::move(reason);
    } else {
      facts.unknown_reason += "; " + reason;
    }
    if (range && !facts.unknown_range) facts.unknown_range = range;
  };
  if (language != "plpgsql") {
    unknown("a DO block in LANGUAGE " + language + " runs code lockward does not read", std::nullopt);
    return;
  }
  if (in.context.do_depth >= kMaxDoDepth) {
    unknown("DO blocks nested more than " + std::to_string(kMaxDoDepth) + " deep are not read", std::nullopt);
    return;
  }

  // Where the body is in the file: its text as written (a dollar-quoted body, or a quoted one
  // without doubled quotes); else every inner range is the DO statement's.
  const TextRange stmt = in.statement;
  std::optional<std::size_t> body_at;
  {
    std::size_t from = body_location >= 0 ? std::clamp(in.at(body_location), stmt.begin, stmt.end) : stmt.begin;
    std::string_view s = in.text.substr(0, stmt.end);
    std::size_t at = s.find(body, from);
    if (at != std::string_view::npos) body_at = at;
  }
  auto clamp_range = [&](TextRange r, TextRange within) {
    std::size_t b = std::clamp(r.begin, within.begin, within.end);
    std::size_t e = std::clamp(r.end, b, within.end);
    return TextRange{b, e};
  };
  // A range of the body as a file range.
  auto body_range = [&](TextRange r) {
    if (!body_at) return stmt;
    return clamp_range(TextRange{*body_at + r.begin, *body_at + r.end}, stmt);
  };

  PlpgsqlBody read = read_plpgsql_body(body);
  if (read.error) {
    std::string where = read.error_line > 0 ? " near line " + std::to_string(read.error_line) + " of the block" : "";
    std::optional<TextRange> range;
    if (read.error_line > 0) {
      std::size_t b = line_start(body, read.error_line), e = b;
      while (e < body.size() && body[e] != '\n' && body[e] != '\r') ++e;
      while (b < e && std::isspace(static_cast<unsigned char>(body[b]))) ++b;
      range = body_range({b, e});
    }
    unknown(read.too_complex ? "its body is too complex to read" + where + " (" + *read.error + ")"
                             : "its PL/pgSQL body does not parse" + where + ": " + *read.error +
                                   " (PostgreSQL would reject the DO block)",
            range);
    return;
  }
  if (read.too_complex) unknown("its body nests too deep to read whole", std::nullopt);

  ClassifyContext inner_context = in.context;
  ++inner_context.do_depth;
  std::vector<ObjectName> created;  // by statements of the block that always run, so far
  for (const PlpgsqlStatement& st : read.statements) {
    const TextRange where = body_range(st.range);
    const std::string line = "line " + std::to_string(st.line) + " of the block";
    if (st.kind == PlpgsqlStatement::Kind::DynamicExecute) {
      unknown("EXECUTE of a dynamic string at " + line + ": lockward cannot see which tables it locks", where);
      continue;
    }
    // Offsets in st.sql as file ranges: at the inner text when it is the body's own.
    auto to_file = [&](TextRange r) {
      if (!st.exact || !body_at) return where;
      const auto b = static_cast<std::ptrdiff_t>(*body_at) + st.base;
      auto at = [&](std::size_t x) { return static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, b + static_cast<std::ptrdiff_t>(x))); };
      return clamp_range(TextRange{at(r.begin), at(r.end)}, where);
    };
    ParseOutcome parsed = parse_statement(st.sql);
    if (parsed.error || parsed.nodes.empty()) {
      std::string message = parsed.error ? parsed.error->message : "the statement is empty";
      std::optional<TextRange> range = where;
      if (parsed.error && !parsed.error->too_complex) {
        TextRange at = to_file({parsed.error->offset, parsed.error->offset});
        range = TextRange{at.begin, std::max(at.begin, where.end)};
      }
      unknown("the statement at " + line + " does not parse: " + message, range);
      continue;
    }
    for (const ParsedNode& node : parsed.nodes) {
      TextRange node_range{std::min(node.begin, st.sql.size()),
                           node.end == 0 || node.end > st.sql.size() ? st.sql.size() : node.end};
      StatementFacts inner = classify(node, st.sql, 0, node_range, inner_context);
      if (inner.unknown)
        unknown(inner.summary + " at " + line + ": " + inner.unknown_reason,
                inner.unknown_range ? to_file(*inner.unknown_range) : to_file(node_range));
      for (Effect& e : inner.effects) {
        e.range = to_file(e.range);
        e.in_do_block = true;
        if (!st.condition.empty()) {
          e.uncertain = true;
          std::string note = "inside " + st.condition + " of the DO block, it may not run: its locks are an upper bound";
          e.uncertainty = e.uncertainty.empty() ? note : e.uncertainty + "; " + note;
        }
        for (LockFact& l : e.locks) {
          l.conditional = l.conditional || !st.condition.empty();
          if (std::find(created.begin(), created.end(), l.object) != created.end()) l.new_object = true;
        }
        facts.effects.push_back(std::move(e));
      }
      for (ColumnTypeUse& c : inner.column_types) {
        c.range = to_file(c.range);
        facts.column_types.push_back(std::move(c));
      }
      for (DefinedName& d : inner.defined_names) {
        d.range = to_file(d.range);
        facts.defined_names.push_back(std::move(d));
      }
      if (st.condition.empty()) {
        for (CreatedObject& c : inner.creates) {
          created.push_back(c.name);
          facts.creates.push_back(std::move(c));
        }
        for (AddedConstraint& c : inner.constraints_added) facts.constraints_added.push_back(std::move(c));
      }
    }
  }
}

}  // namespace lockward::analysis::classify_detail
