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

Router::Router() : root_(std::make_unique<Node>()), error_renderer_(RenderJsonError) {}

Router::Node* Router::Node::Literal(std::string_view text) const {
  auto it = std::lower_bound(literals.begin(), literals.end(), text,
                             [](const auto& entry, std::string_view t) { return entry.first < t; });
  return it != literals.end() && it->first == text ? it->second.get() : nullptr;
}

Status Router::Add(std::string_view method, std::string_view pattern, Handler handler) {
  if (method.empty()) return Status::InvalidArgument("route method is empty");
  if (!handler) return Status::InvalidArgument("route handler is empty");
  std::vector<std::string> segments;
  if (Status s = ParsePattern(pattern, true, &segments); !s.ok()) return s;
  Node* node = root_.get();
  Endpoint endpoint;
  endpoint.method = std::string(method);
  for (const std::string& segment : segments) {
    if (IsParam(segment)) {
      if (!node->param) node->param = std::make_unique<Node>();
      endpoint.param_names.push_back(segment.substr(1, segment.size() - 2));
      node = node->param.get();
      continue;
    }
    Node* next = node->Literal(segment);
    if (next == nullptr) {
      auto it = std::lower_bound(node->literals.begin(), node->literals.end(), segment,
                                 [](const auto& entry, const std::string& t) { return entry.first < t; });
      it = node->literals.emplace(it, segment, std::make_unique<Node>());
      next = it->second.get();
    }
    node = next;
  }
  for (const Endpoint& existing : node->endpoints) {
    if (existing.method == endpoint.method) {
      return Status::AlreadyExists("route " + endpoint.method + " " + std::string(pattern) +
                                   " is already registered");
    }
  }
  endpoint.handler = std::move(handler);
  node->endpoints.push_back(std::move(endpoint));
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

const Router* Router::OwnerOf(std::string_view path) const {
  path = path.substr(0, path.find('?'));
  std::vector<std::string_view> segments = SplitPath(path);
  const Router* owner = this;
  // The deepest mount whose prefix the path starts with, as Dispatch picks it.
  for (bool descended = true; descended;) {
    descended = false;
    const MountPoint* best = nullptr;
    for (const auto& mount : owner->mounts_) {
      if (mount.segments.size() > segments.size()) continue;
      if (!std::equal(mount.segments.begin(), mount.segments.end(), segments.begin())) continue;
      if (best == nullptr || mount.segments.size() > best->segments.size()) best = &mount;
    }
    if (best != nullptr) {
      segments.erase(segments.begin(), segments.begin() + static_cast<std::ptrdiff_t>(best->segments.size()));
      owner = best->router.get();
      descended = true;
    }
  }
  return owner;
}

ErrorRenderer Router::PathErrorRenderer() const {
  return [this](const Request& request, int status, std::string_view code, std::string_view message) {
    const std::string_view path = request.path.empty() ? std::string_view(request.target) : std::string_view(request.path);
    return OwnerOf(path)->RenderError(request, status, code, message);
  };
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
      responder.Send(OwnerOf(request.path)->RenderError(request, 400, "BAD_REQUEST",
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

  std::vector<std::pair<const Node*, std::vector<size_t>>> found;
  std::vector<size_t> params;
  Collect(*root_, segments, 0, params, found);
  const Endpoint* chosen = nullptr;
  const std::vector<size_t>* chosen_params = nullptr;
  std::vector<std::string> allowed;
  for (const auto& [node, param_indexes] : found) {
    for (const Endpoint& endpoint : node->endpoints) {
      if (std::find(allowed.begin(), allowed.end(), endpoint.method) == allowed.end()) {
        allowed.push_back(endpoint.method);
      }
      if (chosen == nullptr && endpoint.method == request.method) {
        chosen = &endpoint;
        chosen_params = &param_indexes;
      }
    }
  }
  bool bad_encoding = false;
  if (chosen != nullptr) {
    request.path_params.reserve(chosen_params->size());
    for (size_t i = 0; i < chosen_params->size(); ++i) {
      auto decoded = PercentDecode(segments[(*chosen_params)[i]], false);
      if (!decoded) {
        bad_encoding = true;
        break;
      }
      request.path_params.emplace_back(chosen->param_names[i], std::move(*decoded));
    }
    if (!bad_encoding) {
      chosen->handler(std::move(request), std::move(responder));
      return;
    }
    allowed.clear();
  }
  if (bad_encoding) {
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

void Router::Collect(const Node& node, const std::vector<std::string>& segments, size_t depth,
                     std::vector<size_t>& params,
                     std::vector<std::pair<const Node*, std::vector<size_t>>>& found) const {
  if (depth == segments.size()) {
    if (!node.endpoints.empty()) found.emplace_back(&node, params);
    return;
  }
  if (const Node* literal = node.Literal(segments[depth])) Collect(*literal, segments, depth + 1, params, found);
  if (node.param && !segments[depth].empty()) {
    params.push_back(depth);
    Collect(*node.param, segments, depth + 1, params, found);
    params.pop_back();
  }
}

}  // namespace dialtone::gateway
