import { checkProviderTarget, isProviderError, type ProviderNetworkPolicy } from "@avatar-chat/ai";
import { TRPCError } from "@trpc/server";

/**
 * Refuses a base URL whose host is, or resolves to, a private address the operator has not allowed.
 * The worker checks again on every call (DNS may change); this check gives the admin the reason at once.
 */
export async function assertAllowedBaseUrl(baseUrl: string | null, policy: ProviderNetworkPolicy) {
  if (!baseUrl) return;
  try {
    await checkProviderTarget(new URL(baseUrl), policy);
  } catch (error) {
    if (!isProviderError(error)) throw error;
    throw new TRPCError({
      code: "BAD_REQUEST",
      message:
        error.kind === "permanent"
          ? `This base URL is not allowed: ${error.message}. Ask the platform operator to allow the host (AI_ALLOWED_PRIVATE_HOSTS).`
          : `This base URL's host cannot be reached (${error.message}). Check the address.`,
    });
  }
}
