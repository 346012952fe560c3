// The line protocol between crash_writer and the crash test. The writer reports each
// acknowledged append on its own line, written with one write(2) after the append
// returned, so a SIGKILL never tears a line and every line is a promise the log must keep.
//
//   ack <stream> <first_version> <last_version> <first_position> <last_position> <payload_id>
//   <dedup 0|1> try <idempotency_key> <stream> <payload_id> <event_count>     (keyed mode, before
//   appending)
//
// Event i (0-based) of the append carrying <payload_id> has payload "<payload_id>/<i>".
// Stream ids, keys and payload ids never contain spaces.
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

namespace dialtone::crash {

inline constexpr const char* kEventType = "crash.test";

struct AckLine {
  std::string stream;
  uint64_t first_version = 0;
  uint64_t last_version = 0;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  std::string payload_id;
  bool deduplicated = false;
};

struct TryLine {
  std::string key;
  std::string stream;
  std::string payload_id;
  uint64_t count = 0;
};

inline std::string EventPayload(const std::string& payload_id, uint64_t index) {
  return payload_id + "/" + std::to_string(index);
}

inline std::string FormatAck(const AckLine& a) {
  std::ostringstream out;
  out << "ack " << a.stream << ' ' << a.first_version << ' ' << a.last_version << ' '
      << a.first_position << ' ' << a.last_position << ' ' << a.payload_id << ' '
      << (a.deduplicated ? 1 : 0) << '\n';
  return out.str();
}

inline std::string FormatTry(const TryLine& t) {
  std::ostringstream out;
  out << "try " << t.key << ' ' << t.stream << ' ' << t.payload_id << ' ' << t.count << '\n';
  return out.str();
}

inline std::optional<AckLine> ParseAck(const std::string& line) {
  std::istringstream in(line);
  std::string tag;
  AckLine a;
  int dedup = -1;
  if (!(in >> tag >> a.stream >> a.first_version >> a.last_version >> a.first_position >>
        a.last_position >> a.payload_id >> dedup) ||
      tag != "ack" || (dedup != 0 && dedup != 1)) {
    return std::nullopt;
  }
  a.deduplicated = dedup == 1;
  return a;
}

inline std::optional<TryLine> ParseTry(const std::string& line) {
  std::istringstream in(line);
  std::string tag;
  TryLine t;
  if (!(in >> tag >> t.key >> t.stream >> t.payload_id >> t.count) || tag != "try") {
    return std::nullopt;
  }
  return t;
}

}  // namespace dialtone::crash
