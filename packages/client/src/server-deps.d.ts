// Stands in for the api's `deps` module in the bundled declarations: a client never sees the server's
// database, queues or storage, and their types would drag Redis, BullMQ and Node's own types along.
export type AppDeps = object;
