#include "model/validate.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>

#include "model/digest.h"
#include "model/formats.h"

namespace dialtone::model {
namespace {

enum class Mode { kCreate, kPatch, kPut };

std::string JoinValues(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (!out.empty()) out += ", ";
    out += v;
  }
  return out;
}

std::string RandomSecretRef() {
  static thread_local std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string ref = "sec_";
  for (int i = 0; i < 4; ++i) {
    uint32_t word = device();
    for (int nibble = 0; nibble < 8; ++nibble) {
      ref.push_back(kHex[word & 0xf]);
      word >>= 4;
    }
  }
  return ref;
}

bool IsIdText(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':')) {
      return false;
    }
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool IsNullAt(const Json& doc, const std::string& field) {
  auto it = doc.find(field);
  return it == doc.end() || it->is_null();
}

// Checks one non-null value against its field; returns the normalised value, or nullopt
// after appending the error(s).
std::optional<Json> Coerce(const FieldSpec& f, const Json& v, const std::string& path,
                           std::vector<FieldError>& errors) {
  auto fail = [&](std::string message) -> std::optional<Json> {
    errors.push_back({path, std::move(message)});
    return std::nullopt;
  };
  auto length_ok = [&](const std::string& s) -> std::optional<std::string> {
    if (f.min && static_cast<int64_t>(s.size()) < *f.min) {
      return *f.min == 1 ? std::string("must not be empty")
                         : "must be at least " + std::to_string(*f.min) + " characters";
    }
    if (f.max && static_cast<int64_t>(s.size()) > *f.max) {
      return "must be at most " + std::to_string(*f.max) + " characters";
    }
    return std::nullopt;
  };
  auto check = [&](const FormatError& e, Json value) -> std::optional<Json> {
    if (e) return fail(*e);
    return value;
  };

  switch (f.type) {
    case FieldType::kInt:
    case FieldType::kTimestamp: {
      if (!v.is_number_integer()) return fail("must be an integer");
      if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())) {
        return fail("is out of range");
      }
      int64_t n = v.get<int64_t>();
      if (f.min && f.max && (n < *f.min || n > *f.max)) {
        return fail("must be between " + std::to_string(*f.min) + " and " + std::to_string(*f.max));
      }
      if (f.min && n < *f.min) return fail("must be at least " + std::to_string(*f.min));
      if (f.max && n > *f.max) return fail("must be at most " + std::to_string(*f.max));
      return Json(n);
    }
    case FieldType::kBool01: {
      if (v.is_boolean()) return Json(v.get<bool>() ? 1 : 0);
      if (v.is_number_integer() && (v.get<int64_t>() == 0 || v.get<int64_t>() == 1)) {
        return Json(v.get<int64_t>());
      }
      return fail("must be 0, 1, true or false");
    }
    case FieldType::kJson:
      if (!v.is_object()) return fail("must be a JSON object");
      return v;
    case FieldType::kEnumList: {
      if (!v.is_array()) return fail("must be an array of: " + JoinValues(f.enum_values));
      if (f.min && static_cast<int64_t>(v.size()) < *f.min) {
        return fail("must hold at least " + std::to_string(*f.min) + " value(s)");
      }
      if (f.max && static_cast<int64_t>(v.size()) > *f.max) {
        return fail("must hold at most " + std::to_string(*f.max) + " values");
      }
      bool ok = true;
      std::set<std::string> seen;
      for (size_t i = 0; i < v.size(); ++i) {
        std::string item_path = path + "[" + std::to_string(i) + "]";
        const Json& item = v[i];
        if (!item.is_string() ||
            std::find(f.enum_values.begin(), f.enum_values.end(), item.get<std::string>()) ==
                f.enum_values.end()) {
          errors.push_back({item_path, "must be one of: " + JoinValues(f.enum_values)});
          ok = false;
        } else if (!seen.insert(item.get<std::string>()).second) {
          errors.push_back({item_path, "is listed twice"});
          ok = false;
        }
      }
      if (!ok) return std::nullopt;
      return v;
    }
    default:
      break;
  }

  // Every remaining type is a string.
  if (!v.is_string()) return fail("must be a string");
  std::string s = v.get<std::string>();
  switch (f.type) {
    case FieldType::kString:
    case FieldType::kSipUser:
    case FieldType::kDigits:
    case FieldType::kSecret:
    case FieldType::kPassword: {
      if (auto e = length_ok(s)) return fail(*e);
      if (f.type == FieldType::kSipUser) return check(CheckSipUser(s), s);
      if (f.type == FieldType::kDigits) return check(CheckDialString(s), s);
      if (f.digits_only && !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return fail("must contain only digits");
      }
      return Json(s);
    }
    case FieldType::kEnum:
      if (std::find(f.enum_values.begin(), f.enum_values.end(), s) == f.enum_values.end()) {
        return fail("must be one of: " + JoinValues(f.enum_values));
      }
      return Json(s);
    case FieldType::kE164: return check(CheckE164(s), s);
    case FieldType::kCidr: {
      std::string canonical;
      if (auto e = CheckCidr(s, &canonical)) return fail(*e);
      return Json(canonical);
    }
    case FieldType::kIp: return check(CheckIp(s), s);
    case FieldType::kHost: return check(CheckHost(s), Lower(s));
    case FieldType::kHostPort: return check(CheckHostPort(s), Lower(s));
    case FieldType::kRegex: return check(CheckRegex(s), s);
    case FieldType::kTimezone: return check(CheckTimezone(s), s);
    case FieldType::kHhmm:
      if (!ParseHhmm(s, f.allow_2400)) {
        return fail(f.allow_2400 ? "must be HH:MM between 00:00 and 24:00" : "must be HH:MM between 00:00 and 23:59");
      }
      return Json(s);
    case FieldType::kDate:
      if (!ParseDate(s)) return fail("must be a calendar date YYYY-MM-DD");
      return Json(s);
    case FieldType::kRef:
      if (!IsIdText(s)) return fail("must be a resource id");
      return Json(s);
    case FieldType::kUrl: return check(CheckUrl(s), s);
    case FieldType::kEmail: return check(CheckEmail(s), s);
    case FieldType::kDomain: return check(CheckDomain(Lower(s)), Lower(s));
    case FieldType::kDnsLabel: return check(CheckDnsLabel(Lower(s)), Lower(s));
    case FieldType::kCountry:
      if (!IsIsoCountry(Upper(s))) return fail("must be an ISO 3166-1 alpha-2 country code");
      return Json(Upper(s));
    case FieldType::kLanguage: return check(CheckLanguage(s), s);
    default:
      return fail("has an unsupported type");
  }
}

