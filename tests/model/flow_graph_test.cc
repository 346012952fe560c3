// Flow graph validation and publishing.
#include <boost/test/unit_test.hpp>

#include "model/validate.h"

using namespace dialtone::model;

namespace {

Json ValidGraph() {
  return Json::parse(R"({
    "nodes": [
      {"id": "s", "type": "start"},
      {"id": "hours", "type": "time_condition", "schedule_id": "sch_1"},
      {"id": "agents", "type": "queue", "queue_id": "q_1"},
      {"id": "vm", "type": "voicemail", "voicemail_id": "vm_1"},
      {"id": "bye", "type": "hangup"}
    ],
    "edges": [
      {"from": "s", "to": "hours"},
      {"from": "hours", "to": "agents", "label": "open"},
      {"from": "hours", "to": "vm", "label": "closed"},
      {"from": "agents", "to": "bye"},
      {"from": "vm", "to": "bye"}
    ]})");
}

bool HasError(const std::vector<FieldError>& errors, const std::string& path, const std::string& part) {
  for (const auto& e : errors) {
    if (e.path == path && e.message.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(FlowGraphs)

BOOST_AUTO_TEST_CASE(AConnectedGraphWithOneStartIsValid) {
  BOOST_TEST(FlowGraphErrors(ValidGraph()).empty());
  BOOST_TEST(ValidateFlowGraph(ValidGraph()).ok());
}

BOOST_AUTO_TEST_CASE(AnUnreachableNodeIsNamed) {
  Json g = ValidGraph();
  g["nodes"].push_back({{"id", "island"}, {"type", "hangup"}});
  BOOST_TEST(HasError(FlowGraphErrors(g), "graph.nodes[5]", "'island' is unreachable"));
  BOOST_TEST(!ValidateFlowGraph(g).ok());
}

BOOST_AUTO_TEST_CASE(AnEdgeToAMissingNodeIsNamed) {
  Json g = ValidGraph();
  g["edges"].push_back({{"from", "vm"}, {"to", "nowhere"}});
  BOOST_TEST(HasError(FlowGraphErrors(g), "graph.edges[5].to", "names no node: 'nowhere'"));
}

BOOST_AUTO_TEST_CASE(AnUnknownNodeTypeIsNamed) {
  Json g = ValidGraph();
  g["nodes"][2]["type"] = "teleport";
  BOOST_TEST(HasError(FlowGraphErrors(g), "graph.nodes[2].type", "unknown node type 'teleport'"));
}

BOOST_AUTO_TEST_CASE(DuplicateNodeIdsAreRejected) {
  Json g = ValidGraph();
  g["nodes"][4]["id"] = "vm";
  BOOST_TEST(HasError(FlowGraphErrors(g), "graph.nodes[4].id", "duplicates node id 'vm'"));
}

BOOST_AUTO_TEST_CASE(AGraphNeedsExactlyOneStart) {
  Json none = ValidGraph();
  none["nodes"][0]["type"] = "answer";
  BOOST_TEST(HasError(FlowGraphErrors(none), "graph.nodes", "must contain a start node"));
  Json two = ValidGraph();
  two["nodes"][4]["type"] = "start";
  BOOST_TEST(HasError(FlowGraphErrors(two), "graph.nodes[4].type", "second start node"));
  BOOST_TEST(HasError(FlowGraphErrors(Json{{"nodes", Json::array()}, {"edges", Json::array()}}), "graph.nodes", "start"));
}

BOOST_AUTO_TEST_CASE(NodesCarryTheParameterTheirTypeNeeds) {
  Json g = ValidGraph();
  g["nodes"][2].erase("queue_id");
  BOOST_TEST(HasError(FlowGraphErrors(g), "graph.nodes[2].queue_id", "is required for a queue node"));
}

BOOST_AUTO_TEST_CASE(MalformedShapesAreRejectedWithPaths) {
  BOOST_TEST(HasError(FlowGraphErrors(Json::array()), "graph", "must be an object"));
  BOOST_TEST(HasError(FlowGraphErrors(Json{{"nodes", 1}, {"edges", Json::array()}}), "graph.nodes", "array"));
  Json g = ValidGraph();
  g["edges"][0]["weight"] = 3;
  g["extra"] = true;
  BOOST_TEST(HasError(FlowGraphErrors(g), "graph.extra", "not a field of a flow graph"));
  g.erase("extra");
  BOOST_TEST(HasError(FlowGraphErrors(g), "graph.edges[0].weight", "not a field of an edge"));
}

BOOST_AUTO_TEST_CASE(PublishingValidatesFreezesTheGraphAndBumpsTheVersion) {
  const ResourceSpec& spec = *FindResource("flow");
  auto created = NormalizeCreate(spec, {{"name", "main"}, {"graph", ValidGraph()}});
  BOOST_REQUIRE(created.ok());
  Json flow = created->document;
  BOOST_TEST(flow["version"] == 0);
  BOOST_TEST(flow["is_published"] == 0);
  auto published = PublishFlow(flow, 1700000000);
  BOOST_REQUIRE(published.ok());
  BOOST_TEST(published.value()["version"] == 1);
  BOOST_TEST(published.value()["is_published"] == 1);
  BOOST_TEST(published.value()["published_graph"] == ValidGraph());
  BOOST_TEST(published.value()["published_at"] == 1700000000);
  // Editing the draft leaves the published graph alone.
  auto edited = NormalizePatch(spec, published.value(), {{"graph", {{"nodes", Json::array()}, {"edges", Json::array()}}}});
  BOOST_REQUIRE(edited.ok());
  BOOST_TEST(edited->document["published_graph"] == ValidGraph());
  BOOST_TEST(!PublishFlow(edited->document, 1700000001).ok());
  BOOST_TEST(PublishFlow(published.value(), 1700000002).value()["version"] == 2);
}

BOOST_AUTO_TEST_CASE(AnInvalidDraftCannotBePublished) {
  const ResourceSpec& spec = *FindResource("flow");
  Json g = ValidGraph();
  g["nodes"][1]["type"] = "bogus";
  auto created = NormalizeCreate(spec, {{"name", "main"}, {"graph", g}});
  BOOST_REQUIRE(created.ok());  // drafts may be incomplete
  auto published = PublishFlow(created->document, 1);
  BOOST_REQUIRE(!published.ok());
  BOOST_TEST(published.error().Find("graph.nodes[1].type") != nullptr);
}

BOOST_AUTO_TEST_CASE(GraphNodesReferToTheResourcesTheyUse) {
  const ResourceSpec& spec = *FindResource("flow");
  auto created = NormalizeCreate(spec, {{"name", "main"}, {"graph", ValidGraph()}});
  BOOST_REQUIRE(created.ok());
  auto refs = References(spec, created->document);
  BOOST_TEST((refs == std::vector<ResourceRef>{{"time_schedule", "sch_1", "graph.nodes[1].schedule_id"},
                                               {"queue", "q_1", "graph.nodes[2].queue_id"},
                                               {"voicemail", "vm_1", "graph.nodes[3].voicemail_id"}}));
}

BOOST_AUTO_TEST_SUITE_END()
