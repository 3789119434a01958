import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { apiCors } from "./api-cors";

const dashboard = "https://app.example.com";
const app = new Hono()
  .use(
    "*",
    apiCors({
      credentialOrigins: [dashboard],
      allowHeaders: ["content-type", "authorization"],
      allowMethods: ["GET", "POST", "OPTIONS"],
      maxAgeSeconds: 600,
    }),
  )
  .get("/r", (c) => c.json({ ok: true }))
  .post("/r", () => new Response("{}", { headers: { "content-type": "application/json" } }));

describe("apiCors", () => {
  it("answers a preflight with the allowed methods and headers, credentials only for the dashboard", async () => {
    const fromDashboard = await app.request("/r", { method: "OPTIONS", headers: { origin: dashboard } });
    expect(fromDashboard.status).toBe(204);
    expect(fromDashboard.headers.get("access-control-allow-origin")).toBe(dashboard);
    expect(fromDashboard.headers.get("access-control-allow-credentials")).toBe("true");
    expect(fromDashboard.headers.get("access-control-allow-methods")).toBe("GET,POST,OPTIONS");
    expect(fromDashboard.headers.get("access-control-allow-headers")).toBe("content-type,authorization");
    expect(fromDashboard.headers.get("access-control-max-age")).toBe("600");

    const fromSite = await app.request("/r", {
      method: "OPTIONS",
      headers: { origin: "https://shop.example" },
    });
    expect(fromSite.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(fromSite.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("reflects the origin on responses, whether the handler used Hono's helpers or returned a Response", async () => {
    for (const method of ["GET", "POST"]) {
      const site = await app.request("/r", { method, headers: { origin: "https://shop.example" } });
      expect(site.headers.get("access-control-allow-origin")).toBe("https://shop.example");
      expect(site.headers.get("access-control-allow-credentials")).toBeNull();
      expect(site.headers.get("vary")).toBe("Origin");
      const dash = await app.request("/r", { method, headers: { origin: dashboard } });
      expect(dash.headers.get("access-control-allow-credentials")).toBe("true");
      expect(await dash.json()).toBeTypeOf("object");
    }
  });

  it("adds no CORS grant to a same-origin request", async () => {
    const response = await app.request("/r");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    expect(response.headers.get("vary")).toBe("Origin");
  });
});
