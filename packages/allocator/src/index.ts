export type { Allocation, Owner, Store } from "./store.js";
