import type { ProviderOptions } from "../provider/openai";

/** Lets a provider reach the local test server: 127.0.0.1 is refused unless allowed, as in production. */
export const localServerAccess: ProviderOptions = { network: { allowedPrivateHosts: ["127.0.0.1"] } };
