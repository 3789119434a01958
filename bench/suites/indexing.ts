// The implementation lives with the code it measures, where its dependencies resolve.
export { default } from "../../apps/platform/bench/indexing.ts";
