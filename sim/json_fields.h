// Reading the fields of a results file strictly (a sweep's, a load's, an
// exploration's...): every field its writer wrote is required and of its
// type, and anything else throws `Error` with one line naming the file and
// the JSON path ("x.json: $.points[3].runs: missing"). Parse the text with
// parse_strict_json (sim/strict_json.h) first.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace idemlab::sim {

template <class Error>
class JsonFields {
 public:
  using json = nlohmann::json;

  explicit JsonFields(std::string where) : where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw Error(where_ + ": " + path + ": " + what);
  }
  const json& member(const json& object, const std::string& path, const char* key) const {
    if (!object.is_object()) fail(path, "not an object");
    const auto found = object.find(key);
    if (found == object.end()) fail(path + "." + key, "missing");
    return *found;
  }
  std::uint64_t count(const json& v, const std::string& path) const {
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) fail(path, "not a count");
    return v.get<std::uint64_t>();
  }
  std::uint64_t count(const json& object, const std::string& path, const char* key) const {
    return count(member(object, path, key), path + "." + key);
  }
  std::int64_t integer(const json& object, const std::string& path, const char* key) const {
    const json& v = member(object, path, key);
    if (!v.is_number_integer()) fail(path + "." + key, "not an integer");
    return v.get<std::int64_t>();
  }
  double real(const json& object, const std::string& path, const char* key) const {
    const json& v = member(object, path, key);
    if (!v.is_number()) fail(path + "." + key, "not a number");
    return v.get<double>();
  }
  bool boolean(const json& object, const std::string& path, const char* key) const {
    const json& v = member(object, path, key);
    if (!v.is_boolean()) fail(path + "." + key, "not true or false");
    return v.get<bool>();
  }
  std::string text(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "not a string");
    return v.get<std::string>();
  }
  std::string text(const json& object, const std::string& path, const char* key) const {
    return text(member(object, path, key), path + "." + key);
  }
  // A member that must be a list; `nonempty`: one with something in it.
  const json& list(const json& object, const std::string& path, const char* key, bool nonempty = false) const {
    const json& v = member(object, path, key);
    if (!v.is_array()) fail(path + "." + key, "not a list");
    if (nonempty && v.empty()) fail(path + "." + key, "empty: nothing to plot");
    return v;
  }
  std::vector<std::uint64_t> counts(const json& object, const std::string& path, const char* key) const {
    const json& v = list(object, path, key);
    std::vector<std::uint64_t> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(count(v[i], at(path + "." + key, i)));
    return out;
  }
  std::vector<std::string> texts(const json& object, const std::string& path, const char* key) const {
    const json& v = list(object, path, key);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) out.push_back(text(v[i], at(path + "." + key, i)));
    return out;
  }
  static std::string at(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }

 protected:
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

}  // namespace idemlab::sim
