import { router } from "../../trpc";
import { inboxProcedures } from "./inbox-procedures";
import { visitorProcedures } from "./visitor-procedures";

export const conversationRouter = router({ ...visitorProcedures, ...inboxProcedures });
