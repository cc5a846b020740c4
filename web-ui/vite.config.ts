/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The bundle lands in the Maven module's classes under static/, so the controller jar serves it from "/".
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "target/classes/static",
    emptyOutDir: true,
  },
  server: {
    proxy: { "/api": "http://localhost:8080", "/actuator": "http://localhost:8080" },
  },
  test: {
    environment: "jsdom",
    globals: true,
  },
});
