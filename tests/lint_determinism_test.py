#!/usr/bin/env python3
"""The determinism lint must catch each kind of planted violation, and only
those: every planted file is reported with its rule; a clean file, and code
that merely mentions the APIs in comments or strings, passes."""
import pathlib
import subprocess
import sys
import tempfile

PLANTED = {
    "sim/clock.cc": ("wall clock", "auto t = std::chrono::steady_clock::now();"),
    "sim/ctime.cc": ("wall clock", "long t = time(nullptr);"),
    "models/seed.cc": ("OS randomness", "std::random_device device;"),
    "strategies/rand.cc": ("rand()", "int x = rand() % 6;"),
    "checks/engine.cc": ("<random>", "std::mt19937 engine(42);"),
    "checks/include.h": ("<random>", "#include <random>"),
    "models/dist.cc": ("<random>", "std::uniform_int_distribution<int> pick(1, 6);"),
    "sim/thread.cc": ("threads", "std::thread worker([] {});"),
    "models/iterate.cc": ("unordered iteration over pending",
                          "std::unordered_map<int, std::string> pending;\n"
                          "void f() { for (const auto& [k, v] : pending) use(k); }"),
    "models/member.h": ("unordered iteration over keys_",
                        "std::unordered_set<std::string> keys_;\n"
                        "auto first() { return keys_.begin(); }"),
}

CLEAN = """
// Mentions in comments do not count: rand(), std::random_device, steady_clock.
#include <map>
const char* text = "time(nullptr) and rand() inside a string";
std::unordered_map<int, int> index;  // lookups are fine
int lookup(int k) { return index.at(k) + runtime(3) + brand(2); }
int separators = 1'000'000;
"""


def run_lint(lint, root):
    return subprocess.run([sys.executable, lint, str(root)], capture_output=True, text=True)


def main():
    lint = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as temp:
        root = pathlib.Path(temp)
        (root / "sim").mkdir()
        (root / "sim" / "clean.cc").write_text(CLEAN)
        clean = run_lint(lint, root)
        if clean.returncode != 0:
            failures.append("clean tree rejected:\n" + clean.stdout + clean.stderr)

        for relative, (rule, code) in PLANTED.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(code + "\n")
            result = run_lint(lint, root)
            expected = f"{relative}:"
            if result.returncode != 1:
                failures.append(f"{relative}: exit {result.returncode}, want 1")
            elif not any(line.startswith(expected) and f": {rule}:" in line for line in result.stdout.splitlines()):
                failures.append(f"{relative}: rule '{rule}' not reported; got:\n{result.stdout}")
            path.unlink()

        # Code outside the simulated folders is not the lint's business.
        (root / "realmode").mkdir()
        (root / "realmode" / "clock.cc").write_text("auto t = std::chrono::steady_clock::now();\n")
        if run_lint(lint, root).returncode != 0:
            failures.append("realmode/ was linted, but real mode may read the clock")

    for failure in failures:
        print("FAIL:", failure)
    print(f"{len(PLANTED) + 2 - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
