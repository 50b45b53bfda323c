// Never call a statement safe without knowing. Every statement node type libpg_query (the
// PostgreSQL 17 grammar) can produce is enumerated here with an example, and each example must
// be covered by a catalogue row, be a session statement the catalogue lists as taking no
// relation lock, or be reported UNKNOWN (an `unknown-lock` finding, risk UNKNOWN) — never SAFE
// by default. The enumeration is checked against libpg_query's own list of node types.
#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analyze.h"
#include "analysis/catalog/catalogue.h"
#include "analysis/rules/registry.h"

using namespace lockward::analysis;

namespace {

// One example per top-level statement node type.
const std::vector<std::pair<std::string, std::string>> kExamples = {
    {"InsertStmt", "INSERT INTO t VALUES (1)"},
    {"DeleteStmt", "DELETE FROM t WHERE id = 1"},
    {"UpdateStmt", "UPDATE t SET id = 2 WHERE id = 1"},
    {"MergeStmt", "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE"},
    {"SelectStmt", "SELECT 1"},
    {"AlterTableStmt", "ALTER TABLE t ADD COLUMN d int"},
    {"AlterDomainStmt", "ALTER DOMAIN d SET DEFAULT 0"},
    {"GrantStmt", "GRANT SELECT ON t TO PUBLIC"},
    {"GrantRoleStmt", "GRANT r TO u"},
    {"AlterDefaultPrivilegesStmt", "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC"},
    {"ClosePortalStmt", "CLOSE c"},
    {"ClusterStmt", "CLUSTER t USING t_pkey"},
    {"CopyStmt", "COPY t FROM STDIN"},
    {"CreateStmt", "CREATE TABLE n (id int)"},
    {"DefineStmt", "CREATE AGGREGATE a (int) (sfunc = int4pl, stype = int)"},
    {"DropStmt", "DROP TABLE t"},
    {"TruncateStmt", "TRUNCATE t"},
    {"CommentStmt", "COMMENT ON TABLE t IS 'x'"},
    {"FetchStmt", "FETCH NEXT FROM c"},
    {"IndexStmt", "CREATE INDEX i ON t (id)"},
    {"CreateFunctionStmt", "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'"},
    {"AlterFunctionStmt", "ALTER FUNCTION f() STABLE"},
    {"DoStmt", "DO $$BEGIN ALTER TABLE t ADD COLUMN d int; END$$"},
    {"RenameStmt", "ALTER TABLE t RENAME TO u"},
    {"RuleStmt", "CREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING"},
    {"NotifyStmt", "NOTIFY ch"},
    {"ListenStmt", "LISTEN ch"},
    {"UnlistenStmt", "UNLISTEN ch"},
    {"TransactionStmt", "BEGIN"},
    {"ViewStmt", "CREATE VIEW v AS SELECT id FROM t"},
    {"LoadStmt", "LOAD 'auto_explain'"},
    {"CreateDomainStmt", "CREATE DOMAIN d AS int"},
    {"CreatedbStmt", "CREATE DATABASE db"},
    {"DropdbStmt", "DROP DATABASE db"},
    {"VacuumStmt", "VACUUM t"},
    {"ExplainStmt", "EXPLAIN SELECT * FROM t"},
    {"CreateTableAsStmt", "CREATE TABLE n AS SELECT * FROM t"},
    {"CreateSeqStmt", "CREATE SEQUENCE s"},
    {"AlterSeqStmt", "ALTER SEQUENCE s RESTART"},
    {"VariableSetStmt", "SET lock_timeout = '2s'"},
    {"VariableShowStmt", "SHOW lock_timeout"},
    {"DiscardStmt", "DISCARD ALL"},
    {"CreateTrigStmt", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()"},
    {"CreatePLangStmt", "CREATE LANGUAGE plx HANDLER plx_handler"},
    {"CreateRoleStmt", "CREATE ROLE r"},
    {"AlterRoleStmt", "ALTER ROLE r LOGIN"},
    {"DropRoleStmt", "DROP ROLE r"},
    {"LockStmt", "LOCK TABLE t"},
    {"ConstraintsSetStmt", "SET CONSTRAINTS ALL DEFERRED"},
    {"ReindexStmt", "REINDEX TABLE t"},
    {"CheckPointStmt", "CHECKPOINT"},
    {"CreateSchemaStmt", "CREATE SCHEMA s"},
    {"AlterDatabaseStmt", "ALTER DATABASE db CONNECTION LIMIT 5"},
    {"AlterDatabaseRefreshCollStmt", "ALTER DATABASE db REFRESH COLLATION VERSION"},
    {"AlterDatabaseSetStmt", "ALTER DATABASE db SET work_mem = '64MB'"},
    {"AlterRoleSetStmt", "ALTER ROLE r SET work_mem = '64MB'"},
    {"CreateConversionStmt", "CREATE CONVERSION c FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8"},
    {"CreateCastStmt", "CREATE CAST (int AS text) WITH INOUT"},
    {"CreateOpClassStmt", "CREATE OPERATOR CLASS oc FOR TYPE int USING btree AS OPERATOR 1 <"},
    {"CreateOpFamilyStmt", "CREATE OPERATOR FAMILY opf USING btree"},
    {"AlterOpFamilyStmt", "ALTER OPERATOR FAMILY opf USING btree ADD OPERATOR 1 < (int, int)"},
    {"PrepareStmt", "PREPARE p AS SELECT * FROM t"},
    {"ExecuteStmt", "EXECUTE p"},
    {"DeallocateStmt", "DEALLOCATE p"},
    {"DeclareCursorStmt", "DECLARE c CURSOR FOR SELECT * FROM t"},
    {"CreateTableSpaceStmt", "CREATE TABLESPACE ts LOCATION '/tmp/ts'"},
    {"DropTableSpaceStmt", "DROP TABLESPACE ts"},
    {"AlterObjectDependsStmt", "ALTER FUNCTION f() DEPENDS ON EXTENSION e"},
    {"AlterObjectSchemaStmt", "ALTER TABLE t SET SCHEMA s"},
    {"AlterOwnerStmt", "ALTER FUNCTION f() OWNER TO r"},
    {"AlterOperatorStmt", "ALTER OPERATOR = (int, int) SET (RESTRICT = eqsel)"},
    {"AlterTypeStmt", "ALTER TYPE ty SET (SEND = NONE)"},
    {"DropOwnedStmt", "DROP OWNED BY r"},
    {"ReassignOwnedStmt", "REASSIGN OWNED BY r TO u"},
    {"CompositeTypeStmt", "CREATE TYPE ct AS (a int)"},
    {"CreateEnumStmt", "CREATE TYPE e AS ENUM ('a')"},
    {"CreateRangeStmt", "CREATE TYPE rg AS RANGE (subtype = int)"},
    {"AlterEnumStmt", "ALTER TYPE e ADD VALUE 'b'"},
    {"AlterTSDictionaryStmt", "ALTER TEXT SEARCH DICTIONARY d (StopWords = english)"},
    {"AlterTSConfigurationStmt", "ALTER TEXT SEARCH CONFIGURATION c ADD MAPPING FOR word WITH simple"},
    {"CreateFdwStmt", "CREATE FOREIGN DATA WRAPPER w"},
    {"AlterFdwStmt", "ALTER FOREIGN DATA WRAPPER w OPTIONS (ADD x '1')"},
    {"CreateForeignServerStmt", "CREATE SERVER srv FOREIGN DATA WRAPPER w"},
    {"AlterForeignServerStmt", "ALTER SERVER srv OPTIONS (ADD host 'h')"},
    {"CreateUserMappingStmt", "CREATE USER MAPPING FOR CURRENT_USER SERVER srv"},
    {"AlterUserMappingStmt", "ALTER USER MAPPING FOR CURRENT_USER SERVER srv OPTIONS (ADD user 'u')"},
    {"DropUserMappingStmt", "DROP USER MAPPING FOR CURRENT_USER SERVER srv"},
    {"AlterTableSpaceOptionsStmt", "ALTER TABLESPACE ts SET (random_page_cost = 1)"},
    {"AlterTableMoveAllStmt", "ALTER TABLE ALL IN TABLESPACE ts SET TABLESPACE ts2"},
    {"SecLabelStmt", "SECURITY LABEL FOR selinux ON TABLE t IS 'x'"},
    {"CreateForeignTableStmt", "CREATE FOREIGN TABLE ft (id int) SERVER srv"},
    {"ImportForeignSchemaStmt", "IMPORT FOREIGN SCHEMA s FROM SERVER srv INTO public"},
    {"CreateExtensionStmt", "CREATE EXTENSION pgcrypto"},
    {"AlterExtensionStmt", "ALTER EXTENSION pgcrypto UPDATE"},
    {"AlterExtensionContentsStmt", "ALTER EXTENSION pgcrypto ADD TABLE t"},
    {"CreateEventTrigStmt", "CREATE EVENT TRIGGER et ON ddl_command_start EXECUTE FUNCTION f()"},
    {"AlterEventTrigStmt", "ALTER EVENT TRIGGER et DISABLE"},
    {"RefreshMatViewStmt", "REFRESH MATERIALIZED VIEW mv"},
    {"AlterSystemStmt", "ALTER SYSTEM SET work_mem = '64MB'"},
    {"CreatePolicyStmt", "CREATE POLICY p ON t USING (true)"},
    {"AlterPolicyStmt", "ALTER POLICY p ON t USING (false)"},
    {"CreateTransformStmt",
     "CREATE TRANSFORM FOR int LANGUAGE plpgsql (FROM SQL WITH FUNCTION f(internal), TO SQL WITH FUNCTION g(int))"},
    {"CreateAmStmt", "CREATE ACCESS METHOD am TYPE INDEX HANDLER h"},
    {"CreatePublicationStmt", "CREATE PUBLICATION pub FOR TABLE t"},
    {"AlterPublicationStmt", "ALTER PUBLICATION pub ADD TABLE t2"},
    {"CreateSubscriptionStmt", "CREATE SUBSCRIPTION sub CONNECTION 'dbname=x' PUBLICATION pub"},
    {"AlterSubscriptionStmt", "ALTER SUBSCRIPTION sub DISABLE"},
    {"DropSubscriptionStmt", "DROP SUBSCRIPTION sub"},
    {"CreateStatsStmt", "CREATE STATISTICS st ON id, c FROM t"},
    {"AlterCollationStmt", "ALTER COLLATION c REFRESH VERSION"},
    {"CallStmt", "CALL p()"},
    {"AlterStatsStmt", "ALTER STATISTICS st SET STATISTICS 100"},
};

// Node types that are never a statement of their own at the top level.
const std::set<std::string> kNotTopLevel = {
    "RawStmt",             // the wrapper around each parsed statement
    "ReturnStmt",          // only inside a BEGIN ATOMIC function body
    "PLAssignStmt",        // only in PL/pgSQL assignment parsing mode
    "SetOperationStmt",    // UNION / INTERSECT / EXCEPT parse as a SelectStmt
    "ReplicaIdentityStmt", // the argument of ALTER TABLE … REPLICA IDENTITY
};

// Every *Stmt node type libpg_query's protobuf definition lists in `message Node`.
std::set<std::string> libpg_query_statement_types() {
  std::ifstream in(LOCKWARD_PG_QUERY_PROTO);
  std::stringstream text;
  text << in.rdbuf();
  std::string proto = text.str();
  std::set<std::string> out;
  std::size_t begin = proto.find("message Node");
  std::size_t end = proto.find('}', begin);
  if (begin == std::string::npos || end == std::string::npos) return out;
  std::string node = proto.substr(begin, end - begin);
  std::regex field(R"(\b([A-Za-z]+Stmt)\s+[a-z_]+\s*=)");
  for (auto it = std::sregex_iterator(node.begin(), node.end(), field); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

bool has_finding(const Analysis& a, std::string_view rule) {
  return std::any_of(a.findings.begin(), a.findings.end(), [&](const Finding& f) { return f.rule == rule; });
}

}  // namespace

TEST_CASE("the enumeration lists every statement node type libpg_query produces", "[coverage]") {
  std::set<std::string> types = libpg_query_statement_types();
  INFO("read from " << LOCKWARD_PG_QUERY_PROTO);
  REQUIRE(types.size() > 100);
  std::set<std::string> listed;
  for (const auto& [type, sql] : kExamples) listed.insert(type);
  for (const std::string& type : types) {
    INFO(type);
    CHECK((listed.count(type) == 1 || kNotTopLevel.count(type) == 1));
  }
  for (const std::string& type : listed) {
    INFO(type << " is not a node type of this libpg_query");
    CHECK(types.count(type) == 1);
  }
}

TEST_CASE("every statement node type is covered by a catalogue row or reported UNKNOWN, never SAFE by default",
          "[coverage]") {
  std::size_t covered = 0, session = 0, unknown = 0;
  for (const auto& [type, sql] : kExamples) {
    INFO(type << ": " << sql);
    Options options;
    options.pg_version = 15;
    Analysis a = analyze(sql, options);
    REQUIRE(a.statements.size() == 1);
    const Statement& s = a.statements[0];
    REQUIRE(s.status != StatementStatus::ParseError);
    CHECK(s.node == type);
    bool by_row = std::any_of(s.effects.begin(), s.effects.end(), [](const Effect& e) { return e.row != nullptr; });
    bool no_lock = takes_no_relation_lock(type);
    bool reported_unknown = s.risk == Risk::Unknown && s.status == StatementStatus::Unanalysable &&
                            has_finding(a, rule::kUnknownLock);
    CHECK((by_row || no_lock || reported_unknown));
    // Exactly one of the three answers.
    CHECK(int(by_row) + int(no_lock) + int(reported_unknown) == 1);
    if (reported_unknown) {
      auto f = std::find_if(a.findings.begin(), a.findings.end(), [](const Finding& x) { return x.rule == rule::kUnknownLock; });
      CHECK(f->risk == Risk::Unknown);
      CHECK(f->severity == Severity::Warning);
      CHECK(f->help.find("lockward trace") != std::string::npos);
      CHECK(f->message.find(s.summary) != std::string::npos);
    }
    if (!reported_unknown) CHECK(s.risk != Risk::Unknown);
    covered += by_row;
    session += no_lock;
    unknown += reported_unknown;
  }
  // The catalogue's session list names only node types that exist.
  for (std::string_view type : statements_without_relation_locks()) {
    INFO(type);
    CHECK(std::any_of(kExamples.begin(), kExamples.end(), [&](const auto& e) { return e.first == type; }));
  }
  WARN(covered << " node types covered by rows, " << session << " take no relation lock, " << unknown
               << " reported UNKNOWN");
}

TEST_CASE("no form that takes SHARE UPDATE EXCLUSIVE or stronger on an existing relation reads as SAFE or LOW with "
          "no lock",
          "[coverage][catalogue]") {
  for (const CatalogueRow& row : catalogue()) {
    LockMode strongest = LockMode::AccessShare;
    bool on_relation = false;
    for (const RoleLock& l : row.locks) {
      if (l.role == Role::Type || l.role == Role::Schema || l.role == Role::Database) continue;
      on_relation = true;
      strongest = std::max(strongest, l.mode);
    }
    if (!on_relation || strongest < LockMode::ShareUpdateExclusive) continue;
    Options options;
    options.pg_version = std::clamp(row.min_pg, kMinPgVersion, kMaxPgVersion);
    INFO("row " << row.id << " (PostgreSQL " << options.pg_version << "): " << row.example);
    Analysis a = analyze(row.example, options);
    bool named = false;
    Risk risk = Risk::Safe;
    for (const Statement& s : a.statements) {
      risk = std::max(risk, s.risk);
      for (const LockFact& l : s.locks) named = named || l.mode >= LockMode::ShareUpdateExclusive;
    }
    CHECK((named || risk >= Risk::Medium));
  }
}

TEST_CASE("a statement that does not parse makes no lock or risk claim", "[coverage]") {
  Analysis a = analyze("ALTER TABLE t ADD COLUMN (;", Options{});
  REQUIRE(a.statements.size() == 1);
  CHECK(a.statements[0].status == StatementStatus::ParseError);
  CHECK(a.statements[0].locks.empty());
  CHECK(a.statements[0].risk == Risk::Unknown);
  CHECK(has_finding(a, rule::kSyntaxError));
}

TEST_CASE("UNKNOWN ranks just above SAFE and is never raised or lowered by table size", "[coverage]") {
  CHECK(Risk::Unknown > Risk::Safe);
  CHECK(Risk::Unknown < Risk::Low);
  CHECK(risk_name(Risk::Unknown) == "UNKNOWN");
  CHECK(risk_from_name("unknown") == Risk::Unknown);
  CHECK_FALSE(threshold_from_name("unknown").has_value());
  CHECK(threshold_from_name("low") == Risk::Low);
  CHECK(raise(Risk::Unknown, 2) == Risk::Unknown);
  CHECK(raise(Risk::Safe, 1) == Risk::Low);
  CHECK(raise(Risk::High, 5) == Risk::Critical);
  CHECK(default_severity(Risk::Unknown) == Severity::Warning);
}

TEST_CASE("the locks on a table's indexes and owned sequences are named even when the text does not name them",
          "[coverage]") {
  auto lines = [](const std::string& sql, int pg = 17) {
    Options options;
    options.pg_version = pg;
    return unnamed_role_locks(analyze(sql, options).statements.at(0).effects);
  };
  auto has = [](const std::vector<std::string>& v, const std::string& what) {
    return std::any_of(v.begin(), v.end(), [&](const std::string& l) { return l.find(what) != std::string::npos; });
  };
  // INSERT calls nextval() for a serial or identity column.
  CHECK(has(lines("INSERT INTO t VALUES (1)"), "ROW EXCLUSIVE on each sequence"));
  CHECK(has(lines("DROP TABLE t"), "ACCESS EXCLUSIVE on each index"));
  CHECK(has(lines("DROP TABLE t"), "ACCESS EXCLUSIVE on each sequence"));
  CHECK(has(lines("ALTER TABLE t OWNER TO someone"), "ACCESS EXCLUSIVE on each sequence"));
  CHECK(has(lines("ALTER TABLE t SET SCHEMA s"), "ACCESS EXCLUSIVE on each sequence"));
  CHECK(has(lines("TRUNCATE t RESTART IDENTITY"), "ACCESS EXCLUSIVE on each sequence"));
  CHECK(has(lines("TRUNCATE t"), "ACCESS EXCLUSIVE on each index"));
  CHECK(has(lines("ALTER TABLE t ALTER COLUMN c TYPE bigint"), "ACCESS EXCLUSIVE on each index"));
  CHECK(has(lines("VACUUM FULL t"), "ACCESS EXCLUSIVE on each index"));
  CHECK(has(lines("REINDEX TABLE t"), "ACCESS EXCLUSIVE on each index"));
  // SET LOGGED takes the sequences along from PostgreSQL 15 only.
  CHECK(has(lines("ALTER TABLE t SET LOGGED", 15), "ACCESS EXCLUSIVE on each sequence"));
  CHECK_FALSE(has(lines("ALTER TABLE t SET LOGGED", 14), "on each sequence"));
  CHECK(lines("SELECT * FROM t").empty());
  // Without a schema, the children a recursing ALTER TABLE, TRUNCATE or LOCK reaches stay unnamed.
  CHECK(has(lines("ALTER TABLE t ADD COLUMN d int"), "ACCESS EXCLUSIVE on each partition or inheriting child"));
  CHECK(has(lines("ALTER TABLE t VALIDATE CONSTRAINT c"), "SHARE UPDATE EXCLUSIVE on each partition"));
  CHECK(has(lines("CREATE INDEX i ON t (c)"), "SHARE on each partition"));
  CHECK(has(lines("LOCK TABLE t IN SHARE MODE"), "SHARE on each relation the view reads"));
  CHECK_FALSE(has(lines("ALTER TABLE t OWNER TO someone"), "on each partition"));
  CHECK_FALSE(has(lines("ALTER TABLE t SET TABLESPACE x"), "on each partition"));
}
