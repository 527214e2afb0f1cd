// The serializable snapshot isolation tracker of the PostgreSQL model
// (models/postgres/ssi.h) on its own: what it forgets, and that forgetting
// loses no dangerous structure. PostgreSQL's own specs (read-write-unique*,
// multiple-row-versions) hold it to the server in tests/contract.
#include <catch2/catch.hpp>

#include "models/postgres/ssi.h"

namespace idemlab::models::postgres {
namespace {

using ports::Value;

Table make_table() {
  ports::TableSchema t;
  t.name = "t";
  t.columns = {{"id", ports::ColumnType::kBigint, false}};
  t.primary_key = {"id"};
  return Table(t);
}

ResolvedWhere id_is(std::int64_t id) { return ResolvedWhere{{0, Value(id)}}; }
std::vector<Value> row(std::int64_t id) { return {Value(id)}; }

TEST_CASE("ssi: a committed transaction is forgotten once every open snapshot shows it") {
  const Table table = make_table();
  Ssi ssi;
  for (TxId tx = 1; tx <= 100; ++tx) {
    ssi.begin(tx);
    ssi.snapshot_taken(tx);
    ssi.read(tx, table, id_is(1), nullptr, {});
    const std::vector<Value> values = row(static_cast<std::int64_t>(tx));
    ssi.write(tx, table, std::nullopt, nullptr, &values);
    REQUIRE(ssi.precommit(tx));
    ssi.committed(tx);
    CHECK(ssi.size() == 0);
  }
  // An open snapshot keeps what commits after it, and only that.
  ssi.begin(200);
  ssi.snapshot_taken(200);
  ssi.begin(201);
  ssi.snapshot_taken(201);
  REQUIRE(ssi.precommit(201));
  ssi.committed(201);
  CHECK(ssi.size() == 2);
  ssi.aborted(200);
  CHECK(ssi.size() == 0);
}

TEST_CASE("ssi: reader ->rw writer ->rw T2 with T2 committed first dooms the reader, after T2 is forgotten too") {
  const Table table = make_table();
  for (const bool writer_commits_last : {true, false}) {
    INFO("the open reader's snapshot " << (writer_commits_last ? "keeps the writer only" : "keeps both"));
    Ssi ssi;
    const TxId t2 = 1, writer = 2, reader = 3;
    ssi.begin(writer);
    ssi.snapshot_taken(writer);
    ssi.begin(t2);
    ssi.snapshot_taken(t2);
    if (!writer_commits_last) {
      ssi.begin(reader);
      ssi.snapshot_taken(reader);
    }
    // writer reads id 1; t2 updates it and commits first.
    ssi.read(writer, table, id_is(1), nullptr, {0});
    const std::vector<Value> one = row(1);
    ssi.write(t2, table, 0, &one, &one);
    REQUIRE(ssi.precommit(t2));
    ssi.committed(t2);
    if (writer_commits_last) {
      ssi.begin(reader);
      ssi.snapshot_taken(reader);  // after t2's commit: t2 is not concurrent with it
    }
    // writer inserts id 2 and commits; nothing is dangerous yet.
    const std::vector<Value> two = row(2);
    ssi.write(writer, table, std::nullopt, nullptr, &two);
    REQUIRE(ssi.precommit(writer));
    ssi.committed(writer);
    CHECK(ssi.size() == (writer_commits_last ? 2u : 3u));  // t2 summarised into the writer, or kept
    CHECK_FALSE(ssi.doomed(reader));
    // The reader meets the writer's row its snapshot does not show.
    ssi.read_met_write(reader, writer);
    CHECK(ssi.doomed(reader));
    CHECK_FALSE(ssi.precommit(reader));
  }
}

TEST_CASE("ssi: two concurrent transactions that each read what the other writes: the second to commit gives way") {
  const Table table = make_table();
  Ssi ssi;
  ssi.begin(1);
  ssi.snapshot_taken(1);
  ssi.begin(2);
  ssi.snapshot_taken(2);
  ssi.read(1, table, id_is(7), nullptr, {});
  ssi.read(2, table, id_is(8), nullptr, {});
  const std::vector<Value> seven = row(7), eight = row(8);
  ssi.write(1, table, std::nullopt, nullptr, &eight);  // 2 ->rw 1
  ssi.write(2, table, std::nullopt, nullptr, &seven);  // 1 ->rw 2
  CHECK_FALSE(ssi.doomed(1));
  CHECK_FALSE(ssi.doomed(2));
  REQUIRE(ssi.precommit(1));  // 1 commits first: the pivot 2 is doomed
  ssi.committed(1);
  CHECK(ssi.doomed(2));
  CHECK_FALSE(ssi.precommit(2));
}

TEST_CASE("ssi: a non-serializable writer, or one whose snapshot shows the reader's commit, is no conflict") {
  const Table table = make_table();
  Ssi ssi;
  ssi.begin(1);
  ssi.snapshot_taken(1);
  ssi.read(1, table, id_is(7), nullptr, {});
  const std::vector<Value> seven = row(7);
  ssi.write(9, table, std::nullopt, nullptr, &seven);  // 9 is not tracked (READ COMMITTED)
  REQUIRE(ssi.precommit(1));
  ssi.committed(1);
  ssi.begin(2);
  ssi.snapshot_taken(2);
  ssi.write(2, table, std::nullopt, nullptr, &seven);
  ssi.read(2, table, id_is(8), nullptr, {});
  CHECK_FALSE(ssi.doomed(2));
  CHECK(ssi.precommit(2));
}

}  // namespace
}  // namespace idemlab::models::postgres
