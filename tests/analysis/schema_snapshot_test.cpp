// SchemaModel::seed: a format-2 snapshot is the model's state before every place; the history
// adds what came after; a format-1 snapshot is not seeded.
#include <catch2/catch.hpp>

#include <algorithm>

#include "analysis/analyze.h"
#include "analysis/migration_history.h"
#include "analysis/schema.h"
#include "analysis/schema_model.h"

using namespace lockward::analysis;

namespace {

SchemaSnapshot production() {
  SchemaSnapshot s;
  s.taken_at = "2026-11-30T05:02:54Z";
  SnapshotTable users{ObjectName{"public", "users"}, {{"id", "bigint", true}, {"note", "character varying(20)", false}}};
  users.columns[0].internal = "int8";
  users.columns[1].internal = "varchar";
  users.indexes.push_back({"users_note_idx", false, false, true, ""});
  SnapshotTable orders{ObjectName{"public", "orders"}, {{"user_id", "bigint", false}}};
  SnapshotConstraint fk{"orders_user_id_fkey", 'f', true, "FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE"};
  fk.referenced = {"public", "users"};
  fk.columns = {"user_id"};
  fk.referenced_columns = {"id"};
  fk.on_delete = 'c';
  orders.constraints.push_back(fk);
  SnapshotTable events{ObjectName{"public", "events"}, {}};
  events.partitioned = true;
  SnapshotTable rest{ObjectName{"public", "events_rest"}, {}};
  rest.partition_of = {"public", "events"};
  rest.default_partition = true;
  s.tables = {users, orders, events, rest};
  s.views.push_back({ObjectName{"public", "user_orders"}, false, {{"public", "users"}, {"public", "orders"}}});
  s.sequences.push_back({ObjectName{"public", "users_id_seq"}, {"public", "users"}, "id", false});
  return s;
}

}  // namespace

TEST_CASE("a seeded snapshot is known before the first migration", "[schema][snapshot]") {
  SchemaModel model;
  const SchemaSnapshot s = production();
  model.seed(s);
  CHECK(model.seeded());
  CHECK(model.snapshot_taken_at() == "2026-11-30T05:02:54Z");
  CHECK(model.complete(0));  // nothing else: what the snapshot lacks does not exist
  const SchemaRelation* idx = model.relation({"", "users_note_idx"}, 0);
  REQUIRE(idx);
  CHECK(idx->table == ObjectName{"public", "users"});
  CHECK(model.referencing({"", "users"}, 0) == std::vector<ObjectName>{{"public", "orders"}});
  const SchemaRelation* users = model.relation({"", "users"}, 0);
  REQUIRE(users);
  REQUIRE(users->column("note"));
  CHECK(users->column("note")->type == ColumnType{"varchar", {20}, false});
  CHECK(model.relation({"", "events"}, 0)->default_partition == ObjectName{"public", "events_rest"});
  CHECK(model.relation({"", "events_rest"}, 0)->partition_of == ObjectName{"public", "events"});
  CHECK(model.relation({"", "user_orders"}, 0)->reads.size() == 2);
  CHECK(model.relation({"", "users_id_seq"}, 0)->kind == ObjectKind::Sequence);
  CHECK_FALSE(model.relation({"", "nothing"}, 0));
}

TEST_CASE("history adds to a seeded snapshot; a CREATE of what production has keeps production's",
          "[schema][snapshot]") {
  SchemaModel model;
  model.seed(production());
  Options options;
  apply_migration(model, "CREATE TABLE users (id int, other text);\nCREATE TABLE likes (user_id bigint REFERENCES users);\n", 0,
                  "0001.sql", options);
  apply_migration(model, "DROP TABLE orders;\n", 1, "0002.sql", options);
  // Before 0001: the snapshot only.
  CHECK(model.relation({"", "orders"}, 0));
  CHECK_FALSE(model.relation({"", "likes"}, 0));
  // After 0001: production's users (its note column, not 0001's other), and likes.
  const SchemaRelation* users = model.relation({"", "users"}, 1);
  REQUIRE(users);
  CHECK(users->column("note"));
  CHECK_FALSE(users->column("other"));
  CHECK(model.referencing({"", "users"}, 1) == std::vector<ObjectName>{{"public", "likes"}, {"public", "orders"}});
  // After 0002: orders dropped.
  CHECK_FALSE(model.relation({"", "orders"}, 2));
  CHECK(model.referencing({"", "users"}, 2) == std::vector<ObjectName>{{"public", "likes"}});
  CHECK(model.files_before(2) == 2);  // the history's files; the snapshot is not one
}

TEST_CASE("a format-1 snapshot is not seeded: the rules read it directly", "[schema][snapshot]") {
  SchemaModel model;
  SchemaSnapshot s = production();
  s.version = 1;
  model.seed(s);
  CHECK_FALSE(model.seeded());
  CHECK_FALSE(model.relation({"", "users"}, 0));
}

TEST_CASE("analysis with a seeded model: DROP INDEX locks the snapshot's table, the report names the snapshot",
          "[schema][snapshot]") {
  SchemaModel model;
  const SchemaSnapshot s = production();
  model.seed(s);
  Options options;
  options.snapshot = &s;
  options.schema = &model;
  options.schema_place = 0;
  Analysis a = analyze("DROP INDEX users_note_idx;\nDROP TABLE IF EXISTS nothing;\nDELETE FROM users;\n", options);
  REQUIRE(a.statements.size() == 3);
  auto locks = [&](std::size_t i) {
    std::vector<std::string> out;
    for (const LockFact& l : a.statements[i].locks) out.push_back(l.object.name);
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(locks(0) == std::vector<std::string>{"users", "users_note_idx"});
  CHECK(locks(1).empty());
  const std::vector<std::string> deleted = locks(2);
  CHECK(std::find(deleted.begin(), deleted.end(), "orders") != deleted.end());
  CHECK(a.schema.snapshot);
  CHECK(a.schema.snapshot_taken_at == "2026-11-30T05:02:54Z");
}
