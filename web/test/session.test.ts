import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearedCookies, cookieNames, readCookie, REFRESH_SHARE_MS, refreshSession, resetRefreshCache, sessionCookies, wantSecureCookies } from "@/lib/session";

describe("wantSecureCookies", () => {
  it.each([
    ["https", "https:", { host: "chat.example" }, true],
    ["TLS proxy in front", "http:", { host: "chat.example", "x-forwarded-proto": "https" }, true],
    ["plain http to a public host", "http:", { host: "chat.example" }, true],
    ["http://localhost dev", "http:", { host: "localhost:3000" }, false],
    ["http://127.0.0.1", "http:", { host: "127.0.0.1:41234" }, false],
    ["http://[::1]", "http:", { host: "[::1]:3000" }, false],
    ["localhost behind https", "http:", { host: "localhost", "x-forwarded-proto": "https" }, true],
  ])("%s", (_n, proto, headers, want) => {
    expect(wantSecureCookies(proto, new Headers(headers))).toBe(want);
  });
});

describe("wantSecureCookies with PARLEY_PUBLIC_URL", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("follows the configured origin, not the client's X-Forwarded-Proto or Host", () => {
    vi.stubEnv("PARLEY_PUBLIC_URL", "https://chat.example.com");
    expect(wantSecureCookies("http:", new Headers({ host: "localhost:3000", "x-forwarded-proto": "http" }))).toBe(true);
    vi.stubEnv("PARLEY_PUBLIC_URL", "http://127.0.0.1:3000");
    expect(wantSecureCookies("http:", new Headers({ host: "evil.example", "x-forwarded-proto": "https", "x-forwarded-host": "evil.example" }))).toBe(false);
  });
});

describe("session cookies", () => {
  const auth = { access_token: "at", refresh_token: "rt", expires_in: 900 };

  it("keeps both tokens httpOnly and SameSite=Strict, secure ones with the __Host- prefix", () => {
    const [rt, at] = sessionCookies(auth, true);
    expect(rt).toMatchObject({ name: "__Host-parley_rt", value: "rt", httpOnly: true, secure: true, sameSite: "strict", path: "/" });
    expect(at).toMatchObject({ name: "__Host-parley_at", value: "at", httpOnly: true, secure: true, sameSite: "strict" });
    // The access cookie disappears before the token expires, so it is renewed in time.
    expect(at.maxAge).toBe(870);
  });

  it("uses plain names without Secure on loopback http", () => {
    const [rt] = sessionCookies(auth, false);
    expect(rt).toMatchObject({ name: "parley_rt", secure: false, httpOnly: true });
  });

  it("clears both cookies under both names", () => {
    const names = clearedCookies().map((c) => `${c.name}:${c.maxAge}`);
    expect(names.sort()).toEqual(["__Host-parley_at:0", "__Host-parley_rt:0", "parley_at:0", "parley_rt:0"]);
  });

  it("reads a cookie under either name", () => {
    const jar = new Map([[cookieNames(true).refresh, "secure-rt"]]);
    expect(readCookie((n) => jar.get(n), "refresh")).toBe("secure-rt");
    expect(readCookie((n) => jar.get(n), "access")).toBeUndefined();
  });
});

describe("refreshSession", () => {
  beforeEach(() => resetRefreshCache());

  function fakeApi(status: number) {
    const calls: { url: string; body: unknown }[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const impl = async (url: string, init?: RequestInit) => {
      calls.push({ url, body: JSON.parse(String(init?.body)) });
      await gate;
      const body = status === 200 ? { user: { id: "u1" }, access_token: `at-${calls.length}`, refresh_token: `rt-${calls.length}`, expires_in: 900 } : { code: "unauthorized" };
      return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    };
    return { calls, impl, release };
  }

  it("shares one API call among concurrent requests with the same refresh token", async () => {
    const api = fakeApi(200);
    const a = refreshSession("http://api", "rt-0", {}, api.impl);
    const b = refreshSession("http://api", "rt-0", {}, api.impl);
    api.release();
    const [ra, rb] = await Promise.all([a, b]);
    expect(api.calls).toEqual([{ url: "http://api/api/v1/auth/refresh", body: { refresh_token: "rt-0" } }]);
    expect(ra).toEqual(rb);
    expect(ra.ok && ra.auth.access_token).toBe("at-1");
  });

  it("asks again once the shared answer is older than the reuse window", async () => {
    const api = fakeApi(200);
    api.release();
    let t = 1_000_000;
    await refreshSession("http://api", "rt-0", {}, api.impl, () => t);
    t += 60_000;
    await refreshSession("http://api", "rt-0", {}, api.impl, () => t);
    expect(api.calls).toHaveLength(2);
  });

  it("shares an answer only for a burst (a second or two), so a replay a little later reaches the API", async () => {
    expect(REFRESH_SHARE_MS).toBeGreaterThanOrEqual(1000);
    expect(REFRESH_SHARE_MS).toBeLessThanOrEqual(2000);
    const api = fakeApi(200);
    api.release();
    let t = 1_000_000;
    const clock = () => t;
    await refreshSession("http://api", "rt-0", {}, api.impl, clock);
    t += REFRESH_SHARE_MS; // the last request of the page load
    await refreshSession("http://api", "rt-0", {}, api.impl, clock);
    expect(api.calls).toHaveLength(1);
    t += 1; // a stolen copy of the cookie, replayed 2.5 s after the answer: the API must see it
    await refreshSession("http://api", "rt-0", {}, api.impl, clock);
    expect(api.calls).toHaveLength(2);
  });

  it("keeps sharing while the API call is still in flight, however long it takes", async () => {
    const api = fakeApi(200);
    let t = 1_000_000;
    const clock = () => t;
    const a = refreshSession("http://api", "rt-0", {}, api.impl, clock);
    t += 10_000;
    const b = refreshSession("http://api", "rt-0", {}, api.impl, clock);
    api.release();
    expect(await a).toEqual(await b);
    expect(api.calls).toHaveLength(1);
  });

  it("never hands one cookie's answer to a request with another cookie", async () => {
    const api = fakeApi(200);
    const a = refreshSession("http://api", "rt-alice", {}, api.impl);
    const b = refreshSession("http://api", "rt-bob", {}, api.impl);
    api.release();
    await Promise.all([a, b]);
    expect(api.calls.map((c) => c.body)).toEqual([{ refresh_token: "rt-alice" }, { refresh_token: "rt-bob" }]);
  });

  it("keys the shared answers by a hash of the cookie, never the token itself", async () => {
    const api = fakeApi(200);
    api.release();
    await refreshSession("http://api", "rt-secret-value", {}, api.impl);
    const keys = [...((globalThis as { __parleyRefresh?: Map<string, unknown> }).__parleyRefresh?.keys() ?? [])];
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toContain("rt-secret-value");
  });

  it("reports a refused refresh token as 401", async () => {
    const api = fakeApi(401);
    api.release();
    const r = await refreshSession("http://api", "stolen", {}, api.impl);
    expect(r).toMatchObject({ ok: false, status: 401 });
  });

  it("does not remember an unreachable API", async () => {
    let n = 0;
    const down = async () => {
      n++;
      throw new Error("ECONNREFUSED");
    };
    expect(await refreshSession("http://api", "rt-x", {}, down)).toEqual({ ok: false, status: 502 });
    await refreshSession("http://api", "rt-x", {}, down);
    expect(n).toBe(2);
  });
});
