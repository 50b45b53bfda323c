// A libpq connection with results as plain values and errors that carry PostgreSQL's message
// and position. Messages pass through the credential scrubber before they leave.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trace/connection_secrets.h"

typedef struct pg_conn PGconn;
typedef struct pg_cancel PGcancel;

namespace lockward::trace {

struct QueryError {
  std::string message;         // primary message (scrubbed)
  std::string sqlstate;
  std::optional<int> position;  // 1-based character position in the statement, if reported
};

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  std::optional<QueryError> error;
  bool ok() const { return !error; }
  // The first row's column `c`, or "" (NULL and absent alike).
  std::string value(std::size_t row, std::size_t column) const;
};

class PgConnection {
 public:
  // Connects; on failure `connected()` is false and `error()` says why. The string is parsed
  // first (PQconninfoParse) and its passwords noted: no message of this connection shows them.
  explicit PgConnection(const std::string& conninfo);
  // The same with (keyword, value) pairs that replace the string's own.
  PgConnection(const std::string& conninfo, const std::vector<std::pair<std::string, std::string>>& overrides);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  bool connected() const;
  const std::string& error() const { return error_; }
  // Runs one statement (simple query protocol: utility statements and multi-statement text).
  QueryResult exec(const std::string& sql);
  // The same, asking `cancelled` every few milliseconds while the server works; once it says
  // true, asks the server to cancel the statement (PQcancel) and returns the server's answer
  // (the error 57014 when the statement was still running).
  QueryResult exec_cancellable(const std::string& sql, const std::function<bool()>& cancelled);
  int backend_pid() const;
  // Sends without waiting (for statements the observer must watch); collect with finish().
  bool send(const std::string& sql);
  QueryResult finish();
  // After send(): true while the server is still working on it (no result ready yet).
  bool busy();
  // True inside a transaction block (open or failed).
  bool in_transaction() const;
  // Asks the server to cancel the running statement.
  void cancel();
  // The server's NOTICE and WARNING messages since the last call, oldest first.
  std::vector<std::string> take_notices();
  // `text` as an SQL string literal, escaped for this connection ('' when not connected).
  std::string quote_literal(std::string_view text) const;

 private:
  friend class CancelHandle;
  QueryResult collect();
  std::string scrub(std::string text) const;
  PGconn* conn_ = nullptr;
  std::string error_;
  std::vector<std::string> notices_;  // kept, not printed: libpq's default writes to stderr
  std::vector<std::string> secrets_;  // the connection string's passwords, in every form
};

// Cancels the statement a connection is running, from any thread (a signal's clean-up). Made
// on the connection's own thread, as libpq requires; valid while the connection is open.
class CancelHandle {
 public:
  explicit CancelHandle(const PgConnection& connection);
  ~CancelHandle();
  CancelHandle(const CancelHandle&) = delete;
  CancelHandle& operator=(const CancelHandle&) = delete;
  void cancel() const;

 private:
  PGcancel* cancel_ = nullptr;
};

}  // namespace lockward::trace
