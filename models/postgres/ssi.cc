#include "models/postgres/ssi.h"

#include <algorithm>
#include <cassert>

namespace idemlab::models::postgres {

void Ssi::begin(TxId tx) {
  assert(!tracked(tx));
  txs_.emplace(tx, Tx{});
}

void Ssi::snapshot_taken(TxId tx) {
  auto it = txs_.find(tx);
  if (it == txs_.end() || it->second.snapshot_seq != kOpen) return;
  it->second.snapshot_seq = next_seq_++;
}

bool Ssi::concurrent(const Tx& a, const Tx& b) const {
  // Two transactions overlap unless one committed before the other's
  // snapshot was taken.
  if (a.commit_seq != kOpen && a.commit_seq < b.snapshot_seq) return false;
  if (b.commit_seq != kOpen && b.commit_seq < a.snapshot_seq) return false;
  return true;
}

void Ssi::read(TxId reader, const Table& table, const ResolvedWhere& where, const ResolvedRanges* ranges,
               const std::vector<std::uint32_t>& returned) {
  auto it = txs_.find(reader);
  if (it == txs_.end()) return;
  Tx& tx = it->second;
  Predicate predicate{&table, where, ranges != nullptr ? *ranges : ResolvedRanges{}};
  if (std::find(tx.predicates.begin(), tx.predicates.end(), predicate) == tx.predicates.end()) {
    tx.predicates.push_back(std::move(predicate));
  }
  for (std::uint32_t version : returned) tx.versions_read.emplace(table.name(), version);
}

void Ssi::read_met_write(TxId reader, TxId writer) { conflict(reader, writer, reader); }

void Ssi::write(TxId writer, const Table& table, std::optional<std::uint32_t> replaced,
                const std::vector<ports::Value>* before, const std::vector<ports::Value>* after) {
  auto me = txs_.find(writer);
  if (me == txs_.end()) return;
  const auto in = [](const Predicate& p, const std::vector<ports::Value>& values) {
    return Table::matches(values, p.where) && Table::in_ranges(values, p.ranges);
  };
  std::vector<TxId> readers;
  for (const auto& [id, reader] : txs_) {
    if (id == writer || !concurrent(reader, me->second)) continue;
    bool hit = replaced && reader.versions_read.count({table.name(), *replaced}) != 0;
    for (const Predicate& p : reader.predicates) {
      if (hit || after == nullptr) break;
      // A version entering the predicate; one already in it was read as a
      // version (or its reader met the writer that made it).
      hit = p.table == &table && in(p, *after) && (before == nullptr || !in(p, *before));
    }
    if (hit) readers.push_back(id);
  }
  for (TxId reader : readers) conflict(reader, writer, writer);
}

void Ssi::conflict(TxId reader, TxId writer, TxId acting) {
  if (reader == writer) return;
  auto r = txs_.find(reader);
  auto w = txs_.find(writer);
  if (r == txs_.end() || w == txs_.end() || !concurrent(r->second, w->second)) return;
  if (!r->second.out.insert(writer).second) return;  // known already
  w->second.in.insert(reader);
  if (!dangerous(r->second, w->second)) return;
  // PostgreSQL's choice: the writer gives way if it is the one acting or
  // still open; a prepared writer cannot, so the reader (acting) does.
  if (writer == acting || !prepared(w->second)) {
    w->second.doomed = true;
  } else {
    r->second.doomed = true;
  }
}

bool Ssi::dangerous(const Tx& reader, const Tx& writer) const {
  // reader ->rw writer ->rw T2, T2 prepared before the reader and the writer.
  std::uint64_t first_out = writer.summary_out_commit;
  for (TxId t2 : writer.out) first_out = std::min(first_out, txs_.at(t2).prepare_seq);
  if (first_out != kOpen && first_out <= reader.prepare_seq && first_out <= writer.prepare_seq) return true;
  // T0 ->rw reader ->rw writer, the writer prepared first, T0 not before it.
  if (!prepared(writer)) return false;
  if (reader.summary_in_commit >= writer.prepare_seq) return true;
  for (TxId t0 : reader.in) {
    const Tx& t = txs_.at(t0);
    if (!t.doomed && (!prepared(t) || t.prepare_seq >= writer.prepare_seq)) return true;
  }
  return false;
}

bool Ssi::doomed(TxId tx) const {
  auto it = txs_.find(tx);
  return it != txs_.end() && it->second.doomed;
}

bool Ssi::precommit(TxId tx) {
  auto it = txs_.find(tx);
  if (it == txs_.end()) return true;
  if (it->second.doomed) return false;
  // A pivot near ->rw tx whose own in-conflict is tx or still open: tx
  // commits first, so the pivot gives way.
  for (TxId near : it->second.in) {
    Tx& pivot = txs_.at(near);
    if (prepared(pivot) || pivot.doomed) continue;
    for (TxId far : pivot.in) {
      const Tx& t0 = txs_.at(far);
      if (far == tx || (!prepared(t0) && !t0.doomed)) {
        pivot.doomed = true;
        break;
      }
    }
  }
  it->second.prepare_seq = next_seq_++;
  return true;
}

void Ssi::committed(TxId tx) {
  auto it = txs_.find(tx);
  if (it == txs_.end()) return;
  assert(prepared(it->second));
  it->second.commit_seq = next_seq_++;
  forget_unneeded();
}

void Ssi::aborted(TxId tx) {
  auto it = txs_.find(tx);
  if (it == txs_.end()) return;
  for (TxId other : it->second.in) txs_.at(other).out.erase(tx);
  for (TxId other : it->second.out) txs_.at(other).in.erase(tx);
  txs_.erase(it);
  forget_unneeded();
}

void Ssi::forget_unneeded() {
  // A committed transaction matters while some open one's snapshot does
  // not show it; open ones without a snapshot will see it.
  std::uint64_t oldest_snapshot = kOpen;
  for (const auto& [id, tx] : txs_) {
    if (tx.commit_seq == kOpen) oldest_snapshot = std::min(oldest_snapshot, tx.snapshot_seq);
  }
  std::vector<TxId> gone;
  for (const auto& [id, tx] : txs_) {
    if (tx.commit_seq != kOpen && tx.commit_seq < oldest_snapshot) gone.push_back(id);
  }
  for (TxId id : gone) {
    const Tx& tx = txs_.at(id);
    for (TxId other : tx.in) {
      Tx& reader = txs_.at(other);
      reader.out.erase(id);
      reader.summary_out_commit = std::min(reader.summary_out_commit, tx.prepare_seq);
    }
    for (TxId other : tx.out) {
      Tx& writer = txs_.at(other);
      writer.in.erase(id);
      writer.summary_in_commit = std::max(writer.summary_in_commit, tx.prepare_seq);
    }
  }
  for (TxId id : gone) txs_.erase(id);
}

void Ssi::write_state(sim::StateWriter& out) const {
  out.tag("ssi");
  out.u64(next_seq_);
  out.u64(txs_.size());
  for (const auto& [id, tx] : txs_) {
    out.u64(id);
    out.u64(tx.snapshot_seq);
    out.u64(tx.prepare_seq);
    out.u64(tx.commit_seq);
    out.flag(tx.doomed);
    out.u64(tx.predicates.size());
    for (const Predicate& p : tx.predicates) {
      out.str(p.table->name());
      for (const auto& [column, value] : p.where) {
        out.u64(column);
        write_value(out, value);
      }
      for (const ResolvedRange& r : p.ranges) {
        out.u64(r.column);
        out.u64(static_cast<std::uint64_t>(r.op));
        write_value(out, r.value);
      }
    }
    out.u64(tx.versions_read.size());
    for (const auto& [table, version] : tx.versions_read) {
      out.str(table);
      out.u64(version);
    }
    for (TxId t : tx.out) out.u64(t);
    out.u64(tx.out.size());
    for (TxId t : tx.in) out.u64(t);
    out.u64(tx.in.size());
    out.u64(tx.summary_out_commit);
    out.u64(tx.summary_in_commit);
  }
}

}  // namespace idemlab::models::postgres
