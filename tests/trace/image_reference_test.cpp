// --docker-image goes into an argument vector: only real image references pass.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "trace/image_reference.h"

using lockward::trace::default_postgres_image;
using lockward::trace::image_reference_error;

TEST_CASE("image references of every documented form are accepted", "[trace][docker]") {
  const std::string digest = "@sha256:" + std::string(64, 'a');
  const std::vector<std::string> good = {
      "postgres", "postgres:17-alpine", "library/postgres:16", "bitnami/postgresql:15.4.0", "ghcr.io/acme/pg:17",
      "localhost/lockward-pg:15", "localhost:5000/team/pg:latest", "registry.example.com:5000/a/b/c:v1.2_rc-3",
      "MyRegistry.example.com/pg:15", "postgres:Latest", "postgres" + digest, "postgres:17" + digest,
      "my-org__x/pg.sql:1"};
  for (const std::string& ref : good) {
    INFO(ref);
    CHECK(image_reference_error(ref).empty());
  }
  CHECK(default_postgres_image(15) == "postgres:15-alpine");
  CHECK(image_reference_error(default_postgres_image(17)).empty());
}

TEST_CASE("image references that are not images, or would be read as options, are refused", "[trace][docker]") {
  const std::string digest = "@sha256:" + std::string(64, 'a');
  const std::vector<std::string> bad = {
      "", "-v", "--privileged", "postgres 17", "postgres\t", "postgres;rm -rf /", "postgres$(id)", "pg`id`", "pg|x",
      "pg&", "pg>x", "pg'x", "pg\"x", "pg\\x", "Postgres:17", "library/Postgres", "Acme/pg", "postgres:",
      "postgres:-x", ":17", "/postgres", "postgres/", "pg//x", "pg..x", "pg:1@sha256:abc", "pg@md5:abc",
      "pg" + digest.substr(0, digest.size() - 1), "pg@sha256:" + std::string(64, 'A'),
      "postgres:" + std::string(129, 'a'), "pg:{{.ID}}", "pg\n"};
  for (const std::string& ref : bad) {
    INFO(ref);
    CHECK_FALSE(image_reference_error(ref).empty());
  }
  CHECK(image_reference_error("-v").find("'-'") != std::string::npos);
  CHECK(image_reference_error("Postgres").find("lowercase") != std::string::npos);
  CHECK(image_reference_error("pg@md5:abc").find("sha256") != std::string::npos);
}
