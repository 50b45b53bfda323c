# libpg_query 17 (PostgreSQL 17.4's grammar) from the npm package libpg-query@17.1.0, which
# scripts/install-deps.sh fetches (sha512-pinned) and unpacks into LOCKWARD_PG_QUERY_DIR:
#   include/pg_query.h   linux/libpg_query.a   protobuf/pg_query.proto
# Only that directory is searched, so Debian's libpg-query-dev (PostgreSQL 15's grammar), if
# installed, is never picked up by accident. The library is static in every tree (normal,
# sanitizer, fuzzing): the .deb, the npm package and the .vsix need no libpg_query at run time.
set(LOCKWARD_PG_QUERY_DIR "/var/cache/lockward/libpg-query-17.1.0" CACHE PATH
    "Directory holding libpg_query 17 from npm (include/, linux/, protobuf/); scripts/install-deps.sh fills it")
find_path(PG_QUERY_INCLUDE_DIR pg_query.h PATHS "${LOCKWARD_PG_QUERY_DIR}/include" NO_DEFAULT_PATH)
find_library(PG_QUERY_STATIC_LIBRARY NAMES libpg_query.a PATHS "${LOCKWARD_PG_QUERY_DIR}/linux" NO_DEFAULT_PATH)
find_file(PG_QUERY_PROTO pg_query.proto PATHS "${LOCKWARD_PG_QUERY_DIR}/protobuf" NO_DEFAULT_PATH)
if(NOT PG_QUERY_INCLUDE_DIR OR NOT PG_QUERY_STATIC_LIBRARY OR NOT PG_QUERY_PROTO)
  message(FATAL_ERROR "libpg_query 17 not found in LOCKWARD_PG_QUERY_DIR=${LOCKWARD_PG_QUERY_DIR} "
    "(needs include/pg_query.h, linux/libpg_query.a, protobuf/pg_query.proto). "
    "Run scripts/install-deps.sh (it fetches the npm package libpg-query@17.1.0 there), "
    "or pass -DLOCKWARD_PG_QUERY_DIR=<dir> where you unpacked it.")
endif()
file(STRINGS "${PG_QUERY_INCLUDE_DIR}/pg_query.h" pg_query_version_line REGEX "^#define PG_MAJORVERSION ")
string(REGEX REPLACE "^#define PG_MAJORVERSION \"([0-9]+)\".*" "\\1" PG_QUERY_GRAMMAR_MAJOR "${pg_query_version_line}")
if(NOT PG_QUERY_GRAMMAR_MAJOR EQUAL 17)
  message(FATAL_ERROR "${PG_QUERY_INCLUDE_DIR}/pg_query.h is PostgreSQL ${PG_QUERY_GRAMMAR_MAJOR}'s grammar; lockward needs 17")
endif()
add_library(pg_query::pg_query STATIC IMPORTED)
set_target_properties(pg_query::pg_query PROPERTIES
  IMPORTED_LOCATION "${PG_QUERY_STATIC_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${PG_QUERY_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES Threads::Threads)
