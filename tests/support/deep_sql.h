// Statements nested deep enough to overflow a stack if parsed naively, for the analysis, CLI
// and language-server tests of statement-too-complex.
#pragma once

#include <string>

namespace lockward::test {

// SELECT 1+1+…+1 with `terms` terms (25,000 terms are 50 KB).
inline std::string plus_chain(std::size_t terms) {
  std::string s = "SELECT 1";
  s.reserve(8 + 2 * terms);
  for (std::size_t i = 1; i < terms; ++i) s += "+1";
  return s;
}

// SELECT ((((1)))) with `depth` pairs.
inline std::string nested_parens(std::size_t depth) {
  return "SELECT " + std::string(depth, '(') + "1" + std::string(depth, ')');
}

// SELECT (SELECT (SELECT … 1)).
inline std::string nested_subqueries(std::size_t depth) {
  std::string s = "SELECT ";
  for (std::size_t i = 0; i < depth; ++i) s += "(SELECT ";
  return s + "1" + std::string(depth, ')');
}

// SELECT CASE WHEN true THEN CASE … 1 END … END.
inline std::string nested_case(std::size_t depth) {
  std::string s = "SELECT ";
  for (std::size_t i = 0; i < depth; ++i) s += "CASE WHEN true THEN ";
  s += "1";
  for (std::size_t i = 0; i < depth; ++i) s += " END";
  return s;
}

// SELECT 1, 'a' UNION ALL SELECT 1, 'a' … with `selects` SELECTs.
inline std::string union_chain(std::size_t selects) {
  std::string s = "SELECT 1, 'a'";
  for (std::size_t i = 1; i < selects; ++i) s += " UNION ALL SELECT 1, 'a'";
  return s;
}

}  // namespace lockward::test
