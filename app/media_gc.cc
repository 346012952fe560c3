#include "app/media_gc.h"

#include <set>
#include <string>

namespace dialtone::app {
namespace {

// Every row of one kind, page by page (`account_id` empty for kind "account").
template <typename Visit>
Status ForEachRow(const projections::ConfigView& view, const std::string& account_id, const std::string& kind,
                  Visit visit) {
  projections::ListQuery query;
  query.account_id = account_id;
  query.kind = kind;
  query.limit = projections::kMaxListLimit;
  for (;;) {
    auto page = view.List(query);
    if (!page.ok()) return page.status();
    for (const projections::ResourceRow& row : page->rows) visit(row);
    if (page->next_cursor.empty()) return Status::Ok();
    query.after_id = page->next_cursor;
  }
}

}  // namespace

Result<size_t> RemoveUnreferencedMedia(const projections::ConfigView& view, media::MediaStore& store) {
  std::set<std::string> accounts;
  if (Status s = ForEachRow(view, "", "account", [&](const projections::ResourceRow& row) { accounts.insert(row.id); });
      !s.ok()) {
    return s;
  }
  std::set<std::string> referenced;
  for (const std::string& account : accounts) {
    Status s = ForEachRow(view, account, "media_file", [&](const projections::ResourceRow& row) {
      auto key = row.document.find("object_key");
      if (key != row.document.end() && key->is_string()) referenced.insert(key->get<std::string>());
    });
    if (!s.ok()) return s;
  }
  auto stored = store.ListObjects();
  if (!stored.ok()) return stored.status();
  size_t removed = 0;
  for (const std::string& key : *stored) {
    if (referenced.contains(key)) continue;
    if (Status s = store.Remove(key); !s.ok() && s.code() != ErrorCode::kNotFound) return s;
    ++removed;
  }
  return removed;
}

}  // namespace dialtone::app
