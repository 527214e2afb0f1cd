#include "realmode/endpoint.h"

#include <charconv>

namespace idemlab::realmode {
namespace {

int default_port(std::string_view scheme) {
  if (scheme == "redis") return 6379;
  if (scheme == "amqp") return 5672;
  return 5432;  // postgresql
}

// %XX escapes, as URLs carry reserved characters in user names and passwords.
std::optional<std::string> decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) return std::nullopt;
    const auto [end, error] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (error != std::errc() || end != text.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

}  // namespace

std::string Endpoint::redacted() const {
  std::string url = scheme + "://";
  if (!user.empty() || !password.empty()) url += user + (password.empty() ? "" : ":***") + "@";
  url += host + ":" + std::to_string(port) + "/" + (scheme == "amqp" && path == "/" ? "" : path);
  return url;
}

std::optional<Endpoint> parse_endpoint(std::string_view url, std::string_view scheme, std::string& error) {
  Endpoint e;
  const auto separator = url.find("://");
  const std::string_view given = separator == std::string_view::npos ? std::string_view() : url.substr(0, separator);
  const bool scheme_ok = given == scheme || (scheme == "postgresql" && given == "postgres");
  if (!scheme_ok) {
    error = "must start with " + std::string(scheme) + "://";
    return std::nullopt;
  }
  e.scheme = std::string(scheme);
  std::string_view rest = url.substr(separator + 3);
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const auto colon = credentials.find(':');
    const auto user = decode(credentials.substr(0, colon));
    const auto password =
        colon == std::string_view::npos ? std::optional<std::string>("") : decode(credentials.substr(colon + 1));
    if (!user || !password) {
      error = "bad %-escape in the user or password";
      return std::nullopt;
    }
    e.user = *user;
    e.password = *password;
  }
  const auto colon = authority.rfind(':');
  e.host = std::string(authority.substr(0, colon));
  e.port = default_port(scheme);
  if (colon != std::string_view::npos) {
    const std::string_view port = authority.substr(colon + 1);
    const auto [end, failure] = std::from_chars(port.data(), port.data() + port.size(), e.port);
    if (failure != std::errc() || end != port.data() + port.size() || e.port <= 0 || e.port > 65535) {
      error = "bad port \"" + std::string(port) + "\"";
      return std::nullopt;
    }
  }
  if (e.host.empty()) {
    error = "no host";
    return std::nullopt;
  }
  const auto decoded_path = decode(path);
  if (!decoded_path) {
    error = "bad %-escape in the path";
    return std::nullopt;
  }
  e.path = *decoded_path;
  if (scheme == "amqp" && e.path.empty()) e.path = "/";
  if (scheme == "redis" && e.path.empty()) e.path = "0";
  return e;
}

}  // namespace idemlab::realmode
