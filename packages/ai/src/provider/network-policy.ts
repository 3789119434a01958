import { z } from "zod";

// The operator's network policy for tenants' AI providers, apart from the checks that apply it, so that
// reading the settings (`@avatar-chat/ai/network-policy`) loads no provider SDK.

/**
 * Which non-public addresses a tenant's provider base URL may reach. Default (empty): none, so a tenant
 * cannot point the worker at cloud metadata, the database or another tenant's services. The operator opens
 * single hosts (a local Ollama) or, for single-tenant self-hosting, every private address.
 */
export interface ProviderNetworkPolicy {
  /** `host` or `host:port` (a name or an IP literal, IPv6 in brackets), e.g. `localhost:11434`. */
  allowedPrivateHosts?: readonly string[];
  allowPrivateNetwork?: boolean;
}

/** `host` or `host:port`: a name or an IP literal, IPv6 in brackets. */
export const HOST_ENTRY = /^(\[[0-9a-f:.]+\]|[^\s:/[\]]+)(?::(\d{1,5}))?$/i;

/** One `host[:port]` entry of the allow-list, as the operator writes it. */
export const privateHostEntrySchema = z
  .string()
  .trim()
  .regex(HOST_ENTRY, "write host or host:port, e.g. localhost:11434 or [::1]:8000");
