import { lazy, Suspense } from "react";
import { HashRouter, NavLink, Navigate, Route, Routes } from "react-router";
import { AuthProvider, useAuth } from "./auth";
import { Loading } from "./components/ui";
import { Login } from "./pages/Login";
import { Overview } from "./pages/Overview";
import { Networks } from "./pages/Networks";
import { NetworkDetail } from "./pages/NetworkDetail";
import { Agents } from "./pages/Agents";
import { Tokens } from "./pages/Tokens";
import { Audit } from "./pages/Audit";

// Charts and the graph library are big: load them with the pages that use them.
const PeerDetail = lazy(() => import("./pages/PeerDetail").then((m) => ({ default: m.PeerDetail })));
const Topology = lazy(() => import("./pages/Topology").then((m) => ({ default: m.Topology })));
const Meshes = lazy(() => import("./pages/Meshes").then((m) => ({ default: m.Meshes })));
const MeshDetail = lazy(() => import("./pages/MeshDetail").then((m) => ({ default: m.MeshDetail })));

/** Hash routing: the controller serves only "/" and /assets to anonymous callers, so deep links live in the hash. */
export function App() {
  return (
    <AuthProvider>
      <HashRouter>
        <Shell />
      </HashRouter>
    </AuthProvider>
  );
}

function Shell() {
  const { me, logout } = useAuth();
  if (me === undefined) return <Loading what="Checking your session" />;
  if (me === null) return <Login />;
  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <strong className="brand">wgmesh</strong>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Overview
          </NavLink>
          <NavLink to="/networks">Networks</NavLink>
          <NavLink to="/agents">Agents</NavLink>
          <NavLink to="/topology">Topology</NavLink>
          <NavLink to="/meshes">Meshes</NavLink>
          {me.role === "ADMIN" && <NavLink to="/tokens">API tokens</NavLink>}
          <NavLink to="/audit">Audit log</NavLink>
        </nav>
        <div className="who">
          <span data-testid="who">
            {me.name} <span className={`role role-${me.role.toLowerCase()}`}>{me.role}</span>
          </span>
          <button type="button" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading what="Loading page" />}>
        <Routes>
          <Route path="/" element={<Overview />} />
          <Route path="/networks" element={<Networks />} />
          <Route path="/networks/:networkId" element={<NetworkDetail />} />
          <Route path="/networks/:networkId/peers/:peerId" element={<PeerDetail />} />
          <Route path="/agents" element={<Agents />} />
          <Route path="/topology" element={<Topology />} />
          <Route path="/meshes" element={<Meshes />} />
          <Route path="/meshes/:networkId/:meshId" element={<MeshDetail />} />
          <Route path="/tokens" element={<Tokens />} />
          <Route path="/audit" element={<Audit />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
        </Suspense>
      </main>
    </div>
  );
}
