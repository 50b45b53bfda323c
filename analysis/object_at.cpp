#include "analysis/object_at.h"

#include <algorithm>
#include <cctype>

#include "analysis/migration_history.h"
#include "analysis/syntax/ast.h"
#include "analysis/syntax/parser.h"
#include "analysis/syntax/splitter.h"

namespace lockward::analysis {
namespace {

struct Ident {
  TextRange range;   // in the file
  std::string name;  // folded as PostgreSQL folds it: unquoted lower case, quoted as written
};

bool ident_start(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool ident_char(unsigned char c) { return ident_start(c) || std::isdigit(c) || c == '$'; }

// The identifiers of one statement's code, skipping literals, comments and dollar-quoted bodies.
std::vector<Ident> identifiers(std::string_view text, TextRange code) {
  std::vector<Ident> out;
  std::size_t i = code.begin;
  const std::size_t end = std::min(code.end, text.size());
  while (i < end) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\'') {
      for (++i; i < end; ++i) {
        if (text[i] == '\'') {
          if (i + 1 < end && text[i + 1] == '\'') ++i;
          else break;
        }
      }
      ++i;
    } else if (c == '"') {
      Ident id{{i, i}, {}};
      for (++i; i < end; ++i) {
        if (text[i] == '"') {
          if (i + 1 < end && text[i + 1] == '"') {
            id.name += '"';
            ++i;
          } else {
            break;
          }
        } else {
          id.name += text[i];
        }
      }
      id.range.end = std::min(i + 1, end);
      i = id.range.end;
      out.push_back(std::move(id));
    } else if (c == '-' && i + 1 < end && text[i + 1] == '-') {
      while (i < end && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < end && text[i + 1] == '*') {
      const std::size_t close = text.find("*/", i + 2);
      i = close == std::string_view::npos ? end : close + 2;
    } else if (c == '$' && (i == code.begin || !ident_char(static_cast<unsigned char>(text[i - 1])))) {
      std::size_t j = i + 1;
      while (j < end && (ident_char(static_cast<unsigned char>(text[j])) && text[j] != '$')) ++j;
      if (j < end && text[j] == '$') {
        const std::string_view tag = text.substr(i, j + 1 - i);
        const std::size_t close = text.find(tag, j + 1);
        i = close == std::string_view::npos || close >= end ? end : close + tag.size();
      } else {
        i = j;
      }
    } else if (ident_start(c)) {
      Ident id{{i, i}, {}};
      while (i < end && ident_char(static_cast<unsigned char>(text[i]))) {
        id.name += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
        ++i;
      }
      id.range.end = i;
      out.push_back(std::move(id));
    } else {
      ++i;
    }
  }
  return out;
}

struct TreeNames {
  struct Located {
    ObjectName name;
    std::size_t location;  // in the statement's code
  };
  std::vector<Located> relations;  // RangeVars
  std::vector<Located> types;      // TypeNames
};

void walk(const nlohmann::json& node, TreeNames& out, int depth) {
  if (depth > 200) return;  // the parser refuses deeper trees; a bound all the same
  if (node.is_object()) {
    auto rel = node.find("relname");
    if (rel != node.end() && rel->is_string()) {
      if (const long at = ast::location(node); at >= 0)
        out.relations.push_back({ast::range_var(node), static_cast<std::size_t>(at)});
    }
    auto names = node.find("names");
    if (names != node.end() && names->is_array() && node.contains("typemod")) {
      if (const long at = ast::location(node); at >= 0) {
        std::vector<std::string> parts = ast::string_list(*names);
        if (!parts.empty() && parts.front() != "pg_catalog")
          out.types.push_back({ast::qualified(parts), static_cast<std::size_t>(at)});
      }
    }
    for (const auto& [key, value] : node.items()) walk(value, out, depth + 1);
  } else if (node.is_array()) {
    for (const auto& value : node) walk(value, out, depth + 1);
  }
}

}  // namespace

std::optional<NameAt> name_at(std::string_view text, std::size_t offset, const SplitResult* known_split) {
  if (offset > text.size()) return std::nullopt;
  SplitResult own_split;
  if (!known_split) own_split = split_statements(text);
  const SplitResult& split = known_split ? *known_split : own_split;
  // The first SQL piece whose code ends at or after the offset (pieces are in text order).
  auto first = std::lower_bound(split.pieces.begin(), split.pieces.end(), offset,
                                [](const Piece& p, std::size_t at) { return p.code.end < at; });
  const Piece* piece = nullptr;
  for (auto it = first; it != split.pieces.end() && it->code.begin <= offset; ++it) {
    if (it->kind == PieceKind::Sql && offset >= it->code.begin && offset <= it->code.end) {
      piece = &*it;
      break;
    }
  }
  if (!piece) return std::nullopt;
  const std::vector<Ident> ids = identifiers(text, piece->code);
  // The identifier the offset is in, or just after (a cursor at the end of a word).
  auto at = std::find_if(ids.begin(), ids.end(), [&](const Ident& id) { return id.range.contains(offset); });
  if (at == ids.end())
    at = std::find_if(ids.begin(), ids.end(), [&](const Ident& id) { return id.range.end == offset && offset > 0; });
  if (at == ids.end()) return std::nullopt;
  NameAt out{at->range, piece->code, {}};
  // A qualifier: the identifier right before, separated by a single '.'.
  const Ident* qualifier = nullptr;
  if (at != ids.begin()) {
    const Ident& prev = *std::prev(at);
    if (prev.range.end + 1 == at->range.begin && text[prev.range.end] == '.') qualifier = &prev;
  }

  TreeNames tree;
  const std::string_view code = piece->code.slice(text);
  ParseOutcome parsed = parse_statement(code);
  for (const ParsedNode& node : parsed.nodes) walk(node.body, tree, 0);
  const std::size_t local = at->range.begin - piece->code.begin;
  // A RangeVar or TypeName whose written name ends with this identifier.
  for (const TreeNames::Located& r : tree.relations) {
    if (r.name.name == at->name && local >= r.location && (r.name.schema.empty() ? local == r.location : local < r.location + 140) &&
        (!qualifier || qualifier->name == r.name.schema)) {
      out.candidates.push_back({OriginKind::Relation, SchemaModel::qualified(r.name), {}});
      return out;
    }
  }
  for (const TreeNames::Located& t : tree.types) {
    if (t.name.name == at->name && local >= t.location && (!qualifier || qualifier->name == t.name.schema)) {
      out.candidates.push_back({OriginKind::Type, SchemaModel::qualified(t.name), {}});
      return out;
    }
  }
  std::vector<ObjectName> tables;
  for (const TreeNames::Located& r : tree.relations) {
    const ObjectName q = SchemaModel::qualified(r.name);
    if (std::find(tables.begin(), tables.end(), q) == tables.end()) tables.push_back(q);
  }
  if (qualifier) {
    // table.column: a statement's table of that name (or alias-free reference), else schema.object.
    for (const ObjectName& t : tables)
      if (t.name == qualifier->name) {
        out.candidates.push_back({OriginKind::Column, t, at->name});
        out.candidates.push_back({OriginKind::Constraint, t, at->name});
      }
    out.candidates.push_back({OriginKind::Relation, {qualifier->name, at->name}, {}});
    out.candidates.push_back({OriginKind::Type, {qualifier->name, at->name}, {}});
    return out;
  }
  for (const ObjectName& t : tables) {
    out.candidates.push_back({OriginKind::Column, t, at->name});
    out.candidates.push_back({OriginKind::Constraint, t, at->name});
  }
  out.candidates.push_back({OriginKind::Relation, {"public", at->name}, {}});
  out.candidates.push_back({OriginKind::Type, {"public", at->name}, {}});
  return out;
}

SchemaModel file_model(std::string_view text, const Options& options, std::string_view source) {
  SchemaModel model;
  apply_migration(model, text, 0, source, options);
  return model;
}

FileIndex file_index(std::string_view text, const Options& options, std::string_view source) {
  return FileIndex{split_statements(text), file_model(text, options, source)};
}

}  // namespace lockward::analysis