// Every stored field at its default (or null when nullable); required fields and
// server-set fields without a default are left absent.
Json Defaults(const ResourceSpec& spec) {
  Json doc = Json::object();
  for (const auto& f : spec.fields) {
    if (f.type == FieldType::kPassword) continue;
    if (!f.default_value.is_null()) {
      doc[f.name] = f.default_value;
    } else if (f.nullable) {
      doc[f.name] = nullptr;
    }
  }
  return doc;
}

const FieldSpec* PasswordField(const ResourceSpec& spec) {
  for (const auto& f : spec.fields) {
    if (f.type == FieldType::kPassword) return &f;
  }
  return nullptr;
}

void CheckPolyRefs(const ResourceSpec& spec, const Json& doc, std::vector<FieldError>& errors) {
  for (const auto& rule : spec.poly_refs) {
    bool kind_null = IsNullAt(doc, rule.kind_field);
    bool id_null = IsNullAt(doc, rule.id_field);
    if (kind_null) {
      if (!id_null) errors.push_back({rule.id_field, "must be null when " + rule.kind_field + " is null"});
      continue;
    }
    if (!doc[rule.kind_field].is_string()) continue;
    const std::string kind = doc[rule.kind_field].get<std::string>();
    const KindTarget* target = rule.Target(kind);
    if (!target) continue;  // the enum check already reported it
    const std::string when = " when " + rule.kind_field + " is " + kind;
    if (target->id_rule == IdRule::kNone) {
      if (!id_null) errors.push_back({rule.id_field, "must be null" + when});
      continue;
    }
    if (id_null) {
      errors.push_back({rule.id_field, "is required" + when});
      continue;
    }
    const std::string id = doc[rule.id_field].is_string() ? doc[rule.id_field].get<std::string>() : "";
    switch (target->id_rule) {
      case IdRule::kResource:
        if (!IsIdText(id)) errors.push_back({rule.id_field, "must be the id of a " + target->resource_kind});
        break;
      case IdRule::kFeature: {
        const auto& codes = FeatureCodes();
        if (std::find(codes.begin(), codes.end(), id) == codes.end()) {
          errors.push_back({rule.id_field, "must be one of: " + JoinValues(codes) + when});
        }
        break;
      }
      case IdRule::kE164:
        if (auto e = CheckE164(id)) errors.push_back({rule.id_field, *e + when});
        break;
      case IdRule::kNone:
        break;
    }
  }
}

