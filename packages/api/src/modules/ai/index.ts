// What other modules (and the platform) may use of ai; nothing else of this folder crosses (module-entries.test.ts).
export { providerSettingsFor } from "./provider-settings";
