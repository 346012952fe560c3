#include "gateway/router.h"

#include <algorithm>

namespace dialtone::gateway {

namespace {

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

Status ParsePattern(std::string_view pattern, bool allow_params, std::vector<std::string>* out) {
  if (pattern.empty() || pattern.front() != '/') {
    return Status::InvalidArgument("route pattern must start with '/': " + std::string(pattern));
  }
  for (std::string_view segment : SplitPath(pattern)) {
    if (segment.empty()) {
      return Status::InvalidArgument("route pattern has an empty segment: " + std::string(pattern));
    }
    const bool has_brace = segment.find_first_of("{}") != std::string_view::npos;
    if (has_brace) {
      if (!allow_params) {
        return Status::InvalidArgument("mount prefix must be literal: " + std::string(pattern));
      }
      if (!IsParam(segment) || segment.size() == 2 ||
          segment.substr(1, segment.size() - 2).find_first_of("{}/") != std::string_view::npos) {
        return Status::InvalidArgument("malformed parameter segment '" + std::string(segment) +
                                       "' in " + std::string(pattern));
      }
    }
    out->emplace_back(segment);
  }
  return Status::Ok();
}

// True when `segments` match `pattern`; fills decoded params. A param that does not
// percent-decode makes `*bad_encoding` true.
bool Match(const std::vector<std::string>& pattern, const std::vector<std::string>& segments,
           std::vector<std::pair<std::string, std::string>>* params, bool* bad_encoding) {
  if (pattern.size() != segments.size()) return false;
  std::vector<std::pair<std::string, std::string>> found;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (IsParam(pattern[i])) {
      if (segments[i].empty()) return false;
      auto decoded = PercentDecode(segments[i], false);
      if (!decoded) {
        *bad_encoding = true;
        return false;
      }
      found.emplace_back(pattern[i].substr(1, pattern[i].size() - 2), std::move(*decoded));
    } else if (pattern[i] != segments[i]) {
      return false;
    }
  }
  if (params != nullptr) *params = std::move(found);
  return true;
}

// True when `a` is more specific than `b`: at the first depth where they differ in
// kind, `a` has the literal segment.
bool MoreSpecific(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const bool pa = IsParam(a[i]);
    const bool pb = IsParam(b[i]);
    if (pa != pb) return !pa;
  }
  return false;
}

std::string Shape(const std::vector<std::string>& segments) {
  std::string shape;
  for (const auto& s : segments) shape.append("/").append(IsParam(s) ? "{}" : s);
  return shape;
}

}  // namespace

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return out;
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

Router::Router() : error_renderer_(RenderJsonError) {}

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  if (method.empty()) return Status::InvalidArgument("route method is empty");
  if (!handler) return Status::InvalidArgument("route handler is empty");
  Route route;
  route.method = std::string(method);
  if (Status s = ParsePattern(pattern, true, &route.segments); !s.ok()) return s;
  const std::string shape = Shape(route.segments);
  for (const auto& existing : routes_) {
    if (existing.method == route.method && Shape(existing.segments) == shape) {
      return Status::AlreadyExists("route " + route.method + " " + std::string(pattern) +
                                   " is already registered");
    }
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
  return Status::Ok();
}

Status Router::Mount(std::string_view prefix, std::shared_ptr<const Router> router) {
  if (!router) return Status::InvalidArgument("mounted router is null");
  MountPoint mount;
  if (Status s = ParsePattern(prefix, false, &mount.segments); !s.ok()) return s;
  if (mount.segments.empty()) return Status::InvalidArgument("mount prefix must not be '/'");
  for (const auto& existing : mounts_) {
    if (existing.segments == mount.segments) {
      return Status::AlreadyExists("a router is already mounted at " + std::string(prefix));
    }
  }
  mount.router = std::move(router);
  mounts_.push_back(std::move(mount));
  return Status::Ok();
}

void Router::SetErrorRenderer(ErrorRenderer renderer) {
  error_renderer_ = renderer ? std::move(renderer) : ErrorRenderer(RenderJsonError);
}

Response Router::RenderError(const Request& request, int status, std::string_view code,
                             std::string_view message) const {
  return error_renderer_(request, status, code, message);
}

Handler Router::AsHandler() const {
  return [this](Request request, Responder responder) {
    Handle(std::move(request), std::move(responder));
  };
}

void Router::Handle(Request request, Responder responder) const {
  std::vector<std::string> segments;
  for (std::string_view s : SplitPath(request.path)) segments.emplace_back(s);
  if (request.query.empty() && !request.query_string.empty()) {
    auto query = ParseQueryString(request.query_string);
    if (!query) {
      responder.Send(RenderError(request, 400, "BAD_REQUEST",
                                 "the query string has malformed percent-encoding"));
      return;
    }
    request.query = std::move(*query);
  }
  Dispatch(std::move(request), std::move(segments), std::move(responder));
}

void Router::Dispatch(Request request, std::vector<std::string> segments,
                      Responder responder) const {
  // The longest mount prefix that matches owns the request, with its own error shape.
  const MountPoint* best_mount = nullptr;
  for (const auto& mount : mounts_) {
    if (mount.segments.size() > segments.size()) continue;
    if (!std::equal(mount.segments.begin(), mount.segments.end(), segments.begin())) continue;
    if (best_mount == nullptr || mount.segments.size() > best_mount->segments.size()) {
      best_mount = &mount;
    }
  }
  if (best_mount != nullptr) {
    segments.erase(segments.begin(),
                   segments.begin() + static_cast<std::ptrdiff_t>(best_mount->segments.size()));
    best_mount->router->Dispatch(std::move(request), std::move(segments), std::move(responder));
    return;
  }

  const Route* chosen = nullptr;
  std::vector<std::string> allowed;
  bool bad_encoding = false;
  for (const auto& route : routes_) {
    if (!Match(route.segments, segments, nullptr, &bad_encoding)) continue;
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
    }
    if (route.method != request.method) continue;
    if (chosen == nullptr || MoreSpecific(route.segments, chosen->segments)) chosen = &route;
  }
  if (chosen != nullptr) {
    bool unused = false;
    Match(chosen->segments, segments, &request.path_params, &unused);
    chosen->handler(std::move(request), std::move(responder));
    return;
  }
  if (bad_encoding && allowed.empty()) {
    responder.Send(RenderError(request, 400, "BAD_REQUEST", "the path has malformed percent-encoding"));
    return;
  }
  if (allowed.empty()) {
    responder.Send(RenderError(request, 404, "NOT_FOUND", "no route for " + request.path));
    return;
  }
  std::sort(allowed.begin(), allowed.end());
  std::string allow;
  for (const auto& m : allowed) allow.append(allow.empty() ? "" : ", ").append(m);
  Response response = RenderError(request, 405, "METHOD_NOT_ALLOWED",
                                  request.method + " is not allowed on " + request.path +
                                      " (allowed: " + allow + ")");
  response.headers.Set("allow", allow);
  responder.Send(std::move(response));
}

}  // namespace dialtone::gateway