NormalizeResult Apply(const ResourceSpec& spec, const Json* existing, const Json& input, Mode mode,
                      const NormalizeOptions& options) {
  std::vector<FieldError> errors;
  if (!input.is_object()) {
    return ValidationErrors(std::vector<FieldError>{{"", "must be a JSON object"}});
  }
  if (mode != Mode::kCreate && (existing == nullptr || !existing->is_object())) {
    return ValidationErrors(std::vector<FieldError>{{"", "the stored document is not an object"}});
  }
  auto new_ref = [&]() { return options.new_secret_ref ? options.new_secret_ref() : RandomSecretRef(); };
  auto existing_value = [&](const std::string& name) -> const Json* {
    if (!existing) return nullptr;
    auto it = existing->find(name);
    return it == existing->end() ? nullptr : &*it;
  };

  Normalized out;
  Json doc;
  if (mode == Mode::kPatch) {
    doc = *existing;
  } else {
    doc = Defaults(spec);
    if (mode == Mode::kPut) {
      for (const auto& f : spec.fields) {
        if (f.read_only || f.immutable || f.type == FieldType::kSecret) {
          if (const Json* v = existing_value(f.name)) doc[f.name] = *v;
        }
      }
    }
  }

  std::optional<std::string> password;
  for (const auto& [key, value] : input.items()) {
    const FieldSpec* f = spec.FieldForInput(key);
    const Json* stored = existing_value(key);
    if (f == nullptr) {
      const FieldSpec* by_name = spec.Field(key);
      if (by_name && by_name->type == FieldType::kSecret) {
        if (mode != Mode::kCreate && stored && *stored == value) continue;  // echoed back
        errors.push_back({key, "is set by the server; write the secret as '" + by_name->write_name + "'"});
      } else {
        errors.push_back({key, "is not a field of " + spec.kind});
      }
      continue;
    }
    if (f->read_only) {
      if (mode != Mode::kCreate && stored && *stored == value) continue;
      errors.push_back({key, "is read-only"});
      continue;
    }
    if (f->immutable && mode != Mode::kCreate) {
      if (stored && *stored == value) continue;
      errors.push_back({key, "cannot be changed after creation"});
      continue;
    }
    if (value.is_null()) {
      if (f->type == FieldType::kSecret) {
        if (f->required) {
          errors.push_back({key, "is required and cannot be cleared"});
          continue;
        }
        if (!IsNullAt(doc, f->name)) out.secret_refs_to_delete.push_back(doc[f->name].get<std::string>());
        doc[f->name] = nullptr;
      } else if (f->nullable) {
        doc[f->name] = nullptr;
      } else {
        errors.push_back({key, "cannot be null"});
      }
      continue;
    }
    auto coerced = Coerce(*f, value, key, errors);
    if (!coerced) continue;
    if (f->type == FieldType::kSecret) {
      if (!IsNullAt(doc, f->name) && doc[f->name].is_string()) {
        out.secret_refs_to_delete.push_back(doc[f->name].get<std::string>());
      }
      SecretWrite write{f->name, new_ref(), coerced->get<std::string>()};
      doc[f->name] = write.ref;
      out.secrets_to_store.push_back(std::move(write));
    } else if (f->type == FieldType::kPassword) {
      password = coerced->get<std::string>();
    } else {
      doc[f->name] = std::move(*coerced);
    }
  }

  // Required fields.
  if (mode != Mode::kPatch) {
    for (const auto& f : spec.fields) {
      if (!f.required) continue;
      if (f.type == FieldType::kPassword) {
        if (!password && IsNullAt(doc, "ha1")) errors.push_back({f.write_name, "is required"});
      } else if (f.type == FieldType::kSecret) {
        if (IsNullAt(doc, f.name)) errors.push_back({f.write_name, "is required"});
      } else if (IsNullAt(doc, f.name) && !input.contains(f.name)) {
        errors.push_back({f.name, "is required"});
      }
    }
  }

  // Digest hashes: recomputed from the password; the identity cannot move without it.
  if (const FieldSpec* pf = PasswordField(spec)) {
    auto text = [&](const Json& d, const char* name) {
      auto it = d.find(name);
      return it != d.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string username = text(doc, "auth_username");
    const std::string realm = text(doc, "realm");
    if (password) {
      if (!username.empty() && !realm.empty()) {
        doc["ha1"] = DigestHa1(username, realm, *password);
        doc["ha1b"] = DigestHa1b(username, realm, *password);
      }
    } else if (mode != Mode::kCreate &&
               (text(*existing, "auth_username") != username || text(*existing, "realm") != realm)) {
      errors.push_back({pf->write_name, "is required when auth_username or realm changes"});
    }
  }

  CheckPolyRefs(spec, doc, errors);
  if (spec.cross_check) spec.cross_check(doc, errors);
  if (!errors.empty()) return ValidationErrors(std::move(errors));
  if (spec.derive) spec.derive(doc);
  out.document = std::move(doc);
  return out;
}

// --- flow graphs ---------------------------------------------------------------------

// The parameter a node of each type must carry, and the kind it names (for References).
struct NodeParam {
  const char* type;
  const char* field;
  const char* ref_kind;  // nullptr: a plain value
};
constexpr NodeParam kNodeParams[] = {
    {"dial_user", "user_id", "user"},
    {"dial_ring_group", "ring_group_id", "ring_group"},
    {"queue", "queue_id", "queue"},
    {"voicemail", "voicemail_id", "voicemail"},
    {"conference", "conference_id", "conference"},
    {"forward", "forward_id", "forward"},
    {"play", "media_id", "media_file"},
    {"time_condition", "schedule_id", "time_schedule"},
    {"say", "text", nullptr},
    {"webhook", "url", nullptr},
    {"set_variable", "name", nullptr},
    {"transfer", "to", nullptr},
};

// Id-bearing node fields and the kinds they name, whatever the node type.
constexpr std::pair<const char*, const char*> kNodeRefFields[] = {
    {"user_id", "user"},           {"ring_group_id", "ring_group"}, {"queue_id", "queue"},
    {"voicemail_id", "voicemail"}, {"conference_id", "conference"}, {"forward_id", "forward"},
    {"media_id", "media_file"},    {"schedule_id", "time_schedule"}, {"flow_id", "flow"},
    {"extension_id", "extension"}, {"playlist_id", "media_playlist"},
};

std::string JoinPath(std::string_view prefix, const std::string& rest) {
  return prefix.empty() ? rest : std::string(prefix) + "." + rest;
}

}  // namespace

