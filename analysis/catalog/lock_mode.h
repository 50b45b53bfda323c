// PostgreSQL's eight table-level lock modes, the conflict matrix between them, and the
// everyday operations each mode blocks. Pure data; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockward::analysis {

// Ordered from weakest to strongest, as in the manual's "Table-Level Locks" list.
enum class LockMode : std::uint8_t {
  AccessShare,
  RowShare,
  RowExclusive,
  ShareUpdateExclusive,
  Share,
  ShareRowExclusive,
  Exclusive,
  AccessExclusive,
};
inline constexpr int kLockModeCount = 8;

// "ACCESS EXCLUSIVE": the spelling of LOCK TABLE … IN … MODE and of the manual.
std::string_view lock_mode_name(LockMode mode);
// "AccessExclusiveLock": the spelling pg_locks.mode uses.
std::string_view lock_mode_pg_name(LockMode mode);
std::optional<LockMode> lock_mode_from_pg_name(std::string_view pg_name);
// Accepts "ACCESS EXCLUSIVE", "access_exclusive", "AccessExclusive" and the pg_locks form.
std::optional<LockMode> lock_mode_from_name(std::string_view name);

bool conflicts(LockMode a, LockMode b);

// Operations a reader of a migration recognises, each with the lock it needs.
enum class Operation : std::uint8_t {
  Select,           // ACCESS SHARE
  Write,            // INSERT / UPDATE / DELETE / MERGE: ROW EXCLUSIVE
  SelectForUpdate,  // SELECT … FOR UPDATE / SHARE: ROW SHARE
  CreateIndex,      // CREATE INDEX (non-concurrent): SHARE
  VacuumAnalyze,    // VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY: SHARE UPDATE EXCLUSIVE
  OtherDdl,         // ALTER TABLE and friends: ACCESS EXCLUSIVE
};
inline constexpr std::array<Operation, 6> kAllOperations = {
    Operation::Select,      Operation::Write,         Operation::SelectForUpdate,
    Operation::CreateIndex, Operation::VacuumAnalyze, Operation::OtherDdl};

LockMode operation_lock(Operation op);
std::string_view operation_name(Operation op);  // "SELECT", "INSERT/UPDATE/DELETE", …
std::vector<Operation> blocked_operations(LockMode mode);
bool blocks_reads(LockMode mode);
bool blocks_writes(LockMode mode);
// "blocks SELECT, INSERT/UPDATE/DELETE, …" or "blocks only other DDL" in plain words.
std::string blocks_in_words(LockMode mode);

}  // namespace lockward::analysis
