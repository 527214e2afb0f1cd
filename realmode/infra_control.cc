#include "realmode/infra_control.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace idemlab::realmode {

std::string InfraControl::run(std::vector<std::string> args) {
  std::erase(args, std::string());
  std::string shown = script_;
  for (const std::string& a : args) {
    shown += ' ';
    shown += a;
  }
  std::vector<char*> argv{script_.data()};
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int out[2];
  if (pipe(out) != 0) throw InfraFailed(shown + ": pipe: " + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  // Nothing else of ours: a server the script starts would otherwise keep
  // our connections (to Redis, PostgreSQL...) open for as long as it runs.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, script_.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (spawned != 0) {
    close(out[0]);
    throw InfraFailed(shown + ": " + std::strerror(spawned));
  }
  std::string output;
  char buffer[512];
  for (;;) {
    const ssize_t n = read(out[0], buffer, sizeof buffer);
    if (n > 0) {
      output.append(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string why = shown;
    why += WIFEXITED(status) ? " failed (exit " + std::to_string(WEXITSTATUS(status)) : std::string(" failed (killed");
    why += "); its reason is on stderr above";
    throw InfraFailed(why);
  }
  return output;
}

Endpoint InfraControl::failover_redis() {
  std::string url = run({"failover-redis"});
  while (!url.empty() && (url.back() == '\n' || url.back() == '\r')) url.pop_back();
  std::string error;
  const std::optional<Endpoint> endpoint = parse_endpoint(url, "redis", error);
  if (!endpoint) throw InfraFailed(script_ + " failover-redis printed no Redis URL: " + error);
  return *endpoint;
}

}  // namespace idemlab::realmode
