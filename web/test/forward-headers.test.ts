import { afterEach, describe, expect, it, vi } from "vitest";
import { checkCsrf, expectedOrigin } from "@/lib/csrf";
import { forwardRequestHeaders, forwardResponseHeaders, upstreamUrl } from "@/lib/forward-headers";

describe("forwardRequestHeaders", () => {
  const incoming = () =>
    new Headers({
      accept: "text/event-stream",
      "content-type": "application/json",
      connection: "keep-alive, x-secret-hop",
      "keep-alive": "timeout=5",
      "x-secret-hop": "1",
      te: "trailers",
      upgrade: "h2c",
      cookie: "parley_rt=rt-secret; parley_at=at-secret",
      authorization: "Bearer from-browser",
      "x-csrf-token": "csrf",
      "x-forwarded-for": "203.0.113.7",
      "accept-encoding": "gzip, br",
      "user-agent": "test-agent",
    });

  it("drops hop-by-hop headers, cookies and the browser's own credentials", () => {
    const h = forwardRequestHeaders(incoming(), { clientIp: null, proto: "https:", host: "chat.example", accessToken: "at-1" });
    for (const k of ["connection", "keep-alive", "x-secret-hop", "te", "upgrade", "cookie", "x-csrf-token"]) {
      expect(h.has(k), k).toBe(false);
    }
    expect(h.get("authorization")).toBe("Bearer at-1");
    expect(h.get("accept")).toBe("text/event-stream");
    expect(h.get("user-agent")).toBe("test-agent");
    expect(h.get("accept-encoding")).toBe("identity");
    expect(h.get("x-forwarded-proto")).toBe("https");
    expect(h.get("x-forwarded-host")).toBe("chat.example");
  });

  it("never forwards the browser's Authorization when there is no session", () => {
    const h = forwardRequestHeaders(incoming(), { clientIp: null, proto: "http:", host: null });
    expect(h.has("authorization")).toBe(false);
  });

  it("sends the one client address in X-Forwarded-For, never appending to a chain", () => {
    expect(forwardRequestHeaders(incoming(), { clientIp: "198.51.100.2", proto: "http", host: null }).get("x-forwarded-for")).toBe("198.51.100.2");
    expect(forwardRequestHeaders(new Headers(), { clientIp: "198.51.100.2", proto: "http", host: null }).get("x-forwarded-for")).toBe("198.51.100.2");
    // Without one, the address scripts/server.mjs resolved (the only X-Forwarded-For left) passes as it is.
    expect(forwardRequestHeaders(incoming(), { clientIp: null, proto: "http", host: null }).get("x-forwarded-for")).toBe("203.0.113.7");
  });

  it.each([
    ["keeps a well-formed request id", "req-123_abc:9", "req-123_abc:9"],
    ["replaces an id with a newline", "bad\nid", "generated"],
    ["replaces an overlong id", "x".repeat(200), "generated"],
    ["generates one when absent", null, "generated"],
  ])("X-Request-Id: %s", (_name, given, want) => {
    const h = new Headers();
    if (given !== null) {
      try {
        h.set("x-request-id", given);
      } catch {
        // Headers refuses control characters itself: nothing to forward then.
      }
    }
    const out = forwardRequestHeaders(h, { clientIp: null, proto: "http", host: null, newRequestId: () => "generated" });
    expect(out.get("x-request-id")).toBe(want);
  });
});

describe("forwardResponseHeaders", () => {
  it("strips hop-by-hop headers, cookies and encodings, keeps the rest", () => {
    const h = forwardResponseHeaders(
      new Headers({
        "content-type": "application/problem+json",
        "set-cookie": "evil=1",
        connection: "close",
        "transfer-encoding": "chunked",
        "content-encoding": "gzip",
        "content-length": "12",
        "retry-after": "7",
        "x-request-id": "r1",
      }),
    );
    expect([...h.keys()].sort()).toEqual(["content-type", "retry-after", "x-request-id"]);
  });

  it("marks event streams as not to be transformed or buffered", () => {
    const h = forwardResponseHeaders(new Headers({ "content-type": "text/event-stream" }));
    expect(h.get("cache-control")).toBe("no-cache, no-transform");
    expect(h.get("x-accel-buffering")).toBe("no");
  });
});

describe("upstreamUrl", () => {
  it.each([
    [["v1", "conversations"], "?q=a", "http://api:8080/api/v1/conversations?q=a"],
    [["v1", "conversations", "01-x", "messages"], "", "http://api:8080/api/v1/conversations/01-x/messages"],
    [["v1", "a b"], "", "http://api:8080/api/v1/a%20b"],
    [["v2", "x"], "", null],
    [[], "", null],
    [["v1", ".."], "", null],
    [["v1", "a/../../metrics"], "", null],
    [["v1", ""], "", null],
  ])("%j%s → %s", (segs, search, want) => {
    expect(upstreamUrl("http://api:8080", segs as string[], search as string)).toBe(want);
  });
});

describe("checkCsrf", () => {
  const origin = "https://chat.example";
  const cases: [string, string, Record<string, string>, string | undefined, boolean][] = [
    ["GET needs nothing", "GET", {}, undefined, true],
    ["POST with matching token, same origin", "POST", { "x-csrf-token": "t0k", origin, "sec-fetch-site": "same-origin" }, "t0k", true],
    ["POST from a non-browser client with the token", "POST", { "x-csrf-token": "t0k" }, "t0k", true],
    ["POST without a token", "POST", { origin }, "t0k", false],
    ["POST without the cookie", "POST", { "x-csrf-token": "t0k", origin }, undefined, false],
    ["POST with a wrong token", "POST", { "x-csrf-token": "t0K", origin }, "t0k", false],
    ["POST from another origin", "POST", { "x-csrf-token": "t0k", origin: "https://evil.example" }, "t0k", false],
    ["DELETE cross-site", "DELETE", { "x-csrf-token": "t0k", "sec-fetch-site": "cross-site" }, "t0k", false],
    ["PATCH same-site (sibling subdomain)", "PATCH", { "x-csrf-token": "t0k", "sec-fetch-site": "same-site" }, "t0k", false],
  ];
  it.each(cases)("%s", (_n, method, headers, cookie, ok) => {
    const why = checkCsrf({ method, headers: new Headers(headers), expectedOrigin: origin, cookieToken: cookie });
    expect(why === null).toBe(ok);
  });
});

describe("expectedOrigin", () => {
  it("uses the forwarded protocol and host of a TLS-terminating proxy", () => {
    const u = new URL("http://127.0.0.1:3000/api/v1/me");
    expect(expectedOrigin(u, new Headers({ host: "127.0.0.1:3000" }))).toBe("http://127.0.0.1:3000");
    expect(expectedOrigin(u, new Headers({ host: "127.0.0.1:3000", "x-forwarded-proto": "https", "x-forwarded-host": "chat.example" }))).toBe(
      "https://chat.example",
    );
  });
});

describe("expectedOrigin with PARLEY_PUBLIC_URL", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("is the configured public origin whatever X-Forwarded-Host and X-Forwarded-Proto say", () => {
    vi.stubEnv("PARLEY_PUBLIC_URL", "https://chat.example.com/");
    const u = new URL("http://127.0.0.1:3000/chat");
    const h = new Headers({ host: "evil.example", "x-forwarded-proto": "http", "x-forwarded-host": "evil.example" });
    expect(expectedOrigin(u, h)).toBe("https://chat.example.com");
  });
});
