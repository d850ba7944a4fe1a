import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { forwardApi as handle, MAX_BODY } from "@/lib/api-forward";
import { resetRefreshCache } from "@/lib/session";

/** A stand-in for the parley API that records what reached it. */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
const seen: Seen[] = [];
let validAccess = "at-1";
let streamGate: { release: () => void } | null = null;

/** upload, when set, takes the API's requests instead of the routes below (the body-streaming tests). */
let upload: ((req: http.IncomingMessage, res: http.ServerResponse) => void) | null = null;

const api = http.createServer((req, res) => {
  if (upload) return upload(req, res);
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
    const auth = (n: number) => ({
      user: { id: "u1", email: "a@b.c", role: "user" },
      access_token: `at-${n}`,
      refresh_token: `rt-${n}`,
      token_type: "Bearer",
      expires_in: 900,
    });
    if (req.url === "/api/v1/auth/login") {
      const { password } = JSON.parse(body);
      if (password !== "right") {
        res.writeHead(401, { "content-type": "application/problem+json" }).end('{"code":"unauthorized","status":401}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "set-cookie": "api=1" }).end(JSON.stringify(auth(1)));
      return;
    }
    if (req.url === "/api/v1/auth/refresh") {
      const { refresh_token } = JSON.parse(body);
      if (refresh_token !== "rt-1") {
        res.writeHead(401, { "content-type": "application/problem+json" }).end('{"code":"unauthorized"}');
        return;
      }
      validAccess = "at-2";
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(auth(2)));
      return;
    }
    if (req.url === "/api/v1/auth/logout") {
      res.writeHead(204).end();
      return;
    }
    if (req.headers.authorization !== `Bearer ${validAccess}`) {
      res.writeHead(401, { "content-type": "application/problem+json" }).end('{"code":"unauthorized"}');
      return;
    }
    if (req.url?.endsWith("/messages")) {
      res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": String(req.headers["x-request-id"]) });
      res.write('event: delta\ndata: {"content":"Hel"}\n\n');
      streamGate = {
        release: () => {
          res.end('event: done\ndata: {}\n\n');
        },
      };
      return;
    }
    res.writeHead(200, { "content-type": "application/json", connection: "close" }).end(JSON.stringify({ path: req.url, body }));
  });
});

const web = "http://127.0.0.1:3000";
const csrf = { "x-csrf-token": "tok", cookie: "parley_csrf=tok" };

function req(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Request(`${web}${path}`, {
    method: init.method ?? "GET",
    headers: { host: "127.0.0.1:3000", ...init.headers },
    body: init.body,
  });
}

