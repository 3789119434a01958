import type { Database } from "@avatar-chat/db";
import { emailJob } from "@avatar-chat/protocol/jobs";
import type { Logger } from "@avatar-chat/telemetry";
import { UnrecoverableError } from "bullmq";
import type { Kysely } from "kysely";
import nodemailer from "nodemailer";
import { parsePayload } from "../payload";
import { isFinalAttempt, type JobAttempt } from "../queues";
import { readableError } from "../readable-error";

export interface MailerConfig {
  /** e.g. smtp://user:pass@smtp.example.com:587; null: mail stays pending in the outbox. */
  smtpUrl: string | null;
  from: string;
}

export interface EmailDeps {
  db: Kysely<Database>;
  mailer: MailerConfig;
  clock: () => Date;
  logger: Logger;
}

export type EmailOutcome = "sent" | "unconfigured" | "skipped";

/**
 * Builds the email job's processor. The outbox row is the truth: the job only moves a `pending` row to
 * `sent` or (after the last attempt or a permanent SMTP refusal) `failed`. The outbox spans tenants and
 * holds tenant-less mail (sign-up), so it is read with the owning role.
 */
export function createEmailSender(deps: EmailDeps): {
  send(job: JobAttempt): Promise<EmailOutcome>;
  close(): void;
} {
  const transport = deps.mailer.smtpUrl ? nodemailer.createTransport(deps.mailer.smtpUrl) : null;
  let warned = false;

  async function send(job: JobAttempt): Promise<EmailOutcome> {
    const { outboxId } = parsePayload(emailJob, job.data);
    const mail = await deps.db
      .selectFrom("email_outbox")
      .selectAll()
      .where("id", "=", outboxId)
      .executeTakeFirst();
    if (!mail || mail.status !== "pending") return "skipped";
    if (!transport) {
      if (!warned) deps.logger.warn("email: no SMTP configured; mail stays pending in email_outbox");
      warned = true;
      return "unconfigured";
    }
    try {
      await transport.sendMail({
        from: deps.mailer.from,
        to: mail.to_address,
        subject: mail.subject,
        text: mail.text_body,
        ...(mail.html_body ? { html: mail.html_body } : {}),
      });
    } catch (error) {
      // 5xx is the server's final word (unknown mailbox, refused sender); anything else may pass later.
      const permanent = smtpCode(error) >= 500;
      const final = permanent || isFinalAttempt(job.attemptsMade, job.opts.attempts);
      await deps.db
        .updateTable("email_outbox")
        .set((eb) => ({
          attempts: eb("attempts", "+", 1),
          last_error: readableError(error),
          status: final ? "failed" : "pending",
        }))
        .where("id", "=", outboxId)
        .execute();
      throw final ? new UnrecoverableError(readableError(error)) : error;
    }
    await deps.db
      .updateTable("email_outbox")
      .set((eb) => ({
        attempts: eb("attempts", "+", 1),
        last_error: null,
        status: "sent",
        sent_at: deps.clock(),
      }))
      .where("id", "=", outboxId)
      .execute();
    return "sent";
  }

  return { send, close: () => transport?.close() };
}

function smtpCode(error: unknown): number {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" ? code : 0;
}