ValidationErrors::ValidationErrors(std::vector<FieldError> e) : errors(std::move(e)) {
  assert(!errors.empty());
  std::string message;
  for (const auto& error : errors) {
    if (!message.empty()) message += "; ";
    message += (error.path.empty() ? std::string("body") : error.path) + ": " + error.message;
  }
  status = Status::InvalidArgument(std::move(message));
}

const FieldError* ValidationErrors::Find(std::string_view path) const {
  for (const auto& e : errors) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

NormalizeResult NormalizeCreate(const ResourceSpec& spec, const Json& body, const NormalizeOptions& options) {
  return Apply(spec, nullptr, body, Mode::kCreate, options);
}

NormalizeResult NormalizePatch(const ResourceSpec& spec, const Json& existing, const Json& patch,
                               const NormalizeOptions& options) {
  return Apply(spec, &existing, patch, Mode::kPatch, options);
}

NormalizeResult NormalizePut(const ResourceSpec& spec, const Json& existing, const Json& body,
                             const NormalizeOptions& options) {
  return Apply(spec, &existing, body, Mode::kPut, options);
}

void StampCreate(Json& doc, std::string_view id, std::string_view account_id, int64_t now) {
  doc["id"] = std::string(id);
  doc["account_id"] = std::string(account_id);
  doc["created_at"] = now;
  doc["updated_at"] = now;
}

void StampUpdate(Json& doc, int64_t now) { doc["updated_at"] = now; }

std::vector<FieldError> FlowGraphErrors(const Json& graph, std::string_view prefix) {
  std::vector<FieldError> errors;
  if (!graph.is_object()) return {{std::string(prefix), "must be an object {nodes, edges}"}};
  const Json empty = Json::array();
  const Json& nodes = graph.contains("nodes") ? graph["nodes"] : empty;
  const Json& edges = graph.contains("edges") ? graph["edges"] : empty;
  if (!nodes.is_array()) errors.push_back({JoinPath(prefix, "nodes"), "must be an array"});
  if (!edges.is_array()) errors.push_back({JoinPath(prefix, "edges"), "must be an array"});
  for (const auto& [key, value] : graph.items()) {
    if (key != "nodes" && key != "edges") errors.push_back({JoinPath(prefix, key), "is not a field of a flow graph"});
  }
  if (!errors.empty()) return errors;

  const auto& types = FlowNodeTypes();
  std::map<std::string, size_t> index;  // node id -> position in nodes
  std::vector<size_t> starts;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const std::string at = JoinPath(prefix, "nodes[" + std::to_string(i) + "]");
    const Json& node = nodes[i];
    if (!node.is_object()) {
      errors.push_back({at, "must be an object {id, type, ...}"});
      continue;
    }
    auto id = node.find("id");
    if (id == node.end() || !id->is_string() || id->get<std::string>().empty() || id->get<std::string>().size() > 128) {
      errors.push_back({at + ".id", "must be a non-empty string of at most 128 characters"});
    } else if (!index.emplace(id->get<std::string>(), i).second) {
      errors.push_back({at + ".id", "duplicates node id '" + id->get<std::string>() + "'"});
    }
    auto type = node.find("type");
    if (type == node.end() || !type->is_string()) {
      errors.push_back({at + ".type", "must be one of: " + JoinValues(types)});
      continue;
    }
    const std::string t = type->get<std::string>();
    if (std::find(types.begin(), types.end(), t) == types.end()) {
      errors.push_back({at + ".type", "unknown node type '" + t + "'; must be one of: " + JoinValues(types)});
      continue;
    }
    if (t == "start") {
      starts.push_back(i);
      if (starts.size() > 1) errors.push_back({at + ".type", "is a second start node; a graph has exactly one"});
    }
    for (const auto& p : kNodeParams) {
      if (t != p.type) continue;
      auto param = node.find(p.field);
      if (param == node.end() || !param->is_string() || param->get<std::string>().empty()) {
        errors.push_back({at + "." + p.field, std::string("is required for a ") + p.type + " node"});
      }
    }
  }
  if (starts.empty() && !nodes.empty()) {
    errors.push_back({JoinPath(prefix, "nodes"), "must contain a start node"});
  }
  if (nodes.empty()) errors.push_back({JoinPath(prefix, "nodes"), "must contain a start node"});

  std::vector<std::vector<size_t>> next(nodes.size());
  for (size_t j = 0; j < edges.size(); ++j) {
    const std::string at = JoinPath(prefix, "edges[" + std::to_string(j) + "]");
    const Json& edge = edges[j];
    if (!edge.is_object()) {
      errors.push_back({at, "must be an object {from, to, label?}"});
      continue;
    }
    std::optional<size_t> ends[2];
    const char* names[2] = {"from", "to"};
    for (int k = 0; k < 2; ++k) {
      auto it = edge.find(names[k]);
      if (it == edge.end() || !it->is_string()) {
        errors.push_back({at + "." + names[k], "must be a node id"});
        continue;
      }
      auto found = index.find(it->get<std::string>());
      if (found == index.end()) {
        errors.push_back({at + "." + names[k], "names no node: '" + it->get<std::string>() + "'"});
      } else {
        ends[k] = found->second;
      }
    }
    auto label = edge.find("label");
    if (label != edge.end() && !label->is_string()) errors.push_back({at + ".label", "must be a string"});
    for (const auto& [key, value] : edge.items()) {
      if (key != "from" && key != "to" && key != "label") {
        errors.push_back({at + "." + key, "is not a field of an edge"});
      }
    }
    if (ends[0] && ends[1]) next[*ends[0]].push_back(*ends[1]);
  }

  if (starts.size() == 1) {
    std::vector<bool> seen(nodes.size(), false);
    std::deque<size_t> todo{starts[0]};
    seen[starts[0]] = true;
    while (!todo.empty()) {
      size_t n = todo.front();
      todo.pop_front();
      for (size_t m : next[n]) {
        if (!seen[m]) {
          seen[m] = true;
          todo.push_back(m);
        }
      }
    }
    for (const auto& [id, i] : index) {
      if (!seen[i]) {
        errors.push_back({JoinPath(prefix, "nodes[" + std::to_string(i) + "]"),
                          "node '" + id + "' is unreachable from the start node"});
      }
    }
  }
  return errors;
}

