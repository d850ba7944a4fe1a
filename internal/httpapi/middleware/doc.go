// Package middleware holds the HTTP layers every request passes before its
// handler, each reading and filling the request's record (platform/reqctx):
// the record itself (request id, client address behind trusted proxies,
// logger), panic recovery, the access log, request metrics, security
// headers, CORS and the audit log of API calls. httpapi assembles them in
// one fixed order; rate limits live in internal/ratelimit.
package middleware
