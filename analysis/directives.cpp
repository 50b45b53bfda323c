#include "analysis/directives.h"

#include <algorithm>
#include <cctype>

namespace lockward::analysis {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<IgnoreDirective> parse_ignore(std::string_view text, const Comment& comment) {
  std::string_view body = comment.body.slice(text);
  std::size_t i = 0;
  auto skip_space = [&] { while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i; };
  skip_space();
  constexpr std::string_view kKey = "lockward-ignore";
  if (body.substr(i, kKey.size()) != kKey) return std::nullopt;
  i += kKey.size();
  IgnoreDirective d;
  d.range = comment.range;
  if (body.substr(i, 5) == "-file") {
    d.file_level = true;
    i += 5;
  }
  if (i < body.size() && !std::isspace(static_cast<unsigned char>(body[i])) && body[i] != ':') return std::nullopt;
  skip_space();
  if (i < body.size() && body[i] == ':') ++i;
  // Rule ids separated by commas or spaces, up to an optional `-- reason`.
  while (i < body.size()) {
    skip_space();
    if (body.substr(i, 2) == "--") {
      i += 2;
      skip_space();
      std::string_view reason = body.substr(i);
      while (!reason.empty() && std::isspace(static_cast<unsigned char>(reason.back()))) reason.remove_suffix(1);
      d.reason = std::string(reason);
      break;
    }
    if (i < body.size() && body[i] == ',') { ++i; continue; }
    std::size_t start = i;
    while (i < body.size() && !std::isspace(static_cast<unsigned char>(body[i])) && body[i] != ',') ++i;
    if (i > start) {
      std::size_t offset = comment.body.begin + start;
      d.rules.push_back(std::string(body.substr(start, i - start)));
      d.rule_ranges.push_back({offset, offset + (i - start)});
    }
  }
  return d;
}

std::optional<bool> file_transaction_directive(std::string_view text, const SplitResult& split) {
  for (const Comment& c : split.file_comments) {
    // Squeezed and lowered, a directive starts with "+goose", "lockward-", "migrate:",
    // "no-transaction" or "atlas:":
    // other comments (most of them) are passed over without copying them.
    std::string_view raw = c.body.slice(text);
    const std::size_t first = raw.find_first_not_of(" \t\r\n\f\v");
    if (first == std::string_view::npos || std::string_view("+lLmMnNaA").find(raw[first]) == std::string_view::npos)
      continue;
    std::string body = lower(raw);
    body.erase(std::remove_if(body.begin(), body.end(), [](unsigned char ch) { return std::isspace(ch); }), body.end());
    if (body == "+goosenotransaction" || body.starts_with("lockward-no-transaction")) return false;
    // sql-migrate: `-- +migrate Up notransaction` (its Down marker too).
    if ((body.starts_with("+migrateup") || body.starts_with("+migratedown")) && body.ends_with("notransaction"))
      return false;
    if ((body.starts_with("migrate:up") || body.starts_with("migrate:down")) &&
        body.find("transaction:false") != std::string::npos)
      return false;
    // sqlx's `-- no-transaction` and Atlas's `-- atlas:txmode none` (`file` and `all` wrap).
    if (body == "no-transaction" || body == "atlas:txmodenone") return false;
    if (body == "atlas:txmodefile" || body == "atlas:txmodeall") return true;
    if (body.starts_with("lockward-in-transaction")) return true;
  }
  return std::nullopt;
}

}  // namespace lockward::analysis
