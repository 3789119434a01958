import type { AppRouter } from "@avatar-chat/api";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { WidgetProcedures } from "./api-types";
import type { MAX_MESSAGE_CHARS } from "./composer-limit";

// Type-level check (no runtime code): the widget's view of the API in api-types.ts must accept
// what the real router returns and send what it accepts. `pnpm typecheck` fails on drift.

type Outputs = inferRouterOutputs<AppRouter>;
type Inputs = inferRouterInputs<AppRouter>;
type Expect<T extends true> = T;
type Accepts<Wide, Narrow> = Narrow extends Wide ? true : false;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type ServerMaxMessage = typeof import("@avatar-chat/api/schemas").MAX_MESSAGE_CHARS;

export type ContractChecks = [
  // The composer's counter uses the server's message limit.
  Expect<Same<typeof MAX_MESSAGE_CHARS, ServerMaxMessage>>,
  Expect<Accepts<WidgetProcedures["widget.config"]["output"], Outputs["widget"]["config"]>>,
  Expect<Accepts<Inputs["widget"]["config"], WidgetProcedures["widget.config"]["input"]>>,
  Expect<Accepts<WidgetProcedures["widget.start"]["output"], Outputs["widget"]["start"]>>,
  Expect<Accepts<Inputs["widget"]["start"], WidgetProcedures["widget.start"]["input"]>>,
  Expect<Accepts<WidgetProcedures["conversation.start"]["output"], Outputs["conversation"]["start"]>>,
  Expect<Accepts<Inputs["conversation"]["start"], WidgetProcedures["conversation.start"]["input"]>>,
  Expect<Accepts<WidgetProcedures["conversation.send"]["output"], Outputs["conversation"]["send"]>>,
  Expect<Accepts<Inputs["conversation"]["send"], WidgetProcedures["conversation.send"]["input"]>>,
  Expect<Accepts<WidgetProcedures["conversation.history"]["output"], Outputs["conversation"]["history"]>>,
  Expect<Accepts<Inputs["conversation"]["history"], WidgetProcedures["conversation.history"]["input"]>>,
  Expect<
    Accepts<WidgetProcedures["conversation.requestHuman"]["output"], Outputs["conversation"]["requestHuman"]>
  >,
  Expect<
    Accepts<Inputs["conversation"]["requestHuman"], WidgetProcedures["conversation.requestHuman"]["input"]>
  >,
  Expect<Accepts<Inputs["conversation"]["stop"], WidgetProcedures["conversation.stop"]["input"]>>,
  Expect<Accepts<Inputs["conversation"]["feedback"], WidgetProcedures["conversation.feedback"]["input"]>>,
];
