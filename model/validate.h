// Validation and normalisation of resource documents against their ResourceSpec.
// Pure functions over nlohmann::json; errors are values (a list of FieldError).
//
// Stored documents are "normalised": every field of the spec present (defaults filled,
// optional fields null), booleans 0/1, domains lower case, CIDRs with an explicit prefix,
// and no secret value: a secret written as `<x>` is stored as an opaque reference under
// `<x>_ref` (see SecretWrite), a device password only as its digest hashes ha1/ha1b.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "model/schema.h"

namespace dialtone::model {

// One problem with one value. `path` is a JSON path into the request body, e.g.
// "ring_timeout_sec", "events[1]", "graph.nodes[2].type"; "" for the body itself.
struct FieldError {
  std::string path;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// The error half of a validation Result: at least one FieldError, and a Status
// (kInvalidArgument) whose message lists them.
struct ValidationErrors {
  std::vector<FieldError> errors;
  Status status;

  ValidationErrors() = default;
  explicit ValidationErrors(std::vector<FieldError> e);
  bool ok() const { return errors.empty(); }
  // The first error for `path`, or nullptr.
  const FieldError* Find(std::string_view path) const;
};

// A secret value the caller must store (sealed) under `ref`; the document holds only `ref`
// in `field` (e.g. "pin_secret_ref").
struct SecretWrite {
  std::string field;
  std::string ref;
  std::string value;
};

struct Normalized {
  Json document;
  std::vector<SecretWrite> secrets_to_store;
  std::vector<std::string> secret_refs_to_delete;  // replaced or cleared references
};

struct NormalizeOptions {
  // Mints a new secret reference; when empty, "sec_" + 32 random hex digits.
  std::function<std::string()> new_secret_ref;
};

using NormalizeResult = Result<Normalized, ValidationErrors>;

// A new document from a create body: rejects non-objects, unknown and read-only fields,
// wrong types, bad enums, out-of-range values and broken cross-field rules; names missing
// required fields; fills defaults. Server fields (id, account_id, created_at, updated_at)
// are left absent: see StampCreate.
NormalizeResult NormalizeCreate(const ResourceSpec& spec, const Json& body,
                                const NormalizeOptions& options = {});
// Partial update of a stored document: only the fields in `patch` change; null clears a
// nullable field. Read-only fields may be echoed back unchanged; immutable ones too.
NormalizeResult NormalizePatch(const ResourceSpec& spec, const Json& existing, const Json& patch,
                               const NormalizeOptions& options = {});
// Whole-object update: omitted optional fields reset to their defaults (or null). Server
// fields, immutable fields and secrets (which clients cannot read back) are kept unless
// the body sets them; a secret is cleared by sending its write name as null.
NormalizeResult NormalizePut(const ResourceSpec& spec, const Json& existing, const Json& body,
                             const NormalizeOptions& options = {});

// Sets id, account_id, created_at and updated_at (epoch seconds).
void StampCreate(Json& doc, std::string_view id, std::string_view account_id, int64_t now);
void StampUpdate(Json& doc, int64_t now);

// Flow graphs: {nodes: [{id, type, ...}], edges: [{from, to, label?}]}. Node ids unique
// non-empty strings, types from FlowNodeTypes(), exactly one "start" node, edges between
// existing nodes, every node reachable from the start node. Errors carry paths under
// `path_prefix` (e.g. "graph.nodes[2].type").
std::vector<FieldError> FlowGraphErrors(const Json& graph, std::string_view path_prefix = "graph");
Status ValidateFlowGraph(const Json& graph);
// Publishes a stored flow document: validates its graph, copies it to published_graph,
// sets is_published = 1, bumps version and sets published_at/updated_at to `now`.
Result<Json, ValidationErrors> PublishFlow(const Json& flow_document, int64_t now);

// A reference from a document to another resource of the same account.
struct ResourceRef {
  std::string kind;
  std::string id;
  std::string field;  // where it was found, e.g. "dest_id", "graph.nodes[3].user_id"
  bool operator==(const ResourceRef&) const = default;
};
std::vector<ResourceRef> References(const ResourceSpec& spec, const Json& doc);

// A value that must be unique within `scope` (the account, or the whole platform).
// `name` is the key family ("domain", "e164", "user.username", …), `value` the value
// (several fields joined by '/').
struct UniqueKey {
  UniqueScope scope = UniqueScope::kNone;
  std::string name;
  std::string value;
  bool operator==(const UniqueKey&) const = default;
};
std::vector<UniqueKey> UniqueKeys(const ResourceSpec& spec, const Json& doc);

// A stored document in the kind's current shape (ResourceSpec::upgrade; unchanged when the
// kind has none). Every fold of resource events applies it.
Json UpgradeStored(const ResourceSpec& spec, Json doc);

// The document as responses show it: write-only material (ha1, ha1b) removed. Secret
// references (`*_ref`) stay: they are opaque and reveal nothing.
Json PublicView(const ResourceSpec& spec, const Json& doc);

}  // namespace dialtone::model
