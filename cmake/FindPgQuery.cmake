# libpg_query ships neither a pkg-config file nor a CMake package on Debian; find it by hand.
# Linked statically by default (Debian's libpg-query-dev has the .a), so the .deb, the npm
# package and the .vsix need no libpg-query package at run time. Sanitizer and fuzzing trees,
# never packaged, keep the shared library: its symbols stay behind the sanitizer runtime's
# interceptors, as they always were there.
option(LOCKWARD_STATIC_PG_QUERY "Link libpg_query statically (libpg_query.a)" ON)
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
if(LOCKWARD_STATIC_PG_QUERY AND NOT LOCKWARD_SANITIZE AND NOT LOCKWARD_FUZZ)
  find_library(PG_QUERY_STATIC_LIBRARY NAMES libpg_query.a REQUIRED)
  add_library(pg_query::pg_query STATIC IMPORTED)
  set(pg_query_location "${PG_QUERY_STATIC_LIBRARY}")
else()
  find_library(PG_QUERY_LIBRARY NAMES pg_query REQUIRED)
  add_library(pg_query::pg_query UNKNOWN IMPORTED)
  set(pg_query_location "${PG_QUERY_LIBRARY}")
endif()
set_target_properties(pg_query::pg_query PROPERTIES
  IMPORTED_LOCATION "${pg_query_location}"
  INTERFACE_INCLUDE_DIRECTORIES "${PG_QUERY_INCLUDE_DIR}")
