// Serializable Snapshot Isolation as PostgreSQL runs it (src/backend/
// storage/lmgr/predicate.c, after Ports and Grittner, VLDB 2012): a
// SERIALIZABLE transaction is REPEATABLE READ plus the tracking of
// read-write conflicts between concurrent serializable transactions, and a
// transaction is cancelled with 40001 when it would complete a "dangerous
// structure" T0 ->rw T1 ->rw T2 in which T2 committed first.
//
// What a transaction read is kept as PostgreSQL's SIREAD locks are:
// - the versions it read (tuple locks): updating or deleting such a version
//   is a write into the read;
// - the predicate it read by (WHERE and ranges), standing for the index
//   pages and relations PostgreSQL locks: a new row, or a new version that
//   enters the predicate, is a write into the read. A new version that was
//   already in it is not (PostgreSQL's HOT update of a non-key column).
// The predicate is exact where PostgreSQL's page locks are coarse, so the
// model raises fewer false positives than the server; the isolation specs
// it is held to (read-write-unique*, multiple-row-versions) answer alike.
//
// Only serializable transactions are tracked, as in PostgreSQL. The tracker
// knows them by the begin, snapshot, commit and abort it is told of; a
// committed one is kept while some active one's snapshot does not show it,
// and what it leaves behind is summarised into its neighbours' commit
// sequence bounds (PostgreSQL's summary conflicts).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "models/postgres/table.h"
#include "sim/state_writer.h"

namespace idemlab::models::postgres {

inline constexpr const char* kSsiMessage = "could not serialize access due to read/write dependencies among transactions";

class Ssi {
 public:
  void begin(TxId tx);
  bool tracked(TxId tx) const { return txs_.count(tx) != 0; }
  // The transaction's snapshot was taken: commits from now on are concurrent with it.
  void snapshot_taken(TxId tx);

  // `reader` read from `table` by `where` and `ranges` (nullptr: none), and
  // was given the versions `returned`.
  void read(TxId reader, const Table& table, const ResolvedWhere& where, const ResolvedRanges* ranges,
            const std::vector<std::uint32_t>& returned);
  // Conflict out: `reader`'s read met a version created or removed by
  // `writer`, which its snapshot does not show. Ignored unless both are
  // tracked and concurrent.
  void read_met_write(TxId reader, TxId writer);
  // `writer` writes into `table`: the version `replaced` (a row updated or
  // deleted; nullopt for an insert) with values `before`, now `after`
  // (nullptr for a delete).
  void write(TxId writer, const Table& table, std::optional<std::uint32_t> replaced,
             const std::vector<ports::Value>* before, const std::vector<ports::Value>* after);

  // Whether `tx` must fail with 40001 now (kSsiMessage).
  bool doomed(TxId tx) const;
  // COMMIT's check: false when `tx` must fail instead; otherwise it may
  // doom a pivot whose other side is still open (it commits, the pivot
  // gives way).
  bool precommit(TxId tx);
  void committed(TxId tx);
  void aborted(TxId tx);

  std::size_t size() const { return txs_.size(); }
  void write_state(sim::StateWriter& out) const;

 private:
  static constexpr std::uint64_t kOpen = std::numeric_limits<std::uint64_t>::max();
  struct Predicate {
    const Table* table;
    ResolvedWhere where;
    ResolvedRanges ranges;
    bool operator==(const Predicate&) const = default;
  };
  // Sequence numbers order snapshots, prepares and commits. A transaction
  // is prepared when its COMMIT passes precommit: from then on it counts as
  // committed in dangerous structures (it can no longer be the one to give
  // way), while its snapshot-visibility begins at its commit.
  struct Tx {
    std::uint64_t snapshot_seq = kOpen;  // transactions that commit from here on are concurrent
    std::uint64_t prepare_seq = kOpen;
    std::uint64_t commit_seq = kOpen;
    bool doomed = false;
    std::vector<Predicate> predicates;
    std::set<std::pair<std::string, std::uint32_t>> versions_read;  // (table, version): names, so that the order is the run's
    std::set<TxId> out;  // this ->rw them: they wrote what this read
    std::set<TxId> in;   // them ->rw this
    // Bounds left by neighbours no longer kept: the earliest commit among
    // the out-conflicts, the latest among the in-conflicts.
    std::uint64_t summary_out_commit = kOpen;
    std::uint64_t summary_in_commit = 0;
  };

  static bool prepared(const Tx& tx) { return tx.prepare_seq != kOpen; }
  bool concurrent(const Tx& a, const Tx& b) const;
  void conflict(TxId reader, TxId writer, TxId acting);
  bool dangerous(const Tx& reader, const Tx& writer) const;
  void forget_unneeded();

  std::map<TxId, Tx> txs_;
  std::uint64_t next_seq_ = 1;
};

}  // namespace idemlab::models::postgres