function segments(path: string): string[] {
  return path.replace(/^\/api\//, "").split("?")[0].split("/");
}

async function call(path: string, init: Parameters<typeof req>[1] = {}) {
  return handle(req(path, init), segments(path));
}

beforeAll(async () => {
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  process.env.PARLEY_API_URL = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => api.close(() => r())));
beforeEach(() => {
  upload = null;
  seen.length = 0;
  validAccess = "at-1";
  resetRefreshCache();
});

describe("sign-in through the BFF", () => {
  it("keeps both tokens in httpOnly cookies and gives the browser only the user", async () => {
    const res = await call("/api/v1/auth/login", { method: "POST", headers: { ...csrf, "content-type": "application/json" }, body: '{"email":"a@b.c","password":"right"}' });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ user: { id: "u1", email: "a@b.c", role: "user" } });
    expect(text).not.toContain("at-1");
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(2);
    expect(cookies.find((c) => c.startsWith("parley_rt=rt-1"))).toMatch(/HttpOnly; SameSite=Strict$/);
    expect(cookies.find((c) => c.startsWith("parley_at=at-1"))).toMatch(/Max-Age=870; HttpOnly/);
    expect(cookies.join()).not.toContain("api=1");
  });

  it("passes a refused sign-in through as problem+json without cookies", async () => {
    const res = await call("/api/v1/auth/login", { method: "POST", headers: csrf, body: '{"email":"a@b.c","password":"wrong"}' });
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe("unauthorized");
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("refuses a sign-in without the CSRF token (login CSRF)", async () => {
    const res = await call("/api/v1/auth/login", { method: "POST", body: '{"email":"a@b.c","password":"right"}' });
    expect(res.status).toBe(403);
    expect(seen).toEqual([]);
  });

  it("signs out at the API with the refresh cookie and clears the cookies", async () => {
    const res = await call("/api/v1/auth/logout", { method: "POST", headers: { ...csrf, cookie: "parley_csrf=tok; parley_rt=rt-1; parley_at=at-1" } });
    expect(res.status).toBe(204);
    expect(JSON.parse(seen[0].body)).toEqual({ refresh_token: "rt-1" });
    expect(res.headers.getSetCookie().every((c) => c.includes("Max-Age=0"))).toBe(true);
  });
});

describe("forwarding", () => {
  it("adds the bearer token from the cookie and strips the browser's cookies", async () => {
    const res = await call("/api/v1/conversations?q=x", { headers: { cookie: "parley_at=at-1; other=1", "x-request-id": "rid-1" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ path: "/api/v1/conversations?q=x", body: "" });
    expect(seen[0].headers.authorization).toBe("Bearer at-1");
    expect(seen[0].headers.cookie).toBeUndefined();
    expect(seen[0].headers["x-request-id"]).toBe("rid-1");
    expect(res.headers.get("connection")).toBeNull();
  });

  it("renews an expired access token with the refresh cookie before forwarding", async () => {
    validAccess = "at-2";
    const res = await call("/api/v1/me", { headers: { cookie: "parley_rt=rt-1" } });
    expect(res.status).toBe(200);
    expect(seen.map((s) => s.url)).toEqual(["/api/v1/auth/refresh", "/api/v1/me"]);
    expect(seen[1].headers.authorization).toBe("Bearer at-2");
    expect(res.headers.getSetCookie().some((c) => c.startsWith("parley_at=at-2"))).toBe(true);
  });

  it("renews and replays the body once when the API refuses the access token", async () => {
    validAccess = "at-2";
    const res = await call("/api/v1/conversations", {
      method: "POST",
      headers: { ...csrf, cookie: "parley_csrf=tok; parley_rt=rt-1; parley_at=at-old", "content-type": "application/json" },
      body: '{"title":"t"}',
    });
    expect(res.status).toBe(200);
    expect(seen.map((s) => `${s.method} ${s.url} ${s.body}`)).toEqual([
      'POST /api/v1/conversations {"title":"t"}',
      'POST /api/v1/auth/refresh {"refresh_token":"rt-1"}',
      'POST /api/v1/conversations {"title":"t"}',
    ]);
  });

  it("clears the session when the refresh token is refused", async () => {
    const res = await call("/api/v1/me", { headers: { cookie: "parley_rt=revoked" } });
    expect(res.status).toBe(401);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("parley_rt=;") && c.includes("Max-Age=0"))).toBe(true);
  });

  it("refuses paths outside /api/v1 without calling the API", async () => {
    const res = await handle(req("/api/metrics"), ["metrics"]);
    expect(res.status).toBe(404);
    expect(seen).toEqual([]);
  });

  it("passes a stream through: the first event arrives while the API is still sending", async () => {
    const res = await call("/api/v1/conversations/c1/messages", {
      method: "POST",
      headers: { ...csrf, cookie: "parley_csrf=tok; parley_at=at-1", accept: "text/event-stream", "accept-encoding": "gzip" },
      body: '{"content":"hi"}',
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(seen[0].headers["accept-encoding"]).toBe("identity");
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"Hel"');
    expect(streamGate).not.toBeNull();
    streamGate!.release();
    let rest = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(rest).toContain("event: done");
  });
});

describe("PATCH /me keeps this session on a password change", () => {
  it.each([
    ["adds the session's refresh token to a password change", "parley_at=at-1; parley_rt=rt-1", '{"password":"new one","current_password":"old"}', { password: "new one", current_password: "old", refresh_token: "rt-1" }],
    ["replaces a token the browser made up", "parley_at=at-1; parley_rt=rt-1", '{"password":"p","current_password":"o","refresh_token":"evil"}', { password: "p", current_password: "o", refresh_token: "rt-1" }],
    ["drops a made-up token when there is no session cookie", "parley_at=at-1", '{"password":"p","current_password":"o","refresh_token":"evil"}', { password: "p", current_password: "o" }],
    ["sends the renewed token after a renewal", "parley_rt=rt-1", '{"password":"p","current_password":"o"}', { password: "p", current_password: "o", refresh_token: "rt-2" }],
    ["leaves a name change alone", "parley_at=at-1; parley_rt=rt-1", '{"name":"Ada"}', { name: "Ada" }],
  ])("%s", async (_name, cookie, body, want) => {
    if (!cookie.includes("parley_at")) validAccess = "at-2";
    const res = await call("/api/v1/me", {
      method: "PATCH",
      headers: { ...csrf, cookie: `parley_csrf=tok; ${cookie}`, "content-type": "application/json" },
      body,
    });
    expect(res.status).toBe(200);
    const patch = seen.find((s) => s.method === "PATCH");
    expect(JSON.parse(patch!.body)).toEqual(want);
  });

  it("passes malformed JSON on untouched for the API to refuse", async () => {
    await call("/api/v1/me", { method: "PATCH", headers: { ...csrf, cookie: "parley_csrf=tok; parley_at=at-1; parley_rt=rt-1" }, body: '{"password":' });
    expect(seen[0].body).toBe('{"password":');
  });

  it("adds nothing to other routes", async () => {
    await call("/api/v1/conversations/c1", { method: "PATCH", headers: { ...csrf, cookie: "parley_csrf=tok; parley_at=at-1; parley_rt=rt-1" }, body: '{"password":"x"}' });
    expect(seen[0].body).toBe('{"password":"x"}');
  });
});

describe("request bodies are streamed to the API and capped whatever their framing", () => {
  /** chunkedBody is a request body without Content-Length whose chunks come from next(), one per pull. */
  function streamingRequest(path: string, next: () => Promise<Uint8Array | null>): Request {
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const c = await next();
        if (c) ctrl.enqueue(c);
        else ctrl.close();
      },
    });
    return new Request(`${web}${path}`, {
      method: "POST",
      headers: { host: "127.0.0.1:3000", ...csrf, cookie: "parley_csrf=tok; parley_at=at-1", "content-type": "application/octet-stream" },
      body,
      duplex: "half",
    } as RequestInit);
  }

  /** apiReceives resolves with each upstream request as it starts, and tells when bytes reach the API and how the request ended. */
  function apiReceives() {
    let got = 0;
    let waiters: { n: number; resolve: () => void }[] = [];
    let started!: (r: http.IncomingMessage) => void;
    const start = new Promise<http.IncomingMessage>((r) => (started = r));
    let ended!: (how: "complete" | "cut") => void;
    const end = new Promise<"complete" | "cut">((r) => (ended = r));
    upload = (req, res) => {
      started(req);
      let complete = false;
      req.on("data", (c: Buffer) => {
        got += c.length;
        waiters = waiters.filter((w) => (got >= w.n ? (w.resolve(), false) : true));
      });
      req.on("end", () => {
        complete = true;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ bytes: got }));
      });
      req.on("close", () => ended(complete ? "complete" : "cut"));
    };
    return {
      start,
      end,
      bytes: () => got,
      /** reached resolves once n bytes reached the API. */
      reached: (n: number) => new Promise<void>((resolve) => (got >= n ? resolve() : waiters.push({ n, resolve }))),
    };
  }

  it("streams a large allowed body: the API has the first chunk before the browser sends the next", async () => {
    const seenByApi = apiReceives();
    const chunk = 64 << 10;
    const chunks = Math.floor(MAX_BODY / chunk); // exactly the cap: allowed
    let sent = 0;
    const res = await handle(
      streamingRequest("/api/v1/conversations", async () => {
        if (sent === chunks) return null;
        // A buffering forwarder never sends anything before the body ends: this waits forever and the test times out.
        if (sent > 0) await seenByApi.reached(sent * chunk);
        sent++;
        return new Uint8Array(chunk).fill(97);
      }),
      ["v1", "conversations"],
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bytes: chunks * chunk });
    expect(await seenByApi.end).toBe("complete");
  });

  it("answers 413 problem+json to a chunked body over the cap, and cuts the API's request instead of ending it", async () => {
    const seenByApi = apiReceives();
    const chunk = 64 << 10;
    let sent = 0;
    const res = await handle(
      streamingRequest("/api/v1/conversations", async () => {
        if (sent > 0) await seenByApi.reached(chunk); // streamed, not buffered: the API already reads it
        sent++;
        return new Uint8Array(chunk).fill(98); // never ends on its own
      }),
      ["v1", "conversations"],
    );
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(await res.json()).toMatchObject({ status: 413, code: "too_large" });
    // The API saw the start of a request that never completed: no handler ran on a short body.
    expect(await seenByApi.end).toBe("cut");
    expect(seenByApi.bytes()).toBeLessThanOrEqual(MAX_BODY);
    expect(sent * chunk).toBeGreaterThan(MAX_BODY);
  });

  it("answers 413 at once to a declared Content-Length over the cap, without calling the API", async () => {
    upload = () => {
      throw new Error("the API was called");
    };
    const res = await handle(
      new Request(`${web}/api/v1/conversations`, {
        method: "POST",
        headers: { host: "127.0.0.1:3000", ...csrf, cookie: "parley_csrf=tok; parley_at=at-1", "content-length": String(MAX_BODY + 1) },
        body: "x",
      }),
      ["v1", "conversations"],
    );
    expect(res.status).toBe(413);
  });

  it("caps the bodies it reads itself (sign-in) the same way", async () => {
    let n = 0;
    const r = streamingRequest("/api/v1/auth/login", async () => (n++ * (64 << 10) > MAX_BODY ? null : new Uint8Array(64 << 10).fill(32)));
    const res = await handle(r, ["v1", "auth", "login"]);
    expect(res.status).toBe(413);
    expect(seen).toEqual([]);
  });
});
