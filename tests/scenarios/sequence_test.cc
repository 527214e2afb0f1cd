#include <catch2/catch.hpp>

#include "scenarios/sequence.h"

namespace idemlab::scenarios {
namespace {

std::vector<sim::TraceRecord> call_with_lost_reply() {
  return {
      {0, "api", "start", "incarnation 1"},
      {1, "client-1", "invoke", "client-1/pi_1 attempt 1"},
      {1, "client-1", "send", "POST /payments client-1/pi_1 to api"},
      {2, "api", "deliver", "POST /payments client-1/pi_1 from client-1"},
      {3, "api", "send", "redis SET idem:k to redis"},
      {4, "redis", "SET", "idem:k NX -> OK; #1"},
      {4, "redis", "reply", "redis SET idem:k to api"},
      {5, "api", "drop-reply", "POST /payments client-1/pi_1 to client-1"},
      {6, "api", "fault", "crash at after:processor.charge #1 on api"},
  };
}

TEST_CASE("a call is an arrow, its reply a dashed arrow, a lost reply a cross") {
  const std::string m = mermaid_sequence(call_with_lost_reply());
  CHECK(m.rfind("sequenceDiagram\n", 0) == 0);
  CHECK(m.find("  client_1->>api: POST /payments client-1/pi_1\n") != std::string::npos);
  CHECK(m.find("  api->>redis: redis SET idem:k\n") != std::string::npos);
  CHECK(m.find("  redis-->>api: redis SET idem:k\n") != std::string::npos);
  CHECK(m.find("  api--xclient_1: POST /payments client-1/pi_1 (reply lost)\n") != std::string::npos);
}

TEST_CASE("participants are the nodes the diagram mentions, clients first, with their names as labels") {
  const std::string m = mermaid_sequence(call_with_lost_reply());
  const auto client = m.find("participant client_1 as client-1\n");
  const auto api = m.find("participant api as api\n");
  const auto redis = m.find("participant redis as redis\n");
  REQUIRE(client != std::string::npos);
  REQUIRE(api != std::string::npos);
  REQUIRE(redis != std::string::npos);
  CHECK(client < api);
  CHECK(api < redis);
  CHECK(m.find("postgres") == std::string::npos);
}

TEST_CASE("faults and client outcomes are notes; deliveries and first starts are left out") {
  const std::string m = mermaid_sequence(call_with_lost_reply());
  CHECK(m.find("Note over client_1: invoke client-1/pi_1 attempt 1\n") != std::string::npos);
  CHECK(m.find("Note over api: 0.000006 ms fault crash at after:processor.charge #35;1 on api\n") != std::string::npos);
  CHECK(m.find("deliver") == std::string::npos);
  CHECK(m.find("incarnation 1") == std::string::npos);
}

TEST_CASE("text that Mermaid would read as syntax is escaped") {
  const std::string m = mermaid_sequence(call_with_lost_reply());
  CHECK(m.find("Note right of redis: SET idem:k NX -> OK#59; #35;1\n") != std::string::npos);
  std::string outside_entities = m;
  for (const std::string entity : {"#35;", "#59;"}) {
    for (auto at = outside_entities.find(entity); at != std::string::npos; at = outside_entities.find(entity)) {
      outside_entities.erase(at, entity.size());
    }
  }
  CHECK(outside_entities.find(';') == std::string::npos);
  CHECK(outside_entities.find('#') == std::string::npos);
}

TEST_CASE("the diagram's steps keep each record's time, kind and ends; events' times stay out of their text") {
  const SequenceDiagram d = sequence_of(call_with_lost_reply());
  REQUIRE(d.steps.size() == 7);
  CHECK(d.steps[0].kind == SequenceStep::Kind::kOutcome);
  CHECK(d.steps[1].kind == SequenceStep::Kind::kCall);
  CHECK(d.steps[1].at == 1);
  CHECK(d.steps[1].from == "client-1");
  CHECK(d.steps[1].to == "api");
  CHECK(d.steps[3].kind == SequenceStep::Kind::kCommand);
  CHECK(d.steps[5].kind == SequenceStep::Kind::kLostReply);
  CHECK(d.steps[6].kind == SequenceStep::Kind::kEvent);
  CHECK(d.steps[6].at == 6);
  CHECK(d.steps[6].text == "fault crash at after:processor.charge #1 on api");
}

TEST_CASE("clients stand in the order of their numbers, not of their first step") {
  const std::vector<sim::TraceRecord> records = {
      {1, "client-10", "send", "POST /payments a to api"},
      {2, "client-2", "send", "POST /payments b to api"},
      {3, "client-1", "send", "POST /payments c to api"},
      {4, "api", "drop-request", "redis GET k to redis"},
  };
  const SequenceDiagram d = sequence_of(records);
  CHECK(d.participants == std::vector<std::string>{"client-1", "client-2", "client-10", "api", "redis"});
  CHECK(d.steps.back().kind == SequenceStep::Kind::kLostRequest);
  CHECK(mermaid_text(d).find("Note over api: redis GET k lost on the way to redis\n") != std::string::npos);
}

TEST_CASE("every step kind's name reads back as that kind, and no other name does") {
  for (int k = 0; k <= static_cast<int>(SequenceStep::Kind::kCommand); ++k) {
    const auto kind = static_cast<SequenceStep::Kind>(k);
    SequenceStep::Kind read = SequenceStep::Kind::kCall;
    CHECK(parse_step_kind(step_kind_name(kind), read));
    CHECK(read == kind);
  }
  SequenceStep::Kind read = SequenceStep::Kind::kCall;
  CHECK_FALSE(parse_step_kind("arrow", read));
  CHECK_FALSE(parse_step_kind("", read));
}

}  // namespace
}  // namespace idemlab::scenarios
