// Every rule id lockward can report, with a one-line description. Lock rules come from the
// catalogue (one id per form); the others are listed here. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lockward::analysis {

enum class RuleKind { Lock, Policy, Advice, Syntax };
std::string_view rule_kind_name(RuleKind kind);

struct RuleInfo {
  std::string id;
  RuleKind kind;
  std::string summary;
};

const std::vector<RuleInfo>& all_rules();
const RuleInfo* find_rule(std::string_view id);

namespace rule {
// Policy
inline constexpr std::string_view kMissingLockTimeout = "missing-lock-timeout";
inline constexpr std::string_view kLockTimeoutZero = "lock-timeout-zero";
inline constexpr std::string_view kLockTimeoutTooLong = "lock-timeout-too-long";
inline constexpr std::string_view kMissingStatementTimeout = "missing-statement-timeout";
inline constexpr std::string_view kStatementTimeoutTooLong = "statement-timeout-too-long";
inline constexpr std::string_view kMissingIdleTimeout = "missing-idle-in-transaction-timeout";
inline constexpr std::string_view kNoTransactionAllowed = "concurrently-in-transaction";
inline constexpr std::string_view kValidateSameTransaction = "not-valid-validate-same-transaction";
inline constexpr std::string_view kCompoundingLocks = "compounding-locks";
inline constexpr std::string_view kWideLockWindow = "wide-lock-window";
inline constexpr std::string_view kUnboundedDml = "unbounded-update-delete";
inline constexpr std::string_view kUnclosedTransaction = "unclosed-transaction";
inline constexpr std::string_view kNestedTransaction = "nested-transaction";
// Advice
inline constexpr std::string_view kPreferJsonb = "prefer-jsonb";
inline constexpr std::string_view kPreferIdentity = "prefer-identity";
inline constexpr std::string_view kPreferBigint = "prefer-bigint";
inline constexpr std::string_view kPreferText = "prefer-text-over-varchar";
inline constexpr std::string_view kPreferTimestamptz = "prefer-timestamptz";
inline constexpr std::string_view kAvoidChar = "avoid-char";
inline constexpr std::string_view kAvoidMoney = "avoid-money";
inline constexpr std::string_view kIdentifierTooLong = "identifier-too-long";
// Syntax and coverage
inline constexpr std::string_view kSyntaxError = "syntax-error";
inline constexpr std::string_view kStatementTooComplex = "statement-too-complex";
inline constexpr std::string_view kUnknownLock = "unknown-lock";
inline constexpr std::string_view kPsqlMeta = "psql-meta-command";
inline constexpr std::string_view kUnknownRule = "unknown-rule-in-ignore";
inline constexpr std::string_view kUnusedIgnore = "unused-ignore";
}  // namespace rule

}  // namespace lockward::analysis