Status ValidateFlowGraph(const Json& graph) {
  auto errors = FlowGraphErrors(graph);
  if (errors.empty()) return Status::Ok();
  return ValidationErrors(std::move(errors)).status;
}

Result<Json, ValidationErrors> PublishFlow(const Json& flow_document, int64_t now) {
  if (!flow_document.is_object()) return ValidationErrors(std::vector<FieldError>{{"", "the flow document is not an object"}});
  auto graph = flow_document.find("graph");
  auto errors = FlowGraphErrors(graph == flow_document.end() ? Json() : *graph, "graph");
  if (!errors.empty()) return ValidationErrors(std::move(errors));
  Json published = flow_document;
  published["published_graph"] = *graph;
  published["is_published"] = 1;
  auto version = flow_document.find("version");
  published["version"] = (version != flow_document.end() && version->is_number_integer() ? version->get<int64_t>() : 0) + 1;
  published["published_at"] = now;
  published["updated_at"] = now;
  return published;
}

std::vector<ResourceRef> References(const ResourceSpec& spec, const Json& doc) {
  std::vector<ResourceRef> refs;
  if (!doc.is_object()) return refs;
  for (const auto& f : spec.fields) {
    auto it = doc.find(f.name);
    if (it == doc.end()) continue;
    if (f.type == FieldType::kRef && it->is_string()) {
      refs.push_back({f.ref_kind, it->get<std::string>(), f.name});
    } else if (f.type == FieldType::kJson && it->is_object() && it->contains("nodes") && (*it)["nodes"].is_array()) {
      const Json& nodes = (*it)["nodes"];
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (!nodes[i].is_object()) continue;
        for (const auto& [field, kind] : kNodeRefFields) {
          auto v = nodes[i].find(field);
          if (v != nodes[i].end() && v->is_string()) {
            refs.push_back({kind, v->get<std::string>(),
                            f.name + ".nodes[" + std::to_string(i) + "]." + field});
          }
        }
      }
    }
  }
  for (const auto& rule : spec.poly_refs) {
    auto kind = doc.find(rule.kind_field);
    auto id = doc.find(rule.id_field);
    if (kind == doc.end() || !kind->is_string() || id == doc.end() || !id->is_string()) continue;
    const KindTarget* target = rule.Target(kind->get<std::string>());
    if (target && target->id_rule == IdRule::kResource) {
      refs.push_back({target->resource_kind, id->get<std::string>(), rule.id_field});
    }
  }
  return refs;
}

