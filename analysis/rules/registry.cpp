#include "analysis/rules/registry.h"

#include <set>

#include "analysis/catalog/catalogue.h"

namespace lockward::analysis {
namespace {

std::vector<RuleInfo> build() {
  std::vector<RuleInfo> out;
  std::set<std::string_view> seen;
  for (const CatalogueRow& row : catalogue()) {
    if (!seen.insert(row.id).second) continue;
    out.push_back({std::string(row.id), RuleKind::Lock, std::string(row.form)});
  }
  auto add = [&](std::string_view id, RuleKind kind, std::string_view summary) {
    out.push_back({std::string(id), kind, std::string(summary)});
  };
  using namespace rule;
  add(kMissingLockTimeout, RuleKind::Policy, "a lock that blocks reads or writes is taken before SET lock_timeout");
  add(kLockTimeoutZero, RuleKind::Policy, "SET lock_timeout = 0 waits forever for a lock");
  add(kLockTimeoutTooLong, RuleKind::Policy, "lock_timeout above the configured maximum");
  add(kMissingStatementTimeout, RuleKind::Policy, "a statement that scans or rewrites a table runs without statement_timeout");
  add(kStatementTimeoutTooLong, RuleKind::Policy, "statement_timeout above the configured maximum");
  add(kMissingIdleTimeout, RuleKind::Policy, "a transaction holds blocking locks without idle_in_transaction_session_timeout");
  add(kNoTransactionAllowed, RuleKind::Policy, "a statement that cannot run inside a transaction block runs inside one");
  add(kValidateSameTransaction, RuleKind::Policy, "VALIDATE CONSTRAINT in the transaction that added it NOT VALID");
  add(kCompoundingLocks, RuleKind::Policy, "a statement runs while its transaction holds a lock that blocks reads or writes");
  add(kWideLockWindow, RuleKind::Policy, "ACCESS EXCLUSIVE on two or more tables in one transaction");
  add(kUnboundedDml, RuleKind::Policy, "UPDATE or DELETE without a WHERE clause, or with one that is always true");
  add(kUnclosedTransaction, RuleKind::Policy, "BEGIN without COMMIT or ROLLBACK");
  add(kNestedTransaction, RuleKind::Policy, "BEGIN inside a transaction (explicit or the migration tool's)");
  add(kPreferJsonb, RuleKind::Advice, "json column: prefer jsonb");
  add(kPreferIdentity, RuleKind::Advice, "serial column: prefer GENERATED … AS IDENTITY");
  add(kPreferBigint, RuleKind::Advice, "int or smallint column: prefer bigint before it overflows");
  add(kPreferText, RuleKind::Advice, "varchar(n): prefer text (with a CHECK when a limit matters)");
  add(kPreferTimestamptz, RuleKind::Advice, "timestamp without time zone: prefer timestamptz");
  add(kAvoidChar, RuleKind::Advice, "char(n) pads with spaces: prefer text");
  add(kAvoidMoney, RuleKind::Advice, "money depends on lc_monetary: prefer numeric");
  add(kIdentifierTooLong, RuleKind::Advice, "identifier longer than 63 bytes is silently truncated");
  add(kSyntaxError, RuleKind::Syntax, "the statement does not parse");
  add(kStatementTooComplex, RuleKind::Syntax, "the statement nests too deep to parse safely; its locks are unknown");
  add(kUnknownLock, RuleKind::Syntax,
      "lockward does not know the statement's locks (no catalogue row for its form, a dynamic EXECUTE in a DO block): UNKNOWN, never SAFE");
  add(kPsqlMeta, RuleKind::Syntax, "psql meta-command, skipped");
  add(kUnknownRule, RuleKind::Syntax, "an ignore comment names a rule that does not exist");
  add(kUnusedIgnore, RuleKind::Syntax, "an ignore comment suppresses nothing");
  return out;
}

}  // namespace

std::string_view rule_kind_name(RuleKind kind) {
  switch (kind) {
    case RuleKind::Lock: return "lock";
    case RuleKind::Policy: return "policy";
    case RuleKind::Advice: return "advice";
    case RuleKind::Syntax: return "syntax";
  }
  return "";
}

const std::vector<RuleInfo>& all_rules() {
  static const std::vector<RuleInfo> kRules = build();
  return kRules;
}

const RuleInfo* find_rule(std::string_view id) {
  for (const auto& r : all_rules()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

}  // namespace lockward::analysis
