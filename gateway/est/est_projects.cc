// EST projects: POST addProjects, the sub-projects (direct child accounts) a project adds
// for use with trunking.
#include "gateway/est/est_impl.h"

#include "gateway/est/errors.h"
#include "gateway/json_body.h"

namespace dialtone::gateway::est {

auto EstApi::Impl::AddProjects(Ctx& ctx) -> Reply {
  auto body = ParseObject(ctx.request);
  if (!body.ok()) return body.error();
  std::vector<std::string> ids;
  if (body->contains("projectIds") || body->size() != 0) {  // the SDK sends {} when it names none
    auto listed = IdList(*body, "projectIds", false);
    if (!listed.ok()) return listed.error();
    ids = std::move(listed).value();
  }
  std::vector<ErrorDetail> refused;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto row = LoadAccountRow(view, ids[i]);
    if (!row.ok()) return row.error();
    // Another tenant's account reads exactly like one that does not exist.
    const bool child = row->has_value() && DocString((*row)->document, "parent_id") == ctx.account;
    if (!child) refused.push_back({"projectIds[" + std::to_string(i) + "]", "'" + ids[i] + "' is not a sub-project of this project"});
  }
  if (!refused.empty()) return InvalidFrom(std::move(refused));
  auto known = ListAll(ctx, "trunking_project");
  if (!known.ok()) return known.error();
  std::set<std::string> added_before;
  for (const auto& row : *known) added_before.insert(DocString(row.document, "project_id"));
  std::vector<Step> steps;
  Json added = Json::array();
  for (const std::string& id : ids) {
    if (added_before.contains(id)) continue;  // already added: ignored
    steps.push_back(MakeStep(Op::kCreate, "trunking_project", "", Json{{"project_id", id}}));
    added.push_back(id);
  }
  if (auto written = Apply(ctx, std::move(steps)); !written.ok()) return written.error();
  return JsonResponse(200, Json{{"addedProjects", std::move(added)}});
}

}  // namespace dialtone::gateway::est
