import { fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MemoryRouter } from "react-router";
import { AuthProvider } from "./auth";
import { Networks } from "./pages/Networks";
import { NetworkForm } from "./components/forms";
import { ApiError } from "./api/client";
import { Login } from "./pages/Login";
import type { Me } from "./api/types";

const page = (items: unknown[]) => ({ items, page: 0, size: 20, totalItems: items.length, totalPages: 1 });
const net = { id: "n1", name: "prod", ipv4Prefix: "10.0.0.0/16", ipv6Prefix: null, mtu: 1420, dnsServers: [], persistentKeepalive: 0 };

afterEach(() => vi.unstubAllGlobals());

function renderAs(me: Me, ui: React.ReactNode) {
  return render(
    <AuthProvider initial={me}>
      <MemoryRouter>{ui}</MemoryRouter>
    </AuthProvider>,
  );
}

describe("roles", () => {
  it("viewers see no editing controls", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify(page([net])), { status: 200 }));
    renderAs({ name: "val", role: "VIEWER" }, <Networks />);
    expect(await screen.findByText("prod")).toBeTruthy();
    expect(screen.queryByRole("button", { name: /new network/i })).toBeNull();
    expect(screen.queryByRole("button", { name: /edit/i })).toBeNull();
    expect(screen.queryByRole("button", { name: /delete/i })).toBeNull();
  });

  it("admins do", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify(page([net])), { status: 200 }));
    renderAs({ name: "ada", role: "ADMIN" }, <Networks />);
    expect(await screen.findByText("prod")).toBeTruthy();
    expect(screen.getByRole("button", { name: /new network/i })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Edit prod" })).toBeTruthy();
  });
});

describe("forms", () => {
  it("shows field errors next to their inputs and keeps the dialog open", async () => {
    const save = vi.fn(async () => {
      throw new ApiError(400, {
        detail: "Invalid input",
        errors: [{ field: "ipv4Prefix", message: "must be a prefix of length 8-30" }],
      });
    });
    const onSaved = vi.fn();
    render(<NetworkForm save={save} onSaved={onSaved} />);
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "x" } });
    fireEvent.change(screen.getByLabelText("IPv4 prefix"), { target: { value: "10.0.0.0/31" } });
    fireEvent.click(screen.getByRole("button", { name: "Create network" }));
    const input = screen.getByLabelText("IPv4 prefix");
    expect(await screen.findByText("must be a prefix of length 8-30")).toBeTruthy();
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const describedBy = input.getAttribute("aria-describedby")!;
    expect(document.getElementById(describedBy.split(" ")[0])!.textContent).toBe("must be a prefix of length 8-30");
    expect(screen.getByLabelText("Name").getAttribute("aria-invalid")).toBe("false");
    expect(onSaved).not.toHaveBeenCalled();
    expect(save).toHaveBeenCalledWith(expect.objectContaining({ name: "x", ipv4Prefix: "10.0.0.0/31", ipv6Prefix: null, mtu: 1420 }));
  });

  it("shows a general error when there are no field errors", async () => {
    const save = vi.fn(async () => {
      throw new ApiError(409, { detail: "A network named x exists" });
    });
    render(<NetworkForm save={save} onSaved={() => {}} />);
    fireEvent.click(screen.getByRole("button", { name: "Create network" }));
    const alerts = await screen.findAllByRole("alert");
    expect(alerts.some((a) => a.textContent === "A network named x exists")).toBe(true);
  });
});

describe("login", () => {
  it("explains the rate limit", async () => {
    vi.stubGlobal(
      "fetch",
      async () =>
        new Response(JSON.stringify({ detail: "Too many failed logins; retry in 30 s" }), {
          status: 429,
          headers: { "Retry-After": "30" },
        }),
    );
    render(
      <AuthProvider initial={null}>
        <Login />
      </AuthProvider>,
    );
    fireEvent.change(screen.getByLabelText("Username"), { target: { value: "a" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "b" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    const form = screen.getByRole("form");
    expect(await within(form).findByText("Too many failed logins. Try again in 30 s.")).toBeTruthy();
  });

  it("says when credentials are wrong", async () => {
    vi.stubGlobal("fetch", async () => new Response(JSON.stringify({ detail: "Invalid username or password" }), { status: 401 }));
    render(
      <AuthProvider initial={null}>
        <Login />
      </AuthProvider>,
    );
    fireEvent.change(screen.getByLabelText("Username"), { target: { value: "a" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Invalid username or password.")).toBeTruthy();
  });
});
