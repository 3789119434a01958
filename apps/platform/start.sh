#!/bin/sh
# Runs the platform as this very process, on the workspace's Node 24. Ctrl-C reaches every process in
# the terminal's group; `node` on pnpm's PATH is a wrapper shell script, and a shell that gets SIGINT
# dies of it once its child ends, so pnpm reported a clean stop as "failed with signal SIGINT". With
# `exec` and Node's own path no shell is left in between: the platform stops and exits 0.
cd "$(dirname "$0")" || exit 1
exec "$(node -p process.execPath)" --import tsx src/main.ts
