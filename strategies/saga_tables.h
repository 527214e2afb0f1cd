// What the two saga strategies share: the names of their tables and the
// reservation table (key, amount, released).
#pragma once

#include "strategies/ports/sql.h"

namespace idemlab::strategies {

inline constexpr const char* kSagas = "sagas";
inline constexpr const char* kReservations = "saga_reservations";
inline constexpr const char* kNotifications = "payment-notifications";

inline ports::TableSchema saga_reservations_table() {
  ports::TableSchema reservations;
  reservations.name = kReservations;
  reservations.columns = {{"key", ports::ColumnType::kText, false},
                          {"amount", ports::ColumnType::kBigint, false},
                          {"released", ports::ColumnType::kBigint, false}};
  reservations.primary_key = {"key"};
  return reservations;
}

}  // namespace idemlab::strategies
