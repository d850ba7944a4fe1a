import http from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resetRefreshCache } from "@/lib/session";
import { proxy } from "@/proxy";

let refreshes = 0;
const api = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    refreshes++;
    const { refresh_token } = JSON.parse(body);
    if (refresh_token !== "rt-good") {
      res.writeHead(401, { "content-type": "application/problem+json" }).end('{"code":"unauthorized"}');
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({ user: { id: "u" }, access_token: "at-new", refresh_token: "rt-next", expires_in: 900 }),
    );
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  process.env.PARLEY_API_URL = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => api.close(() => r())));
beforeEach(() => {
  refreshes = 0;
  resetRefreshCache();
});

function page(path: string, cookie = "", host = "127.0.0.1:3000") {
  return new NextRequest(`http://${host}${path}`, { headers: { cookie, host } });
}

describe("page proxy", () => {
  it("sends a signed-out visitor of a private page to sign-in, keeping where they were going", async () => {
    const res = await proxy(page("/settings?tab=tokens"));
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("http://127.0.0.1:3000/login?next=%2Fsettings%3Ftab%3Dtokens");
  });

  it("serves public pages with a fresh nonce CSP and a CSRF cookie", async () => {
    const a = await proxy(page("/status"));
    const b = await proxy(page("/status"));
    const nonce = (r: Response) => /'nonce-([^']+)'/.exec(r.headers.get("content-security-policy") ?? "")?.[1];
    expect(nonce(a)).toBeTruthy();
    expect(nonce(a)).not.toBe(nonce(b));
    expect(a.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(a.headers.get("x-middleware-request-x-nonce")).toBe(nonce(a));
    expect(a.headers.getSetCookie().some((c) => /^parley_csrf=[\w-]{43}; /.test(c) && !/HttpOnly/i.test(c))).toBe(true);
  });

  it("renews an expired access token and hands the new one to the page being rendered", async () => {
    const res = await proxy(page("/chat", "parley_rt=rt-good; parley_csrf=x"));
    expect(res.status).toBe(200);
    expect(refreshes).toBe(1);
    const set = res.headers.getSetCookie();
    expect(set.some((c) => c.startsWith("parley_at=at-new") && /HttpOnly/i.test(c))).toBe(true);
    expect(set.some((c) => c.startsWith("parley_rt=rt-next"))).toBe(true);
    expect(res.headers.get("x-middleware-request-cookie")).toContain("parley_at=at-new");
  });

  it("clears a refused session and sends the visitor to sign in", async () => {
    const res = await proxy(page("/chat", "parley_rt=rt-revoked; parley_csrf=x"));
    expect(res.status).toBe(307);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("parley_rt=;"))).toBe(true);
  });

  it("uses Secure __Host- cookies on HTTPS", async () => {
    const req = new NextRequest("https://chat.example/status", { headers: { host: "chat.example" } });
    const res = await proxy(req);
    const csrf = res.headers.getSetCookie().find((c) => c.startsWith("__Host-parley_csrf="));
    expect(csrf).toMatch(/Secure/i);
    expect(res.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
  });
});
