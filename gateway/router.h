// Routes requests by method and path pattern to handlers.
//
// A pattern is a path of '/'-separated segments; a segment is either literal ("events")
// or a parameter ("{id}") matching any one non-empty segment, delivered decoded in
// Request::path_params. Literal segments win over parameters at the same depth.
// A sub-router can be mounted under a literal prefix so an API dialect keeps its own
// routes and its own error shape (e.g. "/est/v1" answers 404 in the EST shape).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "gateway/http_types.h"

namespace dialtone::gateway {

class Router {
 public:
  Router();

  // Adds a route. Errors (kInvalidArgument): empty method, a pattern not starting with
  // '/', an empty or malformed `{}` segment; (kAlreadyExists): the same method and
  // pattern shape twice.
  Status Add(std::string_view method, std::string_view pattern, Handler handler);

  // Sends every request whose path is `prefix` or starts with `prefix/` to `router`.
  // `prefix` is literal segments only (e.g. "/est/v1").
  Status Mount(std::string_view prefix, std::shared_ptr<const Router> router);

  // Replaces the renderer of generic errors (default: RenderJsonError).
  void SetErrorRenderer(ErrorRenderer renderer);

  // Dispatches: the matching handler, or 404 (no route for the path), or 405 with an
  // `Allow` header listing the methods that path accepts, or 400 for a malformed query
  // (each in the error shape of the mount the path falls under).
  void Handle(Request request, Responder responder) const;

  // Renders a generic error with this router's renderer (for handlers of this dialect,
  // and for errors the server raises before routing).
  Response RenderError(const Request& request, int status, std::string_view code,
                       std::string_view message) const;

  // This router as a server Handler. The router must outlive the returned handler.
  Handler AsHandler() const;
  // An ErrorRenderer for errors the server raises before routing (413, 431, 408, a
  // malformed request, a reply timeout): rendered in the shape of the dialect whose mount
  // the request's path falls under, else in this router's. The router must outlive it.
  ErrorRenderer PathErrorRenderer() const;

 private:
  // One method of a route: its handler and the names of the pattern's parameters in
  // path order.
  struct Endpoint {
    std::string method;
    std::vector<std::string> param_names;
    Handler handler;
  };
  // The routes as a tree of segments: literal children by text, one parameter child;
  // a node where a pattern ends holds its endpoints.
  struct Node {
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;  // sorted by text
    std::unique_ptr<Node> param;
    std::vector<Endpoint> endpoints;
    Node* Literal(std::string_view text) const;
  };
  struct MountPoint {
    std::vector<std::string> segments;
    std::shared_ptr<const Router> router;
  };

  // The router whose mount owns `path` (this one when no mount matches).
  const Router* OwnerOf(std::string_view path) const;
  // Routes `request` by `segments` (the path relative to this router's mount point).
  void Dispatch(Request request, std::vector<std::string> segments, Responder responder) const;
  // Every node the path reaches (literal before parameter at each depth, so the most
  // specific comes first), each with the segment indexes its parameters took.
  void Collect(const Node& node, const std::vector<std::string>& segments, size_t depth,
               std::vector<size_t>& params,
               std::vector<std::pair<const Node*, std::vector<size_t>>>& found) const;

  std::unique_ptr<Node> root_;
  std::vector<MountPoint> mounts_;
  ErrorRenderer error_renderer_;
};

// Splits "/a/b/c" into {"a","b","c"}; "/" into {}. Segments keep their percent-encoding.
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace dialtone::gateway
