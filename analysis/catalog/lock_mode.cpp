#include "analysis/catalog/lock_mode.h"

#include <algorithm>
#include <cctype>

namespace lockward::analysis {
namespace {

constexpr std::array<std::string_view, kLockModeCount> kNames = {
    "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
    "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE",     "ACCESS EXCLUSIVE"};
constexpr std::array<std::string_view, kLockModeCount> kPgNames = {
    "AccessShareLock", "RowShareLock",          "RowExclusiveLock", "ShareUpdateExclusiveLock",
    "ShareLock",       "ShareRowExclusiveLock", "ExclusiveLock",    "AccessExclusiveLock"};

// The manual's "Conflicting Lock Modes" table, row by row (bit i = conflicts with mode i).
constexpr std::array<std::uint8_t, kLockModeCount> kConflicts = {
    0b1000'0000,  // ACCESS SHARE: ACCESS EXCLUSIVE
    0b1100'0000,  // ROW SHARE: EXCLUSIVE, ACCESS EXCLUSIVE
    0b1111'0000,  // ROW EXCLUSIVE: SHARE and stronger
    0b1111'1000,  // SHARE UPDATE EXCLUSIVE: itself and stronger
    0b1110'1100,  // SHARE: ROW EXCLUSIVE, SUE, SRE, EX, AE
    0b1111'1100,  // SHARE ROW EXCLUSIVE: ROW EXCLUSIVE and stronger
    0b1111'1110,  // EXCLUSIVE: ROW SHARE and stronger
    0b1111'1111,  // ACCESS EXCLUSIVE: everything
};

std::string normalise(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isalpha(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(c));
  }
  return out;
}

}  // namespace

std::string_view lock_mode_name(LockMode mode) { return kNames[static_cast<int>(mode)]; }
std::string_view lock_mode_pg_name(LockMode mode) { return kPgNames[static_cast<int>(mode)]; }

std::optional<LockMode> lock_mode_from_pg_name(std::string_view pg_name) {
  for (int i = 0; i < kLockModeCount; ++i) {
    if (kPgNames[i] == pg_name) return static_cast<LockMode>(i);
  }
  return std::nullopt;
}

std::optional<LockMode> lock_mode_from_name(std::string_view name) {
  std::string key = normalise(name);
  if (key.size() > 4 && key.ends_with("lock")) key.resize(key.size() - 4);
  for (int i = 0; i < kLockModeCount; ++i) {
    if (normalise(kNames[i]) == key) return static_cast<LockMode>(i);
  }
  return std::nullopt;
}

bool conflicts(LockMode a, LockMode b) {
  return (kConflicts[static_cast<int>(a)] >> static_cast<int>(b)) & 1U;
}

LockMode operation_lock(Operation op) {
  switch (op) {
    case Operation::Select: return LockMode::AccessShare;
    case Operation::Write: return LockMode::RowExclusive;
    case Operation::SelectForUpdate: return LockMode::RowShare;
    case Operation::CreateIndex: return LockMode::Share;
    case Operation::VacuumAnalyze: return LockMode::ShareUpdateExclusive;
    case Operation::OtherDdl: return LockMode::AccessExclusive;
  }
  return LockMode::AccessExclusive;
}

std::string_view operation_name(Operation op) {
  switch (op) {
    case Operation::Select: return "SELECT";
    case Operation::Write: return "INSERT/UPDATE/DELETE";
    case Operation::SelectForUpdate: return "SELECT FOR UPDATE";
    case Operation::CreateIndex: return "CREATE INDEX";
    case Operation::VacuumAnalyze: return "VACUUM/ANALYZE";
    case Operation::OtherDdl: return "other DDL";
  }
  return "?";
}

std::vector<Operation> blocked_operations(LockMode mode) {
  std::vector<Operation> out;
  for (Operation op : kAllOperations) {
    if (conflicts(mode, operation_lock(op))) out.push_back(op);
  }
  return out;
}

bool blocks_reads(LockMode mode) { return conflicts(mode, LockMode::AccessShare); }
bool blocks_writes(LockMode mode) { return conflicts(mode, LockMode::RowExclusive); }

std::string blocks_in_words(LockMode mode) {
  std::vector<Operation> ops = blocked_operations(mode);
  if (ops.size() == kAllOperations.size()) return "blocks everything, reads included";
  std::string out = "blocks ";
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (i) out += (i + 1 == ops.size()) ? " and " : ", ";
    out += operation_name(ops[i]);
  }
  if (ops.size() == 1 && ops[0] == Operation::OtherDdl) out = "blocks only other DDL";
  return out;
}

}  // namespace lockward::analysis
