import { render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";
import { App } from "./App";

afterEach(() => vi.unstubAllGlobals());

it("shows the controller status from /actuator/health", async () => {
  vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ status: "UP" }), { status: 200 }));
  render(<App />);
  expect(await screen.findByText(/Controller: UP/)).toBeTruthy();
});
