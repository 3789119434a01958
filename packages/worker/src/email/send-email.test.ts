import type { AddressInfo } from "node:net";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { type Logger, silentLogger } from "@avatar-chat/telemetry";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attempt } from "../../test/fixtures";
import { createEmailSender } from "./send-email";

let db: TestDatabase;
let smtp: SMTPServer;
let smtpUrl: string;
const received: { to: string[]; body: string }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith("@nowhere.test")) {
        const error = Object.assign(new Error("mailbox unavailable"), { responseCode: 550 });
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const parts: Buffer[] = [];
      stream.on("data", (part: Buffer) => parts.push(part));
      stream.on("end", () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          body: Buffer.concat(parts).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpUrl = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await db.drop();
});

async function outbox(to: string) {
  return db.kysely
    .insertInto("email_outbox")
    .values({ kind: "invitation", to_address: to, subject: "You are invited", text_body: "Join us at Acme." })
    .returning("id")
    .executeTakeFirstOrThrow();
}

const row = (id: string) =>
  db.kysely.selectFrom("email_outbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const from = "Acme <no-reply@acme.test>";

describe("email", () => {
  it("sends a pending outbox row over SMTP and marks it sent", async () => {
    const sender = createEmailSender({
      db: db.kysely,
      mailer: { smtpUrl, from },
      clock: () => new Date(),
      logger: silentLogger,
    });
    const { id } = await outbox("ada@example.test");
    expect(await sender.send(attempt({ outboxId: id }))).toBe("sent");
    expect(await row(id)).toMatchObject({
      status: "sent",
      attempts: 1,
      last_error: null,
      sent_at: expect.any(Date),
    });
    const mail = received.find((m) => m.to.includes("ada@example.test"));
    expect(mail?.body).toContain("Subject: You are invited");
    expect(mail?.body).toContain("Join us at Acme.");
    // Sending again (a retried job) does nothing: the row is no longer pending.
    expect(await sender.send(attempt({ outboxId: id }))).toBe("skipped");
    expect(received.filter((m) => m.to.includes("ada@example.test"))).toHaveLength(1);
    sender.close();
  });

  it("marks a permanently refused mail failed with the SMTP error", async () => {
    const sender = createEmailSender({
      db: db.kysely,
      mailer: { smtpUrl, from },
      clock: () => new Date(),
      logger: silentLogger,
    });
    const { id } = await outbox("ghost@nowhere.test");
    await expect(sender.send(attempt({ outboxId: id }, { attempts: 5 }))).rejects.toMatchObject({
      name: "UnrecoverableError",
    });
    const failed = await row(id);
    expect(failed).toMatchObject({ status: "failed", attempts: 1, sent_at: null });
    expect(failed.last_error).toMatch(/mailbox unavailable/);
    sender.close();
  });

  it("keeps a mail pending after a temporary failure until the last attempt", async () => {
    const sender = createEmailSender({
      db: db.kysely,
      mailer: { smtpUrl: "smtp://127.0.0.1:1", from },
      clock: () => new Date(),
      logger: silentLogger,
    });
    const { id } = await outbox("bob@example.test");
    await expect(sender.send(attempt({ outboxId: id }, { attempts: 2 }))).rejects.toThrow();
    expect(await row(id)).toMatchObject({ status: "pending", attempts: 1 });
    await expect(sender.send(attempt({ outboxId: id }, { attempts: 2, attemptsMade: 1 }))).rejects.toThrow();
    expect(await row(id)).toMatchObject({
      status: "failed",
      attempts: 2,
      last_error: expect.stringMatching(/ECONNREFUSED/),
    });
    sender.close();
  });

  it("leaves mail pending and readable without SMTP, logging once", async () => {
    const warnings: string[] = [];
    const logger: Logger = {
      ...silentLogger,
      warn: (first: object | string, message?: string) =>
        warnings.push(typeof first === "string" ? first : `${message}`),
    };
    const sender = createEmailSender({
      db: db.kysely,
      mailer: { smtpUrl: null, from },
      clock: () => new Date(),
      logger,
    });
    const first = await outbox("carol@example.test");
    const second = await outbox("dave@example.test");
    expect(await sender.send(attempt({ outboxId: first.id }))).toBe("unconfigured");
    expect(await sender.send(attempt({ outboxId: second.id }))).toBe("unconfigured");
    expect(await row(first.id)).toMatchObject({ status: "pending", attempts: 0, subject: "You are invited" });
    expect(warnings).toHaveLength(1);
  });
});