std::vector<UniqueKey> UniqueKeys(const ResourceSpec& spec, const Json& doc) {
  std::vector<UniqueKey> keys;
  if (!doc.is_object()) return keys;
  auto text = [](const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
  for (const auto& f : spec.fields) {
    if (f.unique == UniqueScope::kNone || IsNullAt(doc, f.name)) continue;
    std::string name = f.unique == UniqueScope::kPlatform ? f.name : spec.kind + "." + f.name;
    keys.push_back({f.unique, std::move(name), text(doc[f.name])});
  }
  for (const auto& c : spec.unique_constraints) {
    std::string value;
    bool complete = true;
    for (const auto& field : c.fields) {
      if (IsNullAt(doc, field)) {
        complete = false;
        break;
      }
      if (!value.empty()) value += "/";
      value += text(doc[field]);
    }
    if (complete) keys.push_back({c.scope, c.name, std::move(value)});
  }
  return keys;
}

Json PublicView(const ResourceSpec& spec, const Json& doc) {
  Json view = doc;
  if (!view.is_object()) return view;
  for (const auto& f : spec.fields) {
    if (f.write_only || f.type == FieldType::kPassword) view.erase(f.name);
  }
  return view;
}

Json UpgradeStored(const ResourceSpec& spec, Json doc) {
  if (spec.upgrade != nullptr && doc.is_object()) spec.upgrade(doc);
  return doc;
}

}  // namespace dialtone::model
