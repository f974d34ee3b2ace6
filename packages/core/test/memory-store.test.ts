import { createMemoryStore } from "../src/storage/memory.js";
import { storeConformance } from "./support/store-conformance.js";

storeConformance("memory store", async ({ now }) => createMemoryStore({ now }));

// Runs the suite's real-clock branch too (the one server-clock stores such as Redis take), so
// that branch is itself known to work.
storeConformance("memory store on the real clock", async () => createMemoryStore(), undefined, {
  clock: "real",
});
